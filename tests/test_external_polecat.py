"""POLECAT ingest (issue 16, point 2) on fixtures in the Dataverse files' layout
(tests/data/polecat/make_fixtures.py): stray trailing tabs, unescaped quotes, "None", ";" lists."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from incidentkit.cli import main
from incidentkit.codebook.schema import incident_schema
from incidentkit.external import ExternalFileError, _stream, read_events
from incidentkit.external.polecat import COLUMNS, feature_precision, ingest_polecat
from incidentkit.external.schema import SHARED_COLUMNS

DATA = Path(__file__).parent / "data" / "polecat"
W603 = DATA / "ngecEvents.20230103111842.Release603.DV.txt"
W604 = DATA / "ngecEvents.20230110120000.Release604.DV.txt"
Y2022 = DATA / "ngecEventsDV-2022.txt.zip"


def raw_rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, Path, str]:
    out = tmp_path_factory.mktemp("polecat") / "polecat.parquet"
    res = CliRunner().invoke(main, ["ingest", "polecat", str(DATA), "-o", str(out), "--no-progress"])
    assert res.exit_code == 0, res.output
    return read_events(out).set_index("id", drop=False), out, res.output


def test_every_file_and_row_of_a_folder(folder: tuple) -> None:
    df, _, output = folder
    assert f"{W603}: 8 events" in output and f"{W604}: 3 events" in output
    assert f"{Y2022}[ngecEventsDV-2022-Dec.txt]: 2 events" in output
    assert len(df) == 13 and (df["dataset"] == "polecat").all()
    assert df["id"].tolist()[:8] == [r[0] for r in raw_rows(W603)[1:]]


def test_the_published_layout_is_the_reader_layout() -> None:
    assert tuple(raw_rows(W603)[0]) == COLUMNS


def test_stray_trailing_tabs_are_read(folder: tuple) -> None:
    rows = raw_rows(W603)
    assert {len(r) for r in rows[1:]} == {40, 41, 42}  # the fixture has rows with 0, 1 and 2 stray tabs
    assert raw_rows(W604)[0][-1] == ""  # and a header ending in a tab
    df = folder[0]
    assert df.loc["20230103-0002-b7", "polecat_version"] == "1.1"  # the last real column, not a stray one
    assert df.loc["20230110-0001-k1", "polecat_version"] == "1.2"
    assert df.loc["20230110-0001-k1", "polecat_intensity"] == -9.0  # "Event Intensity" of a later release


def test_the_fast_path_and_the_line_path_give_the_same_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from incidentkit.external import polecat

    clean = tmp_path / "clean.txt"  # no stray tabs: the engine splits the fields itself (one parse)
    clean.write_text("\n".join(line.rstrip("\t") for line in W603.read_text(encoding="utf-8").splitlines()) + "\n",
                     encoding="utf-8")
    assert not polecat._open(clean, None).by_line and polecat._open(W604, None).by_line
    fast, by_line, retried = tmp_path / "fast.parquet", tmp_path / "lines.parquet", tmp_path / "retried.parquet"
    ingest_polecat(clean, fast, progress=False)
    ingest_polecat(W603, retried, progress=False)  # stray tabs found by the fast path: read again line by line
    opened = polecat._open
    monkeypatch.setattr(polecat, "_open", lambda path, member: polecat.as_lines(opened(path, member)))
    ingest_polecat(clean, by_line, progress=False)
    assert pq.read_table(fast).equals(pq.read_table(by_line))
    assert pq.read_table(fast).drop_columns([]).equals(pq.read_table(retried))


def test_plover_type_and_mode_as_event_code_through_the_crosswalk(folder: tuple) -> None:
    df = folder[0]
    r = df.loc["20230103-0001-a1"]
    assert (r["event_code"], r["event_type"], r["sub_event_type"]) == ("plover:ASSAULT/firearms", "Battles",
                                                                       "Armed clash")
    assert df.loc["20230103-0004-d9", "sub_event_type"] == "Air/drone strike"
    assert df.loc["20230103-0003-c2", "sub_event_type"] == "Arrests"
    assert df.loc["20230110-0002-k2", "sub_event_type"] == "Agreement"
    assert df.loc["20230103-0007-g5", "event_code"] == "plover:PROTEST/"  # no mode ("None")
    assert df.loc["20230103-0007-g5", "sub_event_type"] == "Peaceful protest"
    beat = df.loc["20230103-0006-f1"]
    assert beat["event_code"] == "plover:ASSAULT/beat" and list(beat["polecat_event_modes"]) == ["beat", "primitive"]
    consult = df.loc["20230103-0005-e4"]
    assert pd.isna(consult["event_type"]) and "plover_unmapped" in consult["quality_flags"]


def test_lists_none_and_unescaped_quotes(folder: tuple) -> None:
    df = folder[0]
    r = df.loc["20230103-0001-a1"]
    assert r["actor1"] == "Russia" and list(r["assoc_actor_1"]) == ["Wagner Group"]
    assert "compound_actor" in r["quality_flags"]
    assert list(r["polecat_actor_country"]) == ["RUS", "RUS"] and list(r["polecat_contexts"]) == ["military",
                                                                                                   "territory"]
    assert r["polecat_story_locations"] == "Bakhmut;Donetsk" and r["polecat_actor_cow"] == "365;365"  # as written
    assert pd.isna(r["polecat_story_people"]) and pd.isna(r["polecat_actor_title"])  # "None"
    assert df.loc["20230103-0002-b7", "polecat_actor_title"] == '"manifestants" de l\'Ouest'
    assert df.loc["20230103-0004-d9", "polecat_actor_name_raw"] == 'قوات "النظام'
    assert pd.isna(df.loc["20230103-0008-h3", "actor2"])


def test_precision_from_the_geonames_feature_code(folder: tuple) -> None:
    df = folder[0]

    def prec(i: str) -> tuple[int, int]:
        return int(df.loc[i, "geo_precision"]), int(df.loc[i, "where_prec"])

    assert prec("20230103-0001-a1") == (1, 1)       # PPLA2
    assert prec("20230103-0004-d9") == (3, 4)       # ADM1
    assert prec("20230110-0001-k1") == (2, 3)       # ADM2
    assert prec("20230103-0008-h3") == (2, 2)       # an airport: near a named place
    assert prec("20230103-0006-f1") == (1, 1)       # no feature code: the city is filled
    country = df.loc["20230103-0005-e4"]            # PCLI: the country's centroid, no point
    assert (int(country["geo_precision"]), int(country["where_prec"])) == (3, 6)
    assert pd.isna(country["latitude"]) and "country_only" in country["quality_flags"]
    assert feature_precision("PPLC") == 11 and feature_precision("pcli") == 36


def test_countries_dates_and_places(folder: tuple) -> None:
    df = folder[0]
    r = df.loc["20230103-0001-a1"]
    assert (r["country"], r["polecat_country"]) == ("UA", "UKR")
    assert (r["location"], r["admin1"], r["admin2"]) == ("Bakhmut", "Donetsk Oblast", "Bakhmut Raion")
    assert (r["latitude"], r["longitude"], r["polecat_geonames_id"]) == (48.59441, 38.00014, 712451)
    assert r["date_start"] == r["date_end"] == pd.Timestamp("2023-01-02") and r["time_precision"] == 1
    assert r["source_outlet"] == "Kyiv Independent" and r["polecat_publication_date"] == "2023-01-03"
    assert df["fatalities_best"].isna().all()
    none = df.loc["20230103-0007-g5"]
    assert pd.isna(none["country"]) and pd.isna(none["latitude"]) and "no_coordinates" in none["quality_flags"]


def test_unicode_names_round_trip_exactly(folder: tuple) -> None:
    df = folder[0]
    names = set(df["actor1"].dropna()) | set(df["actor2"].dropna()) | set(df["location"].dropna())
    assert {"القوات الجوية السورية", "Åsa Öberg", "Gouvernement français", "Forces armées maliennes",
            "Saint-Étienne", "الخرطوم", "Aéroport de Tombouctou"} <= names
    raw = {r[0]: r for r in raw_rows(W603)[1:]}
    for i, row in raw.items():
        assert df.loc[i, "polecat_raw_placename"] == (None if row[31] == "None" else row[31]) or \
            pd.isna(df.loc[i, "polecat_raw_placename"])
        assert df.loc[i, "actor1"] == row[7].split(";")[0]


def test_shared_columns_have_incident_types(folder: tuple) -> None:
    schema = pq.read_schema(folder[1])
    for name in SHARED_COLUMNS:
        assert schema.field(name).type == incident_schema().field(name).type


def test_unknown_column_kept_as_text(tmp_path: Path) -> None:
    lines = W603.read_text(encoding="utf-8").splitlines()
    extra = [lines[0] + "\tSentence Text"] + [line.rstrip("\t") + f"\tphrase «{k}»" for k, line in
                                              enumerate(lines[1:])]
    src = tmp_path / "week.txt"
    src.write_text("\n".join(extra) + "\n", encoding="utf-8")
    out = tmp_path / "o.parquet"
    ingest_polecat(src, out, progress=False)
    assert read_events(out)["polecat_sentence_text"].tolist() == [f"phrase «{k}»" for k in range(8)]


def test_same_input_same_bytes(tmp_path: Path) -> None:
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    ingest_polecat([W603, Y2022, W604], a, progress=False)
    ingest_polecat([W603, Y2022, W604], b, progress=False)
    assert a.read_bytes() == b.read_bytes()


def test_streaming_in_small_batches_gives_the_same_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    ingest_polecat([W603, W604], a, progress=False)
    monkeypatch.setattr(_stream, "BLOCK_SIZE", 2048)
    monkeypatch.setattr(_stream, "GROUP_ROWS", 2)
    ingest_polecat([W603, W604], b, progress=False)
    assert pq.read_table(a).to_pylist() == pq.read_table(b).to_pylist()
    assert pq.ParquetFile(b).metadata.num_row_groups >= 3  # batch by batch


def test_cli_progress_bar_on_request(tmp_path: Path) -> None:
    out = tmp_path / "a.parquet"
    res = CliRunner().invoke(main, ["ingest", "polecat", str(W603), "-o", str(out), "--progress"])
    assert res.exit_code == 0, res.output
    assert "POLECAT: 100%" in res.output


# --- hostile input: located error, exit 1, no output, never a traceback ---------------------------------------

def _cli_fails(args: list[str], out: Path) -> str:
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output
    assert not out.exists()
    assert not list(out.parent.glob(f".{out.name}.*"))
    return res.output


def _replace(tmp_path: Path, old: str, new: str, name: str = "week.txt") -> Path:
    text = W603.read_text(encoding="utf-8")
    assert old in text
    bad = tmp_path / name
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    return bad


@pytest.mark.parametrize(("old", "new", "line", "column", "words"), [
    ("\t55.60587\t", "\tnorth\t", 4, "Latitude", "'north' is not a number"),
    ("\t2023-01-05\t", "\t05/01/2023\t", 7, "Event Date", "is not a date"),
    ("\tMOBILIZE\t", "\tMOBILIZE!\t", 9, "Event Type", "is not a PLOVER event type"),
    ("\t-9.5\t", "\t-95\t", 5, "Intensity", "within [-10, 10]"),
    ("\t2980291\t", "\tgeonames:2980291\t", 3, "GeoNames ID", "is not a whole number"),
])
def test_a_value_that_cannot_be_converted(tmp_path: Path, old: str, new: str, line: int, column: str,
                                          words: str) -> None:
    bad = _replace(tmp_path, old, new)
    with pytest.raises(ExternalFileError) as exc:
        ingest_polecat(bad, tmp_path / "o.parquet", progress=False)
    p = exc.value.problem
    assert (p.line, p.field, p.code) == (line, column, "external-bad-value")
    assert words in str(exc.value)
    out = tmp_path / "o.parquet"
    assert f"{bad}:{line}: {column}:" in _cli_fails(["ingest", "polecat", str(bad), "-o", str(out)], out)


def test_a_filled_field_after_the_last_column_is_located(tmp_path: Path) -> None:
    bad = _replace(tmp_path, "\tfr\t1.1\t\t", "\tfr\t1.1\tsurplus\t")  # the row with two stray tabs
    with pytest.raises(ExternalFileError) as exc:
        ingest_polecat(bad, tmp_path / "o.parquet", progress=False)
    p = exc.value.problem
    assert (p.code, p.line, p.field) == ("external-truncated", 3, "field 41")
    assert "'surplus'" in str(exc.value)
    out = tmp_path / "o.parquet"
    assert f"{bad}:3: field 41:" in _cli_fails(["ingest", "polecat", str(bad), "-o", str(out)], out)


def test_a_tab_inside_a_cell_is_located(tmp_path: Path) -> None:
    bad = _replace(tmp_path, "\tPolisen\t", "\tPoli\tsen\t")
    with pytest.raises(ExternalFileError) as exc:
        ingest_polecat(bad, tmp_path / "o.parquet", progress=False)
    assert (exc.value.problem.line, exc.value.problem.field) == (4, "field 41")


@pytest.mark.parametrize("group", [65_536, 2])  # the broken line in the first batch, or in a later one
def test_truncated_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, group: int) -> None:
    monkeypatch.setattr(_stream, "GROUP_ROWS", group)
    monkeypatch.setattr(_stream, "BLOCK_SIZE", 2048)
    data = W603.read_bytes()
    bad = tmp_path / "week.txt"
    bad.write_bytes(data[:data.index(b"Forces arm")])  # cut inside the last record (line 9)
    with pytest.raises(ExternalFileError) as exc:
        ingest_polecat(bad, tmp_path / "o.parquet", progress=False)
    p = exc.value.problem
    assert (p.code, p.line, p.field) == ("external-truncated", 9, "Actor Country")
    out = tmp_path / "o.parquet"
    assert f"{bad}:9: Actor Country:" in _cli_fails(["ingest", "polecat", str(bad), "-o", str(out)], out)


def test_truncated_file_read_line_by_line(tmp_path: Path) -> None:
    data = W604.read_bytes()  # its header ends in a tab: read line by line from the start
    bad = tmp_path / "week.txt"
    bad.write_bytes(data[:data.index(b"\tAmnesty")])
    with pytest.raises(ExternalFileError) as exc:
        ingest_polecat(bad, tmp_path / "o.parquet", progress=False)
    p = exc.value.problem
    assert (p.code, p.line, p.field) == ("external-truncated", 4, "Actor Name")
    assert "expected 40 fields, found 7" in str(exc.value)


def test_binary_junk_empty_file_and_wrong_encoding(tmp_path: Path) -> None:
    out = tmp_path / "o.parquet"
    junk = tmp_path / "junk.txt"
    junk.write_bytes(W603.read_bytes()[:600] + bytes(range(256)) * 4)
    assert "junk.txt" in _cli_fails(["ingest", "polecat", str(junk), "-o", str(out)], out)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert "empty" in _cli_fails(["ingest", "polecat", str(empty), "-o", str(out)], out)
    latin = tmp_path / "latin.txt"
    latin.write_bytes(W603.read_text(encoding="utf-8").encode("latin-1", errors="replace"))
    with pytest.raises(ExternalFileError) as exc:
        ingest_polecat(latin, out, progress=False)
    assert exc.value.problem.code == "file-encoding"
    _cli_fails(["ingest", "polecat", str(latin), "-o", str(out)], out)


def test_missing_column_and_a_comma_separated_file(tmp_path: Path) -> None:
    out = tmp_path / "o.parquet"
    bad = _replace(tmp_path, "Event Type", "Type")
    assert f"{bad}:1: Event Type: required column 'Event Type' is missing" in \
        _cli_fails(["ingest", "polecat", str(bad), "-o", str(out)], out)
    commas = tmp_path / "commas.txt"
    commas.write_text(W603.read_text(encoding="utf-8").replace("\t", ","), encoding="utf-8")
    assert "is the file tab-separated?" in _cli_fails(["ingest", "polecat", str(commas), "-o", str(out)], out)


def test_a_bad_second_file_leaves_no_output(tmp_path: Path) -> None:
    bad = _replace(tmp_path, "\t13.00073\t", "\t213.00073\t")
    out = tmp_path / "o.parquet"
    text = _cli_fails(["ingest", "polecat", str(W604), str(bad), "-o", str(out)], out)
    assert f"{bad}:4: Longitude: '213.00073' is not within [-180, 180]" in text
