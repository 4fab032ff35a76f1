"""Validation: every rule of the codebook, turning raw records into normalised incident rows.

Each :class:`~incidentkit.codebook.fields.Kind` has one checker that either returns the normalised value
or a message naming the value and what is allowed. Cross-field rules run after the fields. The result is
data (:class:`ValidationReport`) that the CLI prints, the build refuses to write on, and notebooks inspect.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from rapidfuzz import process as fuzz_process

from incidentkit.codebook import countries, vocab
from incidentkit.actors import Vocabulary, load_vocabulary
from incidentkit.articles import SHA256_RE, Article, ArticleError, folder_absent, load_article, resolve
from incidentkit.codebook.fields import (EVIDENCE_KEYS, FATALITY_PARTS, INCIDENT_FIELDS, RECORD_FIELDS,
                                         SOURCE_FIELDS, TOP_LEVEL_KEYS, Field, Kind)
from incidentkit.errors import NOTE, WARNING, Problem, problem, quote
from incidentkit.records import RawRecord, discover, display_path, iter_records, no_records
from incidentkit.records.located import LocatedDict, line_of

ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
URL_RE = re.compile(r"https?://[^\s/$.?#][^\s]*")
#: Control characters no coded text holds (tab, newline and carriage return excepted): a NUL, a terminal
#: escape or a C1 character (mis-decoded Windows quotes) is damage, and would travel into every export.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
MAX_COUNT = 2**31 - 1  # counts are int32 in the dataset
MAX_ID_LENGTH = 200


class _Bad(Exception):
    """Raised by a checker: the value is wrong; carries the catalogue code and the message.

    ``line`` is set when the wrong part of a nested value has a line of its own (an evidence item, a
    fatalities key, a list item), so the problem points at it rather than at the field's key.
    """

    def __init__(self, code: str, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line


def did_you_mean(value: str, choices: Iterable[str], cutoff: float = 70) -> str:
    """' (did you mean 'X'?)' for a near miss, '' otherwise (and for text far longer than any choice)."""
    if len(value) > 200:
        return ""
    match = fuzz_process.extractOne(value, list(choices), score_cutoff=cutoff)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _show(value: Any) -> str:
    """A value in a message: :func:`incidentkit.errors.quote` (about 200 characters at most, no control
    characters, safe on 5,000-digit numbers and deeply nested values)."""
    return quote(value)


def _allowed_list(values: Iterable[Any], limit: int = 8) -> str:
    vals = [str(v) for v in values]
    shown = ", ".join(vals[:limit])
    return shown + (f", ... ({len(vals)} in all)" if len(vals) > limit else "")


# ---- one checker per kind ------------------------------------------------------------------------

def _text(value: Any) -> str:
    if isinstance(value, str):
        bad = None if value.isprintable() else CONTROL_RE.search(value)  # printable: the common, fast case
        if bad:
            raise _Bad("type-error", f"{_show(value)} holds the control character {quote(bad.group())[1:-1]} at "
                                     f"character {bad.start() + 1:,}: remove it (a NUL, a terminal escape or a "
                                     "mis-decoded character is not text)")
        return value
    raise _Bad("type-error", f"expected text, got {type(value).__name__} {_show(value)}; "
                             "put the value in quotes to keep it as written")


def _id(value: Any) -> str:
    text = _text(value)
    if not ID_RE.fullmatch(text) or len(text) > MAX_ID_LENGTH:
        raise _Bad("bad-id", f"{_show(text)} is not a safe id: use lowercase letters, digits and single '-' "
                             f"(at most {MAX_ID_LENGTH} characters), e.g. 'svt-2022-01-21-hasakah-01'")
    return text


def _url(value: Any) -> str:
    text = _text(value)
    if not URL_RE.fullmatch(text):
        raise _Bad("type-error", f"{_show(text)} is not a web address starting with http:// or https://")
    return text


def parse_date(value: Any) -> dt.date:
    """An ISO date from text (YYYY-MM-DD) or a date object; anything else is a clear error."""
    if isinstance(value, dt.datetime):
        raise _Bad("bad-date", f"{_show(value)} has a time of day; write the date alone as YYYY-MM-DD")
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not DATE_RE.fullmatch(value.strip()):
        raise _Bad("bad-date", f"{_show(value)} is not an ISO date; write YYYY-MM-DD, e.g. 2022-01-20")
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise _Bad("bad-date", f"{_show(value)} is not a real calendar date") from None


def _language(value: Any) -> str:
    code = countries.language_code(_text(value))
    if code is None:
        raise _Bad("not-in-vocabulary", f"{_show(value)} is not an ISO 639-1 language code (e.g. sv, ar, en)")
    return code


def _country(value: Any) -> str:
    text = _text(value)
    code = countries.country_code(text)
    if code is None:
        hint = did_you_mean(text, countries.all_country_names())
        raise _Bad("not-in-vocabulary", f"{_show(text)} is not an ISO 3166-1 country code or name{hint}")
    return code


def _text_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [_text(value)]
    if isinstance(value, list):
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise _Bad("type-error", f"list items must be text, got {type(item).__name__} {_show(item)}",
                           line_of(value, i))
            try:
                out.append(_text(item))
            except _Bad as bad:
                raise _Bad(bad.code, bad.message, line_of(value, i)) from None
        return out
    raise _Bad("type-error", f"expected a list of text, got {type(value).__name__} {_show(value)}")


def _vocab_match(text: str, allowed: Iterable[str]) -> str | None:
    folded = vocab.normalise_label(text).casefold()
    for candidate in allowed:
        if candidate.casefold() == folded:
            return candidate
    return None


def _vocabulary(allowed: Iterable[str], what: str, list_allowed: bool) -> Callable[[Any], str]:
    """A checker accepting the vocabulary's values in any case, with ACLED's dash and spelling variants."""
    allowed = tuple(allowed)

    def check(value: Any) -> str:
        text = _text(value)
        match = _vocab_match(text, allowed)
        if match is None:
            listing = f"; allowed: {_allowed_list(allowed)}" if list_allowed else ""
            raise _Bad("not-in-vocabulary", f"{_show(text)} is not an ACLED {what}{did_you_mean(text, allowed)}"
                       f"{listing}")
        return match
    return check


_event_type = _vocabulary(vocab.EVENT_TYPES, "event type", list_allowed=True)
_sub_event_type = _vocabulary(vocab.SUB_EVENT_TYPES, "sub-event type", list_allowed=False)


def _inter(value: Any) -> int:
    code = vocab.inter_code(value)
    if code is None:
        labels = [f"{k} {v}" for k, v in vocab.INTER_CODES.items()]
        hint = did_you_mean(value, vocab.INTER_CODES.values()) if isinstance(value, str) else ""
        raise _Bad("not-in-vocabulary", f"{_show(value)} is not an ACLED actor type{hint}; allowed: numbers or "
                                        f"labels {_allowed_list(labels, 8)}")
    return code


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise _Bad("type-error", f"expected a whole number, got {_show(value)}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[-+]?[0-9]+\s*", value):  # ASCII digits: not '²' or '٣'
        if len(value.strip().lstrip("+-")) > 20:  # int() refuses past 4,300 digits; no field holds 20
            raise _Bad("out-of-range", f"{_show(value)} is larger than any number a field holds")
        return int(value)
    raise _Bad("type-error", f"expected a whole number, got {type(value).__name__} {_show(value)}"
               + (" (write digits 0-9)" if isinstance(value, str) and any(c.isdigit() for c in value) else ""))


def _code(fdef: Field) -> Callable[[Any], int]:
    allowed = fdef.vocabulary or {}

    def check(value: Any) -> int:
        n = _integer(value)
        if n not in allowed:
            raise _Bad("out-of-range", f"{_show(value)} is not a {fdef.name} code; allowed: "
                                       + "; ".join(f"{k} = {v}" for k, v in allowed.items()))
        return n
    return check


_TRUE = {"true", "yes", "1", "civilian targeting", "civilians targeted", "y"}
_FALSE = {"false", "no", "0", "n", ""}


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        folded = value.strip().casefold()
        if folded in _TRUE:
            return True
        if folded in _FALSE:
            return False
    raise _Bad("type-error", f"{_show(value)} is not true or false (ACLED's 'Civilian targeting' also works)")


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise _Bad("type-error", f"expected a number, got {_show(value)}")
    if isinstance(value, (int, float)):
        try:
            f = float(value)
        except OverflowError:  # a whole number beyond float's range (a 400-digit latitude)
            raise _Bad("out-of-range", f"{_show(value)} is larger than any number a field holds") from None
    elif isinstance(value, str):
        try:
            if not value.isascii():  # float() reads '٣' as 3; numbers are written with digits 0-9
                raise ValueError(value)
            f = float(value)
        except ValueError:
            raise _Bad("type-error", f"expected a number, got {_show(value)}") from None
    else:
        raise _Bad("type-error", f"expected a number, got {type(value).__name__} {_show(value)}")
    if math.isinf(f) and not (isinstance(value, str) and "inf" in value.casefold()):
        raise _Bad("out-of-range", f"{_show(value)} is larger than any number a field holds")
    if math.isnan(f) or math.isinf(f):
        raise _Bad("out-of-range", f"{_show(value)} is not a finite number")
    return f


def _bounded(lo: float, hi: float, what: str) -> Callable[[Any], float]:
    def check(value: Any) -> float:
        f = _number(value)
        if not lo <= f <= hi:
            raise _Bad("out-of-range", f"{what} {_show(value)} is outside [{lo:g}, {hi:g}]")
        return f
    return check


def _count(value: Any) -> int:
    n = _integer(value)
    if n < 0:
        raise _Bad("out-of-range", f"{_show(value)} is negative; counts are whole numbers >= 0")
    if n > MAX_COUNT:
        raise _Bad("out-of-range", f"{_show(value)} is larger than any count the dataset holds ({MAX_COUNT})")
    return n


def _fatalities(value: Any) -> tuple[int, int, int]:
    if not isinstance(value, dict):
        n = _count(value)
        return n, n, n
    unknown = [k for k in value if k not in FATALITY_PARTS]
    if unknown:
        raise _Bad("unknown-field", f"fatalities has unknown key {_show(unknown[0])}"
                   f"{did_you_mean(str(unknown[0]), FATALITY_PARTS)}; allowed: low, best, high",
                   line_of(value, unknown[0]))
    if "best" not in value:
        raise _Bad("required-missing", "fatalities needs at least 'best' (low and high default to it)")

    def part(key: str) -> int:
        try:
            return _count(value[key])
        except _Bad as bad:
            raise _Bad(bad.code, f"fatalities {key}: {bad.message}", line_of(value, key)) from None

    best = part("best")
    low = part("low") if value.get("low") is not None else best
    high = part("high") if value.get("high") is not None else best
    if not low <= best <= high:
        raise _Bad("fatalities-order", f"low {low}, best {best}, high {high}: need low <= best <= high")
    return low, best, high


_EVIDENCE_FIELDS = set(INCIDENT_FIELDS) | {f"source.{k}" for k in SOURCE_FIELDS} | {
    f"fatalities.{p}" for p in FATALITY_PARTS}


def _evidence(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise _Bad("type-error", "evidence is a list of {field, quote} items")
    out = []
    for i, item in enumerate(value, start=1):
        at = line_of(value, i - 1)  # the item's own line ("- field: ..."), not the line of "evidence:"
        if not isinstance(item, dict):
            raise _Bad("type-error", f"evidence item {i} must be a mapping with 'field' and 'quote'", at)
        unknown = [k for k in item if k not in EVIDENCE_KEYS]
        if unknown:
            raise _Bad("unknown-field", f"evidence item {i} has unknown key {_show(unknown[0])}"
                       f"{did_you_mean(str(unknown[0]), EVIDENCE_KEYS)}; allowed: field, quote",
                       line_of(item, unknown[0]) or at)
        fname, said = item.get("field"), item.get("quote")
        if not isinstance(fname, str) or not isinstance(said, str) or not said.strip():
            raise _Bad("required-missing", f"evidence item {i} needs a field name and a non-empty quote", at)
        try:
            _text(said)
        except _Bad as bad:
            raise _Bad(bad.code, f"evidence item {i} quote: {bad.message}", line_of(item, "quote") or at) from None
        if fname not in _EVIDENCE_FIELDS:
            raise _Bad("evidence-field-unknown", f"evidence item {i} names field {_show(fname)}, which the codebook "
                       f"does not define{did_you_mean(fname, _EVIDENCE_FIELDS)}", line_of(item, "field") or at)
        out.append({"field": fname, "quote": said})
    return out


#: Quotes longer than this get no "did you mean" (the search for the closest passage grows with both lengths).
MAX_SUGGESTED_QUOTE = 2_000
#: Characters of article searched for "did you mean" passages per record: hundreds of missing quotes in
#: a news article, a few in a 5 MB one; past it the quotes are still reported, without a suggestion.
SUGGESTION_BUDGET = 20_000_000


def _article(ctx: _Context, raw: Any, source: dict[str, Any], record: RawRecord) -> Article | None:
    """The record's article (``source.article``), checked against ``source.article_sha256``; None when
    the record names none, or it cannot be used (an error, or the ``article-absent`` warning).

    The article is read relative to the record file's folder (:func:`incidentkit.articles.resolve`).
    Problems point at the line of ``article:`` (or of ``article_sha256:``), in the record.
    """
    value, sha = source.get("article"), source.get("article_sha256")

    def at(key: str) -> int | None:
        return line_of(raw, key) if isinstance(raw, dict) and key in raw else getattr(raw, "line", None)

    if sha is not None and sha is not _INVALID:
        if not SHA256_RE.fullmatch(sha.strip().lower()):
            ctx.add("article-path", f"article_sha256 {_show(sha)} is not a SHA-256: write the 64 hexadecimal "
                    "digits sha256sum prints for the article", at("article_sha256"), "source.article_sha256", sha)
            sha = _INVALID
        else:
            sha = sha.strip().lower()
    if value is None:
        if sha is not None:
            ctx.add("article-path", "article_sha256 is given but no article: name the file in source.article "
                    "(e.g. '../articles/<source-id>.txt')", at("article_sha256"), "source.article_sha256", sha)
        return None
    if value is _INVALID:
        return None
    try:
        article = load_article(record.path, value)
    except ArticleError as exc:
        if exc.code == "article-missing" and folder_absent(record.path, value):
            folder = resolve(record.path, value).parent.as_posix()
            if sha is not None and sha is not _INVALID:
                ctx.add("article-absent", f"{exc.message}: the folder {folder} is absent (a copy without the "
                        "articles?); the record is pinned by article_sha256, so it is accepted without checking "
                        "its quotes (their offsets stay empty)", at("article"), "source.article", value)
                return None
            ctx.add(exc.code, f"{exc.message} (the folder {folder} does not exist); a project that keeps its "
                    "articles out of its repository pins each with article_sha256, and a copy without them "
                    "then builds with a warning", at("article"), "source.article", value)
            return None
        hint = ""
        if exc.code == "article-missing":
            hint = did_you_mean(resolve(record.path, value).name, _txt_files(resolve(record.path, value).parent))
        ctx.add(exc.code, exc.message + hint, at("article"), "source.article", value)
        return None
    if sha is None:
        ctx.add("article-sha256-missing", f"the article {article.path} is not pinned: add "
                f"'article_sha256: {article.sha256}' under source", at("article"), "source.article_sha256",
                article.sha256)
    elif sha is not _INVALID and sha != article.sha256:
        ctx.add("article-changed", f"the article changed since it was coded: {article.path} has SHA-256 "
                f"{article.sha256}, the record says {sha}; restore the article, or check the quotes against "
                "it and paste its SHA-256", at("article_sha256"), "source.article_sha256", sha)
    return article  # a changed article is still searched: the coder sees which quotes no longer hold


def _txt_files(folder: Path, limit: int = 10_000) -> list[str]:
    """The .txt names in ``folder`` (at most ``limit``), for a "did you mean" on a mistyped article."""
    try:
        with os.scandir(folder) as it:
            names = []
            for entry in it:
                if entry.name.lower().endswith(".txt"):
                    names.append(entry.name)
                if len(names) >= limit:
                    break
            return names
    except OSError:
        return []


def _check_quotes(ctx: _Context, v: dict[str, Any], inc: Any) -> None:
    """Each evidence quote of the incident in the record's article: its [start, end) offsets go into the
    evidence item as ``start`` and ``end`` (without an article the item stays {field, quote}, and the
    dataset's offsets are null); a quote that is not there is ``quote-not-in-article`` at the quote's
    line, with the closest passage of the article as a "did you mean"."""
    items = v.get("evidence")
    article = ctx.article
    if article is None or not _ok(items) or not items:
        return
    raw = inc.get("evidence") if isinstance(inc, dict) else None
    for i, item in enumerate(items):
        item["start"] = item["end"] = None
        span = article.find(item["quote"])
        if span is not None:
            item["start"], item["end"] = span
            continue
        raw_item = raw[i] if isinstance(raw, list) and i < len(raw) else None
        where = line_of(raw_item, "quote") or line_of(raw, i) or line_of(inc, "evidence")
        hint = ""
        if ctx.searched < SUGGESTION_BUDGET:
            ctx.searched += len(article.text)
            hint = _closest(article, item["quote"])
        ctx.add("quote-not-in-article", f"evidence item {i + 1} ({item['field']}): {_show(item['quote'])} is not "
                f"in the article {article.path}{hint}", where, "evidence", item["quote"])


def _closest(article: Article, said: str) -> str:
    """'; did you mean: '...'' with the closest passage's line and likeness, or why there is none."""
    if len(said) > MAX_SUGGESTED_QUOTE:
        return ""
    near = article.closest(said)
    if near.end <= near.start:
        return ""
    passage = _show(article.text[near.start:near.end])
    where = f"line {article.line_of(near.start)} of the article, characters {near.start}-{near.end}"
    if near.score < 60:
        return f"; nothing in it is close (the nearest passage, {passage} at {where}, is {near.score:.0f}% alike)"
    return f"; did you mean: {passage} ({where}, {near.score:.0f}% alike)?"


_SIMPLE_CHECKERS: dict[Kind, Callable[[Any], Any]] = {
    Kind.ID: _id, Kind.TEXT: _text, Kind.URL: _url, Kind.DATE: parse_date, Kind.LANGUAGE: _language,
    Kind.COUNTRY: _country, Kind.TEXT_LIST: _text_list, Kind.EVENT_TYPE: _event_type,
    Kind.SUB_EVENT_TYPE: _sub_event_type, Kind.INTER: _inter, Kind.BOOL: _bool,
    Kind.LATITUDE: _bounded(-90, 90, "latitude"), Kind.LONGITUDE: _bounded(-180, 180, "longitude"),
    Kind.COUNT: _count, Kind.FATALITIES: _fatalities, Kind.EVIDENCE: _evidence,
}


def _checker(fdef: Field) -> Callable[[Any], Any]:
    return _code(fdef) if fdef.kind is Kind.CODE else _SIMPLE_CHECKERS[fdef.kind]


_CHECKERS: dict[tuple[str, str], Callable[[Any], Any]] = {
    (f.level.value, f.name): _checker(f)
    for group in (SOURCE_FIELDS, RECORD_FIELDS, INCIDENT_FIELDS) for f in group.values()
}


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# ---- checking a mapping of fields ----------------------------------------------------------------

@dataclass
class _Context:
    path: str
    record_id: str = ""
    problems: list[Problem] = field(default_factory=list)
    vocab: Vocabulary | None = None
    #: the record's article when it names one that could be read: its evidence quotes are found in it
    article: Article | None = None
    #: characters of article searched for "did you mean" passages so far in this record
    searched: int = 0

    def add(self, code: str, message: str, line: int | None, fld: str = "", value: Any = None,
            severity: str | None = None) -> None:
        extra = {"severity": severity} if severity is not None else {}
        self.problems.append(problem(code, message, path=self.path, line=line, field=fld, value=value,
                                     record_id=self.record_id, **extra))


def _check_mapping(ctx: _Context, mapping: Any, fields: Mapping[str, Field], prefix: str,
                   extra_keys: Sequence[str] = ()) -> dict[str, Any]:
    """Check known fields, report unknown and missing ones, return the normalised values."""
    out: dict[str, Any] = {}
    if not isinstance(mapping, dict):
        ctx.add("yaml-structure", f"{prefix or 'record'} must be a mapping of fields, got {_show(mapping)}",
                getattr(mapping, "line", None), prefix)
        return out
    for key, value in mapping.items():
        line = line_of(mapping, key)
        name = f"{prefix}{key}"
        fdef = fields.get(key)
        if fdef is None:
            if key in extra_keys:
                continue
            allowed = list(fields) + list(extra_keys)
            ctx.add("unknown-field", f"unknown field {_show(key)}{did_you_mean(str(key), allowed)}; the codebook "
                    f"defines: {_allowed_list(allowed, 40)}", line, name, key)
            continue
        if _is_empty(value):
            continue
        try:
            out[key] = _CHECKERS[(fdef.level.value, key)](value)
        except _Bad as bad:
            ctx.add(bad.code, bad.message, bad.line or line, name, value)
            out[key] = _INVALID
    for key, fdef in fields.items():
        if fdef.required and key not in out:
            ctx.add("required-missing", f"required field {key!r} is missing or empty ({fdef.description})",
                    getattr(mapping, "line", None), f"{prefix}{key}")
    return out


class _Invalid:
    def __repr__(self) -> str:
        return "<invalid>"


_INVALID = _Invalid()


def _ok(*values: Any) -> bool:
    return all(v is not None and v is not _INVALID for v in values)


# ---- records ---------------------------------------------------------------------------------------

@dataclass
class ValidationReport:
    """What validation found: the problems, and the normalised rows of the records that passed."""

    problems: list[Problem]
    rows: list[dict[str, Any]]
    files: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def notes(self) -> list[Problem]:
        """What is worth knowing but neither wrong nor suspect: files left out of the coded folder."""
        return [p for p in self.problems if p.severity == NOTE]

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dicts(self) -> list[dict[str, Any]]:
        return [p.to_dict() for p in self.problems]

    def to_frame(self) -> Any:
        """The problems as a pandas DataFrame (one row per problem), for notebooks."""
        import pandas as pd

        cols = ["path", "line", "field", "code", "severity", "message", "value", "record_id"]
        return pd.DataFrame([p.to_dict() for p in self.problems], columns=cols + ["title", "extra"])[cols]


def validate_record(record: RawRecord, *, allow_empty: bool = False,
                    vocabulary: Vocabulary | None = None) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Validate one source report's coding; return its normalised incident rows and the problems.

    A YAML record needs a non-empty ``incidents`` list; with ``allow_empty`` an empty one
    (``incidents: []``, a report read and found to hold nothing to code) is accepted. Actors are
    checked against ``vocabulary`` (default: the embedded one, without a project actor list).
    """
    ctx = _Context(record.path, vocab=vocabulary if vocabulary is not None else load_vocabulary())
    doc = record.document
    for key in doc:
        if key not in TOP_LEVEL_KEYS:
            ctx.add("unknown-field", f"unknown top-level key {_show(key)}{did_you_mean(str(key), TOP_LEVEL_KEYS)}; "
                    f"allowed: {', '.join(TOP_LEVEL_KEYS)}", line_of(doc, key), str(key), key)
    if "source" not in doc:
        ctx.add("required-missing", "the record has no 'source' mapping", doc.line, "source")
    source = _check_mapping(ctx, doc.get("source", LocatedDict(doc.line)), SOURCE_FIELDS, "source.")
    ctx.article = _article(ctx, doc.get("source"), source, record)
    top = _check_mapping(ctx, _subset(doc, RECORD_FIELDS), RECORD_FIELDS, "")
    incidents = doc.get("incidents") if record.fmt == "yaml" else record.incidents
    if record.fmt == "yaml":
        if isinstance(incidents, list) and not incidents and allow_empty:
            pass
        elif not isinstance(incidents, list) or not incidents:
            empty = isinstance(incidents, list)
            ctx.add("required-missing", "the record needs a non-empty 'incidents' list" + (
                    "; --allow-empty accepts a record coded as holding none" if empty else ""),
                    line_of(doc, "incidents") if "incidents" in doc else doc.line, "incidents")
            incidents = []
        elif any(not isinstance(i, dict) for i in incidents):
            for idx, inc in enumerate(incidents):
                if not isinstance(inc, dict):
                    ctx.add("yaml-structure", f"incident {idx + 1} must be a mapping of fields, got {_show(inc)}",
                            line_of(incidents, idx), "incidents")
            incidents = [i for i in incidents if isinstance(i, dict)]
    record_bad = any(p.is_error for p in ctx.problems)  # a bad source or top-level field: no incident row
    rows = [_incident_row(ctx, inc, source, top, record) for inc in incidents]
    if record_bad:  # its incidents are still checked (every problem is reported), but none becomes a row
        rows = [{} for _ in rows]
    return rows, ctx.problems


def _subset(doc: LocatedDict, fields: Mapping[str, Field]) -> LocatedDict:
    out = LocatedDict(doc.line)
    for k in fields:
        if k in doc:
            out[k] = doc[k]
            out.lines[k] = doc.line_of(k)
    return out


def _incident_row(ctx: _Context, inc: LocatedDict, source: dict[str, Any], top: dict[str, Any],
                  record: RawRecord) -> dict[str, Any]:
    ctx.record_id = inc.get("id") if isinstance(inc.get("id"), str) else ""
    before = len(ctx.problems)
    v = _check_mapping(ctx, inc, INCIDENT_FIELDS, "")
    line = getattr(inc, "line", None)

    def at(key: str) -> int | None:
        return line_of(inc, key) if key in inc else line

    # dates
    start, end = v.get("date_start"), v.get("date_end")
    if end is None and _ok(start):
        end = v["date_end"] = start
    if _ok(start, end) and end < start:
        ctx.add("date-order", f"date_end {end.isoformat()} is before date_start {start.isoformat()}",
                at("date_end"), "date_end", inc.get("date_end"))
    if _ok(start, end) and v.get("time_precision") == 1 and (end - start).days + 1 > vocab.MAX_PRECISE_DAYS:
        ctx.add("export-too-many-days", f"the incident spans {(end - start).days + 1:,} days "
                f"({start.isoformat()} to {end.isoformat()}) with time_precision 1; ACLED codes one event per "
                f"day and the export allows at most {vocab.MAX_PRECISE_DAYS:,}: use time_precision 2 or 3 "
                "for long periods", at("date_end"), "date_end", end.isoformat())
    published = source.get("published")
    if _ok(published, end) and end > published:
        ctx.add("date-after-publication", f"the incident ends on {end.isoformat()}, after the report was "
                f"published ({published.isoformat()})", at("date_end" if "date_end" in inc else "date_start"),
                "date_end" if "date_end" in inc else "date_start", end.isoformat())
    # event and sub-event type
    et, st = v.get("event_type"), v.get("sub_event_type")
    if _ok(et, st) and vocab.SUB_EVENT_TYPES[st] != et:
        ctx.add("sub-event-mismatch", f"{st!r} belongs to {vocab.SUB_EVENT_TYPES[st]!r}, not {et!r}; "
                f"{et!r} allows: {_allowed_list(vocab.EVENT_TYPES[et])}", at("sub_event_type"),
                "sub_event_type", st)
    # actors
    actor2, inter2 = v.get("actor2"), v.get("inter2")
    if actor2 and actor2 is not _INVALID and not inter2:
        ctx.add("inter-without-actor", f"actor2 {_show(actor2)} needs inter2 (its ACLED actor type, 1-8)",
                at("inter2" if "inter2" in inc else "actor2"), "inter2")
    if inter2 and inter2 is not _INVALID and not actor2:
        ctx.add("inter-without-actor", f"inter2 is {inter2} but there is no actor2; use 0 or leave it empty "
                "for a single-actor event", at("inter2"), "inter2", inter2)
    if v.get("inter1") == 0:
        ctx.add("out-of-range", "inter1 cannot be 0: actor1 always has an actor type (1-8)", at("inter1"),
                "inter1", 0)
    _check_actors(ctx, v, at)
    _check_quotes(ctx, v, inc)
    # civilian targeting
    if v.get("civilian_targeting") is True and _ok(et, st) and not vocab.civilian_targeting_allowed(et, st):
        ctx.add("civilian-targeting-not-allowed", f"civilian_targeting is set on a {et!r}/{st!r} event; ACLED "
                "allows it only for Violence against civilians, Explosions/Remote violence, Riots and Excessive "
                "force against protesters", at("civilian_targeting"), "civilian_targeting", True)
    # coordinates
    lat, lon = v.get("latitude"), v.get("longitude")
    if (lat is None) != (lon is None):
        missing = "longitude" if lon is None else "latitude"
        ctx.add("coordinates-incomplete", f"{missing} is missing: give latitude and longitude together or "
                "neither", at("latitude" if lat is not None else "longitude"), missing)
    elif _ok(lat, lon) and _ok(v.get("country")):
        km = _outside_country_km(lat, lon, v["country"])
        if km:
            ctx.add("coordinates-outside-country", f"({lat:g}, {lon:g}) lies about {km:.0f} km outside "
                    f"{countries.country_name(v['country'])} ({v['country']})", at("latitude"), "latitude",
                    [lat, lon])
    # fatalities and the UCDP split: the parts may not exceed best; all four coded must add up to it
    fat = v.get("fatalities")
    parts = [v.get(k) for k in ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown")]
    if _ok(fat) and any(p is not None for p in parts) and all(p is not _INVALID for p in parts):
        total = sum(p or 0 for p in parts)
        first = next(k for k, p in zip(("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown"), parts)
                     if p is not None)
        if total > fat[1]:
            ctx.add("deaths-exceed-best", f"the coded deaths split adds up to {total}, more than fatalities best "
                    f"({fat[1]})", at(first), first, total)
        elif all(p is not None for p in parts) and total != fat[1]:
            ctx.add("deaths-split-mismatch", f"deaths_a + deaths_b + deaths_civilians + deaths_unknown = {total}, "
                    f"but fatalities best is {fat[1]}; leave deaths_unknown out to give it the rest",
                    at("deaths_unknown"), "deaths_unknown", total)
    ctx.record_id = ""
    if any(p.is_error for p in ctx.problems[before:]):
        return {}
    row = _row(v, source, top, record, line or 0)
    # where the id and the place were written: duplicate ids and geocoding problems, found after this
    # check, point at those lines rather than at the incident's first line
    row["id_line"], row["location_line"] = at("id") or line or 0, at("location") or line or 0
    return row


#: The actor fields, each with the inter field that types it (associated actors have none).
_ACTOR_FIELDS = (("actor1", "inter1"), ("actor2", "inter2"), ("assoc_actor_1", None), ("assoc_actor_2", None))


def _check_actors(ctx: _Context, v: dict[str, Any], at: Callable[[str], int | None]) -> None:
    """Every actor value against the vocabulary, knowing the incident: its country (an actor of another
    country), its first day (a state period that does not cover it), the inter code given (Civilians as
    State forces). Suggestions come from the incident's own country and period only
    (:meth:`incidentkit.actors.Vocabulary.check`)."""
    vocabulary = ctx.vocab if ctx.vocab is not None else load_vocabulary()
    country = v.get("country") if _ok(v.get("country")) else None
    day = v.get("date_start") if _ok(v.get("date_start")) else None
    for key, inter_key in _ACTOR_FIELDS:
        value = v.get(key)
        names = value if isinstance(value, list) else [value]
        inter = v.get(inter_key) if inter_key else None
        for name in names:
            if not isinstance(name, str) or not name:
                continue
            verdict = vocabulary.check(name, country=country, date=day,
                                       inter=inter if isinstance(inter, int) and inter > 0 else None)
            for code, severity, message in verdict.problems:
                where = inter_key if code == "actor-inter-mismatch" and inter_key else key
                ctx.add(code, message if where == key else f"{key}: {message}", at(where), where, name,
                        severity=severity)


def _outside_country_km(lat: float, lon: float, country: str) -> float | None:
    try:
        from incidentkit.geocode import distance_outside_country_km
    except ImportError:  # pragma: no cover - geocoding package being built
        return None
    return distance_outside_country_km(lat, lon, country)


def _row(v: dict[str, Any], source: dict[str, Any], top: dict[str, Any], record: RawRecord,
         line: int) -> dict[str, Any]:
    row: dict[str, Any] = {f"source_{k}": source.get(k) for k in SOURCE_FIELDS}
    row["source_originators"] = source.get("originators") or []
    row.update({k: top.get(k) for k in RECORD_FIELDS})
    for key, fdef in INCIDENT_FIELDS.items():
        if fdef.kind is Kind.FATALITIES:
            row["fatalities_low"], row["fatalities_best"], row["fatalities_high"] = v[key]
        elif fdef.kind in (Kind.TEXT_LIST, Kind.EVIDENCE):
            row[key] = v.get(key) or []
        else:
            row[key] = v.get(key)
    inter2 = row["inter2"] or 0
    row["inter2"] = inter2 if row["actor2"] else None
    row["civilian_targeting"] = bool(row["civilian_targeting"])
    row["disorder_type"] = vocab.disorder_type(row["sub_event_type"])
    row["interaction"] = vocab.interaction(row["inter1"], inter2)
    row["record_path"] = record.rel
    row["record_line"] = line
    return row


def check_unique_ids(incidents: Sequence[tuple[str, str, int]],
                     sources: Sequence[tuple[str, str, int | None]]) -> list[Problem]:
    """Incident ids and source ids are unique across the whole project (all files together).

    ``incidents`` holds (id, path, line) of every valid incident; ``sources`` (id, path, line).
    """
    problems: list[Problem] = []
    seen: dict[str, tuple[str, int]] = {}
    for key, path, line in incidents:
        if key in seen:
            other_path, other_line = seen[key]
            problems.append(problem("duplicate-id", f"incident id {key!r} is already used in {other_path}:{other_line}",
                                    path=path, line=line, field="id", value=key, record_id=key))
        else:
            seen[key] = (path, line)
    seen_src: dict[str, tuple[str, int | None]] = {}
    for src_id, path, src_line in sources:
        if src_id in seen_src and seen_src[src_id][0] != path:
            other = seen_src[src_id]
            problems.append(problem("duplicate-id", f"source id {src_id!r} is already used in {other[0]}"
                                    f"{':' + str(other[1]) if other[1] else ''}; one file per source report",
                                    path=path, line=src_line, field="source.id", value=src_id))
        seen_src.setdefault(src_id, (path, src_line))
    return problems


@dataclass
class Validation:
    """Validation in progress: what was found so far, mergeable across workers.

    The project-wide checks (unique ids) need every file; the per-record checks do not. A build feeds
    records to one ``Validation`` per worker process, merges them, and only then runs :meth:`report`.
    """

    problems: list[Problem] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    ids: list[tuple[str, str, int]] = field(default_factory=list)
    sources: list[tuple[str, str, int | None]] = field(default_factory=list)
    paths: set[str] = field(default_factory=set)
    #: incident id -> line of its ``location``, for incidents left to the geocoder (whose problems are
    #: found after the rows have become Arrow columns, where lines other than the incident's are gone)
    location_lines: dict[str, int] = field(default_factory=dict)
    #: valid incidents seen (the rows themselves may have been handed to ``on_rows``)
    incidents: int = 0
    #: accept records, files and a whole run holding no incident (``--allow-empty``)
    allow_empty: bool = False
    #: the project's actor list (``datasets/actors.csv``) added to the embedded vocabulary, if any
    actors_file: str | None = None
    _csv_sources: dict[tuple[str, str], tuple[dict[str, Any], int | None]] = field(default_factory=dict, repr=False)
    #: the vocabulary, loaded at the first record: load_vocabulary reads and hashes the project's actor
    #: list on every call, which per record would be one file read per record
    _vocabulary: Vocabulary | None = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        """Sent back from a build worker without the vocabulary (the parent loads its own)."""
        return {**self.__dict__, "_vocabulary": None}

    def feed(self, record: RawRecord | Problem,
             on_rows: Callable[[list[dict[str, Any]]], None] | None = None) -> None:
        """Check one record (or take one load problem); rows go to ``on_rows`` or are kept."""
        self.paths.add(record.path)
        if isinstance(record, Problem):
            self.problems.append(record)
            return
        rec_rows, rec_problems = validate_record(record, allow_empty=self.allow_empty,
                                                 vocabulary=self._vocab())
        self.problems.extend(rec_problems)
        valid = [r for r in rec_rows if r]
        self.incidents += len(valid)
        self.ids.extend((r["id"], record.path, r["id_line"]) for r in valid)
        self.location_lines.update((r["id"], r["location_line"]) for r in valid if r.get("latitude") is None)
        if on_rows is not None:
            on_rows(valid)
        else:
            self.rows.extend(valid)
        src = record.document.get("source")
        if isinstance(src, dict) and isinstance(src.get("id"), str):
            if record.fmt == "csv":  # one row per incident: the first row of each source id stands for it
                self._check_csv_source(record, src)
            else:
                self.sources.append((src["id"], record.path, line_of(src, "id")))

    def _check_csv_source(self, record: RawRecord, src: dict[str, Any]) -> None:
        key = (record.path, src["id"])
        fields = {k: src.get(k) for k in ("outlet", "title", "published")}
        first = self._csv_sources.get(key)
        if first is None:
            self._csv_sources[key] = (fields, line_of(src, "id"))
            self.sources.append((src["id"], record.path, line_of(src, "id")))
            return
        differ = [k for k in fields if fields[k] != first[0][k]]
        if differ:
            self.problems.append(problem(
                "source-inconsistent", f"source {src['id']!r} has {differ[0]} {_show(fields[differ[0]])} here but "
                f"{_show(first[0][differ[0]])} on line {first[1]}", path=record.path, line=line_of(src, "id"),
                field=f"source_{differ[0]}", value=fields[differ[0]]))

    def _vocab(self) -> Vocabulary:
        if self._vocabulary is None:
            self._vocabulary = load_vocabulary(self.actors_file)
        return self._vocabulary

    def merge(self, other: "Validation") -> None:
        self._csv_sources.update(other._csv_sources)  # keyed by file: a file is read by one worker only
        self.problems.extend(other.problems)
        self.rows.extend(other.rows)
        self.ids.extend(other.ids)
        self.sources.extend(other.sources)
        self.paths |= other.paths
        self.location_lines.update(other.location_lines)
        self.incidents += other.incidents

    def report(self, where: str | os.PathLike[str] = "") -> ValidationReport:
        """Finish with the project-wide checks and return the report.

        A run whose records are all valid but hold no incident at all (every route there: records with
        ``incidents: []``, header-only CSVs, a folder of nothing) is the ``no-records`` error at
        ``where`` (the folder read), unless :attr:`allow_empty`: a dataset of nothing never replaces
        a dataset by accident.
        """
        problems = self.problems + check_unique_ids(self.ids, self.sources)
        if not self.allow_empty and self.incidents == 0 and not any(p.is_error for p in problems):
            problems.append(no_records(where or "<input>", "the records hold no incident; --allow-empty "
                                                           "accepts an empty dataset"))
        return ValidationReport(problems, self.rows, len(self.paths))


def validate_records(records: Iterable[RawRecord | Problem], load_problems: Sequence[Problem] = (), *,
                     on_rows: Callable[[list[dict[str, Any]]], None] | None = None, allow_empty: bool = False,
                     where: str | os.PathLike[str] = "",
                     actors_file: str | os.PathLike[str] | None = None) -> ValidationReport:
    """Validate records (or a stream of records and load problems, as :func:`iter_records` yields).

    With ``on_rows``, each record's normalised rows are handed over as soon as they are checked and not
    kept in the report: the build streams 100,000 incidents through in flat memory this way. No incident
    at all is a ``no-records`` error at ``where`` unless ``allow_empty`` (:meth:`Validation.report`).
    """
    state = Validation(problems=list(load_problems), allow_empty=allow_empty,
                       actors_file=str(actors_file) if actors_file is not None else None)
    for record in records:
        state.feed(record, on_rows)
    return state.report(where)


def validate(*paths: str | os.PathLike[str], base: str | os.PathLike[str] | None = None,
             allow_empty: bool = False, actors_file: str | os.PathLike[str] | None = None) -> ValidationReport:
    """Validate coded records under the given files or folders.

    Returns a :class:`ValidationReport`; nothing is printed or written. Records holding no incident
    (an empty folder, a header-only CSV, ``incidents: []``) are a ``no-records`` or ``required-missing``
    error unless ``allow_empty``, exactly as :func:`incidentkit.build` refuses them. ``actors_file``:
    the project's actor list (``datasets/actors.csv``), whose names are then accepted too.

    >>> report = validate("datasets/coded")          # doctest: +SKIP
    >>> report.ok, len(report.rows), report.to_frame().head()  # doctest: +SKIP
    """
    paths = paths or ("datasets/coded",)
    files, problems = discover(paths, allow_empty=allow_empty)
    if actors_file is not None:
        load_vocabulary(actors_file)  # a bad actor list is one located error before any record is read
    report = validate_records(iter_records(files, Path(base) if base is not None else None, allow_empty=allow_empty),
                              problems, allow_empty=allow_empty, where=", ".join(display_path(p) for p in paths),
                              actors_file=actors_file)
    report.files = len(files)  # every record file read, as build counts them (a header-only CSV too)
    return report
