"""The embedded actor tables (``incidentkit/data/actors/``), read once and cached.

Why a module of its own: the tables are facts compiled by hand with a source per row (see the folder's
README), and every part of the vocabulary (grammar, suggestions, UCDP side names) reads them. Reading and
typing them in one place means a malformed row fails loudly here, in the package's own data, and not as a
wrong suggestion somewhere else.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources

from incidentkit.codebook.countries import country_code

__all__ = [
    "NamedGroup",
    "StatePeriod",
    "named_groups",
    "periods_by_country",
    "state_periods",
    "ucdp_actor_names",
    "ucdp_government_names",
]


@dataclass(frozen=True)
class StatePeriod:
    """One government period of one country, as ACLED labels it after "Military Forces of X"."""

    country: str          # ISO alpha-2
    acled_country: str    # the country as written inside the actor name ("the United States")
    start: date
    end: date | None      # the next period's first day (exclusive); None while current
    period: str           # the label in parentheses, e.g. "2023-" or "2015-2023"
    government: str
    source: str

    def covers(self, day: date) -> bool:
        """True when ``day`` falls in this period: from ``start`` (the handover day) to the day before ``end``."""
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True)
class NamedGroup:
    """One named actor of ``named_groups.csv``."""

    name: str
    countries: tuple[str, ...]
    inter: int | None
    ucdp_name: str
    aliases: tuple[str, ...]
    first_year: int | None
    last_year: int | None
    source: str
    note: str


def _text(filename: str) -> str:
    return resources.files("incidentkit.data.actors").joinpath(filename).read_text(encoding="utf-8-sig")


def _rows(filename: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_text(filename), newline="")))


def _year(text: str) -> int | None:
    text = text.strip()
    return int(text) if text else None


@lru_cache(maxsize=1)
def state_periods() -> tuple[StatePeriod, ...]:
    """Every government period of ``state_periods.csv``, in file order (country, then start)."""
    out = []
    for r in _rows("state_periods.csv"):
        out.append(StatePeriod(
            country=r["country"].strip(), acled_country=r["acled_country"].strip(),
            start=date.fromisoformat(r["start"]), end=date.fromisoformat(r["end"]) if r["end"].strip() else None,
            period=r["period"].strip(), government=r["government"], source=r["source"]))
    return tuple(out)


@lru_cache(maxsize=1)
def periods_by_country() -> dict[str, tuple[StatePeriod, ...]]:
    """The periods of each country (ISO alpha-2), oldest first."""
    out: dict[str, list[StatePeriod]] = {}
    for p in state_periods():
        out.setdefault(p.country, []).append(p)
    return {cc: tuple(sorted(ps, key=lambda p: p.start)) for cc, ps in out.items()}


@lru_cache(maxsize=1)
def named_groups() -> tuple[NamedGroup, ...]:
    """Every row of ``named_groups.csv``."""
    out = []
    for r in _rows("named_groups.csv"):
        inter = r["inter"].strip()
        out.append(NamedGroup(
            name=r["name"].strip(), countries=tuple(r["countries"].split()),
            inter=int(inter) if inter else None, ucdp_name=r["ucdp_name"],
            aliases=tuple(a.strip() for a in r["aliases"].split("|") if a.strip()),
            first_year=_year(r["first_year"]), last_year=_year(r["last_year"]),
            source=r["source"].strip(), note=r["note"]))
    return tuple(out)


@lru_cache(maxsize=1)
def ucdp_actor_names() -> frozenset[str]:
    """Every ``NameData`` of the UCDP Actor Dataset 22.1 (CC BY 4.0), exactly as spelled there."""
    return frozenset(r["NameData"] for r in _rows("ucdp_actor_22_1.csv"))


#: UCDP government names whose country part pycountry cannot resolve on its own.
_UCDP_COUNTRY_FIX = {"DR Congo (Zaire)": "CD", "Congo": "CG", "Ivory Coast": "CI", "Kingdom of eSwatini (Swaziland)": "SZ"}


@lru_cache(maxsize=1)
def ucdp_government_names() -> dict[str, str]:
    """ISO alpha-2 -> the UCDP (and GED) side name of that country's government, spelled as UCDP does:
    "Government of Russia (Soviet Union)", "Government of DR Congo (Zaire)", "Government of Myanmar (Burma)".

    Taken from the UCDP Actor Dataset's ``NameData`` (organisation type 4, "Government of ..."); the country
    is what is left once the prefix and any "(former name)" are removed.
    """
    out: dict[str, str] = {}
    for r in _rows("ucdp_actor_22_1.csv"):
        name = r["NameData"]
        if not name.startswith("Government of "):
            continue
        rest = name[len("Government of "):].strip()
        cc = _UCDP_COUNTRY_FIX.get(rest) or country_code(rest)
        if cc is None and "(" in rest:
            cc = country_code(rest.split("(")[0].strip())
        if cc and cc not in out:
            out[cc] = name
    return out
