"""Geocoding against the embedded gazetteer: transliteration, precision, ambiguity, CLI, gazetteer add.

The index (GeoNames cities500 + admin1 + supplement + two small user gazetteers) is built once per
session into a temporary cache dir; every test below reuses it.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from incidentkit.cli import main
from incidentkit.geocode import Geocoder, distance_outside_country_km
from incidentkit.geocode.countries import country_code, haversine_km
from incidentkit.geocode.normalize import fold, skeleton

HASAKAH = (36.5067, 40.7428)


@pytest.fixture(scope="session")
def env(geocode_gazetteer: dict[str, Path]) -> dict[str, Path]:
    return geocode_gazetteer  # (conftest) the same files and index cache as test_geocode_phrases


@pytest.fixture(scope="session")
def gc(env: dict[str, Path]) -> Geocoder:
    g = Geocoder(gazetteer_dir=env["gaz"], cache_dir=env["cache"], use_user_gazetteers=False)
    g.index  # build once
    return g


def near(r, lat: float, lon: float, km: float = 25.0) -> bool:
    return r.found and haversine_km(r.latitude, r.longitude, lat, lon) <= km


# -- folding -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("a,b", [("al-Hasakeh", "Hassakeh"), ("Raqqa", "ar-Raqqah"), ("Qamishli", "Qamishlo"),
                                 ("Deir ez-Zor", "Dayr az Zawr"), ("Hasakah", "الحسكة")])
def test_skeleton_joins_transliterations(a: str, b: str) -> None:
    assert skeleton(a) == skeleton(b)


def test_fold_strips_articles_marks_and_doubles() -> None:
    assert fold("ar-Raqqah") == fold("Raqqa") == "raqa"
    assert fold("ʿAyn al-ʿArab") == fold("Ayn al Arab")


# -- names as reports spell them -----------------------------------------------------------------------
@pytest.mark.parametrize("name", ["al-Hasakah", "al-Hasakeh", "Hassakeh", "Hasakah", "الحسكة", "Al Ḩasakah"])
def test_hasakah_variants(gc: Geocoder, name: str) -> None:
    r = gc.geocode(name, "SY")
    assert near(r, *HASAKAH, km=5) and r.geo_precision == 1 and r.where_prec == 1 and not r.ambiguous


@pytest.mark.parametrize("name,country,lat,lon", [
    ("Kobane", "SY", 36.891, 38.353), ("Kobani", "SY", 36.891, 38.353), ("Ayn al-Arab", "SY", 36.891, 38.353),
    ("عين العرب", "SY", 36.891, 38.353), ("Shingal", "IQ", 36.321, 41.877), ("Sinjar", "IQ", 36.321, 41.877),
    ("Qamishli", "SY", 37.052, 41.231), ("Qamishlo", "SY", 37.052, 41.231), ("القامشلي", "SY", 37.052, 41.231),
    ("Serêkaniyê", "SY", 36.850, 40.071), ("Girê Spî", "SY", 36.696, 38.954), ("Raqqa", "Syria", 35.95, 39.01),
    ("ar-Raqqah", "SY", 35.95, 39.01), ("Baqubah", "IQ", 33.7466, 44.6437), ("Dimashq", "SY", 33.5138, 36.2765),
])
def test_transliteration_variants(gc: Geocoder, name: str, country: str, lat: float, lon: float) -> None:
    r = gc.geocode(name, country)
    assert near(r, lat, lon, km=10), r
    assert r.geo_precision == 1 and r.where_prec == 1


def test_result_carries_provenance(gc: Geocoder) -> None:
    r = gc.geocode("al-Hasakah", "SY")
    assert r.gazetteer == "geonames-cities500" and r.gazetteer_id == "173811"
    assert r.matched_name and 0 < r.score <= 100 and r.reason is None and r.found


# -- precision like ACLED / UCDP -----------------------------------------------------------------------
def test_province_only_gives_capital_precision_3(gc: Geocoder) -> None:
    r = gc.geocode("Diyala province", "IQ")
    assert near(r, 33.7466, 44.6437, km=5)  # Baqubah
    assert (r.geo_precision, r.where_prec) == (3, 4) and "Baqubah" in r.reason


def test_place_not_found_in_named_province_falls_back_to_capital(gc: Geocoder) -> None:
    # (al-Azim was the example until the village-level gazetteer: it now has al-Azim (al-Udhaim) in Diyala)
    r = gc.geocode("Qaryat Zzyzx, Diyala", "IQ", "Diyala")
    assert near(r, 33.7466, 44.6437, km=5) and r.geo_precision == 3 and "Qaryat Zzyzx" in r.reason
    r = gc.geocode("al-Azim, Diyala", "IQ", "Diyala")
    assert near(r, 34.2754, 44.5385, km=5) and r.geo_precision == 1 and r.gazetteer == "whosonfirst"


def test_facility_in_town_precision_2(gc: Geocoder) -> None:
    r = gc.geocode("Ghwayran prison, al-Hasakah", "SY", "al-Hasakah")
    assert near(r, *HASAKAH, km=5) and (r.geo_precision, r.where_prec) == (2, 2)


def test_unknown_facility_in_known_town_is_the_town_with_precision_2(gc: Geocoder) -> None:
    r = gc.geocode("Old Bakery checkpoint, Manbij", "SY")
    assert near(r, 36.5281, 37.9549, km=5) and (r.geo_precision, r.where_prec) == (2, 2)
    assert "not in any gazetteer" in r.reason


def test_near_town_is_precision_2(gc: Geocoder) -> None:
    r = gc.geocode("outskirts of Manbij", "SY")
    assert near(r, 36.5281, 37.9549, km=5) and r.geo_precision == 2


def test_camp_from_supplement(gc: Geocoder) -> None:
    r = gc.geocode("al-Hol camp", "SY")
    assert r.gazetteer == "supplement" and r.geo_precision == 2 and near(r, 36.39, 41.15, km=5)


# -- never guess silently ------------------------------------------------------------------------------
def test_not_found_has_reason_and_no_point(gc: Geocoder) -> None:
    r = gc.geocode("Xyzzyqplace", "SY")
    assert not r.found and r.latitude is None and r.longitude is None and r.geo_precision is None
    assert "Xyzzyqplace" in r.reason


def test_ambiguous_is_flagged_with_alternatives_and_no_point(gc: Geocoder) -> None:
    r = gc.geocode("Tell Testa", "SY")  # two villages of that name, 70 km apart (user gazetteer)
    assert r.ambiguous and not r.found and r.latitude is None
    assert len(r.alternatives) == 2 and "ambiguous" in r.reason
    # admin1 settles it
    r2 = gc.geocode("Tell Testa", "SY", "Hama")
    assert near(r2, 35.20, 36.90, km=1) and not r2.ambiguous


def test_big_town_beats_namesake_hamlet_without_country(gc: Geocoder) -> None:
    r = gc.geocode("Sinjar")
    assert near(r, 36.321, 41.877, km=5) and any(a.name == "Sinjār" for a in r.alternatives)


def test_country_is_a_hard_constraint(gc: Geocoder) -> None:
    # Syria has three Sinjars in the village-level gazetteer (Idlib, Hama, al-Hasakah): the province says which
    iq, sy = gc.geocode("Sinjar", "IQ"), gc.geocode("Sinjar", "SY", "Idlib")
    assert iq.found and sy.found and haversine_km(iq.latitude, iq.longitude, sy.latitude, sy.longitude) > 200
    assert not gc.geocode("Aleppo", "IQ").found


def test_admin1_narrows_and_filters(gc: Geocoder) -> None:
    r = gc.geocode("Rami", "SY", "Idlib governorate")  # from the user GeoNames dump
    assert near(r, 35.7634, 36.5590, km=2) and r.gazetteer == "SY"
    assert not gc.geocode("Rami", "SY", "Al-Hasakah").found


def test_unknown_country_gives_reason(gc: Geocoder) -> None:
    r = gc.geocode("Hasakah", "Narnia")
    assert not r.found and "unknown country" in r.reason


def test_country_only_is_not_a_place(gc: Geocoder) -> None:
    assert not gc.geocode("Algeria", "DZ").found


def test_user_csv_gazetteer_with_arabic_alias(gc: Geocoder) -> None:
    assert near(gc.geocode("Kafr Testeh", "SY"), 35.70, 36.60, km=1)
    assert near(gc.geocode("كفر تستا", "SY"), 35.70, 36.60, km=1)


def test_geocode_many_keeps_order(gc: Geocoder) -> None:
    rows = [{"name": "Homs", "country": "SY"}, {"name": "Mosul", "country": "IQ", "admin1": "Nineveh"},
            {"name": "Nowhereville", "country": "SY"}]
    res = gc.geocode_many(rows)
    assert [r.found for r in res] == [True, True, False]


# -- countries -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,code", [("SY", "SY"), ("Syria", "SY"), ("IRQ", "IQ"), ("DR Congo (Zaire)", "CD"),
                                       ("Yemen (North Yemen)", "YE"), ("Narnia", None)])
def test_country_code(name: str, code: str | None) -> None:
    assert country_code(name) == code


def test_distance_outside_country() -> None:
    assert distance_outside_country_km(36.5, 40.7, "SY") == 0.0
    assert distance_outside_country_km(40.7, 36.5, "Syria") > 100  # swapped coordinates
    assert distance_outside_country_km(1.0, 1.0, "Narnia") is None


# -- index cache -----------------------------------------------------------------------------------------
def test_index_is_built_once_and_then_loaded_from_the_cache(env: dict[str, Path], gc: Geocoder) -> None:
    # (cold-start time is measured in benchmarks/gazetteer_shards.py, not asserted here). The embedded
    # per-country shards need no build; each project gazetteer is compiled once into a cached shard.
    cached = sorted((env["cache"] / "shards").glob("*.pkl"))
    assert len(cached) == 1 + 3  # the province table and the three gazetteers of the folder
    inodes = [p.stat().st_ino for p in cached]
    g = Geocoder(gazetteer_dir=env["gaz"], cache_dir=env["cache"], use_user_gazetteers=False)
    assert g.geocode("Aleppo", "SY").found and g.index.total_places > 1_400_000
    assert sorted((env["cache"] / "shards").glob("*.pkl")) == cached
    assert [p.stat().st_ino for p in cached] == inodes  # read, not rewritten


def test_fuzzy_prefilter_answers_as_a_full_scan_on_real_names(gc: Geocoder) -> None:
    """The trigram pre-filter is lossless on the real index: rapidfuzz's answers over the filtered
    candidates equal those over every name of the country (the pre-5 algorithm), and it prunes."""
    import random

    from rapidfuzz import fuzz, process

    from incidentkit.geocode.grams import length_window

    ix, m = gc.index, gc.matcher
    rng = random.Random(3)
    for cc in ("SY", "IQ", "US", "FR", "AF"):
        ix.country_keys(cc)  # opens the country's shard
    people = [i for i in range(len(ix)) if ix.country[i] in ("SY", "IQ", "US", "FR", "AF")]
    pools: dict[str, list[str]] = {}
    matched, ratios = 0, []
    for _ in range(250):
        i = rng.choice(people)
        cc, key = ix.country[i], fold(ix.names[i])
        if len(key) < 5:
            continue
        p = rng.randrange(len(key))
        q = key[:p] + rng.choice("aeiouhkq") + key[p + (rng.random() < 0.5):]  # an insertion or a substitution
        if cc not in pools:
            pools[cc] = sorted(ix.country_keys(cc), key=len)  # what the fuzzy tier scanned before 5
        for cutoff in (90.0, 93.0):
            want = process.extract(q, pools[cc], scorer=fuzz.ratio, score_cutoff=cutoff, limit=8)
            got = process.extract(q, ix.fuzzy_candidates(cc, q, cutoff), scorer=fuzz.ratio,
                                  score_cutoff=cutoff, limit=8)
            assert [r[:2] for r in got] == [r[:2] for r in want], (q, cc, cutoff)
            matched += bool(want)
            lo, hi = length_window(len(q), cutoff)
            window = sum(lo <= len(k) <= hi for k in pools[cc])
            ratios.append(len(ix.fuzzy_candidates(cc, q, cutoff)) / max(window, 1))
        assert m._fuzzy(q, cc, strict=True) == [(pp >> 1, round(sc * 0.9, 1))
                                                for k, sc, _ in process.extract(
                                                    q, pools[cc], scorer=fuzz.ratio, score_cutoff=93.0, limit=8)
                                                for pp in ix.exact_postings(k, cc)]
    assert matched > 150
    assert sum(ratios) / len(ratios) < 0.1  # rapidfuzz scores under a tenth of the names it used to


# -- CLI -------------------------------------------------------------------------------------------------
def _run(args: list[str]):
    return CliRunner().invoke(main, args)


def test_cli_geocode(env: dict[str, Path], gc: Geocoder, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("id,name,country,admin1\n1,al-Hasakeh,SY,\n2,Diyala province,Iraq,\n3,Xyzzyq,SY,\n"
                   "4,\"Ghwayran prison, al-Hasakah\",SY,al-Hasakah\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    r = _run(["geocode", str(src), "-o", str(out), "--gazetteer-dir", str(env["gaz"]),
              "--cache-dir", str(env["cache"]), "--no-progress"])
    assert r.exit_code == 0, r.output
    assert "4 names: 3 found, 0 ambiguous, 1 not found" in r.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [x["id"] for x in rows] == ["1", "2", "3", "4"]
    for col in ("latitude", "longitude", "geo_precision", "where_prec", "matched_name", "gazetteer",
                "gazetteer_id", "score", "ambiguous"):
        assert col in rows[0]
    assert rows[0]["geo_precision"] == "1" and rows[1]["where_prec"] == "4" and rows[3]["geo_precision"] == "2"
    assert rows[2]["latitude"] == "" and rows[2]["geocode_note"]


@pytest.mark.parametrize("content,msg", [("place,country\nx,SY\n", "missing column"),
                                         ("name,country\nx,Narnia\n", "unknown country")])
def test_cli_geocode_bad_input(tmp_path: Path, content: str, msg: str) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text(content, encoding="utf-8")
    r = _run(["geocode", str(src), "-o", str(out)])
    assert r.exit_code == 1 and msg in r.output and "Traceback" not in r.output
    assert not out.exists()


def test_cli_gazetteer_add_rejects_bad_csv(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("name,country\nx,SY\n", encoding="utf-8")
    r = _run(["gazetteer", "add", str(bad), "--to", str(tmp_path / "g")])
    assert r.exit_code == 1 and "latitude" in r.output
    assert not (tmp_path / "g" / "bad.csv").exists()


def test_gazetteer_add_converted_dump(env: dict[str, Path]) -> None:
    rows = list(csv.DictReader((env["gaz"] / "SY.csv").open(encoding="utf-8")))
    assert {r["name"] for r in rows} == {"Rami", "Test Prison"}  # the stream (class H) is dropped
    assert {r["kind"] for r in rows} == {"populated", "facility"}
