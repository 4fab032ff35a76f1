"""The draft's rules as Markdown, written from the tables themselves (``docs/reference/draft-rules.md``
shows this through a ``docs/hooks.py`` marker), so the page lists exactly what the installed draft reads."""

from __future__ import annotations

from incidentkit.codebook import qualifiers as Q

__all__ = ["draft_rules_markdown"]

_LANG = {"en": "English", "sv": "Swedish", "fr": "French", "ar": "Arabic", "*": "any"}


def _cell(s: object) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def _code(s: str) -> str:
    return f"``{s}``" if "`" not in s else s


def _table(head: list[str], rows: list[list[object]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(_cell(c) for c in r) + " |" for r in rows]
    return out + [""]


def draft_rules_markdown() -> str:
    """Every table the draft reads: dates, trigger words and ACLED rules, qualifiers, vague counts,
    injured words, role words, place words, segmentation rules."""
    from incidentkit.draft import actors, dates, events, fatalities, numbers, places, propose, segment
    from incidentkit.draft.propose import CIVILIAN_GROUPS

    md: list[str] = []
    md += ["## Dates", "",
           "Rules are tried in this order; where two match overlapping text the earlier row wins. `{WD}` is a "
           "weekday, `{MONTH}` a month name, `{DAY}`/`{YEAR}` digits (tables below). Kinds: `weekday` the last "
           "such day on or before publication, `weekday-last` the same but never the publication day, "
           "`since-weekday` a range from that day to publication, `night-to`/`night-of` a night across two "
           "dates (precision 2), `offset:S:E:P` publication day + S to + E days at precision P, `date` an "
           "absolute date (the latest one not after publication when the year is not written), `month` "
           "precision 3, `dateparser` resolved by dateparser.", ""]
    md += _table(["language", "kind", "pattern", "example"],
                 [[_LANG[lg], f"`{k}`", _code(p), ex] for lg, k, p, ex in dates.DATE_RULES])
    md += ["Weekday and month names:", ""]
    md += _table(["language", "weekdays (Monday first)", "months"],
                 [[_LANG[lg], ", ".join("/".join(w) for w in dates.WEEKDAYS[lg]),
                   ", ".join("/".join(m) for m in dates.MONTHS[lg])] for lg in ("en", "sv", "fr", "ar")])
    md += ["## Event and sub-event types", "",
           "Trigger words are matched at the start of a word (a stem matches its inflections; Arabic admits a "
           "glued clitic and the article). Weights add up per sub-event type over the incident's sentences, "
           "then ACLED's rules below are applied in order.", ""]
    md += _table(["language", "pattern", "event type", "sub-event type", "weight", "example"],
                 [[_LANG[lg], _code(p), ev, sub, w, ex] for lg, p, ev, sub, w, ex in events.TRIGGERS])
    md += ["ACLED's rules:", ""]
    md += _table(["rule", "what it does"], [[f"`{n}`", t] for n, t in events.RULES])
    md += ["## Fatalities", "",
           "The qualifier table lives in the codebook (`incidentkit.codebook.qualifiers`): it is the "
           "project's coding convention, for coders and drafts alike.", "",
           (Q.__doc__ or "").split("\n\n", 1)[1].strip() if Q.__doc__ else "", ""]
    md += _table(["rule", "meaning"], [[f"`{k}`", v[0]] for k, v in Q.RULES.items()])
    md += _table(["language", "qualifier", "rule", "example"],
                 [[_LANG[lg], q, f"`{r}`", ex] for lg, q, r, ex in Q.QUALIFIERS])
    md += ["Counts written as a vague plural:", ""]
    md += _table(["language", "words", "low", "best", "high", "example"],
                 [[_LANG[lg], w, lo, be, hi, ex] for lg, w, lo, be, hi, ex in Q.VAGUE_COUNTS])
    md += ["Words that tie a count to deaths, and words for the injured (a count tied to one of these is "
           "never counted):", ""]
    md += _table(["language", "killed", "injured"],
                 [[_LANG[lg], ", ".join(w for l2, w in Q.KILLED_WORDS if l2 == lg),
                   ", ".join(w for l2, w in Q.INJURED_WORDS if l2 == lg)] for lg in ("en", "sv", "fr", "ar")])
    md += ["Words that make a count part of the one before it (neither added nor counted alone), and what "
           "after a number makes it an age:", ""]
    md += _table(["language", "part of the count before", "age after the number (regular expression)"],
                 [[_LANG[lg], ", ".join(w for l2, w in Q.SUBSET_WORDS if l2 == lg),
                   " or ".join(f"`{p}`" for l2, p in Q.AGE_AFTER if l2 == lg)] for lg in ("en", "sv", "fr", "ar")])
    md += ["Number words read as counts:", ""]
    md += _table(["language", "words"],
                 [[_LANG[lg], ", ".join(f"{w} ({v})" for l2, w, v in numbers.NUMBER_WORDS if l2 == lg)]
                  for lg in ("en", "sv", "fr", "ar")])
    md += ["## Actors", "",
           "Every alias of every actor the vocabulary accepts for the incident's country and date is matched "
           "(see the [actor vocabulary](actors.md)); these role words add the state and generic actors. "
           "`state:` is the country's state actor of the period covering the date, `generic:` its generic "
           "actor, `alias:` what the vocabulary finds for the text. Generic groups without an actor type "
           f"({', '.join(CIVILIAN_GROUPS)}) are proposed as Civilians (7).", ""]
    md += _table(["language", "pattern", "actor", "example"],
                 [[_LANG[lg], _code(p), f"`{t}`", ex] for lg, p, t, ex in actors.ACTOR_WORDS])
    md += ["Written as the one acting (actor1 first): "
           + "; ".join(f"{_LANG[lg]} `{p}`" for lg, p in actors.AGENT_CUES.items()) + ".", ""]
    md += ["## Places", "",
           "Names go through the geocoder and its [place phrases](place-phrases.md). Swedish compounds and "
           "definite forms, and facility words:", ""]
    md += _table(["language", "ending", "read as", "example"],
                 [[_LANG[lg], suf, f"NAME {head}", ex] for lg, suf, head, ex in places.COMPOUND_HEADS])
    md += _table(["language", "facility word", "read as", "example"],
                 [[_LANG[lg], w, f"NAME {head}", ex] for lg, w, head, ex in places.FACILITY_WORDS])
    md += ["Nationality adjectives that name a country:", ""]
    by: dict[str, list[str]] = {}
    for lg, stem, cc in places.DEMONYMS:
        by.setdefault(cc, []).append(f"{stem} ({lg})")
    md += _table(["country", "adjective stems"], [[cc, ", ".join(v)] for cc, v in by.items()])
    md += ["Arabic names are looked up after these cue words (a name with a glued clitic, \"بالحسكة\", is "
           "tried without it first); the words after the province cues are looked up as a province phrase; "
           "the common nouns listed last are never looked up:", ""]
    md += _table(["cues", "province cues", "two-word cues", "never places"],
                 [[" ".join(sorted(places.ARABIC_CUES)), " ".join(sorted(places.ARABIC_PROVINCE_CUES)),
                   "; ".join(" ".join(p) for p in sorted(places.ARABIC_CUE_PAIRS)),
                   " ".join(sorted(places.ARABIC_NOT_PLACES))]])
    md += [f"Words after a name that make it an administrative unit, looked up with it: "
           f"{', '.join(places.UNIT_WORDS)}.", ""]
    md += ["## Reading the text", "",
           "* **Datelines** (\"GOMA, Democratic Republic of Congo, June 10 (Reuters) -\", \"الخرطوم -\") say "
           "where and when the report was filed: their dates, places and numbers are not read.",
           "* **Statement dates**: a date right after a reporting verb (\"said on Monday\") tells when something "
           "was said; its score is 0.4 of its kind's. Patterns: "
           + "; ".join(f"{_LANG[lg]} `{p}`" for lg, p in propose._SAID.items()) + ".",
           "* **Negation**: a trigger word right after a negation is not an event (\"No arrests were made\"). "
           "Patterns: " + "; ".join(f"{_LANG[lg]} `{p}`" for lg, p in events.NEGATIONS.items()) + ".",
           "* **People are not places**: a capitalised name after a title or reporting verb, before a reporting "
           "verb, or with an apposition (\", a militia leader\") is a person's; none of its words is looked up "
           "as a place anywhere in the report.",
           f"* **A conflict's toll is no event's count**: counts of {fatalities.MAX_COUNT:,} and more, and counts "
           "followed by \"million\"/\"thousand\" words, are not read.",
           "* **Headlines and background**: a first line without a full stop sums up the lead and joins its "
           "incident; a sentence whose only trigger words are weak (\"the attack\", \"attackers\") and that "
           "names no place, country, day or count refers back to an incident already mentioned.",
           "* **Attackers written as such stay actor1** when they are the ones killed: "
           + "; ".join(f"{_LANG[lg]} `{p}`" for lg, p in actors.AGENT_AFTER.items()) + ".",
           "* **Nationality of strikes**: air strikes and shelling written with a nationality (\"Russian air "
           "strikes\", \"غارات روسية\", \"ryskt robotanfall\") are that country's military forces, acting "
           "(External/Other forces, 8, outside their country).",
           "* **Claims of responsibility** (\"claimed responsibility\", \"har tagit på sig\", \"a revendiqué\", "
           "\"تبنى\") name the attacker of an incident already told: the sentence starts no incident, and the "
           "group it names is actor1.",
           "* **Unclaimed explosions**: an explosion with no fighting and nobody written as causing it proposes "
           "the country's Unidentified Armed Group as actor1.",
           f"* **Limits**: an article is read up to {propose.MAX_SENTENCES} sentences and "
           f"{propose.MAX_CHARS:,} characters (a long news report is 20,000), so a draft stays fast whatever the "
           "input.", ""]
    md += ["## Several incidents in one report", ""]
    md += _table(["rule", "a mention starts another incident when"], [[f"`{n}`", t] for n, t in segment.SPLIT_RULES])
    return "\n".join(md)
