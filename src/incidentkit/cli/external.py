"""`incidentkit ingest acled` and `incidentkit ingest ucdp`: public datasets -> harmonised Parquet."""

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
    """Read ACLED or UCDP GED exports into the harmonised schema (Parquet).

    \b
    Example:
        incidentkit ingest acled acled_2022.csv acled_2023.csv -o acled.parquet
        incidentkit ingest ucdp GEDEvent_v23_1.csv -o ged.parquet
    """


@ingest_group.command("acled")
@click.argument("files", nargs=-1, required=True, type=InputPath(dir_okay=False))
@_out
@_progress
@handle_errors
def acled_command(files: tuple[Path, ...], output: Path, progress: bool | None) -> None:
    """Ingest ACLED export files (any vintage; CSV or API JSON) into one Parquet file.

    Exit status: 0 written, 1 a file is unreadable or malformed (file, line and column are named),
    2 usage error (a missing file, a bad option).

    \b
    Example:
        incidentkit ingest acled tests/data/acled/acled_2023_api.csv -o acled.parquet
        incidentkit ingest acled old_export.csv api_2024.json -o acled.parquet --no-progress
    """
    from incidentkit.external import ingest_acled

    result = ingest_acled(files, output, progress=progress)
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


def _report(result: object) -> None:
    for path, n in result.rows.items():  # type: ignore[attr-defined]
        click.echo(f"{path}: {n} events")
    click.echo(f"Wrote {result.total} events to {result.output}")  # type: ignore[attr-defined]


commands = [ingest_group]
