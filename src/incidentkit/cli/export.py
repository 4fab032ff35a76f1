"""`incidentkit export ...` (ACLED, UCDP, GeoParquet, data package, spreadsheet) and `incidentkit codebook`."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import click
import pyarrow as pa

from incidentkit.cli._common import InputPath, handle_errors
from incidentkit.dataset import INCIDENTS_FILE, read_table

_DATASET = click.option("--dataset", type=InputPath(hint="`incidentkit build` writes it"), default=Path("datasets"),
                        show_default=True, help="incidents.parquet, or the folder holding it.")


def _read(dataset: Path, outputs: Iterable[Path]) -> pa.Table:
    """The dataset, once it is sure that none of the files the export writes is the dataset's own file
    (``-o datasets/incidents.parquet``, or a link to it): that is a usage error, nothing is written."""
    from incidentkit.paths import refuse_overwriting_inputs

    refuse_overwriting_inputs(outputs, [dataset / INCIDENTS_FILE if dataset.is_dir() else dataset])
    return read_table(dataset)


def _out_dir(default: str) -> click.Option:
    return click.option("-o", "--out", type=click.Path(path_type=Path), default=Path(default), show_default=True,
                        help="Folder the files are written to.")


@click.group("export")
def export_group() -> None:
    """Write the dataset in the layouts other tools read (ACLED, UCDP GED, GeoParquet, spreadsheets).

    \b
    Example:
        incidentkit export acled --dataset datasets -o exports
    """


@export_group.command("acled")
@_DATASET
@_out_dir("datasets")
@click.option("--numeric-inter", is_flag=True,
              help="Write inter1/inter2/interaction as numbers (ACLED files before late 2024) instead of labels.")
@handle_errors
def acled_command(dataset: Path, out: Path, numeric_inter: bool) -> None:
    """ACLED's 31 columns: acled.csv, acled.parquet and acled_ids.csv (event_id_cnty -> incident id).

    \b
    Example:
        incidentkit export acled --dataset datasets -o exports
        incidentkit export acled -o exports --numeric-inter
    """
    from incidentkit.export import ACLED_FILES, write_acled
    from incidentkit.export.acled import formula_note

    table = _read(dataset, [out / name for name in ACLED_FILES])
    for path in write_acled(table, out, inter_labels=not numeric_inter):
        click.echo(str(path))
    if note := formula_note(out):  # kept exact on purpose; said, so nobody opens it in Excel unawares
        click.echo(note, err=True)


@export_group.command("ucdp")
@_DATASET
@_out_dir("datasets")
@handle_errors
def ucdp_command(dataset: Path, out: Path) -> None:
    """UCDP GED's 49 columns: ucdp_ged.csv and ucdp_ged.parquet (non-GED events left out and counted).

    \b
    Example:
        incidentkit export ucdp --dataset datasets -o exports
    """
    from incidentkit.export import UCDP_FILES, excluded_counts, to_ucdp, write_ucdp
    from incidentkit.export.ucdp import formula_note

    table = _read(dataset, [out / name for name in UCDP_FILES])
    for path in write_ucdp(table, out):
        click.echo(str(path))
    left = excluded_counts(to_ucdp(table))
    click.echo(f"left out: {left.get('not_ged_event_type', 0)} Protests/Strategic developments, "
               f"{left.get('no_deaths', 0)} without deaths (not UCDP GED events)", err=True)
    if note := formula_note(out):
        click.echo(note, err=True)


@export_group.command("geoparquet")
@_DATASET
@click.option("-o", "--out", type=click.Path(path_type=Path), default=Path("datasets/incidents.geoparquet"),
              show_default=True, help="The GeoParquet file to write.")
@handle_errors
def geoparquet_command(dataset: Path, out: Path) -> None:
    """GeoParquet 1.1 with WKB points and a bbox covering column (reads in geopandas, DuckDB, QGIS).

    \b
    Example:
        incidentkit export geoparquet --dataset datasets -o incidents.geoparquet
    """
    from incidentkit.export import write_geoparquet
    from incidentkit.export._io import stage_atomic

    table = _read(dataset, [out])
    stage_atomic(out, lambda tmp: write_geoparquet(table, tmp))
    click.echo(str(out))


@export_group.command("datapackage")
@_DATASET
@_out_dir("datasets")
@handle_errors
def datapackage_command(dataset: Path, out: Path) -> None:
    """datapackage.json (Frictionless v2) describing the export files present in the output folder.

    \b
    Example:
        incidentkit export datapackage --dataset datasets -o datasets
        frictionless validate datasets/datapackage.json
    """
    from incidentkit.export import write_datapackage
    from incidentkit.export.datapackage import DATAPACKAGE_FILE

    click.echo(str(write_datapackage(out, table=_read(dataset, [out / DATAPACKAGE_FILE]))))


@export_group.command("spreadsheet")
@_DATASET
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True,
              help="The .xlsx or .csv file to write.")
@handle_errors
def spreadsheet_command(dataset: Path, out: Path) -> None:
    """A spreadsheet-safe copy (.xlsx or .csv): cells that could run as formulas are neutralised.

    \b
    Example:
        incidentkit export spreadsheet --dataset datasets -o incidents.xlsx
    """
    from incidentkit.export import write_spreadsheet

    write_spreadsheet(_read(dataset, [out]), out)
    click.echo(str(out))


@click.command("codebook")
@click.option("-o", "--out", type=click.Path(path_type=Path), default=Path("docs"), show_default=True,
              help="Folder for codebook.md and record.schema.json.")
@handle_errors
def codebook_command(out: Path) -> None:
    """Write the codebook page (Markdown) and the JSON Schema editors use to check YAML records.

    \b
    Example:
        incidentkit codebook -o docs
    """
    from incidentkit.export import write_codebook

    for path in write_codebook(out):
        click.echo(str(path))


commands = [export_group, codebook_command]
