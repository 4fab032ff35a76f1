"""How a reported death count and its qualifier become fatalities ``{low, best, high}``.

The project's convention, one table for every language, so that a draft, a coder and the docs agree
(``docs/reference/draft-rules.md`` lists it). It follows the seed record's coding of "minst 23 ...
närmare 40" (low 58 = 23 + 35, best 62 = 23 + 39, high 63 = 23 + 40):

* ``low`` is the conservative figure, the one ACLED's ``fatalities`` takes (the ACLED export uses it);
* ``best`` is UCDP GED's best estimate; ``high`` its upper bound, never more than the report allows;
* a bound the report does not give is not invented: "at least N" is N everywhere (N is all the report
  supports), "more than N" is N + 1 everywhere;
* "nearly N" (close to, below N): low = N * 7/8 rounded down, best = N - 1, high = N;
* "about N" is N everywhere (ACLED and UCDP code the stated figure);
* "up to N" (an upper bound): low = N / 2 rounded up, best = high = N;
* a plural without a number follows ACLED's rule for vague counts: "dozens" low 12 (ACLED codes 12),
  best 24, high 36; "hundreds" low 100, best 200, high 300; "a dozen / une dizaine / ett tiotal" is
  "about 10" or 12;
* counts of different groups in one statement ("23 soldiers and nearly 40 militants were killed") are
  added part by part;
* the injured are never counted (wounded, skadade, blessés, جرحى): :data:`INJURED_WORDS`;
* a count that is part of the one before it ("11 civilians, including four children", "varav elva
  barn", "dont cinq enfants", "بينهم طفلان") is neither added nor counted alone: :data:`SUBSET_WORDS`;
  nor is an age ("a 64-year-old man", "64-årig", "64 ans", "64 عاما"): :data:`AGE_AFTER`.
"""

from __future__ import annotations

import math
from types import MappingProxyType
from typing import Mapping

__all__ = ["AGE_AFTER", "INJURED_WORDS", "KILLED_WORDS", "QUALIFIERS", "RULES", "SUBSET_WORDS", "VAGUE_COUNTS",
           "apply"]

#: rule -> (what it means, low(N), best(N), high(N)).
RULES: Mapping[str, tuple[str, object, object, object]] = MappingProxyType({
    "exact": ("the stated figure", lambda n: n, lambda n: n, lambda n: n),
    "at-least": ("a lower bound only: N everywhere", lambda n: n, lambda n: n, lambda n: n),
    "more-than": ("above N: N + 1 everywhere", lambda n: n + 1, lambda n: n + 1, lambda n: n + 1),
    "nearly": ("close to and below N: low N*7/8 (down), best N-1, high N",
               lambda n: (n * 7) // 8, lambda n: max(n - 1, (n * 7) // 8), lambda n: n),
    "about": ("about N: N everywhere", lambda n: n, lambda n: n, lambda n: n),
    "up-to": ("at most N: low N/2 (up), best N, high N", lambda n: math.ceil(n / 2), lambda n: n, lambda n: n),
})

#: (language, qualifier as written before the count, rule, example). Matched case-insensitively.
QUALIFIERS: tuple[tuple[str, str, str, str], ...] = (
    ("en", "at least", "at-least", "at least 23 soldiers were killed"),
    ("en", "no fewer than", "at-least", "no fewer than 12 people died"),
    ("en", "nearly", "nearly", "nearly 40 militants were killed"),
    ("en", "almost", "nearly", "almost 40 dead"),
    ("en", "close to", "nearly", "close to 40 killed"),
    ("en", "more than", "more-than", "more than 30 people were killed"),
    ("en", "over", "more-than", "over 30 killed"),
    ("en", "up to", "up-to", "up to 30 people may have died"),
    ("en", "about", "about", "about 20 killed"),
    ("en", "around", "about", "around 20 killed"),
    ("en", "some", "about", "some 20 people were killed"),
    ("en", "approximately", "about", "approximately 20 dead"),
    ("sv", "minst", "at-least", "minst 23 kurdiska soldater dödades"),
    ("sv", "åtminstone", "at-least", "åtminstone tio dödades"),
    ("sv", "närmare", "nearly", "närmare 40 IS-medlemmar dödats"),
    ("sv", "nästan", "nearly", "nästan 40 dödade"),
    ("sv", "drygt", "more-than", "drygt 30 dödades"),
    ("sv", "mer än", "more-than", "mer än 30 dödades"),
    ("sv", "fler än", "more-than", "fler än 30 dödades"),
    ("sv", "över", "more-than", "över 30 dödade"),
    ("sv", "upp till", "up-to", "upp till 30 kan ha dödats"),
    ("sv", "omkring", "about", "omkring 20 dödades"),
    ("sv", "cirka", "about", "cirka 20 dödades"),
    ("sv", "runt", "about", "runt 20 dödade"),
    ("sv", "ungefär", "about", "ungefär 20 dödades"),
    ("fr", "au moins", "at-least", "au moins 23 soldats ont été tués"),
    ("fr", "près de", "nearly", "près de 40 jihadistes tués"),
    ("fr", "presque", "nearly", "presque 40 morts"),
    ("fr", "plus de", "more-than", "plus de 30 morts"),
    ("fr", "jusqu'à", "up-to", "jusqu'à 30 morts"),
    ("fr", "environ", "about", "environ 20 morts"),
    ("fr", "quelque", "about", "quelque 20 personnes tuées"),
    ("fr", "une", "about", "une vingtaine de morts (with the -aine form)"),
    ("ar", "على الأقل", "at-least", "مقتل 23 عنصرا على الأقل"),
    ("ar", "ما لا يقل عن", "at-least", "مقتل ما لا يقل عن 23 عنصرا"),
    ("ar", "نحو", "nearly", "مقتل نحو 40 عنصرا"),
    ("ar", "قرابة", "nearly", "مقتل قرابة 40 عنصرا"),
    ("ar", "زهاء", "nearly", "مقتل زهاء 40 عنصرا"),
    ("ar", "أكثر من", "more-than", "مقتل أكثر من 30 شخصا"),
    ("ar", "ما يزيد عن", "more-than", "مقتل ما يزيد عن 30 شخصا"),
    ("ar", "حتى", "up-to", "مقتل حتى 30 شخصا"),
    ("ar", "حوالي", "about", "مقتل حوالي 20 شخصا"),
)

#: (language, word, low, best, high, example): counts written as a vague plural (ACLED's rule for low).
VAGUE_COUNTS: tuple[tuple[str, str, int, int, int, str], ...] = (
    ("en", "dozens", 12, 24, 36, "dozens of people were killed"),
    ("en", "scores", 12, 24, 36, "scores of fighters were killed"),
    ("en", "hundreds", 100, 200, 300, "hundreds were killed"),
    ("en", "a dozen", 12, 12, 12, "a dozen soldiers were killed"),
    ("sv", "tiotals", 12, 24, 36, "tiotals människor dödades"),
    ("sv", "dussintals", 12, 24, 36, "dussintals dödades"),
    ("sv", "hundratals", 100, 200, 300, "hundratals dödades"),
    ("sv", "ett tiotal", 10, 10, 10, "ett tiotal soldater dödades"),
    ("sv", "ett dussin", 12, 12, 12, "ett dussin dödades"),
    ("fr", "des dizaines", 12, 24, 36, "des dizaines de morts"),
    ("fr", "des centaines", 100, 200, 300, "des centaines de morts"),
    ("fr", "une dizaine", 10, 10, 10, "une dizaine de soldats tués"),
    ("fr", "une douzaine", 12, 12, 12, "une douzaine de morts"),
    ("fr", "une vingtaine", 20, 20, 20, "une vingtaine de morts"),
    ("fr", "une trentaine", 30, 30, 30, "une trentaine de morts"),
    ("fr", "une quarantaine", 40, 40, 40, "une quarantaine de morts"),
    ("fr", "une cinquantaine", 50, 50, 50, "une cinquantaine de morts"),
    ("fr", "une centaine", 100, 100, 100, "une centaine de morts"),
    ("ar", "عشرات", 12, 24, 36, "مقتل عشرات المدنيين"),
    ("ar", "مئات", 100, 200, 300, "مقتل مئات الأشخاص"),
)

#: (language, stem): words that say people died (matched at the start of a word).
KILLED_WORDS: tuple[tuple[str, str], ...] = tuple(
    (lang, w) for lang, ws in (
        ("en", "killed killing kills dead died die dying deaths death lives bodies massacred executed slain "
               "fatalities casualties-killed"),
        ("sv", "dödade dödad dödat dödats döda dödas dödsoffer dödsfall omkom omkommit omkommer dog dött avled "
               "avrättade avrättad mördade mördad stupade"),
        ("fr", "tué tués tuée tuées tuant tue morts mort mortes décès décédé décédés périssent péri exécutés "
               "massacrés victimes"),
        ("ar", "قتل قتلى قتيل قتيلا قتيلاً مقتل مصرع لقي لقوا حتفهم حتفه وفاة توفي أعدم إعدام قضى قضوا سقوط مقتلهم "
               "قتلوا استشهد استشهاد شهيد شهداء"),
    ) for w in ws.split() if not w.endswith("-killed"))

#: (language, stem): words for the injured; a count that goes with one of them is never a death.
INJURED_WORDS: tuple[tuple[str, str], ...] = tuple(
    (lang, w) for lang, ws in (
        ("en", "wounded wounding injured injuring injuries hurt"),
        ("sv", "skadade skadad skadades skadats skadas sårade sårad sårades"),
        ("fr", "blessés blessé blessée blessées blessant blessures"),
        ("ar", "جرحى جريح جرح إصابة إصابات أصيب أصيبوا مصاب مصابين بجروح جرحوا"),
    ) for w in ws.split())


#: (language, words): a count right after these is part of the count before it ("11 civilians,
#: including four children"; "21 civila, varav elva barn"; "dont cinq enfants"; "بينهم طفلان"), so
#: it is neither added nor counted on its own.
SUBSET_WORDS: tuple[tuple[str, str], ...] = (
    ("en", "including"), ("en", "among them"), ("en", "among whom"), ("en", "of whom"), ("en", "of them"),
    ("sv", "varav"), ("sv", "bland dem"), ("sv", "bland dessa"), ("sv", "däribland"), ("sv", "bland annat"),
    ("fr", "dont"), ("fr", "parmi eux"), ("fr", "parmi elles"), ("fr", "parmi lesquels"),
    ("fr", "parmi lesquelles"), ("fr", "y compris"),
    ("ar", "بينهم"), ("ar", "بينهن"), ("ar", "منهم"), ("ar", "منهن"), ("ar", "من بينهم"),
)

#: (language, pattern after a number): the number is an age or a size, not a count of the dead
#: ("a 64-year-old man", "en 64-årig man", "un homme de 64 ans", "رجل يبلغ 64 عاما").
AGE_AFTER: tuple[tuple[str, str], ...] = (
    ("en", r"\s*-?\s*(?:years?)[- ]old"), ("en", r"\s*-?\s*year\b"),
    ("sv", r"\s*-?\s*åri(?:g|ga)\b"), ("sv", r"\s*år\s+gam(?:mal|la)\b"),
    ("fr", r"\s*ans\b"),
    ("ar", r"\s*(?:عاما|عامًا|عاماً|سنة|عام)(?!\w)"),
)


def apply(rule: str, n: int) -> dict[str, int]:
    """``{low, best, high}`` of a count ``n`` under ``rule`` (a key of :data:`RULES`)."""
    _, lo, be, hi = RULES[rule]
    low, best, high = lo(n), be(n), hi(n)  # type: ignore[operator]
    best = max(best, low)
    return {"low": int(low), "best": int(best), "high": int(max(high, best))}


def add(a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, int]:
    """Two groups' counts added part by part."""
    return {k: int(a[k]) + int(b[k]) for k in ("low", "best", "high")}
