"""Assertions for people who build on incidentkit datasets (the geopandas ``testing`` habit).

A research team's own pipeline can pin that a re-coded or re-built dataset still holds what it held:

>>> from incidentkit.testing import assert_incidents_equal
>>> assert_incidents_equal("datasets", "datasets")             # doctest: +SKIP
"""

from __future__ import annotations

import os
from typing import Any, Sequence

import pyarrow as pa

from incidentkit.dataset import read_table, upgrade

TableLike = Any  # a dataset folder or file, an Arrow table, or a pandas DataFrame from read_incidents


def _table(data: TableLike) -> pa.Table:
    if isinstance(data, pa.Table):
        return upgrade(data)
    if isinstance(data, (str, os.PathLike)):
        return read_table(data)
    return upgrade(pa.Table.from_pandas(data, preserve_index=False))


def assert_incidents_equal(left: TableLike, right: TableLike, *, ignore: Sequence[str] = ("record_line",),
                           check_order: bool = False) -> None:
    """Raise ``AssertionError`` naming the first incident and column that differ.

    Rows are matched by incident ``id`` (unless ``check_order``); columns in ``ignore`` are skipped
    (by default ``record_line``, which moves when a coder edits comments above an incident).
    """
    a, b = _table(left), _table(right)
    if not check_order:
        a, b = a.sort_by("id"), b.sort_by("id")
    ids_a, ids_b = a.column("id").to_pylist(), b.column("id").to_pylist()
    if ids_a != ids_b:
        only_a = sorted(set(ids_a) - set(ids_b))[:5]
        only_b = sorted(set(ids_b) - set(ids_a))[:5]
        raise AssertionError(f"different incidents: only in left {only_a}, only in right {only_b}"
                             if only_a or only_b else "same incidents in a different order")
    for name in a.column_names:
        if name in ignore:
            continue
        if name not in b.column_names:
            raise AssertionError(f"column {name!r} is missing on the right")
        va, vb = a.column(name).to_pylist(), b.column(name).to_pylist()
        if va != vb:
            i = next(k for k, (x, y) in enumerate(zip(va, vb)) if x != y)
            raise AssertionError(f"incident {ids_a[i]!r}, column {name!r}: {va[i]!r} != {vb[i]!r}")
    extra = [n for n in b.column_names if n not in a.column_names and n not in ignore]
    if extra:
        raise AssertionError(f"columns only on the right: {extra}")
