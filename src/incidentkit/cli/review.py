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


def _read_draft(path: Path) -> tuple[dict, dict]:
    """The draft (``{"incidents": [...]}``) and what it says of its article (``article``, ``published``,
    ``language``; empty for the JSON of ``draft --json``): from that JSON, or from the draft YAML that
    ``incidentkit draft`` writes to datasets/drafts/ (its ``draft:`` section)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputFileError(f"{path}: not UTF-8 text; a draft is the JSON `incidentkit draft --json` prints "
                             "or the YAML `incidentkit draft` writes", code="file-encoding") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        from incidentkit.records.yamlload import YamlLoadError, load_yaml_text

        try:
            doc = load_yaml_text(text, str(path))
        except YamlLoadError as exc:
            raise InputFileError(f"{path}: {exc}", code=exc.problems[0].code if exc.problems else "yaml-syntax",
                                 problems=exc.problems) from None
        section = doc.get("draft") if isinstance(doc, dict) else None
        if not isinstance(section, dict):
            raise InputFileError(f"{path}: no 'draft:' section; give the YAML `incidentkit draft` writes (in "
                                 "datasets/drafts/) or the JSON of `incidentkit draft --json`", code="type-error")
        about = {k: section.get(k) for k in ("article", "published", "language")
                 if isinstance(section.get(k), str)}
        return {"incidents": section.get("incidents")}, about
    try:
        return json.loads(text), {}
    except ValueError as exc:
        raise InputFileError(f"{path}: not JSON ({exc}); a draft is what `incidentkit draft --json` prints",
                             code="type-error") from None


def _find_article(name: str, draft_path: Path) -> Path | None:
    """The article a draft YAML names (a file name): beside the draft, here, or in datasets/articles/."""
    if not name or Path(name).name != name:
        return None
    for folder in (draft_path.parent, Path("."), Path("datasets") / "articles"):
        if (folder / name).is_file():
            return folder / name
    return None


@click.command("review")
@click.argument("draft", type=InputPath(dir_okay=False, hint="`incidentkit draft ARTICLE` writes it"))
@click.argument("article", type=InputPath(dir_okay=False), required=False)
@click.option("-o", "--output", "output", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The HTML page to write (self-contained: open it in any browser, offline).")
@click.option("--published", default=None, callback=_published, metavar="YYYY-MM-DD",
              help="The report's publication date, filled in the page's source fields.")
@click.option("--language", default=None, callback=_language, metavar="LL",
              help="The report's language (ISO 639-1: en, sv, ar, fr, ...); ar is shown right to left.")
@handle_errors
def review_cmd(draft: Path, article: Path | None, output: Path, published: str, language: str) -> None:
    """Write a review page for a draft: the article with each suggestion's passage highlighted in its
    field's colour, and the record's form beside it with every candidate value.

    DRAFT is the JSON `incidentkit draft --json` prints (then give the ARTICLE) or the draft YAML
    `incidentkit draft` writes to datasets/drafts/ (it names its article, looked for beside the draft,
    here and in datasets/articles/, and gives the publication date and language).

    Click a value to see the passage it rests on; accept it, choose an alternative or type your own;
    write the notes; give your coder id; download the record as YAML (only the values you accepted or
    typed, with the accepted passages as evidence quotes). Fill the source fields the page does not
    know, then check the record with `incidentkit validate`.

    \b
    Examples:
        incidentkit draft report.txt --published 2022-01-21 --language sv --json > draft.json
        incidentkit review draft.json report.txt -o review.html --published 2022-01-21 --language sv
        incidentkit review datasets/drafts/report.draft.yaml -o review.html
    """
    from incidentkit.draft.review import read_article, write_review_html
    from incidentkit.errors import UsageError
    from incidentkit.paths import refuse_overwriting_inputs

    refuse_overwriting_inputs([output], [draft, article])
    payload, about = _read_draft(draft)
    if article is None:
        article = _find_article(about.get("article", ""), draft)
        if article is None:
            named = f" (it names {about['article']!r}, found neither beside it, here nor in datasets/articles/)" \
                if about.get("article") else ""
            raise UsageError(f"give the ARTICLE the draft {draft} was made from{named}")
        refuse_overwriting_inputs([output], [article])
    if not published and re.fullmatch(r"\d{4}-\d{2}-\d{2}", about.get("published", "")):
        published = about["published"]
    if not language and re.fullmatch(r"[a-z]{2}", about.get("language", "")):
        language = about["language"]
    text = read_article(article)
    write_review_html(payload, text, output, article_name=article.name, published=published, language=language)
    n = len(payload.get("incidents") or []) if isinstance(payload, dict) else 0
    click.echo(f"{n} incident(s) to review -> {output}")


commands = [review_cmd]
