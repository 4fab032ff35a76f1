"""The article as read: sentences and tokens with their offsets, and a folded copy of the same length.

Every span the draft proposes is a ``(start, end)`` pair of Python ``str`` indices into the article text
exactly as read (nothing normalised). To match words case- and variant-insensitively without losing the
offsets, :func:`fold_same_length` folds the text one character for one character (lower case, Arabic
letter variants), so an index into the folded text is an index into the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Sentence", "Token", "fold_same_length", "sentences", "tokens"]

#: Arabic letter variants folded to one form (one character for one: the offsets stay valid). Tatweel
#: (ـ, a stretching stroke inside a word) is a word character and stays; keys drop it (:func:`no_tatweel`).
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي",
                              "’": "'", "‘": "'", "ʼ": "'", "–": "-", "—": "-", "\u00a0": " "})

#: A word: letters/digits joined by inner hyphens or apostrophes ("IS-medlemmar", "al-Hasakah", "l'armée").
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
_SENT_END = re.compile(r"(?<=[.!?؟…])[\"”»']?\s+|\n\s*\n|\n(?=\s*[-•*])")


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str


@lru_cache(maxsize=64)
def fold_same_length(text: str) -> str:
    """Lower case and Arabic variants folded, one character for one (``len`` unchanged)."""
    t = text.translate(_ARABIC_FOLD)
    low = t.lower()
    if len(low) == len(t):  # the common case: no character lower-cases to two ("İ")
        return low
    out = []
    for ch in t:
        low = ch.lower()
        out.append(low if len(low) == 1 else ch)
    return "".join(out)


#: Arabic short vowels, shadda, sukun, dagger alif and tatweel: written in some reports ("قُتل",
#: "تتبنَّ"), never part of what a word is.
ARABIC_MARKS = "\u064b-\u065f\u0670\u0640"
_MARKS_RE = re.compile(f"[{ARABIC_MARKS}]")
_MARKS_OPT = f"[{ARABIC_MARKS}]*"


def no_tatweel(s: str) -> str:
    """``s`` without tatweel and Arabic vowel marks ("داعــش" -> "داعش", "قُتل" -> "قتل"), for lookup
    keys (never for offsets)."""
    return _MARKS_RE.sub("", s)


def arabic_flex(pattern: str) -> str:
    """A regex pattern folded as the text is, which also matches its Arabic words written with vowel
    marks or tatweel ("قتل" matches "قُتل"): optional marks after every Arabic letter or class."""
    p = pattern.translate(_ARABIC_FOLD)
    out: list[str] = []
    i, n = 0, len(p)

    def quantifier(j: int) -> int:
        if j < n and p[j] in "?*+":
            j += 1
        elif j < n and p[j] == "{":
            k = p.find("}", j)
            j = k + 1 if k > 0 else j
        else:
            return j
        return j + 1 if j < n and p[j] == "?" else j

    while i < n:
        ch = p[i]
        if ch == "\\":
            out.append(p[i:i + 2])
            i += 2
            continue
        if ch == "[":
            k = i + 1
            while k < n and p[k] != "]":
                k += 2 if p[k] == "\\" else 1
            cls = p[i:k + 1]
            j = quantifier(k + 1)
            out.append(p[i:j] + (_MARKS_OPT if re.search(r"[\u0600-\u06ff]", cls) else ""))
            i = j
            continue
        if "\u0621" <= ch <= "\u064a":
            j = quantifier(i + 1)
            out.append(p[i:j] + _MARKS_OPT)
            i = j
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def tokens(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Word tokens of ``text[start:end]`` with offsets into ``text``."""
    end = len(text) if end is None else end
    return [Token(m.group(), m.start(), m.end()) for m in _WORD.finditer(text, start, end)]


# abbreviations that end with a full stop and do not end a sentence
_ABBREV = re.compile(r"(?:\b(?:Mr|Mrs|Dr|St|Gen|Col|Lt|Sgt|Capt|Maj|Jan|Feb|Aug|Sept|Oct|Nov|Dec|bl\.a|t\.ex|"
                     r"ca|cirka|M|Mme|env|etc|No|nr|U\.S|U\.N|p\.g\.a)\.|\b[A-ZÅÄÖ]\.)$")


@lru_cache(maxsize=64)
def sentences(text: str) -> tuple[Sentence, ...]:
    """Sentences with offsets; the text between two of them is whitespace only."""
    out: list[Sentence] = []
    pos = 0
    n = len(text)
    cuts = []
    for m in _SENT_END.finditer(text):
        if _ABBREV.search(text[max(0, m.start() - 8):m.start()]):
            continue
        cuts.append((m.start(), m.end()))
    cuts.append((n, n))
    for a, b in cuts:
        s, e = pos, a
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append(Sentence(len(out), s, e, text[s:e]))
        pos = b
    return tuple(out)
