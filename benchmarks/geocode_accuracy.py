"""Geocoding accuracy on real place names (offline gazetteers only), from files that ship in the repository.

    python benchmarks/geocode_accuracy.py [--verbose] [--dev-places FILE] [--ucdp FILE]

* ``--dev-places`` (default ``benchmarks/data/dev_places.csv``): names with reference points; every row
  should be found within 25 km.
* ``--ucdp`` (default ``tests/data/reference/ucdp_ged_23_1_sample.csv``): UCDP GED rows (any release with
  the GED columns); the query is where_coordinates with adm_1 and country. Coverage = share of rows answered with a point; precision = share of answers within
  25 km of UCDP's point. Reported for all rows and per UCDP where_prec (1-2: a named place; 3: district;
  4: province; 5-7: larger areas, which a point gazetteer cannot answer).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from incidentkit.geocode import Geocoder
from incidentkit.geocode.countries import haversine_km

ROOT = Path(__file__).resolve().parents[1]
DEV_PLACES = ROOT / "benchmarks" / "data" / "dev_places.csv"
UCDP_SAMPLE = ROOT / "tests" / "data" / "reference" / "ucdp_ged_23_1_sample.csv"
WITHIN_KM = 25.0


def dev_places(gc: Geocoder, path: Path, verbose: bool) -> None:
    """Every development name should land within WITHIN_KM of its reference point."""
    df = pd.read_csv(path)
    ok = 0
    for row in df.itertuples():
        r = gc.geocode(row.name, row.country)
        d = haversine_km(r.latitude, r.longitude, row.latitude, row.longitude) if r.found else None
        good = d is not None and d <= WITHIN_KM
        ok += good
        if verbose and not good:
            print(f"  MISS {row.name} {row.country}: {r.matched_name} d={d} {r.reason}")
    print(f"dev_places: {ok}/{len(df)} within {WITHIN_KM:.0f} km ({ok / len(df):.1%})")


def ucdp(gc: Geocoder, path: Path, verbose: bool) -> None:
    """Coverage and precision against UCDP's own points, per UCDP where_prec."""
    df = pd.read_csv(path)
    rows = []
    for row in df.itertuples():
        r = gc.geocode(str(row.where_coordinates), str(row.country),
                       None if pd.isna(row.adm_1) else str(row.adm_1))
        d = haversine_km(r.latitude, r.longitude, row.latitude, row.longitude) if r.found else None
        rows.append({"where_prec": int(row.where_prec), "answered": r.found, "ambiguous": r.ambiguous,
                     "within": d is not None and d <= WITHIN_KM, "geo_precision": r.geo_precision})
        if verbose and r.found and d > WITHIN_KM:
            print(f"  WRONG {row.where_coordinates!r} [{row.adm_1}, {row.country}] wp={row.where_prec}: "
                  f"{r.matched_name} ({r.gazetteer}) gp={r.geo_precision} d={d:.0f} km score={r.score}")
    res = pd.DataFrame(rows)
    groups = {"all rows": res, "where_prec 1-2 (named place)": res[res.where_prec <= 2],
              "where_prec 3 (district)": res[res.where_prec == 3],
              "where_prec 4 (province)": res[res.where_prec == 4],
              "where_prec 5-7 (area/country)": res[res.where_prec >= 5]}
    print(f"UCDP GED sample ({len(res)} rows), within {WITHIN_KM:.0f} km of UCDP's point:")
    print(f"  {'subset':32} {'rows':>5} {'coverage':>9} {'precision':>9} {'ambiguous':>9}")
    for label, g in groups.items():
        n, a = len(g), int(g.answered.sum())
        prec = g.within.sum() / a if a else float("nan")
        print(f"  {label:32} {n:5d} {a / n:9.1%} {prec:9.1%} {g.ambiguous.mean():9.1%}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dev-places", type=Path, default=DEV_PLACES, help="CSV: name, country, latitude, longitude")
    ap.add_argument("--ucdp", type=Path, default=UCDP_SAMPLE, help="a UCDP GED CSV (or a sample of one)")
    ap.add_argument("--verbose", action="store_true", help="print every miss")
    args = ap.parse_args()
    for path in (args.dev_places, args.ucdp):
        if not path.is_file():
            ap.error(f"{path}: no such file")
    gc = Geocoder(gazetteer_dir=ROOT / "datasets" / "gazetteer", use_user_gazetteers=False)
    dev_places(gc, args.dev_places, args.verbose)
    ucdp(gc, args.ucdp, args.verbose)


if __name__ == "__main__":
    main()
