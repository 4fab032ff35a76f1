"""``incidentkit actors import|add|search``: exit status 0/1/2, located errors, exact Unicode."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result
from test_actors_vocabulary import acled_fixture

from incidentkit.cli import main


def run(*argv: str) -> Result:
    return CliRunner().invoke(main, list(argv))


def test_search_by_arabic_alias_as_json(tmp_path: Path) -> None:
    result = run("actors", "search", "داعش", "--country", "SY", "--date", "2020-01-01", "--json",
                 "--actors", str(tmp_path / "none.csv"))
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    names = [r["name"] for r in rows]
    assert "Islamic State (Syria)" in names
    assert all(r["country"] in ("SY", "") or "SY" in r["countries"] for r in rows)


def test_search_prints_one_line_per_actor(tmp_path: Path) -> None:
    result = run("actors", "search", "Taleban", "--country", "AF", "--actors", str(tmp_path / "none.csv"))
    assert result.exit_code == 0 and result.stdout.splitlines()[0].startswith("Taliban  [named inter 2 AF")


def test_search_periods_follow_the_date(tmp_path: Path) -> None:
    result = run("actors", "search", "Military Forces of Iraq", "--country", "IQ", "--date", "2019-05-01",
                 "--json", "--actors", str(tmp_path / "none.csv"))
    names = [r["name"] for r in json.loads(result.stdout)]
    assert "Military Forces of Iraq (2018-2020)" in names and "Military Forces of Iraq (2020-2022)" not in names


def test_bad_options_are_usage_errors(tmp_path: Path) -> None:
    assert run("actors", "search", "x", "--date", "2019-13-01").exit_code == 2
    assert run("actors", "search", "x", "--country", "Atlantis").exit_code == 2
    assert run("actors", "add", "X", "--inter", "9", "--country", "NG").exit_code == 2


def test_add_then_refuse_the_duplicate(tmp_path: Path) -> None:
    actors = tmp_path / "datasets" / "actors.csv"
    ok = run("actors", "add", "Comité d’autodéfense de Kidal", "--inter", "3", "--country", "ML",
             "--alias", "لجنة الدفاع الذاتي", "--source", "https://example.org/a", "--actors", str(actors))
    assert ok.exit_code == 0, ok.output
    text = actors.read_text(encoding="utf-8")
    assert "Comité d’autodéfense de Kidal" in text and "لجنة الدفاع الذاتي" in text
    again = run("actors", "add", "Comité d’autodéfense de Kidal", "--inter", "3", "--country", "ML",
                "--actors", str(actors))
    assert again.exit_code == 1 and "[actor-duplicate]" in again.stderr
    assert actors.read_text(encoding="utf-8") == text
    found = run("actors", "search", "لجنة الدفاع", "--country", "ML", "--json", "--actors", str(actors))
    assert json.loads(found.stdout)[0]["name"] == "Comité d’autodéfense de Kidal"


def test_a_bad_project_csv_is_a_located_error(tmp_path: Path) -> None:
    actors = tmp_path / "actors.csv"
    actors.write_text("name,inter,country\nA,3,NG\nB,eleven,NG\n", encoding="utf-8")
    result = run("actors", "search", "A", "--actors", str(actors))
    assert result.exit_code == 1
    assert f"{actors}:3:" in result.stderr and "[actors-file-invalid]" in result.stderr
    assert "Traceback" not in result.output
    added = run("actors", "add", "C", "--inter", "3", "--country", "NG", "--actors", str(actors))
    assert added.exit_code == 1 and f"{actors}:3:" in added.stderr
    assert actors.read_text(encoding="utf-8") == "name,inter,country\nA,3,NG\nB,eleven,NG\n"


def test_import_an_acled_export(tmp_path: Path) -> None:
    export = acled_fixture(tmp_path / "acled_export.csv")
    actors = tmp_path / "actors.csv"
    result = run("actors", "import", str(export), "--actors", str(actors))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("3 added, 4 already known, 0 skipped")
    assert "Hemvärnet Södertälje" in actors.read_text(encoding="utf-8")
    again = run("actors", "import", str(export), "--actors", str(actors))
    assert again.stdout.startswith("0 added, 7 already known")


def test_import_refuses_a_file_that_is_no_export(tmp_path: Path) -> None:
    other = tmp_path / "notes.csv"
    other.write_text("title,text\na,b\n", encoding="utf-8")
    result = run("actors", "import", str(other), "--actors", str(tmp_path / "actors.csv"))
    assert result.exit_code == 1 and "Traceback" not in result.output and "error:" in result.stderr
    assert not (tmp_path / "actors.csv").exists()


def test_import_never_overwrites_its_input(tmp_path: Path) -> None:
    export = acled_fixture(tmp_path / "acled_export.csv")
    before = export.read_bytes()
    result = run("actors", "import", str(export), "--actors", str(export))
    assert result.exit_code == 2 and export.read_bytes() == before


def test_import_of_a_ucdp_file_keeps_geds_side_names_out(tmp_path: Path) -> None:
    # GED's "Civilians", "Government of X" and the UCDP names of actors the vocabulary already has are
    # not new actors (a bare "Civilians" would then pass as actor1 anywhere)
    from incidentkit.actors.project import import_actors, read_project_actors

    ged = Path(__file__).parent / "data" / "reference" / "ucdp_ged_23_1_sample.csv"
    target = tmp_path / "actors.csv"
    result = import_actors(target, ged)
    names = {a.name for a in read_project_actors(target)} if target.exists() else set()
    assert result.known > 0 and not names & {"Civilians", "Government of Syria", "Government of Iraq", "IS"}
    assert len(names) == result.added
