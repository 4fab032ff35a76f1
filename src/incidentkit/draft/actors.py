"""Actors named in a report, through the project's actor vocabulary.

Two sources, both resolved to names the vocabulary accepts for the incident's country and date:

* every alias of every actor valid there (``Vocabulary.names_for`` and each name's aliases, in any
  language: IS, Daesh, داعش, IS-medlemmar, SDF, قسد, "kurdledda styrkor"), matched as whole words; a
  short capitalised alias (IS, SDF, EI) only as written, never "is" or "ei"; an Arabic clitic (وداعش) and
  a Swedish compound tail ("SDF-styrkorna", "IS-medlemmar") are read through;
* the role words of :data:`ACTOR_WORDS` (soldiers, soldater, soldats, الجيش; civilians, civila, مدنيين;
  gunmen ...), which name a state or generic actor of the country ("Military Forces of Iraq (2020-2022)",
  "Civilians (Syria)"); a nationality adjective beside the word ("irakiska soldater") names the country.

A group named for all its branches ("Islamic State") is given as the incident country's branch when the
vocabulary has one ("Islamic State (Syria)"), as ``Vocabulary.search`` does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from incidentkit.draft.text import _ARABIC_FOLD, Token, arabic_flex, fold_same_length, no_tatweel, tokens
from incidentkit.geocode import phrases

__all__ = ["ACTOR_WORDS", "AGENT_CUES", "ActorMention", "find_actors"]

#: (language, pattern, actor, example): role words. ``state:<prefix>`` is the country's state actor of
#: the period covering the date, ``generic:<label>`` the country's generic actor, ``alias:<text>`` what the
#: vocabulary finds for that text in the country; a trailing ``~`` marks a weak word (people, personer,
#: personnes) that ranks below every actor the report names.
ACTOR_WORDS: tuple[tuple[str, str, str, str], ...] = (
    ("en", r"soldiers?|troops|army|military|armed\s+forces|government\s+forces|regime\s+forces", "state:Military Forces", "Iraqi soldiers"),
    ("en", r"police(?:men)?|policemen|police\s+officers?", "state:Police Forces", "police officers"),
    ("en", r"security\s+forces", "state:Military Forces", "security forces"),
    ("en", r"rebels|insurgents|militants|jihadists", "generic:Unidentified Armed Group", "rebels seized the town"),
    ("en", r"civilians?|villagers|residents|worshippers|passengers|farmers", "generic:Civilians", "five civilians"),
    ("en", r"people|persons|women|children|men", "generic:Civilians~", "killed five people"),
    ("en", r"protesters|demonstrators|protestors", "generic:Protesters", "protesters gathered"),
    ("en", r"rioters", "generic:Rioters", "rioters burned"),
    ("en", r"gunmen|armed\s+men|unidentified\s+(?:attackers|assailants|gunmen)", "generic:Unidentified Armed Group", "gunmen opened fire"),
    ("en", r"prisoners|inmates|detainees|escapees", "generic:Prisoners", "prisoners escaped"),
    ("en", r"(?:US-led\s+)?coalition", "alias:US-led coalition", "the US-led coalition"),
    ("en", r"kurdish(?:-led)?\s+(?:forces|fighters|troops)", "alias:SDF", "Kurdish-led forces"),
    ("sv", r"soldat(?:er|erna)?|armén|militären|trupper(?:na)?|regeringsstyrkor(?:na)?|regimstyrkor(?:na)?", "state:Military Forces", "elva irakiska soldater"),
    ("sv", r"polis(?:en|er|erna)?|poliser", "state:Police Forces", "polisen"),
    ("sv", r"säkerhetsstyrkor(?:na)?", "state:Military Forces", "säkerhetsstyrkorna"),
    ("sv", r"rebeller(?:na)?|upprorsmän(?:nen)?|militanta|jihadister(?:na)?", "generic:Unidentified Armed Group", "rebeller intog staden"),
    ("sv", r"civila|bybor(?:na)?|civilbefolkningen", "generic:Civilians", "fem civila"),
    ("sv", r"personer|människor|kvinnor|barn|män", "generic:Civilians~", "fem personer dödades"),
    ("sv", r"demonstranter(?:na)?", "generic:Protesters", "demonstranterna"),
    ("sv", r"beväpnade\s+män|okända\s+gärningsmän", "generic:Unidentified Armed Group", "beväpnade män"),
    ("sv", r"fång(?:ar|arna)|interner(?:na)?", "generic:Prisoners", "89 flyende fångar"),
    ("sv", r"(?:den\s+)?(?:USA-ledda\s+)?koalitionen", "alias:US-led coalition", "den USA-ledda koalitionen"),
    ("sv", r"kurdiska\s+(?:styrkor(?:na)?|soldater|stridande)", "alias:SDF", "kurdiska soldater"),
    ("fr", r"soldats?|militaires|armée|forces\s+armées|FAMa|troupes", "state:Military Forces", "des soldats maliens"),
    ("fr", r"policiers?|gendarmes?|police|gendarmerie", "state:Police Forces", "deux gendarmes"),
    ("fr", r"forces\s+de\s+(?:sécurité|défense\s+et\s+de\s+sécurité)", "state:Military Forces", "les forces de sécurité"),
    ("fr", r"rebelles|insurgés|jihadistes|djihadistes|terroristes", "generic:Unidentified Armed Group", "des jihadistes ont attaqué"),
    ("fr", r"civils|villageois|habitants|fidèles", "generic:Civilians", "des civils"),
    ("fr", r"personnes|femmes|enfants", "generic:Civilians~", "cinq personnes tuées"),
    ("fr", r"manifestants", "generic:Protesters", "des manifestants"),
    ("fr", r"émeutiers", "generic:Rioters", "des émeutiers"),
    ("fr", r"hommes\s+armés|individus\s+armés|assaillants|inconnus\s+armés", "generic:Unidentified Armed Group", "des hommes armés"),
    ("fr", r"détenus|prisonniers", "generic:Prisoners", "des détenus"),
    ("fr", r"(?:la\s+)?coalition(?:\s+internationale)?", "alias:US-led coalition", "la coalition internationale"),
    ("fr", r"forces\s+kurdes|combattants\s+kurdes", "alias:SDF", "les forces kurdes"),
    ("ar", r"الجيش|جنود|الجنود|جندي(?:ان|ين|ا)?|القوات\s+الحكومية|قوات\s+النظام|القوات\s+المسلحة", "state:Military Forces", "الجيش العراقي"),
    ("ar", r"الشرطة|الشرطه|رجال\s+الامن|عناصر\s+الشرطة", "state:Police Forces", "عناصر الشرطة"),
    ("ar", r"قوات\s+الامن|القوات\s+الامنية|الاجهزة\s+الامنية", "state:Military Forces", "قوات الأمن الصومالية"),
    ("ar", r"المتمردين|المتمردون|متمردين|مسلحي\s+المعارضة", "generic:Unidentified Armed Group", "المتمردين"),
    ("ar", r"مدنيين|المدنيين|مدنيون|المدنيون|السكان|الاهالي|مواطنين", "generic:Civilians", "مقتل خمسة مدنيين"),
    ("ar", r"اشخاص|شخصا|شخص|نساء|اطفال|مواطنا", "generic:Civilians~", "مقتل خمسة أشخاص"),
    ("ar", r"متظاهرين|المتظاهرين|المتظاهرون|محتجين|المحتجين", "generic:Protesters", "المتظاهرين"),
    ("ar", r"مسلحين\s+مجهولين|مسلحون\s+مجهولون|مجهولين|مسلحين|مسلحون", "generic:Unidentified Armed Group", "مسلحون مجهولون"),
    ("ar", r"السجناء|سجناء|المعتقلين|الفارين|السجن\s+من\s+عناصر", "generic:Prisoners", "السجناء"),
    ("ar", r"التحالف\s+الدولي|التحالف", "alias:التحالف الدولي", "التحالف الدولي"),
    ("ar", r"القوات\s+الكردية|المقاتلين\s+الاكراد", "alias:SDF", "القوات الكردية"),
)

#: (language, cue before an actor that makes it the one acting): "by", "av", "par", "من قبل".
AGENT_CUES: dict[str, str] = {
    "en": r"\b(?:by|claimed\s+by)\s+(?:\S+\s+){0,3}$",
    "sv": r"\bav\s+(?:\S+\s+){0,2}$",
    "fr": r"\bpar\s+(?:\S+\s+){0,3}$",
    "ar": r"(?:من\s+قبل|على\s+يد|شنها|شنه|شنته|شنتها|نفذها|نفذه|نفذته|تبنى|تبناه|تبنت)\s+(?:\S+\s+){0,3}$"}

#: Actor types that are victims or bystanders more often than the actor who acts.
_VICTIM_INTERS = frozenset({6, 7})
_SPEAKER = re.compile(r"\s*,?\s*(?:said|say|says|told|säger|sade|sa|uppger|uppgav|ont\s+dit|a\s+dit|disent|قال|قالوا|افاد)(?!\w)",
                      re.IGNORECASE)
#: Swedish definite endings read through when an alias is written definite ("styrkorna", "armén").
_SV_DEFINITE = ("na", "en", "et", "n")
_SPEAKER_BEFORE = re.compile(r"(?:said|says|told|according\s+to|uppger|uppgav|säger|sade|enligt|selon|a\s+indiqué|"
                             r"قال|قالت|وفق|بحسب|حسب)\s+(?:the\s+|l['’]|la\s+|le\s+|les\s+)?$", re.IGNORECASE)
#: "armed men from al-Shabaab", "hommes armés de l'EI": the generic words belong to the group named after.
_OF = re.compile(r"(?:\s+\w+)?\s+(?:from|of|från|av|de|du|des|d['’]|من)(?:\s|(?<=['’]))", re.IGNORECASE)
_SHORT = re.compile(r"^[A-ZÅÄÖ]{2,5}$")


#: Written as acting right after the name: "militants who attacked", "som anföll", "qui ont attaqué",
#: "الذين هاجموا": the attackers, even when they are the ones killed.
AGENT_AFTER: dict[str, str] = {
    "en": r"(?:\s+\w+){0,2}\s*,?\s*(?:(?:who|which|that)\s+(?:had\s+)?(?:attacked|ambushed|stormed|raided|launched|"
          r"opened\s+fire)|(?:has\s+|have\s+)?claimed(?:\s+responsibility)?)",
    "sv": r"(?:\s+\w+){0,2}\s*,?\s*(?:(?:som|vilka)\s+(?:hade\s+)?(?:anföll|attackerade|angrep|stormade|öppnade\s+eld)|"
          r"(?:har\s+)?(?:tagit|tog)\s+på\s+sig)",
    "fr": r"(?:\s+\w+){0,2}\s*,?\s*(?:(?:qui|lesquels)\s+(?:ont|avaient|a|avait)\s+(?:attaqué|pris\s+d'assaut|tendu|"
          r"ouvert\s+le\s+feu)|(?:a|ont)\s+revendiqué)",
    "ar": r"(?:\s+\S+){0,2}\s*(?:الذين|التي|الذي)\s+(?:هاجموا|هاجمت|هاجم|اقتحموا|اقتحمت|شنوا)",
}


@dataclass
class ActorMention:
    name: str
    inter: int | None
    span: tuple[int, int]
    agent: bool = False      # written as the one acting ("by X", "av X", "X who attacked")
    attacker: bool = False   # "X who attacked": acting even when killed
    source: str = "alias"    # alias | word


def _fold(s: str) -> str:
    return " ".join(no_tatweel(fold_same_length(s.translate(_ARABIC_FOLD))).split())


@lru_cache(maxsize=256)
def _alias_table(vocabulary: Any, cc: str | None, day: date | None) -> tuple[dict[str, list[str]], int]:
    """folded alias -> names valid for (cc, day); and the longest alias in words."""
    names = vocabulary.names_for(cc, day) if cc else []
    table: dict[str, list[str]] = {}
    longest = 1
    for name in names:
        info = vocabulary.lookup(name)
        aliases = [name, *(info.aliases if info is not None else ())]
        # "Boko Haram - Jamaatu ...": the common part before " - "; "JNIM: Group for ...": both parts
        if " - " in name:
            aliases.append(name.split(" - ", 1)[0])
        if ": " in name:
            aliases += name.split(": ", 1)
        for al in aliases:
            if len(al) < 2:
                continue
            k = _fold(al)
            if name not in table.setdefault(k, []):
                table[k].append(name)
            longest = max(longest, len(k.split()))
    for k, targets in table.items():  # a name written in full is that name, before names it is an alias of
        targets.sort(key=lambda t: _fold(t) != k)
    return table, min(longest, 6)


def _branch(vocabulary: Any, name: str, cc: str | None) -> str:
    """"Islamic State" -> "Islamic State (Syria)" when the vocabulary has the country's branch."""
    if not cc:
        return name
    from incidentkit.actors.grammar import acled_country_name

    per = f"{name} ({acled_country_name(cc)})"
    return per if vocabulary.lookup(per) is not None else name


def _resolve_word(vocabulary: Any, template: str, cc: str | None, day: date | None) -> str | None:
    if not cc:
        return None
    kind, _, what = template.partition(":")
    if kind == "state":
        from incidentkit.actors.grammar import state_name

        p = vocabulary.period_on(cc, day) if day else None
        return state_name(what, p.acled_country, p.period) if p is not None else None
    if kind == "generic":
        from incidentkit.actors.grammar import acled_country_name

        name = f"{what} ({acled_country_name(cc)})"
        return name if vocabulary.lookup(name) is not None else None
    hits = vocabulary.search(what, cc, day, limit=3)
    exact = [h for h in hits if _fold(what) in {_fold(a) for a in (h.name, *h.aliases)}]
    return (exact or hits or [None])[0].name if (exact or hits) else None


@lru_cache(maxsize=8)
def _word_patterns(lang: str) -> list[tuple[re.Pattern[str], str]]:
    pre = r"(?:[وفبل])?" if lang == "ar" else ""
    return [(re.compile(arabic_flex(r"(?<!\w)" + pre + "(?:" + pat + r")(?!\w)"), re.IGNORECASE), tpl)
            for lg, pat, tpl, _ in ACTOR_WORDS if lg == lang]


def _agent(text: str, a: int, lang: str) -> bool:
    before = no_tatweel(fold_same_length(text[max(0, a - 50):a]))
    before = re.split(r"[.;:!?؟،,\n]", before)[-1]  # the same clause
    return re.search(arabic_flex(AGENT_CUES[lang]), before, re.IGNORECASE) is not None


def find_actors(text: str, lang: str, vocabulary: Any, cc: str | None, day: date | None,
                start: int = 0, end: int | None = None, toks: list[Token] | None = None,
                demonyms: list[tuple[tuple[int, int], str]] = ()) -> list[ActorMention]:
    """Actor mentions in ``text[start:end]`` for an incident in ``cc`` on ``day``, in text order."""
    end = len(text) if end is None else end
    toks = [t for t in (tokens(text) if toks is None else toks) if t.start >= start and t.end <= end]
    table, longest = _alias_table(vocabulary, cc, None)  # every period: cached per country, filtered below
    out: list[ActorMention] = []
    taken: list[tuple[int, int]] = []

    def add(name: str, a: int, b: int, source: str) -> None:
        if any(a < y and x < b for x, y in taken):
            return
        info = vocabulary.lookup(name)
        taken.append((a, b))
        after = re.match(arabic_flex(AGENT_AFTER[lang]), no_tatweel(fold_same_length(text[b:b + 40])), re.IGNORECASE)
        out.append(ActorMention(name, info.inter if info is not None else None, (a, b),
                                agent=_agent(text, a, lang) or after is not None, attacker=after is not None,
                                source=source))

    folded_text = fold_same_length(text)
    first_words = {k.split(" ", 1)[0] for k in table}
    for n in range(longest, 0, -1):
        for i in range(len(toks) - n + 1):
            a, b = toks[i].start, toks[i + n - 1].end
            if any(a < y and x < b for x, y in taken):
                continue
            surface = text[a:b]
            key = " ".join(no_tatweel(folded_text[a:b]).split())
            if n > 1 and re.sub(r"^\w{1,2}['’]", "", key.split(" ", 1)[0]) not in first_words and not (
                    lang == "ar" and any(v in first_words for v in phrases.clitic_variants(key.split(" ", 1)[0]))):
                continue
            keys = [(key, b)]
            if re.search(r"['’]s$", key):  # "Islamic State's"
                keys.append((key[:-2], b - 2))
            if n > 1 and re.match(r"^\w{1,2}['’]", key):  # "l’état islamique": the elided article dropped
                keys.append((re.sub(r"^\w{1,2}['’]", "", key), b))
            if lang == "ar" and n > 1:  # a clitic on the first word: "لقوات سوريا الديمقراطية"
                head, _, rest = key.partition(" ")
                keys += [(f"{v} {rest}", b) for v in phrases.clitic_variants(head)]
            # plurals and Arabic case endings: "Houthis"/"Houthi", "الحوثيين"/"الحوثيون"/"الحوثي"
            base = key
            if lang == "ar":
                if key.endswith(("ين", "ون")):
                    base = key[:-2]
                keys += [(base + "ون", b), (base + "ين", b), (base, b)]
            else:
                keys += [(key + "s", b)] + ([(key[:-1], b)] if key.endswith("s") and len(key) > 4 else [])
            if lang == "sv" and n > 1:  # a definite form: "de kurdledda styrkorna" for "kurdledda styrkor"
                keys += [(key[: -len(suf)], b) for suf in _SV_DEFINITE if key.endswith(suf)]
            if n == 1:
                if "-" in surface:  # "IS-medlemmar", "SDF-styrkorna"
                    head = surface.split("-", 1)[0]
                    keys.append((_fold(head), a + len(head)))
                m = re.match(r"^\w{1,2}['’](\w.*)$", surface)  # "L'EI", "d'EI"
                if m:
                    keys.append((_fold(m.group(1)), b))
                keys += [(_fold(v), b) for v in phrases.clitic_variants(surface)]
            for k, kb in keys:
                names = table.get(k)
                if not names:
                    continue
                written = text[a:kb] if kb <= b else surface
                written = re.sub(r"^\w{1,2}['’]", "", written)
                short_alias = [x for x in names if any(_SHORT.match(al) and _fold(al) == k for al in
                                                       (x, *(getattr(vocabulary.lookup(x), "aliases", ()) or ())))]
                if short_alias and not _SHORT.match(written.split("-")[0]) and not re.search(r"[\u0600-\u06FF]", written):
                    continue  # "is" is not IS
                valid = [x for x in names if day is None or vocabulary.valid_for(x, cc, day)]
                if not valid:
                    continue
                add(_branch(vocabulary, valid[0], cc), a, b, "alias")
                break
    folded = folded_text
    words = [(m.span(), tpl) for rx, tpl in _word_patterns(lang) for m in rx.finditer(folded, start, end)]
    for (a, b), tpl in sorted(words, key=lambda w: (w[0][0] - w[0][1], w[0][0])):  # longest first
        if True:
            here = cc
            for (x, y), dcc in demonyms:  # "irakiska soldater", "l'armée malienne", "الجيش العراقي"
                if 0 <= a - y <= 2 or 0 <= x - b <= 2:
                    here = dcc
            if _SPEAKER.match(folded, b) or _SPEAKER_BEFORE.search(folded[max(0, a - 25):a]):
                continue  # "residents said", "uppger polisen", "selon l'armée": a source, not an actor
            if tpl.startswith("generic:Unidentified") and any(
                    m.source == "alias" and (0 <= a - m.span[1] <= 3 or 0 <= m.span[0] - b <= 12 or (
                        0 <= m.span[0] - b <= 60 and _OF.match(folded, b))) for m in out):
                continue  # "Islamic State militants", "jihadistes de l'EI": the named group, not another actor
            name = _resolve_word(vocabulary, tpl.rstrip("~"), here, day)
            if name:  # "~": a weak word (people, personer): civilians only when nothing better is named
                add(name, a, b, "weak" if tpl.endswith("~") else "word")
    return sorted(out, key=lambda m: m.span)
