"""Shared writers of the exports: deterministic CSV and Parquet from an Arrow table.

CSV goes through pandas because its text form is the one analysts' tools expect from these layouts
(unquoted header, floats written with their decimal point such as ``300380.0`` as UCDP's own files do,
ints without one, empty cells for missing values, ``\\n`` line ends, UTF-8 without a BOM).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import pyarrow as pa
import pyarrow.parquet as pq

from incidentkit.dataset import PARQUET_OPTIONS


def _nullable_ints(dtype: pa.DataType) -> object:
    import pandas as pd

    if pa.types.is_integer(dtype):
        return pd.Int64Dtype()
    if pa.types.is_boolean(dtype):
        return pd.BooleanDtype()
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
        return pd.StringDtype()
    return None


def write_csv(table: pa.Table, path: str | os.PathLike[str]) -> None:
    """Write a flat table (no list or struct columns) as CSV, the same bytes for the same table."""
    frame = table.to_pandas(types_mapper=_nullable_ints, date_as_object=True)
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def write_parquet(table: pa.Table, path: str | os.PathLike[str]) -> None:
    """Parquet with the dataset's fixed options (no timestamps: same table, same bytes)."""
    pq.write_table(table, path, **PARQUET_OPTIONS)


def join_list(values: list[str] | None, sep: str = "; ") -> str | None:
    """ACLED and UCDP write several actors, tags or sources in one cell separated by '; '; none -> null."""
    return sep.join(values) if values else None


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


def stage_atomic(target: Path, writer: Callable[[Path], object]) -> None:
    """Write one file atomically: the writer fills a temporary file that then replaces the target."""
    from incidentkit.atomic import atomic_path

    with atomic_path(target) as tmp:
        writer(tmp)
