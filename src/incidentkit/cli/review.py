"""CLI: ``incidentkit review`` (issue 14): a draft and its article -> one self-contained HTML review page.

    incidentkit draft report.txt --published 2022-01-21 --language sv --json > draft.json
    incidentkit review draft.json report.txt -o review.html --published 2022-01-21 --language sv
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import click

from incidentkit.cli._common import InputPath, handle_errors
from incidentkit.errors import InputFileError


def _published(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    if not value:
        return ""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise click.BadParameter(f"{value!r} is not a date YYYY-MM-DD")


def _language(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    if not value:
        return ""
    if not re.fullmatch(r"[a-z]{2}", value):
        raise click.BadParameter(f"{value!r} is not an ISO 639-1 code (two lowercase letters, e.g. sv, ar)")
    return value


def _read_draft(path: Path) -> dict:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputFileError(f"{path}: not UTF-8 text; a draft is the JSON `incidentkit draft --json` prints",
                             code="file-encoding") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise InputFileError(f"{path}: not JSON ({exc}); a draft is what `incidentkit draft --json` prints",
                             code="type-error") from None


@click.command("review")
@click.argument("draft_json", type=InputPath(dir_okay=False, hint="`incidentkit draft ARTICLE --json` writes it"))
@click.argument("article", type=InputPath(dir_okay=False))
@click.option("-o", "--output", "output", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The HTML page to write (self-contained: open it in any browser, offline).")
@click.option("--published", default=None, callback=_published, metavar="YYYY-MM-DD",
              help="The report's publication date, filled in the page's source fields.")
@click.option("--language", default=None, callback=_language, metavar="LL",
              help="The report's language (ISO 639-1: en, sv, ar, fr, ...); ar is shown right to left.")
@handle_errors
def review_cmd(draft_json: Path, article: Path, output: Path, published: str, language: str) -> None:
    """Write a review page for a draft: the article with each suggestion's passage highlighted in its
    field's colour, and the record's form beside it with every candidate value.

    Click a value to see the passage it rests on; accept it, choose an alternative or type your own;
    write the notes; give your coder id; download the record as YAML (only the values you accepted or
    typed, with the accepted passages as evidence quotes). Fill the source fields the page does not
    know, then check the record with `incidentkit validate`.

    \b
    Example:
        incidentkit draft report.txt --published 2022-01-21 --language sv --json > draft.json
        incidentkit review draft.json report.txt -o review.html --published 2022-01-21 --language sv
    """
    from incidentkit.draft.review import read_article, write_review_html
    from incidentkit.paths import refuse_overwriting_inputs

    refuse_overwriting_inputs([output], [draft_json, article])
    draft = _read_draft(draft_json)
    text = read_article(article)
    write_review_html(draft, text, output, article_name=article.name, published=published, language=language)
    n = len(draft.get("incidents") or []) if isinstance(draft, dict) else 0
    click.echo(f"{n} incident(s) to review -> {output}")


commands = [review_cmd]
