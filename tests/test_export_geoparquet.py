"""GeoParquet 1.1: metadata valid against the official schema offline; geopandas and DuckDB read it."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import jsonschema
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from referencing import Registry, Resource

from incidentkit.dataset import read_table
from incidentkit.export import write_geoparquet
from incidentkit.export.geoparquet import read_geo_metadata

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "data" / "golden" / "v0.1.0"
SCHEMA = REPO / "tests" / "data" / "reference" / "geoparquet-1.1.0.schema.json"
PROJJSON_URL = "https://proj.org/schemas/v0.7/projjson.schema.json"


@pytest.fixture(scope="module")
def geofile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("geo") / "incidents.geoparquet"
    write_geoparquet(read_table(GOLDEN), path)
    return path


def _validator() -> jsonschema.Draft7Validator:
    pyproj = pytest.importorskip("pyproj")
    projjson = json.loads((Path(pyproj.datadir.get_data_dir()) / "projjson.schema.json").read_text())
    registry = Registry().with_resource(PROJJSON_URL, Resource.from_contents(projjson))
    return jsonschema.Draft7Validator(json.loads(SCHEMA.read_text()), registry=registry)


def test_geo_metadata_is_valid_geoparquet_1_1(geofile: Path) -> None:
    meta = read_geo_metadata(geofile)
    _validator().validate(meta)
    col = meta["columns"][meta["primary_column"]]
    assert meta["version"] == "1.1.0" and col["encoding"] == "WKB" and col["geometry_types"] == ["Point"]
    assert col["bbox"] == [36.1021, 30.5085, 47.7804, 35.4681]
    assert "crs" not in col                       # default OGC:CRS84, longitude first
    assert col["covering"]["bbox"]["xmin"] == ["bbox", "xmin"]


def test_the_validator_rejects_broken_metadata(geofile: Path) -> None:
    meta = read_geo_metadata(geofile)
    meta["columns"]["geometry"]["encoding"] = "GeoJSON"
    with pytest.raises(jsonschema.ValidationError):
        _validator().validate(meta)


def test_geopandas_reads_points_and_keeps_missing_ones_null(geofile: Path) -> None:
    gpd = pytest.importorskip("geopandas")
    gdf = gpd.read_parquet(geofile)
    assert gdf.geometry.name == "geometry" and gdf.crs.to_string() == "OGC:CRS84"
    by_id = gdf.set_index("id")
    pt = by_id.loc["enab-2023-03-31-roundup-01", "geometry"]
    assert (pt.x, pt.y) == (44.3922, 35.4681)
    assert by_id.loc["enab-2023-03-31-roundup-04", "geometry"] is None
    assert by_id.loc["enab-2023-03-31-roundup-02", "location"] == "Dar'a - درعا البلد"


def test_duckdb_reads_geometry_and_bbox(geofile: Path) -> None:
    rows = duckdb.sql(f"SELECT id, bbox.xmin AS x, bbox.ymin AS y, geometry IS NULL AS empty "
                      f"FROM read_parquet('{geofile}') ORDER BY id").fetchall()
    assert rows[0] == ("enab-2023-03-31-roundup-01", 44.3922, 35.4681, False)
    assert rows[3] == ("enab-2023-03-31-roundup-04", None, None, True)
    shapely = pytest.importorskip("shapely")
    wkb = pq.read_table(geofile, columns=["geometry"]).column(0).to_pylist()
    assert [shapely.from_wkb(w).wkt if w else None for w in wkb][:2] == ["POINT (44.3922 35.4681)",
                                                                         "POINT (36.1021 32.6189)"]


def test_same_table_same_bytes(tmp_path: Path) -> None:
    table = read_table(GOLDEN)
    write_geoparquet(table, tmp_path / "a.parquet")
    write_geoparquet(table, tmp_path / "b.parquet")
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()
    assert pq.read_table(tmp_path / "a.parquet").drop_columns(["geometry", "bbox"]).cast(table.schema).equals(table)


def test_no_coordinates_at_all_gives_no_bbox(tmp_path: Path) -> None:
    table = read_table(GOLDEN)
    nulls = pa.nulls(table.num_rows, pa.float64())
    bare = table.set_column(table.schema.get_field_index("latitude"), table.schema.field("latitude"), nulls)
    bare = bare.set_column(bare.schema.get_field_index("longitude"), bare.schema.field("longitude"), nulls)
    write_geoparquet(bare, tmp_path / "bare.parquet")
    meta = read_geo_metadata(tmp_path / "bare.parquet")
    _validator().validate(meta)
    assert "bbox" not in meta["columns"]["geometry"]
