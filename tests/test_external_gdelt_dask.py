"""GDELT on the Dask engine (one task per file or zip member): the local engine's table, the same event groups,
and a broken line still named by its file, member and line from a worker."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from incidentkit.errors import InputFileError
from incidentkit.external.gdelt import ingest_gdelt

distributed = pytest.importorskip("distributed")

DATA = Path(__file__).parent / "data" / "gdelt"


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, silence_logs=40) as cluster:
        yield cluster.scheduler_address


def test_dask_output_equals_local_output(tmp_path: Path, scheduler: str) -> None:
    local = ingest_gdelt(DATA, tmp_path / "local.parquet", progress=False)
    dask = ingest_gdelt(DATA, tmp_path / "dask.parquet", progress=False, engine="dask", scheduler=scheduler)
    assert dask.rows == local.rows and dask.total == local.total == 19
    assert pq.read_table(local.output).equals(pq.read_table(dask.output))


def test_a_broken_member_is_located_on_a_worker(tmp_path: Path, scheduler: str) -> None:
    lines = (DATA / "20240501000000.export.CSV").read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "20240501003000.export.CSV.zip"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("20240501003000.export.CSV", "\n".join([*lines[:3], lines[3][:200]]) + "\n")
    with pytest.raises(InputFileError, match=r"\[20240501003000\.export\.CSV\]:4: "):
        ingest_gdelt([DATA / "20240501000000.export.CSV", bad], tmp_path / "o.parquet", progress=False,
                     engine="dask", scheduler=scheduler)
    assert not (tmp_path / "o.parquet").exists()
