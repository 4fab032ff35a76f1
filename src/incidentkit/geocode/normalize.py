"""Name folding: turn the many spellings of one place into the same lookup key.

Reports spell Arabic, Kurdish and Persian place names in many ways ("al-Hasakeh", "Hassakeh",
"Al Ḩasakah", "الحسكة"). Two keys are derived from every name, both in the gazetteer index and
for the query:

* :func:`fold` - a conservative key: Unicode NFKC, Arabic article stripped before transliteration,
  anyascii to Latin, lower case, Latin articles (al-, el-, ar-, as-, ...) dropped, apostrophes and
  ayn/hamza marks removed, doubled letters collapsed, a final ``-ah``/``-eh`` reduced. Two names with
  the same fold key are spellings of the same name.
* :func:`skeleton` - an aggressive key: the fold key with vowels and semi-vowels removed and close
  consonants merged (q/k, kh/h, sh/s, dh/d ...). Many names share a skeleton, so a skeleton match
  scores lower and is checked for ambiguity.

Both are memoised: the same names recur thousands of times in a table. The memos are plain dicts
(see :func:`_memoised`), not ``functools.lru_cache``: a dict of strings is invisible to the garbage
collector, while an lru_cache's entries are walked at every full collection (a large share of the
geocoder's time once 100,000 names are memoised).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from anyascii import anyascii

#: Latin transliterations of the Arabic article, with its sun-letter assimilations; Kurdish/Persian
#: "e" ezafe is not an article and is kept.
ARTICLES = frozenset({"al", "el", "ul", "il", "ar", "as", "ad", "an", "at", "az", "ash", "ath", "adh",
                      "ad", "ed", "er", "es", "et", "ez", "en", "esh", "l"})

_AR_ARTICLE = re.compile(r"(^|[\s\-])\u0627\u0644(?=\w)")  # "ال" at the start of a word
_MARKS = re.compile(r"[`'’‘ʿʾʻʼ´\"]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_DOUBLE = re.compile(r"([a-z])\1+")
_SKELETON_SUBS = (("kh", "h"), ("gh", "g"), ("sh", "s"), ("ch", "s"), ("sch", "s"), ("dh", "d"),
                  ("th", "t"), ("dj", "j"), ("zh", "j"), ("ph", "f"), ("q", "k"), ("c", "k"),
                  ("x", "ks"), ("v", "f"), ("p", "b"))
_VOWELS = re.compile(r"[aeiouyw]")
_ASCII_WORDS = {c: (None if chr(c) in "`'\"" else " ") for c in range(128)
                if not ("a" <= chr(c) <= "z" or "0" <= chr(c) <= "9")}
_MEMO_MAX = 1 << 20
_T = TypeVar("_T")


def _memoised(fn: Callable[[str], _T]) -> Callable[[str], _T]:
    """Memoise a pure function of one string in a dict, emptied when it holds ``_MEMO_MAX`` entries."""
    memo: dict[str, _T] = {}

    @wraps(fn)
    def wrapper(name: str) -> _T:
        got = memo.get(name)
        if got is None:
            if len(memo) >= _MEMO_MAX:
                memo.clear()
            got = memo[name] = fn(name)
        return got

    wrapper.cache_clear = memo.clear  # type: ignore[attr-defined]  # as functools.lru_cache offers
    return wrapper


@_memoised
def tokens(name: str) -> tuple[str, ...]:
    """Lower-case ASCII word tokens of a name, after Arabic-article stripping and transliteration."""
    if name.isascii():  # NFKC, the Arabic rules and anyascii leave ASCII as it is: skip them
        # one C pass: the ASCII marks dropped, every other non-[a-z0-9] character a space, as below
        return tuple(name.lower().translate(_ASCII_WORDS).split())
    s = unicodedata.normalize("NFKC", name)
    s = _AR_ARTICLE.sub(r"\1", s).replace("\u0629", "a")  # ta marbuta is read "-a(h)"
    s = anyascii(s).lower()
    s = _MARKS.sub("", s)
    return tuple(_NON_ALNUM.sub(" ", s).split())


def _strip_articles(toks: tuple[str, ...]) -> list[str]:
    out = [t for t in toks if t not in ARTICLES]
    if not out:  # a name that is only an article ("As") stays itself
        return list(toks)
    # "alhasakah", "elkhiam": an article glued to the word (common in Arabic-script transliteration)
    return out


@_memoised
def fold(name: str) -> str:
    """The conservative lookup key of a place name (see module docstring). Empty for an empty name."""
    toks = _strip_articles(tokens(name))
    s = "".join(toks)
    if _DOUBLE.search(s):  # sub() with a template costs a Python call even when nothing matches
        s = _DOUBLE.sub(r"\1", s)
    s = s.replace("ou", "u").replace("ee", "i")
    if len(s) > 4 and s.endswith(("ah", "eh")):
        s = s[:-1]
    return s


@_memoised
def skeleton(name: str) -> str:
    """The aggressive key: consonants only, close consonants merged. Derived from :func:`fold`."""
    s = fold(name)
    if len(s) > 3 and s.endswith("h") and not s.endswith(("kh", "sh", "gh")):  # ta marbuta: -ah, -eh, -h
        s = s[:-1]
    for a, b in _SKELETON_SUBS:
        s = s.replace(a, b)
    s = _VOWELS.sub("", s)
    return _DOUBLE.sub(r"\1", s) if _DOUBLE.search(s) else s


def fold_words(name: str) -> tuple[str, ...]:
    """Word tokens with articles removed, for descriptor detection ("village", "province")."""
    return tuple(_strip_articles(tokens(name)))


_SCRIPT_OK = re.compile(r"^[\s\W\d\u0000-\u024F\u1E00-\u1EFF\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF"
                        r"\uFB50-\uFDFF\uFE70-\uFEFF\u0400-\u04FF\u0370-\u03FF]*$")


def usable_alias(alias: str) -> bool:
    """Whether a GeoNames alternate name is worth indexing.

    Skips airport and other codes ("XQV", "KAC"), links, and scripts whose transliteration is too
    lossy to help with conflict reporting (CJK, Hebrew without vowels) and would only add collisions.
    Latin, Arabic (incl. Persian and Kurdish letters), Cyrillic and Greek names are kept.
    """
    if len(alias) < 2 or "http" in alias:
        return False
    if alias.isascii() and alias.isupper() and len(alias) <= 4:
        return False
    return bool(_SCRIPT_OK.match(alias))
