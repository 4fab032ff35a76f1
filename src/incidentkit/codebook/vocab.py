"""Controlled vocabularies of the ACLED codebook (current since March 2023) and the UCDP equivalents.

These tables are data, not logic: validation, the Parquet dictionary columns, the JSON Schema, the
Frictionless Table Schema and the Markdown codebook all read them, so a vocabulary change is made here
once and reaches every output.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np

# event_type -> (sub_event_type -> short definition). Order is ACLED's.
EVENT_TYPES: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "Battles": MappingProxyType({
        "Government regains territory": "State forces or their affiliates regain control of a location "
                                         "from competing actors.",
        "Non-state actor overtakes territory": "A non-state actor or foreign state force takes control of "
                                               "a location from the government or another group.",
        "Armed clash": "Armed, organised groups engage in fighting without a change of territorial control.",
    }),
    "Protests": MappingProxyType({
        "Excessive force against protesters": "Peaceful protesters are targeted with lethal or "
                                              "excessive force by state forces.",
        "Protest with intervention": "A peaceful protest is physically dispersed or suppressed without "
                                     "serious injuries.",
        "Peaceful protest": "Demonstrators gather for a protest and do not engage in violence.",
    }),
    "Riots": MappingProxyType({
        "Violent demonstration": "Demonstrators engage in violence or destruction.",
        "Mob violence": "Rioters violently interact with other rioters, civilians, property or armed "
                        "groups outside a demonstration.",
    }),
    "Explosions/Remote violence": MappingProxyType({
        "Chemical weapon": "Chemical weapons are used in warfare without other engagement.",
        "Air/drone strike": "Air or drone strikes occur without other engagement.",
        "Suicide bomb": "A suicide bombing or suicide vehicle-borne IED occurs without other engagement.",
        "Shelling/artillery/missile attack": "Long-range artillery, missile or rocket fire without other "
                                             "engagement.",
        "Remote explosive/landmine/IED": "Remotely or victim-detonated explosives, landmines or IEDs.",
        "Grenade": "A grenade or similar hand-thrown explosive is used.",
    }),
    "Violence against civilians": MappingProxyType({
        "Sexual violence": "Any sexual act, attempt or threat against civilians.",
        "Attack": "An organised armed group attacks unarmed civilians.",
        "Abduction/forced disappearance": "An armed group abducts or causes the disappearance of civilians.",
    }),
    "Strategic developments": MappingProxyType({
        "Agreement": "Actors agree to a ceasefire, peace deal, prisoner exchange or similar.",
        "Arrests": "State forces or other actors detain or arrest people.",
        "Change to group/activity": "A group changes its activity, name or structure.",
        "Disrupted weapons use": "An explosion or weapons use is prevented (defusal, interception, seizure).",
        "Headquarters or base established": "A group establishes a permanent or semi-permanent base.",
        "Looting/property destruction": "Property is seized or destroyed without physical violence "
                                        "against people.",
        "Non-violent transfer of territory": "Territory changes hands without violence.",
        "Other": "A significant development not captured by another sub-event type.",
    }),
})

SUB_EVENT_TYPES: Mapping[str, str] = MappingProxyType(
    {sub: event for event, subs in EVENT_TYPES.items() for sub in subs}
)

POLITICAL_VIOLENCE = "Political violence"
DEMONSTRATIONS = "Demonstrations"
STRATEGIC = "Strategic developments"
PV_AND_DEMONSTRATIONS = "Political violence; Demonstrations"
DISORDER_TYPES: tuple[str, ...] = (POLITICAL_VIOLENCE, DEMONSTRATIONS, STRATEGIC, PV_AND_DEMONSTRATIONS)


def disorder_type(sub_event_type: str) -> str:
    """ACLED's disorder type follows from the sub-event type alone."""
    if sub_event_type == "Excessive force against protesters":
        return PV_AND_DEMONSTRATIONS
    event = SUB_EVENT_TYPES[sub_event_type]
    if event == "Strategic developments":
        return STRATEGIC
    if event == "Protests" or sub_event_type == "Violent demonstration":
        return DEMONSTRATIONS
    return POLITICAL_VIOLENCE


# ACLED actor types ("inter codes"). 0 = no second actor.
INTER_CODES: Mapping[int, str] = MappingProxyType({
    1: "State forces",
    2: "Rebel group",
    3: "Political militia",
    4: "Identity militia",
    5: "Rioters",
    6: "Protesters",
    7: "Civilians",
    8: "External/Other forces",
})
INTER_DEFINITIONS: Mapping[int, str] = MappingProxyType({
    1: "Collective actors that exercise de facto state power: military, police, other state forces.",
    2: "Political organisations whose goal is to counter an established national governing regime by violent acts.",
    3: "Armed groups with a political purpose that are not seeking to replace the national government.",
    4: "Armed groups organised around a common identity: ethnic, religious, communal, clan.",
    5: "Individuals engaging in violent demonstrations or mob violence.",
    6: "Individuals demonstrating peacefully.",
    7: "Unarmed, non-combatant people; victims.",
    8: "International organisations, private security firms, foreign forces acting outside a state's forces.",
})

_INTER_BY_KEY: dict[str, int] = {}
for _code, _label in INTER_CODES.items():
    _INTER_BY_KEY[_label.casefold()] = _code
_INTER_BY_KEY["protestors"] = 6  # older ACLED spelling
_INTER_BY_KEY["external/other force"] = 8
_INTER_BY_KEY["external forces"] = 8
_INTER_BY_KEY["other forces"] = 8


def normalise_label(text: str) -> str:
    """Fold spelling variants ACLED files contain: en/em dashes, spacing, 'protestors'."""
    text = text.replace("\u2013", "-").replace("\u2014", "-").strip()
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"(?i)protestors", "Protesters", text)


def inter_code(value: object) -> int | None:
    """Map an ACLED actor type, given as number or label, to its code; None if unknown.

    Accepts 0-8 as int or digit string, and labels in any case, including the older "Protestors".
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= 8 else None
    if isinstance(value, float) and value.is_integer():
        return inter_code(int(value))
    if isinstance(value, str):
        s = normalise_label(value)
        if s.isdigit():  # ASCII digits only: '²' and '٣' are digits to isdigit() but not codes
            return inter_code(int(s)) if s.isascii() and len(s) <= 3 else None
        if s == "":
            return 0
        return _INTER_BY_KEY.get(s.casefold())
    return None


def interaction(inter1: int, inter2: int | None) -> int:
    """ACLED interaction code: both actor types, lower first; single-actor events are X0."""
    if not inter2:
        return inter1 * 10
    lo, hi = sorted((inter1, inter2))
    return lo * 10 + hi


def interaction_label(code: int) -> str:
    """The label form newer ACLED files use, e.g. 12 -> 'State forces-Rebel group', 20 -> 'Rebel group only'."""
    a, b = divmod(code, 10)
    if b == 0:
        return f"{INTER_CODES[a]} only"
    return f"{INTER_CODES[a]}-{INTER_CODES[b]}"


GEO_PRECISION: Mapping[int, str] = MappingProxyType({
    1: "The named town (or a neighbourhood of it) has coordinates.",
    2: "Near a town or in a small part of a region: coded to a representative town.",
    3: "Only a larger region is named: coded to the provincial capital or a named natural feature.",
})
TIME_PRECISION: Mapping[int, str] = MappingProxyType({
    1: "The date of the event is reported.",
    2: "Only a week or similar period is known: the midpoint is used.",
    3: "Only the month is known: the midpoint (or first/last day when the report says so) is used.",
})
#: Longest date range (days, both ends counted) an incident with time_precision 1 may span: the ACLED
#: layout codes one event per day and numbers the days of an incident with three digits
#: (:data:`incidentkit.export.ids.MAX_DAYS`; a test keeps the two equal). Validation refuses longer ranges
#: so that ``validate`` fails where the export would.
MAX_PRECISE_DAYS = 1000

# UCDP GED equivalents, derived by the exports.
WHERE_PREC: Mapping[int, str] = MappingProxyType({
    1: "Exact location", 2: "Within about 25 km of a known point", 3: "Second-order administrative division",
    4: "First-order administrative division", 5: "Larger than ADM1", 6: "Country", 7: "Water or airspace",
})
DATE_PREC: Mapping[int, str] = MappingProxyType({
    1: "Exact day", 2: "Range of 2-6 days", 3: "Week", 4: "Month", 5: "Year",
})
TYPE_OF_VIOLENCE: Mapping[int, str] = MappingProxyType({
    1: "State-based conflict", 2: "Non-state conflict", 3: "One-sided violence",
})

# Where ACLED allows the civilian_targeting flag.
CIVILIAN_TARGETING_EVENT_TYPES = frozenset({"Violence against civilians", "Explosions/Remote violence", "Riots"})
CIVILIAN_TARGETING_SUB_EVENT_TYPES = frozenset({"Excessive force against protesters"})


def civilian_targeting_allowed(event_type: str, sub_event_type: str) -> bool:
    return event_type in CIVILIAN_TARGETING_EVENT_TYPES or sub_event_type in CIVILIAN_TARGETING_SUB_EVENT_TYPES


#: UCDP where_prec for an ACLED geo_precision: the named place, near it (~25 km), or a province (ADM1).
GEO_TO_WHERE_PREC: Mapping[int, int] = MappingProxyType({1: 1, 2: 2, 3: 4})


def geo_to_where_prec(geo_precision: int | None) -> int | None:
    """UCDP where_prec from ACLED geo_precision when the geocoder did not set it: 1->1, 2->2, 3->4."""
    return GEO_TO_WHERE_PREC.get(geo_precision) if geo_precision else None


def priogrid_gid(latitude: Any, longitude: Any) -> Any:
    """PRIO-GRID cell id (0.5 degree cells, numbered from the south-west corner, row-major).

    Takes numbers (returns an int) or numpy arrays (returns an int64 array), so the incident build and
    the external readers share one formula.
    """
    row = np.minimum(np.floor((np.asarray(latitude, dtype=float) + 90) / 0.5) + 1, 360)
    col = np.minimum(np.floor((np.asarray(longitude, dtype=float) + 180) / 0.5) + 1, 720)
    gid = ((row - 1) * 720 + col).astype(np.int64)
    return int(gid) if gid.ndim == 0 else gid
