"""GeoParquet 1.1: the dataset with a WKB point geometry column and a bbox covering column.

Written with pyarrow alone (no geopandas needed): a point's WKB is 21 fixed bytes (byte order, type,
x, y), so it is built directly. Incidents without coordinates keep a null geometry and a null bbox,
never a fake point. ``crs`` is omitted, which GeoParquet defines as OGC:CRS84 (WGS84, longitude
first), exactly the coordinates we hold; writing EPSG:4326 would claim latitude-first axis order.
"""

from __future__ import annotations

import json
import os
import struct
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from incidentkit.dataset import PARQUET_OPTIONS

GEOPARQUET_VERSION = "1.1.0"
GEOMETRY = "geometry"
BBOX = "bbox"
GEOPARQUET_FILE = "incidents.geoparquet"
_WKB_POINT = struct.Struct("<BIdd")  # little-endian marker 1, geometry type 1 (Point), x, y
_BBOX_TYPE = pa.struct([pa.field(k, pa.float64()) for k in ("xmin", "ymin", "xmax", "ymax")])


def point_wkb(longitude: float, latitude: float) -> bytes:
    """ISO WKB of a 2D point, little-endian."""
    return _WKB_POINT.pack(1, 1, longitude, latitude)


def geo_metadata(longitudes: list[float | None], latitudes: list[float | None]) -> dict[str, Any]:
    """The "geo" file metadata of GeoParquet 1.1 for the point column."""
    column: dict[str, Any] = {
        "encoding": "WKB",
        "geometry_types": ["Point"],
        "covering": {BBOX: {k: [BBOX, k] for k in ("xmin", "ymin", "xmax", "ymax")}},
    }
    xs = [x for x in longitudes if x is not None]
    ys = [y for y in latitudes if y is not None]
    if xs:
        column["bbox"] = [min(xs), min(ys), max(xs), max(ys)]
    return {"version": GEOPARQUET_VERSION, "primary_column": GEOMETRY, "columns": {GEOMETRY: column}}


def to_geoarrow(table: pa.Table) -> pa.Table:
    """The dataset table with ``geometry`` (WKB) and ``bbox`` columns and the "geo" metadata."""
    lons = table.column("longitude").to_pylist()
    lats = table.column("latitude").to_pylist()
    has = [x is not None and y is not None for x, y in zip(lons, lats)]
    geometry = pa.array([point_wkb(x, y) if ok else None for x, y, ok in zip(lons, lats, has)], pa.binary())
    bbox = pa.array([{"xmin": x, "ymin": y, "xmax": x, "ymax": y} if ok else None
                     for x, y, ok in zip(lons, lats, has)], _BBOX_TYPE)
    out = table.append_column(pa.field(GEOMETRY, pa.binary()), geometry).append_column(pa.field(BBOX, _BBOX_TYPE), bbox)
    meta = dict(table.schema.metadata or {})
    meta[b"geo"] = json.dumps(geo_metadata(lons, lats), sort_keys=True).encode()
    return out.replace_schema_metadata(meta)


def write_geoparquet(table: pa.Table, path: str | os.PathLike[str]) -> None:
    """Write the dataset as GeoParquet 1.1 (deterministic bytes, as the plain Parquet).

    >>> from incidentkit.dataset import read_table
    >>> write_geoparquet(read_table("datasets"), "incidents.geoparquet")   # doctest: +SKIP
    >>> import geopandas; geopandas.read_parquet("incidents.geoparquet")    # doctest: +SKIP
    """
    pq.write_table(to_geoarrow(table), path, **PARQUET_OPTIONS)


def read_geo_metadata(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The "geo" metadata of a GeoParquet file."""
    raw = (pq.read_schema(path).metadata or {}).get(b"geo")
    return json.loads(raw) if raw else {}
