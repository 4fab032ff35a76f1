"""CLI: ``incidentkit draft`` (issue 14): a draft record from a news article, offline and rule-based.

    incidentkit draft article.txt --published 2022-01-21 --language sv            # -> datasets/drafts/
    incidentkit draft article.txt --published 2022-01-21 --language sv --json     # the JSON on stdout
    incidentkit draft article.txt --published 2022-01-21 --language sv --html review.html
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from incidentkit.cli._common import InputPath, handle_errors
from incidentkit.errors import IncidentkitError, InputFileError, UsageError

DEFAULT_DRAFTS = Path("datasets") / "drafts"
#: Articles larger than this are refused (a news report is a few thousand characters; a book is not one).
MAX_ARTICLE_BYTES = 1_000_000


def read_article(path: Path) -> str:
    """The article's text exactly as read (UTF-8; a BOM, if any, is kept as the text's first character so
    offsets count from the file's first character). Binary, non-UTF-8, empty or oversized files are
    located errors (exit 1)."""
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise UsageError(f"{path}: is a folder; give the article's text file") from None
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read: {exc.strerror or exc}", code="file-unreadable") from None
    if len(data) > MAX_ARTICLE_BYTES:
        raise InputFileError(f"{path}: {len(data):,} bytes is not a news article (at most {MAX_ARTICLE_BYTES:,})",
                             code="article-too-large")
    if b"\x00" in data:
        raise InputFileError(f"{path}: a binary file, not an article's text (save the article as UTF-8 text)",
                             code="file-encoding")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{path}: not UTF-8 text (byte {exc.start}: {data[exc.start:exc.start + 1]!r}); "
                             "save the article as UTF-8", code="file-encoding") from None
    if not text.strip():
        raise InputFileError(f"{path}: the article is empty", code="article-empty")
    return text


@click.command("draft")
@click.argument("article", type=InputPath(dir_okay=False))
@click.option("--published", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="The article's publication date: relative dates (\"on Sunday\", \"igår\", \"أمس\") are read "
                   "against it.")
@click.option("--language", required=True, type=click.Choice(["en", "sv", "ar", "fr"]),
              help="The article's language.")
@click.option("--country", default=None, metavar="CC",
              help="The country the report is about (ISO code or name): a hint tried first for places and actors.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the draft as JSON on standard output (the documented shape) and write no file.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=DEFAULT_DRAFTS,
              show_default=True, help="Folder for the draft YAML (never the coded records' folder).")
@click.option("--html", "html", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Also write the review page (the article with each suggestion's span highlighted) here.")
@handle_errors
def draft_cmd(article: Path, published: datetime, language: str, country: str | None, as_json: bool,
              out_dir: Path, html: Path | None) -> None:
    """Draft a record from a news article: dates, places, actors, event type and fatalities, each
    value with the passage it rests on, a score and ranked alternatives. Offline and rule-based.

    Without --json the draft is written to OUT/<article>.draft.yaml: a record skeleton with the top
    value of every field and, under `draft:`, every alternative with its score and quoted passage. It
    is never read as a coded record: check it (or open the --html page), then save the record in
    datasets/coded/.

    \b
    Example:
        incidentkit draft svt-2022-01-21.txt --published 2022-01-21 --language sv
        incidentkit draft report.txt --published 2023-05-02 --language fr --country ML --json
    """
    from incidentkit.draft import draft_article
    from incidentkit.draft.yaml_draft import draft_yaml
    from incidentkit.geocode.countries import country_code
    from incidentkit.paths import refuse_overwriting_inputs

    cc = None
    if country is not None and country.strip():
        cc = country_code(country)
        if cc is None:
            raise UsageError(f"--country {country!r}: not a country (use an ISO 3166 code such as SY, or a name)")
    target = None if as_json else out_dir / f"{article.stem}.draft.yaml"
    refuse_overwriting_inputs([p for p in (target, html) if p is not None], [article])
    text = read_article(article)
    day = published.date()
    d = draft_article(text, published=day, language=language, country=cc)
    payload = d.to_json()
    if html is not None:
        _write_html(payload, text, html, article, day.isoformat(), language)
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False))
        return
    from incidentkit.atomic import atomic_write_text

    assert target is not None
    atomic_write_text(target, draft_yaml(d, text, article_name=article.name))
    n = len(d.incidents)
    click.echo(f"{n} incident{'s' if n != 1 else ''} drafted -> {target}" + (f"; review page -> {html}" if html else ""))


def _write_html(payload: dict, text: str, path: Path, article: Path, published: str, language: str) -> None:
    try:
        from incidentkit.draft.review import write_review_html
    except ImportError:
        raise IncidentkitError("the review page (--html) is not available in this version of incidentkit; "
                               "run without --html, or use `incidentkit review` when it is",
                               code="review-unavailable") from None
    write_review_html(payload, text, path, article_name=article.name, published=published, language=language)


commands = [draft_cmd]
