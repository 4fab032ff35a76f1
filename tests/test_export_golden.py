"""Back-compatibility: the dataset written by incidentkit 0.1.0 keeps reading and exporting."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from incidentkit.codebook.schema import COLUMN_NAMES
from incidentkit.dataset import read_incidents, read_table
from incidentkit.export import to_acled, to_ucdp, write_geoparquet, write_spreadsheet

GOLDEN = sorted((Path(__file__).resolve().parent / "data" / "golden").glob("v*"))


@pytest.mark.parametrize("folder", GOLDEN, ids=lambda p: p.name)
def test_golden_dataset_reads_with_todays_schema(folder: Path) -> None:
    table = read_table(folder)
    assert tuple(table.column_names[: len(COLUMN_NAMES)]) == COLUMN_NAMES
    df = read_incidents(folder)
    assert len(df) == pq.read_metadata(folder / "incidents.parquet").num_rows
    row = df.set_index("id").loc["enab-2023-03-31-roundup-02"]
    assert row["location"] == "Dar'a - درعا البلد" and bool(row["civilian_targeting"])
    assert row["date_start"] == dt.datetime(2023, 3, 12)


@pytest.mark.parametrize("folder", GOLDEN, ids=lambda p: p.name)
def test_golden_dataset_still_exports(folder: Path, tmp_path: Path) -> None:
    table = read_table(folder)
    assert to_acled(table).num_rows >= table.num_rows
    assert to_ucdp(table).num_rows >= 1
    write_geoparquet(table, tmp_path / "g.parquet")
    write_spreadsheet(table, tmp_path / "s.xlsx")
    assert (tmp_path / "g.parquet").stat().st_size > 0
