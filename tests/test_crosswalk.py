"""The crosswalk table: CAMEO/PLOVER/GTD codes -> ACLED types, its rules, its errors and its command."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from click.testing import CliRunner

from incidentkit.cli import main
from incidentkit.codebook import vocab
from incidentkit.codebook.crosswalk import (
    SUB_EVENTS,
    load_crosswalk,
    shipped_paths,
    write_crosswalk,
)
from incidentkit.errors import InputFileError

HEADER = "scheme,code,event_type,sub_event_type,weight,note\n"


def table(tmp_path: Path, rows: str, name: str = "cw.csv") -> Path:
    p = tmp_path / name
    p.write_text(HEADER + rows, encoding="utf-8")
    return p


def test_every_shipped_row_names_a_codebook_type_and_every_file_is_one_scheme():
    cw = load_crosswalk()
    assert {"cameo"} <= set(cw.schemes)
    for path in shipped_paths():
        with open(path, encoding="utf-8") as fh:
            schemes = {r["scheme"] for r in csv.DictReader(fh)}
        assert schemes == {path.stem}, path
    for r in cw.rows:
        assert r.weight == 0 or vocab.SUB_EVENT_TYPES[r.sub_event_type] == r.event_type
        assert r.note, f"{r.source}:{r.line} has no note saying why"


@pytest.mark.parametrize("code, expected", [
    ("190", ("Battles", "Armed clash")),          # exact row, highest weight of three
    ("193", ("Battles", "Armed clash")),
    ("1951", ("Explosions/Remote violence", "Air/drone strike")),   # pattern 195*
    ("1831", ("Explosions/Remote violence", "Suicide bomb")),       # exact beats 183*
    ("1834", ("Explosions/Remote violence", "Remote explosive/landmine/IED")),
    ("1452", ("Riots", "Violent demonstration")),                    # 145* beats 14*
    ("141", ("Protests", "Peaceful protest")),
    ("173", ("Strategic developments", "Arrests")),
    ("0871", ("Strategic developments", "Agreement")),
    ("042", (None, None)),                                           # 0*: no ACLED event
    ("999", (None, None)),                                           # no row at all
])
def test_cameo_codes_map_by_exact_row_then_longest_pattern(code, expected):
    ev, sub = load_crosswalk().to_acled("cameo", pa.array([code]))
    assert (ev[0].as_py(), sub[0].as_py()) == expected


def test_to_acled_keeps_nulls_and_order_over_repeated_codes():
    ev, sub = load_crosswalk().to_acled("cameo", pa.array(["193", None, "173", "193", " 193 "]))
    assert sub.to_pylist() == ["Armed clash", None, "Arrests", "Armed clash", "Armed clash"]
    assert ev.to_pylist()[1] is None


def test_vectors_weigh_every_row_of_a_code_for_linking():
    cw = load_crosswalk()
    v = cw.vectors(["cameo:190", "plover", None, "cameo:042", "cameo:190"])
    assert v.shape == (5, len(SUB_EVENTS))
    assert v[0, SUB_EVENTS.index("Armed clash")] == 1.0
    assert v[0, SUB_EVENTS.index("Shelling/artillery/missile attack")] == pytest.approx(0.5)
    assert v[0, SUB_EVENTS.index("Air/drone strike")] == pytest.approx(0.4)
    assert not v[1].any() and not v[2].any() and not v[3].any()
    assert np.array_equal(v[0], v[4])


def test_an_edited_copy_round_trips_and_takes_effect(tmp_path):
    out = tmp_path / "mine.csv"
    n = write_crosswalk(out)
    assert n == len(load_crosswalk().rows)
    def content(cw):
        return [(r.scheme, r.code, r.event_type, r.sub_event_type, r.weight, r.note) for r in cw.rows]

    assert content(load_crosswalk(out)) == content(load_crosswalk())
    text = out.read_text(encoding="utf-8").replace("cameo,173,Strategic developments,Arrests,1,",
                                                   "cameo,173,Violence against civilians,Abduction/forced disappearance,1,")
    out.write_text(text, encoding="utf-8")
    _, sub = load_crosswalk(out).to_acled("cameo", pa.array(["173"]))
    assert sub[0].as_py() == "Abduction/forced disappearance"


@pytest.mark.parametrize("rows, line, column", [
    ("cameo,19*,Battles,Armed clas,1,x\n", 2, "sub_event_type"),
    ("cameo,19*,Riots,Armed clash,1,x\n", 2, "event_type"),
    ("cameo,19*,Battles,Armed clash,1.5,x\n", 2, "weight"),
    ("cameo,19*,Battles,Armed clash,high,x\n", 2, "weight"),
    ("cameo,1*9,Battles,Armed clash,1,x\n", 2, "code"),
    (",19*,Battles,Armed clash,1,x\n", 2, "scheme"),
    ("cameo,19*,,,0.5,x\n", 2, "weight"),
    ("cameo,19*,Battles,,1,x\n", 2, "sub_event_type"),
    ("cameo,190,Battles,Armed clash,1,x\ncameo,190,Battles,Armed clash,0.5,y\n", 3, "code"),
])
def test_a_bad_row_is_a_located_error(tmp_path, rows, line, column):
    p = table(tmp_path, rows)
    with pytest.raises(InputFileError) as info:
        load_crosswalk(p)
    assert info.value.code == "crosswalk-invalid"
    assert f"{p}:{line}: {column}:" in str(info.value)


def test_missing_column_and_non_utf8_are_located(tmp_path):
    p = tmp_path / "cw.csv"
    p.write_text("scheme,code,event_type,weight\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"cw.csv:1: sub_event_type: column 'sub_event_type' is missing"):
        load_crosswalk(p)
    p.write_bytes((HEADER + "cameo,19*,Battles,Armed clash,1,Malm\xf6\n").encode("latin-1"))
    with pytest.raises(InputFileError, match="not UTF-8"):
        load_crosswalk(p)


def test_command_writes_checks_and_explains(tmp_path):
    runner = CliRunner()
    out = tmp_path / "cw.csv"
    r = runner.invoke(main, ["crosswalk", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert out.exists() and "Wrote" in r.output
    r = runner.invoke(main, ["crosswalk", "--check", str(out), "--code", "cameo:190", "--code", "cameo:555"])
    assert r.exit_code == 0, r.output
    assert "rows valid" in r.output
    assert "cameo:190: Battles / Armed clash 1" in r.output
    assert "cameo:555: no row maps it" in r.output or "cameo:555: no ACLED event" in r.output
    bad = table(tmp_path, "cameo,19*,Battles,Armed clas,1,x\n", "bad.csv")
    r = runner.invoke(main, ["crosswalk", "--check", str(bad)])
    assert r.exit_code == 1 and "crosswalk-invalid" in r.output and "Traceback" not in r.output


def test_command_never_writes_over_the_table_it_reads(tmp_path):
    p = tmp_path / "cw.csv"
    write_crosswalk(p)
    before = p.read_bytes()
    r = CliRunner().invoke(main, ["crosswalk", "--check", str(p), "-o", str(p)])
    assert r.exit_code != 0 and p.read_bytes() == before


def _incident_and_events():
    import pandas as pd

    ours = pd.DataFrame({"id": ["A"], "date_start": ["2024-05-01"], "date_end": ["2024-05-01"], "time_precision": [1],
                         "event_type": ["Battles"], "sub_event_type": ["Armed clash"], "latitude": [36.2],
                         "longitude": [37.1], "geo_precision": [1], "fatalities_best": [3], "country": ["SY"],
                         "actor1": ["Military Forces of Syria (2000-2024)"], "actor2": ["Islamic State (Syria)"]})
    theirs = pd.DataFrame({"id": ["g1", "g2"], "date_start": ["2024-05-01", "2024-05-01"],
                           "date_end": ["2024-05-01", "2024-05-01"], "time_precision": [1, 1],
                           "event_type": [None, None], "sub_event_type": [None, None],
                           "event_code": ["cameo:190", "cameo:042"], "latitude": [36.21, 36.19],
                           "longitude": [37.11, 37.09], "geo_precision": [1, 1], "fatalities_best": [None, None],
                           "country": ["SY", "SY"], "dataset": ["gdelt", "gdelt"], "actor1": [None, None],
                           "actor2": [None, None]})
    return ours, theirs


def test_linking_scores_a_coded_row_through_every_crosswalk_row_of_its_code():
    from incidentkit.linking import link

    ours, theirs = _incident_and_events()
    result = link(ours, theirs, days=1, km=10)
    assert result.pairs["external_id"].tolist() == ["g1"]
    reason = result.pairs["reason"].iloc[0]
    assert "type 1.00 (compatible via the crosswalk)" in reason
    # our shelling meets CAMEO 190 at its 0.5 row, not at 0 and not at 1
    ours.loc[0, ["event_type", "sub_event_type"]] = ["Explosions/Remote violence", "Shelling/artillery/missile attack"]
    reason = link(ours, theirs, days=1, km=10, min_score=0).pairs.set_index("external_id").loc["g1", "reason"]
    assert "type 0.50 (compatible via the crosswalk)" in reason


def test_an_edited_crosswalk_changes_the_links_without_ingesting_again(tmp_path):
    from incidentkit.linking import link

    ours, theirs = _incident_and_events()
    mine = tmp_path / "mine.csv"
    write_crosswalk(mine)
    text = mine.read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("cameo,190,")) + "\n"
    mine.write_text(text + "cameo,190,Strategic developments,Arrests,1,edited: we read 190 as arrests\n",
                    encoding="utf-8")
    strict = link(ours, theirs, days=1, km=10, min_score=0, crosswalk=mine)
    reason = strict.pairs.set_index("external_id").loc["g1", "reason"]
    assert "type 0.00 (types incompatible)" in reason
    assert strict.summary["crosswalk"] == str(mine)


def test_rows_of_one_reported_event_link_together_and_never_count_as_only_theirs():
    """GDELT's many rows of one event (one event_group) go to the incident that links the first of them."""
    import pandas as pd

    from incidentkit.linking import link

    ours, theirs = _incident_and_events()
    rows = pd.concat([theirs.iloc[[0]]] * 4, ignore_index=True)
    rows["id"] = ["g1", "g2", "g3", "g4"]
    rows["event_group"] = [7, 7, 7, 8]
    rows.loc[3, ["latitude", "longitude"]] = [36.25, 37.15]  # another event, a few km away
    result = link(ours, rows, days=1, km=10)
    pairs = result.pairs.set_index("external_id")
    assert sorted(pairs.index) == ["g1", "g2", "g3"]
    assert pairs.loc["g1", "same_event_as"] is None
    assert pairs.loc["g2", "same_event_as"] == "g1" and pairs.loc["g3", "same_event_as"] == "g1"
    assert "another report of the same event as g1 (event_group)" in pairs.loc["g3", "reason"]
    assert result.summary["same_event_rows"] == 2 and result.summary["per_day_extra"] == 0
    assert result.only_theirs["id"].tolist() == ["g4"]
    assert "further reports of an event already linked" in result.summary_text()
    # without the marks, one incident takes one row: the others are only theirs
    plain = link(ours, rows.drop(columns="event_group"), days=1, km=10)
    assert len(plain.pairs) == 1 and len(plain.only_theirs) == 3


def test_link_command_takes_an_edited_crosswalk_and_never_writes_over_it(tmp_path):
    ours, theirs = _incident_and_events()
    ours.to_parquet(tmp_path / "ours.parquet")
    theirs.to_parquet(tmp_path / "theirs.parquet")
    mine = tmp_path / "mine.csv"
    write_crosswalk(mine)
    runner = CliRunner()
    out = tmp_path / "links.parquet"
    r = runner.invoke(main, ["link", str(tmp_path / "ours.parquet"), str(tmp_path / "theirs.parquet"), "-o", str(out),
                             "--days", "1", "--km", "10", "--crosswalk", str(mine), "--json"])
    assert r.exit_code == 0, r.output
    assert '"crosswalk": "' + str(mine) in r.output
    before = mine.read_bytes()
    r = runner.invoke(main, ["link", str(tmp_path / "ours.parquet"), str(tmp_path / "theirs.parquet"), "-o",
                             str(mine), "--crosswalk", str(mine)])
    assert r.exit_code == 2 and "output-is-input" in r.output
    assert mine.read_bytes() == before
    bad = table(tmp_path, "cameo,19*,Battles,Armed clas,1,x\n", "bad.csv")
    r = runner.invoke(main, ["link", str(tmp_path / "ours.parquet"), str(tmp_path / "theirs.parquet"), "-o", str(out),
                             "--crosswalk", str(bad)])
    assert r.exit_code == 1 and "bad.csv:2: sub_event_type:" in r.output
