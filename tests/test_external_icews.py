"""ICEWS ingest (issue 16, point 2) on fixtures in the Dataverse files' layout (tests/data/icews/make_fixtures.py)."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from incidentkit.cli import main
from incidentkit.codebook.schema import incident_schema
from incidentkit.external import ExternalFileError, _stream, read_events
from incidentkit.external.icews import COLUMNS, ingest_icews
from incidentkit.external.schema import SHARED_COLUMNS

DATA = Path(__file__).parent / "data" / "icews"
Y2019 = DATA / "events.2019.20200318085415.tab"
Y2020 = DATA / "events.2020.20210301000000.tab"
ZIPPED = DATA / "events.2018.20190101000000.tab.zip"


def raw_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, Path, str]:
    out = tmp_path_factory.mktemp("icews") / "icews.parquet"
    res = CliRunner().invoke(main, ["ingest", "icews", str(DATA), "-o", str(out), "--no-progress"])
    assert res.exit_code == 0, res.output
    return read_events(out), out, res.output


def test_every_file_and_row_of_a_folder_in_name_order(folder: tuple) -> None:
    df, _, output = folder
    assert f"{ZIPPED}[events.2018.20190101000000.tab]: 2 events" in output
    assert f"{Y2019}: 8 events" in output and f"{Y2020}: 3 events" in output
    assert "Wrote 13 events" in output
    assert len(df) == 13 and (df["dataset"] == "icews").all()
    assert df["date_start"].iloc[0] == pd.Timestamp("2018-12-30")  # the zipped 2018 file sorts first
    assert df["id"].tolist()[2:10] == [r["Event ID"] for r in raw_rows(Y2019)]


def test_the_published_layout_is_the_reader_layout() -> None:
    with open(Y2019, encoding="utf-8") as fh:
        assert tuple(fh.readline().rstrip("\n").split("\t")) == COLUMNS


def test_cameo_code_is_text_with_its_leading_zeros_and_maps_through_the_crosswalk(folder: tuple) -> None:
    df = folder[0].set_index("icews_story_id")
    assert df.loc[48000005, "event_code"] == "cameo:042"
    assert df.loc[48000008, "event_code"] == "cameo:012"
    assert df.loc[48000004, "event_code"] == "cameo:1831"
    assert (df.loc[48000001, "event_type"], df.loc[48000001, "sub_event_type"]) == ("Strategic developments",
                                                                                    "Arrests")
    assert df.loc[48000004, "sub_event_type"] == "Suicide bomb"
    assert df.loc[48000002, "sub_event_type"] == "Peaceful protest"
    assert df.loc[48000002, "disorder_type"] == "Demonstrations"
    assert pd.isna(df.loc[48000005, "event_type"])  # a visit is no ACLED event
    assert "cameo_unmapped" in df.loc[48000005, "quality_flags"]


def test_precision_from_city_district_province(folder: tuple) -> None:
    df = folder[0].set_index("icews_story_id")
    city, district, province, country = (df.loc[k] for k in (48000001, 48000004, 48000005, 48000006))
    assert (city["geo_precision"], city["where_prec"], city["location"]) == (1, 1, "Malmö")
    assert (city["admin1"], city["admin2"]) == ("Skåne län", "Malmö Kommun")
    assert (district["geo_precision"], district["where_prec"], district["location"]) == (2, 3, "Afgooye")
    assert (province["geo_precision"], province["where_prec"], province["location"]) == (3, 4, "Île-de-France")
    assert province["latitude"] == 48.5 and province["priogrid_gid"] > 0
    assert (country["geo_precision"], country["where_prec"]) == (3, 6)
    assert pd.isna(country["latitude"]) and pd.isna(country["longitude"]) and pd.isna(country["priogrid_gid"])
    assert "country_only" in country["quality_flags"]


def test_columns_become_the_harmonised_ones(folder: tuple) -> None:
    df = folder[0].set_index("icews_story_id")
    row = df.loc[48000001]
    assert (row["actor1"], row["actor2"]) == ("Police (Sweden)", "Citizen (Sweden)")
    assert list(row["icews_source_sectors"]) == ["Police", "Government"]
    assert row["notes"] == "Arrest, detain, or charge with legal action"
    assert row["source_outlet"] == "Sydsvenskan"
    assert row["icews_intensity"] == -5.0 and row["icews_sentence_number"] == 2
    assert (row["date_start"], row["date_end"], row["time_precision"]) == (pd.Timestamp("2019-01-03"),
                                                                           pd.Timestamp("2019-01-03"), 1)
    assert df["fatalities_best"].isna().all()
    assert df.loc[48000006, "country"] == "PS"  # "Occupied Palestinian Territory"
    assert df.loc[48000006, "icews_country"] == "Occupied Palestinian Territory"
    assert df.loc[48000007, "country"] == "CD"
    assert pd.isna(df.loc[48000007, "actor2"])


def test_unbalanced_quote_and_repeated_event_id(folder: tuple) -> None:
    df = folder[0]
    assert df.loc[df["icews_story_id"] == 48000006, "notes"].item() == \
        'Express intent to meet or negotiate: he said "we will not'
    repeated = df[df["id"] == "23000101"]
    assert len(repeated) == 2 and repeated["date_start"].nunique() == 2  # (id, date_start) is the key


def test_unicode_names_round_trip_exactly(folder: tuple) -> None:
    df = folder[0]
    raw = raw_rows(Y2019) + raw_rows(Y2020)
    icews = df[df["date_start"] >= pd.Timestamp("2019-01-01")]
    for column, source in (("actor1", "Source Name"), ("notes", "Event Text"), ("source_outlet", "Publisher")):
        assert icews[column].tolist() == [r[source] for r in raw]
    names = set(icews["actor2"].dropna()) | set(icews["location"].dropna()) | set(icews["admin1"].dropna())
    assert {"عائلة الحسن (Syria)", "نازحون (Sudan)", "Göteborg", "Västra Götalands län", "Saint-Étienne",
            "Élus d'Île-de-France", "Muḩāfaz̧at Ḩalab"} <= names


def test_shared_columns_have_incident_types(folder: tuple) -> None:
    schema = pq.read_schema(folder[1])
    for name in SHARED_COLUMNS:
        assert schema.field(name).type == incident_schema().field(name).type
    assert schema.field("event_code").type == "string" and schema.field("dataset").type.value_type == "string"


def test_unknown_column_kept_as_text(tmp_path: Path) -> None:
    lines = Y2020.read_text(encoding="utf-8").splitlines()
    extra = [lines[0] + "\tEvent Root Code"] + [line + f"\t0{k}" for k, line in enumerate(lines[1:])]
    src = tmp_path / "events.tab"
    src.write_text("\n".join(extra) + "\n", encoding="utf-8")
    out = tmp_path / "o.parquet"
    ingest_icews(src, out, progress=False)
    df = read_events(out)
    assert df["icews_event_root_code"].tolist() == ["00", "01", "02"]


def test_same_input_same_bytes(tmp_path: Path) -> None:
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    ingest_icews([Y2019, ZIPPED, Y2020], a, progress=False)
    ingest_icews([Y2019, ZIPPED, Y2020], b, progress=False)
    assert a.read_bytes() == b.read_bytes()


def test_streaming_in_small_batches_gives_the_same_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    ingest_icews([Y2019, Y2020], a, progress=False)
    monkeypatch.setattr(_stream, "BLOCK_SIZE", 512)
    monkeypatch.setattr(_stream, "GROUP_ROWS", 2)
    ingest_icews([Y2019, Y2020], b, progress=False)
    assert pq.read_table(a).to_pylist() == pq.read_table(b).to_pylist()
    assert pq.ParquetFile(b).metadata.num_row_groups >= 4  # batch by batch, never the whole file at once


def test_cli_progress_bar_on_request(tmp_path: Path) -> None:
    out = tmp_path / "a.parquet"
    res = CliRunner().invoke(main, ["ingest", "icews", str(Y2019), "-o", str(out), "--progress"])
    assert res.exit_code == 0, res.output
    assert "ICEWS: 100%" in res.output


# --- hostile input: located error, exit 1, no output, never a traceback ---------------------------------------

def _cli_fails(args: list[str], out: Path) -> str:
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output
    assert not out.exists()
    assert not list(out.parent.glob(f".{out.name}.*"))
    return res.output


def _replace(tmp_path: Path, old: str, new: str, name: str = "events.tab") -> Path:
    text = Y2019.read_text(encoding="utf-8")
    assert old in text
    bad = tmp_path / name
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    return bad


@pytest.mark.parametrize(("old", "new", "line", "column", "words"), [
    ("\t55.60587\t", "\tnorth\t", 2, "Latitude", "'north' is not a number"),
    ("\t2019-01-05\tAl-Shabaab", "\t2019-01-32\tAl-Shabaab", 5, "Event Date", "is not a date"),
    ("\t042\t", "\t4x2\t", 6, "CAMEO Code", "is not a CAMEO code"),
    ("\t-9.0\t", "\t-19.0\t", 8, "Intensity", "within [-10, 10]"),
    ("\t48000008\t", "\t48000008.5\t", 9, "Story ID", "is not a whole number"),
])
def test_a_value_that_cannot_be_converted(tmp_path: Path, old: str, new: str, line: int, column: str,
                                          words: str) -> None:
    bad = _replace(tmp_path, old, new)
    with pytest.raises(ExternalFileError) as exc:
        ingest_icews(bad, tmp_path / "o.parquet", progress=False)
    p = exc.value.problem
    assert (p.line, p.field, p.code) == (line, column, "external-bad-value")
    out = tmp_path / "o.parquet"
    assert f"{bad}:{line}: {column}:" in _cli_fails(["ingest", "icews", str(bad), "-o", str(out)], out)
    assert words in str(exc.value)


def test_truncated_file(tmp_path: Path) -> None:
    data = Y2019.read_bytes()
    bad = tmp_path / "events.tab"
    bad.write_bytes(data[:data.index(b"Al-Hayat")])  # cut inside the fourth record
    with pytest.raises(ExternalFileError) as exc:
        ingest_icews(bad, tmp_path / "o.parquet", progress=False)
    p = exc.value.problem
    assert (p.code, p.line, p.field) == ("external-truncated", 4, "City")
    out = tmp_path / "o.parquet"
    assert f"{bad}:4: City:" in _cli_fails(["ingest", "icews", str(bad), "-o", str(out)], out)


def test_wrong_column_count(tmp_path: Path) -> None:
    bad = _replace(tmp_path, "\tSydsvenskan\t", "\tSyd\tsvenskan\t")
    with pytest.raises(ExternalFileError) as exc:
        ingest_icews(bad, tmp_path / "o.parquet", progress=False)
    assert (exc.value.problem.code, exc.value.problem.line) == ("external-truncated", 2)
    assert "21 fields, the header 20" in str(exc.value)


def test_binary_junk_empty_file_and_wrong_encoding(tmp_path: Path) -> None:
    out = tmp_path / "o.parquet"
    junk = tmp_path / "junk.tab"
    junk.write_bytes(Y2019.read_bytes()[:400] + bytes(range(256)) * 4)
    assert "junk.tab" in _cli_fails(["ingest", "icews", str(junk), "-o", str(out)], out)
    empty = tmp_path / "empty.tab"
    empty.write_bytes(b"")
    assert "empty" in _cli_fails(["ingest", "icews", str(empty), "-o", str(out)], out)
    latin = tmp_path / "latin.tab"
    latin.write_bytes(Y2019.read_text(encoding="utf-8").encode("latin-1", errors="replace"))
    with pytest.raises(ExternalFileError) as exc:
        ingest_icews(latin, out, progress=False)
    assert exc.value.problem.code == "file-encoding"
    assert "not UTF-8" in _cli_fails(["ingest", "icews", str(latin), "-o", str(out)], out)


def test_missing_column_and_bad_zip(tmp_path: Path) -> None:
    out = tmp_path / "o.parquet"
    bad = _replace(tmp_path, "CAMEO Code", "CAMEO")
    assert f"{bad}:1: CAMEO Code: required column 'CAMEO Code' is missing" in \
        _cli_fails(["ingest", "icews", str(bad), "-o", str(out)], out)
    fake = tmp_path / "events.tab.zip"
    fake.write_bytes(b"not a zip at all")
    assert "not a readable zip archive" in _cli_fails(["ingest", "icews", str(fake), "-o", str(out)], out)
    readme = tmp_path / "readme.zip"
    with zipfile.ZipFile(readme, "w") as z:
        z.writestr("README.pdf", b"%PDF")
    assert "holds no data file" in _cli_fails(["ingest", "icews", str(readme), "-o", str(out)], out)


def test_a_bad_second_file_leaves_no_output(tmp_path: Path) -> None:
    bad = _replace(tmp_path, "\t13.00073\n", "\t213.00073\n")
    out = tmp_path / "o.parquet"
    text = _cli_fails(["ingest", "icews", str(Y2020), str(bad), "-o", str(out)], out)
    assert f"{bad}:2: Longitude: '213.00073' is not within [-180, 180]" in text
