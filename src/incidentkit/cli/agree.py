"""`incidentkit agree`: inter-coder agreement between two or more coders' codings of the same reports."""

from __future__ import annotations

from pathlib import Path

import click

from incidentkit.cli._common import InputPath, handle_errors
from incidentkit.errors import UsageError
from incidentkit.reliability import agreement


@click.command("agree")
@click.argument("paths", nargs=-1, required=True, type=InputPath())
@click.option("--json", "as_json", is_flag=True, help="Print the full report (fields, split, disagreements) as JSON.")
@click.option("--disagreements", "disagreements_csv", type=click.Path(path_type=Path, dir_okay=False),
              help="Write every disagreement, with both coders' values and evidence quotes, to this CSV.")
@click.option("--bootstrap", "n_boot", type=click.IntRange(min=0), default=1000, show_default=True,
              help="Bootstrap replicates (incidents resampled) for the confidence intervals; 0 for none.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the bootstrap (same seed, same CI).")
@click.option("--gazetteer-dir", type=InputPath(file_okay=False), default=None,
              help="Project gazetteer folder, as in build [default: datasets/gazetteer].")
@click.option("--no-geocode", is_flag=True, help="Compare only coordinates the coders wrote; do not geocode places.")
@handle_errors
def agree_command(paths: tuple[Path, ...], as_json: bool, disagreements_csv: Path | None, n_boot: int,
                  seed: int, gazetteer_dir: Path | None, no_geocode: bool) -> None:
    """Compare coders' independent codings of the same reports: Krippendorff's alpha per field.

    Each PATH is a folder or file of one coder's records (the coder is read from the records). Incidents
    are aligned within each source by date, place and type, then every field is compared at its level
    of measurement. Places without coordinates are geocoded as build places them (the project's
    gazetteer folder included). Exit status: 0 done, 1 a record is invalid, 2 usage error.

    \b
    Example:
        incidentkit agree datasets/coded-reliability/ik datasets/coded-reliability/mh
        incidentkit agree --json --disagreements review.csv coder-a/ coder-b/ coder-c/
        incidentkit agree --gazetteer-dir my-project/dataset/gazetteer coder-a/ coder-b/
    """
    if len(paths) < 2:
        raise UsageError("give at least two paths: one folder or file of records per coder",
                         code="reliability-too-few-coders")
    if disagreements_csv is not None:  # never over a coder's records or a gazetteer, before any work
        from incidentkit.build import DEFAULT_OUT, project_gazetteer_dir
        from incidentkit.paths import refuse_overwriting_inputs

        gazetteers = None if no_geocode else project_gazetteer_dir(DEFAULT_OUT, gazetteer_dir)
        refuse_overwriting_inputs([disagreements_csv], [*paths, gazetteers])
    result = agreement(*paths, n_boot=n_boot, seed=seed, geocode=not no_geocode, gazetteer_dir=gazetteer_dir)
    if disagreements_csv is not None:
        result.write_disagreements(disagreements_csv)
    click.echo(result.to_json() if as_json else result.format())


commands = [agree_command]
