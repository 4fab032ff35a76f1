"""The draft as a YAML file a coder reads: a record skeleton with the top value of each field (and its
passage as a comment), then a ``draft:`` section with every candidate, its score, spans and quotes.

The file lives in ``datasets/drafts/``: ``build`` and ``validate`` never read it (they read
``datasets/coded/``). The skeleton leaves what a draft never fills empty (outlet, title, coder, notes).
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from incidentkit.draft.model import FIELDS, Draft

__all__ = ["draft_yaml"]

_QUOTE_MAX = 120


def _quote(text: str, spans: list[list[int]]) -> list[str]:
    out = []
    for a, b in spans:
        q = " ".join(text[a:b].split())
        out.append(q if len(q) <= _QUOTE_MAX else q[: _QUOTE_MAX - 1] + "…")
    return out


def _scalar(v: Any) -> str:
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {int(x)}" for k, x in v.items()) + "}"
    if isinstance(v, int):
        return str(v)
    s = str(v)
    return s if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s) else json.dumps(s, ensure_ascii=False)


def _comment(s: str) -> str:
    return " ".join(s.replace("#", "").split())


def draft_yaml(draft: Draft, text: str, *, article_name: str) -> str:
    """The YAML text of a draft of the article ``text`` (named ``article_name``)."""
    stem = re.sub(r"[^a-z0-9]+", "-", article_name.rsplit(".", 1)[0].lower()).strip("-") or "article"
    lines = [
        f"# DRAFT of {_comment(article_name)} by `incidentkit draft` (rule-based suggestions, not a coded record).",
        "# Check every value against its passage (the comment after it; every alternative is under `draft:`),",
        "# fill in outlet, title, coder, coded_on and notes, then save the record in datasets/coded/.",
        "# Spans are [start, end) character offsets into the article text exactly as read.",
        "source:",
        f"  id: {stem}",
        '  outlet: ""',
        '  title: ""',
        f"  published: {draft.published.isoformat()}",
        f"  language: {draft.language}",
        'coder: ""',
        'coded_on: ""',
        "incidents:" + ("" if draft.incidents else " []"),
    ]
    js = draft.to_json()
    for n, inc in enumerate(js["incidents"], start=1):
        lines.append(f"  - id: {stem}-{n:02d}")
        for field in FIELDS:
            cands = inc["fields"].get(field) or []
            if not cands:
                lines.append(f"    # {field}: (no suggestion)")
                continue
            top = cands[0]
            quote = "; ".join(_quote(text, top["spans"]))
            alts = f", {len(cands) - 1} alternative(s)" if len(cands) > 1 else ""
            lines.append(f"    {field}: {_scalar(top['value'])}  # {top['score']:.2f}{alts}: "
                         f"{_comment(quote)[:160]}")
        lines.append('    notes: ""')
    section = {"draft": {"article": article_name, "published": draft.published.isoformat(),
                         "language": draft.language, "country": draft.country,
                         "incidents": [{"fields": {f: [dict(c, quotes=_quote(text, c["spans"]))
                                                       for c in inc["fields"].get(f) or []]
                                                   for f in FIELDS}} for inc in js["incidents"]]}}
    body = yaml.safe_dump(section, allow_unicode=True, sort_keys=False, width=120, default_flow_style=None)
    return "\n".join(lines) + "\n" + body
