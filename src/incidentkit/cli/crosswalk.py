"""`incidentkit crosswalk`: the CAMEO/PLOVER/GTD -> ACLED table, written out to edit or checked."""

from __future__ import annotations

from pathlib import Path

import click

from incidentkit.cli._common import InputPath, handle_errors


@click.command("crosswalk")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Write the table as one CSV to edit (then pass it with --crosswalk FILE).")
@click.option("--check", "check", type=InputPath(), default=None,
              help="Check an edited table (a CSV or a folder of them) and say what it holds.")
@click.option("--code", "codes", multiple=True, metavar="SCHEME:CODE",
              help="Show what a code maps to (e.g. cameo:190, plover:ASSAULT/firearms); repeatable.")
@handle_errors
def crosswalk_command(output: Path | None, check: Path | None, codes: tuple[str, ...]) -> None:
    """The crosswalk from other datasets' event codes (CAMEO, PLOVER, GTD) to ACLED event types.

    Ingest fills event_type and sub_event_type from each code's best row; linking weighs every row of
    a code (docs: reference/crosswalk). Exit status: 0 done, 1 the table is invalid (file, line and
    column are named), 2 usage error.

    \b
    Example:
        incidentkit crosswalk -o my_crosswalk.csv
        incidentkit crosswalk --check my_crosswalk.csv --code cameo:190
        incidentkit link datasets gdelt.parquet -o links.parquet --crosswalk my_crosswalk.csv
    """
    from incidentkit.codebook.crosswalk import load_crosswalk, write_crosswalk

    cw = load_crosswalk(check)
    if output is not None:
        from incidentkit.paths import refuse_overwriting_inputs

        refuse_overwriting_inputs([output], [Path(r.source) for r in cw.rows])
        n = write_crosswalk(output, cw)
        click.echo(f"Wrote {n} rows ({', '.join(cw.schemes)}) to {output}")
    if check is not None or (output is None and not codes):
        per = {s: sum(1 for r in cw.rows if r.scheme == s) for s in cw.schemes}
        click.echo(f"{cw.source}: {len(cw.rows)} rows valid: " + ", ".join(f"{s} {n}" for s, n in per.items()))
    for value in codes:
        scheme, _, code = value.partition(":")
        rows = cw.rows_for(scheme.lower(), code)
        if not rows:
            click.echo(f"{value}: no row maps it (no ACLED type; linking scores its type 0)")
            continue
        for r in sorted(rows, key=lambda r: -r.weight):
            target = f"{r.event_type} / {r.sub_event_type}" if r.sub_event_type else "no ACLED event"
            click.echo(f"{value}: {target} {r.weight:g} (row {r.code}, {Path(r.source).name}:{r.line}) {r.note}")


commands = [crosswalk_command]
