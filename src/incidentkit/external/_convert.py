"""Vectorised cell conversions shared by the ACLED and UCDP readers.

Every column is read as text and converted here, batch by batch, with pyarrow.compute: one C++ pass per
column instead of Python per cell. Vocabulary columns are mapped through their *distinct* values (a few
dozen per batch), so the Python lookup tables of the codebook are reused without a per-row loop.

A cell that cannot be converted raises :class:`CellError` with the row inside the batch and the column;
the stream engine turns that into the file's physical line.
"""

from __future__ import annotations

from typing import Callable, Iterable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from incidentkit.codebook import vocab
from incidentkit.codebook.countries import country_code
from incidentkit.errors import quote


class CellError(Exception):
    """A cell that cannot be converted: row index within the batch, column, value, what was expected."""

    def __init__(self, row: int, column: str, value: object, expected: str) -> None:
        super().__init__(f"{column}: {quote(value)} is not {expected}")
        self.row, self.column, self.value, self.expected = row, column, value, expected


def first_bad(source: pa.Array, result: pa.Array) -> int:
    """Index of the first cell that was given (non-null) but did not convert (null result)."""
    bad = pc.and_(pc.is_valid(source), pc.is_null(result))
    return int(pc.index(bad, True).as_py())


def check_converted(source: pa.Array, result: pa.Array, column: str, expected: str) -> pa.Array:
    if result.null_count != source.null_count:
        i = first_bad(source, result)
        if i >= 0:
            raise CellError(i, column, source[i].as_py(), expected)
    return result


def text(arr: pa.Array) -> pa.Array:
    """Text kept exactly as written (the CSV reader already turned "" and "NA" into null)."""
    return arr


def trimmed(arr: pa.Array) -> pa.Array:
    """Trimmed text, whitespace-only cells null: for the slow paths that report a bad cell."""
    arr = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)


def to_float(arr: pa.Array, column: str) -> pa.Array:
    try:
        return pc.cast(arr, pa.float64())
    except pa.ArrowInvalid:
        try:
            return pc.cast(trimmed(arr), pa.float64())
        except pa.ArrowInvalid:
            return _locate_cast_error(trimmed(arr), pa.float64(), column, "a number")


def to_int(arr: pa.Array, typ: pa.DataType, column: str, *, negative_is_null: bool = False) -> pa.Array:
    """Integers written as "12" or, as UCDP writes them, "12.0"; anything fractional is an error."""
    try:
        out = pc.cast(arr, typ)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        arr = trimmed(arr)
        try:
            as_float = pc.cast(arr, pa.float64())
            out = pc.cast(as_float, typ)  # safe cast: refuses 12.5 and overflow
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return _locate_cast_error(arr, typ, column, f"a whole number ({typ})")
    if negative_is_null:
        out = pc.if_else(pc.less(out, 0), pa.scalar(None, typ), out)
    return out


def _locate_cast_error(arr: pa.Array, typ: pa.DataType, column: str, expected: str) -> pa.Array:
    for i, v in enumerate(arr.to_pylist()):
        if v is None:
            continue
        try:
            pa.scalar(v).cast(pa.float64()).cast(typ)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise CellError(i, column, v, expected) from None
    raise CellError(0, column, None, expected)  # pragma: no cover - the cast failed on some cell


_DATE_FORMATS = ["%Y-%m-%d", "%d %B %Y", "%d-%B-%Y"]


def to_date(arr: pa.Array, column: str, formats: Sequence[str] | None = None) -> pa.Array:
    """Dates in any of ``formats`` (ACLED API ISO dates, export-tool "28 December 2022").

    The format that parsed the previous batch is tried first, so a file costs one pass per batch.
    """
    order = _DATE_FORMATS if formats is None else list(formats)
    uniques = pc.unique(arr)
    if len(uniques) * 4 < len(arr):  # a batch holds few distinct days: parse those, then broadcast
        parsed = to_date(uniques, column, formats) if len(uniques) else pa.array([], pa.date32())
        return pc.take(parsed, pc.index_in(arr, value_set=uniques))
    out: pa.Array | None = None
    for k, fmt in enumerate(order):
        parsed = pc.cast(pc.strptime(arr, format=fmt, unit="s", error_is_null=True), pa.date32())
        out = parsed if out is None else pc.coalesce(out, parsed)
        if parsed.null_count < len(parsed) and k and formats is None:
            order.insert(0, order.pop(k))  # most recent winner first
        if out.null_count == arr.null_count:
            return out
    assert out is not None
    retry = pc.utf8_trim_whitespace(arr)  # " 2022-01-03" : tolerate stray spaces before failing
    for fmt in order:
        out = pc.coalesce(out, pc.cast(pc.strptime(retry, format=fmt, unit="s", error_is_null=True), pa.date32()))
    return check_converted(arr, out, column, "a date (YYYY-MM-DD or '28 December 2022')")


def map_values(arr: pa.Array, fn: Callable[[str], object], typ: pa.DataType, column: str, expected: str,
               *, null_is: object = None) -> pa.Array:
    """Map each distinct value through ``fn`` (None = not allowed -> error), then broadcast with take."""
    uniques = pc.unique(arr)
    mapped = []
    for raw in uniques.to_pylist():
        u = raw.strip() if raw is not None else ""
        if not u:
            mapped.append(null_is)
            continue
        m = fn(u)
        if m is None:
            i = int(pc.index(arr, raw).as_py())
            raise CellError(i, column, u, expected)
        mapped.append(m)
    return pc.take(pa.array(mapped, type=typ), pc.index_in(arr, value_set=uniques, skip_nulls=False))


class GrowingDictionary:
    """A dictionary column whose categories are a vocabulary plus values seen later, in order of appearance.

    Batches of one file then share one dictionary prefix, so the output's categories are deterministic and
    the codebook's vocabulary comes first, as in incidents.parquet.
    """

    def __init__(self, typ: pa.DictionaryType, vocabulary: Iterable[str] = (),
                 normalise: Callable[[str], str | None] | None = None) -> None:
        self.type = typ
        self.values: list[str] = list(vocabulary)
        self.index = {v: i for i, v in enumerate(self.values)}
        self._folded = {v.casefold(): v for v in self.values}
        self.normalise = normalise

    def _code(self, raw: str) -> int | None:
        value = self.normalise(raw) if self.normalise else raw
        if value is None:
            return None
        value = self._folded.get(value.casefold(), value)
        if value not in self.index:
            if len(self.values) >= np.iinfo(self.type.index_type.to_pandas_dtype()).max:
                return None
            self.index[value] = len(self.values)
            self.values.append(value)
            self._folded[value.casefold()] = value
        return self.index[value]

    def encode(self, arr: pa.Array, column: str, expected: str = "a known value") -> pa.DictionaryArray:
        codes = map_values(arr, self._code, self.type.index_type, column, expected)
        return pa.DictionaryArray.from_arrays(codes, pa.array(self.values, self.type.value_type))


def label(value: str) -> str:
    """ACLED label spelling folded: en dashes, spacing, "protestors"."""
    return vocab.normalise_label(value)


def split_list(arr: pa.Array) -> pa.Array:
    """"a; b; c" -> ["a", "b", "c"] (ACLED assoc actors and tags, UCDP source_original)."""
    return pc.split_pattern_regex(arr, pattern=r"\s*;\s*")


def int_list(arr: pa.Array, typ: pa.DataType, column: str) -> pa.Array:
    """"645, 2" or "652.0" -> [645, 2]: UCDP's gwnoa/gwnob lists."""
    parts = pc.split_pattern_regex(trimmed(arr), pattern=r"\s*[,;]\s*")
    try:
        flat = to_int(pc.list_flatten(parts), typ, column)
    except CellError as exc:  # the index of an item of the flattened lists: name the row it came from
        row = int(pc.list_parent_indices(parts)[exc.row].as_py())
        raise CellError(row, column, arr[row].as_py(), exc.expected) from None
    return pa.ListArray.from_arrays(parts.offsets, flat, mask=pc.is_null(parts))


def check_range(arr: pa.Array, lo: float, hi: float, column: str, written: pa.Array | None = None) -> None:
    """Numbers outside [lo, hi] (infinity and NaN included: a 400-digit latitude reads as infinity) are a
    :class:`CellError` quoting the cell as ``written``."""
    bad = pc.invert(pc.and_(pc.greater_equal(arr, lo), pc.less_equal(arr, hi)))
    if pc.any(bad).as_py():
        i = int(pc.index(bad, True).as_py())
        raise CellError(i, column, (written if written is not None else arr)[i].as_py(), f"within [{lo}, {hi}]")


def country(arr: pa.Array, column: str, fallback: pa.Array | None = None) -> pa.Array:
    """Country names (or codes) -> ISO alpha-2 strings; unknown names -> null (kept in the source column)."""

    def code(name: str) -> str:
        c = country_code(name)
        if c is None:
            c = _UCDP_COUNTRIES.get(name.casefold())
        if c is None and "(" in name:  # UCDP: "Yemen (North Yemen)", "DR Congo (Zaire)"
            short = name.split("(")[0].strip()
            c = country_code(short) or _UCDP_COUNTRIES.get(short.casefold())
        return c or ""

    out = map_values(arr, code, pa.string(), column, "a country")
    out = pc.if_else(pc.equal(out, ""), pa.scalar(None, pa.string()), out)
    if fallback is not None:
        out = pc.coalesce(out, fallback)
    return out


_UCDP_COUNTRIES = {"dr congo": "CD", "bosnia-herzegovina": "BA", "macedonia, fyr": "MK",
                   "kingdom of eswatini": "SZ", "kingdom of eswatini (swaziland)": "SZ",
                   "cambodia (kampuchea)": "KH", "madagascar (malagasy)": "MG", "zimbabwe (rhodesia)": "ZW",
                   "serbia (yugoslavia)": "RS", "yemen (north yemen)": "YE", "myanmar (burma)": "MM",
                   "russia (soviet union)": "RU", "ivory coast": "CI", "vietnam (north vietnam)": "VN"}


def priogrid(lat: pa.Array, lon: pa.Array) -> pa.Array:
    """PRIO-GRID cell ids (the codebook's formula, vectorised); null where a coordinate is missing."""
    la = lat.to_numpy(zero_copy_only=False).astype(float)
    lo = lon.to_numpy(zero_copy_only=False).astype(float)
    ok = ~(np.isnan(la) | np.isnan(lo))
    gid = vocab.priogrid_gid(np.where(ok, la, 0), np.where(ok, lo, 0)).astype(np.int32)
    return pa.array(gid, type=pa.int32(), mask=~ok)


def code_lookup(arr: pa.Array, table: dict[int, int], typ: pa.DataType) -> pa.Array:
    """Map small integer codes through a table (e.g. geo_precision -> where_prec)."""
    keys = pa.array(list(table), pa.int64())
    values = pa.array(list(table.values()), typ)
    return pc.take(values, pc.index_in(pc.cast(arr, pa.int64()), value_set=keys))


def empty_lists(n: int) -> pa.Array:
    return pa.ListArray.from_arrays(pa.array(np.zeros(n + 1, dtype=np.int32)), pa.array([], pa.string()))


def flags(n: int, masks: dict[str, np.ndarray]) -> pa.Array:
    """A list<string> column naming, per row, the flags whose mask is true."""
    if not any(m.any() for m in masks.values()):
        return empty_lists(n)
    rows: list[list[str]] = [[] for _ in range(n)]
    for name, mask in masks.items():
        for i in np.flatnonzero(mask):
            rows[i].append(name)
    return pa.array(rows, pa.list_(pa.string()))
