"""Aligning coders' incidents, the agreement report, `incidentkit agree`, and the demo double coding."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

import incidentkit
from incidentkit.cli import main
from incidentkit.errors import InvalidRecordsError, UsageError
from incidentkit.reliability import agreement, align, load_coders, pair_score
from incidentkit.reliability.alpha import krippendorff_alpha

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "datasets" / "coded-reliability"


def incident(id_: str, **over: Any) -> dict[str, Any]:
    base = {
        "id": id_, "date_start": "2022-01-20", "time_precision": 1, "event_type": "Battles",
        "sub_event_type": "Armed clash", "actor1": "Islamic State (Syria)", "inter1": 2,
        "actor2": "QSD: Syrian Democratic Forces", "inter2": 2, "country": "SY", "admin1": "al-Hasakah",
        "location": "Ghwayran prison, al-Hasakah", "fatalities": 10, "notes": "Fighting at the prison.",
    }
    base.update(over)
    return base


def write_record(folder: Path, source_id: str, coder: str, incidents: list[dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    doc = {"source": {"id": source_id, "outlet": "SVT", "title": "Rapport", "published": "2022-01-25",
                      "language": "sv"},
           "coder": coder, "coded_on": "2026-11-25", "incidents": incidents}
    path = folder / f"{source_id}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_pair_score_reflects_date_place_and_type():
    a = {"country": "SY", "date_start": _d("2022-01-20"), "date_end": _d("2022-01-21"), "location": "al-Hasakah",
         "admin1": "al-Hasakah", "event_type": "Battles", "sub_event_type": "Armed clash"}
    same = dict(a, location="Ghwayran prison, al-Hasakah", date_start=_d("2022-01-21"))
    assert pair_score(a, same) == pytest.approx(1.0)
    other_sub = dict(a, sub_event_type="Government regains territory")
    assert pair_score(a, other_sub) < pair_score(a, same)
    later = dict(a, date_start=_d("2022-01-23"), date_end=_d("2022-01-23"))      # 2 days after the range
    assert pair_score(a, later) < pair_score(a, same)
    assert pair_score(a, dict(a, date_start=_d("2022-01-26"), date_end=_d("2022-01-26"))) is None
    assert pair_score(a, dict(a, country="IQ")) is None
    # coordinates, when both have them, decide the place and bound the search
    pa = dict(a, latitude=36.47, longitude=40.73)
    assert pair_score(pa, dict(pa, latitude=36.48)) > pair_score(pa, dict(pa, latitude=36.70))
    assert pair_score(pa, dict(pa, latitude=37.5)) is None


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_alignment_is_one_to_one_and_reports_split(tmp_path):
    a = [incident("r1-a-01", fatalities=10, evidence=[{"field": "fatalities", "quote": "tio dödades"}]),
         incident("r1-a-02", date_start="2022-01-21", event_type="Explosions/Remote violence",
                  sub_event_type="Air/drone strike", actor1="Global Coalition Against Daesh", inter1=8,
                  actor2="Islamic State (Syria)", inter2=2),
         incident("r1-a-03", date_start="2022-01-22", event_type="Strategic developments",
                  sub_event_type="Arrests", actor1="QSD: Syrian Democratic Forces", actor2=None, inter2=None,
                  location="al-Hasakah", fatalities=0)]
    b = [incident("r1-b-02", date_start="2022-01-21", event_type="Explosions/Remote violence",
                  sub_event_type="Air/drone strike", actor1="Military Forces of the United States (2021-)",
                  inter1=8, actor2="Islamic State (Syria)", inter2=2, location="al-Hasakah",
                  evidence=[{"field": "actor1", "quote": "USA-ledda koalitionen"}]),
         incident("r1-b-01", fatalities=12, evidence=[{"field": "fatalities", "quote": "ett tiotal dödades"}])]
    write_record(tmp_path / "a", "r1", "aa", a)
    write_record(tmp_path / "b", "r1", "bb", b)
    # a second source coded by both, split identically
    write_record(tmp_path / "a", "r2", "aa", [incident("r2-a-01", country="IQ", admin1="Diyala",
                                                       location="al-Azim, Diyala", actor1="Islamic State (Iraq)",
                                                       actor2="Military Forces of Iraq (2020-2022)", inter2=1)])
    write_record(tmp_path / "b", "r2", "bb", [incident("r2-b-01", country="IQ", admin1="Diyala", location="Diyala",
                                                       actor1="Islamic State (Iraq)",
                                                       actor2="Military Forces of Iraq (2020-2022)", inter2=1)])
    # a source only coder a coded is left out of the comparison
    write_record(tmp_path / "a", "r3", "aa", [incident("r3-a-01")])

    res = agreement(tmp_path / "a", tmp_path / "b", n_boot=50, geocode=False)
    units = {tuple(sorted(r["id"] for r in u.members.values())) for u in res.alignment.units}
    assert ("r1-a-01", "r1-b-01") in units and ("r1-a-02", "r1-b-02") in units
    assert ("r1-a-03",) in units and ("r2-a-01", "r2-b-01") in units
    s = res.split
    assert s["sources_double_coded"] == 2 and s["sources_single_coded"] == 1
    assert s["sources_same_split"] == 1 and s["share_same_split"] == 0.5
    assert s["only"] == {"aa": 1, "bb": 0}
    assert s["incidents_per_source"]["r1"] == {"aa": 3, "bb": 2}

    table = res.table.set_index("field")
    assert table.loc["actor1", "units"] == 3
    # alpha over the aligned units, computed independently from the coded values
    actor1 = [["Islamic State (Syria)", "Global Coalition Against Daesh", "Islamic State (Iraq)"],
              ["Islamic State (Syria)", "Military Forces of the United States (2021-)", "Islamic State (Iraq)"]]
    assert table.loc["actor1", "alpha"] == pytest.approx(krippendorff_alpha(actor1, "nominal"), abs=1e-12)
    assert table.loc["actor1", "agreement"] == pytest.approx(2 / 3)
    assert table.loc["fatalities_best", "mean_abs_diff"] == pytest.approx(2 / 3)    # |10-12|, 0, 0
    assert table.loc["point", "units"] == 0 and math.isnan(table.loc["point", "mean_abs_diff"])
    # geocoded as the build would place them, the coders' points can be compared: "al-Azim, Diyala" and
    # "Diyala" both fall back to Diyala's capital, so that pair is 0 km apart
    geo = agreement(tmp_path / "a", tmp_path / "b", n_boot=0).table.set_index("field")
    # geocoded as the build does: the two al-Hasakah units coincide; in Diyala one coder named the village
    # (al-Azim, precision 1) and the other the province (its point, precision 3), still one unit
    from incidentkit.build import default_geocoder
    from incidentkit.matching import haversine_km

    gc = default_geocoder(None)
    village, province = gc.geocode("al-Azim, Diyala", "IQ", "Diyala"), gc.geocode("Diyala", "IQ", "Diyala")
    assert village.found and province.found and province.geo_precision == 3
    apart = float(haversine_km(village.latitude, village.longitude, province.latitude, province.longitude))
    assert geo.loc["point", "units"] == 3 and geo.loc["point", "mean_abs_diff"] == pytest.approx(apart / 3)

    d = res.disagreements
    fat = d[d.field == "fatalities_best"].iloc[0]
    assert (fat.value_a, fat.value_b) == (10, 12)
    assert (fat.evidence_a, fat.evidence_b) == ("tio dödades", "ett tiotal dödades")
    assert fat.where_a.endswith("r1.yaml:" + fat.where_a.rsplit(":", 1)[1]) and fat.incident_b == "r1-b-01"
    act = d[d.field == "actor1"].iloc[0]
    assert act.value_b == "Military Forces of the United States (2021-)" and act.evidence_b == "USA-ledda koalitionen"
    only = d[d.field == "incident"]
    assert list(only.incident_a) == ["r1-a-03"] and only.incident_b.isna().all()
    assert "Arrests" in only.value_a.iloc[0]
    # r2: location text differs but that is no coded field disagreement; r3 was coded once
    assert set(d.source_id) == {"r1"}


def test_coordinates_give_km_between_coders(tmp_path):
    write_record(tmp_path / "a", "s1", "aa", [incident("s1-a", latitude=36.4667, longitude=40.7333)])
    write_record(tmp_path / "b", "s1", "bb", [incident("s1-b", latitude=36.5000, longitude=40.7500)])
    res = agreement(tmp_path / "a", tmp_path / "b", n_boot=0)
    point = res.table.set_index("field").loc["point"]
    assert point["units"] == 1
    assert point["mean_abs_diff"] == pytest.approx(3.99, abs=0.05)     # about 4 km apart
    assert "point" in set(res.disagreements.field)


def test_three_coders_align_to_common_units(tmp_path):
    for coder in ("aa", "bb", "cc"):
        day = "2022-01-21" if coder == "cc" else "2022-01-20"
        write_record(tmp_path / coder, "s1", coder, [
            incident(f"s1-{coder}-1", date_start=day),
            incident(f"s1-{coder}-2", country="IQ", admin1="Diyala", location="Diyala",
                     actor1="Islamic State (Iraq)", actor2="Military Forces of Iraq (2020-2022)", inter2=1)])
    res = agreement(tmp_path / "aa", tmp_path / "bb", tmp_path / "cc", n_boot=0)
    assert len(res.alignment.units) == 2 and all(len(u.members) == 3 for u in res.alignment.units)
    assert res.split["share_same_split"] == 1.0
    dates = res.disagreements[res.disagreements.field == "date_start"]
    assert sorted(zip(dates.coder_a, dates.coder_b)) == [("aa", "cc"), ("bb", "cc")]


def test_invalid_and_doubly_coded_records_are_clear_errors(tmp_path):
    bad = write_record(tmp_path / "a", "s1", "aa", [incident("s1-a", sub_event_type="Arrests")])
    write_record(tmp_path / "b", "s1", "bb", [incident("s1-b")])
    with pytest.raises(InvalidRecordsError) as exc:
        agreement(tmp_path / "a", tmp_path / "b")
    p = exc.value.problems[0]
    assert p.code == "sub-event-mismatch" and p.path == str(bad) and p.line is not None

    result = CliRunner().invoke(main, ["agree", str(tmp_path / "a"), str(tmp_path / "b")])
    assert result.exit_code == 1
    assert f"{bad}:" in result.output and "[sub-event-mismatch]" in result.output
    assert "Traceback" not in result.output

    # the same coder coding one source twice cannot be compared
    write_record(tmp_path / "c", "s1", "aa", [incident("s1-c")])
    write_record(tmp_path / "d", "s1", "aa", [incident("s1-d")])
    with pytest.raises(InvalidRecordsError) as exc:
        load_coders(tmp_path / "c", tmp_path / "d")
    assert exc.value.problems[0].code == "reliability-duplicate-coding"
    # one path is the command line's fault (2); two paths whose records name one coder are the data's (1)
    assert CliRunner().invoke(main, ["agree", str(tmp_path / "c")]).exit_code == 2
    with pytest.raises(InvalidRecordsError, match="the records name aa") as exc:
        load_coders(tmp_path / "c")
    assert exc.value.code == "reliability-too-few-coders"


def _line_of(path: Path, start: str) -> int:
    return next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text.startswith(start))


def test_one_coder_in_two_paths_is_bad_data_at_the_coder_line(tmp_path):
    first = write_record(tmp_path / "a", "s1", "aa", [incident("s1-a")])
    second = write_record(tmp_path / "b", "s2", "aa", [incident("s2-b")])
    result = CliRunner().invoke(main, ["agree", str(tmp_path / "a"), str(tmp_path / "b")])
    assert result.exit_code == 1, result.output
    assert "agreement needs at least two coders; the records name aa" in result.output
    for path in (first, second):
        assert f"{path}:{_line_of(path, 'coder:')}: coder: " in result.output
    assert "[reliability-too-few-coders]" in result.output and "Traceback" not in result.output


def test_duplicate_coding_points_at_the_coder_line(tmp_path):
    write_record(tmp_path / "c", "s1", "aa", [incident("s1-c")])
    # the second coding: a comment and the incidents first, so the coder line is not the incident's line
    second = tmp_path / "d" / "s1.yaml"
    second.parent.mkdir()
    text = write_record(tmp_path / "tmp", "s1", "aa", [incident("s1-d")]).read_text(encoding="utf-8")
    second.write_text("# second coding\n" + text, encoding="utf-8")
    with pytest.raises(InvalidRecordsError) as exc:
        load_coders(tmp_path / "c", tmp_path / "d")
    p = exc.value.problems[0]
    assert p.code == "reliability-duplicate-coding" and p.field == "coder"
    assert p.path == second.as_posix() and p.line == _line_of(second, "coder:")
    first = tmp_path / "c" / "s1.yaml"
    assert f"{first.as_posix()}:{_line_of(first, 'coder:')}" in p.message
    result = CliRunner().invoke(main, ["agree", str(tmp_path / "c"), str(tmp_path / "d")])
    assert result.exit_code == 1
    assert f"{second.as_posix()}:{_line_of(second, 'coder:')}: coder: " in result.output


def test_demo_double_coding_cli_text_json_and_csv(tmp_path):
    runner = CliRunner()
    out = tmp_path / "review.csv"
    text = runner.invoke(main, ["agree", str(DEMO / "ik"), str(DEMO / "mh"), "--disagreements", str(out),
                                "--bootstrap", "200"])
    assert text.exit_code == 0, text.output
    assert "coders ik, mh" in text.output and "fatalities_best" in text.output
    js = runner.invoke(main, ["agree", str(DEMO / "ik"), str(DEMO / "mh"), "--json", "--bootstrap", "200"])
    data = json.loads(js.stdout)      # stdout only: a slow step may note its progress on stderr
    again = runner.invoke(main, ["agree", str(DEMO / "ik"), str(DEMO / "mh"), "--json", "--bootstrap", "200"])
    assert js.stdout == again.stdout                             # deterministic, seed included
    assert data["coders"] == ["ik", "mh"]
    # the two codings split the report differently: mh codes the car bomb apart, ik codes the arrests
    assert data["split"]["only"] == {"ik": 1, "mh": 1} and data["split"]["sources_same_split"] == 0
    fields = {f["field"]: f for f in data["fields"]}
    assert fields["event_type"]["alpha"] == 1.0
    assert fields["actor1"]["alpha"] < 1.0
    # ik left precision to the geocoder; geocoded as the build would, it can be compared with mh's codes
    assert fields["geo_precision"]["units"] == 3 and fields["geo_precision"]["alpha"] is not None
    raw = json.loads(runner.invoke(main, ["agree", str(DEMO / "ik"), str(DEMO / "mh"), "--json", "--bootstrap",
                                          "0", "--no-geocode"]).stdout)
    assert {f["field"]: f for f in raw["fields"]}["geo_precision"]["alpha"] is None
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(data["disagreements"])
    strike = next(r for r in rows if r["field"] == "date_start")
    # both read the same sentence ("since yesterday") and dated the air strikes differently
    assert strike["value_a"] == "2022-01-21" and strike["value_b"] == "2022-01-20"
    assert strike["evidence_a"] == strike["evidence_b"] == "Sedan igår har det varit bombningar och stridsflyg i luften"
    assert "närmare 40" in next(r for r in rows if r["field"] == "fatalities_best")["evidence_b"]


def test_demo_ik_coding_is_the_main_coding():
    assert (DEMO / "ik" / "svt-2022-01-21-hasakah.yaml").read_bytes() == \
        (REPO / "datasets" / "coded" / "svt-2022-01-21-hasakah.yaml").read_bytes()
    assert incidentkit.validate(DEMO / "mh").ok


def test_main_build_ignores_the_reliability_folders(tmp_path, monkeypatch):
    """`incidentkit build` with its defaults reads datasets/coded only, never datasets/coded-reliability."""
    project = tmp_path / "project"
    shutil.copytree(REPO / "datasets" / "coded", project / "datasets" / "coded")
    shutil.copytree(DEMO, project / "datasets" / "coded-reliability")
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["build", "--no-geocode", "--no-exports", "--json"])
    assert result.exit_code == 0, result.output
    table = incidentkit.read_table(project / "datasets")
    assert set(table.column("coder").to_pylist()) == {"ik"}
    assert not any("-mh-" in i for i in table.column("id").to_pylist())
    main_ids = [r["id"] for r in incidentkit.validate(REPO / "datasets" / "coded").rows]
    assert sorted(table.column("id").to_pylist()) == sorted(main_ids)


def test_coders_without_a_common_source_have_nothing_to_compare(tmp_path):
    write_record(tmp_path / "a", "s1", "aa", [incident("s1-a")])
    write_record(tmp_path / "b", "s2", "bb", [incident("s2-b")])
    res = agreement(tmp_path / "a", tmp_path / "b", n_boot=10)
    assert res.split["sources_double_coded"] == 0 and res.split["share_same_split"] is None
    assert res.table["units"].eq(0).all() and res.table["alpha"].isna().all()
    assert res.disagreements.empty
    assert json.loads(res.to_json())["fields"][0]["alpha"] is None


# -- agree places incidents as build does: the project's gazetteer folder -------------------------------
GEO_DATA = REPO / "tests" / "data" / "geocode"
KAFR_TESTA = (35.70, 36.60)      # only tests/data/geocode/user_villages.csv knows this village


def _village_records(folder: Path) -> tuple[Path, Path]:
    """Two coders who coded the same village and left its coordinates to the geocoder."""
    for coder in ("aa", "bb"):
        write_record(folder / coder, "s1", coder, [
            incident(f"s1-{coder}", admin1="Idlib", location="Kafr Testa", fatalities=3 if coder == "aa" else 4)])
    return folder / "aa", folder / "bb"


@pytest.fixture
def village_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project as a user lays it out: datasets/gazetteer with the shipped supplement and a user gazetteer
    added by `incidentkit gazetteer add`, and the coders' records beside it.

    Its gazetteer index gets a cache folder of its own: the cache keeps one index, and sharing it with the
    tests that use the repository's gazetteer would rebuild it (a minute) on every switch."""
    monkeypatch.setenv("INCIDENTKIT_CACHE_DIR", str(REPO / ".pytest_cache" / "incidentkit-village-project"))
    project = tmp_path / "project"
    gaz = project / "datasets" / "gazetteer"
    gaz.mkdir(parents=True)
    shutil.copy(REPO / "datasets" / "gazetteer" / "supplement.csv", gaz)
    added = CliRunner().invoke(main, ["gazetteer", "add", str(GEO_DATA / "user_villages.csv"), "--to", str(gaz)])
    assert added.exit_code == 0, added.output
    _village_records(project / "reliability")
    return project


def test_without_the_project_gazetteer_the_village_is_not_placed(tmp_path: Path, monkeypatch) -> None:
    """The control for the two tests below: the repository's own datasets/gazetteer lacks the village, so
    it is placed only at its coded province's capital (geo_source admin-fallback, geo_precision 3)."""
    monkeypatch.chdir(REPO)
    a, b = _village_records(tmp_path)
    res = agreement(a, b, n_boot=0)
    assert res.places == {"geocoded": True, "gazetteer_dir": "datasets/gazetteer", "placed": 2, "unplaced": 0}
    rows = [r for rs in load_coders(a, b).values() for r in rs]  # geocoded as agreement does
    assert {(r["geo_source"], r["geo_precision"]) for r in rows} == {("admin-fallback", 3)}
    assert {(r["latitude"], r["longitude"]) for r in rows} != {KAFR_TESTA}


def test_agree_uses_the_project_gazetteer_folder_by_default(village_project: Path, monkeypatch) -> None:
    monkeypatch.chdir(village_project)
    a, b = Path("reliability/aa"), Path("reliability/bb")
    res = CliRunner().invoke(main, ["agree", str(a), str(b), "--json", "--bootstrap", "0"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)     # stdout only: building the gazetteer index notes its progress on stderr
    assert data["places"] == {"geocoded": True, "gazetteer_dir": "datasets/gazetteer", "placed": 2, "unplaced": 0}
    point = {f["field"]: f for f in data["fields"]}["point"]
    assert point["units"] == 1 and point["mean_abs_diff"] == pytest.approx(0.0, abs=1e-9)
    text = CliRunner().invoke(main, ["agree", str(a), str(b), "--bootstrap", "0"])
    assert "Places: geocoded as the build does (embedded gazetteer + datasets/gazetteer); 2 incident(s) placed, " \
           "0 left without a point" in text.stdout

    # the very point build gives the same records with its defaults (datasets/gazetteer)
    rows = load_coders(a, b)
    built = incidentkit.build(a, Path("datasets"), exports=False).table.to_pylist()
    assert [(r["latitude"], r["longitude"]) for r in built] == [KAFR_TESTA]
    assert {(r["latitude"], r["longitude"]) for rs in rows.values() for r in rs} == {KAFR_TESTA}


def test_agree_gazetteer_dir_option(village_project: Path, tmp_path: Path, monkeypatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)             # no datasets/gazetteer here: only the option can find it
    a, b = village_project / "reliability" / "aa", village_project / "reliability" / "bb"
    gaz = village_project / "datasets" / "gazetteer"
    res = CliRunner().invoke(main, ["agree", str(a), str(b), "--json", "--bootstrap", "0", "--gazetteer-dir", str(gaz)])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["places"]["placed"] == 2 and data["places"]["gazetteer_dir"] == gaz.as_posix()
    assert {f["field"]: f for f in data["fields"]}["point"]["units"] == 1

    # a mistyped folder is a usage error, as in build, not a silent "not found" for every village
    typo = tmp_path / "gazeteer"
    missing = CliRunner().invoke(main, ["agree", str(a), str(b), "--gazetteer-dir", str(typo)])
    assert missing.exit_code == 2
    assert "--gazetteer-dir" in missing.output and str(typo) in missing.output and "Traceback" not in missing.output
    with pytest.raises(UsageError, match="gazeteer: no such gazetteer folder"):
        agreement(a, b, gazetteer_dir=typo)
    nogeo = CliRunner().invoke(main, ["agree", str(a), str(b), "--no-geocode", "--bootstrap", "0"])
    assert nogeo.exit_code == 0 and "Places: as the coders wrote them (--no-geocode)" in nogeo.stdout


def test_build_and_agree_resolve_the_gazetteer_folder_by_one_rule(tmp_path: Path) -> None:
    from incidentkit.build import DEFAULT_OUT, project_gazetteer_dir

    assert project_gazetteer_dir(tmp_path / "out", None) == tmp_path / "out" / "gazetteer"   # may be absent
    assert project_gazetteer_dir(DEFAULT_OUT, None) == Path("datasets") / "gazetteer"       # agree's default
    assert project_gazetteer_dir(tmp_path / "out", tmp_path) == tmp_path
    typo = tmp_path / "gazeteer"
    with pytest.raises(UsageError, match="gazeteer: no such gazetteer folder"):
        project_gazetteer_dir(tmp_path / "out", typo)
    # build refuses the typo too, before writing anything (it used to fall back to the embedded gazetteer)
    coded = tmp_path / "coded"
    write_record(coded, "s1", "aa", [incident("s1-a")])
    with pytest.raises(UsageError, match="no such gazetteer folder"):
        incidentkit.build(coded, tmp_path / "ds", gazetteer_dir=typo)
    assert not (tmp_path / "ds").exists()
