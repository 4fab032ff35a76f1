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
@click.option("--crosswalk", type=InputPath(), default=None,
              help="An edited crosswalk (CAMEO/PLOVER/GTD codes to ACLED types; `incidentkit crosswalk -o FILE` "
                   "writes one) [default: the shipped one].")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: this process. dask: the candidate search and scoring on Dask distributed, in time "
                   "partitions (the same links; needs pip install 'incidentkit[dask]').")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="With --engine dask: the Dask scheduler to use (tcp://host:8786) [default: a local cluster].")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="With --engine dask and no --scheduler: worker processes of the local cluster "
                   "[default: the CPU count, at most 8].")
@click.option("--partitions", type=click.IntRange(min=1), default=None,
              help="With --engine dask: time partitions of the external events [default: 4 per worker].")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@handle_errors
def link_command(incidents: Path, external: Path, output: Path, days: int, km: float, min_score: float,
                 taxonomy: Path | None, crosswalk: Path | None, engine: str, scheduler: str | None, workers: int | None,
                 partitions: int | None, as_json: bool) -> None:
    """Link our incidents to the external events that record the same events.

    INCIDENTS is a dataset folder or incidents.parquet; EXTERNAL an ingested ACLED, UCDP, GTD, ICEWS,
    GDELT or POLECAT Parquet file (their own event codes are weighed through the crosswalk; GDELT's
    rows of one reported event are linked together).
    Each external event is linked at most once; an incident to one event, or, when it spans N days,
    to up to N rows of one event recorded day by day (as ACLED records multi-day events). The summary
    counts incidents and external events apart and prints the windows after precision widening.
    With --engine dask the external events are split into time partitions searched and scored on
    Dask workers, then one global assignment: exactly the links of the local engine (a Parquet
    EXTERNAL must be readable at the same path on every worker).
    Exit status: 0 done, 1 a file is not readable as a dataset or events file, 2 usage error (a
    missing path, a bad option, --engine dask without the dask extra).

    \b
    Example:
        incidentkit ingest acled acled.csv -o acled.parquet
        incidentkit link datasets acled.parquet -o links.parquet --days 3 --km 25
        incidentkit link datasets gdelt.parquet -o links.parquet --engine dask --workers 4
    """
    from incidentkit.errors import UsageError
    from incidentkit.linking import link

    options = {k: v for k, v in (("scheduler", scheduler), ("workers", workers), ("partitions", partitions))
               if v is not None}
    if engine != "dask" and options:
        raise UsageError(f"--{next(iter(options))} is an option of --engine dask", code="usage")
    if scheduler is not None and workers is not None:
        raise UsageError("--workers starts a local cluster; with --scheduler the cluster has its own workers",
                         code="usage")
    result = link(incidents, external, days=days, km=km, min_score=min_score, taxonomy=taxonomy,
                  crosswalk=crosswalk, engine=engine, **options)
    result.write(output)
    if as_json:
        click.echo(json.dumps(result.summary, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(result.summary_text())
        click.echo(f"  wrote {output}")


commands = [link_command]
