"""CLI: ``incidentkit geocode`` (a table of place names -> coordinates) and ``incidentkit gazetteer``.

    incidentkit geocode places.csv -o places_geocoded.csv
    incidentkit gazetteer add villages.csv          # a user CSV or a GeoNames dump (SY.txt)
    incidentkit gazetteer download SY IQ            # GeoNames per-country dumps, for village coverage
    incidentkit gazetteer info
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from incidentkit.cli._common import InputPath, handle_errors
from incidentkit.errors import InputFileError, UsageError

DEFAULT_PROJECT_GAZETTEER = Path("datasets") / "gazetteer"


def _project_gazetteer_dir(explicit: Path | None) -> Path | None:
    if explicit is not None:
        return explicit
    return DEFAULT_PROJECT_GAZETTEER if DEFAULT_PROJECT_GAZETTEER.is_dir() else None


def _backends(names: tuple[str, ...], cache_dir: Path | None, user_agent: str | None,
              nominatim_domain: str | None, geonames_username: str | None, *, timeout: float = 30.0,
              max_wait: float = 60.0) -> list:
    from incidentkit.geocode.backends import GeoNamesBackend, NominatimBackend

    out = []
    for n in names:
        if n == "nominatim":
            out.append(NominatimBackend(domain=nominatim_domain, user_agent=user_agent, cache_dir=cache_dir,
                                        timeout=timeout, max_wait=max_wait))
        elif n == "geonames":
            if not geonames_username:
                raise UsageError("the geonames backend needs --geonames-username (a free geonames.org account)")
            out.append(GeoNamesBackend(username=geonames_username, cache_dir=cache_dir, timeout=timeout,
                                       max_wait=max_wait))
    return out


@click.command("geocode")
@click.argument("input_csv", type=InputPath(dir_okay=False))
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), required=True,
              help="Output CSV: every input column plus latitude, longitude, geo_precision, where_prec, "
                   "matched_name, gazetteer, gazetteer_id, score, ambiguous, geocode_phrase, geocode_fallback, "
                   "geocode_note, alternatives.")
@click.option("--gazetteer-dir", type=InputPath(file_okay=False), default=None,
              help="Project gazetteer folder (default: datasets/gazetteer when it exists).")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Where the index and online answers are cached (default: $INCIDENTKIT_CACHE_DIR or ~/.cache/incidentkit).")
@click.option("--backend", "backends", type=click.Choice(["nominatim", "geonames"]), multiple=True,
              help="Ask an online geocoder for names the gazetteers do not know (opt-in; cached).")
@click.option("--user-agent", default=None, help="User agent for Nominatim (identify your project).")
@click.option("--nominatim-domain", default=None, help="A self-hosted Nominatim (host[:port]); no rate limit.")
@click.option("--geonames-username", default=None, envvar="GEONAMES_USERNAME", help="geonames.org user name.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0, show_default=True,
              help="Seconds an online geocoder may take for one name, every attempt and back-off pause included.")
@click.option("--max-wait", type=click.FloatRange(min=0), default=60.0, show_default=True,
              help="Longest pause per name when the server asks to wait (Retry-After); a longer wait stops the run.")
@click.option("--context", "context", default=None, metavar="COLUMN",
              help="A column naming each row's report (e.g. source_id): a name ambiguous alone is settled by "
                   "the points of the same report's other places.")
@click.option("--no-progress", is_flag=True,
              help="No progress report [default: a bar on a terminal, a one-line note otherwise].")
@handle_errors
def geocode_cmd(input_csv: Path, output: Path, gazetteer_dir: Path | None, cache_dir: Path | None,
                backends: tuple[str, ...], user_agent: str | None, nominatim_domain: str | None,
                geonames_username: str | None, timeout: float, max_wait: float, context: str | None,
                no_progress: bool) -> None:
    """Geocode a CSV of place names (columns: name, country, optionally admin1, admin2).

    Names are read as reports write them ("near Jowhar", "Dhaka - Paltan", "ريف حلب"); the phrase read
    is in geocode_phrase and the rule applied in geocode_note. A place no gazetteer has, with admin2 or
    admin1 given, is placed at that unit's seat at geo_precision 3 (geocode_fallback says which).

    \b
    Example:
        incidentkit geocode places.csv -o places_geocoded.csv
    """
    import pandas as pd

    from incidentkit.atomic import writing
    from incidentkit.formulas import neutralise_frame
    from incidentkit.geocode import GeocodeResult, Geocoder, country_code
    from incidentkit.paths import refuse_overwriting_inputs

    # never over the input or a gazetteer it reads (usage error, before any work)
    refuse_overwriting_inputs([output], [input_csv, _project_gazetteer_dir(gazetteer_dir)])
    try:
        df = pd.read_csv(input_csv, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{input_csv}: not UTF-8 text", code="file-encoding") from exc
    except Exception as exc:  # pandas raises several types for malformed CSV
        raise InputFileError(f"{input_csv}: cannot parse CSV ({exc})", code="csv-syntax") from exc
    missing = [c for c in ("name", "country", *([context] if context else [])) if c not in df.columns]
    if missing:
        raise InputFileError(f"{input_csv}: missing column(s) {', '.join(missing)} "
                             f"(needs name, country; optional admin1, admin2)", code="csv-header")
    for line, value in enumerate(df["country"], start=2):
        if value.strip() and country_code(value) is None:
            raise InputFileError(f"{input_csv}:{line}: unknown country {value!r} "
                                 "(use an ISO 3166 code such as SY, or a country name)", code="type-error")
    gc = Geocoder(gazetteer_dir=_project_gazetteer_dir(gazetteer_dir), cache_dir=cache_dir,
                  backends=_backends(backends, cache_dir, user_agent, nominatim_domain, geonames_username,
                                     timeout=timeout, max_wait=max_wait))
    # None: incidentkit.progress picks the form (a bar on a terminal, one note in a log); True would
    # force a bar into logs and captured output
    results = gc.geocode_many(df.to_dict("records"), progress=False if no_progress else None,
                              context_key=context)
    added = pd.DataFrame([r.as_row() for r in results], index=df.index,
                         columns=list(GeocodeResult(query="").as_row()))
    for col in ("geo_precision", "where_prec"):
        added[col] = added[col].astype("Int64")
    out = pd.concat([df, added[[c for c in added.columns if c not in df.columns]]], axis=1)
    # a person opens this file: cells a spreadsheet would run are neutralised, as `export spreadsheet` does
    with writing(output):  # a full disk or a refused permission: one line (file-unwritable)
        _write_atomic(neutralise_frame(out), output)
    found = sum(r.found for r in results)
    amb = sum(r.ambiguous for r in results)
    click.echo(f"{len(results)} names: {found} found, {amb} ambiguous, {len(results) - found - amb} not found "
               f"-> {output}")


def _write_atomic(df, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True) if str(path.parent) else None
    fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        # CRLF line ends: Python's csv writer then quotes a cell holding a bare CR or LF, which it
        # leaves unquoted with \n line ends (the file would split that row when read back)
        df.to_csv(tmp, index=False, lineterminator="\r\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@click.group("gazetteer")
def gazetteer_group() -> None:
    """Manage gazetteers: add your own, download GeoNames country files, inspect what is indexed."""


def _target_dir(to: Path | None, cache_dir: Path | None) -> Path:
    from incidentkit.geocode import user_gazetteer_dir

    if to is not None:
        return to
    proj = _project_gazetteer_dir(None)
    return proj if proj is not None else user_gazetteer_dir(cache_dir)


@gazetteer_group.command("add")
@click.argument("file", type=InputPath(dir_okay=False))
@click.option("--name", default=None, help="Gazetteer name (default: the file name without extension).")
@click.option("--to", "to", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Folder to add it to (default: datasets/gazetteer if present, else the user cache).")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), default=None)
@handle_errors
def gazetteer_add(file: Path, name: str | None, to: Path | None, cache_dir: Path | None) -> None:
    """Add a gazetteer: a CSV (name, country, latitude, longitude[, admin1, kind, aliases]) or a GeoNames dump.

    \b
    Example:
        incidentkit gazetteer add villages.csv
        incidentkit gazetteer add SY.txt
    """
    from incidentkit.geocode.sources import add_gazetteer_file

    dest, n = add_gazetteer_file(file, _target_dir(to, cache_dir), name=name)
    click.echo(f"added {n} places -> {dest} (the index rebuilds itself at next use)")


@gazetteer_group.command("download")
@click.argument("countries", nargs=-1, required=True)
@click.option("--base-url", default=None, envvar="INCIDENTKIT_GEONAMES_URL",
              help="GeoNames dump base URL (default https://download.geonames.org/export/dump/); for mirrors.")
@click.option("--to", "to", type=click.Path(path_type=Path, file_okay=False), default=None)
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), default=None)
@click.option("--timeout", default=60.0, show_default=True, help="Seconds per request.")
@handle_errors
def gazetteer_download(countries: tuple[str, ...], base_url: str | None, to: Path | None,
                       cache_dir: Path | None, timeout: float) -> None:
    """Download GeoNames per-country dumps (e.g. SY IQ) and add them as gazetteers: village coverage.

    \b
    Example:
        incidentkit gazetteer download SY IQ
    """
    from incidentkit.geocode.sources import DEFAULT_GEONAMES_URL, download_geonames

    target = _target_dir(to, cache_dir)
    for cc in countries:
        dest, n = download_geonames(cc, target, base_url=base_url or DEFAULT_GEONAMES_URL, timeout=timeout)
        click.echo(f"{cc}: {n} places -> {dest}")


@gazetteer_group.command("info")
@click.option("--gazetteer-dir", type=InputPath(file_okay=False), default=None,
              help="Project gazetteer folder [default: datasets/gazetteer when it exists].")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Where the index is cached [default: $INCIDENTKIT_CACHE_DIR or ~/.cache/incidentkit].")
@handle_errors
def gazetteer_info(gazetteer_dir: Path | None, cache_dir: Path | None) -> None:
    """Show which gazetteers are indexed and how many places each holds.

    \b
    Example:
        incidentkit gazetteer info
        incidentkit gazetteer info --gazetteer-dir my-project/gazetteer
    """
    from collections import Counter

    from incidentkit.geocode import Geocoder

    gc = Geocoder(gazetteer_dir=_project_gazetteer_dir(gazetteer_dir), cache_dir=cache_dir)
    ix = gc.index  # the sharded index counts the shards it has not opened from their manifest
    counts = ix.gazetteer_counts() if hasattr(ix, "gazetteer_counts") else Counter(ix.gazetteer)
    for g in gc.index.sources:
        click.echo(f"{g:24} {counts.get(g, 0):8d} places")
    click.echo(f"index cache: {gc.cache_dir}")


commands = [geocode_cmd, gazetteer_group]
