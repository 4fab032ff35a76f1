"""What a draft holds: per incident, per codebook field, ranked candidates resting on article spans.

The JSON form (``Draft.to_json()``, printed by ``incidentkit draft --json``) is a contract that scripts,
the benchmark and the review page read::

    {"incidents": [{"fields": {FIELD: [{"value": V, "score": S, "spans": [[start, end], ...]}, ...]}}]}

FIELD is one of :data:`FIELDS` (every one present, an empty list when nothing was found), V the value as
the codebook writes it (dates ``YYYY-MM-DD``, ``time_precision`` and ``inter1/2`` integers, ``country``
an ISO alpha-2 code, ``fatalities`` ``{"low", "best", "high"}``), S a float in [0, 1], candidates best
first, spans ``[start, end)`` Python string offsets into the article text exactly as read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

__all__ = ["FIELDS", "Candidate", "Draft", "DraftIncident"]

#: The fields a draft proposes, in the order the codebook lists them.
FIELDS: tuple[str, ...] = ("date_start", "date_end", "time_precision", "event_type", "sub_event_type",
                           "actor1", "inter1", "actor2", "inter2", "country", "admin1", "location",
                           "fatalities")


def _key(value: Any) -> Any:
    return tuple(sorted(value.items())) if isinstance(value, dict) else value


@dataclass
class Candidate:
    """One proposed value, its score in [0, 1] and the article spans it rests on (at least one)."""

    value: Any
    score: float
    spans: list[tuple[int, int]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        value = dict(self.value) if isinstance(self.value, dict) else self.value
        return {"value": value, "score": round(min(1.0, max(0.0, float(self.score))), 3),
                "spans": [[int(a), int(b)] for a, b in sorted(set(self.spans))]}


def rank(cands: list[Candidate], limit: int = 5) -> list[Candidate]:
    """Merge candidates of equal value (best score, spans pooled), drop those without a span, best first."""
    merged: dict[Any, Candidate] = {}
    order: list[Any] = []
    for c in cands:
        if not c.spans:
            continue
        k = _key(c.value)
        got = merged.get(k)
        if got is None:
            merged[k] = Candidate(c.value, c.score, list(c.spans))
            order.append(k)
        else:
            got.score = max(got.score, c.score)
            got.spans.extend(s for s in c.spans if s not in got.spans)
    out = sorted((merged[k] for k in order), key=lambda c: -c.score)  # stable: earlier first on ties
    return out[:limit]


@dataclass
class DraftIncident:
    """One incident of the draft: FIELD -> candidates, best first."""

    fields: dict[str, list[Candidate]] = field(default_factory=dict)

    def top(self, name: str) -> Any:
        cands = self.fields.get(name) or []
        return cands[0].value if cands else None

    def to_json(self) -> dict[str, Any]:
        return {"fields": {f: [c.to_json() for c in self.fields.get(f, [])] for f in FIELDS}}


@dataclass
class Draft:
    """The draft of one article."""

    incidents: list[DraftIncident]
    language: str
    published: date
    country: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Exactly ``{"incidents": [{"fields": {FIELD: [{"value", "score", "spans"}, ...]}}]}``."""
        return {"incidents": [i.to_json() for i in self.incidents]}
