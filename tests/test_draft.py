"""`incidentkit draft` (issue 14, point 2): a draft record from an article in four languages.

The articles are short, written for these tests in the style of the reports coders work from; each test
says which rule it holds (dates against the publication date, qualifiers from the codebook, places
through the geocoder, actors through the vocabulary, ACLED's event rules, several incidents per report),
and the JSON shape the review page and the benchmark read is checked key by key.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from incidentkit.cli import main
from incidentkit.codebook import qualifiers as Q
from incidentkit.codebook import vocab
from incidentkit.draft import FIELDS, draft_article
from incidentkit.draft.dates import DATE_RULES, find_dates
from incidentkit.draft.events import TRIGGERS, find_triggers

from conftest import REPO

FRIDAY = date(2022, 1, 21)


@pytest.fixture(scope="module")
def geocoder():
    from incidentkit.geocode import Geocoder

    return Geocoder(gazetteer_dir=REPO / "datasets" / "gazetteer")


def _draft(geocoder, text: str, published: date, language: str, country: str | None = None) -> dict:
    d = draft_article(text, published=published, language=language, country=country, geocoder=geocoder)
    js = d.to_json()
    _check_shape(js, text)
    return js


def _top(inc: dict, field: str):
    cands = inc["fields"][field]
    return cands[0]["value"] if cands else None


def _values(inc: dict, field: str, n: int = 3) -> list:
    return [c["value"] for c in inc["fields"][field][:n]]


def _quote(text: str, inc: dict, field: str) -> list[str]:
    return [text[a:b] for a, b in inc["fields"][field][0]["spans"]]


def _check_shape(js: dict, text: str) -> None:
    """Exactly {"incidents": [{"fields": {FIELD: [{"value", "score", "spans"}, ...]}}]}."""
    assert set(js) == {"incidents"} and isinstance(js["incidents"], list)
    for inc in js["incidents"]:
        assert set(inc) == {"fields"}
        assert list(inc["fields"]) == list(FIELDS)
        for field, cands in inc["fields"].items():
            assert isinstance(cands, list)
            scores = [c["score"] for c in cands]
            assert scores == sorted(scores, reverse=True), f"{field}: not best first"
            values = [json.dumps(c["value"], sort_keys=True) for c in cands]
            assert len(values) == len(set(values)), f"{field}: a value proposed twice"
            for c in cands:
                assert set(c) == {"value", "score", "spans"}
                assert isinstance(c["score"], float) and 0.0 <= c["score"] <= 1.0
                assert c["spans"], f"{field}: {c['value']!r} rests on no span"
                for span in c["spans"]:
                    assert isinstance(span, list) and len(span) == 2 and all(type(x) is int for x in span)
                    assert 0 <= span[0] < span[1] <= len(text)
                v = c["value"]
                if field in ("date_start", "date_end"):
                    assert date.fromisoformat(v).isoformat() == v
                elif field == "time_precision":
                    assert v in vocab.TIME_PRECISION
                elif field in ("inter1", "inter2"):
                    assert type(v) is int and v in vocab.INTER_CODES
                elif field == "country":
                    assert isinstance(v, str) and len(v) == 2 and v.isupper()
                elif field == "event_type":
                    assert v in vocab.EVENT_TYPES
                elif field == "sub_event_type":
                    assert v in vocab.SUB_EVENT_TYPES
                elif field == "fatalities":
                    assert set(v) == {"low", "best", "high"} and all(type(x) is int for x in v.values())
                    assert 0 <= v["low"] <= v["best"] <= v["high"]
                else:
                    assert isinstance(v, str) and v
    assert json.loads(json.dumps(js)) == js


# -- dates: every expression the issue lists, against a Friday publication ----------------------------------

ISSUE_DATES = [
    ("en", "They attacked on Sunday.", "on Sunday", "2022-01-16", "2022-01-16", 1),
    ("en", "The raid began Sunday evening.", "Sunday evening", "2022-01-16", "2022-01-16", 1),
    ("en", "Two died yesterday.", "yesterday", "2022-01-20", "2022-01-20", 1),
    ("sv", "Striderna har pågått sedan i torsdags kväll.", "sedan i torsdags kväll", "2022-01-20", "2022-01-21", 1),
    ("sv", "IS anföll i torsdags kväll.", "i torsdags kväll", "2022-01-20", "2022-01-20", 1),
    ("sv", "Två dödades igår.", "igår", "2022-01-20", "2022-01-20", 1),
    ("sv", "Anfallet kom natten till fredag.", "natten till fredag", "2022-01-20", "2022-01-21", 2),
    ("sv", "Minst 23 dödades det senaste dygnet.", "det senaste dygnet", "2022-01-20", "2022-01-21", 2),
    ("ar", "قتل خمسة مدنيين أمس.", "أمس", "2022-01-20", "2022-01-20", 1),
    ("ar", "هاجم عناصر التنظيم السجن يوم الخميس.", "يوم الخميس", "2022-01-20", "2022-01-20", 1),
    ("fr", "Les jihadistes ont attaqué dimanche soir.", "dimanche soir", "2022-01-16", "2022-01-16", 1),
    ("fr", "Deux soldats ont été tués hier.", "hier", "2022-01-20", "2022-01-20", 1),
]


@pytest.mark.parametrize("lang,text,expr,start,end,precision", ISSUE_DATES)
def test_issue_date_expressions_resolve_against_publication(lang, text, expr, start, end, precision):
    found = find_dates(text, lang, FRIDAY)
    assert len(found) == 1, found
    d = found[0]
    assert text[d.span[0]:d.span[1]] == expr
    assert (d.start.isoformat(), d.end.isoformat(), d.precision) == (start, end, precision)


def test_weekday_rules():
    # a weekday is the last such day on or before publication; "i torsdags" / "last" never the day itself
    assert find_dates("on Friday", "en", FRIDAY)[0].start == FRIDAY
    assert find_dates("last Friday", "en", FRIDAY)[0].start == date(2022, 1, 14)
    assert find_dates("i fredags", "sv", FRIDAY)[0].start == date(2022, 1, 14)
    assert find_dates("dans la nuit de jeudi à vendredi", "fr", FRIDAY)[0].start == date(2022, 1, 20)
    # absolute dates, Arabic month names (Levantine and Egyptian), years before publication
    assert find_dates("den 20 januari", "sv", FRIDAY)[0].start == date(2022, 1, 20)
    assert find_dates("في 20 كانون الثاني", "ar", FRIDAY)[0].start == date(2022, 1, 20)
    assert find_dates("le 28 décembre", "fr", FRIDAY)[0].start == date(2021, 12, 28)
    # numeric relative phrases go through dateparser, with the language's number words
    assert find_dates("för tre dagar sedan", "sv", FRIDAY)[0].start == date(2022, 1, 18)
    assert find_dates("il y a deux jours", "fr", FRIDAY)[0].start == date(2022, 1, 19)
    # a month is precision 3
    assert find_dates("in December", "en", FRIDAY)[0].precision == 3


def test_every_rule_example_is_read_by_its_rule():
    for lang, kind, _pat, example in DATE_RULES:
        got = find_dates(example, "en" if lang == "*" else lang, FRIDAY)
        assert got and got[0].span == (0, len(example)) and got[0].kind == kind, (lang, example, got)
    for lang, _pat, _ev, sub, _w, example in TRIGGERS:
        assert any(t.sub_event_type == sub for t in find_triggers(example, lang)), (lang, example)


# -- fatalities: the codebook's qualifier table ----------------------------------------------------------

def test_qualifier_table_is_the_seed_records_convention():
    # the seed: "minst 23 kurdiska soldater och närmare 40 IS-medlemmar" -> low 58, best 62, high 63
    assert Q.add(Q.apply("at-least", 23), Q.apply("nearly", 40)) == {"low": 58, "best": 62, "high": 63}
    assert Q.apply("more-than", 30) == {"low": 31, "best": 31, "high": 31}
    assert Q.apply("up-to", 30) == {"low": 15, "best": 30, "high": 30}
    for lang, _q, rule, _ex in Q.QUALIFIERS:
        assert lang in ("en", "sv", "fr", "ar") and rule in Q.RULES
    langs = {lang for lang, *_ in Q.VAGUE_COUNTS}
    assert langs == {"en", "sv", "fr", "ar"}


@pytest.mark.parametrize("lang,text,expected", [
    ("sv", "Enligt SOHR har minst 23 kurdiska soldater och närmare 40 IS-medlemmar dödats det senaste dygnet.",
     {"low": 58, "best": 62, "high": 63}),
    ("en", "Dozens of civilians were killed in the shelling.", {"low": 12, "best": 24, "high": 36}),
    ("ar", "قتل عشرات المدنيين في القصف.", {"low": 12, "best": 24, "high": 36}),
    ("en", "The blast killed 5 people and wounded 10 others.", {"low": 5, "best": 5, "high": 5}),
    ("sv", "Tre soldater dödades och sju skadades i explosionen.", {"low": 3, "best": 3, "high": 3}),
    ("fr", "Au moins 20 soldats ont été tués et une dizaine blessés dans l'attaque.",
     {"low": 20, "best": 20, "high": 20}),
    ("ar", "أسفر الهجوم عن مقتل 23 عنصرا على الأقل وإصابة 30 آخرين.", {"low": 23, "best": 23, "high": 23}),
])
def test_fatalities_from_counts_and_qualifiers_injured_never_counted(geocoder, lang, text, expected):
    js = _draft(geocoder, text, FRIDAY, lang, "SY")
    assert _top(js["incidents"][0], "fatalities") == expected


def test_injured_alone_are_no_deaths(geocoder):
    for lang, text in [("en", "Ten people were wounded in an explosion in Hasakah."),
                       ("sv", "Tio personer skadades i en explosion i al-Hasakeh."),
                       ("fr", "Dix personnes ont été blessées dans une explosion à Hassaké."),
                       ("ar", "أصيب عشرة أشخاص بجروح في انفجار في الحسكة.")]:
        inc = _draft(geocoder, text, FRIDAY, lang, "SY")["incidents"][0]
        assert _top(inc, "fatalities") == {"low": 0, "best": 0, "high": 0}, (lang, inc["fields"]["fatalities"])


# -- the seed report: four incidents, as the careful coder coded them ---------------------------------------

SVT = (REPO / "tests" / "data" / "draft" / "svt-2022-01-21-hasakah.txt")
SVT_TEXT = """Striderna i al-Hasakeh: IS anföll fängelse i nordöstra Syrien

Striderna i al-Hasakeh i nordöstra Syrien har pågått sedan i torsdags kväll, då en bilbomb detonerade och en styrka på omkring 100 IS-medlemmar gick till anfall mot Gweiranfängelset. Fängelset de anföll är ett av de största där kurdiska styrkor håller misstänkta IS-terrorister fängslade. Flera tiotal fångar uppges ha befriats i attacken.

Enligt SOHR har minst 23 kurdiska soldater och närmare 40 IS-medlemmar dödats det senaste dygnet. Den USA-ledda koalitionen, som enligt uppgift deltagit i striderna med anfall från luften, har inte kommenterat. Sedan igår har det varit bombningar och stridsflyg i luften, säger en invånare.

De kurdledda SDF-styrkorna säger sig ha fångat in 89 flyende fångar.

I östra Irak angreps en militär anläggning ungefär samtidigt, medan soldaterna låg och sov. Elva irakiska soldater dödades innan angriparna flydde därifrån. IS har sagt sig ligga bakom angreppet som är det blodigaste i Irak hittills i år.
"""


def test_swedish_report_as_the_seed_record_codes_it(geocoder):
    js = _draft(geocoder, SVT_TEXT, FRIDAY, "sv")
    incs = js["incidents"]
    assert len(incs) == 4
    clash, air, arrests, iraq = incs
    # the car bomb opened the assault: one Battles event, ranged from Thursday evening
    assert (_top(clash, "event_type"), _top(clash, "sub_event_type")) == ("Battles", "Armed clash")
    assert "bilbomb" in [SVT_TEXT[a:b] for a, b in clash["fields"]["sub_event_type"][0]["spans"]]
    assert (_top(clash, "date_start"), _top(clash, "date_end"), _top(clash, "time_precision")) == \
        ("2022-01-20", "2022-01-21", 1)
    assert "sedan i torsdags kväll" in _quote(SVT_TEXT, clash, "date_start")
    assert _top(clash, "actor1") == "Islamic State (Syria)" and _top(clash, "inter1") == 2
    assert _top(clash, "actor2") == "QSD: Syrian Democratic Forces" and _top(clash, "inter2") == 2
    assert _top(clash, "country") == "SY"
    assert _top(clash, "location") == "Ghwayran prison"
    assert _quote(SVT_TEXT, clash, "location") == ["Gweiranfängelset"]
    assert _top(clash, "admin1") == "Al-Hasakah"
    assert _top(clash, "fatalities") == {"low": 58, "best": 62, "high": 63}
    # coalition air strikes: another actor pair and sub-event type
    assert _top(air, "sub_event_type") == "Air/drone strike"
    assert _top(air, "actor1") == "Global Coalition Against Daesh" and _top(air, "inter1") == 8
    # the SDF recapture of escapees: a strategic development
    assert (_top(arrests, "sub_event_type"), _top(arrests, "actor1"), _top(arrests, "actor2")) == \
        ("Arrests", "QSD: Syrian Democratic Forces", "Prisoners (Syria)")
    assert _top(arrests, "inter2") == 7
    # the Iraqi army post: another country
    assert _top(iraq, "country") == "IQ"
    assert _top(iraq, "fatalities") == {"low": 11, "best": 11, "high": 11}
    assert "Islamic State (Iraq)" in _values(iraq, "actor1")
    assert "Military Forces of Iraq (2020-2022)" in _values(iraq, "actor1") + _values(iraq, "actor2")
    assert not [c for c in iraq["fields"]["location"] if c["value"] in ("Ghwayran prison", "Al Ḩasakah")]


# -- actors: aliases in every language ---------------------------------------------------------------------

@pytest.mark.parametrize("lang,text,names", [
    ("en", "Daesh militants clashed with the SDF in Hasakah.", ["Islamic State (Syria)", "QSD: Syrian Democratic Forces"]),
    ("en", "IS fighters attacked Kurdish-led forces in Hasakah.", ["Islamic State (Syria)", "QSD: Syrian Democratic Forces"]),
    ("sv", "IS-medlemmar anföll de kurdledda styrkorna i al-Hasakeh.", ["Islamic State (Syria)", "QSD: Syrian Democratic Forces"]),
    ("ar", "اشتبك عناصر داعش مع قسد في الحسكة.", ["Islamic State (Syria)", "QSD: Syrian Democratic Forces"]),
    ("ar", "هاجم مسلحو الدولة الإسلامية مواقع لقوات سوريا الديمقراطية وداعش في الحسكة.", ["Islamic State (Syria)", "QSD: Syrian Democratic Forces"]),
    ("fr", "Des combattants de l'EI ont attaqué les FDS à Hassaké.", ["Islamic State (Syria)", "QSD: Syrian Democratic Forces"]),
])
def test_actor_aliases_in_four_languages(geocoder, lang, text, names):
    inc = _draft(geocoder, text, FRIDAY, lang, "SY")["incidents"][0]
    assert [_top(inc, "actor1"), _top(inc, "actor2")] == names
    assert (_top(inc, "inter1"), _top(inc, "inter2")) == (2, 2)


def test_short_aliases_only_as_written(geocoder):
    text = "It is said that the army shelled the town of Hasakah on Sunday."
    inc = _draft(geocoder, text, FRIDAY, "en", "SY")["incidents"][0]
    assert "Islamic State (Syria)" not in _values(inc, "actor1", 10) + _values(inc, "actor2", 10)


# -- places: compounds, definite forms, clitics, phrases --------------------------------------------------

@pytest.mark.parametrize("lang,text,location,quote", [
    ("sv", "IS anföll Gweiranfängelset i torsdags.", "Ghwayran prison", "Gweiranfängelset"),
    ("ar", "هاجم داعش سجن غويران يوم الخميس.", "Ghwayran prison", "سجن غويران"),
    ("ar", "اشتباكات بين داعش وقسد بالحسكة أمس.", "Al Ḩasakah", "بالحسكة"),
    ("fr", "L'EI a attaqué la prison de Ghwayran jeudi.", "Ghwayran prison", "prison de Ghwayran"),
    ("en", "IS attacked Ghwayran prison on Thursday.", "Ghwayran prison", "Ghwayran prison"),
])
def test_places_through_the_geocoder(geocoder, lang, text, location, quote):
    inc = _draft(geocoder, text, FRIDAY, lang)["incidents"][0]
    assert _top(inc, "location") == location
    assert quote in _quote(text, inc, "location")
    assert _top(inc, "country") == "SY" and _top(inc, "admin1") == "Al-Hasakah"


def test_near_phrase_and_country_from_the_text(geocoder):
    text = "Gunmen killed five civilians and wounded 10 others near Jowhar in Somalia yesterday, police said."
    inc = _draft(geocoder, text, date(2023, 5, 2), "en")["incidents"][0]
    assert _top(inc, "country") == "SO"
    assert _top(inc, "location") == "Jawhar"
    assert "near Jowhar" in _quote(text, inc, "location")
    assert _top(inc, "date_start") == "2023-05-01"
    assert (_top(inc, "event_type"), _top(inc, "sub_event_type")) == ("Violence against civilians", "Attack")
    assert (_top(inc, "actor1"), _top(inc, "actor2")) == ("Unidentified Armed Group (Somalia)", "Civilians (Somalia)")
    assert _top(inc, "fatalities") == {"low": 5, "best": 5, "high": 5}


# -- several incidents in one report -------------------------------------------------------------------

def test_two_places_two_incidents(geocoder):
    text = ("On Sunday, an air strike killed four civilians in Idlib. "
            "Separately, on Monday, IS militants attacked an army checkpoint in Deir ez-Zor, killing two soldiers.")
    incs = _draft(geocoder, text, date(2022, 1, 25), "en", "SY")["incidents"]
    assert len(incs) == 2
    assert (_top(incs[0], "sub_event_type"), _top(incs[0], "date_start")) == ("Air/drone strike", "2022-01-23")
    assert _top(incs[0], "fatalities")["best"] == 4
    assert (_top(incs[1], "date_start"), _top(incs[1], "fatalities")["best"]) == ("2022-01-24", 2)
    assert _top(incs[1], "actor1") == "Islamic State (Syria)"


def test_english_french_arabic_leads(geocoder):
    fr = ("Dimanche soir, des jihadistes de l'EI ont attaqué un poste de l'armée près de Ménaka. "
          "Au moins 20 soldats ont été tués et une dizaine blessés, selon l'armée.")
    inc = _draft(geocoder, fr, date(2022, 3, 22), "fr", "ML")["incidents"][0]
    assert _top(inc, "date_start") == "2022-03-20"
    assert _top(inc, "fatalities") == {"low": 20, "best": 20, "high": 20}
    assert _top(inc, "country") == "ML" and _top(inc, "event_type") == "Battles"
    ar = "قتل خمسة مدنيين أمس في قصف مدفعي على بلدة في ريف حلب."
    inc = _draft(geocoder, ar, FRIDAY, "ar", "SY")["incidents"][0]
    assert (_top(inc, "date_start"), _top(inc, "sub_event_type")) == ("2022-01-20", "Shelling/artillery/missile attack")
    assert _top(inc, "fatalities")["best"] == 5


def test_spans_are_offsets_into_the_text_as_read(geocoder):
    # a BOM, CRLF line ends, combining accents and Arabic with tatweel: nothing is normalised away
    text = "\ufeffHassaké\r\nL'EI a attaqué la prison de Ghwayran jeudi soir.\r\nTrois soldats tués."
    js = _draft(geocoder, text, FRIDAY, "fr", "SY")
    inc = js["incidents"][0]
    assert text[slice(*inc["fields"]["date_start"][0]["spans"][0])] == "jeudi soir"


def test_nothing_to_draft(geocoder):
    assert draft_article("", published=FRIDAY, language="en", geocoder=geocoder).to_json() == {"incidents": []}
    with pytest.raises(ValueError):
        draft_article("x", published=FRIDAY, language="de", geocoder=geocoder)
    with pytest.raises(ValueError):
        draft_article("x", published=FRIDAY, language="en", country="Atlantis", geocoder=geocoder)


def test_warm_speed(geocoder):
    import time

    draft_article(SVT_TEXT, published=FRIDAY, language="sv", geocoder=geocoder)
    t = time.perf_counter()
    for day in range(5):
        draft_article(SVT_TEXT, published=date(2022, 1, 21 + day), language="sv", geocoder=geocoder)
    per = (time.perf_counter() - t) / 5
    assert per < 0.5, f"{per * 1000:.0f} ms per article warm (goal 100 ms; measured about 20 ms unloaded)"


# -- the command -----------------------------------------------------------------------------------------

def _run(args: list[str]):
    return CliRunner().invoke(main, args)


def test_cli_json_and_yaml(tmp_path: Path):
    art = tmp_path / "svt-2022-01-21.txt"
    art.write_text(SVT_TEXT, encoding="utf-8")
    r = _run(["draft", str(art), "--published", "2022-01-21", "--language", "sv", "--json"])
    assert r.exit_code == 0, r.output
    js = json.loads(r.stdout)
    _check_shape(js, SVT_TEXT)
    assert len(js["incidents"]) == 4
    out = tmp_path / "drafts"
    r = _run(["draft", str(art), "--published", "2022-01-21", "--language", "sv", "--out", str(out)])
    assert r.exit_code == 0, r.output
    path = out / "svt-2022-01-21.draft.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert doc["source"]["published"] == "2022-01-21" or str(doc["source"]["published"]) == "2022-01-21"
    assert doc["source"]["language"] == "sv" and len(doc["incidents"]) == 4
    assert doc["incidents"][0]["location"] == "Ghwayran prison"
    assert doc["incidents"][0]["fatalities"] == {"low": 58, "best": 62, "high": 63}
    d = doc["draft"]["incidents"][0]["fields"]["location"][0]
    assert d["quotes"] == ["Gweiranfängelset"] and d["spans"] == [[SVT_TEXT.index("Gweiranfängelset"),
                                                                   SVT_TEXT.index("Gweiranfängelset") + 16]]
    assert art.read_text(encoding="utf-8") == SVT_TEXT  # the article is never touched


@pytest.mark.parametrize("content,code", [
    (b"", 1), (b"  \n\t\n", 1), (b"%PDF-1.7\x00\x01binary", 1), ("Attaque à Ménaka".encode("latin-1"), 1),
])
def test_cli_hostile_articles(tmp_path: Path, content: bytes, code: int):
    art = tmp_path / "a.txt"
    art.write_bytes(content)
    r = _run(["draft", str(art), "--published", "2022-01-21", "--language", "fr", "--json"])
    assert r.exit_code == code, r.output
    assert "Traceback" not in r.output and r.stderr.startswith(("error:", "Error")) or "error" in r.stderr
    assert art.read_bytes() == content


@pytest.mark.parametrize("args", [
    ["--published", "2022-13-01", "--language", "sv"],
    ["--published", "yesterday", "--language", "sv"],
    ["--published", "2022-01-21", "--language", "de"],
    ["--published", "2022-01-21", "--language", "sv", "--country", "Atlantis"],
    ["--language", "sv"],
])
def test_cli_bad_command_lines(tmp_path: Path, args: list[str]):
    art = tmp_path / "a.txt"
    art.write_text("IS anföll i torsdags.", encoding="utf-8")
    r = _run(["draft", str(art), *args, "--json"])
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output


def test_cli_never_overwrites_the_article(tmp_path: Path):
    art = tmp_path / "a.txt"
    art.write_text("IS anföll i torsdags.", encoding="utf-8")
    r = _run(["draft", str(art), "--published", "2022-01-21", "--language", "sv", "--html", str(art)])
    assert r.exit_code == 2, r.output
    assert art.read_text(encoding="utf-8") == "IS anföll i torsdags."


def test_drafts_are_never_built():
    from incidentkit.cli.draft import DEFAULT_DRAFTS
    from incidentkit.cli.records import DEFAULT_CODED

    assert Path(DEFAULT_CODED).resolve() not in Path(DEFAULT_DRAFTS).resolve().parents
    assert Path(DEFAULT_DRAFTS).resolve() not in Path(DEFAULT_CODED).resolve().parents
    assert Path(DEFAULT_DRAFTS) != Path(DEFAULT_CODED)


# -- rules added from reading real-style reports (each with an article written for the test) -------------

def test_dateline_is_neither_the_date_the_place_nor_a_count(geocoder):
    text = ("BAMAKO, Mali, March 3 (Reuters) - Gunmen killed 12 villagers near Bandiagara on Saturday, "
            "a local official said on Sunday.")
    inc = _draft(geocoder, text, date(2022, 3, 3), "en")["incidents"][0]
    assert _top(inc, "date_start") == "2022-02-26"  # Saturday; "said on Sunday" ranks lower, "March 3" not at all
    assert "2022-03-03" not in _values(inc, "date_start", 10)
    assert _values(inc, "date_start", 2)[1] == "2022-02-27"
    assert _top(inc, "fatalities") == {"low": 12, "best": 12, "high": 12}
    assert _top(inc, "location") != "Bamako" and "Bamako" not in _values(inc, "location", 10)
    assert _top(inc, "country") == "ML"


def test_negated_trigger_is_no_event(geocoder):
    text = "Gunmen killed two farmers near Jowhar on Sunday. No arrests were made."
    incs = _draft(geocoder, text, date(2023, 5, 2), "en", "SO")["incidents"]
    assert len(incs) == 1 and "Strategic developments" not in _values(incs[0], "event_type", 10)


def test_arabic_vowel_marks_duals_and_tatweel(geocoder):
    text = "قُتِلَ جنديان عراقيان وأصيب ثالث بانفجار عبوة ناسفة قرب قضاء الرطبة، وتبنى تنظيم داعــش الهجوم."
    inc = _draft(geocoder, text, date(2024, 2, 27), "ar", "IQ")["incidents"][0]
    assert _top(inc, "fatalities") == {"low": 2, "best": 2, "high": 2}
    assert _top(inc, "sub_event_type") == "Remote explosive/landmine/IED"
    assert _top(inc, "actor1") == "Islamic State (Iraq)"  # "تبنى ... داعــش": claimed, tatweel read through
    assert _top(inc, "actor2") == "Military Forces of Iraq (2022-)"
    assert _top(inc, "location") == "Ar Ruţbah"


def test_unclaimed_bomb_is_an_unidentified_armed_group(geocoder):
    text = "A roadside bomb killed three soldiers near Jowhar on Sunday."
    inc = _draft(geocoder, text, date(2023, 5, 2), "en", "SO")["incidents"][0]
    assert _top(inc, "actor1") == "Unidentified Armed Group (Somalia)"
    assert _top(inc, "actor2").startswith("Military Forces of Somalia")


@pytest.mark.parametrize("lang,text,country", [
    ("en", "Russian air strikes killed four civilians in Idlib on Thursday.", "SY"),
    ("ar", "قُتل أربعة مدنيين اليوم الخميس جراء غارات روسية على بلدة كنصفرة في ريف إدلب.", "SY"),
    ("sv", "Minst sex personer dödades i ett ryskt robotanfall mot Charkiv på lördagen.", "UA"),
])
def test_nationality_of_strikes_names_the_forces(geocoder, lang, text, country):
    inc = _draft(geocoder, text, FRIDAY if country == "SY" else date(2024, 5, 26), lang, country)["incidents"][0]
    assert _top(inc, "actor1") == "Military Forces of Russia (2000-)" and _top(inc, "inter1") == 8
    assert _top(inc, "event_type") == "Explosions/Remote violence"
    assert _top(inc, "actor2", ) == f"Civilians ({'Syria' if country == 'SY' else 'Ukraine'})"


def test_town_before_the_countryside_it_lies_in(geocoder):
    text = "قُتل أربعة مدنيين اليوم جراء غارات روسية على بلدة كنصفرة في ريف إدلب."
    inc = _draft(geocoder, text, FRIDAY, "ar", "SY")["incidents"][0]
    assert _top(inc, "location") == "Kansafrah"


def test_people_are_not_places(geocoder):
    text = ("Gunmen killed five villagers near Konduga on Sunday, said Babakura Kolo, a militia leader. "
            "\"We recovered five bodies,\" Kolo told reporters.")
    inc = _draft(geocoder, text, date(2024, 3, 12), "en", "NG")["incidents"][0]
    assert "Kolo" not in _values(inc, "location", 10)
    assert _top(inc, "location") == "Konduga"


def test_attackers_killed_are_still_actor1(geocoder):
    text = "On Monday, troops killed nine Boko Haram militants who attacked a military base in Gwoza."
    inc = _draft(geocoder, text, date(2024, 3, 12), "en", "NG")["incidents"][0]
    assert _top(inc, "actor1") == "Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad"
    assert _top(inc, "actor2") == "Military Forces of Nigeria (2023-)"
    assert _top(inc, "fatalities")["best"] == 9


def test_a_wars_toll_is_no_events_count(geocoder):
    text = ("Gunmen killed two farmers near Konduga on Sunday. The insurgency has killed more than 40,000 "
            "people and displaced about two million since 2009.")
    incs = _draft(geocoder, text, date(2024, 3, 12), "en", "NG")["incidents"]
    assert len(incs) == 1
    assert _values(incs[0], "fatalities", 10)[0] == {"low": 2, "best": 2, "high": 2}
    assert all(v["best"] < 1000 for v in _values(incs[0], "fatalities", 10))


def test_unit_word_after_a_name_and_swedish_district_compound(geocoder):
    text = "An air strike on a village in Kanbalu township in the Sagaing region killed 11 civilians on Saturday."
    inc = _draft(geocoder, text, date(2024, 2, 5), "en", "MM")["incidents"][0]
    assert _top(inc, "location") == "Kanbalu"
    sv = "Fem irakiska soldater dödades när IS-militanter anföll en armépost i Dibis-distriktet i Kirkuk igår."
    inc = _draft(geocoder, sv, date(2024, 5, 8), "sv", "IQ")["incidents"][0]
    assert _top(inc, "location") == "Dibis" and _top(inc, "date_start") == "2024-05-07"
    assert (_top(inc, "actor1"), _top(inc, "actor2")) == ("Islamic State (Iraq)", "Military Forces of Iraq (2022-)")


def test_places_and_days_split_incidents(geocoder):
    text = ("Gunmen killed five people at a house in Culiacan late on Saturday, prosecutors said. "
            "On Sunday, soldiers clashed with suspected members of the Sinaloa Cartel near the town of Navolato, "
            "west of Culiacan, killing three of the gunmen.")
    incs = _draft(geocoder, text, date(2024, 9, 16), "en", "MX")["incidents"]
    assert len(incs) == 2
    assert (_top(incs[0], "event_type"), _top(incs[0], "date_start"), _top(incs[0], "location")) == \
        ("Violence against civilians", "2024-09-14", "Culiacán")
    assert (_top(incs[1], "event_type"), _top(incs[1], "date_start"), _top(incs[1], "location")) == \
        ("Battles", "2024-09-15", "Navolato")
    assert _top(incs[1], "actor1") == "Military Forces of Mexico (2018-2024)"


def test_docstring_examples_run(monkeypatch):
    import doctest

    import incidentkit.draft

    monkeypatch.chdir(REPO)  # the default geocoder reads the project's datasets/gazetteer
    result = doctest.testmod(incidentkit.draft, optionflags=doctest.ELLIPSIS)
    assert result.attempted and not result.failed


def test_rules_page_lists_every_table():
    from incidentkit.draft.reference import draft_rules_markdown

    md = draft_rules_markdown()
    for _lang, _kind, _pat, example in DATE_RULES:
        assert example in md
    for _lang, _pat, _ev, _sub, _w, example in TRIGGERS:
        assert example in md
    for _lang, q, _rule, example in Q.QUALIFIERS:
        assert example in md
    for _lang, word in Q.SUBSET_WORDS:
        assert word in md
    assert "Gweiranfängelset" in md and "kurdiska soldater" in md


def test_counts_of_attacks_are_not_deaths_and_provinces_split(geocoder):
    fr = "Au moins 49 civils et 15 soldats ont été tués jeudi dans deux attaques dans le nord du Mali."
    inc = _draft(geocoder, fr, date(2023, 9, 12), "fr", "ML")["incidents"][0]
    assert _top(inc, "fatalities") == {"low": 64, "best": 64, "high": 64}
    ar = ("قُتل خمسة من عناصر الجيش اليمني في هجوم بطائرة مسيّرة شنته جماعة الحوثي على موقع عسكري في مديرية حريب "
          "بمحافظة مأرب، يوم السبت. وفي محافظة تعز، قتل طفلان بقذيفة أطلقها الحوثيون على حي سكني أمس الأحد.")
    incs = _draft(geocoder, ar, date(2023, 4, 10), "ar", "YE")["incidents"]
    assert len(incs) == 2
    assert (_top(incs[0], "location"), _top(incs[0], "fatalities")["best"]) == ("Ḩarīb", 5)
    assert (_top(incs[1], "location"), _top(incs[1], "fatalities")["best"]) == ("Taiz", 2)
    assert _top(incs[0], "actor1") == "Military Forces of Yemen (2017-) Houthi"


def test_protest_dispersed_with_arrests_is_one_protest_with_intervention(geocoder):
    text = ("Thousands of protesters marched through central Nairobi on Wednesday against tax increases. "
            "Police fired tear gas to disperse them and arrested dozens, witnesses said.")
    incs = _draft(geocoder, text, date(2023, 7, 20), "en")["incidents"]
    assert len(incs) == 1
    inc = incs[0]
    assert (_top(inc, "event_type"), _top(inc, "sub_event_type")) == ("Protests", "Protest with intervention")
    assert (_top(inc, "actor1"), _top(inc, "actor2")) == ("Protesters (Kenya)", "Police Forces of Kenya (2022-)")
    assert _top(inc, "country") == "KE" and _top(inc, "date_start") == "2023-07-19"


def test_takeover_with_fighting_is_one_territory_event(geocoder):
    text = ("Rebeller intog staden Bunagana i östra Kongo-Kinshasa under natten till söndag, enligt lokala källor. "
            "Minst tre civila dödades i striderna med armén.")
    inc = _draft(geocoder, text, date(2024, 1, 15), "sv")["incidents"][0]
    assert _top(inc, "sub_event_type") == "Non-state actor overtakes territory"
    assert _top(inc, "actor1") == "Unidentified Armed Group (Democratic Republic of Congo)"
    assert _top(inc, "actor2") == "Military Forces of Democratic Republic of Congo (2019-)"
    assert (_top(inc, "date_start"), _top(inc, "date_end"), _top(inc, "time_precision")) == \
        ("2024-01-13", "2024-01-14", 2)


def test_sources_are_not_actors_and_group_words_belong_to_the_group(geocoder):
    text = ("Närmare 30 personer dödades när beväpnade män från den islamistiska terrorgruppen al-Shabaab stormade "
            "ett hotell i hamnstaden Kismayo i fredags kväll, uppger polisen.")
    inc = _draft(geocoder, text, date(2024, 8, 3), "sv", "SO")["incidents"][0]
    assert (_top(inc, "actor1"), _top(inc, "actor2")) == ("Al Shabaab", "Civilians (Somalia)")
    assert "Police Forces of Somalia (2022-)" not in _values(inc, "actor2", 10)
    assert _top(inc, "event_type") == "Violence against civilians"
    assert _top(inc, "fatalities") == {"low": 26, "best": 29, "high": 30}


def test_claim_of_responsibility_names_the_attacker_of_the_same_incident(geocoder):
    text = ("Two suicide bombers and gunmen attacked crowds near Kabul airport on Thursday, killing at least 60 "
            "Afghans and 13 U.S. troops. Islamic State's Afghanistan branch claimed responsibility for the attack.")
    incs = _draft(geocoder, text, date(2021, 8, 27), "en")["incidents"]
    assert len(incs) == 1
    inc = incs[0]
    assert _top(inc, "actor1") == "Islamic State (Afghanistan)" and _top(inc, "sub_event_type") == "Suicide bomb"
    assert _top(inc, "fatalities") == {"low": 73, "best": 73, "high": 73}
    assert (_top(inc, "location"), _top(inc, "date_start")) == ("Kabul", "2021-08-26")


def test_headline_places_do_not_glue_incidents(geocoder):
    text = ("Russian shelling kills two in Kherson, drone hits Nikopol\n\n"
            "Russian shelling killed two people in the southern Ukrainian city of Kherson on Sunday. "
            "Separately, a Russian drone attack on the town of Nikopol in the Dnipropetrovsk region killed a man "
            "overnight.")
    incs = _draft(geocoder, text, date(2024, 7, 22), "en")["incidents"]
    assert [(_top(i, "location"), _top(i, "sub_event_type")) for i in incs] == [
        ("Kherson", "Shelling/artillery/missile attack"), ("Nikopol", "Air/drone strike")]


@pytest.mark.parametrize("lang,text,best", [
    ("en", "On Sunday gunmen killed 11 civilians, including four children, in Kamba near Beni.", 11),
    ("sv", "I lördags dödades 21 civila, varav elva barn, när beväpnade män anföll byn Kamba nära Beni.", 21),
    ("fr", "Dimanche, des hommes armés ont tué douze civils, dont cinq enfants, à Kamba près de Beni.", 12),
])
def test_a_count_that_is_part_of_the_one_before_is_not_added(geocoder, lang, text, best):
    # the codebook's convention (qualifiers.SUBSET_WORDS): "including four children" are among the 11
    js = _draft(geocoder, text, FRIDAY, lang, country="CD")
    assert _top(js["incidents"][0], "fatalities")["best"] == best


def test_an_age_is_not_a_death_count(geocoder):
    js = _draft(geocoder, "Gunmen killed a 64-year-old man in Beni on Sunday.", FRIDAY, "en", country="CD")
    assert all(c["value"]["best"] != 64 for c in js["incidents"][0]["fields"]["fatalities"])
