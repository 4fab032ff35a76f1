"""From the facts found in the text to ranked candidates per field, incident by incident.

The scoring conventions (documented in ``docs/reference/draft-rules.md``):

* dates: the incident's own date expressions, the first and firmest first (an absolute date 0.9, a
  weekday 0.85, a relative day 0.8, a month 0.5, each later expression a little lower); then the
  article's other expressions at half score; last, when the report dates nothing, the publication day
  (score 0.15) resting on the incident's first trigger word;
* country: the incident's places and country names, the ``--country`` hint when the text supports it;
* location and admin1: the incident's places, a town or facility before a province, repeated mentions
  and mentions in an event sentence first;
* actor1: the actor written as acting ("by X", before the trigger word, a named group) before victims
  (civilians, protesters outside protests); actor2: the others, victims first; inter codes follow the
  vocabulary (state forces outside their country are External/Other forces, 8);
* fatalities: counts sharing one outcome word added up first, then each count, then 0.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from datetime import date
from typing import Any

from incidentkit.draft import events as ev
from incidentkit.draft.actors import ActorMention, find_actors
from incidentkit.draft.dates import DateExpr, find_dates
from incidentkit.draft.fatalities import find_counts, group_counts
from incidentkit.draft.model import Candidate, DraftIncident, rank
from incidentkit.draft.places import find_countries, find_places
from incidentkit.draft.segment import Group, SentenceFacts, segment

#: Place phrases that make a weaker location than a town the report names ("ريف إدلب", "Idlib province").
LOCATION_AREAS = frozenset({"countryside", "province", "direction-part"})
from incidentkit.draft.text import sentences, tokens

Span = tuple[int, int]


def _inside(span: Span, s: Span) -> bool:
    return s[0] <= span[0] and span[1] <= s[1]


def _overlap(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


#: A dateline: where the reporter filed from and when ("GOMA, Democratic Republic of Congo, June 10
#: (Reuters) -", "BAMAKO (AFP) -", "الخرطوم -", "Stockholm (TT) -"). Its place and date are not the
#: event's: they are skipped for dates, places and counts.
_DATELINE = re.compile(
    r"(?m)^[ \t]*(?:[A-ZÀ-ÝÅÄÖ][A-ZÀ-ÝÅÄÖa-zà-ÿ'’ .-]{1,40}(?:,[^,\n()]{1,40}){0,2}\s*(?:\([A-Za-zÀ-ÿ .]{1,20}\))?"
    r"|[\u0600-\u06FF][\u0600-\u06FF ]{1,30}(?:\s*\([^)\n]{1,20}\))?)\s*[-–—]\s")
_DATELINE_LATIN = re.compile(r"\([A-Za-zÀ-ÿ .]{1,20}\)|^[ \t]*[A-ZÀ-ÝÅÄÖ]{2,}")


#: A claim of responsibility: the sentence names who did an attack already told, not another event.
_CLAIM = re.compile(r"claimed\s+responsibility|claimed\s+the\s+attack|tog\s+på\s+sig|tagit\s+på\s+sig|"
                    r"revendiqu|تبنى|تبنت|أعلن\w*\s+مسؤوليت", re.IGNORECASE)


def datelines(text: str) -> list[Span]:
    """Spans of the datelines that open paragraphs."""
    out = []
    for m in _DATELINE.finditer(text):
        head = m.group()
        # a Latin dateline names its agency in parentheses or is written in capitals ("GOMA, ...")
        if re.search(r"[A-Za-z]", head) and not _DATELINE_LATIN.search(head):
            continue
        out.append((m.start(), m.end()))
    return out


#: Words that report a statement: a date right after them is when it was said, not when it happened.
_SAID = {"en": r"(?:said|told|announced|reported|stated|added|confirmed|says)\s+(?:\w+\s+){0,2}$",
         "sv": r"(?:sade|säger|uppgav|uppger|meddelade|rapporterade|bekräftade|skrev)\s+(?:\w+\s+){0,2}$",
         "fr": r"(?:a\s+(?:déclaré|indiqué|annoncé|affirmé|précisé)|ont\s+(?:déclaré|indiqué|annoncé)|selon\s+\S+)\s+(?:\w+\s+){0,2}$",
         "ar": r"(?:قال|قالت|أعلن|أعلنت|اعلن|اعلنت|ذكر|ذكرت|أفاد|أفادت|افاد|افادت)\s+(?:\S+\s+){0,2}$"}


def _reported(text: str, d: DateExpr, lang: str) -> DateExpr:
    """A date that tells when something was said ("said on Monday") ranks low."""
    if re.search(_SAID[lang], text[max(0, d.span[0] - 40):d.span[0]], re.IGNORECASE):
        return replace(d, kind=d.kind + ":said") if ":said" not in d.kind else d
    return d


#: Sentences read from the start of an article: a news report has far fewer; a book pasted by mistake
#: is read only this far (the draft stays fast whatever the input).
MAX_SENTENCES = 150
#: Characters read from the start of an article (a long report is 20,000).
MAX_CHARS = 60_000


def propose(text: str, lang: str, published: date, hint: str | None, geocoder: Any,
            vocabulary: Any) -> list[DraftIncident]:
    sents = [s for s in sentences(text[:MAX_CHARS])[:MAX_SENTENCES]]
    end = sents[-1].end if sents else 0  # what lies beyond the last sentence read is not read at all
    toks = tokens(text, 0, end)
    cmentions = find_countries(text, lang, toks)
    counts_by_cc: dict[str, int] = defaultdict(int)
    for c in cmentions:
        counts_by_cc[c.country] += 1
    order = ([hint] if hint else []) + [c for c, _ in sorted(counts_by_cc.items(), key=lambda kv: -kv[1]) if c != hint]
    lines = datelines(text[:end])
    dates = [d for d in find_dates(text, lang, published, 0, end) if not any(_inside(d.span, x) for x in lines)]
    dates = [_reported(text, d, lang) for d in dates]
    triggers = ev.find_triggers(text, lang, 0, end)
    counts = [c for c in find_counts(text, lang, 0, end)  # "June 10 (Reuters) - ... killed": a date is no count
              if not any(_overlap(c.span, d.span) for d in dates) and not any(_overlap(c.span, x) for x in lines)]
    demonyms = [(c.span, c.country) for c in cmentions]
    art_cc = order[0] if order else None
    art_actors = (find_actors(text, lang, vocabulary, art_cc, published, 0, end, toks=toks, demonyms=demonyms)
                  if art_cc else [])
    blocked = ([d.span for d in dates] + [t.span for t in triggers] + [c.span for c in counts]
               + [a.span for a in art_actors] + [c.span for c in cmentions] + lines)
    places = find_places(text, lang, geocoder, order or [None], blocked, toks)
    # the article's countries: named and placed, most first (the hint first when given)
    by: dict[str, float] = defaultdict(float)
    first: dict[str, int] = {}
    for p in places:
        by[p.country] += p.score
        first.setdefault(p.country, p.span[0])
    for c in cmentions:
        by[c.country] += 0.8
        first.setdefault(c.country, c.span[0])
    order = ([hint] if hint else []) + [c for c, _ in sorted(by.items(), key=lambda kv: (-kv[1], first[kv[0]]))
                                        if c != hint]
    facts = []
    for s in sents:
        sp = (s.start, s.end)
        facts.append(SentenceFacts(
            s.index, sp, [t for t in triggers if _inside(t.span, sp)], [d for d in dates if _inside(d.span, sp)],
            [p for p in places if _inside(p.span, sp)], [c for c in cmentions if _inside(c.span, sp)], [],
            [c for c in counts if _inside(c.span, sp)]))
    for f in facts:  # actors with the article's country first, for segmentation
        f.actors = [a for a in art_actors if _inside(a.span, f.span)]
    for f in facts:
        f.claim = _CLAIM.search(text, f.span[0], f.span[1]) is not None
    if facts and len(facts) > 1:  # a headline: the first line, no full stop, a line break after it
        first = facts[0]
        tail = text[first.span[1]:first.span[1] + 3]
        if "\n" in tail and text[first.span[1] - 1] not in ".!?؟":
            first.headline = True
    groups = segment(facts)
    out = []
    for g in groups:
        out.append(_incident(text, lang, published, hint, g, dates, places, cmentions, demonyms, order,
                             vocabulary, toks))
    return out


def _first_anchor(g: Group, text: str) -> Span:
    """The span a fallback value rests on: the incident's first trigger word, else its first sentence."""
    trig = g.all("triggers")
    if trig:
        return trig[0].span
    s = g.sentences[0].span
    return (s[0], min(s[1], s[0] + 200))


def _incident(text: str, lang: str, published: date, hint: str | None, g: Group, all_dates: list[DateExpr],
              all_places: list, all_countries: list, demonyms: list, order: list[str], vocabulary: Any,
              toks: list) -> DraftIncident:
    f: dict[str, list[Candidate]] = {}
    anchor = _first_anchor(g, text)
    # -- country ---------------------------------------------------------------------------------------
    cscore: dict[str, float] = defaultdict(float)
    cspans: dict[str, list[Span]] = defaultdict(list)
    for p in g.all("places"):
        cscore[p.country] = max(cscore[p.country], 0.6 + 0.3 * p.score) + 0.02
        cspans[p.country].append(p.span)
    for c in g.all("countries"):
        cscore[c.country] = max(cscore[c.country], 0.8) + 0.03
        cspans[c.country].append(c.span)
    if hint:
        if hint in cscore:
            cscore[hint] += 0.1
        else:
            sp = [c.span for c in all_countries if c.country == hint] + [p.span for p in all_places if p.country == hint]
            cscore[hint] = 0.6 if sp else 0.5
            cspans[hint] = sp or [anchor]
    for n, cc in enumerate(order):  # the article's countries, most named first
        if cc not in cscore:
            sp = [c.span for c in all_countries if c.country == cc] + [p.span for p in all_places if p.country == cc]
            if sp:
                cscore[cc] = 0.45 - 0.1 * n
                cspans[cc] = sp
    f["country"] = rank([Candidate(cc, min(0.97, s), cspans[cc]) for cc, s in cscore.items()])
    cc = f["country"][0].value if f["country"] else None
    # -- dates ------------------------------------------------------------------------------------------
    own = g.all("dates")
    dc: list[tuple[DateExpr, float]] = [(d, d.score - 0.07 * n) for n, d in enumerate(own)]
    dc += [(d, d.score * 0.5) for d in all_dates if d not in own]
    starts, ends, precs = [], [], []
    best = max(dc, key=lambda x: x[1])[0] if dc else None
    for d, s in dc:
        # the end and precision of the best-dated expression go with its start
        bonus = 0.02 if d is best else 0.0
        starts.append(Candidate(d.start.isoformat(), s, [d.span]))
        ends.append(Candidate(d.end.isoformat(), s + bonus, [d.span]))
        precs.append(Candidate(d.precision, s + bonus, [d.span]))
        if d.precision == 2 and (d.end - d.start).days <= 1:
            precs.append(Candidate(1, s * 0.6, [d.span]))
        elif d.precision == 1 and d.end != d.start:
            precs.append(Candidate(2, s * 0.6, [d.span]))
    if not own:
        for back, s in ((0, 0.15), (1, 0.1)):
            day = date.fromordinal(published.toordinal() - back).isoformat()
            starts.append(Candidate(day, s, [anchor]))
            ends.append(Candidate(day, s, [anchor]))
        precs.append(Candidate(1, 0.15, [anchor]))
    f["date_start"], f["date_end"], f["time_precision"] = rank(starts), rank(ends), rank(precs)
    day = date.fromisoformat(f["date_start"][0].value) if f["date_start"] else published
    # -- actors -----------------------------------------------------------------------------------------
    mentions: list[ActorMention] = []
    for s in g.sentences:
        mentions += find_actors(text, lang, vocabulary, cc, day, s.span[0], s.span[1], toks=toks, demonyms=demonyms)
    trig = g.all("triggers")
    mentions += _forces_of_strikes(trig, g.all("countries"), vocabulary, cc, day, text)
    a1: dict[str, float] = {}
    a2: dict[str, float] = {}
    aspans: dict[str, list[Span]] = defaultdict(list)
    first_trigger_in = {s.index: (s.triggers[0].span[0] if s.triggers else None) for s in g.sentences}
    counted = g.all("counts")
    for n, m in enumerate(mentions):
        inter = _inter(vocabulary, m.name, cc)
        sent = next((s for s in g.sentences if _inside(m.span, s.span)), None)
        t0 = first_trigger_in.get(sent.index) if sent is not None else None
        before_trigger = t0 is not None and m.span[1] <= t0
        # written as the ones killed: "23 SDF soldiers were killed", "قتل جنديان من قوات النظام"
        killed = any((c.span[0] <= m.span[0] and m.span[1] <= c.outcome[0]) or
                     (c.outcome[1] <= c.span[0] <= m.span[0] <= c.span[1] + 40) for c in counted)
        victim = inter in (6, 7) or (killed and not m.attacker)
        s1 = 0.5 + (0.2 if m.agent else 0) + (0.1 if before_trigger else 0) + (0.05 if m.source == "alias" else 0) \
            - (0.3 if victim else 0) - 0.02 * n
        s2 = 0.45 + (0.15 if victim else 0) + (0.1 if (t0 is not None and not before_trigger) else 0) \
            - (0.2 if m.agent else 0) - 0.02 * n
        if m.source == "weak":  # "people": civilians only when nothing better is named (or they are the killed)
            s1, s2 = s1 - 0.1, s2 - (0.0 if killed else 0.15)
        if sent is not None and not sent.is_mention:  # background ("has killed thousands since 2009")
            s1, s2 = s1 - 0.1, s2 - 0.1
        a1[m.name] = max(a1.get(m.name, 0), s1) + 0.03
        a2[m.name] = max(a2.get(m.name, 0), s2) + 0.03
        aspans[m.name].append(m.span)
    # an explosion nobody is written as causing: ACLED's Unidentified Armed Group (a claim, "by X", wins)
    blasts = [t for t in trig if t.sub_event_type in (ev.IED, ev.SUICIDE, ev.GRENADE)]
    fighting = any(t.sub_event_type == ev.CLASH and t.weight >= 1.0 for t in trig)  # the bomb opened a battle
    strikes = any(t.sub_event_type in (ev.AIR, ev.SHELL) for t in trig)  # bombs from the air: the strike's
    if blasts and cc and not fighting and not strikes and not any(m.agent for m in mentions):
        from incidentkit.draft.actors import _resolve_word

        uag = _resolve_word(vocabulary, "generic:Unidentified Armed Group", cc, day)
        if uag and uag not in a1:
            a1[uag] = 0.55
            a2[uag] = 0.2
            aspans[uag] = [t.span for t in blasts]
    ranked1 = rank([Candidate(k, v, aspans[k]) for k, v in a1.items()])
    top1 = ranked1[0].value if ranked1 else None
    ranked2 = rank([Candidate(k, v if k != top1 else v - 0.5, aspans[k]) for k, v in a2.items()])
    ranked2 = [c for c in ranked2 if c.value != top1] + [c for c in ranked2 if c.value == top1]
    # -- event type --------------------------------------------------------------------------------------
    inter_of = lambda name: _inter(vocabulary, name, cc)  # noqa: E731
    i1 = inter_of(top1) if top1 else None
    i2 = inter_of(ranked2[0].value) if ranked2 and ranked2[0].value != top1 else None
    if i2 == 7:  # civilians targeted only when no armed actor is about as likely the other side
        armed = [c.score for c in ranked2[1:] if c.value != top1 and inter_of(c.value) in (1, 2, 3, 4, 8)]
        if armed and armed[0] >= ranked2[0].score - 0.1:
            i2 = inter_of(next(c.value for c in ranked2[1:] if c.value != top1 and inter_of(c.value) in (1, 2, 3, 4, 8)))
    types = ev.classify(trig, actor1_inter=i1, actor2_inter=i2)
    f["event_type"] = rank([Candidate(e, s, sp) for e, _sub, s, sp in types])
    f["sub_event_type"] = rank([Candidate(sub, s, sp) for _e, sub, s, sp in types])
    top_type = types[0][0] if types else None
    if top_type == "Protests":  # protesters act in a protest
        for c in ranked1:
            if inter_of(c.value) == 6:
                c.score = min(0.95, c.score + 0.5)
        ranked1 = rank(ranked1)
    f["actor1"] = ranked1
    top1 = ranked1[0].value if ranked1 else None
    battle = top_type == "Battles"  # a battle's other side is armed: civilians killed in it come after
    ranked2 = rank([Candidate(k, v + (0.15 if battle and inter_of(k) in (1, 2, 3, 4, 8) else 0.0), aspans[k])
                    for k, v in a2.items() if k != top1])
    f["actor2"] = ranked2 if len(ranked1) > 1 else []
    f["inter1"] = rank([Candidate(inter_of(c.value), c.score, c.spans) for c in f["actor1"]
                        if inter_of(c.value) is not None])
    f["inter2"] = rank([Candidate(inter_of(c.value), c.score, c.spans) for c in f["actor2"]
                        if inter_of(c.value) is not None])
    # -- places ---------------------------------------------------------------------------------------
    own_places = g.all("places")
    pl = [(p, 1.0) for p in own_places] + [(p, 0.5) for p in all_places if p not in own_places]
    mention_sents = {s.index for s in g.sentences if s.is_mention}
    locs, adm = [], []
    seen: dict[str, int] = defaultdict(int)
    for p, w in pl:
        if cc and p.country != cc:
            continue  # a place in another country is another incident's
        seen[p.name] += 1
        in_mention = any(_inside(p.span, s.span) for s in g.sentences if s.index in mention_sents)
        spec = 1.0 if p.kind in ("facility", "neighbourhood") else 0.9 if p.kind != "admin1" else 0.6
        if p.phrase in LOCATION_AREAS:  # "ريف إدلب": an area; a town the report names is better
            spec = min(spec, 0.7)
        s = w * (0.55 + 0.3 * p.score * spec + (0.05 if p.kind == "facility" else 0) + (0.05 if in_mention else 0) + 0.03 * min(seen[p.name] - 1, 3))
        locs.append(Candidate(p.name, s, [p.span]))
        if p.admin1:
            adm.append(Candidate(p.admin1, s, [p.span]))
    f["location"], f["admin1"] = rank(locs), rank(adm)
    # -- fatalities ----------------------------------------------------------------------------------------
    fc = []
    for n, c in enumerate(group_counts(g.all("counts"))):
        base = 0.8 if c.rule == "sum" else 0.6 if c.rule == "vague" else 0.7  # a number before "dozens"
        fc.append(Candidate(c.value, base - 0.05 * n, c.spans))
    fc.append(Candidate({"low": 0, "best": 0, "high": 0}, 0.5 if not fc else 0.1, [anchor]))
    f["fatalities"] = rank(fc)
    return DraftIncident(fields={k: f.get(k, []) for k in
                                 ("date_start", "date_end", "time_precision", "event_type", "sub_event_type",
                                  "actor1", "inter1", "actor2", "inter2", "country", "admin1", "location",
                                  "fatalities")})


#: Generic groups the vocabulary leaves without an actor type that a draft proposes as Civilians (7): ACLED
#: codes prisoners, refugees, journalists ... as civilians when they are the ones acted on.
CIVILIAN_GROUPS: tuple[str, ...] = ("Prisoners", "Refugees/IDPs", "Journalists", "Health Workers", "Women",
                                    "Students", "Teachers", "Farmers", "Labor Group", "Labour Group", "Children")


def _forces_of_strikes(trig: list, countries: list, vocabulary: Any, cc: str | None, day: date,
                       text: str) -> list[ActorMention]:
    """Air strikes and shelling named by nationality ("Russian air strikes", "غارات روسية", "frappes
    russes", "israeliska flyganfall"): that country's military forces, acting."""
    from incidentkit.draft.actors import _resolve_word

    out = []
    for t in trig:
        if t.sub_event_type not in (ev.AIR, ev.SHELL):
            continue
        for c in countries:
            gap = text[t.span[1]:c.span[0]] if c.span[0] >= t.span[1] else text[c.span[1]:t.span[0]]
            if len(gap) <= 3 and not gap.strip(" -"):
                name = _resolve_word(vocabulary, "state:Military Forces", c.country, day)
                if name:
                    out.append(ActorMention(name, 1 if c.country == cc else 8, c.span, agent=True, source="word"))
    return out


def _inter(vocabulary: Any, name: str, cc: str | None) -> int | None:
    info = vocabulary.lookup(name)
    if info is not None and info.inter is None and info.kind == "generic" and \
            name.split(" (")[0] in CIVILIAN_GROUPS:
        return 7
    if info is None or info.inter is None:
        return None
    if info.inter == 1 and cc and info.country and info.country != cc:
        return 8  # state forces abroad: External/Other forces
    return info.inter
