"""Bad external files: a clear error naming file, line and column; exit 1; no output left behind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from incidentkit.cli import main
from incidentkit.external import ExternalFileError, ingest_acled, ingest_ucdp

DATA = Path(__file__).parent / "data" / "acled"
OLD = DATA / "acled_pre2023_export.csv"


def _cli_fails(args: list[str], out: Path) -> str:
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output
    assert not out.exists()
    assert not list(out.parent.glob(f".{out.name}.*"))  # no temporary file left either
    return res.output


def test_non_date_names_the_physical_line_after_multiline_notes(tmp_path: Path) -> None:
    bad = tmp_path / "bad_date.csv"
    # records 1 and 2 have notes spanning two lines each, so record 3 starts on line 6
    bad.write_text(OLD.read_text(encoding="utf-8").replace("3 February 2022", "3 Febtember 2022"), encoding="utf-8")
    with pytest.raises(ExternalFileError) as exc:
        ingest_acled(bad, tmp_path / "o.parquet", progress=False)
    p = exc.value.problem
    assert (p.path, p.line, p.field, p.value, p.code) == (str(bad), 6, "event_date", "3 Febtember 2022",
                                                          "external-bad-value")
    out = _cli_fails(["ingest", "acled", str(bad), "-o", str(tmp_path / "o.parquet")], tmp_path / "o.parquet")
    assert f"{bad}:6: event_date: '3 Febtember 2022' is not a date" in out


@pytest.mark.parametrize("cut", [2600, 3000])  # inside a quoted note / inside plain fields
def test_truncated_file(tmp_path: Path, cut: int) -> None:
    bad = tmp_path / "truncated.csv"
    bad.write_bytes(OLD.read_bytes()[:cut])
    with pytest.raises(ExternalFileError) as exc:
        ingest_acled(bad, tmp_path / "o.parquet", progress=False)
    p = exc.value.problem
    assert p.code == "external-truncated" and p.line is not None and p.line > 1
    assert p.field  # the first missing column is named
    _cli_fails(["ingest", "acled", str(bad), "-o", str(tmp_path / "o.parquet")], tmp_path / "o.parquet")


def test_wrong_delimiter(tmp_path: Path) -> None:
    bad = tmp_path / "semicolons.csv"
    bad.write_text(OLD.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    with pytest.raises(ExternalFileError) as exc:
        ingest_acled(bad, tmp_path / "o.parquet", progress=False)
    assert exc.value.problem.code == "external-delimiter" and exc.value.problem.line == 1
    assert "';'" in str(exc.value)


def test_missing_required_column(tmp_path: Path) -> None:
    bad = tmp_path / "no_fatalities.csv"
    bad.write_text(OLD.read_text(encoding="utf-8").replace(",fatalities,", ",deaths,", 1), encoding="utf-8")
    out = _cli_fails(["ingest", "acled", str(bad), "-o", str(tmp_path / "o.parquet")], tmp_path / "o.parquet")
    assert f"{bad}:1: fatalities: required column 'fatalities' is missing" in out


def test_unknown_actor_type_label(tmp_path: Path) -> None:
    src = (DATA / "acled_2024_labels_export.csv").read_text(encoding="utf-8")
    bad = tmp_path / "labels.csv"
    bad.write_text(src.replace(",Rebel group,QSD", ",Rebel groop,QSD", 1), encoding="utf-8")
    with pytest.raises(ExternalFileError) as exc:
        ingest_acled(bad, tmp_path / "o.parquet", progress=False)
    assert (exc.value.problem.line, exc.value.problem.field, exc.value.problem.value) == (2, "inter1", "Rebel groop")


def test_a_failed_second_file_leaves_no_output(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(OLD.read_text(encoding="utf-8").replace("36.4876", "north", 1), encoding="utf-8")
    out = tmp_path / "o.parquet"
    text = _cli_fails(["ingest", "acled", str(DATA / "acled_2023_api.csv"), str(bad), "-o", str(out)], out)
    assert f"{bad}:2: latitude: 'north' is not a number" in text


def test_bad_json(tmp_path: Path) -> None:
    bad = tmp_path / "api.json"
    bad.write_text(json.dumps({"status": 200, "data": "nope"}), encoding="utf-8")
    with pytest.raises(ExternalFileError) as exc:
        ingest_acled(bad, tmp_path / "o.parquet", progress=False)
    assert exc.value.problem.code == "external-bad-json"
    broken = tmp_path / "broken.json"
    broken.write_text('{"status": 200,\n "data": [\n', encoding="utf-8")
    with pytest.raises(ExternalFileError) as exc:
        ingest_acled(broken, tmp_path / "o.parquet", progress=False)
    assert exc.value.problem.line == 3


def test_json_bad_value_names_the_record(tmp_path: Path) -> None:
    doc = json.loads((DATA / "acled_api.json").read_text(encoding="utf-8"))
    doc["data"][3]["event_date"] = "yesterday"
    bad = tmp_path / "api.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ExternalFileError, match=r"event_date: 'yesterday' is not a date .*\(record 4\)"):
        ingest_acled(bad, tmp_path / "o.parquet", progress=False)


def test_ucdp_date_end_before_start(tmp_path: Path) -> None:
    src = (Path(__file__).parent / "data" / "ucdp" / "ged_quirks.csv").read_text(encoding="utf-8")
    bad = tmp_path / "ged.csv"
    bad.write_text(src.replace("2014-06-09,2014-06-14", "2014-06-09,2014-06-01"), encoding="utf-8")
    with pytest.raises(ExternalFileError) as exc:
        ingest_ucdp(bad, tmp_path / "o.parquet", progress=False)
    assert (exc.value.problem.line, exc.value.problem.field) == (5, "date_end")


def test_missing_file_and_existing_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "o.parquet"
    out.write_bytes(b"previous")
    res = CliRunner().invoke(main, ["ingest", "ucdp", str(tmp_path / "nope.csv"), "-o", str(out)])
    assert res.exit_code == 2 and "does not exist" in res.output  # a missing path is a usage error
    assert out.read_bytes() == b"previous"
