"""The actor vocabulary: every name a coder may write, and checks that know the incident's country and date.

Why: a name that is merely *spelled* right can still corrupt a dataset, when it is another country's
actor ("Civilians (Syria)" in a Nigerian incident), a state period that does not cover the date (Iraq's
2020-2022 police in 2019) or an actor type the name contradicts (Civilians as State forces). And a "did
you mean" that proposes another country's actor is worse than none, because coders accept it. So every
suggestion is drawn from :meth:`Vocabulary.names_for` the incident's own country and date, and only then
ranked by similarity (rapidfuzz).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from rapidfuzz import fuzz, process, utils

from incidentkit.actors import grammar
from incidentkit.actors.data import (
    NamedGroup,
    StatePeriod,
    named_groups,
    periods_by_country,
    ucdp_government_names,
)
from incidentkit.actors.info import ActorInfo, Problem3, Verdict
from incidentkit.codebook.countries import country_code

__all__ = ["CODEBOOK_URL", "Vocabulary"]

CODEBOOK_URL = "https://acleddata.com/knowledge-base/codebook/"

NOT_IN_LIST = "actor-not-in-list"
OTHER_COUNTRY = "actor-other-country"
PERIOD = "actor-period"
INTER_MISMATCH = "actor-inter-mismatch"

#: Names longer than this get no suggestion (no actor name is; a pasted paragraph is not worth comparing).
_MAX_SUGGEST = 500

#: Extra similarity points for a suggestion built from the name's own shape (its period, country word, label).
_SHAPE_BONUS = 10.0

#: ACLED's "External/Other forces": how state forces acting outside their country are coded.
INTER_EXTERNAL = 8
_INTER_NAMES = {1: "State forces", 2: "Rebel group", 3: "Political militia", 4: "Identity militia", 5: "Rioters",
                6: "Protesters", 7: "Civilians", 8: "External/Other forces"}

# a state name whose period (or the " of ") was mistyped: "<base> (P)" followed by an optional unit
_LOOSE_STATE = re.compile(r"^(?P<base>.+?\(\s*\d{2,4}\s*-\s*(?:\d{2,4})?\s*\))(?: (?P<unit>\S.*))?$")
_NO_PERIOD = re.compile(r"^(?P<prefix>.+?) of (?P<country>.+?)$")


def _inter_text(inter: int | None) -> str:
    return f"{inter} ({_INTER_NAMES[inter]})" if inter in _INTER_NAMES else str(inter)


def _named_info(g: NamedGroup) -> ActorInfo:
    return ActorInfo(
        name=g.name, kind="named", inter=g.inter, country=g.countries[0] if g.countries else "",
        countries=g.countries, start=date(g.first_year, 1, 1) if g.first_year else None,
        end=date(g.last_year, 12, 31) if g.last_year else None, ucdp_name=g.ucdp_name, source=g.source,
        aliases=g.aliases, note=g.note)


def _seed_infos() -> list[ActorInfo]:
    from incidentkit.codebook.actors import ACTORS

    return [ActorInfo(name=a.name, kind="seed", inter=a.inter, country=a.country, ucdp_name=a.ucdp_name,
                      source="incidentkit.codebook.actors", note=a.note) for a in ACTORS]


class Vocabulary:
    """Every accepted actor name: ACLED's grammar for all countries, the embedded named groups, the
    original seed names, and the project's own list (which wins when it names the same actor)."""

    def __init__(self, project: Iterable[ActorInfo] = ()) -> None:
        self._listed: dict[str, ActorInfo] = {}
        for info in _seed_infos():
            self._listed[info.name] = info
        for g in named_groups():
            self._listed[g.name] = _named_info(g)
        for info in project:
            self._listed[info.name] = info
        # aliases (case-folded) -> listed names; a listed name is its own alias
        self._aliases: dict[str, list[str]] = {}
        for info in self._listed.values():
            for alias in (info.name, *info.aliases):
                targets = self._aliases.setdefault(alias.casefold(), [])
                if info.name not in targets:
                    targets.append(info.name)
        self._lookup = lru_cache(maxsize=65536)(self._lookup_uncached)
        self._names_for = lru_cache(maxsize=4096)(self._names_for_uncached)

    # --- what a name is --------------------------------------------------------------------------------

    def lookup(self, name: str) -> ActorInfo | None:
        """What ``name`` is, when it is accepted exactly as written (ACLED's spelling); else None."""
        if not isinstance(name, str) or not name:
            return None
        return self._lookup(name)

    def _lookup_uncached(self, name: str) -> ActorInfo | None:
        listed = self._listed.get(name)
        if listed is not None and listed.kind in ("project", "named"):
            return listed
        return self._grammar(name) or listed

    def _grammar(self, name: str) -> ActorInfo | None:
        st = grammar.parse_state(name)
        if st is not None:
            cc = grammar.country_of_word(st.country)
            periods = periods_by_country().get(cc or "", ())
            for p in periods:
                if p.period == st.period and p.acled_country == st.country:
                    return self._state_info(st.prefix, p, st.unit)
            # the label a period had while it was the current one ("2014-" for what is now "2014-2021"):
            # exports made then still hold it
            for p in periods:
                if (p.end is not None and st.period == f"{p.start.year}-" and p.acled_country == st.country
                        and p.period.startswith(st.period)):
                    info = self._state_info(st.prefix, p, st.unit)
                    return ActorInfo(**{**info.__dict__, "name": name,
                                        "note": f"{info.note} (label while current: {p.period} since)"})
            return None
        if name in grammar.COUNTRYLESS:
            return ActorInfo(name=name, kind="generic", inter=grammar.COUNTRYLESS[name], source=CODEBOOK_URL)
        if " and/or " in name:
            return self._either(name)
        if name.endswith(" Militia") and name[:-8] in self._listed:
            # a party's or group's armed wing: "BNP: Bangladesh Nationalist Party Militia" (political militia)
            base = self._listed[name[:-8]]
            return ActorInfo(name=name, kind="named", inter=3, country=base.country, countries=base.countries,
                             start=base.start, end=base.end, source=base.source,
                             note=f"militia of {base.name} (ACLED: '<party> Militia')")
        legacy = grammar.parse_periodless(name)
        if legacy is not None:
            prefix, cc = legacy
            return ActorInfo(name=name, kind="state", inter=grammar.STATE_PREFIXES[prefix], country=cc,
                             ucdp_name=ucdp_government_names().get(cc) or f"Government of {grammar.acled_country_name(cc)}",
                             source=CODEBOOK_URL, note="older ACLED form without the period")
        gen = grammar.parse_generic(name)
        if gen is None:
            return None
        cc = "" if gen.country == grammar.INTERNATIONAL else grammar.country_of_word(gen.country, generic=True)
        if cc is None:
            return None
        if gen.label in grammar.GENERIC_LABELS:
            inter = grammar.GENERIC_LABELS[gen.label]
        else:
            suffix = grammar.identity_suffix(gen.label)
            if suffix is None:
                return None
            inter = grammar.IDENTITY_SUFFIXES[suffix]
        return ActorInfo(name=name, kind="generic", inter=inter, country=cc,
                         ucdp_name="IS" if gen.label == "Islamic State" else "", source=CODEBOOK_URL)

    def _either(self, name: str) -> ActorInfo | None:
        """ACLED's "X and/or Y" (the source could not tell which of two actors it was): known when every
        part is; the type and country are the parts' when they agree."""
        parts = [self.lookup(p.strip()) for p in name.split(" and/or ")]
        if not parts or any(p is None for p in parts):
            return None
        known = [p for p in parts if p is not None]
        inters = {p.inter for p in known}
        ccs = {p.country for p in known}
        countries = tuple(dict.fromkeys(c for p in known for c in (p.countries or ((p.country,) if p.country else ()))))
        kind = "generic" if all(p.kind in ("generic", "state") for p in known) else "named"
        return ActorInfo(name=name, kind=kind, inter=inters.pop() if len(inters) == 1 else None,
                         country=ccs.pop() if len(ccs) == 1 else "",
                         countries=countries if kind == "named" else (), source=CODEBOOK_URL,
                         note="ACLED 'X and/or Y': one of these actors")

    @staticmethod
    def _state_info(prefix: str, p: StatePeriod, unit: str = "") -> ActorInfo:
        return ActorInfo(
            name=grammar.state_name(prefix, p.acled_country, p.period, unit), kind="state",
            inter=grammar.STATE_PREFIXES[prefix], country=p.country, start=p.start, end=p.end,
            ucdp_name=ucdp_government_names().get(p.country) or f"Government of {grammar.acled_country_name(p.country)}",
            source=p.source, unit=unit, note=p.government)

    def ucdp_side(self, name: str) -> str:
        """The side name UCDP GED writes for ``name``: "Government of Somalia" for any state actor of
        Somalia (any period, any unit), the UCDP name of a listed group; else ``name`` itself."""
        info = self.lookup(name)
        if info is not None and info.ucdp_name:
            return info.ucdp_name
        st = grammar.parse_state(name) if isinstance(name, str) else None
        if st is not None and st.prefix in ("Military Forces", "Police Forces", "Government"):
            cc = grammar.country_of_word(st.country, strict=False)
            if cc:
                return ucdp_government_names().get(cc) or f"Government of {grammar.acled_country_name(cc)}"
        return name

    # --- names of one country and date ------------------------------------------------------------------

    def periods(self, country: str) -> tuple[StatePeriod, ...]:
        """The state periods of ``country`` (a code or a name), oldest first."""
        return periods_by_country().get(_code(country) or "", ())

    def period_on(self, country: str, day: date) -> StatePeriod | None:
        """The state period of ``country`` that covers ``day``."""
        for p in self.periods(country):
            if p.covers(day):
                return p
        return None

    def names_for(self, country: str, date: date | None = None) -> list[str]:
        """Every accepted name for ``country`` on ``date``: its state actors of the period covering the
        date (every period without a date), its generic actors, the named groups and project actors
        active there. Identity actors ("<Group> Ethnic Militia (X)") are a grammar and not enumerated."""
        cc = _code(country)
        if cc is None:
            return []
        return list(self._names_for(cc, date))

    def _names_for_uncached(self, cc: str, day: date | None) -> tuple[str, ...]:
        out: list[str] = []
        periods = self.periods(cc)
        chosen = [p for p in periods if day is None or p.covers(day)]
        for p in reversed(chosen):
            for prefix in grammar.STATE_PREFIXES:
                out.append(grammar.state_name(prefix, p.acled_country, p.period))
        word = grammar.acled_country_name(cc)
        out.extend(f"{label} ({word})" for label in grammar.GENERIC_LABELS)
        out.extend(grammar.COUNTRYLESS)
        seen = set(out)
        for info in self._listed.values():
            # seed state names carry no dates (one is a stale period label): accepted, never suggested
            if info.kind == "seed" and grammar.parse_state(info.name) is not None:
                continue
            if info.name not in seen and info.active_in(cc) and (day is None or info.active_on(day)):
                out.append(info.name)
                seen.add(info.name)
        return tuple(out)

    def valid_for(self, name: str, country: str | None, day: date | None) -> bool:
        """True when ``name`` may be suggested for an incident in ``country`` on ``day``."""
        info = self.lookup(name)
        if info is None:
            return False
        cc = _code(country) if country else None
        if cc is not None and not info.active_in(cc):
            return False
        return day is None or info.active_on(day)

    # --- checks ----------------------------------------------------------------------------------------

    def check(self, name: str, country: str | None = None, date: date | None = None,
              inter: int | None = None) -> Verdict:
        """Check one actor value of one incident (its country, date and the inter code given to it).

        Problems (code, severity, message): ``actor-not-in-list`` (warning), ``actor-other-country``
        (warning: a generic actor naming another country, a named group listed elsewhere), ``actor-period``
        (error), ``actor-inter-mismatch`` (error for state and generic names, warning for named groups).
        Suggestions are names valid for ``country`` and ``date`` only, best first.
        """
        cc = _code(country) if country else None
        info = self.lookup(name)
        if info is None:
            sugg = self.suggest(name, cc, date)
            hint = f"; did you mean {sugg[0]!r}?" if sugg else ""
            return Verdict(False, None, [(NOT_IN_LIST, "warning",
                                          f"{name!r} is not in the actor list{hint}")], sugg)
        problems: list[Problem3] = []
        suggestions: list[str] = []
        abroad = bool(cc and info.country and info.kind in ("state", "generic") and info.country != cc)
        if abroad and cc and info.kind == "generic":
            fixed = self._generic_for(name, cc)
            # a warning, not an error: ACLED itself codes foreign nationals so ("Civilians (Somalia)" in
            # Kenya, "Refugees/IDPs (Sudan)" in Chad); the coder confirms or takes the suggestion
            problems.append((OTHER_COUNTRY, "warning",
                             f"{name!r} is an actor of {info.country}, not of the incident's country {cc}"
                             + (f"; did you mean {fixed!r}?" if fixed else "")))
            if fixed:
                suggestions.append(fixed)
        elif cc and info.kind in ("named", "project", "seed") and (info.countries or info.country) \
                and not info.active_in(cc):
            where = " ".join(info.countries) or info.country
            problems.append((OTHER_COUNTRY, "warning",
                             f"{name!r} is listed as active in {where}, not in the incident's country {cc}"))
        if info.kind == "state" and info.start is None and date is not None and info.country:
            right = self._state_for(name + " (0000-)", info.country, date) if (cc is None or cc == info.country) else None
            problems.append((PERIOD, "warning",
                             f"{name!r} has no period; ACLED names state actors by regime"
                             + (f": {right!r} on {date.isoformat()}" if right else "")))
            if right:
                suggestions.append(right)
        elif info.kind == "state" and date is not None and not info.active_on(date):
            right = self._state_for(name, info.country, date)
            problems.append((PERIOD, "error",
                             f"{name!r} is the period {info.start}..{info.end or ''}, which does not cover "
                             f"{date.isoformat()}" + (f"; did you mean {right!r}?" if right else "")))
            if right and (cc is None or cc == info.country):
                suggestions.append(right)
        if inter is not None:
            problems.extend(self._inter_problems(info, inter, abroad))
        return Verdict(True, info, problems, suggestions)

    def _inter_problems(self, info: ActorInfo, inter: int, abroad: bool) -> list[Problem3]:
        if info.kind == "state":
            expected = info.inter
            if expected is None:
                return []
            if abroad:
                if inter == INTER_EXTERNAL:
                    return []
                return [(INTER_MISMATCH, "error",
                         (f"{info.name!r} acts outside its country here: ACLED codes foreign state forces as "
                          f"{_inter_text(INTER_EXTERNAL)}, not {_inter_text(inter)}"))]
            if inter != expected:
                return [(INTER_MISMATCH, "error",
                         f"{info.name!r} is {_inter_text(expected)} in its own country, not {_inter_text(inter)}")]
            return []
        if info.inter is None or inter == info.inter:
            return []
        if info.kind == "generic":
            return [(INTER_MISMATCH, "error", f"{info.name!r} is {_inter_text(info.inter)}, not {_inter_text(inter)}")]
        return [(INTER_MISMATCH, "warning",
                 f"{info.name!r} is listed as {_inter_text(info.inter)}, coded here as {_inter_text(inter)}")]

    # --- suggestions -----------------------------------------------------------------------------------

    def _state_for(self, name: str, cc: str, day: date | None) -> str | None:
        """The same state actor (prefix and unit) in the period of ``cc`` covering ``day``."""
        st = grammar.parse_state(name)
        prefix, unit = (st.prefix, st.unit) if st else ("Military Forces", "")
        p = self.period_on(cc, day) if day else (self.periods(cc)[-1] if self.periods(cc) else None)
        return grammar.state_name(prefix, p.acled_country, p.period, unit) if p else None

    def _generic_for(self, name: str, cc: str) -> str | None:
        gen = grammar.parse_generic(name)
        word = grammar.acled_country_name(cc)
        if gen is None or not word:
            return None
        fixed = f"{gen.label} ({word})"
        return fixed if self.lookup(fixed) else None

    def suggest(self, name: str, country: str | None = None, date: date | None = None,
                limit: int = 5) -> list[str]:
        """Names the coder may have meant, best first, drawn only from names valid for ``country`` on
        ``date`` (every country when ``country`` is None): the same state actor in the right period, the
        same generic label with the incident's country, an alias's name, then the closest names."""
        if not isinstance(name, str) or not name.strip() or len(name) > _MAX_SUGGEST:
            return []
        cc = _code(country) if country else None
        if country and cc is None:
            return []
        text = name.strip()
        # every candidate scored by its similarity to what was written; corrections read from the name's
        # shape get a bonus (they keep what the coder got right), an exact alias wins outright
        scores: dict[str, float] = {}
        query = utils.default_process(text)
        for s in self._structured(text, cc, date):
            scores[s] = max(scores.get(s, 0.0), fuzz.ratio(query, utils.default_process(s)) + _SHAPE_BONUS)
        for s in self._aliases.get(text.casefold(), ()):
            scores[s] = 1000.0
        for rank, s in enumerate(self._fuzzy(text, cc, date, limit * 3)):
            scores[s] = max(scores.get(s, 0.0), fuzz.ratio(query, utils.default_process(s)) - rank * 1e-3)
        ranked = sorted(scores, key=lambda s: -scores[s])
        out: list[str] = []
        for s in ranked:
            if s not in out and s != name and self.valid_for(s, cc, date):
                out.append(s)
            if len(out) >= limit:
                break
        return out

    def _structured(self, name: str, cc: str | None, day: date | None) -> list[str]:
        """Corrections read from the name's own shape (state prefix/period/unit, generic label/country)."""
        out: list[str] = []
        m = _LOOSE_STATE.match(name)
        base, unit = (m["base"], m["unit"] or "") if m else (name, "")
        pm = _NO_PERIOD.match(re.sub(r"\s*\([^()]*\)\s*$", "", base))
        if pm:
            prefix = _closest(pm["prefix"], grammar.STATE_PREFIXES, 80)
            word_cc = _country_of(pm["country"])
            if prefix and word_cc and (cc is None or word_cc == cc):
                periods = self.periods(word_cc)
                chosen = [p for p in periods if day is None or p.covers(day)]
                for p in reversed(chosen):
                    out.append(grammar.state_name(prefix, p.acled_country, p.period, unit))
        elif m and unit:
            # the base is mistyped beyond reading ("Police Forces fo Ethiopia (2018-)"): its closest state
            # name of the country and date, with the unit kept
            states = [n for n in (self._names_for(cc, day) if cc else ()) if grammar.parse_state(n)]
            best = _closest(base, states, 80)
            if best:
                out.append(f"{best} {unit}")
        gen = grammar.parse_generic(name)
        if gen is not None:
            label = gen.label if gen.label in grammar.GENERIC_LABELS else _closest(gen.label, grammar.GENERIC_LABELS, 85)
            if label is None:
                label = _fix_identity(gen.label)
            if label and _closest(gen.country, [grammar.INTERNATIONAL], 85):
                out.append(f"{label} ({grammar.INTERNATIONAL})")
            word_cc = cc or _country_of(gen.country)
            if label and word_cc:
                out.append(f"{label} ({grammar.acled_country_name(word_cc)})")
        return out

    def _fuzzy(self, name: str, cc: str | None, day: date | None, limit: int) -> list[str]:
        choices = self._choices(cc, day)
        found = process.extract(name, list(choices), scorer=fuzz.ratio, processor=utils.default_process,
                                limit=limit, score_cutoff=60)
        out: list[str] = []
        for text, _score, _ in found:
            for target in choices[text]:
                if target not in out:
                    out.append(target)
        return out

    @lru_cache(maxsize=4096)  # noqa: B019 - one vocabulary per project file, kept for the process
    def _choices(self, cc: str | None, day: date | None) -> dict[str, tuple[str, ...]]:
        """Candidate texts (names and aliases) -> the names they stand for, valid for ``cc`` on ``day``."""
        names = self._names_for(cc, day) if cc else self._all_names(day)
        out: dict[str, list[str]] = {n: [n] for n in names}
        valid = set(names)
        for alias, targets in self._aliases.items():
            ok = [t for t in targets if t in valid]
            if ok:
                out.setdefault(alias, [])
                out[alias].extend(t for t in ok if t not in out[alias])
        return {k: tuple(v) for k, v in out.items()}

    def _all_names(self, day: date | None) -> tuple[str, ...]:
        out: list[str] = []
        for cc in grammar.acled_country_names():
            out.extend(self._names_for(cc, day))
        return tuple(dict.fromkeys(out))

    def search(self, query: str, country: str | None = None, date: date | None = None,
               limit: int = 20) -> list[ActorInfo]:
        """Names matching ``query`` by substring (of the name or an alias, in any language: "Daesh",
        "داعش", "Taleban"), then by similarity; only names valid for ``country``/``date`` when given."""
        q = query.strip().casefold() if isinstance(query, str) else ""
        if not q:
            return []
        cc = _code(country) if country else None
        if country and cc is None:
            return []
        choices = self._choices(cc, date)
        hits: list[str] = []
        exact = [t for text, targets in choices.items() if text.casefold() == q for t in targets]
        sub = [t for text, targets in choices.items() if q in text.casefold() for t in targets]
        for t in exact + sorted(sub, key=lambda t: (len(t), t)):
            if t not in hits:
                hits.append(t)
        # the per-country names of a listed name's grammar form ("Islamic State" -> "Islamic State (Syria)")
        if cc:
            word = grammar.acled_country_name(cc)
            for t in list(hits):
                if grammar.parse_state(t) is not None:  # state names carry their country already
                    continue
                per_country = f"{t} ({word})"
                if per_country not in hits and self.lookup(per_country):
                    hits.insert(hits.index(t) + 1, per_country)
        if len(hits) < limit:
            for t in self._fuzzy(query.strip(), cc, date, limit):
                if t not in hits:
                    hits.append(t)
        infos = [self.lookup(t) for t in hits]
        return [i for i in infos if i is not None][:limit]


def _code(country: str | None) -> str | None:
    if not country:
        return None
    return country.upper() if grammar.acled_country_name(country.upper()) else country_code(country)


def _country_of(word: str) -> str | None:
    """The country a possibly mistyped "(X)" word names: exact, any known spelling, then the closest."""
    cc = grammar.country_of_word(word, strict=False)
    if cc:
        return cc
    names = grammar.acled_country_names()
    best = process.extractOne(word, {k: v for k, v in names.items()}, scorer=fuzz.ratio,
                              processor=utils.default_process, score_cutoff=80)
    return best[2] if best else None


def _closest(text: str, options: Iterable[str], cutoff: float) -> str | None:
    best = process.extractOne(text, list(options), scorer=fuzz.ratio, processor=utils.default_process,
                              score_cutoff=cutoff)
    return best[0] if best else None


def _fix_identity(label: str) -> str | None:
    """"Fulani Ethnic Milita" -> "Fulani Ethnic Militia": the group word(s) kept, the suffix corrected."""
    words = label.split()
    for n in (2, 1):
        if len(words) > n:
            fixed = _closest(" ".join(words[-n:]), grammar.IDENTITY_SUFFIXES, 80)
            if fixed:
                return " ".join(words[:-n] + [fixed])
    return None
