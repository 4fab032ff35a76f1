"""One report, several incidents: sentences grouped by place, day and actor pair.

A sentence with a trigger word (or a death count) is an *event mention*. Mentions are merged into one
incident unless one of :data:`SPLIT_RULES` says they are different events: another country, places more
than :data:`SPLIT_KM` apart, another event type with another actor pair, or days that do not touch
with another event type or no actor in common. Sentences without a mention (background, quotes) join the
incident before them (the lead's incident when they come first). At most :data:`MAX_INCIDENTS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from incidentkit.draft.actors import ActorMention
from incidentkit.draft.dates import DateExpr
from incidentkit.draft.events import Trigger, classify
from incidentkit.draft.fatalities import Count
from incidentkit.draft.places import CountryMention, PlaceMention
from incidentkit.matching import haversine_km

__all__ = ["MAX_INCIDENTS", "SPLIT_KM", "SPLIT_RULES", "Group", "SentenceFacts", "segment"]

SPLIT_KM = 50.0
MAX_INCIDENTS = 8

SPLIT_RULES: tuple[tuple[str, str], ...] = (
    ("country", "The mention's places or country name are in another country than the incident's."),
    ("distance", f"The mention's place is more than {SPLIT_KM:.0f} km from every place of the incident."),
    ("actor-pair", "The mention has another event type than the incident and names an actor the incident "
                   "does not have (coalition air strikes beside a ground battle; arrests after it)."),
    ("day", "The mention's day does not touch the incident's days (a gap of more than one day), and its "
            "event type or actors differ."),
)


@dataclass
class SentenceFacts:
    index: int
    span: tuple[int, int]
    triggers: list[Trigger] = field(default_factory=list)
    dates: list[DateExpr] = field(default_factory=list)
    places: list[PlaceMention] = field(default_factory=list)
    countries: list[CountryMention] = field(default_factory=list)
    actors: list[ActorMention] = field(default_factory=list)
    counts: list[Count] = field(default_factory=list)

    @property
    def is_mention(self) -> bool:
        return bool(self.triggers) or bool(self.counts)


@dataclass
class Group:
    sentences: list[SentenceFacts] = field(default_factory=list)

    def all(self, attr: str) -> list:
        return [x for s in self.sentences for x in getattr(s, attr)]

    def countries(self) -> set[str]:
        cs = {p.country for p in self.all("places") if p.country}
        return cs | {c.country for c in self.all("countries")} if not cs else cs

    def event_type(self) -> str | None:
        ranked = classify(self.all("triggers"))
        return ranked[0][0] if ranked else None

    def actor_names(self) -> set[str]:
        return {a.name for a in self.all("actors")}

    def days(self) -> tuple | None:
        ds = self.all("dates")
        if not ds:
            return None
        return min(d.start for d in ds), max(d.end for d in ds)


def _split(g: Group, s: SentenceFacts) -> str | None:
    """Why mention ``s`` is not part of incident ``g`` (a rule name), or None."""
    scs = {p.country for p in s.places if p.country} or {c.country for c in s.countries}
    gcs = g.countries()
    if scs and gcs and not scs & gcs:
        return "country"
    gp = [(p.lat, p.lon) for p in g.all("places") if p.lat is not None and p.kind != "admin1"]
    sp = [(p.lat, p.lon) for p in s.places if p.lat is not None and p.kind != "admin1"]
    if gp and sp and min(haversine_km(a, b, c, d) for a, b in gp for c, d in sp) > SPLIT_KM:
        return "distance"
    s_type = classify(s.triggers)[0][0] if s.triggers else None
    g_type = g.event_type()
    new_actors = {a.name for a in s.actors} - g.actor_names()
    differs = s_type is not None and g_type is not None and s_type != g_type
    if differs and (new_actors or "Strategic developments" in (s_type, g_type)):
        return "actor-pair"
    gd, sd = g.days(), ((min(d.start for d in s.dates), max(d.end for d in s.dates)) if s.dates else None)
    if gd and sd and (sd[0] > gd[1] + timedelta(days=1) or sd[1] < gd[0] - timedelta(days=1)):
        if differs or not ({a.name for a in s.actors} & g.actor_names()):
            return "day"
    return None


def segment(facts: list[SentenceFacts]) -> list[Group]:
    """Sentences grouped into incidents, in order of first mention."""
    groups: list[Group] = []
    pending: list[SentenceFacts] = []  # background before the first mention
    current: Group | None = None
    for s in facts:
        if not s.is_mention:
            if current is None:
                pending.append(s)
            else:
                current.sentences.append(s)
            continue
        target = None
        for g in reversed(groups):
            if _split(g, s) is None:
                target = g
                break
        if target is None and len(groups) >= MAX_INCIDENTS:
            target = groups[-1]
        if target is None:
            target = Group()
            groups.append(target)
            if len(groups) == 1:
                target.sentences.extend(pending)
                pending = []
        target.sentences.append(s)
        current = target
    if not groups:
        groups = [Group(pending)] if pending else []
    for g in groups:
        g.sentences.sort(key=lambda x: x.index)
    return groups
