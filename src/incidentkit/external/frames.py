"""Ingested events as pandas, and one frame holding our incidents next to ACLED and UCDP events.

:func:`read_events` converts exactly as :func:`incidentkit.read_incidents` does (categoricals, real dates,
nullable integer codes), so :func:`combine` can stack the frames without a dtype conflict.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from incidentkit.dataset import to_pandas
from incidentkit.errors import InputFileError


def read_events(path: str | os.PathLike[str], columns: list[str] | None = None) -> pd.DataFrame:
    """An ingested ACLED/UCDP Parquet file as a DataFrame (the same dtypes as ``read_incidents``).

    >>> events = read_events("acled.parquet")                              # doctest: +SKIP
    >>> events.query("country == 'SY'").groupby("event_type", observed=True).size()  # doctest: +SKIP
    """
    p = Path(path)
    try:
        table = pq.read_table(p, columns=columns)
    except (OSError, ValueError) as exc:
        raise InputFileError(f"{p}: not a readable ingested Parquet file ({exc})", code="file-unreadable") from None
    return to_pandas(table)


def _missing(dtype: object, index: pd.Index) -> pd.Series:
    """An all-missing column of ``dtype`` (categoricals start as object; their categories are merged later)."""
    if isinstance(dtype, pd.CategoricalDtype):
        dtype = "object"
    try:
        return pd.Series([None] * len(index), index=index, dtype=dtype)
    except (TypeError, ValueError):
        return pd.Series([None] * len(index), index=index, dtype="object")


def combine(incidents: pd.DataFrame, *external: pd.DataFrame) -> pd.DataFrame:
    """Stack our incidents and any number of ingested external frames into one, with a ``dataset`` column.

    Columns present in only some frames are kept (missing cells are NA, typed like the frames that have
    them); categorical columns get the union of the categories, so ``observed=True`` group-bys work.

    >>> df = combine(read_incidents("datasets"), read_events("acled.parquet"))  # doctest: +SKIP
    >>> df.groupby(["dataset", "event_type"], observed=True).fatalities_best.sum()  # doctest: +SKIP
    """
    frames = [incidents.assign(dataset=incidents["dataset"] if "dataset" in incidents else "incidentkit")]
    frames += list(external)
    columns: list[str] = []
    for f in frames:
        columns += [c for c in f.columns if c not in columns]
    dtypes: dict[str, object] = {}
    for f in frames:
        for c in f.columns:
            dtypes.setdefault(c, f[c].dtype)
    aligned = []
    for f in frames:
        f = f.copy()
        for c in columns:
            if c not in f.columns:
                f[c] = _missing(dtypes[c], f.index)
        aligned.append(f[columns])
    cats = {c for c in columns if any(isinstance(f[c].dtype, pd.CategoricalDtype) for f in aligned)}
    for c in cats:
        parts = [f[c] if isinstance(f[c].dtype, pd.CategoricalDtype) else f[c].astype("category") for f in aligned]
        union: list[object] = []
        for part in parts:  # first frame's order first: the codebook's vocabulary order is kept
            union += [v for v in part.cat.categories if v not in union]
        for f, part in zip(aligned, parts):
            f[c] = part.cat.set_categories(union)
    out = pd.concat(aligned, ignore_index=True)
    out["dataset"] = out["dataset"].astype("category")
    return out
