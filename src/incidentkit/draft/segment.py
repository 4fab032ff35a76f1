"""One report, several incidents: sentences grouped by place, day and actor pair.

A sentence with a trigger word (or a death count) is an *event mention*. Mentions are merged into one
incident unless one of :data:`SPLIT_RULES` says they are different events: another country, places more
than :data:`SPLIT_KM` apart, another event type with another actor pair, or days that do not touch
with another event type or no actor in common. Sentences without a mention (background, quotes) join the
incident before them (the lead's incident when they come first). At most :data:`MAX_INCIDENTS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from incidentkit.draft.actors import ActorMention
from incidentkit.draft.dates import DateExpr
from incidentkit.draft.events import Trigger, classify
from incidentkit.draft.fatalities import Count
from incidentkit.draft.places import CountryMention, PlaceMention
from incidentkit.matching import haversine_km

__all__ = ["MAX_INCIDENTS", "SPLIT_KM", "SPLIT_RULES", "Group", "SentenceFacts", "segment"]

SPLIT_KM = 10.0
MAX_INCIDENTS = 8

SPLIT_RULES: tuple[tuple[str, str], ...] = (
    ("country", "The mention's places or country name are in another country than the incident's."),
    ("province", "The mention's places are all in another province than the incident's."),
    ("distance", f"The mention's first place (a town or facility, not a province) is more than {SPLIT_KM:.0f} km "
                 "from every place of the incident: ACLED codes one event per location."),
    ("actor-pair", "The mention has another event type than the incident and names an actor the incident "
                   "does not have (coalition air strikes beside a ground battle; arrests after it)."),
    ("day", "The mention's days do not overlap the incident's, and its event type differs or it names an "
            "actor the incident does not have."),
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

    headline: bool = False
    claim: bool = False  # a claim of responsibility for an attack already told: no new event

    @property
    def is_mention(self) -> bool:
        """An event mention: a strong trigger or a death count; a sentence whose only triggers are weak
        words ("the attack", "attackers") and that names no place, country, day or count refers back to an event
        already mentioned; a headline sums up the lead."""
        if self.headline or (self.claim and not self.counts):
            return False
        if self.counts:
            return True
        strong = any(t.weight >= 0.8 for t in self.triggers)
        return strong or (bool(self.triggers) and bool(self.places or self.dates or self.countries))


@dataclass
class Group:
    sentences: list[SentenceFacts] = field(default_factory=list)

    def all(self, attr: str) -> list:
        return [x for s in self.sentences for x in getattr(s, attr)]

    def told(self, attr: str) -> list:
        """What the incident's sentences tell, its headline left out (a headline names every incident)."""
        return [x for s in self.sentences if not s.headline for x in getattr(s, attr)]

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


#: Place phrases that name an area, not a point: "ريف إدلب", "Idlib province", "southern Baghdad".
AREA_PHRASES = frozenset({"countryside", "province", "direction-part", "admin-unit"})


def _point(p: PlaceMention) -> bool:
    return p.lat is not None and p.kind not in ("admin1", "admin2") and p.phrase not in AREA_PHRASES


def _split(g: Group, s: SentenceFacts) -> str | None:
    """Why mention ``s`` is not part of incident ``g`` (a rule name), or None."""
    scs = {p.country for p in s.places if p.country} or {c.country for c in s.countries}
    gcs = g.countries()
    if scs and gcs and not scs & gcs:
        return "country"
    sa = {p.admin1 for p in s.places if p.admin1}
    ga = {p.admin1 for p in g.told("places") if p.admin1}
    if sa and ga and not sa & ga:
        return "province"
    gp = [(p.lat, p.lon) for p in g.told("places") if _point(p)]
    principal = next((p for p in s.places if _point(p)), None)
    if gp and principal is not None and \
            min(haversine_km(a, b, principal.lat, principal.lon) for a, b in gp) > SPLIT_KM:
        return "distance"
    s_type = classify(s.triggers)[0][0] if s.triggers else None
    g_type = g.event_type()
    new_actors = {a.name for a in s.actors} - g.actor_names()
    differs = s_type is not None and g_type is not None and s_type != g_type
    protest = {"Protests", "Riots"} & {s_type, g_type}  # arrests at a protest are that protest's intervention
    if differs and (new_actors or "Strategic developments" in (s_type, g_type)) and not protest:
        return "actor-pair"
    gd, sd = g.days(), ((min(d.start for d in s.dates), max(d.end for d in s.dates)) if s.dates else None)
    if gd and sd and (sd[0] > gd[1] or sd[1] < gd[0]) and (differs or new_actors):
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
        # the compatible incident sharing most actors with the mention, the latest on a tie
        names = {a.name for a in s.actors}
        fits = [g for g in groups if _split(g, s) is None]
        target = max(reversed(fits), key=lambda g: len(names & g.actor_names()), default=None)
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
