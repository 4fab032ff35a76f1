"""Read ACLED exports of every vintage into the harmonised schema, streaming.

Layouts handled (see docs/reference/external-schema.md): the pre-March-2023 export (data_id, event_id_no_cnty, iso3; no
disorder_type, civilian_targeting or tags), the current 31 columns, the API's 35 (population columns),
export-tool CSVs ("28 December 2022", "NA"), API CSVs (ISO dates) and API JSON (``{"status": 200,
"data": [...]}`` or a bare list). Actor types may be numbers or labels ("Rebel group", older
"Protestors"), interactions numbers or labels ("State forces-Rebel group", en dashes included).

>>> from incidentkit.external import ingest_acled, read_events
>>> ingest_acled(["acled_2022.csv", "acled_2023.csv"], "acled.parquet")   # doctest: +SKIP
>>> read_events("acled.parquet").groupby("event_type", observed=True).size()  # doctest: +SKIP
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from incidentkit.codebook import vocab
from incidentkit.external import _convert as cv
from incidentkit.external._stream import Converter, IngestResult, Source, dataset_column, open_source, run
from incidentkit.external.schema import ACLED_EXTRAS, external_schema, shared_type

REQUIRED: tuple[str, ...] = ("event_id_cnty", "event_date", "event_type", "sub_event_type", "country",
                             "latitude", "longitude", "fatalities")

#: Source columns the reader knows; every other column is kept as text under ``acled_<name>``.
KNOWN: frozenset[str] = frozenset({
    "data_id", "iso", "event_id_cnty", "event_id_no_cnty", "event_date", "year", "time_precision",
    "disorder_type", "event_type", "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2",
    "assoc_actor_2", "inter2", "interaction", "civilian_targeting", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
    "fatalities", "tags", "timestamp", "iso3", "population_1km", "population_2km", "population_5km",
    "population_best",
})

#: Source column -> harmonised extra column (see :data:`incidentkit.external.schema.ACLED_EXTRAS`).
EXTRA_SOURCE: dict[str, str] = {name[len("acled_"):]: name for name in ACLED_EXTRAS}

CIVILIAN_TARGETING_LABELS = frozenset({"civilian targeting", "civilians targeted"})
GEO_TO_WHERE_PREC = vocab.GEO_TO_WHERE_PREC


def _interaction_code(value: str) -> int | None:
    """ACLED interaction as number ("12") or label ("State forces-Rebel group", "Rebel group only")."""
    s = cv.label(value)
    if s.isdigit():  # ASCII digits only: '²' is a digit to isdigit() but not a code
        if not s.isascii() or len(s) > 2:
            return None
        n = int(s)
        return n if 10 <= n <= 88 and 1 <= n // 10 <= 8 and n % 10 <= 8 else None
    low = s.casefold()
    for prefix, suffix in (("", " only"), ("sole ", "")):
        if low.startswith(prefix) and low.endswith(suffix) and (prefix or suffix):
            core = s[len(prefix):len(s) - len(suffix)]
            code = vocab.inter_code(core)
            if code:
                return code * 10
    parts = s.split("-")
    if len(parts) == 2:
        a, b = vocab.inter_code(parts[0]), vocab.inter_code(parts[1])
        if a and b:
            return vocab.interaction(a, b)
    return None


def _inter(value: str) -> int | None:
    return vocab.inter_code(value)


def _civilian_targeting(value: str) -> bool | None:
    return True if value.strip().casefold() in CIVILIAN_TARGETING_LABELS else None


def _numeric_country(value: str) -> str:
    try:
        n = int(float(value)) if value.isascii() else -1
    except (ValueError, OverflowError):  # not a number, or beyond any code ('9' * 5000 is inf)
        return ""
    if not 0 < n < 1000:
        return ""
    import pycountry

    c = pycountry.countries.get(numeric=f"{n:03d}")
    return c.alpha_2 if c else ""


class _AcledConverter:
    """Batch converter; its dictionaries grow across batches and files, so the output stays consistent."""

    def __init__(self) -> None:
        self.event_type = cv.GrowingDictionary(shared_type("event_type"), vocab.EVENT_TYPES, cv.label)
        self.sub_event_type = cv.GrowingDictionary(shared_type("sub_event_type"), vocab.SUB_EVENT_TYPES,
                                                   cv.label)
        self.disorder_type = cv.GrowingDictionary(shared_type("disorder_type"), vocab.DISORDER_TYPES, cv.label)
        self.country = cv.GrowingDictionary(shared_type("country"))
        self._derived_disorder = {s: vocab.disorder_type(s) for s in vocab.SUB_EVENT_TYPES}

    def for_source(self, src: Source) -> Converter:
        return lambda batch: self.convert(batch)

    def convert(self, b: pa.RecordBatch) -> dict[str, pa.Array]:
        names = set(b.schema.names)
        n = b.num_rows

        def col(name: str) -> pa.Array:
            return b.column(name) if name in names else pa.nulls(n, pa.string())

        out: dict[str, pa.Array] = {"id": cv.text(col("event_id_cnty"))}
        if out["id"].null_count:
            i = int(pc.index(pc.is_null(out["id"]), True).as_py())
            raise cv.CellError(i, "event_id_cnty", None, "an event id (it is empty)")
        date = cv.to_date(col("event_date"), "event_date")
        out["date_start"] = out["date_end"] = date
        out["time_precision"] = cv.to_int(col("time_precision"), pa.int8(), "time_precision")
        out["event_type"] = self.event_type.encode(col("event_type"), "event_type")
        sub = self.sub_event_type.encode(col("sub_event_type"), "sub_event_type")
        out["sub_event_type"] = sub
        if "disorder_type" in names:
            out["disorder_type"] = self.disorder_type.encode(col("disorder_type"), "disorder_type")
        else:  # files before March 2023: ACLED derives it from the sub-event type, so do we
            derived = cv.map_values(sub.cast(pa.string()), lambda s: self._derived_disorder.get(s, ""),
                                    pa.string(), "sub_event_type", "a sub-event type")
            derived = pc.if_else(pc.equal(derived, ""), pa.scalar(None, pa.string()), derived)
            out["disorder_type"] = self.disorder_type.encode(derived, "disorder_type")
        for side in ("1", "2"):
            out[f"actor{side}"] = _protesters(col(f"actor{side}"))
            out[f"assoc_actor_{side}"] = cv.split_list(_protesters(col(f"assoc_actor_{side}")))
            inter = cv.map_values(col(f"inter{side}"), _inter, pa.int8(), f"inter{side}",
                                  "an ACLED actor type (0-8 or a label such as 'Rebel group')")
            if side == "2":
                inter = pc.if_else(pc.equal(inter, 0), pa.scalar(None, pa.int8()), inter)
            out[f"inter{side}"] = inter
        out["interaction"] = self._interaction(col("interaction"), out["inter1"], out["inter2"])
        if "civilian_targeting" in names:
            out["civilian_targeting"] = cv.map_values(col("civilian_targeting"), _civilian_targeting, pa.bool_(),
                                                      "civilian_targeting", "'Civilian targeting' or empty",
                                                      null_is=False)
        fallback = None
        if "iso" in names:
            fallback = cv.map_values(col("iso"), _numeric_country, pa.string(), "iso", "an ISO numeric code")
            fallback = pc.if_else(pc.equal(fallback, ""), pa.scalar(None, pa.string()), fallback)
        out["country"] = self.country.encode(cv.country(col("country"), "country", fallback), "country")
        for name in ("admin1", "admin2", "admin3", "location"):
            out[name] = cv.text(col(name))
        lat = cv.to_float(col("latitude"), "latitude")
        lon = cv.to_float(col("longitude"), "longitude")
        cv.check_range(lat, -90, 90, "latitude", col("latitude"))
        cv.check_range(lon, -180, 180, "longitude", col("longitude"))
        out["latitude"], out["longitude"] = lat, lon
        geo = cv.to_int(col("geo_precision"), pa.int8(), "geo_precision")
        out["geo_precision"] = geo
        out["where_prec"] = cv.code_lookup(geo, GEO_TO_WHERE_PREC, pa.int8())
        out["priogrid_gid"] = cv.priogrid(lat, lon)
        fat = cv.to_int(col("fatalities"), pa.int32(), "fatalities")
        if pc.any(pc.less(fat, 0)).as_py():
            i = int(pc.index(pc.less(fat, 0), True).as_py())
            raise cv.CellError(i, "fatalities", fat[i].as_py(), "a non-negative count")
        out["fatalities_low"] = out["fatalities_best"] = out["fatalities_high"] = fat
        out["notes"] = col("notes")
        out["tags"] = cv.split_list(col("tags"))
        out["source_outlet"] = cv.text(col("source"))
        out["source_scale"] = cv.text(col("source_scale"))
        out["dataset"] = dataset_column("acled", n)
        out["quality_flags"] = cv.empty_lists(n)
        for source_name, extra in EXTRA_SOURCE.items():
            if source_name not in names:
                continue
            typ = ACLED_EXTRAS[extra]
            out[extra] = cv.text(col(source_name)) if pa.types.is_string(typ) else \
                cv.to_int(col(source_name), typ, source_name)
        return out

    def _interaction(self, arr: pa.Array, inter1: pa.Array, inter2: pa.Array) -> pa.Array:
        i1 = inter1.to_numpy(zero_copy_only=False)
        i2 = pc.fill_null(inter2, 0).to_numpy(zero_copy_only=False)
        i1 = np.nan_to_num(i1.astype(float)).astype(np.int16)
        lo, hi = np.minimum(i1, i2), np.maximum(i1, i2)
        derived = np.where(i2 == 0, i1 * 10, lo * 10 + hi)
        derived_arr = pa.array(derived.astype(np.int8), mask=pc.is_null(inter1).to_numpy(zero_copy_only=False))
        given = cv.map_values(arr, _interaction_code, pa.int8(), "interaction",
                              "an ACLED interaction (e.g. 12 or 'State forces-Rebel group')")
        return pc.coalesce(given, derived_arr)


def _protesters(arr: pa.Array) -> pa.Array:
    """ACLED renamed "Protestors (Country)" to "Protesters (Country)"; old files use the old spelling."""
    return pc.replace_substring(pc.replace_substring(arr, "Protestors", "Protesters"), "protestors", "protesters")


def acled_schema(headers: Iterable[list[str]]) -> tuple[pa.Schema, dict[str, str]]:
    """The union output schema of several files, and the unknown source columns -> output names."""
    present: set[str] = set()
    unknown: dict[str, str] = {}
    for header in headers:
        present.update(header)
        for h in header:
            if h not in KNOWN and h not in unknown:
                unknown[h] = f"acled_{h}"
    extras = {out: typ for src, out in EXTRA_SOURCE.items() if src in present for typ in [ACLED_EXTRAS[out]]}
    return external_schema(extras, tuple(unknown.values()), {b"incidentkit_dataset": b"acled"}), unknown


def ingest_acled(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
                 out: str | os.PathLike[str], *, progress: bool | None = None, engine: str = "local",
                 scheduler: str | None = None, workers: int | None = None) -> IngestResult:
    """Ingest one or more ACLED files (CSV or API JSON, any vintage) into one harmonised Parquet file.

    Files are read in the given order; the output's schema is the union of theirs. On any error nothing
    is written and :class:`~incidentkit.errors.InputFileError` names the file, line and column.
    ``engine="dask"`` reads the files in parallel on Dask (:mod:`incidentkit.external.parallel`).
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    sources = [open_source(Path(p), REQUIRED) for p in paths]
    schema, unknown = acled_schema(s.header for s in sources)
    conv = _AcledConverter()
    return run(sources, out, schema, conv.for_source, unknown, progress=progress, desc="ACLED", engine=engine,
               scheduler=scheduler, workers=workers)
