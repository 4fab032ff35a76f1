"""Shared writers of the exports: deterministic CSV and Parquet from an Arrow table.

The CSV text is the one analysts' tools expect from these layouts, and the one pandas' ``to_csv``
writes: unquoted header, floats as Python writes them (``300380.0`` as UCDP's own files, ``35.4681``,
``1e-05``), ints without a decimal point, ISO dates, empty cells for missing values, a cell quoted
(``"`` doubled) only when it holds a comma, a quote or a line break, ``\\n`` line ends, UTF-8 without
a BOM. It is built column by column with pyarrow.compute and joined row-wise in Arrow, in batches, so
a CSV of a million rows costs seconds, not minutes. ``pyarrow.csv.write_csv`` itself is not used: it
quotes every text cell and writes ``300380`` for a float, which would change the files' text.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from incidentkit.dataset import PARQUET_OPTIONS
from incidentkit.export._arrow import float_repr, plain


CSV_BATCH_ROWS = 65_536  # rows joined at a time: bounds memory and keeps Arrow's 32-bit offsets safe
_NEEDS_QUOTES = r'[,"\n\r]'
_SPECIAL_BYTES = (b",", b'"', b"\n", b"\r")  # the characters of _NEEDS_QUOTES


def _data_bytes(text: pa.Array) -> bytes:
    """The UTF-8 bytes of every cell of a string array, back to back."""
    wide = np.int64 if pa.types.is_large_string(text.type) else np.int32
    offsets, data = text.buffers()[1:3]
    if data is None:
        return b""
    first, last = np.frombuffer(offsets, wide)[text.offset:text.offset + len(text) + 1][[0, -1]]
    return memoryview(data)[first:last].tobytes()


def _quote_where_needed(text: pa.Array) -> pa.Array:
    """Quote (doubling inner quotes) only the cells that need it; the rest are left untouched."""
    data = _data_bytes(text)
    if not any(c in data for c in _SPECIAL_BYTES):  # most columns: a few memchr scans, nothing to quote
        return text
    needs = pc.fill_null(pc.match_substring_regex(text, _NEEDS_QUOTES), False)
    quote = pc.if_else(needs, '"', "")            # a quote around the cells that need one, nothing elsewhere
    return pc.binary_join_element_wise(quote, pc.replace_substring(text, '"', '""'), quote, "")


def csv_text(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """The CSV cells of one column (no nulls: a missing value is the empty cell)."""
    arr = plain(column)
    t = arr.type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        cells = _quote_where_needed(arr)
    elif pa.types.is_floating(t):
        cells = float_repr(arr)
    elif pa.types.is_boolean(t):
        cells = pc.if_else(arr, "True", "False")
    elif pa.types.is_integer(t) or pa.types.is_date(t):
        cells = arr.cast(pa.string())
    elif pa.types.is_null(t):
        cells = pa.nulls(len(arr), pa.string())
    else:
        raise TypeError(f"CSV cells of type {t} are not supported (flat tables only)")
    return cells.fill_null("") if cells.null_count else cells


def write_csv(table: pa.Table, path: str | os.PathLike[str]) -> None:
    """Write a flat table (no list or struct columns) as CSV, the same bytes for the same table."""
    header = ",".join(csv_text(pa.array(table.column_names, pa.string())).to_pylist()) + "\n"
    with open(path, "wb") as fh:
        fh.write(header.encode("utf-8"))
        for start in range(0, table.num_rows, CSV_BATCH_ROWS):
            batch = table.slice(start, CSV_BATCH_ROWS)
            cells = [csv_text(c) for c in batch.columns]
            cells[-1] = pc.binary_join_element_wise(cells[-1], "\n", "")      # the line end
            lines = pc.binary_join_element_wise(*cells, ",")
            fh.write(_data_bytes(lines))  # the lines lie back to back in the array's data buffer


def write_parquet(table: pa.Table, path: str | os.PathLike[str]) -> None:
    """Parquet with the dataset's fixed options (no timestamps: same table, same bytes)."""
    pq.write_table(table, path, **PARQUET_OPTIONS)


Stage = Callable[[Path, Callable[[Path], object]], object]


def write_tables(outputs: dict[str, pa.Table], out_dir: Path, stage: Stage) -> list[Path]:
    """Write named tables into ``out_dir`` (Parquet or CSV by suffix) through ``stage(target, writer)``.

    ``stage`` is :meth:`incidentkit.atomic.StagedFiles.write` in a build (published together) or
    :func:`stage_atomic` for one export on its own.
    """
    written = []
    for name, tbl in outputs.items():
        target = out_dir / name
        writer = write_parquet if name.endswith(".parquet") else write_csv
        stage(target, lambda tmp, w=writer, t=tbl: w(t, tmp))
        written.append(target)
    return written


class ParallelStage:
    """A ``stage`` that runs each file's writer in a thread pool, so the CSV text, the Parquet encoding
    and the hashing of different files overlap (Arrow releases the GIL).

    Each file is still written by one writer into its own staged file, so the bytes do not depend on
    the scheduling. Leaving the ``with`` block waits for every writer and raises the first failure
    (in submission order), so the caller's staging discards everything, as with a sequential write.
    An operating-system error in a writer thread (a full disk, a permission, an I/O error) is raised as
    the one-line ``file-unwritable`` error naming the file (:func:`incidentkit.atomic.writing`).
    """

    def __init__(self, stage: Stage, workers: int | None = None) -> None:
        self._stage = stage
        self._pool = ThreadPoolExecutor(max_workers=workers or min(4, os.cpu_count() or 1))
        self._futures: list[Future[object]] = []

    def __call__(self, target: Path, writer: Callable[[Path], object]) -> None:
        self._futures.append(self._pool.submit(self._write, target, writer))

    def _write(self, target: Path, writer: Callable[[Path], object]) -> object:
        from incidentkit.atomic import writing

        with writing(target):
            return self._stage(target, writer)

    def __enter__(self) -> "ParallelStage":
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=exc_type is not None)
        if exc_type is None:
            for future in self._futures:
                future.result()


def stage_atomic(target: Path, writer: Callable[[Path], object]) -> None:
    """Write one file atomically: the writer fills a temporary file that then replaces the target.

    An operating-system error while writing is the one-line ``file-unwritable`` error; the target is
    left as it was and no temporary file remains (:func:`incidentkit.atomic.atomic_path`).
    """
    from incidentkit.atomic import atomic_path

    with atomic_path(target) as tmp:
        writer(tmp)
