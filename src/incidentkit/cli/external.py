"""`incidentkit ingest acled|ucdp|gtd|icews|gdelt|polecat`: public datasets -> harmonised Parquet."""

from __future__ import annotations

from pathlib import Path

import click

from incidentkit.cli._common import InputPath, handle_errors

_progress = click.option("--progress/--no-progress", default=None,
                         help="Show a progress bar on stderr [default: a bar on a terminal, a one-line note "
                              "otherwise].")
_out = click.option("-o", "--output", "output", type=click.Path(path_type=Path), required=True,
                    help="The harmonised Parquet file to write (atomically; nothing is left on error).")


@click.group("ingest")
def ingest_group() -> None:
    """Read ACLED, UCDP GED, GTD, ICEWS, GDELT or POLECAT exports into the harmonised schema (Parquet).

    \b
    Example:
        incidentkit ingest acled acled_2022.csv acled_2023.csv -o acled.parquet
        incidentkit ingest ucdp GEDEvent_v23_1.csv -o ged.parquet
    """


_engine = click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
                       help="Read several files in parallel on Dask (pip install 'incidentkit[dask]').")
_scheduler = click.option("--scheduler", metavar="ADDRESS", default=None,
                          help="With --engine dask: an existing Dask scheduler (tcp://host:8786) [default: a local "
                               "cluster on this machine].")
_workers = click.option("--workers", type=click.IntRange(min=1), default=None,
                        help="With --engine dask and no --scheduler: local worker processes [default: cores].")


@ingest_group.command("acled")
@click.argument("files", nargs=-1, required=True, type=InputPath(dir_okay=False))
@_out
@_progress
@_engine
@_scheduler
@_workers
@handle_errors
def acled_command(files: tuple[Path, ...], output: Path, progress: bool | None, engine: str,
                  scheduler: str | None, workers: int | None) -> None:
    """Ingest ACLED export files (any vintage; CSV or API JSON) into one Parquet file.

    Exit status: 0 written, 1 a file is unreadable or malformed (file, line and column are named),
    2 usage error (a missing file, a bad option).

    \b
    Example:
        incidentkit ingest acled tests/data/acled/acled_2023_api.csv -o acled.parquet
        incidentkit ingest acled old_export.csv api_2024.json -o acled.parquet --no-progress
        incidentkit ingest acled acled_*.csv -o acled.parquet --engine dask --workers 4
    """
    from incidentkit.external import ingest_acled

    result = ingest_acled(files, output, progress=progress, engine=engine, scheduler=scheduler, workers=workers)
    _report(result)


@ingest_group.command("ucdp")
@click.argument("file", type=InputPath(dir_okay=False))
@_out
@_progress
@handle_errors
def ucdp_command(file: Path, output: Path, progress: bool | None) -> None:
    """Ingest a UCDP GED CSV (49 columns) into a Parquet file.

    \b
    Example:
        incidentkit ingest ucdp tests/data/reference/ucdp_ged_23_1_sample.csv -o ged.parquet
    """
    from incidentkit.external import ingest_ucdp

    result = ingest_ucdp(file, output, progress=progress)
    _report(result)


def _ingest_command(name: str, title: str, function: str, doc: str) -> click.Command:
    """One `ingest <format>` command: FILES (files, folders of files) -> one Parquet file, atomically."""

    @ingest_group.command(name, help=doc, short_help=f"Ingest {title} files into one Parquet file.")
    @click.argument("files", nargs=-1, required=True, type=InputPath(dir_okay=True))
    @_out
    @_progress
    @_engine
    @_scheduler
    @_workers
    @handle_errors
    def command(files: tuple[Path, ...], output: Path, progress: bool | None, engine: str,
                scheduler: str | None, workers: int | None) -> None:
        import importlib

        module = importlib.import_module(f"incidentkit.external.{name}")
        result = getattr(module, function)(files, output, progress=progress, engine=engine, scheduler=scheduler,
                                           workers=workers)
        _report(result)

    return command


_ingest_command("gtd", "Global Terrorism Database", "ingest_gtd", """Ingest Global Terrorism Database exports (CSV, ';'-separated CSV or XLSX; 135 columns) into one Parquet file.

    Every row is kept: unknown days and months (0) become date ranges, specificity becomes
    geo_precision (5: no point), nkill the fatalities, attack and target types ACLED types through the
    crosswalk table (docs: reference/crosswalk). Exit status: 0 written, 1 a file is unreadable or
    malformed (file, line and column are named), 2 usage error.

    \b
    Example:
        incidentkit ingest gtd globalterrorismdb_0522dist.xlsx -o gtd.parquet
    """)
_ingest_command("icews", "ICEWS", "ingest_icews", """Ingest ICEWS event files (the 20-column tab-separated files) into one Parquet file.

    CAMEO codes become ACLED types through the crosswalk table; precision follows which of City,
    District and Province is filled. Exit status: 0 written, 1 a malformed file (located), 2 usage error.

    \b
    Example:
        incidentkit ingest icews events.2019.20200318085415.tab -o icews.parquet
    """)
_ingest_command("gdelt", "GDELT 2.0 event", "ingest_gdelt", """Ingest GDELT 2.0 event files (61 headerless tab columns; .CSV or zipped 15-minute files, or folders of them) into one Parquet file.

    EventCode is kept as text and mapped to ACLED types through the crosswalk table; ActionGeo_Type
    gives the precision, FIPS country codes become ISO codes; the rows one real event produces are
    kept and marked so that linking groups them. Exit status: 0 written, 1 a malformed file (located),
    2 usage error.

    \b
    Example:
        incidentkit ingest gdelt gdelt_2024_05/ -o gdelt.parquet --engine dask
    """)
_ingest_command("polecat", "POLECAT", "ingest_polecat", """Ingest POLECAT weekly event files (tab-separated; PLOVER event types and modes) into one Parquet file.

    PLOVER types and modes become ACLED types through the crosswalk table; stray trailing tabs and
    unescaped quotes are read as the data means them. Exit status: 0 written, 1 a malformed file
    (located), 2 usage error.

    \b
    Example:
        incidentkit ingest polecat ngec_coded_all_2023-01-01.txt -o polecat.parquet
    """)


def _report(result: object) -> None:
    for path, n in result.rows.items():  # type: ignore[attr-defined]
        click.echo(f"{path}: {n} events")
    click.echo(f"Wrote {result.total} events to {result.output}")  # type: ignore[attr-defined]


commands = [ingest_group]
