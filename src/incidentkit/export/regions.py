"""Country tables the ACLED and UCDP layouts need: ACLED region, Gleditsch-Ward number, UCDP names.

ACLED files carry a ``region`` per country ("Middle East", "Eastern Africa", ...); UCDP GED carries the
country's Gleditsch-Ward number (``country_id``, ``gwnoa``/``gwnob``) and a coarse ``region`` that
follows from it (GW 2-199 Americas, 200-399 Europe, 400-626 Africa, 630-699 Middle East, 700-999 Asia).
Countries are keyed by ISO 3166-1 alpha-2, the dataset's country code. A country missing from a table
gets an empty cell, never a guess.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping


def _expand(groups: Mapping[str, str]) -> Mapping[str, str]:
    out: dict[str, str] = {}
    for region, codes in groups.items():
        for code in codes.split():
            if code in out:  # pragma: no cover - guards the table itself
                raise RuntimeError(f"{code} listed in two regions")
            out[code] = region
    return MappingProxyType(out)


#: ACLED's region of each country (ACLED follows the UN sub-regions, with the Middle East, Caucasus and
#: Central Asia, and Mexico in Central America as its own groupings).
ACLED_REGIONS: Mapping[str, str] = _expand({
    "Middle East": "BH IR IQ IL JO KW LB OM PS QA SA SY TR AE YE",
    "Northern Africa": "DZ EG LY MA TN SD EH",
    "Western Africa": "BJ BF CV CI GM GH GN GW LR ML MR NE NG SN SL TG",
    "Middle Africa": "AO CM CF TD CG CD GQ GA ST",
    "Eastern Africa": "BI KM DJ ER ET KE MG MW MU YT MZ RE RW SC SO SS TZ UG ZM ZW",
    "Southern Africa": "BW SZ LS NA ZA",
    "South Asia": "AF BD BT IN MV NP PK LK",
    "Southeast Asia": "BN KH ID LA MY MM PH SG TH TL VN",
    "East Asia": "CN HK MO JP KP KR MN TW",
    "Caucasus and Central Asia": "AM AZ GE KZ KG TJ TM UZ",
    "Europe": "AL AD AT BY BE BA BG HR CZ DK EE FI FR DE GR HU IS IE IT XK LV LI LT LU MT MD MC ME NL "
              "MK NO PL PT RO RU SM RS SK SI ES SE CH UA GB CY",
    "North America": "US CA GL",
    "Central America": "MX BZ GT HN SV NI CR PA",
    "Caribbean": "AG BS BB CU DM DO GD HT JM KN LC VC TT PR",
    "South America": "AR BO BR CL CO EC GY PY PE SR UY VE GF FK",
    "Oceania": "AU NZ PG FJ SB VU NC WS TO KI TV NR MH PW FM",
})

#: Gleditsch-Ward state numbers (UCDP ``country_id``). Palestine has none: UCDP codes events there
#: under Israel (666), which we do not presume; its country_id stays empty.
GW_NUMBERS: Mapping[str, int] = MappingProxyType({
    "US": 2, "CA": 20, "BS": 31, "CU": 40, "HT": 41, "DO": 42, "JM": 51, "TT": 52, "BB": 53, "DM": 54,
    "GD": 55, "LC": 56, "VC": 57, "AG": 58, "KN": 60, "MX": 70, "BZ": 80, "GT": 90, "HN": 91, "SV": 92,
    "NI": 93, "CR": 94, "PA": 95, "CO": 100, "VE": 101, "GY": 110, "SR": 115, "EC": 130, "PE": 135,
    "BR": 140, "BO": 145, "PY": 150, "CL": 155, "AR": 160, "UY": 165,
    "GB": 200, "IE": 205, "NL": 210, "BE": 211, "LU": 212, "FR": 220, "MC": 221, "LI": 223, "CH": 225,
    "ES": 230, "AD": 232, "PT": 235, "DE": 260, "PL": 290, "AT": 305, "HU": 310, "CZ": 316, "SK": 317,
    "IT": 325, "SM": 331, "MT": 338, "AL": 339, "ME": 341, "MK": 343, "HR": 344, "RS": 345, "BA": 346,
    "XK": 347, "SI": 349, "GR": 350, "CY": 352, "BG": 355, "MD": 359, "RO": 360, "RU": 365, "EE": 366,
    "LV": 367, "LT": 368, "UA": 369, "BY": 370, "AM": 371, "GE": 372, "AZ": 373, "FI": 375, "SE": 380,
    "NO": 385, "DK": 390, "IS": 395,
    "CV": 402, "ST": 403, "GW": 404, "GQ": 411, "GM": 420, "ML": 432, "SN": 433, "BJ": 434, "MR": 435,
    "NE": 436, "CI": 437, "GN": 438, "BF": 439, "LR": 450, "SL": 451, "GH": 452, "TG": 461, "CM": 471,
    "NG": 475, "GA": 481, "CF": 482, "TD": 483, "CG": 484, "CD": 490, "UG": 500, "KE": 501, "TZ": 510,
    "BI": 516, "RW": 517, "SO": 520, "DJ": 522, "ET": 530, "ER": 531, "AO": 540, "MZ": 541, "ZM": 551,
    "ZW": 552, "MW": 553, "ZA": 560, "NA": 565, "LS": 570, "BW": 571, "SZ": 572, "MG": 580, "KM": 581,
    "MU": 590, "SC": 591, "MA": 600, "DZ": 615, "TN": 616, "LY": 620, "SD": 625, "SS": 626,
    "IR": 630, "TR": 640, "IQ": 645, "EG": 651, "SY": 652, "LB": 660, "JO": 663, "IL": 666, "SA": 670,
    "YE": 678, "KW": 690, "BH": 692, "QA": 694, "AE": 696, "OM": 698,
    "AF": 700, "TM": 701, "TJ": 702, "KG": 703, "UZ": 704, "KZ": 705, "CN": 710, "MN": 712, "TW": 713,
    "KP": 731, "KR": 732, "JP": 740, "IN": 750, "BT": 760, "PK": 770, "BD": 771, "MM": 775, "LK": 780,
    "MV": 781, "NP": 790, "TH": 800, "KH": 811, "LA": 812, "VN": 816, "MY": 820, "SG": 830, "BN": 835,
    "PH": 840, "ID": 850, "TL": 860, "AU": 900, "PG": 910, "NZ": 920, "VU": 935, "SB": 940, "KI": 946,
    "TV": 947, "FJ": 950, "TO": 955, "NR": 970, "MH": 983, "PW": 986, "FM": 987, "WS": 990,
})

#: Country names as UCDP GED writes them where they differ from ours.
UCDP_COUNTRY_NAMES: Mapping[str, str] = MappingProxyType({
    "CD": "DR Congo (Zaire)", "YE": "Yemen (North Yemen)", "RU": "Russia (Soviet Union)",
    "RS": "Serbia (Yugoslavia)", "MK": "Macedonia, FYR", "MM": "Myanmar (Burma)",
    "KH": "Cambodia (Kampuchea)", "CI": "Ivory Coast", "SZ": "Kingdom of eSwatini (Swaziland)",
    "BA": "Bosnia-Herzegovina", "ZW": "Zimbabwe (Rhodesia)", "MG": "Madagascar (Malagasy)",
    "VN": "Vietnam (North Vietnam)", "CG": "Congo", "BF": "Burkina Faso", "DE": "Germany",
    "US": "United States of America", "SR": "Surinam", "TL": "East Timor",
})

_UCDP_REGION_BY_GW = ((2, 199, "Americas"), (200, 399, "Europe"), (400, 626, "Africa"),
                      (630, 699, "Middle East"), (700, 999, "Asia"))
_UCDP_REGION_BY_ACLED = {"Middle East": "Middle East", "Europe": "Europe", "Caucasus and Central Asia": "Asia",
                         "Oceania": "Asia", "Northern Africa": "Africa"}


def acled_region(country: str | None) -> str | None:
    """ACLED's region name for an ISO alpha-2 code, or None when the table does not know it."""
    return ACLED_REGIONS.get(country) if country else None


def gw_number(country: str | None) -> int | None:
    """The Gleditsch-Ward number UCDP uses for the country, or None."""
    return GW_NUMBERS.get(country) if country else None


def ucdp_region(country: str | None) -> str | None:
    """UCDP's region: from the Gleditsch-Ward number's range, else from the ACLED region."""
    gw = gw_number(country)
    if gw is not None:
        for lo, hi, name in _UCDP_REGION_BY_GW:
            if lo <= gw <= hi:
                return name
    acled = acled_region(country)
    if acled is None:
        return None
    if acled in _UCDP_REGION_BY_ACLED:
        return _UCDP_REGION_BY_ACLED[acled]
    if acled.endswith("Africa"):
        return "Africa"
    if acled.endswith("Asia"):
        return "Asia"
    return "Americas"


def ucdp_country_name(country: str) -> str:
    """The country as UCDP GED names it (e.g. 'DR Congo (Zaire)'), else the short English name."""
    from incidentkit.codebook.countries import country_name

    return UCDP_COUNTRY_NAMES.get(country) or country_name(country)
