"""GDELT 2.0 event ingest on fixtures built from the codebook's layout (tests/data/gdelt/make_fixtures.py)."""

from __future__ import annotations

import importlib.util
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from incidentkit.cli import main
from incidentkit.codebook.schema import incident_schema
from incidentkit.external import _stream, read_events
from incidentkit.external.gdelt import COLUMNS, COLUMNS_V1, fips_table, ingest_gdelt
from incidentkit.external.schema import SHARED_COLUMNS

DATA = Path(__file__).parent / "data" / "gdelt"
FIRST = DATA / "20240501000000.export.CSV"
ZIPPED = DATA / "20240501001500.export.CSV.zip"
V1 = DATA / "gdelt1_20150217.export.CSV"


def _fixtures_module() -> Any:  # the committed generator, imported by path
    spec = importlib.util.spec_from_file_location("gdelt_make_fixtures", DATA / "make_fixtures.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def events(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("gdelt") / "gdelt.parquet"
    res = CliRunner().invoke(main, ["ingest", "gdelt", str(DATA), "-o", str(out), "--no-progress"])
    assert res.exit_code == 0, res.output
    assert "Wrote 19 events" in res.output
    return read_events(out).set_index("id", drop=False)


def test_layout_is_the_codebooks() -> None:
    fx = _fixtures_module()
    assert list(COLUMNS) == fx.CODEBOOK_V2 and len(COLUMNS) == 61
    assert list(COLUMNS_V1) == fx.CODEBOOK_V1 and len(COLUMNS_V1) == 58


def test_fixtures_are_what_make_fixtures_writes(tmp_path: Path) -> None:
    copy = tmp_path / "gdelt"
    shutil.copytree(DATA, copy)
    fx = _fixtures_module()
    fx.HERE = copy
    fx.main()
    for name in ("20240501000000.export.CSV", "gdelt1_20150217.export.CSV", "bad/short_line.export.CSV"):
        assert (copy / name).read_bytes() == (DATA / name).read_bytes(), name
    with zipfile.ZipFile(copy / ZIPPED.name) as a, zipfile.ZipFile(ZIPPED) as b:
        assert a.read(a.namelist()[0]) == b.read(b.namelist()[0])


def test_folder_reads_event_files_in_name_order_and_skips_mentions(events: pd.DataFrame) -> None:
    assert len(events) == 12 + 5 + 2
    assert events["id"].tolist()[:3] == ["1150000001", "1150000002", "1150000003"]
    assert "1150000013" in events.index and "310000001" in events.index
    assert (events["dataset"] == "gdelt").all()


def test_harmonised_schema(tmp_path: Path) -> None:
    out = tmp_path / "g.parquet"
    ingest_gdelt([FIRST, ZIPPED], out, progress=False)
    schema = pq.read_schema(out)
    incident = incident_schema()
    assert schema.names[:len(SHARED_COLUMNS)] == list(SHARED_COLUMNS)
    for name in SHARED_COLUMNS:
        assert schema.field(name).type == incident.field(name).type, name
    assert schema.field("event_code").type == "string" and schema.field("event_group").type == "int64"
    assert schema.field("gdelt_eventcode").type == "string"
    assert str(schema.field("gdelt_dateadded").type) == "timestamp[ms, tz=UTC]"
    assert schema.metadata[b"incidentkit_dataset"] == b"gdelt"
    extras = [n for n in schema.names if n.startswith("gdelt_")]
    assert len(extras) == 61 - 8  # every source column is a shared column or an extra (5 dates/ids, 2 names, place)


def test_event_codes_stay_text_and_map_through_the_crosswalk(events: pd.DataFrame) -> None:
    from incidentkit.codebook.crosswalk import load_crosswalk

    cw = load_crosswalk()
    assert events.loc["1150000004", "gdelt_eventcode"] == "042"
    assert events.loc["1150000004", "event_code"] == "cameo:042"
    assert events.loc["1150000007", "event_code"] == "cameo:0874"
    assert events.loc["1150000007", "gdelt_eventbasecode"] == "087"
    assert events.loc["1150000007", "gdelt_eventrootcode"] == "08"
    for gid, code in (("1150000001", "190"), ("1150000005", "145"), ("1150000006", "173"), ("1150000004", "042"),
                      ("1150000010", "193")):
        best = cw.best("cameo", code)
        row = events.loc[gid]
        assert (row["sub_event_type"] if pd.notna(row["sub_event_type"]) else None) == \
            (best.sub_event_type if best else None), code
        assert (row["event_type"] if pd.notna(row["event_type"]) else None) == (best.event_type if best else None)


def test_geo_type_gives_precision_and_country_level_has_no_point(events: pd.DataFrame) -> None:
    e = events
    assert e.loc["1150000001", "geo_precision"] == 2       # 4 world city
    assert e.loc["1150000008", "geo_precision"] == 2       # 3 US city
    assert e.loc["1150000009", "geo_precision"] == 3       # 2 US state
    assert e.loc["1150000011", "geo_precision"] == 3       # 5 world state (ADM1)
    assert e.loc["1150000001", "where_prec"] == 2 and e.loc["1150000011", "where_prec"] == 4
    country = e.loc["1150000004"]                          # 1 country: its centroid is no usable point
    assert pd.isna(country["latitude"]) and pd.isna(country["longitude"]) and pd.isna(country["geo_precision"])
    assert pd.isna(country["priogrid_gid"])
    assert country["gdelt_actiongeo_lat"] == 35.0 and country["gdelt_actiongeo_long"] == 38.0
    assert "country_centroid" in country["quality_flags"]
    none = e.loc["1150000007"]
    assert pd.isna(none["latitude"]) and list(none["quality_flags"]) == ["no_location"]
    assert e.loc["1150000001", "latitude"] == pytest.approx(36.2021)
    assert e.loc["1150000001", "priogrid_gid"] > 0


def test_fips_codes_become_iso(events: pd.DataFrame) -> None:
    e = events
    assert e.loc["1150000001", "country"] == "SY" and e.loc["1150000001", "gdelt_actiongeo_countrycode"] == "SY"
    assert e.loc["1150000006", "country"] == "SE"          # FIPS SW is Sweden (ISO SW is nothing)
    assert e.loc["1150000010", "country"] == "PS"          # FIPS GZ, the Gaza Strip
    assert e.loc["1150000015", "country"] == "IQ"          # FIPS IZ
    assert e.loc["1150000008", "country"] == "US"
    odd = e.loc["1150000012"]
    assert pd.isna(odd["country"]) and list(odd["quality_flags"]) == ["unknown_fips_code"]
    ocean = e.loc["1150000016"]                            # an ocean is in the table, with no ISO country
    assert pd.isna(ocean["country"]) and "unknown_fips_code" not in ocean["quality_flags"]
    # actor countries are CAMEO's 3-letter codes, kept as written
    assert e.loc["1150000006", "gdelt_actor1countrycode"] == "SWE"


def test_fips_table() -> None:
    t = fips_table()
    assert t["UK"] == "GB" and t["GM"] == "DE" and t["SW"] == "SE" and t["SZ"] == "CH" and t["RS"] == "RU"
    assert t["KV"] == "XK" and t["OD"] == "SS" and t["RI"] == "RS" and t["PF"] == ""
    assert len(t) > 250
    text = (Path(__file__).parents[1] / "src" / "incidentkit" / "data" / "fips_iso.csv").read_text("utf-8")
    assert "Source:" in text


def test_unicode_names_round_trip_exactly(events: pd.DataFrame) -> None:
    e = events
    assert e.loc["1150000001", "location"] == "حلب, Halab, Syria"
    assert e.loc["1150000010", "location"] == "خان يونس, Gaza, Gaza Strip"
    assert e.loc["1150000006", "location"] == "Göteborg, Västra Götalands Län, Sweden"
    assert e.loc["1150000006", "admin1"] == "Västra Götalands Län"
    assert e.loc["1150000005", "location"] == "Saint-Étienne, Rhône-Alpes, France"
    assert e.loc["1150000011", "admin1"] == "Île-de-France"
    assert e.loc["1150000001", "gdelt_actor1geo_fullname"] == "حلب, Halab, Syria"
    raw = FIRST.read_text(encoding="utf-8").splitlines()
    assert raw[5].split("\t")[COLUMNS.index("ActionGeo_FullName")] == e.loc["1150000006", "location"]


def test_dates_actors_sources_and_extras(events: pd.DataFrame) -> None:
    r = events.loc["1150000001"]
    assert str(r["date_start"])[:10] == "2024-04-30" == str(r["date_end"])[:10] and r["time_precision"] == 1
    assert str(r["gdelt_dateadded"]) == "2024-05-01 00:00:00+00:00"
    assert str(events.loc["1150000013", "gdelt_dateadded"]) == "2024-05-01 00:15:00+00:00"
    assert str(events.loc["310000001", "gdelt_dateadded"]) == "2015-02-17 00:00:00+00:00"  # GDELT 1.0: a day
    assert r["actor1"] == "SYRIA" and r["actor2"] == "REBEL" and r["gdelt_actor1code"] == "SYRMIL"
    assert r["gdelt_actor1type1code"] == "MIL"
    assert r["source_outlet"] == "example.com" and r["gdelt_sourceurl"] == "https://www.example.com/a/1.html"
    assert events.loc["1150000003", "source_outlet"] == "example.com"   # http://www.Example.COM
    assert events.loc["1150000012", "source_outlet"] == "BBC Monitoring"  # a citation, not a URL
    assert bool(r["gdelt_isrootevent"]) and not bool(events.loc["1150000002", "gdelt_isrootevent"])
    assert events.loc["1150000002", "gdelt_avgtone"] == pytest.approx(-5.123456789)
    assert r["gdelt_quadclass"] == 4 and r["gdelt_goldsteinscale"] == -10.0 and r["gdelt_nummentions"] == 4
    assert r["gdelt_actiongeo_featureid"] == "-2210450" and r["gdelt_actiongeo_adm1code"] == "SY09"
    assert r["gdelt_actiongeo_adm2code"] == "193563"
    assert events["fatalities_best"].isna().all() and events["fatalities_low"].isna().all()
    assert pd.isna(events.loc["310000001", "gdelt_actiongeo_adm2code"])  # the 1.0 layout has none


def test_rows_of_one_event_share_event_group(events: pd.DataFrame) -> None:
    g = events["event_group"]
    # the Aleppo clash: 3 rows in the first file (one naming the city in English) and 1 in the zipped file
    aleppo = {g[i] for i in ("1150000001", "1150000002", "1150000003", "1150000013")}
    assert len(aleppo) == 1
    assert g["1150000010"] == g["1150000014"]                  # Gaza, told in two files
    assert g["1150000014"] != g["1150000015"]                  # same day, code and actors; another place
    assert g["1150000017"] != g["1150000001"]                  # Idlib, not Aleppo
    assert g["310000001"] != g["1150000001"]                   # another day
    assert g.nunique() == len(events) - 4
    assert (g >= 0).all()


def test_event_group_does_not_depend_on_files_order_or_batches(tmp_path: Path, events: pd.DataFrame,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    apart = {}
    for k, f in enumerate((ZIPPED, FIRST, V1)):  # each file on its own, in another order
        out = tmp_path / f"{k}.parquet"
        ingest_gdelt(f, out, progress=False)
        apart.update(read_events(out).set_index("id")["event_group"].to_dict())
    assert apart == events["event_group"].to_dict()
    monkeypatch.setattr(_stream, "BLOCK_SIZE", 512)
    monkeypatch.setattr(_stream, "GROUP_ROWS", 2)
    out = tmp_path / "small.parquet"
    ingest_gdelt([FIRST, ZIPPED, V1], out, progress=False)
    assert read_events(out).set_index("id")["event_group"].to_dict() == apart


def test_streaming_in_small_batches_gives_the_same_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    ingest_gdelt([FIRST, ZIPPED], a, progress=False)
    monkeypatch.setattr(_stream, "BLOCK_SIZE", 512)
    monkeypatch.setattr(_stream, "GROUP_ROWS", 2)
    ingest_gdelt([FIRST, ZIPPED], b, progress=False)
    assert pq.read_table(a).to_pylist() == pq.read_table(b).to_pylist()
    assert pq.ParquetFile(b).metadata.num_row_groups >= 6  # batch by batch, never a whole file at once


def test_same_input_same_bytes(tmp_path: Path) -> None:
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    ingest_gdelt([FIRST, ZIPPED, V1], a, progress=False)
    ingest_gdelt([FIRST, ZIPPED, V1], b, progress=False)
    assert a.read_bytes() == b.read_bytes()


def test_zip_member_is_read_without_unpacking(tmp_path: Path) -> None:
    out = tmp_path / "z.parquet"
    res = ingest_gdelt(ZIPPED, out, progress=False)
    assert list(res.rows) == [f"{ZIPPED}[20240501001500.export.CSV]"]
    assert res.total == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["z.parquet"]  # nothing unpacked beside it


def test_cli_progress_bar_on_request(tmp_path: Path) -> None:
    out = tmp_path / "a.parquet"
    res = CliRunner().invoke(main, ["ingest", "gdelt", str(FIRST), str(ZIPPED), "-o", str(out), "--progress"])
    assert res.exit_code == 0, res.output
    assert "GDELT: 100%" in res.output
    assert "Wrote 17 events" in res.output


def test_synthetic_files_are_gdelt_shaped(tmp_path: Path) -> None:
    from incidentkit.external.gdelt_synthetic import write_gdelt_files

    paths = write_gdelt_files(tmp_path / "syn", 6000, rows_per_file=1500, seed=3)
    assert [p.name for p in paths][:2] == ["20240501000000.export.CSV.zip", "20240501001500.export.CSV.zip"]
    assert len(paths) == 4
    with zipfile.ZipFile(paths[0]) as z:
        assert z.namelist() == ["20240501000000.export.CSV"]
        first = z.read(z.namelist()[0]).decode("utf-8").splitlines()
    assert len(first) == 1500 and all(line.count("\t") == 60 for line in first)
    again = write_gdelt_files(tmp_path / "again", 6000, rows_per_file=1500, seed=3)
    assert [p.read_bytes() for p in paths] == [p.read_bytes() for p in again]  # deterministic by seed
    out = tmp_path / "syn.parquet"
    assert ingest_gdelt(tmp_path / "syn", out, progress=False).total == 6000
    df = read_events(out)
    assert df["gdelt_eventcode"].str.startswith("0").any()            # leading zeros kept
    sizes = df.groupby("event_group").size()
    assert sizes.max() > 3 and 1.5 < len(df) / len(sizes) < 4        # repeated events
    spans = df.groupby("event_group")["gdelt_dateadded"].nunique()
    assert (spans > 1).any()                                          # copies in later 15-minute files
    types = df["gdelt_actiongeo_type"].value_counts(dropna=False)
    assert set(types.index.dropna()) >= {1, 2, 3, 4, 5} and df["gdelt_actiongeo_type"].isna().any()
    assert df["country"].notna().mean() > 0.8
    assert (df["date_start"] <= df["gdelt_dateadded"].dt.tz_localize(None)).all()
    plain = write_gdelt_files(tmp_path / "plain", 100, rows_per_file=60, zipped=False, seed=3)
    assert [p.name for p in plain] == ["20240501000000.export.CSV", "20240501001500.export.CSV"]


def test_text_hash_is_fnv1a_of_the_utf8_bytes_mixed_with_the_length() -> None:
    import numpy as np
    import pyarrow as pa

    from incidentkit.external.gdelt import _GOLDEN, _fnv1a, _mix

    def reference(text: str) -> int:
        h = 0xCBF29CE484222325
        for byte in text.encode("utf-8"):
            h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
        n = len(text.encode("utf-8"))
        with np.errstate(over="ignore"):
            return int(_mix(np.array([h], np.uint64) ^ (np.uint64(n) * _GOLDEN))[0])

    values = ["SYRMIL", "", "حلب", "Göteborg", "-2210450", "x" * 300, "ab", "ba", "REB"]
    arr = pa.array(values)
    assert _fnv1a(arr).tolist() == [reference(v) for v in values]
    assert _fnv1a(arr.slice(2, 4)).tolist() == [reference(v) for v in values[2:6]]  # offsets of a slice
    assert len(set(_fnv1a(arr).tolist())) == len(values)


def test_admin1_is_the_part_before_the_country() -> None:
    from incidentkit.external.gdelt import _state

    assert _state("Göteborg, Västra Götalands Län, Sweden", 3) == "Västra Götalands Län"
    assert _state("Texas, United States", 2) == "Texas"
    assert _state("Aleppo, Syria", 3) is None          # a city named without its division
    assert _state("Syria", 2) is None


def test_event_group_partitions_rows_exactly_by_the_event_key(tmp_path: Path) -> None:
    """On generated data: rows share event_group if and only if they share (day, code, actor codes,
    place), and the generator's repeated events are found again."""
    from incidentkit.external.gdelt_synthetic import write_gdelt_files

    write_gdelt_files(tmp_path / "syn", 20_000, rows_per_file=2500, seed=11)
    out = tmp_path / "syn.parquet"
    ingest_gdelt(tmp_path / "syn", out, progress=False)
    df = read_events(out)
    point = df["gdelt_actiongeo_lat"].round(4).astype(str) + "," + df["gdelt_actiongeo_long"].round(4).astype(str)
    place = df["gdelt_actiongeo_featureid"].fillna(point.where(df["gdelt_actiongeo_lat"].notna()))
    key = pd.DataFrame({"day": df["date_start"], "code": df["gdelt_eventcode"], "a1": df["gdelt_actor1code"],
                        "a2": df["gdelt_actor2code"], "place": place}).fillna("")
    by_key = key.groupby(list(key.columns), sort=False).ngroup()
    pairs = pd.DataFrame({"key": by_key, "group": df["event_group"]}).drop_duplicates()
    assert pairs["key"].is_unique and pairs["group"].is_unique  # a one-to-one map: the same partition
    assert df["event_group"].nunique() < len(df) * 0.6
