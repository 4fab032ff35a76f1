"""Whole-column operations the ACLED and UCDP layouts share, so no layout loops over rows in Python.

The layouts' rules (disorder type, interaction labels, UCDP side names, regions, ...) are plain Python
functions of a few values each. A dataset holds few distinct combinations of those values (a few dozen
countries, actor types, event types), so :func:`map_distinct` calls a rule once per distinct
combination and spreads the results over the rows with a ``take``: the rules stay written once, as
readable scalar functions, while the per-row work runs in Arrow and numpy.

The other helpers spell Python's truthiness idioms (``x or None``, ``a or b``, ``"; ".join(xs) if xs
else None``) on whole columns, with exactly the same results as the scalar idioms.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

Column = pa.Array | pa.ChunkedArray


def plain(column: Column) -> pa.Array:
    """One contiguous array with dictionary columns decoded to their values."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(arr.type.value_type)
    return arr


def ints(column: Column, fill: int = 0) -> np.ndarray:
    """An integer column as int64 numpy values, nulls replaced by ``fill``."""
    return plain(column).cast(pa.int64()).fill_null(fill).to_numpy(zero_copy_only=False)


def day_numbers(column: Column) -> np.ndarray:
    """A date column (no nulls) as days since 1970-01-01 (int64)."""
    return plain(column).cast(pa.int32()).cast(pa.int64()).to_numpy(zero_copy_only=False)


def map_distinct(func: Callable[..., Any], *columns: Column | np.ndarray, type: pa.DataType) -> pa.Array:
    """``[func(*row) for row in zip(*columns)]`` as an Arrow array, calling ``func`` once per distinct row.

    Nulls are passed to ``func`` as None, like ``to_pylist()`` would; numpy columns pass numpy scalars
    converted to Python values.
    """
    columns = tuple(pa.array(c) if isinstance(c, np.ndarray) else plain(c) for c in columns)
    n = len(columns[0]) if columns else 0
    if n == 0:
        return pa.array([], type=type)
    # key = the row's number among the distinct rows so far; kept dense after every column, so it
    # cannot overflow however many columns and values there are
    key = np.zeros(n, dtype=np.int64)
    steps = []
    for col in columns:
        enc = pc.dictionary_encode(col, null_encoding="encode")
        size = len(enc.dictionary)
        distinct, inverse = np.unique(key * size + enc.indices.cast(pa.int64()).to_numpy(), return_inverse=True)
        key = inverse.reshape(-1)
        steps.append((enc.dictionary.to_pylist(), size, distinct.tolist()))
    results = []
    for k in range(len(steps[-1][2])):
        args = []
        for values, size, distinct in reversed(steps):
            k, i = divmod(distinct[k], size)
            args.append(values[i])
        results.append(func(*reversed(args)))
    return pa.array(results, type=type).take(pa.array(key))


def or_null(column: Column) -> pa.Array:
    """``value or None`` for every row: empty strings (or zeros) become null."""
    arr = plain(column)
    empty = pc.equal(arr, pa.scalar("" if pa.types.is_string(arr.type) else 0, arr.type))
    return pc.if_else(empty, pa.scalar(None, arr.type), arr)


def or_else(first: Column, second: Column) -> pa.Array:
    """``first or second`` for every row of two text columns."""
    a = plain(first)
    return pc.if_else(pc.fill_null(pc.not_equal(a, ""), False), a, plain(second))


def join_lists(column: Column, sep: str = "; ") -> pa.Array:
    """``sep.join(values) if values else None`` for every row of a list-of-text column."""
    arr = plain(column)
    joined = pc.binary_join(arr, sep)
    return pc.if_else(pc.greater(pc.list_value_length(arr), 0), joined, pa.scalar(None, joined.type))


def concat_text(*parts: Column | str) -> pa.Array:
    """Row-wise ``f"{a}{b}..."``: text columns and literal strings concatenated; a null prints as "None",
    as in an f-string."""
    args = [p if isinstance(p, str) else plain(p) for p in parts]
    return pc.binary_join_element_wise(*args, "", null_handling="replace", null_replacement="None")


def float_repr(column: Column) -> pa.Array:
    """``repr(x)`` of every float (null stays null): the text Python, pandas and UCDP's files write,
    ``300380.0``, ``35.4681``, ``1e-05``.

    Both Python and Arrow write a float's shortest round-trip digits; they differ only in layout (Arrow
    writes ``300380`` and ``1e-05`` as ``0.00001``). So whole numbers below 1e16 (counts, years, ids) are
    Arrow's integer text + ``".0"``; other values in repr's positional range [1e-4, 1e16) take Arrow's
    text when it is positional too (a check over 42 million values found no difference from repr);
    the rest (tiny, huge, -0.0, inf, nan) go through ``repr``, once per distinct value.
    """
    arr = plain(column).cast(pa.float64())
    x = arr.fill_null(0.0).to_numpy(zero_copy_only=False)
    size = np.abs(x)
    with np.errstate(invalid="ignore"):  # trunc of inf or nan
        whole = np.isfinite(x) & (x == np.trunc(x)) & (size < 1e16) & ~((x == 0) & np.signbit(x))
    as_int = pc.binary_join_element_wise(pa.array(np.where(whole, x, 0).astype(np.int64)).cast(pa.string()), ".0", "")
    arrow = pc.cast(pa.array(x), pa.string())
    positional = pc.and_(pc.match_substring(arrow, "."), pc.invert(pc.match_substring(arrow, "e")))
    fits = ~whole & (size >= 1e-4) & (size < 1e16) & positional.to_numpy(zero_copy_only=False)
    out = pc.if_else(pa.array(whole), as_int, arrow)
    rest = ~(whole | fits)
    if rest.any():
        distinct, inverse = np.unique(x[rest].view(np.int64), return_inverse=True)
        text = pa.array([repr(v) for v in distinct.view(np.float64).tolist()], pa.string())
        out = pc.replace_with_mask(out, pa.array(rest), text.take(pa.array(inverse.reshape(-1))))
    return pc.if_else(arr.is_valid(), out, pa.scalar(None, pa.string())) if arr.null_count else out
