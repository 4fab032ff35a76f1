"""The review page (issue 14, point 3): a draft beside its article, as one self-contained HTML file.

``incidentkit review DRAFT.json ARTICLE -o PAGE.html`` (and ``incidentkit draft ... --html``) writes a
page a coder opens in any browser, offline: the article with every suggestion's span highlighted in
one colour per field, and beside it a form with each field's candidates, best first. Clicking a value
scrolls the article to the passage it rests on. The coder accepts a candidate, types another value or
leaves the field empty, writes the notes (never filled in for them), gives their coder id, and
downloads the record as YAML in the codebook's format (``docs/reference/record-format.md``): only the
values accepted or typed, with the accepted spans' text as evidence quotes.

The draft is the JSON that ``incidentkit draft --json`` prints::

    {"incidents": [{"fields": {FIELD: [{"value": V, "score": S, "spans": [[start, end], ...]}, ...]}}]}

Spans are ``[start, end)`` offsets in Python characters (code points) into the article exactly as read.
Everything offset-dependent is done here, in Python: the highlights are rendered into the page and each
span's quote is sliced here and embedded, so the browser never counts characters (a JavaScript string
counts UTF-16 units: an emoji before a span would shift every offset after it by one).

The page is safe with a hostile article or draft: every text is HTML-escaped, the embedded JSON cannot
close its ``<script>`` element (``<``, ``>`` and ``&`` are written as ``\\u`` escapes), and a
Content-Security-Policy lets only the page's own script (by its hash) run and forbids every network
request.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import os
import unicodedata
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from incidentkit.atomic import atomic_write_text
from incidentkit.codebook import vocab
from incidentkit.codebook.fields import INCIDENT_FIELDS, SOURCE_FIELDS
from incidentkit.errors import InputFileError

__all__ = ["COLOUR_PRIORITY", "DRAFT_FIELDS", "FIELD_COLOURS", "read_article", "render_review_html", "write_review_html"]

#: The fields a draft proposes, in the form's order (the issue fixes this list).
DRAFT_FIELDS: tuple[str, ...] = (
    "date_start", "date_end", "time_precision", "event_type", "sub_event_type", "actor1", "inter1",
    "actor2", "inter2", "country", "admin1", "location", "fatalities",
)

#: One highlight colour per field (light enough for black text on it; after ColorBrewer Set3 and Paired).
FIELD_COLOURS: Mapping[str, str] = {
    "date_start": "#fdb462",
    "date_end": "#ffed6f",
    "time_precision": "#d9d9d9",
    "event_type": "#fb8072",
    "sub_event_type": "#fccde5",
    "actor1": "#80b1d3",
    "inter1": "#c6dbef",
    "actor2": "#bc80bd",
    "inter2": "#dadaeb",
    "country": "#b3de69",
    "admin1": "#e5d8bd",
    "location": "#66c2a5",
    "fatalities": "#d7a98c",
}
#: Which field's colour a stretch covered by several fields' spans of the same length takes (a shorter
#: span wins first): the more specific field first (a place's name that is also the country's passage
#: shows as the location; an actor's name as the actor, not its type). Every field's spans are outlined
#: when its value is clicked, whatever their colour.
COLOUR_PRIORITY: tuple[str, ...] = (
    "location", "admin1", "country", "actor1", "actor2", "fatalities", "date_start", "date_end",
    "sub_event_type", "event_type", "inter1", "inter2", "time_precision",
)
#: Another codebook field a draft may propose (admin2, say): shown, in this colour.
OTHER_COLOUR = "#e0e0e0"

#: Fields the page never takes from a draft: the coder writes notes, ids and evidence come from choices.
_NEVER_FROM_DRAFT = frozenset({"id", "notes", "evidence"})

#: Languages written right to left (ISO 639-1).
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "yi", "ku", "ckb", "dv", "sd", "ug"})

_SOURCE_FORM = ("id", "outlet", "title", "url", "published", "language", "article")


# ---- reading and checking the inputs ---------------------------------------------------------------

def read_article(path: str | os.PathLike[str]) -> str:
    """The article text exactly as the draft read it: UTF-8, line ends and everything else unchanged
    (``Path.read_text`` would turn CRLF into LF and shift every span after the first line end)."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{path}: not UTF-8 text (byte {exc.start:,}); save the article as UTF-8",
                             code="file-encoding") from None


def _bad(message: str, code: str = "type-error") -> InputFileError:
    return InputFileError(f"draft: {message}", code=code)


def _check_span(span: Any, n: int, where: str) -> tuple[int, int]:
    if (not isinstance(span, (list, tuple)) or len(span) != 2
            or not all(isinstance(x, int) and not isinstance(x, bool) for x in span)):
        raise _bad(f"{where}: a span is [start, end] (two whole numbers), not {json.dumps(span, default=str)[:80]}")
    start, end = span
    if not 0 <= start <= end <= n:
        raise _bad(f"{where}: span [{start}, {end}] lies outside the article ({n:,} characters) or ends "
                   "before it starts: is this the draft of this article?", code="out-of-range")
    return start, end


def _value_ok(field: str, value: Any) -> bool:
    if field == "fatalities":
        return (isinstance(value, dict) and set(value) == {"low", "best", "high"}
                and all(isinstance(v, int) and not isinstance(v, bool) for v in value.values()))
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, (str, int))


def _normalise_draft(draft: Any, text: str) -> list[dict[str, list[dict[str, Any]]]]:
    """The draft's incidents as ``[{field: [{"value", "score", "spans", "quotes"}]}]``, checked.

    A wrong shape or a span outside the article is an :class:`InputFileError` naming where; fields the
    codebook does not know are left out, and so are notes, ids and evidence (never taken from a draft).
    """
    if not isinstance(draft, dict) or not isinstance(draft.get("incidents"), list):
        raise _bad('not a draft: expected {"incidents": [{"fields": {...}}, ...]}')
    out = []
    n = len(text)
    for i, inc in enumerate(draft["incidents"], start=1):
        if not isinstance(inc, dict) or not isinstance(inc.get("fields", {}), dict):
            raise _bad(f'incident {i}: expected {{"fields": {{FIELD: [candidates]}}}}')
        fields: dict[str, list[dict[str, Any]]] = {}
        for name, cands in inc.get("fields", {}).items():
            if name not in INCIDENT_FIELDS or name in _NEVER_FROM_DRAFT:
                continue
            if not isinstance(cands, list):
                raise _bad(f"incident {i} {name}: candidates are a list")
            kept = []
            for c, cand in enumerate(cands, start=1):
                where = f"incident {i} {name} candidate {c}"
                if not isinstance(cand, dict) or "value" not in cand:
                    raise _bad(f'{where}: expected {{"value": ..., "score": ..., "spans": [...]}}')
                value = cand["value"]
                if not _value_ok(name, value):
                    want = "{low, best, high} whole numbers" if name == "fatalities" else "a text or a number"
                    raise _bad(f"{where}: value {json.dumps(value, ensure_ascii=False, default=str)[:80]} is not {want}")
                score = cand.get("score")
                if isinstance(score, bool) or not isinstance(score, (int, float)) or not math.isfinite(score):
                    score = None
                spans = [_check_span(s, n, where) for s in cand.get("spans") or []]
                quotes = []
                for s, e in spans:
                    q = text[s:e]
                    if q.strip() and q not in quotes:
                        quotes.append(q)
                kept.append({"value": value, "score": score, "spans": spans, "quotes": quotes})
            fields[name] = kept
        out.append(fields)
    return out


# ---- the article with its highlights ---------------------------------------------------------------

def _colour_rank(name: str) -> int:
    return COLOUR_PRIORITY.index(name) if name in COLOUR_PRIORITY else len(COLOUR_PRIORITY)


def _css_name(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "_-" else "_" for ch in name)


def _article_html(text: str, incidents: list[dict[str, list[dict[str, Any]]]]) -> str:
    """The article as HTML, each stretch covered by spans wrapped in ``<span class="hl f-FIELD">``.

    The text is cut at every span boundary; each piece names every candidate covering it in
    ``data-refs`` (``INCIDENT.FIELD.CANDIDATE``) and its fields in ``data-fields``; it takes the colour
    of the field whose span over it is shortest (the most precise passage: an event's trigger word
    inside a fatalities phrase shows as the event), equal spans by :data:`COLOUR_PRIORITY`. An empty span leaves an empty anchor to scroll to.
    """
    covers: list[tuple[int, int, str, str]] = []  # start, end, ref, field
    empty: dict[int, list[str]] = {}
    for i, fields in enumerate(incidents):
        for name, cands in fields.items():
            for c, cand in enumerate(cands):
                for s, e in cand["spans"]:
                    ref = f"{i}.{name}.{c}"
                    if s == e:
                        empty.setdefault(s, []).append(ref)
                    else:
                        covers.append((s, e, ref, name))
    cuts = sorted({0, len(text), *(s for s, _, _, _ in covers), *(e for _, e, _, _ in covers), *empty})
    # which covers hold each piece: a sweep over the cuts (a report's few hundred spans)
    starts: dict[int, list[tuple[str, str, int, int]]] = {}
    for s, e, ref, name in covers:
        starts.setdefault(s, []).append((ref, name, s, e))
    active: list[tuple[str, str, int, int]] = []
    parts: list[str] = []
    for k, pos in enumerate(cuts[:-1]):
        if pos in empty:
            refs = " ".join(empty[pos])
            parts.append(f'<span class="anchor" data-refs="{html.escape(refs)}"></span>')
        active = [a for a in active if a[3] > pos] + starts.get(pos, [])
        piece = html.escape(text[pos:cuts[k + 1]], quote=False)
        if not active:
            parts.append(piece)
            continue
        # the colour: the field of the shortest span over this piece (the most precise passage), then
        # COLOUR_PRIORITY; every field covering it is listed, in that order
        rank: dict[str, tuple[int, int, str]] = {}
        for _, name, s, e in active:
            key = (e - s, _colour_rank(name), name)
            rank[name] = min(rank.get(name, key), key)
        names = sorted(rank, key=rank.__getitem__)
        refs = " ".join(a[0] for a in active)
        multi = " multi" if len(names) > 1 else ""
        parts.append(f'<span class="hl f-{_css_name(names[0])}{multi}" data-fields="{html.escape(" ".join(names))}" '
                     f'data-refs="{html.escape(refs)}" title="{html.escape(", ".join(names))}">{piece}</span>')
    if len(text) in empty:
        parts.append(f'<span class="anchor" data-refs="{html.escape(" ".join(empty[len(text)]))}"></span>')
    return "".join(parts)


# ---- the form ---------------------------------------------------------------------------------------

_PRECISION_WORDS = {1: "day", 2: "week", 3: "month"}


def _show_value(name: str, value: Any) -> str:
    """A candidate as the form shows it: fatalities as best (low, high); a code with its meaning."""
    if name == "fatalities":
        low, best, high = value["low"], value["best"], value["high"]
        return str(best) if low == best == high else f"{best} (low {low}, high {high})"
    if name in ("inter1", "inter2") and isinstance(value, int) and value in vocab.INTER_CODES:
        return f"{value} \u00b7 {vocab.INTER_CODES[value]}"
    if name == "time_precision" and isinstance(value, int) and value in _PRECISION_WORDS:
        return f"{value} \u00b7 {_PRECISION_WORDS[value]}"
    return str(value)


def _field_html(i: int, name: str, cands: list[dict[str, Any]]) -> str:
    e = html.escape
    group = f"i{i}-{_css_name(name)}"
    rows = []
    for c, cand in enumerate(cands):
        score = "" if cand["score"] is None else f'<span class="score">{cand["score"]:.2f}</span>'
        where = "" if cand["spans"] else '<span class="nospan">no span</span>'
        rows.append(f'<label class="cand" data-ref="{i}.{e(name)}.{c}"><input type="radio" name="{group}" '
                    f'value="{c}"> <bdi class="val">{e(_show_value(name, cand["value"]))}</bdi> {score}{where}'
                    '</label>')
    if name == "fatalities":
        other = ('<span class="fat-other">'
                 + "".join(f'<input type="number" min="0" step="1" class="other-{p}" placeholder="{p}" '
                           f'aria-label="{e(name)} {p}">' for p in ("low", "best", "high"))
                 + "</span>")
    else:
        other = f'<input type="text" class="other-text" dir="auto" aria-label="{e(name)}: another value">'
    rows.append(f'<label class="cand other"><input type="radio" name="{group}" value="other"> other: {other}</label>')
    rows.append(f'<label class="cand none"><input type="radio" name="{group}" value="" checked> '
                '<span class="muted">leave empty</span></label>')
    colour_class = f"f-{_css_name(name)}"
    return (f'<div class="field" data-incident="{i}" data-field="{e(name)}">'
            f'<div class="fname"><span class="swatch {colour_class}"></span>{e(name)}</div>'
            f'<div class="cands">{"".join(rows)}</div></div>')


def _incident_html(i: int, fields: dict[str, list[dict[str, Any]]], legend: str) -> str:
    names = list(DRAFT_FIELDS) + sorted(n for n in fields if n not in DRAFT_FIELDS)
    body = "".join(_field_html(i, n, fields.get(n, [])) for n in names)
    notes = (f'<div class="field notes"><div class="fname">notes</div><div class="cands">'
             f'<textarea class="notes-text" dir="auto" rows="4" placeholder="Write the notes yourself: what '
             f'happened, where, who, the counts and how you read them." aria-label="notes of incident {i + 1}">'
             '</textarea></div></div>')
    return (f'<fieldset class="incident" data-incident="{i}"><legend>{html.escape(legend)}</legend>'
            f'{body}{notes}</fieldset>')


def _source_html(article_name: str, published: str, language: str, sha256: str) -> str:
    e = html.escape
    known = {"published": published, "language": language}
    rows = []
    for key in _SOURCE_FORM:
        fdef = SOURCE_FIELDS.get(key)
        if fdef is None:  # a codebook without this field (article, before issue 14's point 1)
            continue
        req = " required" if fdef.required else ""
        kind = "date" if key == "published" else "text"
        val = e(known.get(key, ""))
        hint = ' placeholder="../articles/&lt;source id&gt;.txt"' if key == "article" else ""
        rows.append(f'<label class="src{req}">{e(key)}{" *" if req else ""} <input type="{kind}" '
                    f'id="source-{key}" value="{val}" dir="auto"{hint} title="{e(fdef.description)}"></label>')
        if key == "article":
            rows.append(f'<p class="sha" id="article-sha256" data-sha256="{e(sha256)}">The record pins the article '
                        f'reviewed here ({e(article_name)}) by its SHA-256 <code>{e(sha256[:12])}…</code> when it '
                        'names the file: keep the article there, unchanged, and every quote is checked in it.</p>')
    return "".join(rows)


# ---- the page ---------------------------------------------------------------------------------------

def _json_for_script(data: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``<``, ``>`` or ``&`` (so neither
    ``</script>`` nor ``<!--`` can appear), U+2028/U+2029 escaped."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                    ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def _resource(name: str) -> str:
    return resources.files("incidentkit").joinpath("data", "review", name).read_text(encoding="utf-8")


def _direction(text: str, language: str) -> str:
    """``rtl`` for a right-to-left language, or, with no language given, for a text whose letters are
    mostly right-to-left; ``auto`` otherwise (each paragraph then follows its first strong letter)."""
    lang = language.strip().lower().split("-")[0]
    if lang in RTL_LANGUAGES:
        return "rtl"
    if lang:
        return "auto"
    rtl = ltr = 0
    for ch in text[:20000]:
        bidi = unicodedata.bidirectional(ch)
        if bidi in ("R", "AL"):
            rtl += 1
        elif bidi == "L":
            ltr += 1
    return "rtl" if rtl > ltr else "auto"


def render_review_html(draft_json: dict, article_text: str, *, article_name: str, published: str = "",
                       language: str = "") -> str:
    """The review page for a draft of ``article_text`` as one self-contained HTML document (a string).

    ``article_name`` is shown in the page's header and names the download; ``published``
    (YYYY-MM-DD) and ``language`` (ISO 639-1) fill those source fields when known, the coder fills
    the rest. Raises :class:`InputFileError` for a draft of the wrong shape or with a span outside
    the article.
    """
    incidents = _normalise_draft(draft_json, article_text)
    # the file's bytes: the article was read as UTF-8 with nothing changed, so encoding gives them back
    sha256 = hashlib.sha256(article_text.encode("utf-8", "surrogatepass")).hexdigest()
    e = html.escape
    direction = _direction(article_text, language)
    lang_attr = f' lang="{e(language.strip())}"' if language.strip() else ""
    colours = "\n".join(f".f-{_css_name(n)} {{ --hl: {c}; }}" for n, c in FIELD_COLOURS.items())
    extra = sorted({n for fields in incidents for n in fields if n not in FIELD_COLOURS})
    colours += "".join(f"\n.f-{_css_name(n)} {{ --hl: {OTHER_COLOUR}; }}" for n in extra)
    legend = "".join(f'<span class="key"><span class="swatch f-{_css_name(n)}"></span>{e(n)}</span>'
                     for n in (*DRAFT_FIELDS, *extra))
    data = {
        "article": article_name,
        "published": published,
        "language": language,
        "article_sha256": sha256,
        "fields": list(DRAFT_FIELDS) + extra,
        "colours": {**FIELD_COLOURS, **{n: OTHER_COLOUR for n in extra}},
        "incidents": [{name: [{"value": c["value"], "quotes": c["quotes"]} for c in cands]
                       for name, cands in fields.items()} for fields in incidents],
    }
    script = _resource("review.js")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    csp = (f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; img-src data:; "
           "base-uri 'none'; form-action 'none'")
    forms = "".join(_incident_html(i, fields, f"Incident {i + 1} of {len(incidents)}")
                    for i, fields in enumerate(incidents))
    if not incidents:
        forms = '<p class="muted">The draft proposes no incident.</p>'
    # an incident the draft missed: the coder adds it (every value typed, no passage)
    blank = _incident_html(0, {}, "An incident you add")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{e(csp, quote=False)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="incidentkit review">
<title>Review: {e(article_name)}</title>
<style>
{_resource("review.css")}
{colours}
</style>
</head>
<body>
<header>
<h1>Review the draft of <bdi id="article-name">{e(article_name)}</bdi></h1>
<div class="legend">{legend}</div>
</header>
<main>
<section class="article-pane" aria-label="the article">
<article id="article" dir="{direction}"{lang_attr}>{_article_html(article_text, incidents)}</article>
</section>
<section class="form-pane" aria-label="the record">
<form id="record" autocomplete="off">
<fieldset class="source"><legend>Source and coder</legend>
{_source_html(article_name, published, language, sha256)}
<label class="src required">coder * <input type="text" id="coder" placeholder="your coder id, e.g. ik"></label>
</fieldset>
<div id="incidents">{forms}</div>
<template id="blank-incident">{blank}</template>
<p><button type="button" id="add-incident" class="secondary">Add an incident the draft missed</button></p>
<div class="actions">
<button type="button" id="download">Download the record (YAML)</button>
<p id="message" role="alert" aria-live="assertive"></p>
</div>
<details id="preview-box"><summary>The record as downloaded</summary><pre id="preview"></pre></details>
</form>
</section>
</main>
<script type="application/json" id="draft-data">{_json_for_script(data)}</script>
<script>{script}</script>
</body>
</html>
"""


def write_review_html(draft_json: dict, article_text: str, path: str | os.PathLike[str], *, article_name: str,
                      published: str = "", language: str = "") -> None:
    """Write :func:`render_review_html`'s page to ``path`` atomically (the old page or the new one,
    never half of one)."""
    page = render_review_html(draft_json, article_text, article_name=article_name, published=published,
                              language=language)
    atomic_write_text(path, page)
