"""`incidentkit validate` and `incidentkit build`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from incidentkit.build import DEFAULT_CODED, DEFAULT_OUT, build, project_actors_file
from incidentkit.cli._common import InputPath, handle_errors
from incidentkit.validate import validate


@click.command("validate")
@click.argument("paths", nargs=-1, required=True, type=InputPath())
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON instead of lines.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1 on any warning).")
@click.option("--allow-empty", is_flag=True,
              help="Accept records holding no incident (an empty folder, a header-only CSV, incidents: []).")
@click.option("--actors", "actors_file", type=InputPath(dir_okay=False), default=None,
              help="The project's actor list, accepted beside the embedded vocabulary "
                   "[default: datasets/actors.csv when it exists].")
@handle_errors
def validate_command(paths: tuple[Path, ...], as_json: bool, strict: bool, allow_empty: bool,
                     actors_file: Path | None) -> None:
    """Check coded records (files or folders) against the codebook.

    Prints one line per problem as  path:line: field: message [code].
    Exit status: 0 all valid, 1 a record is invalid or there is none (an empty folder), 2 usage error
    (a missing path, a bad option).

    \b
    Example:
        incidentkit validate datasets/coded
        incidentkit validate --json datasets/coded/svt-2022-01-21-hasakah.yaml
    """
    report = validate(*paths, allow_empty=allow_empty, actors_file=project_actors_file(DEFAULT_OUT, actors_file))
    failed = not report.ok or (strict and report.warnings)
    if as_json:
        click.echo(json.dumps({"valid": not failed, "files": report.files, "incidents": len(report.rows),
                               "problems": report.to_dicts()}, ensure_ascii=False, indent=2))
    else:
        for p in report.problems:
            click.echo(p.format())
        status = "invalid" if failed else "valid"
        click.echo(f"{report.files} file(s), {len(report.rows)} valid incident(s), {len(report.errors)} error(s), "
                   f"{len(report.warnings)} warning(s): {status}", err=True)
    sys.exit(1 if failed else 0)


@click.command("build")
@click.option("--coded", type=InputPath(file_okay=False), default=DEFAULT_CODED, show_default=True,
              help="Folder of coded records (YAML/CSV).")
@click.option("--out", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True,
              help="Folder the dataset and its exports are written to.")
@click.option("--gazetteer-dir", type=InputPath(file_okay=False), default=None,
              help="Project gazetteer folder [default: OUT/gazetteer].")
@click.option("--no-geocode", is_flag=True, help="Do not geocode; incidents without coordinates stay empty.")
@click.option("--no-exports", is_flag=True, help="Write incidents.parquet only.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--no-wait", is_flag=True,
              help="Fail at once if another build writes OUT, instead of waiting for it to finish.")
@click.option("--allow-empty", is_flag=True,
              help="Write the dataset even if the records hold no incident (empty outputs replace OUT's).")
@click.option("--actors", "actors_file", type=InputPath(dir_okay=False), default=None,
              help="The project's actor list, accepted beside the embedded vocabulary "
                   "[default: OUT/actors.csv when it exists].")
@handle_errors
def build_command(coded: Path, out: Path, gazetteer_dir: Path | None, no_geocode: bool, no_exports: bool,
                  as_json: bool, no_wait: bool, allow_empty: bool, actors_file: Path | None) -> None:
    """Validate, geocode and write the dataset (incidents.parquet and its exports).

    If any record is invalid (or there is none), every problem is printed, nothing is written and the
    exit status is 1; a missing --coded folder is a usage error (2).

    \b
    Example:
        incidentkit build
        incidentkit build --coded my-project/coded --out my-project/dataset
    """
    result = build(coded, out, geocode=not no_geocode, gazetteer_dir=gazetteer_dir, exports=not no_exports,
                   progress=None, wait=not no_wait, allow_empty=allow_empty, actors_file=actors_file)
    for p in result.warnings:
        click.echo(p.format(), err=True)
    summary = result.summary()
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        _formula_notes(result.outputs, out)
        return
    click.echo(f"Built {summary['incidents']} incidents from {summary['sources']} source report(s) "
               f"in {summary['files']} file(s); countries: {', '.join(summary['countries'])}")
    click.echo(f"Fatalities low/best/high: {summary['fatalities_low']}/{summary['fatalities_best']}/"
               f"{summary['fatalities_high']}")
    click.echo("Event types: " + ", ".join(f"{k} {v}" for k, v in summary["event_types"].items()))
    click.echo("Coordinates: " + ", ".join(f"{k} {v}" for k, v in summary["coordinates"].items())
               + f"; warnings: {summary['warnings']}")
    for path in summary["outputs"]:
        click.echo(f"  wrote {path}")
    _formula_notes(result.outputs, out)


def _formula_notes(outputs: list[Path], out: Path) -> None:
    """Say how many cells of the ACLED and UCDP CSVs a spreadsheet would read as formulas (on stderr, so
    --json stays parseable): those layouts keep the exact text on purpose."""
    from incidentkit.export import acled, ucdp

    written = {Path(p).name for p in outputs}
    for module, name in ((acled, acled.ACLED_CSV), (ucdp, ucdp.UCDP_CSV)):
        if name in written and (note := module.formula_note(out)):
            click.echo(note, err=True)


commands = [validate_command, build_command]
