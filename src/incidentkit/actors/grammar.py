"""ACLED's actor-naming grammar: how state and generic actor names are built, and how to read them back.

Why a grammar and not a list: ACLED writes most actors of a country by rule, so a list would have to hold
every country times every label times every government period, and would still miss the next period.
The rules, as ACLED's public codebook states them and as actor strings in public ACLED-derived files show:

* **State actors** name the regime, not the state: "Military Forces of X (P)", "Police Forces of X (P)",
  "Government of X (P)", with P the period label ("2023-", "2015-2023") and X the country as ACLED writes
  it inside the name ("the United States", "Democratic Republic of Congo", "Congo/Zaire"). A unit may
  follow the period: "Police Forces of India (2014-) Assam Rifles", "Military Forces of Iraq (2022-)
  Peshmerga", "Military Forces of Yemen (2017-) Houthi". Variants ACLED uses for the same forces:
  "Former Military Forces of X (P)" and "Mutiny of Military Forces of X (P)" (codebook example "Mutiny of
  Military Forces of Mali (2002-2012)").
* **Generic actors** are a label and the country in parentheses: "Civilians (Somalia)", "Protesters
  (Nigeria)", "Rioters (Kenya)", "Unidentified Armed Group (Mali)", "Unidentified Communal Militia
  (Nigeria)", "Islamic State (Syria)", and groups of people that ACLED records as associated actors:
  "Students (X)", "Labour Group (X)" (older) / "Labor Group (X)", "Women (X)", "Journalists (X)",
  "Health Workers (X)", "Refugees/IDPs (X)", "Prisoners (X)", "Farmers (X)", "Teachers (X)" ...
* **Identity groups** are a grammar too: "<Group> Ethnic Militia (X)", "<Group> Communal Militia (X)",
  "<Group> Clan Militia (X)", "<Group> Ethnic Group (X)" for any group word(s): "Fulani Ethnic Militia
  (Nigeria)", "Oromo Ethnic Group (Ethiopia)".

Verified (labels and spellings), without copying any ACLED list:

* ACLED's public codebook (acleddata.com/knowledge-base/codebook, and the 2015-2021 editions mirrored on
  document sites): state actors named by regime, "Police Forces of State (Year-Year)", "Mutinies of
  militaries are recorded as Mutiny of Military Forces of State (Year-Year)", units recorded after the
  name, actor types 1-8 (1 State forces ... 8 External/Other forces), acronyms before the proper name
  ("TTP: Tehrik-i-Taliban").
* Public GitHub code that handles ACLED exports (searched by exact string): "Unidentified Communal Militia
  (Yemen|Mali|Myanmar|United States)", "Unidentified Tribal Militia (Yemen)", "Murad Tribal Militia
  (Yemen)", "Lawdar Communal Militia (Yemen)", "Civilians (International)", "Labor Group (Kenya|Iraq|
  Germany)", "Refugees/IDPs (Azerbaijan)", "Mutiny of Military Forces of Mali (2002-2012)", "Mutiny of
  Military Forces of Democratic Republic of Congo (2003-)", "Former Military Forces of the Ivory Coast
  (2000-2011)", "Former Government of Russia (2000-)", "Former Police Forces of Russia (2000-)",
  "Students (Bangladesh)", "Women (Germany)", "Christian Group (Germany)".
* Counts of actor values in public GitHub copies of real ACLED exports (kept outside this repository, see
  benchmarks/actor_acceptance.py): every generic label below occurs there with a country in
  parentheses, both "Labour Group (X)" (older releases) and "Labor Group (X)". "Al Qaeda (X)" does not
  occur: Al Qaeda branches are named groups ("AQIM: Al Qaeda in the Islamic Maghreb"), so it is not a
  generic label here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

import pycountry

from incidentkit.actors.data import periods_by_country
from incidentkit.codebook.countries import country_code

__all__ = [
    "COUNTRYLESS",
    "GENERIC_LABELS",
    "IDENTITY_SUFFIXES",
    "STATE_PREFIXES",
    "GenericName",
    "StateName",
    "acled_country_name",
    "acled_country_names",
    "country_of_word",
    "parse_generic",
    "parse_state",
    "state_name",
]

#: State-actor prefixes ("<prefix> of X (P)") and the ACLED actor type each implies at home (None: varies).
STATE_PREFIXES: Mapping[str, int | None] = MappingProxyType({
    "Military Forces": 1,
    "Police Forces": 1,
    "Government": 1,
    "Former Military Forces": None,   # coded as a rebel group or a political militia, depending on the event
    "Mutiny of Military Forces": None,
    "Mutiny of Police Forces": None,
    "Former Police Forces": None,
    "Former Government": None,
})

#: Generic "<label> (X)" actors every country has, and the ACLED actor type the label implies (None: the
#: label is used as an associated actor of several types, e.g. "Students (X)" with protesters or civilians).
GENERIC_LABELS: Mapping[str, int | None] = MappingProxyType({
    "Civilians": 7,
    "Protesters": 6,
    "Rioters": 5,
    "Unidentified Armed Group": 3,
    "Unidentified Communal Militia": 4,
    "Unidentified Ethnic Militia": 4,
    "Unidentified Clan Militia": 4,
    "Unidentified Tribal Militia": 4,
    "Islamic State": 2,
    "Unidentified Gang": None,
    "Vigilante Group": None,
    "Militia": None,
    "Private Security Forces": None,
    "Prisoners": None,
    "Refugees/IDPs": None,
    "Labor Group": None,
    "Labour Group": None,
    "Journalists": None,
    "Health Workers": None,
    "Aid Workers": None,
    "Farmers": None,
    "Pastoralists": None,
    "Herders": None,
    "Fishers": None,
    "Students": None,
    "Teachers": None,
    "Lawyers": None,
    "Judges": None,
    "Women": None,
    "Children": None,
    "Migrants": None,
    "Traders": None,
    "Business Group": None,
    "Taxi Drivers": None,
    "Miners": None,
    "LGBTQ+": None,
    "Government Workers": None,
    "Former Government Workers": None,
    "Muslim Group": None,
    "Christian Group": None,
    "Hindu Group": None,
    "Sikh Group": None,
    "Buddhist Group": None,
    "Jewish Group": None,
    "Muslim Militia": None,
    "Christian Militia": None,
    "Hindu Militia": None,
    "Islamist Militia": None,
    "Sufi Muslim Group": None,
    "Shia Muslim Group": None,
    "Sunni Muslim Group": None,
    "Catholic Christian Group": None,
    "Protestant Christian Group": None,
    "Former Rebel Group": None,
})

#: "<Group> <suffix> (X)": identity actors for any group word(s), and the type the suffix implies.
IDENTITY_SUFFIXES: Mapping[str, int | None] = MappingProxyType({
    "Ethnic Militia": 4,
    "Communal Militia": 4,
    "Clan Militia": 4,
    "Tribal Militia": 4,
    "Ethnic Group": None,
    "Communal Group": None,
    "Clan Group": None,
    "Tribal Group": None,
})

#: Names ACLED writes without a country that the grammar accepts everywhere (actor type, if implied).
COUNTRYLESS: Mapping[str, int | None] = MappingProxyType({
    "Unidentified Military Forces": None,
    "Militia (Pro-Government)": None,
})

#: The "(X)" word of generic actors that are foreign nationals of no one country: "Civilians (International)".
INTERNATIONAL = "International"

#: ACLED's short country names where pycountry's common name is not the one ACLED writes.
_ACLED_SHORT = {
    "BA": "Bosnia and Herzegovina", "BN": "Brunei", "BO": "Bolivia", "CD": "Democratic Republic of Congo",
    "CG": "Republic of Congo", "CI": "Ivory Coast", "CV": "Cape Verde", "CZ": "Czech Republic",
    "FM": "Micronesia", "GB": "United Kingdom", "IR": "Iran", "KP": "North Korea", "KR": "South Korea",
    "LA": "Laos", "MD": "Moldova", "MK": "North Macedonia", "PS": "Palestine", "RU": "Russia", "SY": "Syria",
    "SZ": "eSwatini", "TL": "East Timor", "TR": "Turkey", "TW": "Taiwan", "TZ": "Tanzania", "US": "United States",
    "VE": "Venezuela", "VN": "Vietnam", "XK": "Kosovo", "VG": "British Virgin Islands",
    "VI": "Virgin Islands, U.S.", "SH": "Saint Helena, Ascension and Tristan da Cunha", "FK": "Falkland Islands",
    "MF": "Saint-Martin", "SX": "Sint Maarten", "KN": "Saint Kitts and Nevis", "LC": "Saint Lucia",
    "VC": "Saint Vincent and the Grenadines", "ST": "Sao Tome and Principe", "CW": "Curacao",
    "RE": "Reunion", "BL": "Saint-Barthelemy", "AX": "Aland Islands", "PN": "Pitcairn",
    "GS": "South Georgia and the South Sandwich Islands", "HM": "Heard Island and McDonald Islands",
    "UM": "United States Minor Outlying Islands", "BQ": "Caribbean Netherlands", "PM": "Saint Pierre and Miquelon",
}

_STATE_RE = re.compile(
    r"^(?P<prefix>" + "|".join(sorted(map(re.escape, STATE_PREFIXES), key=len, reverse=True)) + r") of "
    r"(?P<country>.+?) \((?P<period>\d{4}-(?:\d{4})?)\)(?: (?P<unit>[^\s(].*))?$")  # a unit is a word, not "(X)"
# the country may itself hold one parenthesis, as a few ISO names do ("Sint Maarten (Dutch part)")
_GENERIC_RE = re.compile(r"^(?P<label>\S.*?) \((?P<country>[^()]+(?:\([^()]*\)[^()]*)?)\)$")


@dataclass(frozen=True)
class StateName:
    """A state actor name read back into its parts."""

    prefix: str     # "Military Forces", "Police Forces", "Government", ...
    country: str    # the country text inside the name ("the United States")
    period: str     # "2023-"
    unit: str       # "" or the unit suffix ("Kurdistan Regional Government Peshmerga")


@dataclass(frozen=True)
class GenericName:
    """A "<label> (X)" name read back into its parts."""

    label: str
    country: str


def parse_state(name: str) -> StateName | None:
    """The parts of "Military Forces of X (P) [unit]", or None when ``name`` is not shaped so."""
    m = _STATE_RE.match(name)
    if not m:
        return None
    return StateName(m["prefix"], m["country"], m["period"], m["unit"] or "")


def parse_generic(name: str) -> GenericName | None:
    """The parts of "<label> (X)", or None when ``name`` does not end with one parenthesised word group."""
    m = _GENERIC_RE.match(name)
    if not m:
        return None
    return GenericName(m["label"], m["country"])


_PERIODLESS_RE = re.compile(
    r"^(?P<prefix>" + "|".join(sorted(map(re.escape, STATE_PREFIXES), key=len, reverse=True)) + r") of (?P<country>[^()]+)$")


def parse_periodless(name: str) -> tuple[str, str] | None:
    """(prefix, country code) of the older form without a period ("Police Forces of India", as in ACLED's
    2015-2016 releases), or None."""
    m = _PERIODLESS_RE.match(name)
    if not m:
        return None
    cc = country_of_word(m["country"])
    return (m["prefix"], cc) if cc else None


def state_name(prefix: str, acled_country: str, period: str, unit: str = "") -> str:
    """Build a state actor name: ``state_name("Military Forces", "Nigeria", "2023-")``."""
    return f"{prefix} of {acled_country} ({period})" + (f" {unit}" if unit else "")


def identity_suffix(label: str) -> str | None:
    """The identity suffix ("Ethnic Militia", ...) ``label`` ends with after at least one group word."""
    for suffix in IDENTITY_SUFFIXES:
        if label.endswith(" " + suffix) and len(label) > len(suffix) + 1:
            return suffix
    return None


@lru_cache(maxsize=1)
def acled_country_names() -> dict[str, str]:
    """ISO alpha-2 -> the country as ACLED writes it in "(X)" of generic actors, for every ISO country
    and Kosovo: the ``acled_country`` of the latest state period without a leading "the", else ACLED's
    short name (Iran, Syria, Ivory Coast, ...), else pycountry's common or short name."""
    out: dict[str, str] = {}
    for c in pycountry.countries:
        short = _ACLED_SHORT.get(c.alpha_2)
        if short is None or country_code(short) != c.alpha_2:  # a name the rest of incidentkit cannot read back
            short = getattr(c, "common_name", None) or c.name
        out[c.alpha_2] = short
    out["XK"] = "Kosovo"
    for cc, periods in periods_by_country().items():
        name = periods[-1].acled_country
        out[cc] = name.removeprefix("the ")
    return out


def acled_country_name(cc: str) -> str:
    """The ACLED short name of a country code ("" when the code is unknown)."""
    return acled_country_names().get(cc, "")


@lru_cache(maxsize=1)
def _generic_word_to_code() -> dict[str, str]:
    return {name: cc for cc, name in acled_country_names().items()}


@lru_cache(maxsize=1)
def _word_to_code() -> dict[str, str]:
    out: dict[str, str] = dict(_generic_word_to_code())
    for cc, periods in periods_by_country().items():
        for p in periods:
            out.setdefault(p.acled_country, cc)
            if p.acled_country.startswith("the "):
                out.setdefault(p.acled_country[4:], cc)
    return out


def country_of_word(word: str, *, strict: bool = True, generic: bool = False) -> str | None:
    """The country code a state name's country (or, with ``generic``, a "(X)" word) names: exact ACLED
    spellings when ``strict`` ("the United States" in state names, "United States" in "(X)");
    any spelling :func:`incidentkit.codebook.countries.country_code` knows otherwise."""
    cc = (_generic_word_to_code() if generic else _word_to_code()).get(word)
    if cc or strict:
        return cc
    text = word.removeprefix("the ")
    return country_code(text)
