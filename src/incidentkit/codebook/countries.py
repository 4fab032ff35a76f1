"""Country and language codes: ISO 3166-1 and ISO 639-1 through pycountry.

Coders may write "SY", "SYR", "Syria" or "Syrian Arab Republic"; the dataset always holds the alpha-2
code. Names that pycountry does not know as written (the short names news reports use) come from a
small alias table.
"""

from __future__ import annotations

from functools import lru_cache

import pycountry

_ALIASES = {
    "syria": "SY", "iran": "IR", "russia": "RU", "turkey": "TR", "turkiye": "TR", "türkiye": "TR",
    "palestine": "PS", "palestinian territory": "PS", "south korea": "KR", "north korea": "KP",
    "laos": "LA", "vietnam": "VN", "bolivia": "BO", "venezuela": "VE", "tanzania": "TZ", "moldova": "MD",
    "democratic republic of congo": "CD", "democratic republic of the congo": "CD", "drc": "CD", "dr congo": "CD",
    "republic of congo": "CG", "congo": "CG", "ivory coast": "CI", "cote d'ivoire": "CI",
    "czech republic": "CZ", "kosovo": "XK", "uk": "GB", "united kingdom": "GB", "usa": "US",
    "united states": "US", "eswatini": "SZ", "swaziland": "SZ", "macedonia": "MK", "burma": "MM",
    "myanmar": "MM", "cape verde": "CV", "east timor": "TL", "micronesia": "FM",
}


@lru_cache(maxsize=4096)
def country_code(value: str) -> str | None:
    """ISO alpha-2 code for a code or name, or None when it is not a country."""
    text = value.strip()
    if not text:
        return None
    if text.upper() == "XK":  # Kosovo: user-assigned, used by ACLED and GeoNames
        return "XK"
    alias = _ALIASES.get(text.casefold())
    if alias:
        return alias
    if len(text) == 2 and text.isalpha():
        c = pycountry.countries.get(alpha_2=text.upper())
        return c.alpha_2 if c else None
    if len(text) == 3 and text.isalpha():
        c = pycountry.countries.get(alpha_3=text.upper())
        if c:
            return c.alpha_2
    try:
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        return None


@lru_cache(maxsize=512)
def country_name(code: str) -> str:
    """The short English name ACLED and UCDP use (e.g. 'Syria', not 'Syrian Arab Republic')."""
    if code == "XK":
        return "Kosovo"
    c = pycountry.countries.get(alpha_2=code)
    if c is None:
        return code
    return getattr(c, "common_name", None) or _SHORT_NAMES.get(code) or c.name


_SHORT_NAMES = {"SY": "Syria", "IR": "Iran", "RU": "Russia", "PS": "Palestine", "VE": "Venezuela",
                "BO": "Bolivia", "TZ": "Tanzania", "KR": "South Korea", "KP": "North Korea", "LA": "Laos",
                "MD": "Moldova", "CD": "Democratic Republic of Congo", "CG": "Republic of Congo",
                "TR": "Turkey", "VN": "Vietnam", "GB": "United Kingdom", "US": "United States"}


@lru_cache(maxsize=512)
def country_numeric(code: str) -> int | None:
    """ISO 3166-1 numeric code (ACLED's `iso` column)."""
    if code == "XK":
        return 0
    c = pycountry.countries.get(alpha_2=code)
    return int(c.numeric) if c else None


@lru_cache(maxsize=512)
def country_alpha3(code: str) -> str | None:
    if code == "XK":
        return "XKX"
    c = pycountry.countries.get(alpha_2=code)
    return c.alpha_3 if c else None


def all_country_names() -> list[str]:
    return sorted({c.name for c in pycountry.countries} | {k.title() for k in _ALIASES})


@lru_cache(maxsize=256)
def language_code(value: str) -> str | None:
    """ISO 639-1 code for a code or an English language name."""
    text = value.strip()
    if len(text) == 2 and text.isalpha():
        lang = pycountry.languages.get(alpha_2=text.lower())
        return lang.alpha_2 if lang else None
    try:
        lang = pycountry.languages.lookup(text)
    except LookupError:
        return None
    return getattr(lang, "alpha_2", None)
