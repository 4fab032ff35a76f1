"""Places as reports write them: "near the town of Jowhar", "the Hodan district of Mogadishu", "ريف حلب".

A report rarely names a bare place. This module reads the phrase around the name, in English, French,
Swedish and Arabic, and says which place(s) to look up and how precise the answer then is, following
ACLED's geo_precision rules (1: the town, village or neighbourhood itself; 2: near a town, or a part
of an area where a nearby town is given; 3: only a larger region, its capital's point). The grammar is
data: :data:`PATTERNS` holds one row per (language, family, pattern, example) and :data:`FAMILIES`
the precision rule of each family; :class:`~incidentkit.geocode.Geocoder` applies them before the name
lookup. ``docs/reference/place-phrases.md`` lists the same rules with examples.

    >>> parse("near the town of Jowhar")
    Phrase(family='near', lang='en', place='Jowhar', other='', text='near the town of Jowhar')
    >>> parse("ريف حلب").family, parse("ريف حلب").place
    ('countryside', 'حلب')
    >>> parse("Hodan") is None
    True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Each family's rule: what is looked up, the precision given, and the ACLED rule it follows.
#: ``precision`` is the geo_precision of a town found for the phrase; ``region_precision`` applies
#: when the named place is only a province (no town: its capital's point).
FAMILIES: dict[str, dict[str, object]] = {
    "part-of": dict(precision=1, fallback_precision=2,
                    rule="a part (district, neighbourhood) of a town: the part where a gazetteer has it within "
                         "30 km of the town (precision 1), else the town's point (precision 2)"),
    "near": dict(precision=2, region_precision=3, rule="near a town: the town's point (precision 2)"),
    "outskirts": dict(precision=2, region_precision=3,
                      rule="the outskirts or suburbs of a town: the town's point (precision 2)"),
    "direction-part": dict(precision=2, region_precision=3,
                           rule="a part of a town given by direction (southern Baghdad): the town's point "
                                "(precision 2); of a province: its capital (precision 3)"),
    "direction-of": dict(precision=2, region_precision=3,
                         rule="north/south/... of a town (or N km from it): the town's point (precision 2)"),
    "countryside": dict(precision=2, region_precision=3,
                        rule="the countryside of a town (Aleppo countryside, ريف حلب): the town's point "
                             "(precision 2); of a province with no town of that name: its capital (precision 3)"),
    "between": dict(precision=2, region_precision=3,
                    rule="between two towns: the first town found (precision 2); the reason names both and "
                         "their distance"),
    "admin-unit": dict(precision=2, region_precision=3, where_prec=3,
                       rule="a district or territory (Beni territory, cercle de Bandiagara): its namesake seat "
                            "(geo_precision 2, UCDP where_prec 3)"),
    "province": dict(precision=3, region_precision=3,
                     rule="a province only: its capital (precision 3, UCDP where_prec 4)"),
}

# Words the patterns share, per language ({DIR} direction nouns, {DIRADJ} adjectives, {KM} a distance).
_WORDS = {
    "KM": r"(?:(?:about|some|around|environ|à|a|cirka|ca\.?|ungefär)\s+)?\d+(?:[.,]\d+)?\s*(?:km|kilometres?|kilometers?|kilomètres?|kilometer|mi|miles)",
    "DIR_EN": r"(?:north|south|east|west|north-?east|north-?west|south-?east|south-?west)",
    "DIRADJ_EN": r"(?:northern|southern|eastern|western|north-?eastern|north-?western|south-?eastern|"
                 r"south-?western|central)",
    "DIR_FR": r"(?:nord|sud|est|ouest|nord-est|nord-ouest|sud-est|sud-ouest)",
    "DIRPART_FR": r"(?:nord|sud|est|ouest|nord-est|nord-ouest|sud-est|sud-ouest|centre)",
    "DIRADJ_SV": r"(?:norra|södra|östra|västra|nordöstra|nordvästra|sydöstra|sydvästra|centrala|mellersta)",
    "DIR_SV": r"(?:norr|söder|öster|väster|nordost|nordväst|sydost|sydväst)",
    "DIR_AR": r"(?:شمال\s+شرق|شمال\s+غرب|جنوب\s+شرق|جنوب\s+غرب|شمال|جنوب|شرق|غرب|شمالي|جنوبي|شرقي|غربي|وسط)",
    "TOWN_EN": r"(?:(?:the\s+)?(?:town|village|city|locality|settlement|hamlet|district|area|region)\s+of\s+)?",
    "TOWN_FR": r"(?:(?:la\s+)?(?:ville|localité|localite|commune|cité)\s+(?:de\s+|d'|d’)|(?:du\s+)?village\s+(?:de\s+|d'|d’))?",
    "TOWN_SV": r"(?:(?:staden|byn|orten|samhället)\s+)?",
    "TOWN_AR": r"(?:(?:مدينة|بلدة|قرية|منطقة)\s+)?",
    "DE": r"(?:de\s+la\s+|de\s+l'|de\s+l’|de\s+|d'|d’|du\s+|des\s+)",
    "X": r"(?P<place>.+?)",
    "Y": r"(?P<other>.+?)",
}

#: The grammar: (language, family, pattern, example). Patterns match the whole place string (case
#: folded, spaces collapsed); ``{X}`` is the place looked up, ``{Y}`` the town it is part of (part-of)
#: or the second place (between). Earlier rows win.
PATTERNS: tuple[tuple[str, str, str, str], ...] = (
    # -- English ---------------------------------------------------------------------------------------
    # ACLED's own way of writing a part of a city: "Dhaka - Paltan", "Bangui - 3" (a space each side, so
    # hyphenated names such as "Ouham-Pende" stay names)
    ("en", "part-of", r"{Y}\s+[-–]\s+{X}", "Dhaka - Paltan"),
    ("en", "part-of", r"{X},?\s+(?:a|the)\s+(?:district|neighbou?rhood|quarter|suburb)\s+of\s+{Y}",
     "Hodan, a district of Mogadishu"),
    ("en", "part-of", r"(?:the\s+)?{X}\s+(?:district|neighbou?rhood|quarter|suburb|sector|area|section)\s+"
                      r"(?:of|in)\s+(?:the\s+city\s+of\s+)?{Y}", "the Hodan district of Mogadishu"),
    ("en", "between", r"between\s+(?:the\s+(?:towns|villages|cities)\s+of\s+)?{X}\s+and\s+{Y}",
     "between Mopti and Ségou"),
    ("en", "outskirts", r"(?:on\s+|in\s+)?(?:the\s+)?(?:outskirts|edge|edges|periphery|suburbs|environs|"
                        r"surroundings)\s+of\s+{TOWN_EN}{X}", "on the outskirts of Beni"),
    ("en", "outskirts", r"{X}(?:'s|’s)?\s+(?:outskirts|suburbs|environs|surroundings|periphery)",
     "Mogadishu outskirts"),
    ("en", "direction-of", r"(?:{KM}\s+)?{DIR_EN}\s+of\s+{TOWN_EN}{X}", "30 km north of Jowhar"),
    ("en", "direction-part", r"(?:in\s+)?(?:the\s+)?{DIRADJ_EN}\s+(?:part\s+of\s+)?{X}", "southern Baghdad"),
    ("en", "countryside", r"{X}(?:'s|’s)?\s+(?:countryside|rural\s+areas?|hinterland|rural\s+district)",
     "Aleppo countryside"),
    ("en", "countryside", r"(?:in\s+)?(?:the\s+)?(?:countryside|rural\s+areas?|hinterland)\s+(?:of|around)\s+{X}",
     "the countryside of Aleppo"),
    ("en", "countryside", r"(?:in\s+)?rural\s+{X}", "rural Aleppo"),
    ("en", "near", r"(?:near|nearby|close\s+to|not\s+far\s+from|in\s+the\s+vicinity\s+of|the\s+vicinity\s+of|"
                   r"vicinity\s+of|around|outside|just\s+outside|outside\s+of|{KM}\s+from)\s+{TOWN_EN}{X}",
     "near the town of Jowhar"),
    ("en", "admin-unit", r"{X}\s+(?:territory|district|county|cercle|commune|chiefdom|local\s+government\s+area|"
                         r"lga|department|sub-?county|municipality)", "Beni territory"),
    ("en", "admin-unit", r"(?:the\s+)?(?:territory|district|cercle|commune|county)\s+of\s+{X}",
     "the territory of Beni"),
    # -- French ----------------------------------------------------------------------------------------
    ("fr", "part-of", r"(?:dans\s+)?(?:le\s+|la\s+|l'|l’)?(?:quartier|district|secteur|arrondissement)\s+"
                      r"(?:de\s+|d'|d’)?{X}\s+(?:à|a|de|dans|d'|d’)\s*{Y}", "le quartier de Hodan à Mogadiscio"),
    ("fr", "between", r"entre\s+(?:les\s+(?:villes|villages|localités)\s+(?:de\s+|d'))?{X}\s+et\s+{Y}",
     "entre Mopti et Ségou"),
    ("fr", "outskirts", r"(?:à\s+|a\s+|en\s+|dans\s+|aux\s+)?(?:la\s+|les\s+)?(?:périphérie|peripherie|banlieue|"
                        r"abords|sortie|portes)\s+{DE}{TOWN_FR}{X}", "à la périphérie de Beni"),
    ("fr", "direction-of", r"(?:{KM}\s+)?(?:au|à\s+l'|à\s+l’|a\s+l'|à\s+l)\s*{DIR_FR}\s+{DE}{TOWN_FR}{X}",
     "à 20 km au nord de Bandiagara"),
    ("fr", "direction-part", r"(?:dans\s+)?(?:le\s+|l'|l’){DIRPART_FR}\s+{DE}{X}", "dans le sud de Bagdad"),
    ("fr", "countryside", r"(?:dans\s+)?(?:la\s+)?(?:campagne|zone\s+rurale|brousse)\s+{DE}{X}",
     "la campagne d'Alep"),
    ("fr", "near", r"(?:près|pres|auprès|non\s+loin|à\s+proximité|a\s+proximite|aux\s+environs|"
                   r"dans\s+les\s+environs|autour|{KM})\s+{DE}{TOWN_FR}{X}", "près de Bandiagara"),
    ("fr", "admin-unit", r"(?:le\s+|la\s+)?(?:territoire|cercle|district|commune|chefferie|secteur|département|"
                         r"departement)\s+{DE}{X}", "territoire de Beni"),
    ("fr", "province", r"(?:la\s+)?(?:province|région|region|préfecture|prefecture)\s+{DE}{X}",
     "province du Nord-Kivu"),
    # -- Swedish ---------------------------------------------------------------------------------------
    ("sv", "part-of", r"(?:i\s+)?(?:stadsdelen|distriktet|kvarteret|området)\s+{X}\s+i\s+{Y}",
     "stadsdelen Hodan i Mogadishu"),
    ("sv", "between", r"mellan\s+{X}\s+och\s+{Y}", "mellan Mopti och Ségou"),
    ("sv", "outskirts", r"(?:i\s+)?(?:utkanten|utkanterna|förorterna|förorter)\s+(?:av|till)\s+{X}",
     "i utkanten av Beni"),
    ("sv", "direction-of", r"(?:{KM}\s+)?{DIR_SV}\s+om\s+{TOWN_SV}{X}", "norr om Bagdad"),
    ("sv", "direction-part", r"(?:i\s+)?{DIRADJ_SV}\s+{X}", "södra Bagdad"),
    ("sv", "countryside", r"(?:på\s+)?landsbygden\s+(?:kring|runt|utanför|i|nära)\s+{X}",
     "landsbygden kring Aleppo"),
    ("sv", "countryside", r"{X}s\s+landsbygd", "Aleppos landsbygd"),
    ("sv", "near", r"(?:nära|i\s+närheten\s+av|strax\s+utanför|utanför|invid|{KM}\s+från)\s+{TOWN_SV}{X}",
     "nära Jowhar"),
    ("sv", "admin-unit", r"(?:distriktet|territoriet|kommunen)\s+{X}", "territoriet Beni"),
    ("sv", "province", r"(?:provinsen|regionen|guvernementet)\s+{X}", "provinsen Norra Kivu"),
    # -- Arabic ----------------------------------------------------------------------------------------
    ("ar", "part-of", r"(?:في\s+)?(?:حي|ضاحية|منطقة)\s+{X}\s+(?:في\s+(?:مدينة\s+)?|بمدينة\s+|من\s+|ب)\s*{Y}",
     "حي هودان في مقديشو"),
    ("ar", "between", r"بين\s+{TOWN_AR}{X}\s+و\s*{Y}", "بين موبتي وسيغو"),
    ("ar", "outskirts", r"(?:على\s+|في\s+)?(?:أطراف|اطراف|ضواحي|مشارف|محيط)\s+{TOWN_AR}{X}", "أطراف بغداد"),
    ("ar", "countryside", r"(?:في\s+)?(?:ب|و)?ريف\s+{X}", "ريف حلب"),
    ("ar", "direction-of", r"(?:في\s+)?{DIR_AR}\s+{TOWN_AR}{X}", "جنوب بغداد"),
    ("ar", "near", r"(?:قرب|بالقرب\s+من|على\s+مقربة\s+من|قريبا\s+من|قريباً\s+من|بجوار|قرابة)\s+{TOWN_AR}{X}",
     "قرب جوهر"),
    ("ar", "admin-unit", r"(?:قضاء|ناحية|مديرية|إقليم\s+بلدية|بلدية)\s+{X}", "قضاء سنجار"),
    ("ar", "province", r"(?:محافظة|ولاية|مقاطعة|إقليم)\s+{X}", "محافظة حلب"),
)

#: Leading words that say "in"/"at" and nothing about precision ("in Jowhar", "à Mopti", "i Bagdad", "في حلب").
LEADING = {"en": ("in", "at", "in the town of", "in the village of", "in the city of"),
           "fr": ("à", "a", "dans", "en", "dans la ville de", "dans le village de"),
           "sv": ("i", "vid", "i staden", "i byn"),
           "ar": ("في", "في مدينة", "في بلدة", "في قرية", "بمدينة", "ببلدة")}

#: Arabic one-letter clitics glued to a name: و "and", ب "in/at", ل "to", ف "then"; tried, in this
#: order, only when the name as written is in no gazetteer ("بحلب" -> "حلب", "وبغداد" -> "بغداد").
ARABIC_CLITICS = ("و", "ب", "ل", "ف", "وب", "ول")

_ARABIC = re.compile(r"[\u0600-\u06FF]")


@dataclass(frozen=True)
class Phrase:
    """A place phrase read: its family (a key of :data:`FAMILIES`), the place to look up, and the
    other place (the town of a part-of, the second town of a between)."""

    family: str
    lang: str
    place: str
    other: str
    text: str

    @property
    def rule(self) -> str:
        return str(FAMILIES[self.family]["rule"])


def _compile() -> list[tuple[str, str, re.Pattern[str]]]:
    out = []
    for lang, family, pat, _example in PATTERNS:
        if family not in FAMILIES:  # pragma: no cover - a table typo
            raise ValueError(f"unknown phrase family {family!r}")
        out.append((lang, family, re.compile("^" + pat.format(**_WORDS) + "$", re.IGNORECASE)))
    return out


_COMPILED = _compile()
_LEADING = re.compile(r"^(?:" + "|".join(sorted((re.escape(w).replace(r"\ ", r"\s+") for ws in LEADING.values()
                                                  for w in ws), key=len, reverse=True)) + r")\s+(?=\S)",
                      re.IGNORECASE)
# A cheap first look: a phrase needs one of its words; most place strings have none and skip the table.
_TRIGGER = re.compile(
    r"(?i)(?:\s[-–]\s|\b(?:of|near|nearby|close|outside|around|vicinity|outskirts|edge|periphery|suburbs|environs|"
    r"surroundings|countryside|rural|hinterland|between|district|neighbou?rhood|quarter|suburb|sector|area|"
    r"section|territory|county|cercle|commune|chiefdom|lga|department|municipality|sub-?county|from|"
    r"northern|southern|eastern|western|central|north|south|east|west|in|at|the|"
    r"près|pres|auprès|loin|proximité|proximite|environs|autour|entre|périphérie|peripherie|banlieue|abords|"
    r"sortie|portes|au|campagne|brousse|territoire|chefferie|secteur|département|departement|province|région|"
    r"region|préfecture|prefecture|quartier|arrondissement|dans|à|a|le|la|"
    r"nära|närheten|utanför|invid|mellan|utkanten|utkanterna|förorterna|förorter|norr|söder|öster|väster|"
    r"nordost|nordväst|sydost|sydväst|om|landsbygden|landsbygd|stadsdelen|distriktet|kvarteret|området|"
    r"territoriet|kommunen|provinsen|regionen|guvernementet|i|vid|norra|södra|östra|västra|nordöstra|"
    r"nordvästra|sydöstra|sydvästra|centrala|mellersta)\b|\d\s*km|"
    r"قرب|مقربة|قريبا|بجوار|قرابة|أطراف|اطراف|ضواحي|مشارف|محيط|ريف|بين|حي|ضاحية|منطقة|شمال|جنوب|شرق|غرب|"
    r"وسط|قضاء|ناحية|مديرية|بلدية|محافظة|ولاية|مقاطعة|إقليم|في|مدينة|بلدة|قرية)")


def strip_leading(text: str) -> str:
    """The place string without a leading "in"/"à"/"i"/"في" (and "in the town of" ...)."""
    s = " ".join(text.split())
    for _ in range(2):
        t = _LEADING.sub("", s)
        if t == s:
            break
        s = t
    return s


def parse(text: str) -> Phrase | None:
    """The phrase a place string is written in, or None when it is a bare name (or unknown wording).

    The first matching row of :data:`PATTERNS` wins; a leading "in"/"à"/"i"/"في" is dropped first.
    """
    s = " ".join(str(text or "").split()).strip(" .;:")
    if not s or _TRIGGER.search(s) is None:
        return None
    s = strip_leading(s)
    for lang, family, rx in _COMPILED:
        m = rx.match(s)
        if m is not None:
            place = m.group("place").strip(" ,.;")
            other = (m.groupdict().get("other") or "").strip(" ,.;")
            if place and (other or "other" not in rx.groupindex):
                return Phrase(family=family, lang=lang, place=place, other=other, text=s)
    return None


def clitic_variants(name: str) -> list[str]:
    """Arabic names without a glued clitic (و ب ل ف), to try when the name as written is unknown."""
    s = name.strip()
    if _ARABIC.search(s) is None:
        return []
    out = []
    for c in ARABIC_CLITICS:
        if s.startswith(c) and len(s) > len(c) + 2:
            out.append(s[len(c):])
    return out


def examples() -> list[tuple[str, str, str]]:
    """(language, family, example) for every row of the grammar: what the docs page and tests show."""
    return [(lang, family, ex) for lang, family, _pat, ex in PATTERNS]
