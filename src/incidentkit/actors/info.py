"""What the vocabulary says about one actor name (:class:`ActorInfo`) and about one use of it (:class:`Verdict`).

Kept apart from the vocabulary so the project list reader and the checks share the types without
importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

__all__ = ["KINDS", "ActorInfo", "Problem3", "Verdict"]

#: Where a name comes from: the grammar (state, generic), the embedded named-group table, the project's
#: own list, or the original 28-name seed list (codebook/actors.py).
KINDS = ("state", "generic", "named", "project", "seed")

#: One problem of a :class:`Verdict`: (code, severity "error"|"warning", message).
Problem3 = tuple[str, str, str]


@dataclass(frozen=True)
class ActorInfo:
    """One accepted actor name and what it implies.

    ``inter`` is the ACLED actor type the name implies (state forces: 1 at home; None when the name
    does not fix it), ``country`` the country the name says ("" when it says none), ``countries`` where
    a named group is active, ``start``/``end`` the state period (end exclusive: the next period's first
    day) or a named group's first/last year (1 January / 31 December), ``unit`` a state actor's unit
    suffix. ``aliases`` and ``note`` are kept for search and display.
    """

    name: str
    kind: str
    inter: int | None = None
    country: str = ""
    countries: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None
    ucdp_name: str = ""
    source: str = ""
    unit: str = ""
    aliases: tuple[str, ...] = ()
    note: str = ""

    def active_on(self, day: date) -> bool:
        """True when ``day`` is inside the name's period (or the name has none)."""
        if self.start is not None and day < self.start:
            return False
        if self.end is None:
            return True
        # a state period's end is the next period's first day; a named group's end is its last day
        return day < self.end if self.kind == "state" else day <= self.end

    def active_in(self, country: str) -> bool:
        """True when the name belongs to ``country``: its own country, one where it is active, or none."""
        if self.countries:
            return country in self.countries
        return self.country in ("", country)


@dataclass
class Verdict:
    """The result of :meth:`Vocabulary.check`: is the name known, what is wrong with this use of it,
    and which names (valid for the incident's country and date only) the coder may have meant."""

    known: bool
    info: ActorInfo | None = None
    problems: list[Problem3] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No error (warnings allowed)."""
        return not any(sev == "error" for _, sev, _ in self.problems)
