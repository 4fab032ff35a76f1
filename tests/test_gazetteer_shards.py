"""The embedded per-country gazetteer shards: compiled reproducibly, deduplicated, opened lazily.

* the compile step reproduces the committed fixture shards byte for byte from a tiny WOF extract
  (tests/data/gazetteer/places/ML.tsv.gz), merging WOF twins and district namesakes;
* the embedded shards match their manifest (SHA-256) and were folded with today's folding rules;
* a village found only in the Who's On First data is geocoded, opening only its country's shard;
* project gazetteers are cached shards keyed by content: editing one rebuilds that one only.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from incidentkit.geocode import Geocoder
from incidentkit.geocode import compile as comp
from incidentkit.geocode import gazetteer as gz
from incidentkit.geocode import shards as shards_mod
from incidentkit.geocode.countries import haversine_km

FIXTURE = Path(__file__).parent / "data" / "gazetteer"
ROOT = Path(__file__).resolve().parents[1]


# -- compile ----------------------------------------------------------------------------------------
def test_compile_reproduces_the_committed_fixture_shards_byte_for_byte(tmp_path: Path) -> None:
    assert comp.main([str(FIXTURE / "places"), "--out", str(tmp_path), "--no-cities500"]) == 0
    for name in ("ML.places.parquet", "ML.keys.parquet", "manifest.json"):
        assert (tmp_path / name).read_bytes() == (FIXTURE / "expected" / name).read_bytes(), name


def _fixture_index(tmp_path: Path, files=()) -> shards_mod.ShardedIndex:
    return shards_mod.ShardedIndex(files, tmp_path / "cache", FIXTURE / "expected")


def test_wof_twins_and_district_namesakes_are_merged(tmp_path: Path) -> None:
    ix = _fixture_index(tmp_path)
    ix.exact_postings("x", "ML")
    names = [ix.names[i] for i in range(len(ix.names)) if ix.country[i] == "ML" and ix.gazetteer[i] == comp.WOF]
    # Kani-Gogouna twice within 1 km: one place (the richer one, with the GeoNames id); the Bandiagara
    # county 21 km from the town: the town's name; the two Daga 35 km apart: two places; the region
    # row: left to the province table
    assert sorted(names) == ["Bandiagara", "Daga", "Daga", "Kani-Gogouna", "Ogassogou", "Sanga"]
    kani = [i for i in range(len(ix.names)) if ix.names[i] == "Kani-Gogouna"]
    assert [ix.gid[i] for i in kani] == ["wof:1226243111"]
    m = json.loads((FIXTURE / "expected" / "manifest.json").read_text())["shards"]["ML"]["wof"]
    assert m["merged"] == 2 and m["skipped_region"] == 1


def test_an_alternate_name_of_another_place_far_away_is_dropped(tmp_path: Path) -> None:
    # the fixture's Sanga lists "Bandiagara" among its names (as WOF lists "Kobanî" for Afrin)
    ix = _fixture_index(tmp_path)
    hits = {ix.names[p >> 1] for p in ix.exact_postings("bandiagara", "ML") if ix.country[p >> 1] == "ML"}
    assert hits == {"Bandiagara"}


def test_embedded_shards_match_their_manifest() -> None:
    data = comp.default_data_dir()
    manifest = json.loads((data / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == comp.SHARD_FORMAT
    assert manifest["fold_digest"] == comp.fold_digest(), \
        "normalize.py changed: recompile the shards (docs/explanation/gazetteer-data.md)"
    assert len(manifest["shards"]) > 200
    for cc in ("ML", "SO", "SY", "US"):
        for part in ("places", "keys"):
            got = hashlib.sha256((data / f"{cc}.{part}.parquet").read_bytes()).hexdigest()
            assert got == manifest["shards"][cc][f"{part}_sha256"], (cc, part)
    total = sum(p.stat().st_size for p in data.iterdir())
    assert total < 80_000_000


# -- lazy loading -----------------------------------------------------------------------------------
def test_a_village_only_in_the_wof_data_is_found_opening_only_its_country(tmp_path: Path) -> None:
    assert not any(p.name == "Ogassogou" for p in gz.read_cities500())
    g = Geocoder(cache_dir=tmp_path, use_user_gazetteers=False)
    r = g.geocode("Ogassogou", "Mali")
    assert r.found and r.gazetteer == comp.WOF
    assert haversine_km(r.latitude, r.longitude, 14.0088, -3.8872) < 1
    assert g.index.opened == ["admin1", "ML"]
    r = g.geocode("Ceel Buur", "SO")  # El Bur: the cities500 town, with the WOF spelling
    assert r.found and haversine_km(r.latitude, r.longitude, 4.685, 46.6176) < 5
    assert g.index.opened == ["admin1", "ML", "SO"]


def test_a_country_with_no_shard_opens_nothing(tmp_path: Path) -> None:
    g = Geocoder(cache_dir=tmp_path, use_user_gazetteers=False)
    assert not g.geocode("Nowhere", "AQ").found
    assert g.index.opened == ["admin1"]


# -- project gazetteers: cached shards keyed by content ---------------------------------------------
def test_editing_a_project_gazetteer_rebuilds_only_its_shard(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gaz = tmp_path / "gaz"
    gaz.mkdir()
    shutil.copy(ROOT / "datasets" / "gazetteer" / "supplement.csv", gaz)
    head = "name,country,admin1,latitude,longitude\n"
    (gaz / "mine.csv").write_text(head + "Zzyzxville,ML,Mopti,14.1,-3.9\n", encoding="utf-8")
    read: list[str] = []
    real = gz.read_csv_gazetteer

    def spy(path, **kw):
        read.append(Path(path).name)
        return real(path, **kw)

    monkeypatch.setattr(gz, "read_csv_gazetteer", spy)
    cache = tmp_path / "cache"
    g = Geocoder(gazetteer_dir=gaz, cache_dir=cache, use_user_gazetteers=False)
    assert g.geocode("Zzyzxville", "ML").found
    assert sorted(read) == ["mine.csv", "supplement.csv"]
    read.clear()
    Geocoder(gazetteer_dir=gaz, cache_dir=cache, use_user_gazetteers=False).index
    assert read == []  # both from the cache
    (gaz / "mine.csv").write_text(head + "Zzyzxburg,ML,Mopti,14.2,-3.9\n", encoding="utf-8")
    g = Geocoder(gazetteer_dir=gaz, cache_dir=cache, use_user_gazetteers=False)
    assert g.geocode("Zzyzxburg", "ML").found and not g.geocode("Zzyzxville", "ML").found
    assert read == ["mine.csv"]
    # the older version stays cached beside it (several caches coexist): going back rebuilds nothing
    read.clear()
    (gaz / "mine.csv").write_text(head + "Zzyzxville,ML,Mopti,14.1,-3.9\n", encoding="utf-8")
    assert Geocoder(gazetteer_dir=gaz, cache_dir=cache, use_user_gazetteers=False).geocode("Zzyzxville", "ML").found
    assert read == []


def test_the_shard_cache_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shards_mod, "CACHE_MAX_FILES", 3)
    gaz = tmp_path / "gaz"
    gaz.mkdir()
    for n in range(5):
        (gaz / f"g{n}.csv").write_text(f"name,country,latitude,longitude\nPlace{n},ML,14.{n},-3.9\n")
        Geocoder(gazetteer_dir=gaz, cache_dir=tmp_path / "cache", use_user_gazetteers=False).index
    assert len(list((tmp_path / "cache" / "shards").glob("*.pkl"))) == 3


def test_same_as_names_join_the_embedded_place(tmp_path: Path) -> None:
    g = Geocoder(gazetteer_dir=ROOT / "datasets" / "gazetteer", cache_dir=tmp_path, use_user_gazetteers=False)
    r = g.geocode("Serêkaniyê", "SY")  # supplement: same_as geonames:165509 (Ra's al 'Ayn)
    assert r.found and r.gazetteer_id == "165509"


def test_geonames_downloads_go_through_the_same_twin_merge() -> None:
    lines = [
        "1\tKafr Nabl\tKafr Nabl\tKafranbel\t35.613\t36.561\tP\tPPL\tSY\t\t09\t\t\t\t20000\t\t\t\t",
        "2\tKafr Nabl\tKafr Nabl\tKfar Nabl\t35.620\t36.565\tP\tPPL\tSY\t\t09\t\t\t\t0\t\t\t\t",   # 0.8 km: a twin
        "3\tKafr Nabl\tKafr Nabl\t\t34.000\t36.000\tP\tPPL\tSY\t\t09\t\t\t\t0\t\t\t\t",           # far: a namesake
    ]
    places = comp.dedupe_places(gz.read_geonames_dump(lines))
    assert [(p.id, p.population) for p in places] == [("1", 20000), ("3", 0)]
    assert "Kfar Nabl" in places[0].aliases


def test_the_shard_cache_is_bounded_in_bytes_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gaz = tmp_path / "gaz"
    gaz.mkdir()
    (gaz / "a.csv").write_text("name,country,latitude,longitude\nPlaceA,ML,14.1,-3.9\n")
    Geocoder(gazetteer_dir=gaz, cache_dir=tmp_path / "cache", use_user_gazetteers=False).index
    files = list((tmp_path / "cache" / "shards").glob("*.pkl"))
    biggest = max(f.stat().st_size for f in files)
    monkeypatch.setattr(shards_mod, "CACHE_MAX_BYTES", biggest)  # room for one file: the newest stays
    (gaz / "a.csv").write_text("name,country,latitude,longitude\nPlaceB,ML,14.1,-3.9\n")
    g = Geocoder(gazetteer_dir=gaz, cache_dir=tmp_path / "cache", use_user_gazetteers=False)
    assert g.geocode("PlaceB", "ML").found
    assert len(list((tmp_path / "cache" / "shards").glob("*.pkl"))) == 1
