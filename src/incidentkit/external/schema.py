"""The harmonised schema of external events (ACLED, UCDP GED), derived from the incident schema.

An ingested ACLED or UCDP file and our own ``incidents.parquet`` share column names *and* Arrow types
wherever a column means the same thing, so one DataFrame can hold all three (told apart by ``dataset``)
and the linker reads them with the same code. Nothing here is typed twice: the shared columns take their
types from :func:`incidentkit.codebook.schema.incident_schema`, made nullable because the public
datasets do not fill every column.

Columns beyond the shared ones:

* ``dataset`` ("incidentkit", "acled", "ucdp") and ``quality_flags`` (list of short flags such as
  ``best_outside_low_high``), common to every external file;
* dataset-specific extras, prefixed with the dataset's name (``acled_region``, ``ucdp_conflict_name``,
  ``ucdp_gwnoa`` ...), listed in :data:`ACLED_EXTRAS` and :data:`UCDP_EXTRAS`;
* every source column the reader does not know, kept as text under ``<dataset>_<name>`` so that a new
  column in a future export is never silently dropped.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

import pyarrow as pa

from incidentkit.codebook.schema import incident_schema

#: Incident columns whose meaning is the same in ACLED and UCDP rows (in this order in every file).
SHARED_COLUMNS: tuple[str, ...] = (
    "id", "date_start", "date_end", "time_precision",
    "event_type", "sub_event_type", "disorder_type",
    "actor1", "inter1", "assoc_actor_1", "actor2", "inter2", "assoc_actor_2", "interaction",
    "civilian_targeting",
    "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude",
    "geo_precision", "where_prec", "priogrid_gid",
    "fatalities_low", "fatalities_best", "fatalities_high",
    "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "type_of_violence",
    "notes", "tags",
    "source_outlet", "source_title", "source_originators", "source_scale",
)

#: Every dataset an ingested file may hold. New names go at the end: the ``dataset`` column is a dictionary
#: over this tuple, and files written before keep their codes.
DATASETS: tuple[str, ...] = ("incidentkit", "acled", "ucdp", "gtd", "icews", "gdelt", "polecat")
DATASET_TYPE = pa.dictionary(pa.int8(), pa.string())

#: ACLED columns with no incident equivalent, under their harmonised names.
ACLED_EXTRAS: Mapping[str, pa.DataType] = MappingProxyType({
    "acled_data_id": pa.int64(),
    "acled_event_id_no_cnty": pa.string(),
    "acled_iso": pa.int16(),
    "acled_iso3": pa.string(),
    "acled_region": pa.string(),
    "acled_timestamp": pa.int64(),
    "acled_population_1km": pa.int64(),
    "acled_population_2km": pa.int64(),
    "acled_population_5km": pa.int64(),
    "acled_population_best": pa.int64(),
})

#: UCDP GED columns with no incident equivalent, under their harmonised names.
UCDP_EXTRAS: Mapping[str, pa.DataType] = MappingProxyType({
    "ucdp_relid": pa.string(),
    "ucdp_active_year": pa.bool_(),
    "ucdp_code_status": pa.string(),
    "ucdp_conflict_dset_id": pa.int32(),
    "ucdp_conflict_new_id": pa.int32(),
    "ucdp_conflict_name": pa.string(),
    "ucdp_dyad_dset_id": pa.int32(),
    "ucdp_dyad_new_id": pa.int32(),
    "ucdp_dyad_name": pa.string(),
    "ucdp_side_a_dset_id": pa.int32(),
    "ucdp_side_a_new_id": pa.int32(),
    "ucdp_side_b_dset_id": pa.int32(),
    "ucdp_side_b_new_id": pa.int32(),
    "ucdp_number_of_sources": pa.int16(),
    "ucdp_source_article": pa.string(),
    "ucdp_source_date": pa.string(),
    "ucdp_where_description": pa.string(),
    "ucdp_geom_wkt": pa.string(),
    "ucdp_country_id": pa.int16(),
    "ucdp_region": pa.string(),
    "ucdp_event_clarity": pa.int8(),
    "ucdp_date_prec": pa.int8(),
    "ucdp_gwnoa": pa.list_(pa.int16()),
    "ucdp_gwnob": pa.list_(pa.int16()),
    "best_outside_low_high": pa.bool_(),
})


#: The source's own event code as ``<scheme>:<code>`` ("cameo:193", "plover:ASSAULT/firearms", "gtd:3/14"):
#: the readers of GTD, ICEWS, GDELT and POLECAT write it, and the linker compares it with our types through
#: the crosswalk table (:mod:`incidentkit.codebook.crosswalk`), so an edited table takes effect without
#: ingesting again.
EVENT_CODE: Mapping[str, pa.DataType] = MappingProxyType({"event_code": pa.string()})


def _shared_fields() -> list[pa.Field]:
    incident = incident_schema()
    return [incident.field(name).with_nullable(True) for name in SHARED_COLUMNS]


def external_schema(extras: Mapping[str, pa.DataType] | None = None,
                    unknown: tuple[str, ...] = (), metadata: dict[bytes, bytes] | None = None) -> pa.Schema:
    """The schema of an ingested file: shared columns, ``dataset``, ``quality_flags``, extras, unknowns."""
    fields = _shared_fields()
    fields.append(pa.field("dataset", DATASET_TYPE, nullable=False))
    fields.append(pa.field("quality_flags", pa.list_(pa.string())))
    fields.extend(pa.field(n, t) for n, t in (extras or {}).items())
    fields.extend(pa.field(n, pa.string()) for n in unknown)
    return pa.schema(fields, metadata=metadata)


def shared_type(name: str) -> pa.DataType:
    """The Arrow type of a shared column, as in incidents.parquet."""
    return incident_schema().field(name).type
