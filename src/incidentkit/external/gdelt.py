"""Read GDELT 2.0 event files (61 headerless tab-separated columns) into the harmonised schema, streaming.

GDELT publishes its events every 15 minutes as ``YYYYMMDDHHMMSS.export.CSV.zip``: a zip archive holding
one tab-separated file without a header (the name says CSV; the text is tabs, never quoted). The reader
takes such archives, the unpacked ``.export.CSV`` files, or folders of either, and writes one Parquet
file. Archives are read member by member without unpacking them to disk.

What the columns become (docs/reference/gdelt.md gives the whole mapping):

* ``EventCode`` (and ``EventBaseCode``, ``EventRootCode``) stay text: CAMEO codes have leading zeros
  ("042"). ``event_code`` is ``cameo:<EventCode>``; the crosswalk table (scheme ``cameo``) gives ACLED's
  ``event_type`` and ``sub_event_type``.
* ``ActionGeo_Type`` gives the precision of the event's point: a city or landmark (3, 4) is
  ``geo_precision`` 2, a state or first-order division (2, 5) is 3, a country (1) is no usable point (its
  centroid is kept in ``gdelt_actiongeo_lat``/``_long`` but ``latitude``/``longitude`` are null).
* ``ActionGeo_CountryCode`` is a FIPS 10-4 code: it becomes ISO 3166-1 alpha-2 through the shipped table
  ``incidentkit/data/fips_iso.csv``. ``Actor1CountryCode``/``Actor2CountryCode`` are CAMEO's 3-letter
  actor codes (mostly ISO alpha-3, plus regions such as ``AFR``): kept as written.
* One real event is recorded as many rows (one per article or sentence that told it). Every row is kept;
  ``event_group`` (int64) is the same for rows with the same day, CAMEO code, actor codes and place, a
  hash of that key alone, so files ingested apart or in parallel agree and the linker can group them.

GDELT 1.0 files (58 columns without the three ``*Geo_ADM2Code`` columns; the historical backfiles also
without ``SOURCEURL``: 57) are recognised by their first line's field count and read the same way.
"""

from __future__ import annotations

import csv
import os
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from incidentkit.codebook import vocab
from incidentkit.external import _convert as cv
from incidentkit.external._stream import (
    Converter,
    ExternalFileError,
    IngestResult,
    Source,
    dataset_column,
    expand_inputs,
    fail,
    open_source,
    run,
)
from incidentkit.external._types import AcledTypes
from incidentkit.external.schema import EVENT_CODE, external_schema, shared_type


def _actor(side: str) -> list[str]:
    return [f"Actor{side}{s}" for s in ("Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode",
                                        "Religion1Code", "Religion2Code", "Type1Code", "Type2Code",
                                        "Type3Code")]


def _geo(prefix: str, adm2: bool = True) -> list[str]:
    parts = ["Type", "FullName", "CountryCode", "ADM1Code"] + (["ADM2Code"] if adm2 else []) + \
        ["Lat", "Long", "FeatureID"]
    return [f"{prefix}_{p}" for p in parts]


#: The 61 columns of a GDELT 2.0 event record, in file order (GDELT Event Codebook V2.0; the names of
#: GDELT's BigQuery table, where the codebook says ``GlobalEventID`` and ``Day``).
COLUMNS: tuple[str, ...] = ("GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate", *_actor("1"), *_actor("2"),
     "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
     "NumMentions", "NumSources", "NumArticles", "AvgTone",
     *_geo("Actor1Geo"), *_geo("Actor2Geo"), *_geo("ActionGeo"), "DATEADDED", "SOURCEURL")
assert len(COLUMNS) == 61

#: GDELT 1.0 daily files (April 2013 on): no ``*Geo_ADM2Code`` (58 columns).
COLUMNS_V1: tuple[str, ...] = tuple(c for c in COLUMNS if not c.endswith("_ADM2Code"))
#: GDELT 1.0 historical backfiles (1979 - March 2013): no ``SOURCEURL`` either (57 columns).
COLUMNS_V1_BACKFILE: tuple[str, ...] = COLUMNS_V1[:-1]
LAYOUTS: Mapping[int, tuple[str, ...]] = {61: COLUMNS, 58: COLUMNS_V1, 57: COLUMNS_V1_BACKFILE}

#: Names a folder's files must match (case-insensitively; GDELT writes ``.export.CSV``): the event files,
#: never the mentions or GKG files lying beside them.
PATTERNS: tuple[str, ...] = ("*.export.csv", "*.export.csv.zip")

#: ActionGeo_Type -> ACLED geo_precision. 1 (country) has none: its point is no usable location.
GEO_TYPE_TO_PRECISION: Mapping[int, int] = {2: 3, 5: 3, 3: 2, 4: 2}

#: Source columns that become shared columns (no extra of their own) or are derived from SQLDATE.
_SHARED_SOURCES = frozenset({"GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate", "Actor1Name",
                             "Actor2Name", "ActionGeo_FullName"})
_INT8 = {"QuadClass", "Actor1Geo_Type", "Actor2Geo_Type", "ActionGeo_Type"}
_INT32 = {"NumMentions", "NumSources", "NumArticles"}
_FLOAT = {"GoldsteinScale", "AvgTone", "Actor1Geo_Lat", "Actor1Geo_Long", "Actor2Geo_Lat", "Actor2Geo_Long",
          "ActionGeo_Lat", "ActionGeo_Long"}
_RANGES = {"GoldsteinScale": (-10.0, 10.0), "AvgTone": (-100.0, 100.0)}


def _extra_type(column: str) -> pa.DataType:
    if column in _INT8:
        return pa.int8()
    if column in _INT32:
        return pa.int32()
    if column in _FLOAT:
        return pa.float64()
    if column == "IsRootEvent":
        return pa.bool_()
    if column == "DATEADDED":
        return pa.timestamp("ms", tz="UTC")  # what Parquet stores (it has no seconds unit)
    return pa.string()


#: Source column -> extra column ``gdelt_<name in lower case>`` with its type, for every column that is
#: not a shared one.
EXTRAS: Mapping[str, tuple[str, pa.DataType]] = {
    c: (f"gdelt_{c.lower()}", _extra_type(c)) for c in COLUMNS if c not in _SHARED_SOURCES}

#: Columns the linker reads besides the shared ones: the CAMEO code and the group of rows of one event.
EVENT_GROUP: Mapping[str, pa.DataType] = {"event_group": pa.int64()}


@lru_cache(maxsize=1)
def fips_table() -> dict[str, str]:
    """FIPS 10-4 country code -> ISO 3166-1 alpha-2 ("" where no ISO country exists), from the shipped
    ``fips_iso.csv`` (its comment lines give the source)."""
    text = (resources.files("incidentkit") / "data" / "fips_iso.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {r["fips"]: r["iso2"] for r in rows}


# --- deterministic hashing of the event key -----------------------------------------------------------

_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit moves every output bit (uint64 arithmetic wraps)."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * _M1
        x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


_FNV_OFFSET, _FNV_PRIME = np.uint64(0xCBF29CE484222325), np.uint64(0x100000001B3)


def _fnv1a(values: pa.Array) -> np.ndarray:
    """FNV-1a (64-bit) of each string's UTF-8 bytes, finished with splitmix64 over (hash, length).

    Vectorised over the strings: one numpy pass per byte position, over the strings at least that long
    (sorted by length), so the work is the total number of bytes and no Python runs per value.
    """
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    if values.type != pa.string():
        values = values.cast(pa.string())
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int32, count=n + 1, offset=values.offset * 4)
    buf = values.buffers()[2]
    data = np.frombuffer(buf, dtype=np.uint8) if buf is not None else np.zeros(0, dtype=np.uint8)
    lengths = np.diff(offsets).astype(np.int64)
    order = np.argsort(-lengths, kind="stable")
    starts, lens = offsets[:-1][order].astype(np.int64), lengths[order]
    h = np.full(n, _FNV_OFFSET, dtype=np.uint64)
    active = np.searchsorted(-lens, -np.arange(int(lens[0])), side="left")  # strings longer than j
    with np.errstate(over="ignore"):
        for j, k in enumerate(active):
            h[:k] = (h[:k] ^ data[starts[:k] + j].astype(np.uint64)) * _FNV_PRIME
        h = _mix(h ^ (lens.astype(np.uint64) * _GOLDEN))
    out = np.empty(n, dtype=np.uint64)
    out[order] = h
    return out


def _text_hash(arr: pa.Array) -> np.ndarray:
    """A stable 64-bit hash per cell (:func:`_fnv1a` of the UTF-8 text; 0 for null), computed once per
    distinct value of the batch."""
    enc = pc.dictionary_encode(arr)
    table = np.append(_fnv1a(enc.dictionary), np.uint64(0))
    idx = pc.fill_null(enc.indices, len(enc.dictionary)).to_numpy(zero_copy_only=False)
    return table[idx]


def event_group(day: pa.Array, code: pa.Array, actor1: pa.Array, actor2: pa.Array, feature: pa.Array,
                lat: pa.Array, lon: pa.Array) -> pa.Array:
    """The group of rows telling one real event: a 63-bit hash of (day, CAMEO code, actor codes, place).

    ``day`` is a date32 array, ``lat``/``lon`` float64, the others text (null counts as empty); the place
    is ``feature`` (ActionGeo_FeatureID), else the point rounded to 4 decimals. The hash depends on the
    row's key alone, never on the file, batch or order, so files ingested separately or in parallel agree.
    """
    days = pc.fill_null(pc.cast(day, pa.int32()), 0).to_numpy(zero_copy_only=False).astype(np.int64)
    with np.errstate(over="ignore"):
        h = _mix(days.astype(np.uint64) + _GOLDEN)
        parts = [_text_hash(code), _text_hash(actor1), _text_hash(actor2), _place_hash(feature, lat, lon)]
        for k, part in enumerate(parts, start=1):
            h = _mix(h ^ (part + _GOLDEN * np.uint64(k)))
    return pa.array((h >> np.uint64(1)).astype(np.int64), pa.int64())


def _place_hash(feature: pa.Array, lat: pa.Array, lon: pa.Array) -> np.ndarray:
    """The place of an event for grouping: ActionGeo_FeatureID, else its point to 4 decimals (as GDELT
    writes it), else nothing (0)."""
    la = np.round(pc.fill_null(lat, np.nan).to_numpy(zero_copy_only=False) * 1e4)
    lo = np.round(pc.fill_null(lon, np.nan).to_numpy(zero_copy_only=False) * 1e4)
    located = ~(np.isnan(la) | np.isnan(lo))
    la = np.where(located, la, 0).astype(np.int64).astype(np.uint64)
    lo = np.where(located, lo, 0).astype(np.int64).astype(np.uint64)
    with np.errstate(over="ignore"):
        point = np.where(located, _mix(_mix(la + _GOLDEN) ^ lo), np.uint64(0))
    has_feature = pc.is_valid(feature).to_numpy(zero_copy_only=False)
    return np.where(has_feature, _text_hash(feature), point)


# --- the batch converter --------------------------------------------------------------------------------


def _flags(n: int, masks: Mapping[str, np.ndarray]) -> pa.Array:
    """A list<string> column naming per row the flags whose mask is true, without a Python loop per row."""
    names = list(masks)
    if not names:
        return cv.empty_lists(n)
    stacked = np.stack([np.asarray(masks[k], dtype=bool) for k in names], axis=1)  # rows x flags
    counts = stacked.sum(axis=1, dtype=np.int32)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    _rows, which = np.nonzero(stacked)  # row-major: each row's flags in the order of ``masks``
    values = pc.take(pa.array(names, pa.string()), pa.array(which.astype(np.int32)))
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def _per_value(arr: pa.Array, fn: Any) -> pa.Array:
    """``fn`` (text -> text or None) applied once per distinct value, broadcast to every row."""
    enc = pc.dictionary_encode(arr)
    mapped = pa.array([fn(v) for v in enc.dictionary.to_pylist()], pa.string())
    return pc.take(mapped, enc.indices)


def _state(full_name: str, parts_needed: int) -> str | None:
    """The first-order division in GDELT's names: "State, Country" (a state, 2 parts) or "City, State,
    Country" (a city, 3 parts; a city named "City, Country" has no state)."""
    parts = [p.strip() for p in full_name.split(",")]
    return parts[-2] if len(parts) >= parts_needed and parts[-2] else None


def _host(url: pa.Array) -> pa.Array:
    """The site of each source URL ("reuters.com"); a citation that is no URL stays as written."""
    rest = pc.replace_substring_regex(url, r"^[A-Za-z][A-Za-z0-9+.-]*://(?:www\.)?", "")
    host = pc.utf8_lower(pc.list_element(pc.split_pattern(rest, "/", max_splits=1), 0))
    is_url = pc.fill_null(pc.not_equal(pc.binary_length(rest), pc.binary_length(url)), False)
    return pc.if_else(is_url, host, url)


def _date(arr: pa.Array, column: str, formats: Sequence[str], expected: str, typ: pa.DataType) -> pa.Array:
    """Dates or times in fixed formats, parsed once per distinct value (a 15-minute file holds a few)."""
    enc = pc.dictionary_encode(arr)
    values = pc.utf8_trim_whitespace(enc.dictionary)
    parsed = None
    for fmt in formats:
        p = pc.strptime(values, format=fmt, unit="s", error_is_null=True)
        # strptime rolls 20240231 over to 2 March: a date must print back as it was written
        p = pc.if_else(pc.fill_null(pc.equal(pc.strftime(p, format=fmt), values), False), p,
                       pa.scalar(None, p.type))
        parsed = p if parsed is None else pc.coalesce(parsed, p)
    assert parsed is not None
    parsed = pc.cast(parsed, pa.date32()) if typ == pa.date32() else parsed.cast(typ)
    return cv.check_converted(arr, pc.take(parsed, enc.indices), column, expected)


class _GdeltConverter:
    """Batch converter; its dictionaries grow across batches and files, so the output stays consistent.

    Plain attributes only (the crosswalk and FIPS tables are module caches): it pickles for Dask.
    """

    def __init__(self) -> None:
        self.types = AcledTypes()
        self.country = cv.GrowingDictionary(shared_type("country"))

    def for_source(self, src: Source) -> Converter:
        return self.convert

    def convert(self, b: pa.RecordBatch) -> dict[str, pa.Array]:
        names = set(b.schema.names)
        n = b.num_rows

        def col(name: str) -> pa.Array:
            return b.column(name) if name in names else pa.nulls(n, pa.string())

        out: dict[str, pa.Array] = {}
        ids = cv.to_int(col("GLOBALEVENTID"), pa.int64(), "GLOBALEVENTID")
        if ids.null_count:
            raise cv.CellError(int(pc.index(pc.is_null(ids), True).as_py()), "GLOBALEVENTID", None,
                               "an event id (it is empty)")
        out["id"] = pc.ascii_trim_whitespace(col("GLOBALEVENTID"))  # as written, checked to be a whole number
        day = _date(col("SQLDATE"), "SQLDATE", ("%Y%m%d",), "a date (YYYYMMDD)", pa.date32())
        if day.null_count:
            raise cv.CellError(int(pc.index(pc.is_null(day), True).as_py()), "SQLDATE", None,
                               "a date (YYYYMMDD; it is empty)")
        out["date_start"] = out["date_end"] = day
        out["time_precision"] = pa.array(np.ones(n, dtype=np.int8))

        code = col("EventCode")
        out.update(self.types.columns("cameo", code))
        out["event_code"] = _per_value(code, lambda c: f"cameo:{c}")

        out["actor1"], out["actor2"] = col("Actor1Name"), col("Actor2Name")

        # the event's place: ActionGeo_*
        geo_type = cv.to_int(col("ActionGeo_Type"), pa.int8(), "ActionGeo_Type")
        bad = pc.invert(pc.is_in(geo_type, value_set=pa.array([0, 1, 2, 3, 4, 5], pa.int8())))
        if pc.any(pc.and_(pc.is_valid(geo_type), bad)).as_py():
            i = int(pc.index(pc.and_(pc.is_valid(geo_type), bad), True).as_py())
            raise cv.CellError(i, "ActionGeo_Type", col("ActionGeo_Type")[i].as_py(), "a geographic type 0-5")
        precision = cv.code_lookup(geo_type, dict(GEO_TYPE_TO_PRECISION), pa.int8())
        fips = col("ActionGeo_CountryCode")
        table = fips_table()
        keys = pa.array(list(table), pa.string())
        iso = pc.take(pa.array([v or None for v in table.values()], pa.string()),
                      pc.index_in(pc.utf8_trim_whitespace(fips), value_set=keys))
        unknown_fips = pc.fill_null(pc.and_(pc.is_valid(fips), pc.invert(pc.is_in(
            pc.utf8_trim_whitespace(fips), value_set=keys))), False)
        out["country"] = self.country.encode(iso, "ActionGeo_CountryCode")
        full = col("ActionGeo_FullName")
        out["location"] = full
        is_state = pc.fill_null(pc.is_in(geo_type, value_set=pa.array([2, 5], pa.int8())), False)
        is_city = pc.fill_null(pc.is_in(geo_type, value_set=pa.array([3, 4], pa.int8())), False)
        no_text = pa.scalar(None, pa.string())
        out["admin1"] = pc.if_else(is_state, _per_value(full, lambda v: _state(v, 2)),
                                   pc.if_else(is_city, _per_value(full, lambda v: _state(v, 3)), no_text))
        lat_src, lon_src = col("ActionGeo_Lat"), col("ActionGeo_Long")
        lat, lon = cv.to_float(lat_src, "ActionGeo_Lat"), cv.to_float(lon_src, "ActionGeo_Long")
        cv.check_range(lat, -90, 90, "ActionGeo_Lat", lat_src)
        cv.check_range(lon, -180, 180, "ActionGeo_Long", lon_src)
        usable = pc.fill_null(pc.is_valid(precision), False)
        null_f = pa.scalar(None, pa.float64())
        out["latitude"] = pc.if_else(usable, lat, null_f)
        out["longitude"] = pc.if_else(usable, lon, null_f)
        out["geo_precision"] = precision
        out["where_prec"] = cv.code_lookup(precision, vocab.GEO_TO_WHERE_PREC, pa.int8())
        out["priogrid_gid"] = cv.priogrid(out["latitude"], out["longitude"])

        out["source_outlet"] = _host(col("SOURCEURL"))
        out["dataset"] = dataset_column("gdelt", n)

        feature = col("ActionGeo_FeatureID")
        out["event_group"] = event_group(day, code, col("Actor1Code"), col("Actor2Code"),
                                         feature, lat, lon)

        for source, (name, typ) in EXTRAS.items():
            if source not in names:
                continue
            arr = col(source)
            if source == "ActionGeo_Lat":
                out[name] = lat
            elif source == "ActionGeo_Long":
                out[name] = lon
            elif source == "ActionGeo_Type":
                out[name] = geo_type
            elif source == "EventCode":
                out[name] = code
            elif typ == pa.string():
                out[name] = arr  # as written (an empty cell is null)
            elif typ == pa.bool_():
                out[name] = cv.map_values(arr, lambda v: {"1": True, "0": False}.get(v), pa.bool_(), source,
                                          "1 or 0")
            elif typ == pa.float64():
                out[name] = cv.to_float(arr, source)
                lo, hi = _RANGES.get(source, (-90, 90) if source.endswith("_Lat") else (-180, 180))
                cv.check_range(out[name], lo, hi, source, arr)
            elif pa.types.is_timestamp(typ):
                out[name] = _date(arr, source, ("%Y%m%d%H%M%S", "%Y%m%d"), "a time (YYYYMMDDHHMMSS)", typ)
            else:
                out[name] = cv.to_int(arr, typ, source)

        geo_np = pc.fill_null(geo_type, 0).to_numpy(zero_copy_only=False)
        out["quality_flags"] = _flags(n, {
            "country_centroid": geo_np == 1,
            "no_location": geo_np == 0,
            "unknown_fips_code": unknown_fips.to_numpy(zero_copy_only=False),
        })
        return out


def gdelt_schema(layout: Sequence[str] = COLUMNS) -> pa.Schema:
    """The output schema: shared columns, ``dataset``, ``quality_flags``, ``event_code``, ``event_group``
    and the ``gdelt_*`` extras of every layout (GDELT 1.0 files leave the ADM2 columns null)."""
    extras: dict[str, pa.DataType] = dict(EVENT_CODE)
    extras.update(EVENT_GROUP)
    extras.update({name: typ for name, typ in EXTRAS.values()})
    return external_schema(extras, (), {b"incidentkit_dataset": b"gdelt"})


def _members(path: Path) -> list[str]:
    """The files inside a GDELT zip archive (one for a 15-minute file), in name order."""
    try:
        with zipfile.ZipFile(path) as z:
            members = sorted(i.filename for i in z.infolist() if not i.is_dir())
    except (zipfile.BadZipFile, OSError) as exc:
        raise fail("file-unreadable", f"not a readable zip archive ({exc}): is the download incomplete?",
                   path) from None
    if not members:
        raise fail("file-empty", "the zip archive holds no file", path)
    return members


def _first_line(path: Path, member: str | None) -> bytes:
    """The first line of a file or zip member (up to 1 MB), to tell the layout by its field count."""
    try:
        if member is None:
            with open(path, "rb") as fh:
                return fh.readline(1 << 20)
        with zipfile.ZipFile(path) as z, z.open(member) as fh:
            return fh.readline(1 << 20)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise fail("file-unreadable", f"cannot read the file ({exc})", f"{path}[{member}]" if member else path
                   ) from None


def _open(path: Path, member: str | None) -> Source:
    first = _first_line(path, member)
    name = f"{path}[{member}]" if member else str(path)
    if not first.strip(b"\r\n"):
        raise fail("file-empty", "the file is empty: GDELT files hold one event per line" if not first
                   else "the first line is empty", name, 1)
    fields = first.rstrip(b"\r\n").count(b"\t") + 1
    layout = LAYOUTS.get(fields)
    if layout is None:
        try:
            first.decode("utf-8")
            text = b"\0" not in first
        except UnicodeDecodeError:
            text = False
        if not text:  # binary: the engine names the encoding error where it is
            layout = COLUMNS
        else:
            column = COLUMNS[fields] if fields < len(COLUMNS) else ""
            raise fail("external-truncated", f"the first line has {fields} field{'s' if fields != 1 else ''}; "
                       "GDELT event files have 61 (2.0) or 58 or 57 (1.0): is the line truncated, or is this "
                       "another GDELT table (mentions: 16 fields, GKG: 27)?", name, 1, column)
    return open_source(path, (), delimiter="\t", names=list(layout), quoting=False, member=member,
                       what="GDELT publishes")


def _looks_zipped(path: Path) -> bool:
    """A file named .zip or starting as one (``PK``): read as an archive, so damage is named as such."""
    if path.name.lower().endswith(".zip"):
        return True
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def gdelt_sources(files: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[Source]:
    """One source per event file: plain files, each member of each zip archive, folders' event files."""
    paths = files if isinstance(files, (str, os.PathLike)) else list(files)
    sources = []
    for p in expand_inputs(paths, PATTERNS):
        if not p.is_file():
            raise fail("file-unreadable", "no such file", p)
        if zipfile.is_zipfile(p) or _looks_zipped(p):
            sources.extend(_open(p, m) for m in _members(p))
        else:
            sources.append(_open(p, None))
    return sources


def ingest_gdelt(files: str | os.PathLike[str] | Sequence[str | os.PathLike[str]], output: str | os.PathLike[str],
                 *, progress: bool | None = None, engine: str = "local", scheduler: str | None = None,
                 workers: int | None = None) -> IngestResult:
    """Ingest GDELT 2.0 event files (``.export.CSV``, zipped 15-minute files, folders of them) into one
    harmonised Parquet file, every row kept and grouped by ``event_group``.

    On any error nothing is written and :class:`~incidentkit.errors.InputFileError` names the file (the
    archive and member), line and column.

    >>> ingest_gdelt("gdelt_2024_05/", "gdelt.parquet")  # doctest: +SKIP
    """
    sources = gdelt_sources(files)
    conv = _GdeltConverter()
    try:
        return run(sources, output, gdelt_schema(), conv.for_source, {}, progress=progress, desc="GDELT",
                   engine=engine, scheduler=scheduler, workers=workers)
    except ExternalFileError as exc:
        located = _locate_encoding_error(exc, sources)
        if located is None:
            raise
        raise located from None


def _locate_encoding_error(exc: ExternalFileError, sources: Sequence[Source]) -> ExternalFileError | None:
    """The line and column of the first byte that is not UTF-8, when the engine could not say where
    (a Latin-1 export, binary junk): GDELT writes UTF-8 only."""
    p = exc.problem
    if p.code != "file-encoding" or p.line is not None:
        return None
    src = next((s for s in sources if s.name == p.path), None)
    if src is None:
        return None
    with src.open_binary() as fh:
        for number, line in enumerate(fh, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as err:
                fields = line[:err.start].count(b"\t")
                column = src.header[fields] if fields < len(src.header) else ""
                bad = line[err.start:err.start + 4]
                return fail("file-encoding", f"not UTF-8 text (byte {bad[:1].hex()} at character "
                            f"{len(line[:err.start].decode('utf-8', 'replace')) + 1}; GDELT writes UTF-8: is this "
                            "file re-saved in another encoding?)", src.name, number, column)
    return None
