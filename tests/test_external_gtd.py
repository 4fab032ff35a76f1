"""GTD ingest on fixtures built from the codebook's 135-column layout (tests/data/gtd/make_fixtures.py).

Each test names the codebook rule it checks: 0 day/month as ranges, approxdate, extended/resolution,
specificity 5 without a point, nkill, doubtterr/alternative flags, the crosswalk, encodings and delimiters.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from incidentkit.cli import main
from incidentkit.codebook.schema import incident_schema
from incidentkit.external import _stream, read_events
from incidentkit.external.gtd import ingest_gtd
from incidentkit.external.gtd_codes import event_id, sniff_delimiter, sniff_encoding
from incidentkit.external.gtd_dates import parse_approxdate, parse_resolution
from incidentkit.external.schema import SHARED_COLUMNS

DATA = Path(__file__).parent / "data" / "gtd"
SAMPLE, SEMICOLON, LATIN1, XLSX = (DATA / n for n in ("gtd_sample.csv", "gtd_semicolon.csv", "gtd_latin1.csv",
                                                      "gtd_sample.xlsx"))


@pytest.fixture(scope="module")
def df(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("gtd") / "gtd.parquet"
    res = CliRunner().invoke(main, ["ingest", "gtd", str(SAMPLE), "-o", str(out), "--no-progress"])
    assert res.exit_code == 0, res.output
    assert "14 events" in res.output
    return read_events(out).set_index("id", drop=False)


def _flags(df: pd.DataFrame, eid: str) -> list[str]:
    return list(df.loc[eid, "quality_flags"])


def test_every_row_kept_ids_as_text_and_unknown_columns_kept(df: pd.DataFrame) -> None:
    assert len(df) == 14 and (df["dataset"] == "gtd").all()
    assert all(len(i) == 12 and i.isdigit() for i in df["id"])
    # columns the reader does not map are kept, as GTD wrote them, under gtd_<name>
    for name in ("gtd_approxdate", "gtd_resolution", "gtd_country_txt", "gtd_scite1", "gtd_INT_ANY",
                 "gtd_attacktype1_txt", "gtd_location", "gtd_related"):
        assert name in df.columns
    assert df.loc["197105310001", "gtd_country_txt"] == "Soviet Union"
    assert df.loc["201403030001", "gtd_scite1"] == '"Suicide bomber kills 12," Reuters, March 4, 2014.'


def test_shared_columns_have_incident_types(tmp_path: Path) -> None:
    out = ingest_gtd(SAMPLE, tmp_path / "g.parquet", progress=False).output
    schema = pq.read_schema(out)
    for name in SHARED_COLUMNS:
        assert schema.field(name).type == incident_schema().field(name).type
    assert schema.field("event_code").type == "string" and schema.field("gtd_nkill").type == "double"


def test_zero_month_and_day_are_ranges_with_precision(df: pd.DataFrame) -> None:
    both = df.loc["197000000002"]  # iyear 1970, imonth 0, iday 0: the year
    assert (both["date_start"], both["date_end"], both["time_precision"]) == (
        pd.Timestamp("1970-01-01"), pd.Timestamp("1970-12-31"), 3)
    assert "month_unknown" in _flags(df, "197000000002")
    month = df.loc["197001000001"]  # imonth 1, iday 0: the month
    assert (month["date_start"], month["date_end"], month["time_precision"]) == (
        pd.Timestamp("1970-01-01"), pd.Timestamp("1970-01-31"), 3)
    assert "day_unknown" in _flags(df, "197001000001")
    day = df.loc["197000000001"]
    assert (day["date_start"], day["date_end"], day["time_precision"]) == (
        pd.Timestamp("1970-07-02"), pd.Timestamp("1970-07-02"), 1)
    assert (day["gtd_iyear"], day["gtd_imonth"], day["gtd_iday"]) == (1970, 7, 2)
    # 31 April: read as the month, flagged
    bad = df.loc["197105310001"]
    assert (bad["date_start"], bad["date_end"]) == (pd.Timestamp("1971-04-01"), pd.Timestamp("1971-04-30"))
    assert "day_out_of_range" in _flags(df, "197105310001")


def test_approxdate_narrows_the_range_only_when_inside_it(df: pd.DataFrame) -> None:
    three = df.loc["197001190001"]  # January 1970, approxdate "January 19-21, 1970"
    assert (three["date_start"], three["date_end"], three["time_precision"]) == (
        pd.Timestamp("1970-01-19"), pd.Timestamp("1970-01-21"), 2)
    assert {"approximate_date", "date_from_approxdate"} <= set(_flags(df, "197001190001"))
    one = df.loc["201403030001"]  # March 2014, approxdate "March 3, 2014"
    assert (one["date_start"], one["date_end"], one["time_precision"]) == (
        pd.Timestamp("2014-03-03"), pd.Timestamp("2014-03-03"), 1)
    between = df.loc["201608010001"]  # "between August 1 and August 3, 2016"
    assert (between["date_start"], between["date_end"]) == (pd.Timestamp("2016-08-01"), pd.Timestamp("2016-08-03"))
    outside = df.loc["201709090001"]  # 9 September 2017 with approxdate "September 1975": kept as text only
    assert outside["date_start"] == pd.Timestamp("2017-09-09") and outside["gtd_approxdate"] == "September 1975"
    assert "approxdate_outside_date" in _flags(df, "201709090001")
    assert "date_from_approxdate" not in _flags(df, "201709090001")


def test_extended_incidents_end_on_their_resolution(df: pd.DataFrame) -> None:
    kidnap = df.loc["201709090001"]  # extended 1, resolution 2 October 2017
    assert (kidnap["date_start"], kidnap["date_end"], kidnap["time_precision"]) == (
        pd.Timestamp("2017-09-09"), pd.Timestamp("2017-10-02"), 1)
    assert kidnap["gtd_extended"] == True and "extended" in _flags(df, "201709090001")
    assert kidnap["gtd_resolution"] == "10/2/2017"  # as GTD writes it, month first
    assert df.loc["197001220001", "date_end"] == pd.Timestamp("1970-02-13")


def test_specificity_maps_to_geo_precision_and_5_has_no_point(df: pd.DataFrame) -> None:
    assert df.loc["197000000001", ["geo_precision", "where_prec"]].tolist() == [1, 1]
    assert df.loc["201602040001", ["geo_precision", "where_prec"]].tolist() == [2, 3]  # specificity 2
    assert df.loc["197001000001", ["geo_precision", "where_prec"]].tolist() == [3, 4]  # specificity 4
    zero = df.loc["197001110001"]  # specificity 5 with 0/0
    assert pd.isna(zero["latitude"]) and pd.isna(zero["longitude"]) and pd.isna(zero["priogrid_gid"])
    assert pd.isna(zero["geo_precision"]) and zero["where_prec"] == 6 and zero["gtd_specificity"] == 5
    assert "no_point" in _flags(df, "197001110001")
    real = df.loc["201607120001"]  # specificity 5 with coordinates: they name no place, dropped and flagged
    assert pd.isna(real["latitude"]) and {"no_point", "coordinates_dropped"} <= set(_flags(df, "201607120001"))
    kept = df.loc["197000000001"]
    assert (kept["latitude"], kept["longitude"]) == (18.456792, -69.951164) and kept["priogrid_gid"] > 0


def test_places_countries_and_unknown_names(df: pd.DataFrame) -> None:
    assert df.loc["197000000001", ["country", "admin1", "location"]].tolist() == ["DO", "National", "Santo Domingo"]
    assert df.loc["197001220001", "country"] == "DE"  # West Germany (FRG)
    assert pd.isna(df.loc["197105310001", "country"])  # Soviet Union: no single present-day country
    assert "country_not_iso" in _flags(df, "197105310001")
    assert pd.isna(df.loc["197001000001", "location"])  # city "Unknown"
    assert pd.isna(df.loc["197001110001", "admin1"])  # provstate "Unknown"


def test_fatalities_from_nkill_and_casualty_extras(df: pd.DataFrame) -> None:
    r = df.loc["201403030001"]
    assert (r["fatalities_low"], r["fatalities_best"], r["fatalities_high"]) == (12, 12, 12)
    assert (r["gtd_nkill"], r["gtd_nkillter"], r["gtd_nwound"]) == (12.0, 1.0, 30.0)
    blank = df.loc["197001190001"]
    assert pd.isna(blank["fatalities_best"]) and pd.isna(blank["gtd_nkill"])
    frac = df.loc["201602040001"]  # 86.5: a cumulative total GTD divided across linked incidents
    assert (frac["fatalities_low"], frac["fatalities_best"], frac["fatalities_high"]) == (86, 86, 87)
    assert "fatalities_fractional" in _flags(df, "201602040001")


def test_doubt_and_alternative_are_flags_and_unknown_perpetrator_is_no_actor(df: pd.DataFrame) -> None:
    assert {"doubt_terrorism", "alternative_insurgency"} <= set(_flags(df, "197001110001"))
    assert df.loc["197001110001", ["gtd_doubtterr", "gtd_alternative"]].tolist() == [1, 1]
    assert "doubt_terrorism" not in _flags(df, "197000000001")
    assert pd.isna(df.loc["197001000001", "actor1"]) and "actor1_unknown" in _flags(df, "197001000001")
    assert df.loc["197000000001", "actor1"] == "MANO-D"
    assert list(df.loc["201403030001", "assoc_actor_1"]) == ["جبهة النصرة"]
    assert df.loc["197000000001", "assoc_actor_1"] is None


def test_attack_and_target_types_through_the_crosswalk(df: pd.DataFrame) -> None:
    def types(eid: str) -> tuple:
        r = df.loc[eid]
        return r["event_code"], r["event_type"], r["sub_event_type"]

    assert types("197000000001") == ("gtd:1/14", "Violence against civilians", "Attack")
    assert types("201403030001") == ("gtd:3/s/14", "Explosions/Remote violence", "Suicide bomb")
    assert types("197001190001") == ("gtd:3/3", "Explosions/Remote violence", "Remote explosive/landmine/IED")
    assert types("201607120001") == ("gtd:2/4", "Battles", "Armed clash")
    assert types("197000000002") == ("gtd:6/7", "Violence against civilians", "Abduction/forced disappearance")
    assert types("201506150001") == ("gtd:7/15", "Strategic developments", "Looting/property destruction")
    code, event, sub = types("197001110001")  # attack type 9, unknown: no ACLED type
    assert code == "gtd:9/4" and pd.isna(event) and pd.isna(sub)
    assert df.loc["197000000001", "disorder_type"] == "Political violence"
    assert df.loc["201403030001", "civilian_targeting"] == True
    assert pd.isna(df.loc["201607120001", "civilian_targeting"])  # military target


def test_an_edited_crosswalk_changes_the_types(tmp_path: Path) -> None:
    table = tmp_path / "gtd.csv"
    table.write_text("scheme,code,event_type,sub_event_type,weight,note\n"
                     "gtd,3/*,Explosions/Remote violence,Grenade,1.0,every bombing a grenade\n", encoding="utf-8")
    out = ingest_gtd(SAMPLE, tmp_path / "g.parquet", progress=False, crosswalk=table).output
    df = read_events(out).set_index("id")
    assert df.loc["197001190001", "sub_event_type"] == "Grenade"
    assert pd.isna(df.loc["197000000001", "sub_event_type"])  # 1/14 is not in the edited table


def test_unicode_names_round_trip_exactly(df: pd.DataFrame) -> None:
    assert df.loc["201403030001", "location"] == "الموصل"
    assert "في" not in df.loc["201403030001", "notes"] and "\u0627\u0644\u0645\u0648\u0635\u0644" in \
        df.loc["201403030001", "notes"]
    assert df.loc["201403030001", "notes"].count("\n") == 1  # a summary over two lines stays one cell
    assert df.loc["201506150001", ["admin1", "location"]].tolist() == ["Skåne", "Malmö"]
    assert df.loc["201511130001", "admin1"] == "Île-de-France"
    assert "près du Stade de France, à Saint-Denis" in df.loc["201511130001", "notes"]


@pytest.mark.parametrize("other", [SEMICOLON, XLSX, LATIN1], ids=["semicolon-bom-decimal-comma", "xlsx", "cp1252"])
def test_every_format_gives_the_same_events(tmp_path: Path, df: pd.DataFrame, other: Path) -> None:
    got = read_events(ingest_gtd(other, tmp_path / "o.parquet", progress=False).output).set_index("id", drop=False)
    want = df.loc[got.index]
    if other == LATIN1:
        assert len(got) == 13 and "201403030001" not in got.index  # the Arabic row is not in the cp1252 file
    else:
        assert len(got) == 14
    for name in got.columns:
        if name == "gtd_resolution":  # the text as each format writes the date
            continue
        assert got[name].astype(str).tolist() == want[name].astype(str).tolist(), name
    assert got.loc["201709090001", "date_end"] == pd.Timestamp("2017-10-02")


def test_formats_are_detected() -> None:
    assert sniff_delimiter(SAMPLE) == "," and sniff_delimiter(SEMICOLON) == ";"
    assert sniff_encoding(SAMPLE) == "utf-8" and sniff_encoding(SEMICOLON) == "utf-8"
    assert sniff_encoding(LATIN1) == "cp1252"
    assert "Malmö".encode("cp1252") in LATIN1.read_bytes()  # the fixture really is cp1252


def test_latin1_file_with_bytes_cp1252_lacks(tmp_path: Path) -> None:
    raw = LATIN1.read_bytes().replace("Malmö".encode("cp1252"), b"Malm\x81")  # 0x81: no cp1252 letter
    src = tmp_path / "latin1.csv"
    src.write_bytes(raw)
    assert sniff_encoding(src) == "latin-1"
    df = read_events(ingest_gtd(src, tmp_path / "o.parquet", progress=False).output).set_index("id")
    assert df.loc["201506150001", "location"] == "Malm\x81"


def test_excel_ids_in_full_are_read() -> None:
    assert event_id("197000000001") == "197000000001"
    assert event_id("197000000001.0") == "197000000001"
    assert event_id("1.97000000001E+11") == "197000000001"
    assert event_id("2.00E+11") is None and event_id("2.01E+11") is None and event_id("19700000001") is None


def test_free_text_dates_are_parsed_only_when_safe() -> None:
    assert parse_approxdate("Dec 30, 1970 - Jan 2, 1971") == (dt.date(1970, 12, 30), dt.date(1971, 1, 2))
    assert parse_approxdate("March-May 1978") == (dt.date(1978, 3, 1), dt.date(1978, 5, 31))
    for vague in ("early 1978", "late January 1970", "3/4/1978", "February 30, 1970", "around March 5, 1980"):
        assert parse_approxdate(vague) is None, vague
    assert parse_resolution("2/13/1970", 1970, day_first=False) == (dt.date(1970, 2, 13), None)
    assert parse_resolution("3/4/1970", 1970, day_first=False) == (dt.date(1970, 3, 4), dt.date(1970, 4, 3))
    assert parse_resolution("03/04/1970", 1970, day_first=True) == (dt.date(1970, 4, 3), dt.date(1970, 3, 4))
    assert parse_resolution("13.02.70", 1970, day_first=True) == (dt.date(1970, 2, 13), None)
    assert parse_resolution("1970-02-13 00:00:00", 1970, day_first=False) == (dt.date(1970, 2, 13), None)


def test_folder_and_several_files(tmp_path: Path) -> None:
    folder = tmp_path / "gtd"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "b.csv")
    shutil.copy(XLSX, folder / "a.xlsx")
    res = ingest_gtd(folder, tmp_path / "o.parquet", progress=False)
    assert list(res.rows.values()) == [14, 14] and next(iter(res.rows)).endswith("a.xlsx")


def test_same_input_same_bytes(tmp_path: Path) -> None:
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    ingest_gtd([SAMPLE, LATIN1, XLSX], a, progress=False)
    ingest_gtd([SAMPLE, LATIN1, XLSX], b, progress=False)
    assert a.read_bytes() == b.read_bytes()


def test_streaming_in_small_batches_gives_the_same_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    ingest_gtd([SAMPLE, SEMICOLON], a, progress=False)
    monkeypatch.setattr(_stream, "BLOCK_SIZE", 4096)
    monkeypatch.setattr(_stream, "GROUP_ROWS", 2)
    ingest_gtd([SAMPLE, SEMICOLON], b, progress=False)
    assert pq.read_table(a).to_pylist() == pq.read_table(b).to_pylist()
    assert pq.ParquetFile(b).metadata.num_row_groups >= 4  # batch by batch, never the whole file at once


def test_cli_progress_bar_on_request(tmp_path: Path) -> None:
    out = tmp_path / "a.parquet"
    res = CliRunner().invoke(main, ["ingest", "gtd", str(SAMPLE), "-o", str(out), "--progress"])
    assert res.exit_code == 0, res.output
    assert "GTD: 100%" in res.output


def test_dask_engine_writes_the_local_table(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    files = [SAMPLE, SEMICOLON, LATIN1, XLSX]  # each file its own task; ';' and cp1252 handled on the worker
    local = ingest_gtd(files, tmp_path / "local.parquet", progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=":0", silence_logs=40) as cluster:
        dask = ingest_gtd(files, tmp_path / "dask.parquet", progress=False, engine="dask",
                          scheduler=cluster.scheduler_address)
    assert dask.rows == local.rows
    assert pq.read_table(dask.output).equals(pq.read_table(local.output))


def test_the_crosswalk_covers_every_gtd_code() -> None:
    import pyarrow as pa

    from incidentkit.codebook.crosswalk import load_crosswalk

    codes = [f"{a}{s}{t}" for a in range(1, 10) for s in ("/", "/s/") for t in range(1, 23)]
    _, sub = load_crosswalk().to_acled("gtd", pa.array(codes))
    mapped = dict(zip(codes, sub.to_pylist()))
    assert all(mapped[c] for c in codes if not c.startswith("9")), [c for c in codes if not mapped[c]][:5]
    assert not any(mapped[c] for c in codes if c.startswith("9"))  # unknown attack type: no ACLED type
    for armed in (3, 4, 17):
        assert mapped[f"2/{armed}"] == mapped[f"2/s/{armed}"] == "Armed clash"
    assert {mapped[f"3/{t}"] for t in range(1, 23)} == {"Remote explosive/landmine/IED"}
    assert {mapped[f"3/s/{t}"] for t in range(1, 23)} == {"Suicide bomb"}


def test_a_comma_file_with_a_byte_order_mark(tmp_path: Path, df: pd.DataFrame) -> None:
    src = tmp_path / "bom.csv"
    src.write_bytes(b"\xef\xbb\xbf" + SAMPLE.read_bytes())
    got = read_events(ingest_gtd(src, tmp_path / "o.parquet", progress=False).output)
    assert got["id"].tolist() == df["id"].tolist() and got["location"].tolist()[7] == "الموصل"
