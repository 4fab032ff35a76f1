"""Read Global Terrorism Database exports (CSV, ';'-separated CSV, XLSX; 135 columns) into the harmonised
schema, streaming.

Every row is kept. What the GTD codes as unknown stays visible, never invented: an unknown day or month
(0) becomes a date range with its ``time_precision``; ``specificity`` 5 (no first-order region
identified) has no point, whatever coordinates the row carries; ``nkill`` blank means null fatalities;
the perpetrator "Unknown" is no actor. Doubts GTD itself records (``doubtterr``, ``alternative``) become
quality flags. Attack and target types become ACLED types through the crosswalk table
(:mod:`incidentkit.codebook.crosswalk`, scheme ``gtd``, codes ``<attacktype1>/<targtype1>`` and
``<attacktype1>/s/<targtype1>`` for suicide attacks). The column-by-column mapping is in
docs/reference/gtd.md.

Files as they come: GTD's own CSV is cp1252 text (detected), Excel in a European locale saves with ';'
and decimal commas (detected), a UTF-8 byte-order mark is skipped, and ids Excel turned into "2.01E+11"
are refused with how to export them again (their digits are lost).

>>> from incidentkit.external.gtd import ingest_gtd
>>> ingest_gtd("globalterrorismdb_0522dist.csv", "gtd.parquet")   # doctest: +SKIP
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from incidentkit.codebook import vocab
from incidentkit.external import _convert as cv
from incidentkit.external import gtd_codes as codes
from incidentkit.external import gtd_dates as dates
from incidentkit.external._stream import (
    Converter,
    IngestResult,
    Source,
    dataset_column,
    expand_inputs,
    fail,
    open_source,
    run,
)
from incidentkit.external._types import AcledTypes, broadcast
from incidentkit.external.schema import EVENT_CODE, external_schema, shared_type

if TYPE_CHECKING:
    pass

Column = Callable[[str], pa.Array]

#: Columns without which a file is not a GTD export.
REQUIRED: tuple[str, ...] = ("eventid", "iyear", "imonth", "iday", "country_txt", "attacktype1", "targtype1",
                             "gname")
#: A folder's files that are GTD exports.
PATTERNS: tuple[str, ...] = ("*.csv", "*.txt", "*.xlsx")

#: GTD columns with their own typed column in the output (the others are kept as text, ``gtd_<name>``).
GTD_EXTRAS: dict[str, pa.DataType] = {
    "gtd_iyear": pa.int16(), "gtd_imonth": pa.int8(), "gtd_iday": pa.int8(), "gtd_extended": pa.bool_(),
    "gtd_country": pa.int16(), "gtd_specificity": pa.int8(), "gtd_doubtterr": pa.int8(),
    "gtd_alternative": pa.int8(), "gtd_suicide": pa.bool_(), "gtd_attacktype1": pa.int8(),
    "gtd_targtype1": pa.int8(), "gtd_nkill": pa.float64(), "gtd_nkillus": pa.float64(),
    "gtd_nkillter": pa.float64(), "gtd_nwound": pa.float64(), "gtd_nwoundus": pa.float64(),
    "gtd_nwoundte": pa.float64(),
}
_INT_EXTRAS = ("iyear", "imonth", "iday", "country", "specificity", "doubtterr", "alternative", "attacktype1",
               "targtype1")
_COUNTS = ("nkill", "nkillus", "nkillter", "nwound", "nwoundus", "nwoundte")

#: Source columns read into shared or typed columns. Every other column, text ones such as approxdate,
#: resolution, country_txt or scite1 included, is kept as written under ``gtd_<name>``.
KNOWN: frozenset[str] = frozenset({"eventid", "extended", "provstate", "city", "latitude", "longitude", "summary",
                                   "suicide", "gname", *_INT_EXTRAS, *_COUNTS})

#: specificity -> ACLED geo_precision: 1 the town's point; 2-3 the centroid of the smallest region found
#: (ACLED 2, "a small part of a region"); 4 a first-order region's centre (ACLED 3); 5 no point.
SPECIFICITY_TO_GEO: dict[int, int] = {1: 1, 2: 2, 3: 2, 4: 3}
#: specificity -> UCDP where_prec: the town, a second-order region, a first-order one, the country.
SPECIFICITY_TO_WHERE: dict[int, int] = {1: 1, 2: 3, 3: 3, 4: 4, 5: 6}
#: alternative (for doubtterr 1) -> quality flag.
ALTERNATIVE_FLAGS: dict[int, str] = {1: "alternative_insurgency", 2: "alternative_crime",
                                     3: "alternative_group_conflict", 4: "alternative_unintentional",
                                     5: "alternative_state_actors"}
#: targtype1 values whose victims ACLED would count as civilians (business, abortion related, education,
#: journalists, NGO, private citizens, religious figures, tourists): civilian_targeting where ACLED allows it.
CIVILIAN_TARGETS: frozenset[int] = frozenset({1, 5, 8, 10, 12, 14, 15, 18})
#: GTD writes -9 or -99 for "unknown" in its numeric fields.
UNKNOWN_CODES = (-9, -99)
#: How GTD writes an unknown perpetrator, province or city.
UNKNOWN_TEXT = pa.array(["Unknown", "unknown", "UNKNOWN", "Unknown "], pa.string())


def _checked(arr: pa.Array, lo: int, hi: int, column: str, expected: str, written: pa.Array) -> pa.Array:
    bad = pc.or_(pc.less(arr, lo), pc.greater(arr, hi))
    if pc.any(bad).as_py():
        i = int(pc.index(pc.fill_null(bad, False), True).as_py())
        raise cv.CellError(i, column, written[i].as_py(), expected)
    return arr


def _np(arr: pa.Array, fill: float = 0) -> np.ndarray:
    return pc.fill_null(arr, fill).to_numpy(zero_copy_only=False)


def _bool01(arr: pa.Array, column: str) -> pa.Array:
    """GTD's yes/no columns: 1 yes, 0 no; blank null; anything else an error."""
    n = cv.to_int(arr, pa.int8(), column)
    _checked(n, -9, 1, column, "1 (yes) or 0 (no)", arr)
    return pc.if_else(pc.less(n, 0), pa.scalar(None, pa.bool_()), pc.equal(n, 1))


def _not_unknown(arr: pa.Array) -> pa.Array:
    """Text with GTD's "Unknown" as null (a hash lookup per cell: no lower-casing copy of the column)."""
    return pc.if_else(pc.is_in(arr, value_set=UNKNOWN_TEXT), pa.scalar(None, pa.string()), arr)


class _GtdConverter:
    """Batch converter. Plain attributes only (picklable for ``engine="dask"``); the category dictionaries
    grow across batches and files, so the output's categories are deterministic."""

    def __init__(self, crosswalk: str | os.PathLike[str] | None = None) -> None:
        self.types = AcledTypes(crosswalk)  # the table is read once per converting process
        self.country = cv.GrowingDictionary(shared_type("country"))

    def for_source(self, src: Source) -> Converter:
        """A European Excel's ';' file writes decimal commas and day-first dates: the converter is told."""
        return functools.partial(self.convert, european=src.delimiter == ";")

    def convert(self, b: pa.RecordBatch, european: bool = False) -> dict[str, pa.Array]:
        names = set(b.schema.names)
        n = b.num_rows

        def col(name: str) -> pa.Array:
            return b.column(name) if name in names else pa.nulls(n, pa.string())

        def number(name: str) -> pa.Array:
            arr = col(name)
            if european:
                arr = pc.replace_substring(arr, ",", ".")
            return cv.to_float(arr, name)

        out: dict[str, pa.Array] = {"id": codes.event_ids(col("eventid"))}
        flags: dict[str, np.ndarray] = {}
        ints = {name: cv.to_int(col(name), GTD_EXTRAS[f"gtd_{name}"], name) for name in _INT_EXTRAS}
        _checked(ints["specificity"], 1, 5, "specificity", "a GTD geocoding specificity (1-5)", col("specificity"))
        _checked(ints["doubtterr"], -9, 1, "doubtterr", "1, 0 or -9", col("doubtterr"))
        _checked(ints["alternative"], 1, 5, "alternative", "a GTD alternative designation (1-5)", col("alternative"))
        self._dates(col, ints, out, flags, european)
        self._types(col, ints, out, flags)
        self._place(col, number, ints, out, flags)
        self._casualties(col, number, out, flags)
        actor = _not_unknown(cv.text(col("gname")))
        out["actor1"] = actor
        flags["actor1_unknown"] = (pc.is_null(actor).to_numpy(zero_copy_only=False)
                                   & pc.is_valid(col("gname")).to_numpy(zero_copy_only=False))
        others = [_not_unknown(col(g)) for g in ("gname2", "gname3")]
        out["assoc_actor_1"] = codes.interleave_lists(others, [pc.is_valid(o).to_numpy(zero_copy_only=False)
                                                               for o in others])
        doubt = ints["doubtterr"]
        flags["doubt_terrorism"] = _np(pc.equal(doubt, 1), False)
        alt = _np(ints["alternative"])
        for code, flag in ALTERNATIVE_FLAGS.items():
            flags[flag] = alt == code
        out["notes"] = cv.text(col("summary"))
        out["dataset"] = dataset_column("gtd", n)
        for name in _INT_EXTRAS:
            out[f"gtd_{name}"] = ints[name]
        out["quality_flags"] = codes.flag_column(flags, n)
        return out

    def _dates(self, col: Column, ints: dict[str, pa.Array], out: dict[str, pa.Array],
               flags: dict[str, np.ndarray], european: bool) -> None:
        year, month, day = ints["iyear"], ints["imonth"], ints["iday"]
        if year.null_count:
            i = int(pc.index(pc.is_null(year), True).as_py())
            raise cv.CellError(i, "iyear", None, "a year (it is empty)")
        _checked(year, 1000, 9999, "iyear", "a year", col("iyear"))
        _checked(month, 0, 12, "imonth", "a month (1-12, or 0 for unknown)", col("imonth"))
        _checked(day, 0, 31, "iday", "a day (1-31, or 0 for unknown)", col("iday"))
        y, m, d = _np(year), _np(month), _np(day)
        lo, hi, out_of_range = dates.date_window(y, m, d)
        approx = cv.text(col("approxdate"))
        (a_lo, a_hi), parsed = dates.broadcast(approx, dates.parse_approxdate, 2)
        inside = parsed & (a_lo >= lo) & (a_hi <= hi)
        narrows = inside & ((a_hi - a_lo) < (hi - lo))
        lo, hi = np.where(narrows, a_lo, lo), np.where(narrows, a_hi, hi)
        prec = dates.precision(lo, hi)
        extended = _bool01(col("extended"), "extended")
        ext = _np(extended, False).astype(bool)
        resolution = cv.text(col("resolution"))
        base = int(y.min()) if len(y) else 1970
        (r1, r2), r_ok = dates.broadcast(resolution, functools.partial(dates.parse_resolution, base_year=base,
                                                                         day_first=european), 2)
        unreadable = pc.is_valid(resolution).to_numpy(zero_copy_only=False) & ~r_ok
        if unreadable.any():
            i = int(np.flatnonzero(unreadable)[0])
            raise cv.CellError(i, "resolution", resolution[i].as_py(),
                               "a date (M/D/YYYY as GTD writes it, YYYY-MM-DD or D.M.YYYY)")
        res = np.where(r1 >= lo, r1, np.where(r2 >= lo, r2, dates.NAT))
        use = ext & ~np.isnat(res)
        out["date_start"] = pa.array(lo, pa.date32())
        out["date_end"] = pa.array(np.where(use, np.maximum(res, lo), hi), pa.date32())
        out["time_precision"] = pa.array(prec, pa.int8())
        out["gtd_extended"] = extended
        flags["month_unknown"] = m == 0
        flags["day_unknown"] = (m > 0) & (d == 0)
        flags["day_out_of_range"] = out_of_range
        flags["approximate_date"] = pc.is_valid(approx).to_numpy(zero_copy_only=False)
        flags["date_from_approxdate"] = narrows
        flags["approxdate_outside_date"] = parsed & ~inside
        flags["extended"] = ext
        flags["resolution_before_start"] = ext & r_ok & np.isnat(res)

    def _types(self, col: Column, ints: dict[str, pa.Array], out: dict[str, pa.Array],
               flags: dict[str, np.ndarray]) -> None:
        attack = _checked(ints["attacktype1"], 1, 9, "attacktype1", "a GTD attack type (1-9)", col("attacktype1"))
        target = _checked(ints["targtype1"], 1, 22, "targtype1", "a GTD target type (1-22)", col("targtype1"))
        suicide = _bool01(col("suicide"), "suicide")
        out["gtd_suicide"] = suicide
        # one key per (attack, suicide, target): a batch holds a few hundred, each mapped once, then broadcast
        key = np.where(pc.is_null(attack).to_numpy(zero_copy_only=False), -1,
                       _np(attack).astype(np.int32) * 1000 + _np(suicide, False).astype(np.int32) * 100
                       + _np(target).astype(np.int32))
        keys, inverse = np.unique(key, return_inverse=True)
        small = pa.array([None if k < 0 else f"{k // 1000}{'/s/' if k // 100 % 10 else '/'}{k % 100 or ''}"
                          for k in keys.tolist()], pa.string())
        rows = pa.array(inverse.astype(np.int32))
        types = self.types.columns("gtd", small)  # one row per distinct key, spread over the rows below
        out["event_code"] = pc.take(pc.binary_join_element_wise("gtd:", small, ""), rows)
        for name, per_key in types.items():
            out[name] = broadcast(per_key, rows)
        event = types["event_type"].cast(pa.string())
        civilian = np.isin(keys % 100, sorted(CIVILIAN_TARGETS)) & (keys >= 0)
        allowed = np.isin(np.array(event.to_pylist(), dtype=object), sorted(vocab.CIVILIAN_TARGETING_EVENT_TYPES))
        small_civ = pa.array(np.where(civilian & allowed, True, None).tolist(), pa.bool_())
        out["civilian_targeting"] = pc.take(small_civ, rows)

    def _place(self, col: Column, number: Column, ints: dict[str, pa.Array], out: dict[str, pa.Array],
               flags: dict[str, np.ndarray]) -> None:
        names = pc.dictionary_encode(pc.utf8_trim_whitespace(col("country_txt")))
        mapped = pa.array([codes.country_name(v) or None for v in names.dictionary.to_pylist()], pa.string())
        small = self.country.encode(cv.country(mapped, "country_txt"), "country_txt")
        iso = pc.take(small, names.indices)
        out["country"] = iso
        flags["country_not_iso"] = (pc.is_null(iso).to_numpy(zero_copy_only=False)
                                    & pc.is_valid(names).to_numpy(zero_copy_only=False))
        out["admin1"] = _not_unknown(cv.text(col("provstate")))
        out["location"] = _not_unknown(cv.text(col("city")))
        lat, lon = number("latitude"), number("longitude")
        cv.check_range(lat, -90, 90, "latitude", col("latitude"))
        cv.check_range(lon, -180, 180, "longitude", col("longitude"))
        spec = _np(ints["specificity"])
        la, lo = lat.to_numpy(zero_copy_only=False), lon.to_numpy(zero_copy_only=False)
        given = ~(np.isnan(la) | np.isnan(lo))
        zero = given & (la == 0) & (lo == 0)
        no_point = (spec == 5) | zero | ~given
        flags["no_point"] = no_point
        flags["coordinates_dropped"] = given & ~zero & (spec == 5)
        lat = pa.array(np.where(no_point, np.nan, la), pa.float64(), mask=no_point)
        lon = pa.array(np.where(no_point, np.nan, lo), pa.float64(), mask=no_point)
        out["latitude"], out["longitude"] = lat, lon
        out["priogrid_gid"] = cv.priogrid(lat, lon)
        out["geo_precision"] = cv.code_lookup(ints["specificity"], SPECIFICITY_TO_GEO, pa.int8())
        out["where_prec"] = cv.code_lookup(ints["specificity"], SPECIFICITY_TO_WHERE, pa.int8())

    def _casualties(self, col: Column, number: Column, out: dict[str, pa.Array], flags: dict[str, np.ndarray]) -> None:
        for name in _COUNTS:
            values = number(name)
            bad = pc.and_(pc.less(values, 0), pc.invert(pc.is_in(values, value_set=pa.array(UNKNOWN_CODES,
                                                                                          pa.float64()))))
            if pc.any(bad).as_py():
                i = int(pc.index(pc.fill_null(bad, False), True).as_py())
                raise cv.CellError(i, name, col(name)[i].as_py(), "a count (0 or more; -9 or -99 for unknown)")
            out[f"gtd_{name}"] = values
        nkill = out["gtd_nkill"].to_numpy(zero_copy_only=False)
        known = ~np.isnan(nkill) & (nkill >= 0)
        k = np.where(known, nkill, 0)
        if (k > np.iinfo(np.int32).max).any():
            i = int(np.flatnonzero(k > np.iinfo(np.int32).max)[0])
            raise cv.CellError(i, "nkill", float(k[i]), "a count of deaths")
        fractional = known & (k != np.floor(k))
        mask = ~known
        out["fatalities_low"] = pa.array(np.floor(k).astype(np.int32), pa.int32(), mask=mask)
        out["fatalities_best"] = pa.array(np.rint(k).astype(np.int32), pa.int32(), mask=mask)
        out["fatalities_high"] = pa.array(np.ceil(k).astype(np.int32), pa.int32(), mask=mask)
        flags["fatalities_fractional"] = fractional


def open_gtd(path: str | os.PathLike[str]) -> Source:
    """Open one GTD export: a workbook as it is, a text file with its delimiter and encoding detected."""
    p = Path(path)
    what = "GTD's text exports are cp1252 or"  # completes 'not UTF-8 text (... UTF-8 CSV)'
    if p.suffix.lower() in (".xlsx", ".xlsm") or not p.is_file():
        return open_source(p, REQUIRED, what=what)
    from incidentkit.records.sniff import what_path

    try:
        if what_path(p) is None:  # a compressed file or UTF-16 text is named by open_source
            return open_source(p, REQUIRED, delimiter=codes.sniff_delimiter(p), encoding=codes.sniff_encoding(p),
                               what=what)
    except OSError as exc:
        raise fail("file-unreadable", f"cannot read the file: {exc.strerror or exc}", p) from None
    return open_source(p, REQUIRED, what=what)


def gtd_schema(headers: Iterable[Sequence[str]]) -> tuple[pa.Schema, dict[str, str]]:
    """The output schema of several files (the union of their columns) and unknown column -> output name."""
    unknown: dict[str, str] = {}
    for header in headers:
        for h in header:
            if h not in KNOWN and h not in unknown:
                unknown[h] = f"gtd_{h}"
    extras = {**EVENT_CODE, **GTD_EXTRAS}
    return external_schema(extras, tuple(unknown.values()), {b"incidentkit_dataset": b"gtd"}), unknown


def ingest_gtd(files: str | os.PathLike[str] | Sequence[str | os.PathLike[str]], output: str | os.PathLike[str],
               *, progress: bool | None = None, engine: str = "local", scheduler: str | None = None,
               workers: int | None = None, crosswalk: str | os.PathLike[str] | None = None) -> IngestResult:
    """Ingest GTD exports (CSV in any of its encodings and delimiters, XLSX, or folders of them) into one
    harmonised Parquet file.

    Files are read in the given order (a folder's by name); on any error nothing is written and
    :class:`~incidentkit.errors.InputFileError` names the file, line and column. ``crosswalk`` is an
    edited copy of the GTD-to-ACLED table (default: the shipped one).
    """
    sources = [open_gtd(p) for p in expand_inputs(files, PATTERNS)]
    schema, unknown = gtd_schema(s.header for s in sources)
    conv = _GtdConverter(crosswalk)
    return run(sources, output, schema, conv.for_source, unknown, progress=progress, desc="GTD", engine=engine,
               scheduler=scheduler, workers=workers)


__all__ = ["GTD_EXTRAS", "KNOWN", "REQUIRED", "gtd_schema", "ingest_gtd", "open_gtd"]
