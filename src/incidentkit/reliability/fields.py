"""Which coded fields are compared, at which level of measurement, and which evidence supports each.

The level decides the distance alpha uses: a wrong sub-event type is simply wrong (nominal); geo
precision 1 against 3 is a bigger miss than 1 against 2 (ordinal); fatalities are compared on
log(1 + x) so that 10 against 12 weighs about as much as 100 against 120 (interval).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping

Row = Mapping[str, Any]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    level: str                              # nominal, ordinal, interval
    value: Callable[[Row], Any]             # the coded value (None = not coded)
    numeric: Callable[[Any], float] | None  # how alpha sees the value (None: as a label)
    evidence: tuple[str, ...]               # evidence field names that support it
    diff_unit: str = ""                     # absolute differences are summarised in this unit


def _get(name: str, missing_as: Any = None) -> Callable[[Row], Any]:
    def get(row: Row) -> Any:
        v = row.get(name)
        return missing_as if v is None else v
    return get


def _date(name: str) -> Callable[[Row], Any]:
    def get(row: Row) -> Any:
        return row.get(name) or row.get("date_start")
    return get


def _fatalities(part: str) -> FieldSpec:
    return FieldSpec(f"fatalities_{part}", "interval", _get(f"fatalities_{part}"), lambda v: math.log1p(v),
                     ("fatalities", f"fatalities.{part}"), "deaths")


FIELD_SPECS: tuple[FieldSpec, ...] = (
    FieldSpec("event_type", "nominal", _get("event_type"), None, ("event_type", "sub_event_type")),
    FieldSpec("sub_event_type", "nominal", _get("sub_event_type"), None, ("sub_event_type", "event_type")),
    FieldSpec("actor1", "nominal", _get("actor1"), None, ("actor1", "assoc_actor_1")),
    # no actor2 is itself a coding decision (a one-sided event), so it is a value, not a missing one
    FieldSpec("actor2", "nominal", _get("actor2", ""), None, ("actor2", "assoc_actor_2")),
    FieldSpec("inter1", "nominal", _get("inter1"), None, ("inter1", "actor1")),
    FieldSpec("inter2", "nominal", _get("inter2", 0), None, ("inter2", "actor2")),
    FieldSpec("civilian_targeting", "nominal", _get("civilian_targeting", False), None, ("civilian_targeting",)),
    FieldSpec("country", "nominal", _get("country"), None, ("country", "location")),
    FieldSpec("time_precision", "ordinal", _get("time_precision"), float, ("time_precision", "date_start")),
    FieldSpec("geo_precision", "ordinal", _get("geo_precision"), float, ("geo_precision", "location")),
    _fatalities("low"),
    _fatalities("best"),
    _fatalities("high"),
    FieldSpec("date_start", "interval", _date("date_start"), lambda d: float(d.toordinal()),
              ("date_start",), "days"),
    FieldSpec("date_end", "interval", _date("date_end"), lambda d: float(d.toordinal()),
              ("date_end", "date_start"), "days"),
)

FIELDS_BY_NAME: Mapping[str, FieldSpec] = {f.name: f for f in FIELD_SPECS}

POINT_EVIDENCE: tuple[str, ...] = ("location", "latitude", "longitude", "admin1")
INCIDENT_EVIDENCE: tuple[str, ...] = ("event_type", "sub_event_type", "date_start", "location")


def evidence_quotes(row: Row, names: tuple[str, ...]) -> str:
    """The coder's quotes for those fields, in the coder's order, joined for a table cell."""
    quotes = [e["quote"] for e in row.get("evidence") or [] if e.get("field") in names]
    return " | ".join(quotes)


def show(value: Any) -> Any:
    """A coded value as a report shows it: dates as ISO text, labels and numbers unchanged."""
    return value.isoformat() if hasattr(value, "isoformat") else value
