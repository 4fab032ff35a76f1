"""Places and countries named in a report, found through the project's geocoder.

Candidate names are what a report writes as a place: runs of capitalised words in English, French and
Swedish ("al-Hasakeh", "Deir ez-Zor"), Arabic words after a place cue (في، مدينة، ريف، قرب، سجن) or
with a glued clitic ("بالحسكة"), with the place phrase around them ("near X", "près de X", "ريف حلب",
"norr om X": :mod:`incidentkit.geocode.phrases`, applied by the geocoder). Swedish compounds and
definite forms are read through :data:`COMPOUND_HEADS` ("Gweiranfängelset" -> "Gweiran prison"),
facility words through :data:`FACILITY_WORDS` ("la prison de Ghwayran" -> "Ghwayran prison").
Countries come from their names and exonyms (:mod:`incidentkit.geocode.countries`) and the adjectives of
:data:`DEMONYMS` ("syriska", "irakiska", "السورية").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from incidentkit.draft.text import Token, fold_same_length, no_tatweel, tokens
from incidentkit.geocode import phrases
from incidentkit.geocode.countries import country_code

__all__ = ["COMPOUND_HEADS", "DEMONYMS", "FACILITY_WORDS", "CountryMention", "PlaceMention", "find_countries",
           "find_places"]

#: (language, word ending, the English head the gazetteer writes, example): a compound or definite form
#: whose first part is the name.
COMPOUND_HEADS: tuple[tuple[str, str, str, str], ...] = (
    ("sv", "fängelset", "prison", "Gweiranfängelset"),
    ("sv", "fängelse", "prison", "Gweiranfängelse"),
    ("sv", "flygplatsen", "airport", "Mogadishuflygplatsen"),
    ("sv", "flygplats", "airport", "Kabuls flygplats"),
    ("sv", "lägret", "camp", "al-Hol-lägret"),
    ("sv", "flyktinglägret", "camp", "Jeninflyktinglägret"),
    ("sv", "basen", "base", "Ain al-Asad-basen"),
    ("sv", "sjukhuset", "hospital", "Shifasjukhuset"),
    ("sv", "moskén", "mosque", "Nurimoskén"),
    ("sv", "distriktet", "district", "Dibis-distriktet"),
    ("sv", "provinsen", "province", "Kirkukprovinsen"),
    ("sv", "regionen", "region", "Tigrayregionen"),
)

#: (language, facility word, English head, example): "the X prison", "la prison de X", "سجن X" is in the
#: gazetteer as written.
FACILITY_WORDS: tuple[tuple[str, str, str, str], ...] = (
    ("en", "prison", "prison", "Ghwayran prison"),
    ("en", "airport", "airport", "Kabul airport"),
    ("en", "camp", "camp", "al-Hol camp"),
    ("en", "base", "base", "Ain al-Asad base"),
    ("fr", "prison", "prison", "la prison de Ghwayran"),
    ("fr", "aéroport", "airport", "l'aéroport de Kaboul"),
    ("fr", "camp", "camp", "le camp d'al-Hol"),
    ("fr", "base", "base", "la base de Tessalit"),
    ("sv", "fängelset", "prison", "fängelset i Gweiran"),
    ("sv", "fängelse", "prison", "fängelse i Gweiran"),
    ("sv", "lägret", "camp", "lägret al-Hol"),
)

#: (language, adjective stem, country): nationality adjectives that say which country ("syriska
#: armén", "l'armée malienne", "الجيش العراقي"). Matched at the start of a word (Arabic after a clitic
#: and the article: "الروسية", "روسية").
DEMONYMS: tuple[tuple[str, str, str], ...] = tuple(
    (lang, stem, cc) for cc, forms in {
        "SY": "en:Syrian sv:syrisk fr:syrien ar:سوري",
        "IQ": "en:Iraqi sv:irakisk fr:irakien ar:عراقي",
        "ML": "en:Malian sv:malisk fr:malien ar:مالي",
        "SO": "en:Somali sv:somalisk fr:somalien ar:صومالي",
        "NG": "en:Nigerian sv:nigeriansk fr:nigérian ar:نيجيري",
        "NE": "en:Nigerien sv:nigerisk fr:nigérien",
        "BF": "en:Burkinabe sv:burkinsk fr:burkinab",
        "AF": "en:Afghan sv:afghansk fr:afghan ar:أفغاني",
        "YE": "en:Yemeni sv:jemenitisk fr:yéménite ar:يمني",
        "LY": "en:Libyan sv:libysk fr:libyen ar:ليبي",
        "TR": "en:Turkish sv:turkisk fr:turc ar:تركي",
        "US": "en:American sv:amerikansk fr:américain ar:أمريكي",
        "RU": "en:Russian sv:rysk fr:russe ar:روسي",
        "IL": "en:Israeli sv:israelisk fr:israélien ar:إسرائيلي",
        "SD": "en:Sudanese sv:sudanesisk fr:soudanais ar:سوداني",
        "CD": "en:Congolese sv:kongolesisk fr:congolais",
        "MZ": "en:Mozambican sv:moçambikisk fr:mozambicain",
        "UA": "en:Ukrainian sv:ukrainsk fr:ukrainien ar:أوكراني",
        "PS": "en:Palestinian sv:palestinsk fr:palestinien ar:فلسطيني",
        "LB": "en:Lebanese sv:libanesisk fr:libanais ar:لبناني",
        "KE": "en:Kenyan sv:kenyansk fr:kényan ar:كيني",
        "ET": "en:Ethiopian sv:etiopisk fr:éthiopien ar:إثيوبي",
        "CM": "en:Cameroonian sv:kamerunsk fr:camerounais",
        "TD": "en:Chadian sv:tchadisk fr:tchadien ar:تشادي",
    }.items() for form in forms.split() for lang, stem in [form.split(":", 1)])

#: Arabic words after which a place name follows (في "in", مدينة "city", ريف "countryside", ...).
ARABIC_CUES = frozenset("في وفي بمدينة مدينة بلدة ببلدة قرية بقرية محافظة بمحافظة ولاية بولاية ريف بريف قرب "
                        "بالقرب حي بحي منطقة بمنطقة شمال جنوب شرق غرب شمالي جنوبي شرقي غربي وسط مخيم بمخيم ناحية "
                        "قضاء بقضاء مديرية بمديرية مطار محيط بمحيط أطراف اطراف ضواحي".split())
#: Arabic cues that make the name after them a province ("ولاية الجزيرة", "محافظة الأنبار").
ARABIC_PROVINCE_CUES = frozenset("ولاية محافظة إقليم مقاطعة".split())
#: Two-word Arabic cues ("بالقرب من X", "على مقربة من X"): the second word is the one before the name.
ARABIC_CUE_PAIRS = frozenset({("بالقرب", "من"), ("مقربة", "من"), ("قريبا", "من")})
#: Arabic words that follow a cue but are no place ("على أحياء سكنية", "في المدينة"): never looked up.
ARABIC_NOT_PLACES = frozenset("أحياء احياء جماعة المدينة القرية البلدة المنطقة المنازل منازل موقع مواقع نقطة "
                              "حاجز الطريق طريق السجن مدينة بلدة قرية منطقة محافظة ولاية حي الحي الأحياء مقر "
                              "الاشتباكات هجوم الهجوم عملية قصف غارة المحافظة الولاية البلاد داخل خلال بين".split())
#: Arabic facility words that are part of a gazetteer name ("سجن غويران").
ARABIC_FACILITIES = frozenset("سجن مطار مخيم قاعدة".split())

#: Lower-case particles inside a capitalised place name ("Deir ez-Zor", "Ras al Ain", "Bab al-Hawa").
_PARTICLES = frozenset("al el ad as ar an ash az ez ed es de du des la le di da bin ibn ben bou abu".split())

#: Capitalised words that start sentences or name things that are not places (skipped as a whole run).
_STOP = frozenset(
    "the a an in on at of and or but he she it they we this that these those there their his her its according "
    "however while after before since during when where who what which why how also some many most more "
    "president minister army police government forces rebels militants islamic state coalition kurdish "
    "den det de en ett och i på av för med enligt men när som efter innan sedan under han hon de dom vi "
    "detta denna dessa där här också många flera minst närmare omkring striderna regeringen armén polisen "
    "le la les un une des et ou mais il elle ils nous ce cette ces selon après avant depuis pendant lors "
    "dans sur par pour avec aussi plusieurs au aux du l d "
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july "
    "august september october november december".split())

_ARABIC = re.compile(r"[\u0600-\u06FF]")
#: A person's name is written after a title or speech verb, or before a speech verb.
_PERSON_BEFORE = re.compile(
    r"(?:\b(?:said|says|told|according\s+to|spokes(?:man|woman|person)|leader|commander|governor|minister|"
    r"president|presidenten|general|colonel|official|mayor|chief|enligt|säger|sade|talesperson|talesman|ledaren|"
    r"guvernör|guvernören|minister|ministern|borgmästare|borgmästaren|chefen|generalen|överste|"
    r"selon|porte-parole|gouverneur|ministre|maire|chef|colonel|général)\b,?)\s+(?:\w+\s+){0,1}$",
    re.IGNORECASE)
_SAID_AFTER = re.compile(r",?\s+(?:said|says|told|added|säger|sade|uppger|uppgav|a\s+déclaré|a\s+dit|"
                         r"a\s+indiqué|a\s+affirmé)\b", re.IGNORECASE)
_APPOSITION = re.compile(r",\s+(?:a|an|the|en|ett|un|une|le|la)\s+(?:\w+\s+){0,3}(?:leader|spokes\w+|official|"
                         r"commander|resident|ledare|talesperson|invånare|chef|responsable|habitant|porte-parole)",
                         re.IGNORECASE)
#: Lower-case words inside a country's name ("Democratic Republic of Congo", "République démocratique du
#: Congo", "Demokratiska republiken Kongo").
_CONNECTORS = frozenset("of the and du de la des del och démocratique democratique centrafricaine republiken "
                        "république demokratiska".split())
#: Fewest geocoder points (0-100) for a name found in the text to count as a place.
MIN_SCORE = 90.0


@dataclass
class PlaceMention:
    """A place the geocoder found for a name in the text."""

    name: str                 # the gazetteer's name (the location value)
    country: str              # ISO alpha-2
    admin1: str               # province name ("" when unknown)
    precision: int            # ACLED geo_precision of the answer
    kind: str                 # gazetteer kind (populated, facility, admin1, ...)
    span: tuple[int, int]
    surface: str
    score: float              # 0-1
    lat: float | None = None
    lon: float | None = None
    phrase: str = ""


@dataclass
class CountryMention:
    country: str
    span: tuple[int, int]
    surface: str


@lru_cache(maxsize=8)
def _demonyms(lang: str) -> tuple[tuple[str, str], ...]:
    return tuple((fold_same_length(s), cc) for lg, s, cc in DEMONYMS if lg == lang)


@lru_cache(maxsize=1)
def _arabic_country_names() -> dict[str, str]:
    """Arabic country names (the geocoder's exonyms), folded as the text is: an Arabic word is a country
    only when it is one of these (the transliterating fold would match "تشهد" to Chad)."""
    from incidentkit.geocode.countries import _EXONYMS

    out = {}
    for cc, names in _EXONYMS.items():
        for n in names:
            if _ARABIC.search(n):
                out[fold_same_length(n)] = cc
    return out


def _country_of_token(word: str, lang: str) -> str | None:
    word = re.sub(r"['’]s$", "", word)  # "Mexico's"
    if len(word) <= 3 or word.isupper():  # "IS" is Iceland's code, "SDF" nothing: codes are not names here
        return None
    if _ARABIC.search(word):
        names = _arabic_country_names()
        word = no_tatweel(word)
        for v in (word, *phrases.clitic_variants(word)):
            cc = names.get(fold_same_length(v))
            if cc:
                return cc
        return None
    return country_code(word)


def find_countries(text: str, lang: str, toks: list[Token] | None = None) -> list[CountryMention]:
    """Country names, exonyms and nationality adjectives in the text, in text order."""
    toks = tokens(text) if toks is None else toks
    out: list[CountryMention] = []
    used: set[int] = set()
    for n in (5, 4, 3, 2, 1):
        for i in range(len(toks) - n + 1):
            if any(j in used for j in range(i, i + n)):
                continue
            a, b = toks[i].start, toks[i + n - 1].end
            surface = text[a:b]
            if n > 1 and not _ARABIC.search(surface) and not (
                    toks[i].text[0].isupper() and all(t.text[0].isupper() or t.text.lower() in _CONNECTORS
                                                      for t in toks[i:i + n])):
                continue
            if n == 1 and not _ARABIC.search(surface) and not surface[0].isupper():
                continue
            cc = _country_of_token(surface, lang)
            if cc:
                out.append(CountryMention(cc, (a, b), surface))
                used.update(range(i, i + n))
    # "eastern Congo" in a report that names the Democratic Republic of Congo is that country
    longer = [(c.surface, c.country) for c in out if " " in c.surface]
    for c in out:
        if " " not in c.surface:
            for surface, cc in longer:
                bare = re.sub(r"['’]s$", "", c.surface)
                if cc != c.country and re.search(r"(?<!\w)" + re.escape(bare) + r"(?!\w)", surface):
                    c.country = cc
    dem = _demonyms(lang)
    for i, t in enumerate(toks):
        if i in used:
            continue
        low = no_tatweel(fold_same_length(t.text))
        if lang == "ar":  # "الروسية", "والسوري", "روسية": clitic and article first
            low = re.sub(r"^[وبل]?(?:ال)?", "", low) if len(low) > 5 else low
        for stem, cc in dem:
            if low.startswith(stem):
                out.append(CountryMention(cc, (t.start, t.end), t.text))
                break
    return sorted(out, key=lambda c: c.span)


def _admin1_of(geocoder: Any, res: Any) -> tuple[str, str]:
    """(province name, gazetteer kind) of a found place, from the geocoder's index."""
    from incidentkit.geocode.normalize import fold

    try:
        ix = geocoder.index
        cc = res.country
        for p in ix.exact_postings(fold(res.matched_name), cc):
            i = p >> 1
            if ix.country[i] == cc and ix.gid[i] == res.gazetteer_id:
                kind = ix.kind[i]
                if kind == "admin1":
                    return ix.names[i], kind
                rec = ix.admin1_record.get((cc, ix.admin1[i]))
                return (ix.names[rec] if rec is not None else ""), kind
    except Exception:  # the index layout is the geocoder's business: without it, no admin1
        return "", ""
    return "", ""


def _candidates(text: str, lang: str, toks: list[Token], blocked: list[tuple[int, int]]) -> list[tuple[str, int, int]]:
    """(query, start, end): names to look up, longest first within each run."""
    def free(a: int, b: int) -> bool:
        return not any(a < y and x < b for x, y in blocked)

    out: list[tuple[str, int, int]] = []
    if lang == "ar":
        for i, t in enumerate(toks):
            if not _ARABIC.search(t.text):
                continue
            starts = []
            prev = no_tatweel(fold_same_length(toks[i - 1].text)) if i > 0 else ""
            prev2 = no_tatweel(fold_same_length(toks[i - 2].text)) if i > 1 else ""
            w = no_tatweel(fold_same_length(t.text))
            if w in _ar_set(ARABIC_NOT_PLACES) or text[toks[i - 1].end:t.start].strip() if i > 0 else False:
                pass  # a common noun, or punctuation between the cue and the word
            elif prev in _ar_set(ARABIC_CUES) or (prev2, prev) in _ar_pairs() or w in _ar_set(ARABIC_FACILITIES):
                starts.append(i)
            elif len(w) > 4 and w[0] in "بو" and w[1:3] == "ال":
                starts.append(i)
            for s in starts:
                for n in (3, 2, 1):
                    if s + n <= len(toks):
                        a, b = toks[s].start, toks[s + n - 1].end
                        if free(a, b) and re.search(r"[.,;:،؛\n()«»\"-]", text[a:b]) is None:
                            q = no_tatweel(text[a:b])
                            head, _, rest = q.partition(" ")
                            if len(head) > 4 and head[0] in "وبلف" and head[1:3] in ("ال", "ٱل"):
                                # "بالحسكة": without the clitic first (glued, it can match worldwide by sound)
                                out += [(" ".join(filter(None, (v, rest))), a, b) for v in phrases.clitic_variants(head)
                                        if v.startswith("ال")]
                            cue = no_tatweel(toks[s - 1].text) if s > 0 else ""
                            for c in (cue, *phrases.clitic_variants(cue)):
                                if fold_same_length(c) in _ar_set(ARABIC_PROVINCE_CUES):
                                    # "بولاية الجزيرة": the province phrase, read by the geocoder
                                    out.append((f"{c} {q}", toks[s - 1].start, b))
                                    break
                            out.append((q, a, b))
        return out
    heads = [(fold_same_length(suf), head) for lg, suf, head, _ in COMPOUND_HEADS if lg == lang]
    facilities = {fold_same_length(w): head for lg, w, head, _ in FACILITY_WORDS if lg == lang}

    def capital(x: Token) -> bool:
        return x.text[0].isupper() or bool(re.match(r"^[a-z]{1,3}-[A-ZÀ-ÝĀ-Ž]", x.text))

    runs: list[list[int]] = []
    i, n = 0, len(toks)
    while i < n:
        if not capital(toks[i]):
            i += 1
            continue
        j = i + 1
        while j < n and text[toks[j - 1].end:toks[j].start] in (" ", "-") and (
                capital(toks[j]) or (toks[j].text.lower() in _PARTICLES and j + 1 < n and capital(toks[j + 1]))):
            j += 1
        runs.append(list(range(i, j)))
        i = j
    # people: a name with a title or a speech verb next to it ("said Babakura Kolo", "spokesman Onyema
    # Nwachukwu said", "Kolo told Reuters"); each of its words is a person's name everywhere in the text
    people: set[str] = set()
    for run in runs:
        a, b = toks[run[0]].start, toks[run[-1]].end
        said = _SAID_AFTER.match(text, b)
        apposition = 2 <= len(run) <= 3 and _APPOSITION.match(text, b)
        if _PERSON_BEFORE.search(text[max(0, a - 40):a]) or said or apposition:
            people.update(toks[k].text for k in run)
    for run0 in runs:
        i, j = run0[0], run0[-1] + 1
        run = list(range(i, j))
        while run and fold_same_length(toks[run[0]].text) in _STOP:
            run = run[1:]
        if any(toks[k].text in people for k in run):
            continue
        for length in range(min(len(run), 4), 0, -1):
            # a name ends a run only where the run ends or a place word follows: "Kambale Muhindo" is a
            # person, "Tierra Blanca" a neighbourhood, neither "Muhindo" nor "Blanca"
            for k in range(0, 1 if length < len(run) else len(run) - length + 1):
                first, last = run[k], run[k + length - 1]
                a, b = toks[first].start, toks[last].end
                if not free(a, b):
                    continue
                name = text[a:b]
                low = fold_same_length(name)
                if length == 1 and low in _STOP:
                    continue
                for suf, head in heads:  # a Swedish compound or definite form: "Gweiranfängelset"
                    if low.endswith(suf) and len(low) > len(suf) + 2:
                        out.append((f"{name[: len(name) - len(suf)].rstrip('-')} {head}", a, b))
                if lang == "en" and last + 1 < n and fold_same_length(toks[last + 1].text) in facilities:
                    nxt = toks[last + 1]  # "Ghwayran prison"
                    out.append((f"{name} {facilities[fold_same_length(nxt.text)]}", a, nxt.end))
                before = text[max(0, a - 20):a]
                m = re.search(r"(\w+)\s+(?:de\s+|d'|d’|i\s+|of\s+)?$", before)
                if lang != "en" and m and fold_same_length(m.group(1)) in facilities:  # "la prison de X"
                    out.append((f"{name} {facilities[fold_same_length(m.group(1))]}", a - len(before) + m.start(), b))
                if re.search(r"['’]s$", name):  # "Sinaloa's"
                    out.append((name[:-2], a, b))
                if lang == "sv" and low.endswith("s") and len(low) > 4:  # a genitive: "Hasakehs"
                    out.append((name[:-1], a, b))
                out.append((name, a, b))
    return out


@lru_cache(maxsize=16)
def _ar_set(words: frozenset[str]) -> frozenset[str]:
    return frozenset(fold_same_length(w) for w in words)


@lru_cache(maxsize=1)
def _ar_pairs() -> frozenset[tuple[str, str]]:
    return frozenset((fold_same_length(a), fold_same_length(b)) for a, b in ARABIC_CUE_PAIRS)


def _phrase_context(text: str, a: int, b: int, name: str) -> tuple[str, int]:
    """The place phrase around a name ("near X", "norr om X", "près de X", "ريف X"), with its start."""
    before = text[max(0, a - 40):a]
    words = list(re.finditer(r"\S+", before))
    for k in range(min(4, len(words)), 0, -1):
        w0 = words[-k]
        chunk = before[w0.start():]
        if re.search(r"[.,;:!?،]", chunk):
            continue
        ph = phrases.parse(chunk + name)
        if ph is not None and ph.family not in ("part-of", "between"):
            return chunk + name, a - len(before) + w0.start()
    return "", a


#: Words after a name that make it an administrative unit ("Sagaing region", "Beni territory", "Idlib
#: province"): the name and the word are looked up together, as the geocoder's place phrases read them.
UNIT_WORDS = ("region", "province", "state", "governorate", "district", "territory", "county", "township",
              "municipality", "prefecture", "département", "région", "préfecture", "territoire", "cercle",
              "provinsen", "regionen", "distriktet", "länet")
_UNIT_AFTER = re.compile(r"[ \t]+(?:" + "|".join(UNIT_WORDS) + r")(?!\w)", re.IGNORECASE)


def _accept(res: Any, query: str) -> bool:
    short = len(query) <= 4 and not _ARABIC.search(query)  # "Gao" yes, a fuzzy "Goa" no
    return res.found and res.score >= MIN_SCORE and not (short and res.score < 100)


def find_places(text: str, lang: str, geocoder: Any, countries: list[str | None],
                blocked: list[tuple[int, int]] = (), toks: list[Token] | None = None) -> list[PlaceMention]:
    """Places the geocoder finds for the text's candidate names, tried in ``countries`` in order. A name
    with several namesakes is tried again near the places the report names without doubt."""
    toks = tokens(text) if toks is None else toks
    out: list[PlaceMention] = []
    taken: list[tuple[int, int]] = []
    ambiguous: list[tuple[str, int, int]] = []

    def place(found: Any, query: str, a: int, b: int) -> None:
        unit = _UNIT_AFTER.match(text, b)
        if unit is not None:  # "Sagaing region": the region, not the town
            r = geocoder.geocode(query + unit.group(), found.country)
            if r.found:
                found, b = r, unit.end()
        phrase, pa = _phrase_context(text, a, b, query)
        prec = found.geo_precision or 1
        ph = found.phrase
        if phrase:
            r2 = geocoder.geocode(phrase, found.country)
            if r2.found:
                prec, ph, a = r2.geo_precision or prec, r2.phrase, pa
        admin1, kind = _admin1_of(geocoder, found)
        score = found.score / 100.0 * (0.9 if kind == "admin1" else 1.0)
        taken.append((a, b))
        out.append(PlaceMention(found.matched_name, found.country or "", admin1, prec, kind, (a, b), text[a:b],
                                min(0.95, score), found.latitude, found.longitude, ph))

    for query, a, b in _candidates(text, lang, toks, list(blocked)):
        if any(a < y and x < b for x, y in taken):
            continue
        found = None
        for cc in countries or [None]:
            res = geocoder.geocode(query, cc)
            if _accept(res, query):
                found = res
                break
            if res.ambiguous and cc is not None:
                ambiguous.append((query, a, b))
        if found is not None:
            place(found, query, a, b)
    near = tuple((p.lat, p.lon) for p in out if p.lat is not None and p.kind != "admin1")
    for query, a, b in ambiguous if near else ():
        if any(a < y and x < b for x, y in taken):
            continue
        for cc in countries:
            res = geocoder.geocode(query, cc, near=near)
            if _accept(res, query):
                place(res, query, a, b)
                break
    return sorted(out, key=lambda p: p.span)
