"""Exports of the incident dataset into the formats analysts' tools read.

Every export takes the dataset as an Arrow table (:func:`incidentkit.dataset.read_table`), so notebooks,
the CLI and the build call the same functions:

- :func:`write_geoparquet` - GeoParquet 1.1 (geopandas, DuckDB, QGIS)
- :func:`to_acled` - ACLED's 31-column layout; :func:`to_ucdp` - UCDP GED's 49 columns
- :func:`write_datapackage` - a Frictionless Data Package v2 describing every file
- :func:`write_spreadsheet` - CSV/XLSX with formula injection neutralised
- :func:`codebook_markdown`, :func:`record_json_schema` - the codebook for people and editors

:func:`write_build_outputs` writes all of them during ``incidentkit build``, staged so that they are
published together with incidents.parquet or not at all.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Sequence

import pyarrow as pa

from incidentkit.atomic import StagedFiles, atomic_path
from incidentkit.dataset import INCIDENTS_FILE, read_table
from incidentkit.export import acled, ucdp
from incidentkit.export._io import ParallelStage, write_tables
from incidentkit.export.acled import acled_id_map, acled_outputs, to_acled
from incidentkit.export.codebook_doc import codebook_markdown, record_json_schema, write_codebook
from incidentkit.export.datapackage import (DATAPACKAGE_FILE, ResourceSpec, acled_constraints, datapackage_descriptor,
                                            datapackage_json, incidents_table_schema, table_schema, ucdp_constraints)
from incidentkit.export.geoparquet import GEOPARQUET_FILE, to_geoarrow, write_geoparquet
from incidentkit.export.spreadsheet import neutralise, write_spreadsheet
from incidentkit.export.ucdp import excluded_counts, to_ucdp, ucdp_outputs

__all__ = [
    "to_acled", "acled_id_map", "write_acled", "to_ucdp", "excluded_counts", "write_ucdp", "write_geoparquet",
    "write_datapackage", "write_spreadsheet", "neutralise", "codebook_markdown", "record_json_schema",
    "write_codebook", "write_build_outputs", "resource_specs", "ACLED_FILES", "UCDP_FILES", "BUILD_EXPORT_FILES",
]

#: The files ``export acled`` writes into its folder, and ``export ucdp``.
ACLED_FILES = (acled.ACLED_CSV, acled.ACLED_PARQUET, acled.ACLED_IDS)
UCDP_FILES = (ucdp.UCDP_CSV, ucdp.UCDP_PARQUET)
#: Every file a build writes beside incidents.parquet (unless ``exports=False``): what it checks
#: against its inputs before any work (:func:`incidentkit.paths.refuse_overwriting_inputs`).
BUILD_EXPORT_FILES = (GEOPARQUET_FILE, *ACLED_FILES, *UCDP_FILES, DATAPACKAGE_FILE)


def write_acled(table: pa.Table, out_dir: str | os.PathLike[str], inter_labels: bool = True) -> list[Path]:
    """Write acled.csv, acled.parquet and acled_ids.csv into ``out_dir``, as one set (:func:`write_set`)."""
    return write_set(acled_outputs(table, inter_labels), out_dir)


def write_ucdp(table: pa.Table, out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write ucdp_ged.csv and ucdp_ged.parquet into ``out_dir``, as one set (:func:`write_set`)."""
    return write_set(ucdp_outputs(table), out_dir)


def write_set(outputs: dict[str, pa.Table], out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write named tables into ``out_dir`` (Parquet or CSV by suffix) as one set: all of them or none.

    The files are staged and published together through the journal, holding the folder's lock, as a
    build publishes (:class:`incidentkit.atomic.StagedFiles`, :func:`incidentkit.lock.output_lock`):
    a full disk or a refused permission while writing any of them (``file-unwritable``) leaves every
    old file as it was, never a new acled.csv beside an old acled.parquet, and no temporary file.
    """
    from incidentkit.lock import output_lock

    out_dir = Path(out_dir)
    with output_lock(out_dir), StagedFiles(out_dir) as staged:
        with ParallelStage(staged.write) as stage:
            return write_tables(outputs, out_dir, stage)


def resource_specs(table: pa.Table, out_dir: Path) -> list[ResourceSpec]:
    """What the data package says about each file a build writes (names, titles, Table Schemas)."""
    acled_schema = acled.acled_schema(True)
    geo_schema = to_geoarrow(table.slice(0, 0)).schema
    acled_ids_schema = pa.schema([("event_id_cnty", pa.string()), ("incident_id", pa.string()),
                                  ("day_index", pa.int64())])
    ids_constraints = {"event_id_cnty": {"required": True, "unique": True}, "incident_id": {"required": True},
                       "day_index": {"required": True, "minimum": 0}}
    return [
        ResourceSpec("incidents", out_dir / INCIDENTS_FILE, incidents_table_schema(table.schema),
                     "Incidents", "The canonical dataset: one row per hand-coded incident (Parquet)."),
        ResourceSpec("incidents-geo", out_dir / GEOPARQUET_FILE, incidents_table_schema(geo_schema),
                     "Incidents (GeoParquet 1.1)", "The dataset with a WKB point geometry and a bbox covering "
                     "column; incidents without coordinates have a null geometry."),
        ResourceSpec("acled", out_dir / acled.ACLED_CSV,
                     table_schema(acled_schema, acled_constraints(True), primary_key=["event_id_cnty"]),
                     "ACLED layout", "ACLED's 31 columns; multi-day incidents split into one event per day."),
        ResourceSpec("acled-parquet", out_dir / acled.ACLED_PARQUET,
                     table_schema(acled_schema, acled_constraints(True), primary_key=["event_id_cnty"]),
                     "ACLED layout (Parquet)", "The same rows as acled.csv, typed."),
        ResourceSpec("acled-ids", out_dir / acled.ACLED_IDS,
                     table_schema(acled_ids_schema, ids_constraints, primary_key=["event_id_cnty"]),
                     "ACLED ids", "Maps each event_id_cnty to the incident id and the day of a split incident."),
        ResourceSpec("ucdp-ged", out_dir / ucdp.UCDP_CSV,
                     table_schema(ucdp.UCDP_SCHEMA, ucdp_constraints(), primary_key=["relid"]),
                     "UCDP GED layout", "UCDP GED's 49 columns; Protests, Strategic developments and incidents "
                     "without deaths are left out."),
        ResourceSpec("ucdp-ged-parquet", out_dir / ucdp.UCDP_PARQUET,
                     table_schema(ucdp.UCDP_SCHEMA, ucdp_constraints(), primary_key=["relid"]),
                     "UCDP GED layout (Parquet)", "The same rows as ucdp_ged.csv, typed."),
    ]


def write_datapackage(out_dir: str | os.PathLike[str], resources: Sequence[ResourceSpec] | None = None,
                      table: pa.Table | None = None) -> Path:
    """Write datapackage.json describing ``resources`` (default: every build output present in ``out_dir``).

    >>> write_datapackage("datasets")        # doctest: +SKIP
    PosixPath('datasets/datapackage.json')
    """
    out_dir = Path(out_dir)
    table = table if table is not None else read_table(out_dir)
    specs = [r for r in (resources if resources is not None else resource_specs(table, out_dir)) if r.path.exists()]
    target = out_dir / DATAPACKAGE_FILE
    text = datapackage_json(datapackage_descriptor(table, specs, out_dir))  # reads the files it describes
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return target


def write_build_outputs(table: pa.Table, out_dir: Path, staged: StagedFiles) -> list[Path]:
    """Every export of a build (GeoParquet, ACLED, UCDP, datapackage.json), staged with incidents.parquet.

    Called by :func:`incidentkit.build` after it staged incidents.parquet; nothing is published unless
    every file was written. The data package is computed from the staged bytes, so its sizes and hashes
    describe exactly the files that appear.
    """
    out_dir = Path(out_dir)
    staged_paths: dict[Path, Path] = {}

    def stage(target: Path, writer: Callable[[Path], object]) -> None:
        staged_paths[target] = staged.path(target)
        writer(staged_paths[target])

    with ParallelStage(stage) as parallel:  # each file written while the next layout is derived
        parallel(out_dir / GEOPARQUET_FILE, lambda tmp: write_geoparquet(table, tmp))
        written = [out_dir / GEOPARQUET_FILE]
        written += write_tables(acled_outputs(table), out_dir, parallel)
        written += write_tables(ucdp_outputs(table), out_dir, parallel)
    staged_parquet = staged.temp_for(out_dir / INCIDENTS_FILE)
    if staged_parquet is not None:  # hash the bytes that will be published, not a re-written copy
        staged_paths[out_dir / INCIDENTS_FILE] = staged_parquet
    descriptor = datapackage_descriptor(table, resource_specs(table, out_dir), out_dir, staged_paths)
    target = out_dir / DATAPACKAGE_FILE
    staged.write(target, lambda tmp: tmp.write_text(datapackage_json(descriptor), encoding="utf-8"))
    return written + [target]
