"""Ingest on Dask: one task per file gives the local engine's output; errors stay located; no leftovers."""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from incidentkit.cli import main
from incidentkit.errors import InputFileError, MissingDependencyError
from incidentkit.external import ingest_acled

distributed = pytest.importorskip("distributed")

ACLED = Path(__file__).parent / "data" / "acled"
FILES = [ACLED / "acled_2023_api.csv", ACLED / "acled_2024_labels_export.csv", ACLED / "acled_pre2023_export.csv",
         ACLED / "acled_api.json"]


@pytest.fixture(scope="module")
def scheduler():
    """Two worker processes on 127.0.0.1, no dashboard, for the whole module (a cluster starts in seconds)."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, silence_logs=40) as cluster:
        yield cluster.scheduler_address


def test_dask_output_equals_local_output_row_for_row(tmp_path, scheduler):
    local = ingest_acled(FILES, tmp_path / "local.parquet", progress=False)
    dask = ingest_acled(FILES, tmp_path / "dask.parquet", progress=False, engine="dask", scheduler=scheduler)
    assert dask.rows == local.rows and dask.total == local.total > 0
    a, b = pq.read_table(local.output), pq.read_table(dask.output)
    assert a.schema == b.schema and a.equals(b)
    # the same row groups: four small files gather into one (GDELT's 15-minute files would otherwise make
    # a year a file of 35,000 tiny row groups)
    assert pq.ParquetFile(local.output).num_row_groups == pq.ParquetFile(dask.output).num_row_groups == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dask.parquet", "local.parquet"]  # no parts left


def test_a_bad_file_is_named_with_its_line_and_nothing_is_written(tmp_path, scheduler):
    bad = tmp_path / "bad.csv"
    text = FILES[0].read_text(encoding="utf-8")
    assert text.endswith("\n")
    second = text.splitlines()[1]
    bad.write_text(text + second.replace(second.split(",")[1], "2022-13-45", 1) + "\n", encoding="utf-8")
    line = text.count("\n") + 1  # the appended record's physical line
    out = tmp_path / "out.parquet"
    with pytest.raises(InputFileError) as info:
        ingest_acled([FILES[1], bad, FILES[2]], out, progress=False, engine="dask", scheduler=scheduler)
    assert str(info.value).startswith(f"{bad}:{line}: event_date:") and "2022-13-45" in str(info.value)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.csv"]  # neither output nor part files


def test_the_first_failing_file_in_input_order_is_reported(tmp_path, scheduler):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("not,an,acled,file\n1,2,3,4\n", encoding="utf-8")
    second.write_bytes(b"\x00\x01binary")
    for _ in range(2):  # whichever finishes first, the same error
        with pytest.raises(InputFileError) as info:
            ingest_acled([FILES[0], first, second], tmp_path / "o.parquet", progress=False, engine="dask",
                         scheduler=scheduler)
        assert str(info.value).startswith(f"{first}:")


def test_cli_engine_dask(tmp_path, scheduler):
    out = tmp_path / "o.parquet"
    r = CliRunner().invoke(main, ["ingest", "acled", *map(str, FILES[:2]), "-o", str(out), "--engine", "dask",
                                  "--scheduler", scheduler, "--no-progress"])
    assert r.exit_code == 0, r.output
    assert pq.read_table(out).num_rows == sum(int(line.split(": ")[1].split()[0]) for line in r.output.splitlines()
                                              if line.startswith(str(ACLED)))


def test_without_dask_the_message_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'incidentkit\[dask\]'"):
        ingest_acled(FILES[:1], tmp_path / "o.parquet", engine="dask")
    r = CliRunner().invoke(main, ["ingest", "acled", str(FILES[0]), "-o", str(tmp_path / "o.parquet"),
                                  "--engine", "dask"])
    assert r.exit_code == 2 and "incidentkit[dask]" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "o.parquet").exists()


def test_an_unreachable_scheduler_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.setattr("incidentkit.cluster.CONNECT_TIMEOUT", "1s")
    r = CliRunner().invoke(main, ["ingest", "acled", str(FILES[0]), "-o", str(tmp_path / "o.parquet"),
                                  "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9"])
    assert r.exit_code == 2 and "cannot reach the Dask scheduler" in r.output


def test_row_groups_gather_batches_across_files_by_one_sequence_rule():
    import pyarrow as pa

    from incidentkit.external._stream import RowGroups

    written: list[int] = []
    groups = RowGroups(lambda t: written.append(t.num_rows), rows=10)
    for n in (12, 12, 3, 4, 12, 2):  # a file of 2 full batches and a tail, two small files, ...
        groups.add(pa.table({"x": list(range(n))}))
    groups.flush()
    assert written == [12, 12, 19, 2]
    groups.flush()
    assert written == [12, 12, 19, 2]  # nothing pending, nothing written


def test_task_groups_take_consecutive_files_up_to_a_size():
    from incidentkit.external.parallel import task_groups

    assert task_groups([10, 10, 10, 10, 10], task_bytes=25) == [range(0, 3), range(3, 5)]
    assert task_groups([100, 1, 1], task_bytes=25) == [range(0, 1), range(1, 3)]
    assert task_groups([], task_bytes=25) == []


def test_many_small_files_in_several_tasks_give_the_local_table(tmp_path, scheduler, monkeypatch):
    """Files split over tasks (a small TASK_BYTES) still give the local engine's rows, groups, dictionaries."""
    import incidentkit.external.parallel as parallel

    monkeypatch.setattr(parallel, "TASK_BYTES", 1)  # one task per file; read on the client, not the workers
    files = FILES * 3
    local = ingest_acled(files, tmp_path / "l.parquet", progress=False)
    dask = ingest_acled(files, tmp_path / "d.parquet", progress=False, engine="dask", scheduler=scheduler)
    assert pq.read_table(local.output).equals(pq.read_table(dask.output))
    assert pq.ParquetFile(dask.output).num_row_groups == pq.ParquetFile(local.output).num_row_groups
