"""Numbers as reports write them: digits (Latin or Arabic-Indic) and number words per language.

:data:`NUMBER_WORDS` is data (language, word, value); the reference page lists it. Only words a death
count is written with in news reports are listed ("eleven", "elva", "onze", "أحد عشر"); larger counts
are written in digits.
"""

from __future__ import annotations

import re
from functools import lru_cache

from incidentkit.draft.text import _ARABIC_FOLD, fold_same_length, no_tatweel

__all__ = ["NUMBER_WORDS", "number_pattern", "parse_number"]

_EN = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
       "seventeen eighteen nineteen twenty").split()
_SV = ("en|ett två tre fyra fem sex sju åtta nio tio elva tolv tretton fjorton femton sexton sjutton arton "
       "nitton tjugo").split()
_FR = ("un|une deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize "
       "dix-sept dix-huit dix-neuf vingt").split()
_AR = ("واحد|واحدة اثنان|اثنين|اثنتين|شخصين ثلاثة|ثلاث أربعة|أربع خمسة|خمس ستة|ست سبعة|سبع ثمانية|ثماني|ثمان "
       "تسعة|تسع عشرة|عشر أحد_عشر|إحدى_عشرة اثنا_عشر|اثني_عشر ثلاثة_عشر أربعة_عشر خمسة_عشر ستة_عشر سبعة_عشر "
       "ثمانية_عشر تسعة_عشر عشرون|عشرين").split()


def _table() -> tuple[tuple[str, str, int], ...]:
    rows: list[tuple[str, str, int]] = []
    for lang, words in (("en", _EN), ("sv", _SV), ("fr", _FR), ("ar", _AR)):
        for n, alts in enumerate(words, start=1):
            for w in alts.split("|"):
                rows.append((lang, w.replace("_", " "), n))
    rows += [("en", "thirty", 30), ("en", "forty", 40), ("en", "fifty", 50), ("en", "a hundred", 100),
             ("sv", "trettio", 30), ("sv", "fyrtio", 40), ("sv", "femtio", 50), ("sv", "hundra", 100),
             ("fr", "trente", 30), ("fr", "quarante", 40), ("fr", "cinquante", 50), ("fr", "cent", 100),
             ("ar", "ثلاثين", 30), ("ar", "ثلاثون", 30), ("ar", "أربعين", 40), ("ar", "خمسين", 50), ("ar", "مئة", 100),
             ("ar", "مائة", 100)]
    # Arabic duals say "two" with the noun: "قتل جنديان" is two soldiers killed
    rows += [("ar", w, 2) for w in ("جنديان", "جنديين", "شخصان", "شخصين", "عنصران", "عنصرين", "طفلان", "طفلين",
                                   "شرطيان", "شرطيين", "مدنيان", "امرأتان", "امرأتين", "رجلان", "رجلين")]
    return tuple(rows)


#: (language, word, value): number words read as counts.
NUMBER_WORDS: tuple[tuple[str, str, int], ...] = _table()


@lru_cache(maxsize=8)
def _words(lang: str) -> dict[str, int]:
    return {" ".join(fold_same_length(w.translate(_ARABIC_FOLD)).split()): v
            for lg, w, v in NUMBER_WORDS if lg == lang}


@lru_cache(maxsize=8)
def number_pattern(lang: str) -> str:
    """A regex alternative for a count: digits (with thousands separators) or a number word."""
    words = sorted(_words(lang), key=len, reverse=True)
    alts = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)
    return r"(?:\d{1,3}(?:[ ,.\u00a0]\d{3})+|\d+|" + alts + ")"


def parse_number(text: str, lang: str) -> int | None:
    """The value of a count as matched by :func:`number_pattern`."""
    s = " ".join(no_tatweel(fold_same_length(text.translate(_ARABIC_FOLD))).split())
    digits = re.sub(r"[ ,.\u00a0]", "", s)
    if digits.isdigit():
        try:
            return int(digits)
        except ValueError:
            return None
    return _words(lang).get(s)


def words_to_digits(text: str, lang: str) -> str:
    """Number words replaced by digits (for dateparser, which lacks some languages' number words)."""
    def sub(m: re.Match[str]) -> str:
        v = parse_number(m.group(), lang)
        return str(v) if v is not None else m.group()
    return re.sub(r"(?<!\w)" + number_pattern(lang) + r"(?!\w)", sub, text, flags=re.IGNORECASE)
