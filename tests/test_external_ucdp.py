"""UCDP GED ingest on the real 1,000-row GED 23.1 sample and on a file carrying the full file's quirks."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from incidentkit.cli import main
from incidentkit.codebook.schema import incident_schema
from incidentkit.external import read_events
from incidentkit.external.schema import SHARED_COLUMNS

SAMPLE = Path(__file__).parent / "data" / "reference" / "ucdp_ged_23_1_sample.csv"
QUIRKS = Path(__file__).parent / "data" / "ucdp" / "ged_quirks.csv"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, list[dict[str, str]], Path]:
    out = tmp_path_factory.mktemp("ucdp") / "ged.parquet"
    res = CliRunner().invoke(main, ["ingest", "ucdp", str(SAMPLE), "-o", str(out), "--no-progress"])
    assert res.exit_code == 0, res.output
    assert "1000 events" in res.output
    with open(SAMPLE, newline="", encoding="utf-8") as fh:
        raw = list(csv.DictReader(fh))
    return read_events(out), raw, out


def test_every_row_kept_and_ids_are_clean(sample: tuple) -> None:
    df, raw, _ = sample
    assert len(df) == len(raw) == 1000
    assert df["id"].tolist() == [str(int(float(r["id"]))) for r in raw]
    assert (df["dataset"] == "ucdp").all()


def test_low_best_high_violations_are_kept_and_flagged(sample: tuple) -> None:
    df, raw, _ = sample
    expected = [not (float(r["low"]) <= float(r["best"]) <= float(r["high"])) for r in raw]
    assert sum(expected) == 13
    assert df["best_outside_low_high"].tolist() == expected
    assert df["quality_flags"].apply(lambda f: "best_outside_low_high" in f).tolist() == expected


def test_number_of_sources_minus_one_is_null(sample: tuple) -> None:
    df, raw, _ = sample
    minus = [float(r["number_of_sources"]) < 0 for r in raw]
    assert df["ucdp_number_of_sources"].isna().tolist() == minus
    assert sum(minus) == 326


def test_dates_precision_places_and_fatalities(sample: tuple) -> None:
    df, raw, _ = sample
    assert (df["date_end"] >= df["date_start"]).all()
    ranged = [r["date_start"] != r["date_end"] for r in raw]
    assert df["quality_flags"].apply(lambda f: "date_range" in f).tolist() == ranged
    assert df["country"].notna().all()
    assert (df["country"] == "SY").sum() == 265 and (df["country"] == "IQ").sum() == 19
    first = df.iloc[0]
    assert (first["fatalities_low"], first["fatalities_best"], first["fatalities_high"]) == (2, 2, 2)
    assert first["priogrid_gid"] == 181154 and first["where_prec"] == 1 and first["geo_precision"] == 1
    assert list(first["source_originators"]) == ["SOHR", "VDC"]
    assert first["ucdp_conflict_name"] == "Syria: Government"
    assert df["event_type"].isna().all()  # UCDP has no ACLED type; the linker uses type_of_violence
    assert set(df["type_of_violence"].dropna().astype(int)) <= {1, 2, 3}
    assert (df["time_precision"].isin([1, 2, 3])).all()


def test_shared_columns_have_incident_types(sample: tuple) -> None:
    schema = pq.read_schema(sample[2])
    for name in SHARED_COLUMNS:
        assert schema.field(name).type == incident_schema().field(name).type


def test_quirks_file(tmp_path: Path) -> None:
    out = tmp_path / "q.parquet"
    from incidentkit.external import ingest_ucdp

    ingest_ucdp(QUIRKS, out, progress=False)
    df = read_events(out)
    assert list(df.loc[0, "ucdp_gwnoa"]) == [645, 2]
    assert pd.isna(df.loc[1, "ucdp_number_of_sources"])
    assert bool(df.loc[2, "best_outside_low_high"]) and df.loc[2, "fatalities_low"] == 5
    assert df.loc[3, "date_start"] == pd.Timestamp("2014-06-09") and df.loc[3, "date_end"] == pd.Timestamp("2014-06-14")
    assert df.loc[3, "time_precision"] == 2 and df.loc[3, "ucdp_date_prec"] == 2
