"""`incidentkit link`: which of our incidents ACLED or UCDP also holds."""

from __future__ import annotations

import json
from pathlib import Path

import click

from incidentkit.cli._common import InputPath, handle_errors


@click.command("link")
@click.argument("incidents", type=InputPath(hint="incidentkit build writes a dataset"))
@click.argument("external", type=InputPath(file_okay=True, dir_okay=False,
                                           hint="incidentkit ingest acled/ucdp writes one"))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="Parquet file of linked pairs (incident_id, external_id, distance_km, day_gap, score, "
                   "window_days, window_km, same_event_as, reason).")
@click.option("--days", type=click.IntRange(min=0), default=3, show_default=True,
              help="Base time window in days (widened by time_precision 2: +7, 3: +15, per side).")
@click.option("--km", type=click.FloatRange(min=0, min_open=True), default=25.0, show_default=True,
              help="Base distance in km (widened by geo_precision 2: +25, 3: +100, per side).")
@click.option("--min-score", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              help="Pairs scoring below this are not linked.")
@click.option("--taxonomy", type=InputPath(dir_okay=False), default=None,
              help="An edited copy of the event-type taxonomy CSV [default: the shipped one].")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@handle_errors
def link_command(incidents: Path, external: Path, output: Path, days: int, km: float, min_score: float,
                 taxonomy: Path | None, as_json: bool) -> None:
    """Link our incidents to the external events that record the same events.

    INCIDENTS is a dataset folder or incidents.parquet; EXTERNAL an ingested ACLED/UCDP Parquet file.
    Each external event is linked at most once; an incident to one event, or, when it spans N days,
    to up to N rows of one event recorded day by day (as ACLED records multi-day events). The summary
    counts incidents and external events apart and prints the windows after precision widening.
    Exit status: 0 done, 1 a file is not readable as a dataset or events file, 2 usage error (a
    missing path, a bad option).

    \b
    Example:
        incidentkit ingest acled acled.csv -o acled.parquet
        incidentkit link datasets acled.parquet -o links.parquet --days 3 --km 25
    """
    from incidentkit.linking import link

    result = link(incidents, external, days=days, km=km, min_score=min_score, taxonomy=taxonomy)
    result.write(output)
    if as_json:
        click.echo(json.dumps(result.summary, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(result.summary_text())
        click.echo(f"  wrote {output}")


commands = [link_command]
