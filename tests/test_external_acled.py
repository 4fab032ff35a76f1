"""ACLED ingest: every export vintage reads into the same harmonised values."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import incidentkit
from incidentkit.codebook.schema import incident_schema
from incidentkit.external import combine, ingest_acled, read_events
from incidentkit.external import _stream
from incidentkit.external.schema import SHARED_COLUMNS

DATA = Path(__file__).parent / "data" / "acled"
VINTAGES = ["acled_pre2023_export.csv", "acled_2023_api.csv", "acled_2024_labels_export.csv",
            "acled_2025_api_population.csv", "acled_api.json"]
# columns every vintage holds with the same meaning (pre-2023 files lack civilian_targeting and tags)
COMPARABLE = ["date_start", "time_precision", "event_type", "sub_event_type", "disorder_type", "actor1",
              "inter1", "assoc_actor_1", "actor2", "inter2", "interaction", "country", "admin1", "location",
              "latitude", "longitude", "geo_precision", "where_prec", "priogrid_gid", "fatalities_best", "notes",
              "source_outlet"]


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    out = tmp_path_factory.mktemp("acled")
    frames = {}
    for name in VINTAGES:
        target = out / (name + ".parquet")
        ingest_acled(DATA / name, target, progress=False)
        frames[name] = read_events(target).set_index("id")
    return frames


def _norm(v: object) -> object:
    import numpy as np

    if isinstance(v, (list, tuple, np.ndarray)):
        return list(v)
    if isinstance(v, np.generic):
        return v.item()
    return None if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA or v is pd.NaT else v


@pytest.mark.parametrize("name", VINTAGES[:-1] + VINTAGES[-1:])
def test_every_vintage_reads_to_the_same_values_as_the_api_csv(ingested: dict[str, pd.DataFrame], name: str) -> None:
    ref = ingested["acled_2023_api.csv"]
    df = ingested[name]
    common = ref.index.intersection(df.index)
    assert len(common) >= 10
    for col in COMPARABLE:
        for eid in common:
            a, b = _norm(ref.at[eid, col]), _norm(df.at[eid, col])
            if col == "assoc_actor_1" and a is None and b == []:
                continue
            if col == "notes" and name == "acled_pre2023_export.csv":  # one note there has an update appended
                assert isinstance(b, str) and b.startswith(str(a)), (eid, b)
                continue
            assert a == b, (name, eid, col, a, b)


def test_old_layout_keeps_its_own_columns_and_derives_disorder_type(ingested: dict[str, pd.DataFrame]) -> None:
    old = ingested["acled_pre2023_export.csv"]
    assert old.loc["SYR100201", "acled_data_id"] == 9000000
    assert old.loc["SYR100201", "acled_iso3"] == "SYR"
    assert old.loc["SYR100201", "acled_event_id_no_cnty"] == "100201"
    assert old.loc["SYR100311", "disorder_type"] == "Strategic developments"
    assert old["civilian_targeting"].isna().all()  # the old layout had no such column: unknown, not False
    assert old.loc["SYR100412", "actor1"] == "Protesters (Syria)"  # the old "Protestors" spelling, renamed


def test_labels_protestors_civilians_targeted_and_en_dash(ingested: dict[str, pd.DataFrame]) -> None:
    lab = ingested["acled_2024_labels_export.csv"]
    assert lab.loc["SYR100412", "inter1"] == 6          # "Protestors"
    assert lab.loc["SYR100412", "interaction"] == 60    # "Protesters only"
    assert lab.loc["IRQ20011", "interaction"] == 12     # "State forces\u2013Rebel group" with an en dash
    assert bool(lab.loc["IRQ20019", "civilian_targeting"]) is True   # "Civilians targeted"
    assert bool(lab.loc["SYR100250", "civilian_targeting"]) is True  # "Civilian targeting"
    assert bool(lab.loc["SYR100201", "civilian_targeting"]) is False
    assert pd.isna(lab.loc["SYR100412", "inter2"])       # no second actor


def test_notes_round_trip_exactly(ingested: dict[str, pd.DataFrame]) -> None:
    old = ingested["acled_pre2023_export.csv"]
    note = old.loc["SYR100201", "notes"]
    assert "\u2013" in note and '"dozens"' in note and "\nUpdated" in note
    api = ingested["acled_2023_api.csv"]
    assert "\u0644\u0627 \u0644\u0644\u062a\u0647\u062c\u064a\u0631" in api.loc["SYR100412", "notes"]
    assert api.loc["SYR100250", "notes"].count("\u0630\u064a\u0628\u0627\u0646") == 1
    swe = ingested["acled_2024_labels_export.csv"].loc["SWE1002"]
    assert swe["admin1"] == "\u00d6sterg\u00f6tland" and swe["country"] == "SE"


def test_population_columns_and_lists(ingested: dict[str, pd.DataFrame]) -> None:
    pop = ingested["acled_2025_api_population.csv"]
    assert pop.loc["SYR100201", "acled_population_best"] == 1200 * 3
    assert list(pop.loc["SYR100311", "assoc_actor_1"]) == ["Global Coalition Against Daesh"]
    assert list(pop.loc["SYR100412", "tags"]) == ["crowd size=around 200"]


def test_shared_columns_have_the_incident_schema_types(tmp_path: Path) -> None:
    out = tmp_path / "a.parquet"
    ingest_acled(DATA / "acled_2023_api.csv", out, progress=False)
    schema = pq.read_schema(out)
    inc = incident_schema()
    for name in SHARED_COLUMNS:
        assert schema.field(name).type == inc.field(name).type, name


def test_several_files_give_one_union_schema_and_unknown_columns_are_kept(tmp_path: Path) -> None:
    import csv

    extra = tmp_path / "with_extra.csv"
    with open(DATA / "acled_2023_api.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    with open(extra, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([rows[0] + ["analyst_comment"]] + [r + ["checked"] for r in rows[1:]])
    out = tmp_path / "all.parquet"
    result = ingest_acled([DATA / "acled_pre2023_export.csv", extra, DATA / "acled_2025_api_population.csv"], out,
                          progress=False)
    df = read_events(out)
    assert result.total == len(df) == 14 + 12 + 14
    assert (df["acled_analyst_comment"] == "checked").sum() == 12
    assert df["acled_population_best"].notna().sum() == 14
    assert df["acled_data_id"].notna().sum() == 14
    assert (df["dataset"] == "acled").all()


def test_streaming_in_small_batches_gives_the_same_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    ingest_acled(DATA / "acled_pre2023_export.csv", a, progress=False)
    monkeypatch.setattr(_stream, "BLOCK_SIZE", 1024)   # many batches, records spanning block boundaries
    monkeypatch.setattr(_stream, "GROUP_ROWS", 3)
    ingest_acled(DATA / "acled_pre2023_export.csv", b, progress=False)
    assert pq.read_table(a).to_pylist() == pq.read_table(b).to_pylist()
    assert pq.ParquetFile(b).metadata.num_row_groups > 1


def test_combine_with_incidents_keeps_categoricals(tmp_path: Path) -> None:
    out = tmp_path / "a.parquet"
    ingest_acled(DATA / "acled_2024_labels_export.csv", out, progress=False)
    events = read_events(out)
    incidents = incidentkit.read_incidents(Path(__file__).parents[1] / "datasets") if \
        (Path(__file__).parents[1] / "datasets" / "incidents.parquet").exists() else events.iloc[:0]
    df = combine(incidents, events)
    assert isinstance(df["event_type"].dtype, pd.CategoricalDtype)
    assert isinstance(df["country"].dtype, pd.CategoricalDtype)
    assert str(df["inter1"].dtype) == "Int8"
    assert set(df["dataset"].cat.categories) >= {"acled"}
    assert len(df) == len(incidents) + len(events)
    by = df.groupby(["dataset", "event_type"], observed=True).size()
    assert by.loc[("acled", "Protests")] == 3


def test_cli_progress_bar_on_request(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from incidentkit.cli import main

    out = tmp_path / "a.parquet"
    res = CliRunner().invoke(main, ["ingest", "acled", str(DATA / "acled_2023_api.csv"), str(DATA / "acled_api.json"),
                                    "-o", str(out), "--progress"])
    assert res.exit_code == 0, res.output
    assert "ACLED: 100%" in res.output
    assert "Wrote 22 events" in res.output
    quiet = CliRunner().invoke(main, ["ingest", "acled", str(DATA / "acled_2023_api.csv"), "-o", str(out),
                                      "--no-progress"])
    assert "%" not in quiet.output


def test_same_input_same_bytes(tmp_path: Path) -> None:
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    files = [DATA / "acled_pre2023_export.csv", DATA / "acled_api.json"]
    ingest_acled(files, a, progress=False)
    ingest_acled(files, b, progress=False)
    assert a.read_bytes() == b.read_bytes()
