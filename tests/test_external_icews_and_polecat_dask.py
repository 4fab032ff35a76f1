"""ICEWS and POLECAT on the Dask engine (one task per file, zip members included): the local engine's table,
and a broken POLECAT line still named by its physical line from a worker."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from incidentkit.errors import InputFileError
from incidentkit.external.icews import ingest_icews
from incidentkit.external.polecat import ingest_polecat

distributed = pytest.importorskip("distributed")

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def scheduler():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, silence_logs=40) as cluster:
        yield cluster.scheduler_address


@pytest.mark.parametrize("reader", [ingest_icews, ingest_polecat])
def test_dask_output_equals_local_output(tmp_path: Path, scheduler: str, reader) -> None:
    folder = DATA / ("icews" if reader is ingest_icews else "polecat")
    local = reader(folder, tmp_path / "local.parquet", progress=False)
    dask = reader(folder, tmp_path / "dask.parquet", progress=False, engine="dask", scheduler=scheduler)
    assert dask.rows == local.rows and dask.total == local.total == 13
    assert pq.read_table(local.output).equals(pq.read_table(dask.output))


def test_a_broken_line_is_located_on_a_worker(tmp_path: Path, scheduler: str) -> None:
    src = DATA / "polecat" / "ngecEvents.20230103111842.Release603.DV.txt"
    data = src.read_bytes()
    bad = tmp_path / "week.txt"
    bad.write_bytes(data[:data.index(b"Forces arm")])
    with pytest.raises(InputFileError, match=r"week\.txt:9: Actor Country:"):
        ingest_polecat([src, bad], tmp_path / "o.parquet", progress=False, engine="dask", scheduler=scheduler)
    assert not (tmp_path / "o.parquet").exists()
