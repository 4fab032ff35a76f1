"""The Frictionless Data Package (v2) describing every exported file: schemas, licences and sources.

Table Schemas come from the codebook, not from hand-written JSON: column types from the Arrow schema,
``required`` from the codebook's required fields, ``enum`` from its vocabularies, ``primaryKey`` from the
id. CSV resources are validated by frictionless row by row. Parquet and GeoParquet resources are
declared ``type: file`` with their Table Schema attached: frictionless 5 cannot read Parquet as a table
offline, so for them it checks size and SHA-256 (which every resource carries), while the schema is
still there for tools that read it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from incidentkit._version import __version__
from incidentkit.codebook import vocab
from incidentkit.codebook.fields import Kind
from incidentkit.codebook.schema import CATEGORIES, CODEBOOK_VERSION, COLUMNS
from incidentkit.export._arrow import map_distinct, plain
from incidentkit.export.regions import ACLED_REGIONS
from incidentkit.hashing import sha256_file

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
TABLE_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"
DATAPACKAGE_FILE = "datapackage.json"

DATASET_LICENSE = {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                   "title": "Creative Commons Attribution 4.0 International"}
GEONAMES_SOURCE = {"title": "GeoNames gazetteer (coordinates of geocoded incidents), CC BY 4.0",
                   "path": "https://www.geonames.org/"}
#: Places of the embedded village-level gazetteer (incidentkit.geocode.compile, gazetteer "whosonfirst");
#: the credit its licence asks for (docs/explanation/gazetteer-data.md)
WOF_SOURCE = {"title": "Who's On First gazetteer (coordinates of geocoded incidents; whosonfirst.org), CC BY 4.0 "
                       "as a whole: GeoNames (geonames.org, CC BY 4.0) via Who's On First, Quattroshapes (CC BY), "
                       "GeoPlanet (CC BY), Natural Earth (public domain)",
              "path": "https://whosonfirst.org/"}
TERMS_NOTE = ("The dataset is hand-coded from the source reports listed under sources and is released under "
              "CC BY 4.0. The ACLED and UCDP GED layouts reuse those projects' column conventions, not their "
              "data: no ACLED or UCDP record is included. Data from ACLED (acleddata.com, under its terms of "
              "use) or UCDP GED (ucdp.uu.se, CC BY 4.0) that users join to these files stays under those "
              "terms and must be cited as they require.")

_MEDIATYPES = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet",
               "geoparquet": "application/vnd.apache.parquet"}


@dataclass(frozen=True)
class ResourceSpec:
    """One exported file and what the package says about it."""

    name: str
    path: Path
    table_schema: Mapping[str, Any]
    title: str = ""
    description: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


def frictionless_type(dtype: pa.DataType) -> str:
    """Table Schema type of an Arrow type."""
    if pa.types.is_dictionary(dtype):
        return frictionless_type(dtype.value_type)
    if pa.types.is_boolean(dtype):
        return "boolean"
    if pa.types.is_integer(dtype):
        return "integer"
    if pa.types.is_floating(dtype):
        return "number"
    if pa.types.is_date(dtype):
        return "date"
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype) or pa.types.is_struct(dtype):
        return "array"
    if pa.types.is_binary(dtype):
        return "string"
    return "string"


def table_schema(schema: pa.Schema, constraints: Mapping[str, Mapping[str, Any]] | None = None,
                 descriptions: Mapping[str, str] | None = None,
                 primary_key: Sequence[str] = ()) -> dict[str, Any]:
    """A Table Schema for an Arrow schema, with per-column constraints and descriptions."""
    constraints = constraints or {}
    descriptions = descriptions or {}
    fields = []
    for f in schema:
        entry: dict[str, Any] = {"name": f.name, "type": frictionless_type(f.type)}
        if f.type == pa.binary():
            entry["format"] = "binary"
        desc = descriptions.get(f.name) or (f.metadata or {}).get(b"description", b"").decode()
        if desc:
            entry["description"] = desc
        if constraints.get(f.name):
            entry["constraints"] = dict(constraints[f.name])
        fields.append(entry)
    out: dict[str, Any] = {"$schema": TABLE_PROFILE, "fields": fields, "missingValues": [""]}
    if primary_key:
        out["primaryKey"] = list(primary_key)
    return out


def _codes(mapping: Mapping[int, str], *, zero: bool = False) -> list[int]:
    return ([0] if zero else []) + sorted(mapping)


def incident_constraints() -> dict[str, dict[str, Any]]:
    """Constraints of incidents.parquet from the codebook: required fields, vocabularies, ranges."""
    out: dict[str, dict[str, Any]] = {}
    for col in COLUMNS:
        c: dict[str, Any] = {}
        if not col.nullable:
            c["required"] = True
        kind = col.field.kind if col.field else None
        if col.name in CATEGORIES:
            c["enum"] = list(CATEGORIES[col.name])
        elif kind is Kind.INTER:
            c["enum"] = _codes(vocab.INTER_CODES, zero=col.name == "inter2")
        elif kind is Kind.CODE and col.field and col.field.vocabulary:
            c["enum"] = _codes(col.field.vocabulary)
        elif col.name == "where_prec":
            c["enum"] = _codes(vocab.WHERE_PREC)
        elif kind is Kind.LATITUDE:
            c.update(minimum=-90, maximum=90)
        elif kind is Kind.LONGITUDE:
            c.update(minimum=-180, maximum=180)
        elif kind is Kind.COUNT or col.name.startswith("fatalities_"):
            c["minimum"] = 0
        if col.name == "id":
            c["unique"] = True
        if c:
            out[col.name] = c
    return out


def incidents_table_schema(schema: pa.Schema) -> dict[str, Any]:
    """The Table Schema of incidents.parquet (or incidents.geoparquet, whose extra columns it also lists)."""
    return table_schema(schema, incident_constraints(), primary_key=["id"])


def _all_interaction_labels() -> list[str]:
    codes = {vocab.interaction(a, b) for a in vocab.INTER_CODES for b in (0, *vocab.INTER_CODES)}
    return [vocab.interaction_label(c) for c in sorted(codes)]


def acled_constraints(inter_labels: bool = True) -> dict[str, dict[str, Any]]:
    """Constraints of the ACLED layout: ACLED's vocabularies and the columns ACLED always fills."""
    required = ("event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
                "sub_event_type", "actor1", "inter1", "interaction", "iso", "country", "location", "source",
                "notes", "fatalities", "timestamp")
    out: dict[str, dict[str, Any]] = {n: {"required": True} for n in required}
    out["event_id_cnty"]["unique"] = True
    out["event_type"]["enum"] = list(vocab.EVENT_TYPES)
    out["sub_event_type"]["enum"] = list(vocab.SUB_EVENT_TYPES)
    out["disorder_type"]["enum"] = list(vocab.DISORDER_TYPES)
    out["time_precision"]["enum"] = _codes(vocab.TIME_PRECISION)
    out["geo_precision"] = {"enum": _codes(vocab.GEO_PRECISION)}
    out["civilian_targeting"] = {"enum": ["Civilian targeting"]}
    out["region"] = {"enum": sorted(set(ACLED_REGIONS.values()))}
    out["fatalities"]["minimum"] = 0
    if inter_labels:
        out["inter1"]["enum"] = list(vocab.INTER_CODES.values())
        out["inter2"] = {"enum": list(vocab.INTER_CODES.values())}
        out["interaction"]["enum"] = _all_interaction_labels()
    else:
        out["inter1"]["enum"] = _codes(vocab.INTER_CODES)
        out["inter2"] = {"enum": _codes(vocab.INTER_CODES, zero=True)}
    return out


def ucdp_constraints() -> dict[str, dict[str, Any]]:
    """Constraints of the UCDP GED layout: its precision and violence codes."""
    required = ("id", "relid", "year", "type_of_violence", "side_a", "country", "date_start", "date_end",
                "best", "low", "high", "date_prec", "event_clarity")
    out: dict[str, dict[str, Any]] = {n: {"required": True} for n in required}
    out["relid"]["unique"] = True
    out["type_of_violence"]["enum"] = _codes(vocab.TYPE_OF_VIOLENCE)
    out["date_prec"]["enum"] = _codes(vocab.DATE_PREC)
    out["event_clarity"]["enum"] = [1, 2]
    out["where_prec"] = {"enum": _codes(vocab.WHERE_PREC)}
    out["region"] = {"enum": ["Africa", "Americas", "Asia", "Europe", "Middle East"]}
    for n in ("best", "low", "high", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown"):
        out.setdefault(n, {})["minimum"] = 0
    return out


def package_sources(table: pa.Table) -> list[dict[str, str]]:
    """The source reports (each once, sorted), and GeoNames when geocoded points come from it."""
    first = np.unique(pc.dictionary_encode(plain(table.column("source_id"))).indices.to_numpy(),
                      return_index=True)[1]  # a source's first row, as a dict keeps the first one seen
    reports = table.select(["source_id", "source_outlet", "source_title", "source_url", "source_published"])
    seen: dict[str, dict[str, str]] = {}
    for r in reports.take(pa.array(first)).to_pylist():
        entry = {"title": f"{r['source_outlet']}, {r['source_published'].isoformat()}: {r['source_title']}"}
        if r["source_url"]:
            entry["path"] = r["source_url"]
        seen[r["source_id"]] = entry
    sources = [seen[k] for k in sorted(seen)]
    if uses_geonames(table):
        sources.append(dict(GEONAMES_SOURCE))
    if uses_whosonfirst(table):
        sources.append(dict(WOF_SOURCE))
    return sources


def _geonames_point(gazetteer: str | None, source: str | None) -> bool:
    return bool(gazetteer and str(gazetteer).lower().startswith("geonames") and source == "geocoder")


def uses_geonames(table: pa.Table) -> bool:
    """True when any coordinate in the dataset was taken from a GeoNames gazetteer by the geocoder."""
    used = map_distinct(_geonames_point, table.column("geo_gazetteer"), table.column("geo_source"),
                        type=pa.bool_())
    return bool(pc.any(used).as_py())


def _wof_point(gazetteer: str | None, source: str | None) -> bool:
    return bool(gazetteer == "whosonfirst" and source == "geocoder")


def uses_whosonfirst(table: pa.Table) -> bool:
    """True when any coordinate was taken from the embedded Who's On First places by the geocoder."""
    used = map_distinct(_wof_point, table.column("geo_gazetteer"), table.column("geo_source"), type=pa.bool_())
    return bool(pc.any(used).as_py())


def datapackage_descriptor(table: pa.Table, resources: Sequence[ResourceSpec], base: Path,
                           staged_paths: Mapping[Path, Path] | None = None) -> dict[str, Any]:
    """The datapackage.json content. ``staged_paths`` maps a final path to the staged file holding its
    bytes, so a build can describe files before they are published."""
    staged_paths = staged_paths or {}
    licenses = [dict(DATASET_LICENSE)]
    attribution = "incidentkit dataset (CC BY 4.0)"
    if uses_geonames(table):
        attribution += "; coordinates from GeoNames (geonames.org, CC BY 4.0)"
    if uses_whosonfirst(table):
        attribution += ("; coordinates from Who's On First (whosonfirst.org, CC BY 4.0), including GeoNames "
                        "(geonames.org) via Who's On First")
    out_resources = []
    for spec in resources:
        real = staged_paths.get(spec.path, spec.path)
        suffix = spec.path.suffix.lstrip(".")
        res: dict[str, Any] = {"name": spec.name, "path": spec.path.relative_to(base).as_posix()}
        if spec.title:
            res["title"] = spec.title
        if spec.description:
            res["description"] = spec.description
        if suffix == "csv":
            res.update(type="table", format="csv", mediatype="text/csv", encoding="utf-8")
        else:
            res.update(type="file", format=suffix, mediatype=_MEDIATYPES.get(suffix, "application/octet-stream"))
        res["bytes"] = os.path.getsize(real)
        res["hash"] = f"sha256:{sha256_file(real)}"
        res["schema"] = dict(spec.table_schema)
        res.update(spec.extra)
        out_resources.append(res)
    return {
        "$schema": PROFILE,
        "name": "incidentkit-dataset",
        "title": "Hand-coded conflict incidents (incidentkit)",
        "description": "Incidents hand-coded from news reports to the incidentkit codebook "
                       f"v{CODEBOOK_VERSION} (ACLED conventions), with ACLED and UCDP GED layouts.",
        "version": CODEBOOK_VERSION,
        "licenses": licenses,
        "sources": package_sources(table),
        "incidentkit": {"version": __version__, "codebook_version": CODEBOOK_VERSION,
                        "attribution": attribution, "terms": TERMS_NOTE},
        "resources": out_resources,
    }


def datapackage_json(descriptor: Mapping[str, Any]) -> str:
    return json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
