"""GeoParquet 1.1: the dataset with a WKB point geometry column and a bbox covering column.

Written with pyarrow alone (no geopandas needed): a point's WKB is 21 fixed bytes (byte order, type,
x, y), so the column is built directly, as one numpy array of packed records. Incidents without coordinates keep a null geometry and a null bbox,
never a fake point. ``crs`` is omitted, which GeoParquet defines as OGC:CRS84 (WGS84, longitude
first), exactly the coordinates we hold; writing EPSG:4326 would claim latitude-first axis order.
"""

from __future__ import annotations

import json
import os
import struct
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from incidentkit.dataset import PARQUET_OPTIONS
from incidentkit.export._arrow import plain

GEOPARQUET_VERSION = "1.1.0"
GEOMETRY = "geometry"
BBOX = "bbox"
GEOPARQUET_FILE = "incidents.geoparquet"
_WKB_POINT = struct.Struct("<BIdd")  # little-endian marker 1, geometry type 1 (Point), x, y
_WKB_RECORD = np.dtype([("order", "u1"), ("type", "<u4"), ("x", "<f8"), ("y", "<f8")])  # the same, packed
_BBOX_TYPE = pa.struct([pa.field(k, pa.float64()) for k in ("xmin", "ymin", "xmax", "ymax")])


def point_wkb(longitude: float, latitude: float) -> bytes:
    """ISO WKB of a 2D point, little-endian."""
    return _WKB_POINT.pack(1, 1, longitude, latitude)


def geo_metadata(longitudes: pa.Array | pa.ChunkedArray, latitudes: pa.Array | pa.ChunkedArray) -> dict[str, Any]:
    """The "geo" file metadata of GeoParquet 1.1 for the point column."""
    column: dict[str, Any] = {
        "encoding": "WKB",
        "geometry_types": ["Point"],
        "covering": {BBOX: {k: [BBOX, k] for k in ("xmin", "ymin", "xmax", "ymax")}},
    }
    xs, ys = pc.min_max(longitudes), pc.min_max(latitudes)
    if xs["min"].is_valid:
        column["bbox"] = [xs["min"].as_py(), ys["min"].as_py(), xs["max"].as_py(), ys["max"].as_py()]
    return {"version": GEOPARQUET_VERSION, "primary_column": GEOMETRY, "columns": {GEOMETRY: column}}


def point_wkb_array(longitudes: np.ndarray, latitudes: np.ndarray, valid: np.ndarray) -> pa.Array:
    """WKB points of every valid row (null elsewhere), built as one buffer of 21-byte records."""
    records = np.zeros(int(valid.sum()), dtype=_WKB_RECORD)
    records["order"], records["type"] = 1, 1
    records["x"], records["y"] = longitudes[valid], latitudes[valid]
    offsets = np.concatenate([[0], np.cumsum(valid * _WKB_RECORD.itemsize)]).astype(np.int32)
    mask = pa.array(valid)
    return pa.Array.from_buffers(pa.binary(), len(valid), [mask.buffers()[1], pa.py_buffer(offsets),
                                                           pa.py_buffer(records.tobytes())],
                                 null_count=len(valid) - len(records))


def to_geoarrow(table: pa.Table) -> pa.Table:
    """The dataset table with ``geometry`` (WKB) and ``bbox`` columns and the "geo" metadata."""
    lon_col, lat_col = plain(table.column("longitude")), plain(table.column("latitude"))
    valid = pc.and_(lon_col.is_valid(), lat_col.is_valid())
    has = valid.to_numpy(zero_copy_only=False)
    lons = lon_col.fill_null(0.0).to_numpy(zero_copy_only=False)
    lats = lat_col.fill_null(0.0).to_numpy(zero_copy_only=False)
    geometry = point_wkb_array(lons, lats, has)
    x, y = pa.array(lons, mask=~has), pa.array(lats, mask=~has)
    bbox = pa.StructArray.from_arrays([x, y, x, y], fields=list(_BBOX_TYPE), mask=pc.invert(valid))
    out = table.append_column(pa.field(GEOMETRY, pa.binary()), geometry).append_column(pa.field(BBOX, _BBOX_TYPE), bbox)
    meta = dict(table.schema.metadata or {})
    meta[b"geo"] = json.dumps(geo_metadata(lon_col, lat_col), sort_keys=True).encode()
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
