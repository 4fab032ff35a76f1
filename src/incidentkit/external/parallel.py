"""Ingest many files in parallel on Dask distributed: consecutive files per task, parts in input order.

GDELT publishes a file every 15 minutes (35,000 a year); ICEWS and POLECAT one per year or week. Files
convert independently, so consecutive files, about :data:`TASK_BYTES` of them, become one Dask task
that runs the ordinary streaming reader (:func:`incidentkit.external._stream.run`) into a part file,
one row group per batch; the client then gathers the parts' batches into row groups by the local
engine's rule (:class:`~incidentkit.external._stream.RowGroups`), in the order the files were given,
re-encoding dictionary columns as one reader grows them. The output holds the same rows, in the same
order, with the same row groups and dictionaries as the local engine's, so a researcher may switch
engines without their results moving.

Part files are written in a folder beside the output, which the workers must be able to reach: on one
machine that is always so; on a cluster the output must be on a shared file system (as it is on Slurm
clusters' home and scratch file systems). The folder is removed whatever happens, and the output is
written atomically: an error in any file leaves no output and names the first failing file (in input
order, so the same files always give the same error).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import pyarrow as pa
import pyarrow.parquet as pq

from incidentkit.atomic import atomic_path
from incidentkit.cluster import dask_client
from incidentkit.progress import progress as progress_bar, size_text


#: Input bytes one task converts at least: GDELT's 15-minute files are 100-500 kB each, and a task per
#: file would spend more time being scheduled and opening its part than converting.
TASK_BYTES = 64 << 20


def _convert_group(first: int, sources: list[Any], part: str, schema: pa.Schema, convert: Callable[[Any], Any],
                   unknown: Mapping[str, str]) -> tuple[int, dict[str, int]]:
    """The task: consecutive sources into one part file, one row group per batch (the client gathers the
    batches of every part into row groups by the local engine's rule); (first source's index, rows)."""
    from incidentkit.external._stream import run

    result = run(sources, part, schema, convert, unknown, progress=False, group_rows=1)
    return first, result.rows


def task_groups(sizes: Sequence[int], task_bytes: int | None = None) -> list[range]:
    """Consecutive sources per task: each group reaches ``task_bytes`` (:data:`TASK_BYTES`) or ends the list."""
    task_bytes = TASK_BYTES if task_bytes is None else task_bytes
    groups: list[range] = []
    start, acc = 0, 0
    for k, size in enumerate(sizes):
        acc += size
        if acc >= task_bytes:
            groups.append(range(start, k + 1))
            start, acc = k + 1, 0
    if start < len(sizes):
        groups.append(range(start, len(sizes)))
    return groups


def run_on_dask(sources: Sequence[Any], out: str | os.PathLike[str], schema: pa.Schema,
                convert: Callable[[Any], Any], unknown: Mapping[str, str], *, progress: bool | None = None,
                desc: str = "ingest", scheduler: str | None = None, workers: int | None = None) -> Any:
    """:func:`incidentkit.external._stream.run` with one Dask task per source; the same output."""
    from incidentkit.external._stream import (NO_STATISTICS, PARQUET_OPTIONS, UNIQUE_COLUMNS, IngestResult,
                                              RowGroups)
    from incidentkit.paths import refuse_overwriting_inputs

    out = Path(out)
    refuse_overwriting_inputs([out], [s.path for s in sources])
    sizes = [s.size for s in sources]
    total = sum(sizes)
    out.parent.mkdir(parents=True, exist_ok=True)
    parts_dir = Path(tempfile.mkdtemp(prefix=f".{out.name}.parts-", dir=out.parent))
    try:
        with dask_client(scheduler, workers) as client:
            from distributed import as_completed

            groups = task_groups(sizes)
            parts = [str(parts_dir / f"{k:06d}.parquet") for k in range(len(groups))]
            futures = [client.submit(_convert_group, g.start, [sources[j] for j in g], parts[k], schema, convert,
                                     unknown, pure=False,
                                     key=f"incidentkit-ingest-{k}-{os.getpid()}-{id(parts_dir)}")
                       for k, g in enumerate(groups)]
            rows: dict[str, int] = {}
            failed: dict[int, BaseException] = {}
            with progress_bar(desc=f"{desc} on Dask", total=total, unit="B", unit_scale=True, show=progress,
                              leave=True, note=f"ingesting {desc} on Dask ({len(sources)} files, "
                                               f"{size_text(total)})...") as bar:
                position = {fut.key: k for k, fut in enumerate(futures)}
                for fut in as_completed(futures):
                    k = position[fut.key]
                    if fut.status == "error":
                        failed[k] = fut.exception()
                    bar.update(sum(sizes[j] for j in groups[k]))
            if failed:  # the first failing file in input order: the same files give the same error
                raise failed[min(failed)]
            for fut in futures:
                _, counts = fut.result()
                rows.update(counts)
        dictionary = [f.name for f in schema if f.name not in UNIQUE_COLUMNS]
        statistics = [f.name for f in schema if f.name not in NO_STATISTICS]
        with atomic_path(out) as tmp, pq.ParquetWriter(tmp, schema, use_dictionary=dictionary,
                                                       write_statistics=statistics, **PARQUET_OPTIONS) as pw:
            grown = _GrowingDictionaries(schema)
            # a part's row groups are its files' batches, one each: the local engine's rule over them, in
            # input order, gives the local engine's row groups
            groups = RowGroups(lambda t: pw.write_table(t, row_group_size=1 << 30))
            for part in parts:
                pf = pq.ParquetFile(part)
                for g in range(pf.num_row_groups):
                    groups.add(grown.recode(pf.read_row_group(g).cast(schema)))
                pf.close()
            groups.flush()
    finally:
        shutil.rmtree(parts_dir, ignore_errors=True)
    return IngestResult(out, rows, schema)


class _GrowingDictionaries:
    """Re-encode the parts' dictionary columns as one reader would have grown them over the files in order.

    The local engine encodes, say, ``country`` with one dictionary growing across files (Syria, Iraq,
    then Nigeria from the third file); each Dask task starts its own. Appending each part's unseen
    values in its order gives back the local engine's dictionaries, so both engines write the same
    table, dictionaries included, not only the same values.
    """

    def __init__(self, schema: pa.Schema) -> None:
        self.columns = [f.name for f in schema if pa.types.is_dictionary(f.type)]
        self.values: dict[str, list[Any]] = {c: [] for c in self.columns}
        self.index: dict[str, dict[Any, int]] = {c: {} for c in self.columns}

    def recode(self, table: pa.Table) -> pa.Table:
        import numpy as np

        for name in self.columns:
            col = table.column(name).combine_chunks()
            if isinstance(col, pa.ChunkedArray):  # an empty column
                continue
            values, index = self.values[name], self.index[name]
            mapping = []
            for v in col.dictionary.to_pylist():
                if v not in index:
                    index[v] = len(values)
                    values.append(v)
                mapping.append(index[v])
            lut = np.asarray(mapping, dtype=np.int64)
            indices = col.indices
            mask = indices.is_null().to_numpy(zero_copy_only=False)
            codes = lut[indices.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)] if len(lut) else \
                np.zeros(len(indices), dtype=np.int64)
            new = pa.DictionaryArray.from_arrays(pa.array(codes, col.type.index_type, mask=mask),
                                                 pa.array(values, col.type.value_type))
            table = table.set_column(table.schema.get_field_index(name), table.schema.field(name), new)
        return table


__all__ = ["run_on_dask", "task_groups"]
