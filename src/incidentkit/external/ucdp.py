"""Read the UCDP Georeferenced Event Dataset (GED) CSV into the harmonised schema, streaming.

Real quirks of the 49-column GED CSV handled here: every number is written as a float ("300380.0"),
``number_of_sources`` is -1 when not recorded (null here, flagged ``number_of_sources_unknown``),
``low <= best <= high`` fails on some rows (kept, flagged ``best_outside_low_high``), ``gwnoa``/``gwnob``
may list several Gleditsch-Ward codes ("645, 2"), country names carry old names in parentheses
("Yemen (North Yemen)"), and events may span a date range (date_start < date_end).

UCDP events have no ACLED event type: ``event_type`` stays null and the linker compares UCDP's
``type_of_violence`` with ACLED types through the taxonomy table.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from incidentkit.external import _convert as cv
from incidentkit.external._stream import Converter, IngestResult, Source, dataset_column, open_source, run
from incidentkit.external.schema import UCDP_EXTRAS, external_schema, shared_type

REQUIRED: tuple[str, ...] = ("id", "type_of_violence", "side_a", "date_start", "date_end", "latitude",
                             "longitude", "best", "low", "high")

#: UCDP where_prec -> ACLED geo_precision (1 exact, 2 within ~25 km, 3 anything coarser).
WHERE_TO_GEO_PRECISION = {1: 1, 2: 2, 3: 3, 4: 3, 5: 3, 6: 3, 7: 3}
#: UCDP date_prec -> ACLED time_precision (1 day, 2 range/week, 3 month/year).
DATE_TO_TIME_PRECISION = {1: 1, 2: 2, 3: 2, 4: 3, 5: 3}

_TEXT = {"relid": "ucdp_relid", "code_status": "ucdp_code_status", "conflict_name": "ucdp_conflict_name",
         "dyad_name": "ucdp_dyad_name", "source_article": "ucdp_source_article",
         "source_date": "ucdp_source_date", "where_description": "ucdp_where_description",
         "geom_wkt": "ucdp_geom_wkt", "region": "ucdp_region"}
_INTS = {"conflict_dset_id": "ucdp_conflict_dset_id", "conflict_new_id": "ucdp_conflict_new_id",
         "dyad_dset_id": "ucdp_dyad_dset_id", "dyad_new_id": "ucdp_dyad_new_id",
         "side_a_dset_id": "ucdp_side_a_dset_id", "side_a_new_id": "ucdp_side_a_new_id",
         "side_b_dset_id": "ucdp_side_b_dset_id", "side_b_new_id": "ucdp_side_b_new_id",
         "country_id": "ucdp_country_id", "event_clarity": "ucdp_event_clarity", "date_prec": "ucdp_date_prec"}

KNOWN: frozenset[str] = frozenset(set(_TEXT) | set(_INTS) | {
    "id", "year", "active_year", "type_of_violence", "side_a", "side_b", "number_of_sources",
    "source_office", "source_headline", "source_original", "where_prec", "where_coordinates", "adm_1", "adm_2",
    "latitude", "longitude", "priogrid_gid", "country", "date_start", "date_end", "deaths_a", "deaths_b",
    "deaths_civilians", "deaths_unknown", "best", "high", "low", "gwnoa", "gwnob"})

_BOOL = {"1": True, "1.0": True, "true": True, "0": False, "0.0": False, "false": False}


class _UcdpConverter:
    def __init__(self) -> None:
        self.country = cv.GrowingDictionary(shared_type("country"))

    def for_source(self, src: Source) -> Converter:
        return self.convert

    def convert(self, b: pa.RecordBatch) -> dict[str, pa.Array]:
        names = set(b.schema.names)
        n = b.num_rows

        def col(name: str) -> pa.Array:
            return b.column(name) if name in names else pa.nulls(n, pa.string())

        ids = cv.to_int(col("id"), pa.int64(), "id")
        out: dict[str, pa.Array] = {"id": pc.cast(ids, pa.string())}
        start = cv.to_date(col("date_start"), "date_start", ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S.000"))
        end = cv.to_date(col("date_end"), "date_end", ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S.000"))
        before = pc.less(end, start)
        if pc.any(before).as_py():
            i = int(pc.index(before, True).as_py())
            raise cv.CellError(i, "date_end", str(end[i].as_py()), f"on or after date_start {start[i].as_py()}")
        out["date_start"], out["date_end"] = start, end
        date_prec = cv.to_int(col("date_prec"), pa.int8(), "date_prec")
        out["time_precision"] = cv.code_lookup(date_prec, DATE_TO_TIME_PRECISION, pa.int8())
        tov = cv.to_int(col("type_of_violence"), pa.int8(), "type_of_violence")
        bad_tov = pc.invert(pc.is_in(tov, value_set=pa.array([1, 2, 3], pa.int8())))
        if pc.any(pc.and_(pc.is_valid(tov), bad_tov)).as_py():
            i = int(pc.index(pc.and_(pc.is_valid(tov), bad_tov), True).as_py())
            raise cv.CellError(i, "type_of_violence", tov[i].as_py(), "1, 2 or 3")
        out["type_of_violence"] = tov
        out["actor1"], out["actor2"] = cv.text(col("side_a")), cv.text(col("side_b"))
        out["country"] = self.country.encode(cv.country(col("country"), "country"), "country")
        out["admin1"], out["admin2"] = cv.text(col("adm_1")), cv.text(col("adm_2"))
        out["location"] = cv.text(col("where_coordinates"))
        lat, lon = cv.to_float(col("latitude"), "latitude"), cv.to_float(col("longitude"), "longitude")
        cv.check_range(lat, -90, 90, "latitude", col("latitude"))
        cv.check_range(lon, -180, 180, "longitude", col("longitude"))
        out["latitude"], out["longitude"] = lat, lon
        where = cv.to_int(col("where_prec"), pa.int8(), "where_prec")
        out["where_prec"] = where
        out["geo_precision"] = cv.code_lookup(where, WHERE_TO_GEO_PRECISION, pa.int8())
        gid = cv.to_int(col("priogrid_gid"), pa.int32(), "priogrid_gid")
        out["priogrid_gid"] = pc.coalesce(gid, cv.priogrid(lat, lon))
        low = cv.to_int(col("low"), pa.int32(), "low")
        best = cv.to_int(col("best"), pa.int32(), "best")
        high = cv.to_int(col("high"), pa.int32(), "high")
        out["fatalities_low"], out["fatalities_best"], out["fatalities_high"] = low, best, high
        for part in ("a", "b", "civilians", "unknown"):
            out[f"deaths_{part}"] = cv.to_int(col(f"deaths_{part}"), pa.int32(), f"deaths_{part}")
        out["source_outlet"] = cv.text(col("source_office"))
        out["source_title"] = cv.text(col("source_headline"))
        out["source_originators"] = cv.split_list(col("source_original"))
        for src_name, name in _TEXT.items():
            out[name] = cv.text(col(src_name))
        for src_name, name in _INTS.items():
            out[name] = cv.to_int(col(src_name), UCDP_EXTRAS[name], src_name)
        out["ucdp_active_year"] = cv.map_values(col("active_year"), lambda v: _BOOL.get(v.casefold()), pa.bool_(),
                                                "active_year", "1 or 0")
        sources = cv.to_int(col("number_of_sources"), pa.int16(), "number_of_sources")
        out["ucdp_number_of_sources"] = pc.if_else(pc.less(sources, 0), pa.scalar(None, pa.int16()), sources)
        out["ucdp_gwnoa"] = cv.int_list(col("gwnoa"), pa.int16(), "gwnoa")
        out["ucdp_gwnob"] = cv.int_list(col("gwnob"), pa.int16(), "gwnob")
        outside = pc.fill_null(pc.or_(pc.less(best, low), pc.greater(best, high)), False)
        out["best_outside_low_high"] = outside
        out["dataset"] = dataset_column("ucdp", n)
        out["quality_flags"] = cv.flags(n, {
            "best_outside_low_high": outside.to_numpy(zero_copy_only=False),
            "number_of_sources_unknown": pc.fill_null(pc.less(sources, 0), False).to_numpy(zero_copy_only=False),
            "date_range": pc.fill_null(pc.greater(end, start), False).to_numpy(zero_copy_only=False),
        })
        return out


def ingest_ucdp(path: str | os.PathLike[str], out: str | os.PathLike[str], *,
                progress: bool | None = None) -> IngestResult:
    """Ingest a UCDP GED CSV (49 columns, any release since 5.0) into a harmonised Parquet file.

    >>> ingest_ucdp("GEDEvent_v23_1.csv", "ged.parquet")  # doctest: +SKIP
    """
    src = open_source(Path(path), REQUIRED)
    unknown = {h: f"ucdp_{h}" for h in src.header if h not in KNOWN}
    extras = dict(UCDP_EXTRAS)
    schema = external_schema(extras, tuple(unknown.values()), {b"incidentkit_dataset": b"ucdp"})
    conv = _UcdpConverter()
    return run([src], out, schema, conv.for_source, unknown, progress=progress, desc="UCDP GED")
