"""Event and sub-event type from trigger words, per language, under ACLED's rules.

:data:`TRIGGERS` is data: (language, pattern, event_type, sub_event_type, weight, example). Patterns are
regular expressions matched case-insensitively on the folded text at the start of a word (a stem such as
``strid`` matches "striderna"); Arabic patterns admit a glued clitic (و ب ل ف) and the article. The
weights add up per sub-event type over the incident's sentences; :func:`classify` then applies ACLED's
rules (:data:`RULES`, in order) before ranking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from incidentkit.codebook import vocab
from incidentkit.draft.text import arabic_flex, fold_same_length

__all__ = ["RULES", "TRIGGERS", "Trigger", "classify", "find_triggers"]

B, E, V, P, R, S = ("Battles", "Explosions/Remote violence", "Violence against civilians", "Protests", "Riots",
                    "Strategic developments")
CLASH, AIR, SHELL, IED, SUICIDE, GRENADE = ("Armed clash", "Air/drone strike", "Shelling/artillery/missile attack",
                                            "Remote explosive/landmine/IED", "Suicide bomb", "Grenade")
TAKE, REGAIN = "Non-state actor overtakes territory", "Government regains territory"

#: (language, pattern, event_type, sub_event_type, weight, example)
TRIGGERS: tuple[tuple[str, str, str, str, float, str], ...] = (
    # -- English ------------------------------------------------------------------------------------
    ("en", r"clash\w*|fighting|fought|gun\s*battles?|firefights?|exchanges?\s+of\s+fire|battles?\b|battled|skirmish\w*", B, CLASH, 1.0, "clashes broke out"),
    ("en", r"attack\w*|assault\w*|raid(?:s|ed)?\b|ambush\w*|stormed", B, CLASH, 0.6, "militants attacked the prison"),
    ("en", r"took\s+control|seized\s+control|seized\s+the\s+(?:town|village|city)|captured\s+the\s+(?:town|village|city)|overran|overrun", B, TAKE, 0.9, "took control of the town"),
    ("en", r"recaptured\s+the\s+(?:town|village|city)|retook|regained\s+control", B, REGAIN, 0.9, "the army retook the town"),
    ("en", r"air\s*strikes?|airstrikes?|air\s+raids?|drone\s+(?:strikes?|attacks?)|drones?\b|warplanes?|bombed\s+from\s+the\s+air|air\s+attacks?", E, AIR, 1.2, "coalition air strikes"),
    ("en", r"shell(?:ed|ing|s)\b|artillery|mortars?\b|rockets?\b|missiles?\b", E, SHELL, 0.9, "artillery shelling"),
    ("en", r"car\s+bombs?|roadside\s+bombs?|improvised\s+explosive|ieds?\b|landmines?|explosive\s+devices?|bomb(?:s|ing|ings)?\b|explosions?|blasts?\b|detonated", E, IED, 0.8, "a car bomb detonated"),
    ("en", r"suicide\s+(?:bomb\w*|attack\w*|car\s+bomb\w*)", E, SUICIDE, 1.5, "a suicide bomber"),
    ("en", r"grenades?", E, GRENADE, 1.0, "a grenade was thrown"),
    ("en", r"opened\s+fire|shot\s+dead|gunned\s+down|killed|shot\b|stabbed|beheaded", B, CLASH, 0.3, "gunmen opened fire"),
    ("en", r"massacr\w*|executed|execution", V, "Attack", 0.8, "a massacre of villagers"),
    ("en", r"kidnap\w*|abduct\w*", V, "Abduction/forced disappearance", 1.0, "gunmen kidnapped"),
    ("en", r"raped|rape\b|sexual\s+violence", V, "Sexual violence", 1.0, "women were raped"),
    ("en", r"protest\w*|demonstrat\w*|rall(?:y|ied|ies)\b|marched", P, "Peaceful protest", 0.8, "hundreds protested"),
    ("en", r"tear\s*gas|dispersed?\b|water\s+cannon", P, "Protest with intervention", 0.9, "police fired tear gas"),
    ("en", r"riot\w*|looted|looting", R, "Violent demonstration", 0.8, "rioters burned tyres"),
    ("en", r"arrest\w*|detain\w*|rounded\s+up|recaptured\s+\d+", S, "Arrests", 0.9, "recaptured 89 escapees"),
    ("en", r"ceasefire|truce|prisoner\s+exchange|peace\s+(?:deal|agreement)", S, "Agreement", 0.6, "a ceasefire was agreed"),
    ("en", r"defused|intercepted|dismantled", S, "Disrupted weapons use", 0.8, "a bomb was defused"),
    ("en", r"torched|set\s+(?:on\s+)?fire|burned\s+down", S, "Looting/property destruction", 0.6, "houses were torched"),
    # -- Swedish ------------------------------------------------------------------------------------
    ("sv", r"strid(?:er|erna|en|ande|ig\w*)?\b|sammandrabbning\w*|drabbning\w*|eldstrid\w*|skottlossning\w*|skottväxling\w*|kamp(?:er|erna)?\b", B, CLASH, 1.0, "striderna pågår"),
    ("sv", r"anf\w+|attack\w*|angr[ie]p\w*|angrepp\w*|angreps|stormade|bakhåll\w*", B, CLASH, 0.6, "IS anföll fängelset"),
    ("sv", r"intog|tog\s+kontroll(?:en)?\s+över|erövrade", B, TAKE, 0.9, "rebellerna intog staden"),
    ("sv", r"återtog|återerövrade|tog\s+tillbaka", B, REGAIN, 0.9, "armén återtog staden"),
    ("sv", r"flyganfall\w*|flygattack\w*|luftangrepp\w*|anfall\s+från\s+luften|stridsflyg\w*|drönar\w*|bombplan|bombningar", E, AIR, 1.2, "anfall från luften"),
    ("sv", r"beskjut\w*|granatbeskjutning\w*|artilleri\w*|raket\w*|missil\w*|granatattack\w*|robot(?:ar|en|arna|anfall\w*|attack\w*)?\b|robotanfall\w*", E, SHELL, 0.9, "ryskt robotanfall"),
    ("sv", r"bilbomb\w*|vägbomb\w*|vägkantsbomb\w*|sprängladdning\w*|bomb(?:en|er|erna)?\b|explosion\w*|landmin\w*|detonerade|sprängdåd\w*|sprängde", E, IED, 0.8, "en bilbomb detonerade"),
    ("sv", r"självmordsbomb\w*|självmordsattack\w*|självmordsdåd\w*", E, SUICIDE, 1.5, "en självmordsbombare"),
    ("sv", r"handgranat\w*", E, GRENADE, 1.0, "en handgranat kastades"),
    ("sv", r"sköt\s+ihjäl|öppnade\s+eld|dödade\b|knivhögg|halshögg", B, CLASH, 0.3, "beväpnade män sköt ihjäl"),
    ("sv", r"massaker\w*|massakr\w*|avrätt\w*|har\s+slaktats", V, "Attack", 0.8, "en massaker på byborna"),
    ("sv", r"kidnapp\w*|bortför\w*|förde\s+bort|rövade\s+bort", V, "Abduction/forced disappearance", 1.0, "kidnappades"),
    ("sv", r"våldt\w*|sexuellt\s+våld", V, "Sexual violence", 1.0, "våldtogs"),
    ("sv", r"protest\w*|demonstr\w*|manifestation\w*", P, "Peaceful protest", 0.8, "tusentals demonstrerade"),
    ("sv", r"tårgas|skingrade|vattenkanon\w*", P, "Protest with intervention", 0.9, "polisen använde tårgas"),
    ("sv", r"upplopp\w*|kravall\w*|plundr\w*", R, "Violent demonstration", 0.8, "upplopp bröt ut"),
    ("sv", r"grep\b|greps|gripit\w*|gripna|gripen|arrest\w*|fångat\s+in|fångade\s+in|häktad\w*|frihetsberöv\w*", S, "Arrests", 0.9, "fångat in 89 flyende fångar"),
    ("sv", r"vapenvila|vapenstillestånd|fångutväxling\w*|fredsavtal\w*", S, "Agreement", 0.6, "en vapenvila"),
    ("sv", r"desarmerad\w*|desarmerade|sköts\s+ned|oskadliggjord\w*", S, "Disrupted weapons use", 0.8, "bomben desarmerades"),
    # -- French -------------------------------------------------------------------------------------
    ("fr", r"affrontement\w*|combats?\b|combattu|accrochage\w*|échanges?\s+de\s+tirs|heurts|fusillade\w*", B, CLASH, 1.0, "de violents combats"),
    ("fr", r"attaqu\w*|assaut\w*|embuscade\w*|offensive\w*|ont\s+pris\s+d'assaut", B, CLASH, 0.6, "des jihadistes ont attaqué"),
    ("fr", r"pris\s+le\s+contrôle|s'est\s+emparé\w*|se\s+sont\s+emparés|ont\s+pris\s+la\s+(?:ville|localité)", B, TAKE, 0.9, "ont pris le contrôle de la ville"),
    ("fr", r"repris\s+le\s+contrôle|reconquis\w*|ont\s+repris", B, REGAIN, 0.9, "l'armée a repris le contrôle"),
    ("fr", r"frappes?\s+aériennes?|raids?\s+aériens?|bombardements?\s+aériens?|frappes?\s+de\s+drones?|drones?\b|frappes?\b|avions?\s+de\s+combat", E, AIR, 1.2, "des frappes aériennes"),
    ("fr", r"bombard\w*|obus|tirs?\s+d'artillerie|artillerie|roquettes?|missiles?|mortiers?", E, SHELL, 0.9, "des tirs d'obus"),
    ("fr", r"voitures?\s+piégées?|véhicules?\s+piégés?|engins?\s+explosifs?|eei\b|mines?\s+(?:artisanales?|antipersonnel)|bombes?\b|explosions?|attentats?\b|explos\w*", E, IED, 0.8, "une voiture piégée a explosé"),
    ("fr", r"kamikazes?|attentats?[-\s]suicides?", E, SUICIDE, 1.5, "un kamikaze"),
    ("fr", r"grenades?", E, GRENADE, 1.0, "une grenade"),
    ("fr", r"ont\s+tué|a\s+tué|abattu\w*|ouvert\s+le\s+feu|égorgé\w*", B, CLASH, 0.3, "des hommes armés ont ouvert le feu"),
    ("fr", r"massacr\w*|exécut\w*|tueries?", V, "Attack", 0.8, "le massacre de villageois"),
    ("fr", r"enlev\w*|enlèvement\w*|kidnapp\w*|rapt\b|otages?", V, "Abduction/forced disappearance", 1.0, "ont enlevé"),
    ("fr", r"viols?\b|violées?|violences?\s+sexuelles?", V, "Sexual violence", 1.0, "des viols"),
    ("fr", r"manifest\w*|protest\w*|rassemblement\w*|marche\b|sit-in", P, "Peaceful protest", 0.8, "des milliers ont manifesté"),
    ("fr", r"gaz\s+lacrymogènes?|dispers\w+|canons?\s+à\s+eau", P, "Protest with intervention", 0.9, "des gaz lacrymogènes"),
    ("fr", r"émeute\w*|émeutiers|pillage\w*|pillé\w*", R, "Violent demonstration", 0.8, "des émeutes"),
    ("fr", r"arrêté\w*|arrestation\w*|interpell\w*|appréhend\w*|capturé\w*", S, "Arrests", 0.9, "ont été arrêtés"),
    ("fr", r"cessez-le-feu|trêve|accord\s+de\s+paix|échange\s+de\s+prisonniers", S, "Agreement", 0.6, "un cessez-le-feu"),
    ("fr", r"désamorcé\w*|neutralisé\w*\s+(?:un|une|l')\s+(?:engin|bombe)|intercepté\w*", S, "Disrupted weapons use", 0.8, "une bombe désamorcée"),
    ("fr", r"incendié\w*|brûlé\w*", S, "Looting/property destruction", 0.6, "des maisons incendiées"),
    # -- Arabic (folded: أ إ آ -> ا, ى -> ي) ------------------------------------------------------------
    ("ar", r"اشتباك\w*|اشتبك\w*|معارك|معركة|مواجهات|قتال\b|اقتتال", B, CLASH, 1.0, "اشتباكات عنيفة"),
    ("ar", r"هجوم\w*|هجمات|هاجم\w*|اقتحام|اقتحم\w*|كمين", B, CLASH, 0.6, "هجوم على سجن غويران"),
    ("ar", r"سيطر\w*|استولي\w*|استولى", B, TAKE, 0.8, "سيطرت على البلدة"),
    ("ar", r"استعاد\w*|استعادة", B, REGAIN, 0.9, "استعاد الجيش السيطرة"),
    ("ar", r"غار[ةه]\w*|غارات|طائرات|طائر[ةه]\b|حربي[ةه]|قصف\s+جوي|الطيران\w*|طائر[ةه]\s+مسير[ةه]|طائرات\s+مسير[ةه]|مسيرات|الطائرات\s+الحربية|ضرب[ةه]\s+جوية|ضربات\s+جوية", E, AIR, 1.2, "غارات جوية للتحالف"),
    ("ar", r"قصف\w*|قذائف|قذيف[ةه]|صاروخ\w*|صواريخ|مدفعي\w*|هاون", E, SHELL, 0.9, "قصف مدفعي"),
    ("ar", r"سيار[ةه]\s+مفخخ[ةه]|مفخخ[ةه]|عبو[ةه]\s+ناسف[ةه]|عبوات\s+ناسفة|لغم|الغام|انفجار\w*|تفجير\w*|انفجرت|ناسف[ةه]", E, IED, 0.8, "انفجار سيارة مفخخة"),
    ("ar", r"انتحاري\w*|انتحاري[ةه]", E, SUICIDE, 1.5, "هجوم انتحاري"),
    ("ar", r"قنبل[ةه]\s+يدوي[ةه]", E, GRENADE, 1.0, "قنبلة يدوية"),
    ("ar", r"اطلق\s+النار|اطلقوا\s+النار|اغتيال|اغتال\w*|قتل\b|قتلوا", B, CLASH, 0.3, "أطلقوا النار على"),
    ("ar", r"مجزر[ةه]|مذبح[ةه]|اعدام|اعدم\w*", V, "Attack", 0.8, "مجزرة بحق المدنيين"),
    ("ar", r"خطف|اختطاف|اختطف\w*", V, "Abduction/forced disappearance", 1.0, "اختطاف مدنيين"),
    ("ar", r"اغتصاب", V, "Sexual violence", 1.0, "اغتصاب"),
    ("ar", r"مظاهر[ةه]|مظاهرات|تظاهر\w*|احتجاج\w*|وقف[ةه]\s+احتجاجي[ةه]", P, "Peaceful protest", 0.8, "مظاهرة في المدينة"),
    ("ar", r"الغاز\s+المسيل\s+للدموع|فرقت|لتفريق|تفريق", P, "Protest with intervention", 0.9, "الغاز المسيل للدموع"),
    ("ar", r"اعمال\s+شغب|شغب", R, "Violent demonstration", 0.8, "أعمال شغب"),
    ("ar", r"اعتقال\w*|اعتقل\w*|القبض|القت\s+القبض|احتجاز", S, "Arrests", 0.9, "اعتقال عشرات الفارين"),
    ("ar", r"وقف\s+اطلاق\s+النار|هدن[ةه]|تبادل\s+الاسري", S, "Agreement", 0.6, "وقف إطلاق النار"),
)


@dataclass(frozen=True)
class Trigger:
    event_type: str
    sub_event_type: str
    weight: float
    span: tuple[int, int]


@lru_cache(maxsize=8)
def _compiled(lang: str) -> list[tuple[re.Pattern[str], str, str, float]]:
    out = []
    pre = r"(?:[وفبل]{1,2})?(?:ال)?" if lang == "ar" else ""
    for lg, pat, ev, sub, w, _ex in TRIGGERS:
        if lg != lang:
            continue
        if sub not in vocab.EVENT_TYPES[ev]:  # pragma: no cover - a table typo
            raise ValueError(f"trigger table: {sub!r} is not a sub-event type of {ev!r}")
        out.append((re.compile(arabic_flex(r"(?<!\w)" + pre + "(?:" + pat + r")"), re.IGNORECASE), ev, sub, w))
    return out


#: Words that deny what follows ("no arrests", "inga gripanden", "aucune arrestation", "لم يتم اعتقال"):
#: a trigger right after one is not an event.
NEGATIONS: dict[str, str] = {
    "en": r"(?:no|not|never|without|nor)\s+(?:\w+\s+){0,1}$",
    "sv": r"(?:inga|ingen|inte|aldrig|utan)\s+(?:\w+\s+){0,1}$",
    "fr": r"(?:aucune?|pas\s+d[e']|sans|ni)\s*(?:\w+\s+){0,1}$",
    "ar": r"(?:لم|لا|لن|دون|بدون)\s+(?:\S+\s+){0,1}$",
}


def find_triggers(text: str, lang: str, start: int = 0, end: int | None = None) -> list[Trigger]:
    """Trigger words in ``text[start:end]``; where two overlap the longer (then the earlier row) wins; a
    trigger denied by a negation just before it (:data:`NEGATIONS`) is dropped."""
    end = len(text) if end is None else end
    folded = fold_same_length(text)
    neg = re.compile(arabic_flex(NEGATIONS[lang]), re.IGNORECASE)
    found: list[Trigger] = []
    for rx, ev, sub, w in _compiled(lang):
        for m in rx.finditer(folded, start, end):
            if neg.search(folded[max(0, m.start() - 25):m.start()]):
                continue
            found.append(Trigger(ev, sub, w, m.span()))
    found.sort(key=lambda t: (-(t.span[1] - t.span[0]), t.span[0]))
    kept: list[Trigger] = []
    taken = bytearray(len(text) + 1)  # linear in the text, whatever the number of triggers
    for t in found:
        a, b = t.span
        if not any(taken[a:b]):
            kept.append(t)
            taken[a:b] = b"\x01" * (b - a)
    return sorted(kept, key=lambda t: t.span)


#: ACLED's rules applied after adding up the triggers (the reference page lists them).
RULES: tuple[tuple[str, str], ...] = (
    ("bomb-opens-assault", "An explosion (car bomb, IED) together with fighting or an assault in one incident is "
                           "one Battles event (Armed clash): the explosion opened the assault."),
    ("suicide-alone", "A suicide bombing with no fighting is Explosions/Remote violence, Suicide bomb."),
    ("civilians-attacked", "An attack, massacre or shooting whose only target is civilians is Violence against "
                           "civilians, Attack (an explosion against civilians stays Explosions/Remote violence; "
                           "civilians killed in fighting or a takeover stay in the Battles event)."),
    ("territory-taken", "Fighting in which a place changes hands is one event, the change of territory."),
    ("state-retakes", "Territory taken by state forces is Government regains territory; by anyone else "
                      "Non-state actor overtakes territory."),
    ("arrests-need-no-fight", "Arrests without fighting are Strategic developments; with fighting the fighting "
                              "is the event."),
    ("protest-intervention", "A protest dispersed (tear gas, water cannon) or with arrests is one Protests event, "
                             "Protest with intervention."),
)


def classify(triggers: list[Trigger], *, actor1_inter: int | None = None,
             actor2_inter: int | None = None) -> list[tuple[str, str, float, list[tuple[int, int]]]]:
    """(event_type, sub_event_type, score, spans) ranked, best first, after ACLED's rules."""
    weights: dict[tuple[str, str], float] = {}
    spans: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for t in triggers:
        k = (t.event_type, t.sub_event_type)
        weights[k] = weights.get(k, 0.0) + t.weight
        spans.setdefault(k, []).append(t.span)
    if not weights:
        return []
    clash = weights.get((B, CLASH), 0.0)
    strong_clash = any(t.sub_event_type == CLASH and t.weight >= 1.0 for t in triggers)
    explosive = weights.get((E, IED), 0.0) + weights.get((E, SUICIDE), 0.0) + weights.get((E, GRENADE), 0.0)
    # bomb-opens-assault: the explosion's spans support the one Battles event
    if explosive and strong_clash:
        weights[(B, CLASH)] = clash + explosive
        spans[(B, CLASH)] = spans.get((B, CLASH), []) + [s for k in ((E, IED), (E, SUICIDE), (E, GRENADE))
                                                          for s in spans.get(k, [])]
    elif explosive and clash:  # an "attack" that was a bombing: the explosion is the event
        weights[(B, CLASH)] = clash * 0.5
    # territory-taken: the fighting of a takeover is the takeover's (one event)
    for k in ((B, TAKE), (B, REGAIN)):
        if k in weights and (B, CLASH) in weights:
            weights[k] += weights.pop((B, CLASH))
            spans[k] = spans[k] + spans.pop((B, CLASH))
    # state-retakes
    if (B, TAKE) in weights and actor1_inter == 1:
        weights[(B, REGAIN)] = weights.get((B, REGAIN), 0.0) + weights.pop((B, TAKE))
        spans[(B, REGAIN)] = spans.get((B, REGAIN), []) + spans.pop((B, TAKE))
    # civilians-attacked
    territory = (B, TAKE) in weights or (B, REGAIN) in weights
    if actor2_inter == 7 and not explosive and not strong_clash and not territory and \
            ((B, CLASH) in weights or (V, "Attack") in weights):
        moved = weights.pop((B, CLASH), 0.0)
        weights[(V, "Attack")] = weights.get((V, "Attack"), 0.0) + moved + 0.3
        spans[(V, "Attack")] = spans.get((V, "Attack"), []) + spans.pop((B, CLASH), [])
    # arrests-need-no-fight: an arrest mentioned beside fighting is not the incident's type
    if (S, "Arrests") in weights and strong_clash:
        weights[(S, "Arrests")] *= 0.5
    # protest-intervention: a protest dispersed or with arrests is one Protest with intervention
    if (P, "Peaceful protest") in weights and ((P, "Protest with intervention") in weights or (S, "Arrests") in weights):
        k = (P, "Protest with intervention")
        weights[k] = weights.get(k, 0.0) + weights.pop((P, "Peaceful protest")) + weights.pop((S, "Arrests"), 0.0)
        spans[k] = spans.get(k, []) + spans.pop((P, "Peaceful protest"), []) + spans.pop((S, "Arrests"), [])
    total = sum(weights.values())
    ranked = sorted(weights.items(), key=lambda kv: -kv[1])
    out = []
    for (ev, sub), w in ranked:
        out.append((ev, sub, min(0.95, w / (total + 0.5) + (0.2 if w >= 1.0 else 0.0)), spans.get((ev, sub), [])))
    return out


def rules_table() -> list[tuple[str, str, str, str, float, str]]:
    return list(TRIGGERS)
