"""Date expressions of a report resolved against its publication date, with ACLED time precision.

The rules are data (:data:`DATE_RULES`, one row per language, kind, pattern and example; the reference
page lists them): weekdays ("on Sunday", "i torsdags kväll", "يوم الخميس", "dimanche soir"), days
relative to publication ("yesterday", "igår", "أمس", "hier"), nights ("natten till fredag"), the last
day ("det senaste dygnet"), weeks and months, and absolute dates ("20 January", "20 januari", "20
كانون الثاني"). Numeric relative phrases ("three days ago", "il y a deux jours") are resolved with
``dateparser`` (RELATIVE_BASE the publication date, PREFER_DATES_FROM past, the report's language).

Weekday rule: a weekday names the most recent such day on or before publication (a Friday report's
"on Friday" is that day); a form that says "last" ("i torsdags", "last Thursday", "jeudi dernier") is
never the publication day itself (a Thursday report's "i torsdags" is a week before).
Time precision (ACLED): 1 a day, 2 a range within a week (a night across two dates, "the past 24
hours", last week), 3 a month.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from incidentkit.draft.text import _ARABIC_FOLD, arabic_flex, fold_same_length, no_tatweel

__all__ = ["DATE_RULES", "DateExpr", "MONTHS", "WEEKDAYS", "find_dates"]

#: Weekday words per language (Monday first), as the patterns' {WD} alternatives; Swedish as stems
#: ("tors" for torsdag, torsdags, torsdagen, torsdagskvällen).
WEEKDAYS: dict[str, tuple[tuple[str, ...], ...]] = {
    "en": (("monday",), ("tuesday",), ("wednesday",), ("thursday",), ("friday",), ("saturday",), ("sunday",)),
    "sv": (("mån",), ("tis",), ("ons",), ("tors",), ("fre",), ("lör",), ("sön",)),
    "fr": (("lundi",), ("mardi",), ("mercredi",), ("jeudi",), ("vendredi",), ("samedi",), ("dimanche",)),
    "ar": (("الاثنين", "الإثنين"), ("الثلاثاء",), ("الأربعاء", "الاربعاء"), ("الخميس",), ("الجمعة",),
           ("السبت",), ("الأحد", "الاحد")),
}

#: Month names per language (January first).
MONTHS: dict[str, tuple[tuple[str, ...], ...]] = {
    "en": (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
           ("july", "jul"), ("august", "aug"), ("september", "sept", "sep"), ("october", "oct"),
           ("november", "nov"), ("december", "dec")),
    "sv": (("januari",), ("februari",), ("mars",), ("april",), ("maj",), ("juni",), ("juli",), ("augusti",),
           ("september",), ("oktober",), ("november",), ("december",)),
    "fr": (("janvier",), ("février", "fevrier"), ("mars",), ("avril",), ("mai",), ("juin",), ("juillet",),
           ("août", "aout"), ("septembre",), ("octobre",), ("novembre",), ("décembre", "decembre")),
    "ar": (("يناير", "كانون الثاني"), ("فبراير", "شباط"), ("مارس", "آذار"), ("أبريل", "ابريل", "نيسان"),
           ("مايو", "أيار"), ("يونيو", "حزيران"), ("يوليو", "تموز"), ("أغسطس", "آب"), ("سبتمبر", "أيلول"),
           ("أكتوبر", "تشرين الأول"), ("نوفمبر", "تشرين الثاني"), ("ديسمبر", "كانون الأول")),
}

#: The rules: (language, kind, pattern, example). Kinds:
#: ``weekday`` the most recent {WD} on or before publication; ``weekday-last`` the same, never the
#: publication day; ``since-weekday`` a range from {WD} to publication; ``night-to`` the night before
#: {WD} (the day before and {WD}, precision 2); ``night-of`` the night after {WD};
#: ``offset:S:E:P`` publication day + S .. + E days, precision P; ``date`` {DAY} {MONTH} [{YEAR}];
#: ``month`` the month {MONTH} (precision 3); ``dateparser`` resolved by dateparser. A kind ending in
#: ``~`` is vague (an "overnight" attack may be reported days later): its score is 0.7 of the kind's.
#: Patterns are matched case-insensitively on the folded text, whole words only; earlier rows win
#: where two overlap.
DATE_RULES: tuple[tuple[str, str, str, str], ...] = (
    # -- absolute dates ----------------------------------------------------------------------------
    ("en", "date", r"(?:on\s+)?(?:{WDX},?\s+)?{MONTH}\.?\s+{DAY}(?:st|nd|rd|th)?(?:,?\s+{YEAR})?", "on January 20, 2022"),
    ("en", "date", r"(?:on\s+)?(?:{WDX},?\s+)?(?:the\s+)?{DAY}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH}(?:,?\s+{YEAR})?", "on 20 January"),
    ("sv", "date", r"(?:den\s+|på\s+)?{DAY}:?e?\s+{MONTH}(?:\s+{YEAR})?", "den 20 januari"),
    ("fr", "date", r"(?:le\s+)?(?:{WDX}\s+)?{DAY}(?:er)?\s+{MONTH}(?:\s+{YEAR})?", "le 20 janvier 2022"),
    ("ar", "date", r"(?:في\s+)?{DAY}\s+(?:من\s+)?(?:شهر\s+)?{MONTH}(?:\s+(?:عام\s+|سنة\s+)?{YEAR})?", "20 كانون الثاني"),
    ("*", "date", r"{YEAR}-{MONTHNUM}-{DAY}", "2022-01-20"),
    # -- nights across two dates -------------------------------------------------------------------
    ("sv", "night-to", r"(?:under\s+)?natten\s+(?:till|mot)\s+{WD}(?:dag|dagen|dags)", "natten till fredag"),
    ("en", "night-of", r"(?:overnight\s+(?:on\s+)?|on\s+the\s+night\s+of\s+|late\s+on\s+){WD}(?:\s+night)?", "overnight Thursday"),
    ("en", "night-of", r"(?:on\s+)?{WD}\s+night", "on Thursday night"),
    ("fr", "night-of", r"(?:dans\s+)?la\s+nuit\s+(?:de\s+|du\s+){WD}\s+(?:à|a|au)\s+{WD2}", "dans la nuit de jeudi à vendredi"),
    ("ar", "night-of", r"(?:ليل|ليلة)\s+{WD}\s*(?:-|/|و|على)?\s*{WD2}", "ليل الخميس الجمعة"),
    # -- since ------------------------------------------------------------------------------------
    ("sv", "since-weekday", r"sedan\s+(?:i\s+)?{WD}(?:dags|dagen|dag)(?:\s*(?:kväll|morgon|natt|eftermiddag)(?:en)?)?", "sedan i torsdags kväll"),
    ("en", "since-weekday", r"since\s+(?:last\s+)?{WD}(?:\s+(?:morning|afternoon|evening|night))?", "since Thursday evening"),
    ("fr", "since-weekday", r"depuis\s+{WD}(?:\s+(?:dernier|matin|après-midi|soir))?", "depuis jeudi soir"),
    ("ar", "since-weekday", r"منذ\s+(?:يوم\s+|مساء\s+|صباح\s+|ليل\s+)?{WD}", "منذ يوم الخميس"),
    # -- weekdays ---------------------------------------------------------------------------------
    ("sv", "weekday-last", r"i\s+{WD}dags(?:\s*(?:kväll|morgon|natt|eftermiddag|förmiddag))?", "i torsdags kväll"),
    ("sv", "weekday", r"(?:på\s+|under\s+|i\s+)?{WD}dag(?:en|ens)?(?:s?(?:kväll|morgon|natt|eftermiddag)(?:en)?|\s+(?:kväll|morgon|natt|eftermiddag))?", "på torsdagskvällen"),
    ("en", "weekday", r"(?:in\s+)?the\s+(?:early\s+hours|morning|afternoon|evening)\s+of\s+{WD}", "in the early hours of Friday"),
    ("en", "weekday-last", r"last\s+{WD}(?:\s+(?:morning|afternoon|evening|night))?", "last Thursday"),
    ("en", "weekday", r"(?:early\s+|late\s+)?(?:on\s+)?{WD}(?:\s+(?:morning|afternoon|evening|night))?", "on Sunday evening"),
    ("fr", "weekday-last", r"{WD}\s+dernier", "jeudi dernier"),
    ("fr", "weekday", r"(?:dès\s+)?{WD}(?:\s+(?:matin|après-midi|soir|midi))?", "dimanche soir"),
    ("ar", "weekday", r"(?:(?:يوم|مساء|صباح|فجر|ظهر|ليلة|عصر|مساء\s+يوم|صباح\s+يوم|فجر\s+يوم)\s+)?[وب]?{WD}(?:\s+الماضي)?", "يوم الخميس"),
    # -- days relative to publication ---------------------------------------------------------------
    ("en", "offset:-2:-2:1", r"(?:on\s+)?the\s+day\s+before\s+yesterday", "the day before yesterday"),
    ("en", "offset:-1:-1:1", r"yesterday(?:\s+(?:morning|afternoon|evening))?", "yesterday"),
    ("en", "offset:-1:0:2", r"last\s+night", "last night"),
    ("en", "offset:-1:0:2~", r"overnight", "overnight"),
    ("en", "offset:-1:0:2", r"(?:in\s+)?the\s+(?:past|last)\s+(?:24\s+hours|day)", "in the past 24 hours"),
    ("en", "offset:0:0:1", r"(?:earlier\s+)?(?:today|this\s+(?:morning|afternoon|evening))", "earlier today"),
    ("en", "offset:-2:-1:2", r"over\s+the\s+weekend|at\s+the\s+weekend", "over the weekend"),
    ("en", "offset:-7:-1:2", r"last\s+week|(?:in\s+)?the\s+past\s+week|earlier\s+this\s+week", "last week"),
    ("sv", "offset:-2:-2:1", r"i\s+förrgår|iförrgår", "i förrgår"),
    ("sv", "offset:-1:-1:1", r"i\s+går|igår(?:\s*(?:kväll|morse|eftermiddag))?|i\s+går\s+(?:kväll|morse|eftermiddag)", "igår"),
    ("sv", "offset:-1:0:2", r"i\s+natt|inatt|under\s+natten", "i natt"),
    ("sv", "offset:-1:0:2", r"(?:under\s+)?(?:det\s+)?senaste\s+dygnet|de\s+senaste\s+24\s+timmarna", "det senaste dygnet"),
    ("sv", "offset:0:0:1", r"i\s+dag|idag|i\s+morse|imorse|under\s+dagen", "i morse"),
    ("sv", "offset:-7:-1:2", r"förra\s+veckan|i\s+förra\s+veckan|tidigare\s+i\s+veckan|under\s+veckan", "förra veckan"),
    ("fr", "offset:-2:-2:1", r"avant-hier", "avant-hier"),
    ("fr", "offset:-1:-1:1", r"hier(?:\s+(?:matin|après-midi|soir))?", "hier soir"),
    ("fr", "offset:-1:0:2", r"(?:la\s+nuit\s+dernière|cette\s+nuit|dans\s+la\s+nuit)", "la nuit dernière"),
    ("fr", "offset:-1:0:2", r"(?:au\s+cours\s+des|ces|les)\s+(?:dernières\s+)?24\s+(?:dernières\s+)?heures", "ces dernières 24 heures"),
    ("fr", "offset:0:0:1", r"aujourd'hui|ce\s+matin|ce\s+soir", "ce matin"),
    ("fr", "offset:-7:-1:2", r"la\s+semaine\s+dernière|en\s+début\s+de\s+semaine", "la semaine dernière"),
    ("ar", "offset:-2:-2:1", r"أول\s+(?:من\s+)?أمس", "أول أمس"),
    ("ar", "offset:-1:-1:1", r"(?:يوم\s+|مساء\s+|صباح\s+|ليل\s+)?[و]?أمس", "أمس"),
    ("ar", "offset:-1:0:2", r"(?:خلال\s+|في\s+)?(?:ال)?(?:ـ)?24\s+ساعة\s+(?:ال)?ماضية|(?:خلال\s+)?الساعات\s+(?:ال)?(?:ـ)?24\s+الماضية|(?:خلال\s+)?الليلة\s+الماضية", "خلال الـ24 ساعة الماضية"),
    ("ar", "offset:0:0:1", r"(?:صباح\s+|مساء\s+)?اليوم", "صباح اليوم"),
    ("ar", "offset:-7:-1:2", r"الأسبوع\s+الماضي", "الأسبوع الماضي"),
    # -- numeric relative phrases: dateparser --------------------------------------------------------
    ("en", "dateparser", r"(?:\d+|two|three|four|five|six)\s+days\s+ago", "three days ago"),
    ("sv", "dateparser", r"för\s+(?:\d+|två|tre|fyra|fem|sex)\s+dagar\s+sedan", "för tre dagar sedan"),
    ("fr", "dateparser", r"il\s+y\s+a\s+(?:\d+|deux|trois|quatre|cinq|six)\s+jours", "il y a trois jours"),
    ("ar", "dateparser", r"قبل\s+(?:يومين|\d+\s+أيام|ثلاثة\s+أيام)", "قبل يومين"),
    # -- months -------------------------------------------------------------------------------------
    ("en", "month", r"(?:in|during|since|earlier\s+in|early|late|mid-?)\s+{MONTH}(?:\s+{YEAR})?", "in January"),
    ("sv", "month", r"(?:i|under|sedan|i\s+början\s+av|i\s+slutet\s+av)\s+{MONTH}(?:\s+{YEAR})?", "i januari"),
    ("fr", "month", r"(?:en|depuis|début|fin|courant|mi-)\s+{MONTH}(?:\s+{YEAR})?", "en janvier"),
    ("ar", "month", r"(?:في|خلال|منذ)\s+(?:شهر\s+)?{MONTH}(?:\s+(?:الماضي|{YEAR}))?", "في شهر يناير"),
)

#: Scores by kind: how firmly the expression dates an event.
_KIND_SCORE = {"date": 0.9, "weekday": 0.85, "weekday-last": 0.85, "night-to": 0.8, "night-of": 0.8,
               "since-weekday": 0.8, "offset": 0.8, "dateparser": 0.75, "month": 0.5}


@dataclass(frozen=True)
class DateExpr:
    """One date expression: the days it gives, its ACLED time precision, and where it is."""

    start: date
    end: date
    precision: int
    span: tuple[int, int]
    kind: str
    text: str

    @property
    def score(self) -> float:
        base = _KIND_SCORE.get(self.kind.split(":")[0], 0.5) * (0.7 if "~" in self.kind else 1.0)
        return base * 0.4 if self.kind.endswith(":said") else base  # when a statement was made


def _alts(words: tuple[tuple[str, ...], ...]) -> str:
    flat = sorted((w for ws in words for w in ws), key=len, reverse=True)
    return "(?:" + "|".join(arabic_flex(re.escape(w).replace(r"\ ", r"\s+")) for w in flat) + ")"


def _named_group(pattern: str, name: str, body: str) -> str:
    return pattern.replace("{" + name + "}", f"(?P<{name.lower()}>{body})", 1).replace("{" + name + "}", body)


@lru_cache(maxsize=8)
def _compiled(lang: str) -> list[tuple[str, re.Pattern[str]]]:
    out = []
    for lg, kind, pat, _ex in DATE_RULES:
        if lg not in (lang, "*"):
            continue
        p = arabic_flex(pat)
        wd = _alts(WEEKDAYS[lang]) if lang != "ar" else "(?:ال)?" + _alts(tuple(tuple(w[2:] for w in ws) for ws in WEEKDAYS["ar"]))
        p = _named_group(p, "WD2", wd)
        p = _named_group(p, "WD", wd)
        p = p.replace("{WDX}", wd)
        p = _named_group(p, "MONTH", _alts(MONTHS[lang]))
        p = _named_group(p, "DAY", r"\d{1,2}")
        p = _named_group(p, "YEAR", r"\d{4}")
        p = _named_group(p, "MONTHNUM", r"\d{1,2}")
        out.append((kind, re.compile(r"(?<!\w)" + p + r"(?!\w)", re.IGNORECASE)))
    return out


def _lookup(word: str, table: tuple[tuple[str, ...], ...], lang: str) -> int | None:
    w = " ".join(no_tatweel(fold_same_length(word.translate(_ARABIC_FOLD))).split())
    for n, ws in enumerate(table):
        for x in ws:
            x = " ".join(fold_same_length(x.translate(_ARABIC_FOLD)).split())
            if w == x or (lang == "ar" and (w == x[2:] or x == w[2:] if x.startswith("ال") else False)):
                return n
            if lang == "ar" and x.startswith("ال") and w == x[2:]:
                return n
    return None


def _weekday(word: str, lang: str) -> int | None:
    return _lookup(word, WEEKDAYS[lang], lang)


def _last(wd: int, published: date, strict: bool) -> date:
    back = (published.weekday() - wd) % 7
    if back == 0 and strict:
        back = 7
    return published - timedelta(days=back)


@lru_cache(maxsize=4096)
def _dateparser(text: str, lang: str, published: date) -> date | None:
    import dateparser

    from incidentkit.draft.numbers import words_to_digits

    text = words_to_digits(text, lang)
    base = datetime(published.year, published.month, published.day, 12)
    got = dateparser.parse(text, languages=[lang], settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past",
                                                             "RETURN_AS_TIMEZONE_AWARE": False})
    if got is None and " " in text:  # "för tre dagar sedan": dateparser reads "tre dagar sedan"
        return _dateparser(text.split(None, 1)[1], lang, published)
    return got.date() if got is not None else None


def _resolve(kind: str, m: re.Match[str], lang: str, published: date, text: str) -> tuple[date, date, int] | None:
    g = m.groupdict()
    if kind == "date":
        if lang == "*" or g.get("monthnum"):
            month = int(g["monthnum"])
        else:
            mn = _lookup(g["month"], MONTHS[lang], lang)
            if mn is None:
                return None
            month = mn + 1
        day = int(g["day"])
        year = int(g["year"]) if g.get("year") else published.year
        if not 1 <= month <= 12 or not 1 <= day <= monthrange(year, month)[1]:
            return None
        d = date(year, month, day)
        if not g.get("year") and d > published:
            if day > monthrange(year - 1, month)[1]:
                return None
            d = date(year - 1, month, day)
        return d, d, 1
    if kind == "month":
        mn = _lookup(g["month"], MONTHS[lang], lang)
        if mn is None:
            return None
        year = int(g["year"]) if g.get("year") else published.year
        if not g.get("year") and date(year, mn + 1, 1) > published:
            year -= 1
        first = date(year, mn + 1, 1)
        last = date(year, mn + 1, monthrange(year, mn + 1)[1])
        return first, min(last, published) if last > published >= first else last, 3
    if kind.startswith("offset:"):
        _, s, e, p = kind.rstrip("~").split(":")
        return published + timedelta(days=int(s)), published + timedelta(days=int(e)), int(p)
    if kind == "dateparser":
        d = _dateparser(text, lang, published)
        return (d, d, 1) if d is not None and d <= published else None
    wd = _weekday(g["wd"], lang) if g.get("wd") else None
    if wd is None:
        return None
    if kind == "night-to":
        end = _last(wd, published, strict=False)
        return end - timedelta(days=1), end, 2
    if kind == "night-of":
        start = _last(wd, published, strict=False)
        if start == published:
            start -= timedelta(days=7)
        return start, start + timedelta(days=1), 2
    if kind == "since-weekday":
        start = _last(wd, published, strict=lang == "sv")
        return start, published, 1
    d = _last(wd, published, strict=kind == "weekday-last")
    return d, d, 1


def find_dates(text: str, lang: str, published: date, start: int = 0, end: int | None = None) -> list[DateExpr]:
    """Date expressions in ``text[start:end]``, resolved, in text order; overlapping matches: first rule wins."""
    end = len(text) if end is None else end
    folded = fold_same_length(text)
    taken = bytearray(len(text) + 1)
    out: list[DateExpr] = []
    for kind, rx in _compiled(lang):
        for m in rx.finditer(folded, start, end):
            a, b = m.span()
            if any(taken[a:b]):
                continue
            got = _resolve(kind, m, lang, published, text[a:b])
            if got is None:
                continue
            s, e, prec = got
            if s > published:
                continue
            taken[a:b] = b"\x01" * (b - a)
            out.append(DateExpr(s, min(e, published), prec, (a, b), kind, text[a:b]))
    return sorted(out, key=lambda d: d.span)


def rules_table() -> list[tuple[str, str, str, str]]:
    """(language, kind, pattern, example) of every rule: the reference page's table."""
    return list(DATE_RULES)
