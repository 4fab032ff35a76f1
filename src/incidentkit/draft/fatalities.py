"""Death counts: a number (or a vague plural) tied to a word for dying, its qualifier read through the
codebook's table (:mod:`incidentkit.codebook.qualifiers`), the injured never counted.

A count goes with the nearest word about an outcome in its clause: after it ("23 soldiers were killed",
"minst 23 kurdiska soldater ... dödats") or, when none follows, before it ("killing 11 soldiers",
"مقتل 23 عنصرا"). When that word is about the injured ("10 wounded", "skadades", "blessés", "جرحى") the
count is dropped. Counts that share one outcome word ("23 soldiers and nearly 40 militants were killed")
are added part by part, as the codebook says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from incidentkit.codebook import qualifiers as Q
from incidentkit.draft.numbers import number_pattern, parse_number
from incidentkit.draft.text import _ARABIC_FOLD, arabic_flex, fold_same_length, no_tatweel

__all__ = ["Count", "find_counts", "group_counts"]

#: Counts from this size up are a conflict's toll, not an event's.
MAX_COUNT = 1000
_BIG = re.compile(r"\s*(?:million|millions|miljoner|miljon|milliers|thousand|thousands|tusen|ألف|آلاف|الاف|مليون)",
                  re.IGNORECASE)

#: How far (characters) a count may sit from its outcome word.
AFTER_WINDOW = 90
BEFORE_WINDOW = 40


@dataclass
class Count:
    value: dict[str, int]
    span: tuple[int, int]          # the qualifier and the number
    outcome: tuple[int, int]       # the word about dying
    rule: str
    spans: list[tuple[int, int]] = field(default_factory=list)


def _alts(words) -> str:
    ws = sorted({" ".join(w.translate(_ARABIC_FOLD).lower().split()) for w in words}, key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ws)


@lru_cache(maxsize=8)
def _patterns(lang: str) -> tuple[re.Pattern[str], re.Pattern[str], dict[str, str], dict[str, tuple[int, int, int]]]:
    quals = {" ".join(q.translate(_ARABIC_FOLD).lower().split()): rule for lg, q, rule, _ in Q.QUALIFIERS
             if lg == lang and q != "une"}
    vague = {" ".join(w.translate(_ARABIC_FOLD).lower().split()): (lo, be, hi)
             for lg, w, lo, be, hi, _ in Q.VAGUE_COUNTS if lg == lang}
    num = number_pattern(lang)
    clitic = r"(?:[وب]?)" if lang == "ar" else ""
    count = (r"(?<!\w)" + clitic + r"(?:(?P<qual>" + _alts(quals) + r")\s+)?(?:(?P<vague>" + _alts(vague) + r")|(?P<num>" + num
             + r"))(?!\w)(?:\s+(?P<qual2>" + _alts(q for q in quals if lang == "ar") + r"))?")
    if lang != "ar":
        count = count.replace(r"(?:\s+(?P<qual2>)", "(?:(?P<qual2>)")
    outcome_words = [w for lg, w in Q.KILLED_WORDS if lg == lang]
    injured_words = [w for lg, w in Q.INJURED_WORDS if lg == lang]
    pre = r"(?:[وفبل]{1,2})?(?:ال)?" if lang == "ar" else ""
    outcome = re.compile(arabic_flex(r"(?<!\w)" + pre + r"(?:(?P<killed>" + _alts(outcome_words) + r")|(?P<injured>"
                                     + _alts(injured_words) + r"))"), re.IGNORECASE)
    return re.compile(arabic_flex(count), re.IGNORECASE), outcome, quals, vague


def _bounded(text: str, a: int, b: int) -> bool:
    """No sentence or strong clause boundary between a and b."""
    return re.search(r"[.;!?؟:\n]", text[a:b]) is None


def find_counts(text: str, lang: str, start: int = 0, end: int | None = None) -> list[Count]:
    """Death counts in ``text[start:end]``, in text order (injured excluded)."""
    end = len(text) if end is None else end
    folded = fold_same_length(text)
    count_rx, outcome_rx, quals, vague = _patterns(lang)
    outcomes = [(m.span(), m.group("killed") is not None) for m in outcome_rx.finditer(folded, start, end)]
    out: list[Count] = []
    for m in count_rx.finditer(folded, start, end):
        a, b = m.span()
        if m.group("num") is not None:
            n = parse_number(m.group("num"), lang)
            if n is None or n >= MAX_COUNT:  # a war's toll ("more than 40,000 since 2009"), not an event's
                continue
            if _BIG.match(folded, b):  # "two million", "40 000 personnes": not a death count of one event
                continue
            if 1900 <= n <= 2100 and m.group("qual") is None:  # a year
                continue
            q = m.group("qual") or m.group("qual2")
            if q is None and lang == "ar":  # "23 عنصرا على الأقل": the qualifier after the noun
                tail = folded[b:b + 30]
                post = [k for k in quals if re.match(arabic_flex(r"\s+\S+\s+" + re.escape(k).replace(r"\ ", r"\s+") + r"(?!\w)"), tail)]
                q = post[0] if post else None
            rule = quals.get(" ".join(no_tatweel(q).split()), "exact") if q else "exact"
            value = Q.apply(rule, n)
            small_word = not m.group("num")[0].isdigit() and n <= 1
        else:
            lo, be, hi = vague[" ".join(no_tatweel(m.group("vague")).split())]
            value, rule, small_word = {"low": lo, "best": be, "high": hi}, "vague", False
        if _counts_events(text, lang, b):  # "dans deux attaques", "two air strikes": events, not deaths
            continue
        if _is_part_or_age(folded, lang, a, b):  # "including four children", "a 64-year-old man"
            continue
        after = [(s, k) for s, k in outcomes if s[0] >= b and s[0] - b <= (25 if small_word else AFTER_WINDOW)
                 and _bounded(folded, b, s[0])]
        before = [(s, k) for s, k in outcomes if s[1] <= a and a - s[1] <= BEFORE_WINDOW and _bounded(folded, s[1], a)]
        pick = None
        if after:
            pick = after[0]
            # "killing 5 and wounding 10": a killed word just before, an injured one far after
            if not pick[1] and before and before[-1][1] and not small_word and a - before[-1][0][1] < pick[0][0] - b:
                pick = before[-1]
        elif before and not small_word:
            pick = before[-1]
        if pick is None or not pick[1]:
            continue
        # an injured word between the count and its killed word: the count is of the injured
        lo_, hi_ = (b, pick[0][0]) if pick[0][0] >= b else (pick[0][1], a)
        if any(not k and lo_ <= s[0] < hi_ for s, k in outcomes):
            continue
        out.append(Count(value, (a, b), pick[0], rule, [(a, b), pick[0]]))
    return out


@lru_cache(maxsize=8)
def _part_and_age(lang: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    subset = _alts(w for lg, w in Q.SUBSET_WORDS if lg == lang)
    age = "|".join(p for lg, p in Q.AGE_AFTER if lg == lang)
    return (re.compile(arabic_flex(r"(?<!\w)(?:" + subset + r")[\s,:]*$"), re.IGNORECASE),
            re.compile(r"(?:" + age + r")", re.IGNORECASE))


def _is_part_or_age(folded: str, lang: str, a: int, b: int) -> bool:
    """Whether the count at ``[a, b)`` is part of the count before it (the codebook's
    :data:`~incidentkit.codebook.qualifiers.SUBSET_WORDS` right before it) or an age (:data:`AGE_AFTER`)."""
    subset, age = _part_and_age(lang)
    return subset.search(folded, max(0, a - 30), a) is not None or age.match(folded, b) is not None


def _counts_events(text: str, lang: str, b: int) -> bool:
    """Whether the word right after a number is an event word ("deux attaques", "three strikes")."""
    from incidentkit.draft.events import find_triggers

    tail = text[b:b + 30]
    m = re.match(r"\s+(?:\S+\s+)?", tail)  # the next word, or the one after an adjective
    if m is None:
        return False
    if lang == "ar" and tail.lstrip()[:1] == "ب":  # "طفلان بقذيفة": killed by a shell
        return False
    trig = find_triggers(tail, lang)
    return bool(trig) and trig[0].span[0] <= m.end() and trig[0].weight >= 0.6


def group_counts(counts: list[Count]) -> list[Count]:
    """Counts sharing one outcome word added up (a group), then each count alone; best first."""
    by_outcome: dict[tuple[int, int], list[Count]] = {}
    for c in counts:
        by_outcome.setdefault(c.outcome, []).append(c)
    out: list[Count] = []
    for outcome, cs in by_outcome.items():
        if len(cs) > 1:
            total = cs[0].value
            for c in cs[1:]:
                total = Q.add(total, c.value)
            out.append(Count(total, (cs[0].span[0], cs[-1].span[1]), outcome, "sum",
                             [s for c in cs for s in c.spans[:1]] + [outcome]))
    return out + counts
