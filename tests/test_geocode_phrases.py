"""Places as reports write them (issue 12, points 3-5): phrases in four languages with ACLED's precision
rules, province fallback with a warning, province spellings, namesakes settled by admin1 or by the
report's other places.

Uses the same gazetteer folder and index cache as test_geocode_match (one index build per session).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from incidentkit.build import geocode_rows
from incidentkit.errors import CATALOGUE
from incidentkit.geocode import Geocoder
from incidentkit.geocode.admins import alias_code, direction_fold
from incidentkit.geocode.countries import country_code, haversine_km
from incidentkit.geocode.phrases import FAMILIES, PATTERNS, examples, parse

ROOT = Path(__file__).resolve().parents[1]

MOGADISHU = (2.0371, 45.3438)
JOWHAR = (2.7809, 45.5005)
BAGHDAD = (33.3406, 44.4009)
ALEPPO = (36.2021, 37.1343)
BANDIAGARA = (14.3501, -3.6104)
MOPTI = (14.4843, -4.1830)
BENI = (0.4911, 29.4731)
GOMA = (-1.6741, 29.2285)


@pytest.fixture(scope="session")
def gc(geocode_gazetteer: dict[str, Path]) -> Geocoder:
    # (conftest) the same gazetteer files and cache folder as test_geocode_match: the index is built once
    gaz = geocode_gazetteer["gaz"]
    g = Geocoder(gazetteer_dir=gaz, cache_dir=geocode_gazetteer["cache"],
                 use_user_gazetteers=False)
    g.index
    return g


def km(r, point: tuple[float, float]) -> float:
    assert r.found, r.reason
    return haversine_km(r.latitude, r.longitude, *point)


# -- the grammar ------------------------------------------------------------------------------------
def test_every_example_of_the_grammar_reads_as_its_family() -> None:
    for lang, family, ex in examples():
        p = parse(ex)
        assert p is not None and p.family == family and p.lang == lang, (lang, family, ex, p)
    assert {lang for lang, *_ in PATTERNS} >= {"en", "fr", "sv", "ar"}
    assert {family for _, family, *_ in PATTERNS} == set(FAMILIES)


@pytest.mark.parametrize("text", ["Mogadishu", "Beni", "Ghwayran prison, al-Hasakah", "حلب", "Ségou"])
def test_bare_names_are_no_phrase(text: str) -> None:
    assert parse(text) is None


# -- each family, each language, on real places -------------------------------------------------------
@pytest.mark.parametrize("text,cc,point,family", [
    ("near the town of Jowhar", "SO", JOWHAR, "near"),
    ("near Jowhar", "SO", JOWHAR, "near"),
    ("près de Bandiagara", "ML", BANDIAGARA, "near"),
    ("nära Jowhar", "SO", JOWHAR, "near"),
    ("قرب جوهر", "SO", JOWHAR, "near"),
    ("on the outskirts of Beni", "CD", BENI, "outskirts"),
    ("à la périphérie de Beni", "CD", BENI, "outskirts"),
    ("i utkanten av Beni", "CD", BENI, "outskirts"),
    ("أطراف بغداد", "IQ", BAGHDAD, "outskirts"),
    ("southern Baghdad", "IQ", BAGHDAD, "direction-part"),
    ("dans le sud de Bagdad", "IQ", BAGHDAD, "direction-part"),
    ("södra Bagdad", "IQ", BAGHDAD, "direction-part"),
    ("30 km north of Jowhar", "SO", JOWHAR, "direction-of"),
    ("au nord de Bandiagara", "ML", BANDIAGARA, "direction-of"),
    ("norr om Bagdad", "IQ", BAGHDAD, "direction-of"),
    ("جنوب بغداد", "IQ", BAGHDAD, "direction-of"),
    ("Aleppo countryside", "SY", ALEPPO, "countryside"),
    ("rural Aleppo", "SY", ALEPPO, "countryside"),
    ("la campagne d'Alep", "SY", ALEPPO, "countryside"),
    ("Aleppos landsbygd", "SY", ALEPPO, "countryside"),
    ("ريف حلب", "SY", ALEPPO, "countryside"),
    ("between Mopti and Ségou", "ML", MOPTI, "between"),
    ("entre Mopti et Ségou", "ML", MOPTI, "between"),
    ("mellan Mopti och Ségou", "ML", MOPTI, "between"),
    ("بين موبتي وسيغو", "ML", MOPTI, "between"),
])
def test_phrase_gives_the_town_at_precision_2_with_the_rule(gc: Geocoder, text, cc, point, family) -> None:
    r = gc.geocode(text, cc)
    assert km(r, point) < 10
    assert (r.geo_precision, r.where_prec, r.phrase) == (2, 2, family)
    assert family in r.reason and "precision 2" in r.reason


def test_between_names_both_towns_and_their_distance(gc: Geocoder) -> None:
    r = gc.geocode("between Mopti and Ségou", "ML")
    assert "Mopti" in r.reason and "Ségou" in r.reason and " km from " in r.reason


@pytest.mark.parametrize("text", ["Beni territory", "territoire de Beni", "territoriet Beni"])
def test_territory_is_its_seat_at_district_precision(gc: Geocoder, text: str) -> None:
    r = gc.geocode(text, "CD")
    assert km(r, BENI) < 10
    assert (r.geo_precision, r.where_prec, r.phrase) == (2, 3, "admin-unit")


def test_part_of_a_city_is_the_part_when_the_gazetteer_has_it(gc: Geocoder) -> None:
    r = gc.geocode("the Sadr City district of Baghdad", "IQ")
    assert r.matched_name == "Sadr City" and r.geo_precision == 1 and r.phrase == "part-of"
    assert km(r, BAGHDAD) < 30 and "km from Baghdad" in r.reason


def test_acled_town_dash_part_form(gc: Geocoder) -> None:
    # ACLED writes a part of a city as "Town - Part": the part where the gazetteer has it near the town,
    # else the town at precision 2; a hyphenated name is not split
    r = gc.geocode("Dhaka - Paltan", "BD")
    assert r.phrase == "part-of" and r.matched_name == "Paltan" and r.geo_precision == 1
    assert km(r, (23.7104, 90.4074)) < 10
    r = gc.geocode("Bangui - 3", "CF")
    assert (r.matched_name, r.geo_precision, r.phrase) == ("Bangui", 2, "part-of")
    assert parse("Ouham-Pende") is None and parse("Rio de Janeiro-North Zone") is None


@pytest.mark.parametrize("name,cc", [("Mali", "GN"), ("Tonga", "SS"), ("Deou", "BF"), ("Bol", "TD")])
def test_a_place_named_like_another_country_is_found(gc: Geocoder, name: str, cc: str) -> None:
    # a country's name or ISO alpha-3 code ("Deou" folds to "deu", Germany's) is no reason to refuse a
    # place the gazetteer has as written in the coded country
    r = gc.geocode(name, cc)
    assert r.found and r.geo_precision == 1 and r.country == cc, r.reason


def test_the_coded_countrys_own_name_is_not_a_place(gc: Geocoder) -> None:
    r = gc.geocode("Syria", "SY")
    assert not r.found and "names a country" in r.reason
    assert not gc.geocode("Iraq", "SY").found  # another country's name the gazetteer lacks as a place


@pytest.mark.parametrize("text", ["the Hodan district of Mogadishu", "Hodan, a district of Mogadishu",
                                  "le quartier de Hodan à Mogadiscio", "stadsdelen Hodan i Mogadishu",
                                  "حي هودان في مقديشو"])
def test_part_of_a_city_is_the_city_when_the_part_is_unknown(gc: Geocoder, text: str) -> None:
    r = gc.geocode(text, "SO")
    assert r.phrase == "part-of" and km(r, MOGADISHU) < 30
    if r.matched_name == "Mogadishu":  # Hodan not in the gazetteers: the city, precision 2
        assert r.geo_precision == 2 and "not in any gazetteer" in r.reason
    else:  # a village-level gazetteer that has Hodan: the district itself
        assert r.geo_precision == 1


def test_countryside_of_a_province_only_is_its_capital(gc: Geocoder) -> None:
    for text in ("rural Damascus", "Damascus countryside", "ريف دمشق"):
        r = gc.geocode(text, "SY")
        assert (r.geo_precision, r.where_prec) == (3, 4), (text, r)
        assert "Dūmā" in r.reason  # Rif Dimashq's capital


def test_province_phrases_and_whole_names_are_not_misread(gc: Geocoder) -> None:
    r = gc.geocode("محافظة حلب", "SY")
    assert r.geo_precision == 3 and r.phrase == "province"
    r = gc.geocode("province du Nord-Kivu", "CD")
    assert r.geo_precision == 3 and km(r, GOMA) < 10
    r = gc.geocode("Northern Darfur", "SD")  # a province's own name, not "the north of Darfur"
    assert r.geo_precision == 3 and r.phrase == ""


@pytest.mark.parametrize("text,cc,point", [("in Jowhar", "SO", JOWHAR), ("في حلب", "SY", ALEPPO),
                                           ("بحلب", "SY", ALEPPO), ("وبغداد", "IQ", BAGHDAD)])
def test_leading_prepositions_and_arabic_clitics(gc: Geocoder, text, cc, point) -> None:
    r = gc.geocode(text, cc)
    assert km(r, point) < 10 and r.geo_precision == 1


@pytest.mark.parametrize("name,code", [("Irak", "IQ"), ("Syrien", "SY"), ("العراق", "IQ"), ("Syrie", "SY"),
                                       ("Somalie", "SO"), ("RDC", "CD")])
def test_country_exonyms(name: str, code: str) -> None:
    assert country_code(name) == code


def test_exonym_country_constrains_the_search(gc: Geocoder) -> None:
    assert km(gc.geocode("near Jowhar", "Somalie"), JOWHAR) < 10
    assert km(gc.geocode("بغداد", "العراق"), BAGHDAD) < 10


# -- province fallback ------------------------------------------------------------------------------
def test_unknown_place_with_admin1_falls_back_to_the_capital(gc: Geocoder) -> None:
    r = gc.geocode("Kanyabayonga-Ndjingala", "CD", "North Kivu")
    assert r.fallback == "admin1" and (r.geo_precision, r.where_prec) == (3, 4)
    assert km(r, GOMA) < 10
    assert "in no gazetteer" in r.reason and "Goma" in r.reason


def test_unknown_place_with_admin2_falls_back_to_the_district_seat(gc: Geocoder) -> None:
    r = gc.geocode("Kanyabayonga-Ndjingala", "CD", "Nord-Kivu", "Beni")
    assert r.fallback == "admin2" and (r.geo_precision, r.where_prec) == (3, 3)
    assert km(r, BENI) < 10


def test_no_fallback_without_a_province_nor_for_an_ambiguous_name(gc: Geocoder) -> None:
    r = gc.geocode("Kanyabayonga-Ndjingala", "CD")
    assert not r.found and r.fallback == ""
    assert gc.geocode("Koko", "NG").ambiguous


def test_place_then_province_is_a_fallback_too(gc: Geocoder) -> None:
    r = gc.geocode("al-Azimzz, Diyala", "IQ")
    assert r.geo_precision == 3 and "only the province is known" in r.reason and r.fallback == "admin1"


@pytest.mark.parametrize("cc,spellings,capital", [
    ("CD", ["North Kivu", "Nord-Kivu", "Nord Kivu", "Norra Kivu", "North Kivu Province"], GOMA),
    ("SD", ["Gezira", "Al Jazirah", "El Gezira", "الجزيرة"], (14.4012, 33.5199)),
    ("SO", ["Middle Shabelle", "Shabeellaha Dhexe", "Middle Shabele"], JOWHAR),
])
def test_admin1_spellings(gc: Geocoder, cc: str, spellings: list[str], capital) -> None:
    for s in spellings:
        r = gc.geocode("Kanyabayonga-Ndjingala", cc, s)
        assert r.fallback == "admin1" and km(r, capital) < 10, (s, r.reason)


def test_direction_folding() -> None:
    assert direction_fold("North Kivu") == direction_fold("Nord-Kivu") == direction_fold("Norra Kivu")
    assert alias_code("SO", "Shabeellaha Dhexe") == "13"
    assert alias_code("CD", "Ituri") == "17"


def test_catalogue_and_vocabulary_know_the_fallback() -> None:
    from incidentkit.codebook.schema import CATEGORIES

    assert CATALOGUE["geocode-admin-fallback"].severity == "warning"
    assert "admin-fallback" in CATEGORIES["geo_source"]


def test_build_rows_say_fallback_and_warn(gc: Geocoder) -> None:
    rows = [dict(id="a", record_path="r.yaml", record_line=1, location="Kanyabayonga-Ndjingala", country="CD",
                 admin1="North Kivu", source_id="s1")]
    problems = geocode_rows(rows, gc)
    assert rows[0]["geo_source"] == "admin-fallback" and rows[0]["geo_precision"] == 3
    assert [p.code for p in problems] == ["geocode-admin-fallback"]
    assert "Kanyabayonga-Ndjingala" in problems[0].message


# -- namesakes ---------------------------------------------------------------------------------------
LERE_KADUNA = (10.39, 8.57)


def test_namesake_resolved_by_admin1(gc: Geocoder) -> None:
    assert gc.geocode("Lere", "NG").ambiguous
    r = gc.geocode("Lere", "NG", "Kaduna")
    assert km(r, LERE_KADUNA) < 10 and r.geo_precision == 1


def test_namesake_resolved_by_the_reports_other_places(gc: Geocoder) -> None:
    rows = [{"name": "Lere", "country": "NG", "source_id": "r1"},
            {"name": "Saminaka", "country": "NG", "source_id": "r1"},
            {"name": "Lere", "country": "NG", "source_id": "r2"}]
    out = gc.geocode_many(rows, context_key="source_id", progress=False)
    assert km(out[0], LERE_KADUNA) < 10 and "report's other places" in out[0].reason
    assert out[0].alternatives  # the other Lere is still shown
    assert out[2].ambiguous and not out[2].found  # another report, alone: still ambiguous


def test_namesake_in_build_rows_uses_the_report(gc: Geocoder) -> None:
    rows = [dict(id=i, record_path="r.yaml", record_line=n, location=loc, country="NG", source_id=src)
            for n, (i, loc, src) in enumerate([("a", "Lere", "s1"), ("b", "Saminaka", "s1"), ("c", "Koko", "s2")])]
    problems = geocode_rows(rows, gc)
    assert rows[0]["geo_source"] == "geocoder" and haversine_km(rows[0]["latitude"], rows[0]["longitude"],
                                                                *LERE_KADUNA) < 10
    assert rows[2]["geo_source"] == "none" and [p.code for p in problems] == ["geocode-ambiguous"]


def test_admin2_point_settles_a_namesake(gc: Geocoder) -> None:
    r = gc.geocode("Lere", "NG", None, "Saminaka")
    assert km(r, LERE_KADUNA) < 10


def test_docs_page_shows_every_example_of_the_grammar() -> None:
    page = (ROOT / "docs" / "reference" / "place-phrases.md").read_text(encoding="utf-8")
    for lang, family, ex in examples():
        assert f"| {lang} | {family} | {ex} |" in page, (lang, family, ex)
    for family in FAMILIES:
        assert f"| `{family}`" in page


def test_cli_geocode_reads_admin2_phrases_and_the_report(geocode_gazetteer: dict[str, Path], tmp_path: Path) -> None:
    # the command line gets what the Python API does: admin2 fallback, the phrase read, a report's context
    import csv

    from click.testing import CliRunner

    from incidentkit.cli import main

    src = tmp_path / "in.csv"
    src.write_text("name,country,admin1,admin2,report\n"
                   "Kanyabayonga-Ndjingala,CD,Nord-Kivu,Beni,a\n"
                   "near the town of Jowhar,SO,,,b\n"
                   "Lere,NG,,,c\nSaminaka,NG,,,c\nLere,NG,,,d\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    args = ["geocode", str(src), "-o", str(out), "--gazetteer-dir", str(geocode_gazetteer["gaz"]),
            "--cache-dir", str(geocode_gazetteer["cache"]), "--no-progress"]
    r = CliRunner().invoke(main, [*args, "--context", "report"])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows[0]["geocode_fallback"] == "admin2" and rows[0]["geo_precision"] == "3"
    assert rows[1]["geocode_phrase"] == "near" and rows[1]["geo_precision"] == "2"
    assert rows[2]["latitude"] and rows[4]["ambiguous"] == "True"  # report c settles Lere; d alone does not
    r = CliRunner().invoke(main, [*args, "--context", "no_such_column"])
    assert r.exit_code == 1 and "no_such_column" in r.output


@pytest.mark.parametrize("name,cc,admin1", [("Batangafo", "CF", "Ouham"), ("Paoua", "CF", "Ouham-Pende")])
def test_a_split_province_keeps_its_old_name_on_both_codes(gc: Geocoder, name: str, cc: str, admin1: str) -> None:
    # GeoNames has Ouham as code 12 and 20 (the 2020 split): a town under either is in "Ouham"
    r = gc.geocode(name, cc, admin1)
    assert r.found and r.geo_precision == 1 and r.matched_name == name, r.reason


@pytest.mark.parametrize("cc,spelling,town", [("KE", "Nairobi", "Kibera"), ("SY", "Idleb", "Saraqib"),
                                               ("IN", "Jammu and Kashmir", "Srinagar"), ("IN", "Delhi", "Narela")])
def test_acled_admin1_spellings_resolve(gc: Geocoder, cc: str, spelling: str, town: str) -> None:
    assert alias_code(cc, spelling) is not None
    r = gc.geocode(town, cc, spelling)
    assert r.found and "not recognised" not in (r.reason or ""), r.reason


def test_a_town_wins_over_provinces_of_its_name(gc: Geocoder) -> None:
    # "Tombouctou" is an alternate name of the town of Timbuktu and the name of two GeoNames regions
    # (the old and the new one): a report naming it means the town; the region is asked for by its word
    r = gc.geocode("Tombouctou", "ML")
    assert r.found and r.matched_name == "Timbuktu" and r.geo_precision == 1, r.reason
    r = gc.geocode("Tombouctou region", "ML")
    assert r.found and r.geo_precision == 3
    assert gc.geocode("Diyala", "IQ").geo_precision == 3  # a province no town is named after stays itself
