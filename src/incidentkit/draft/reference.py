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
    from incidentkit.draft import actors, dates, events, numbers, places, segment
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
    md += ["## Several incidents in one report", ""]
    md += _table(["rule", "a mention starts another incident when"], [[f"`{n}`", t] for n, t in segment.SPLIT_RULES])
    return "\n".join(md)
