"""CLI: ``incidentkit actors`` — the project's actor list and a search of the whole vocabulary.

    incidentkit actors import acled.parquet          # every unknown actor of an ingested (or raw) file
    incidentkit actors add "Zamfara Vigilantes" --inter 3 --country NG --source https://...
    incidentkit actors search Taleban --country AF --date 2020-05-01
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from incidentkit.cli._common import InputPath, handle_errors
from incidentkit.errors import UsageError

DEFAULT_ACTORS = Path("datasets") / "actors.csv"

_ACTORS_OPTION = click.option(
    "--actors", "actors_file", type=click.Path(path_type=Path, dir_okay=False), default=DEFAULT_ACTORS,
    show_default=True, help="The project's actor list (a CSV; created when missing).")


def _project(actors_file: Path) -> Path | None:
    return actors_file if actors_file.exists() else None


def _country(value: str | None) -> str | None:
    if value is None:
        return None
    from incidentkit.codebook.countries import country_code

    cc = country_code(value)
    if cc is None:
        raise UsageError(f"--country {value!r} is not a country (use an ISO code such as NG)")
    return cc


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--date {value!r} is not a date (YYYY-MM-DD)") from None


@click.group("actors")
def actors_group() -> None:
    """The actor vocabulary: search it, and extend the project's list (datasets/actors.csv)."""


@actors_group.command("import")
@click.argument("file", type=InputPath(dir_okay=False))
@_ACTORS_OPTION
@handle_errors
def actors_import(file: Path, actors_file: Path) -> None:
    """Add the actors of an ACLED or UCDP file that the vocabulary does not know to the project list.

    FILE is an ingested Parquet file (incidentkit ingest acled|ucdp) or a raw ACLED/UCDP CSV export.
    Each new name gets its most frequent country and inter code, the first and last date seen, and
    the source acled:<file> or ucdp:<file>. FILE itself is never written.

    \b
    Example:
        incidentkit actors import acled.parquet
    """
    from incidentkit.actors.project import import_actors

    result = import_actors(actors_file, file)
    click.echo(f"{result.added} added, {result.known} already known, {result.skipped} skipped -> {actors_file}")


@actors_group.command("add")
@click.argument("name")
@click.option("--inter", type=click.IntRange(1, 8), required=True, help="ACLED actor type (1-8).")
@click.option("--country", "country", required=True, help="Home country (ISO code or name).")
@click.option("--also-in", "also_in", multiple=True, help="Another country where it is active (repeatable).")
@click.option("--ucdp-name", default="", help="The same side's name in UCDP GED.")
@click.option("--alias", "aliases", multiple=True, help="Another name (any language; repeatable).")
@click.option("--source", default="", help="Where the name is documented (a URL).")
@click.option("--note", default="", help="Free text.")
@_ACTORS_OPTION
@handle_errors
def actors_add(name: str, inter: int, country: str, also_in: tuple[str, ...], ucdp_name: str,
               aliases: tuple[str, ...], source: str, note: str, actors_file: Path) -> None:
    """Add one actor to the project list; refuses a name already known.

    \b
    Example:
        incidentkit actors add "Zamfara Vigilantes" --inter 3 --country NG --alias "Yan Sa Kai"
    """
    from incidentkit.actors.project import add_actor

    cc = _country(country) or ""
    others = [_country(c) or "" for c in also_in]
    info = add_actor(actors_file, name, inter, cc, countries=(cc, *others) if others else (),
                     ucdp_name=ucdp_name, aliases=aliases, source=source, note=note)
    click.echo(f"added {info.name!r} ({info.country}, inter {info.inter}) -> {actors_file}")


@actors_group.command("search")
@click.argument("name")
@click.option("--country", default=None, help="Only names valid in this country (ISO code or name).")
@click.option("--date", "day", default=None, help="Only names valid on this date (YYYY-MM-DD).")
@click.option("--limit", type=click.IntRange(1, 500), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON list of actors instead of lines.")
@_ACTORS_OPTION
@handle_errors
def actors_search(name: str, country: str | None, day: str | None, limit: int, as_json: bool,
                  actors_file: Path) -> None:
    """Search the vocabulary by name or alias (any language: Daesh, داعش, Taleban), then by similarity.

    \b
    Example:
        incidentkit actors search "Al Shabab" --country SO --date 2024-03-01
    """
    from incidentkit.actors import load_vocabulary
    from incidentkit.errors import printable

    vocab = load_vocabulary(_project(actors_file))
    found = vocab.search(name, country=_country(country), date=_date(day), limit=limit)
    if as_json:
        rows = [{"name": i.name, "kind": i.kind, "inter": i.inter, "country": i.country,
                 "countries": list(i.countries), "start": i.start.isoformat() if i.start else None,
                 "end": i.end.isoformat() if i.end else None, "ucdp_name": i.ucdp_name, "source": i.source,
                 "unit": i.unit, "aliases": list(i.aliases)} for i in found]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    if not found:
        click.echo("no actor found")
        return
    for i in found:
        period = f" {i.start or ''}..{i.end or ''}" if i.kind == "state" else ""
        inter = "" if i.inter is None else f" inter {i.inter}"
        click.echo(printable(f"{i.name}  [{i.kind}{inter} {i.country or '-'}{period}]"))


commands = [actors_group]
