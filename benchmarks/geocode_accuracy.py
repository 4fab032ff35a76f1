"""Geocoding accuracy on real place names (offline gazetteers only), from files that ship in the repository.

    python benchmarks/geocode_accuracy.py [--verbose] [--dev-places FILE] [--ucdp FILE]
                                          [--acled FILE [--per-country]]

* ``--dev-places`` (default ``benchmarks/data/dev_places.csv``): names with reference points; every row
  should be found within 25 km.
* ``--ucdp`` (default ``tests/data/reference/ucdp_ged_23_1_sample.csv``): UCDP GED rows (any release with
  the GED columns); the query is where_coordinates with adm_1 and country. Coverage = share of rows answered with a point; precision = share of answers within
  25 km of UCDP's point. Reported for all rows and per UCDP where_prec (1-2: a named place; 3: district;
  4: province; 5-7: larger areas, which a point gazetteer cannot answer).
* ``--acled`` (no default: ACLED's terms forbid redistributing its data, so none ships): a CSV or
  Parquet file with ACLED's columns (location, country, admin1, admin2, latitude, longitude,
  geo_precision). Each distinct (location, admin1, admin2, country) is asked once, as
  ``geocode(location, <ISO code of country>, admin1, admin2)``; results are weighted by rows. Reported
  overall, per ACLED geo_precision (1-3) and, with ``--per-country`` or ``--verbose``, for the 25
  countries with the most rows: "precise" = share of rows we answer at geo_precision 1, and the share
  of those within 25 km of ACLED's point; "placed" = share answered at any precision (the admin1/admin2
  fallback included); "ambig." = share left ambiguous; the median distance of placed rows.
  ``--verbose`` also lists the most frequent far answers and unplaced names.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from incidentkit.codebook.countries import country_code
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


ACLED_KEY = ["location", "admin1", "admin2", "country"]


def _read_table(path: Path) -> pd.DataFrame:
    df = pd.read_parquet(path) if path.suffix.lower() in (".parquet", ".pq") else pd.read_csv(
        path, low_memory=False, encoding_errors="replace")
    df.columns = [str(c).strip().lstrip("\ufeff").lower() for c in df.columns]
    return df


def _acled_table(res: pd.DataFrame, label: str) -> str:
    n = len(res)
    if not n:
        return f"  {label:34} {0:7d}"
    precise = res.ours_gp.eq(1)
    within = precise & res.dist_km.le(WITHIN_KM)
    placed = res.placed
    med = res.loc[placed, "dist_km"].median() if placed.any() else float("nan")
    in_precise = within.sum() / precise.sum() if precise.any() else float("nan")
    return (f"  {label:34} {n:7d} {precise.mean():8.1%} {in_precise:9.1%} {placed.mean():7.1%} "
            f"{res.ambiguous.mean():7.1%} {med:8.1f}")


def acled(gc: Geocoder, path: Path, verbose: bool, per_country: bool = False) -> pd.DataFrame:
    """Our answers against ACLED coders' points, per ACLED geo_precision and per country.

    Returns one row per ACLED row (the query's answer merged back), for further analysis.
    """
    df = _read_table(path)
    missing = {"location", "country", "latitude", "longitude", "geo_precision"} - set(df.columns)
    if missing:
        raise SystemExit(f"{path}: not an ACLED table, missing {sorted(missing)}")
    for col in ("admin1", "admin2"):
        if col not in df.columns:
            df[col] = ""
    df = df[df.location.notna() & df.latitude.notna() & df.longitude.notna()].copy()
    for col in ACLED_KEY:
        df[col] = df[col].fillna("").astype(str).str.strip()
    codes = {c: country_code(c) for c in df.country.unique()}
    unknown = sorted(c for c, cc in codes.items() if cc is None)
    if unknown:
        print(f"ACLED: countries with no ISO code (asked without a country): {unknown}")
    queries = df[ACLED_KEY].drop_duplicates()
    answers = []
    for q in tqdm(queries.itertuples(index=False), total=len(queries), desc="ACLED queries",
                  unit="q", file=sys.stderr, mininterval=1.0):
        r = gc.geocode(q.location, codes[q.country], q.admin1 or None, q.admin2 or None)
        answers.append({"ours_lat": r.latitude, "ours_lon": r.longitude, "ours_gp": r.geo_precision,
                        "placed": r.found, "ambiguous": r.ambiguous, "fallback": r.fallback,
                        "matched_name": r.matched_name, "gazetteer": r.gazetteer, "reason": r.reason or ""})
    queries = pd.concat([queries.reset_index(drop=True), pd.DataFrame(answers)], axis=1)
    res = df.merge(queries, on=ACLED_KEY, how="left")
    lat1, lon1 = np.radians(res.ours_lat.astype(float)), np.radians(res.ours_lon.astype(float))
    lat2, lon2 = np.radians(res.latitude.astype(float)), np.radians(res.longitude.astype(float))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    res["dist_km"] = 2 * 6371.0088 * np.arcsin(np.sqrt(a))  # NaN where we gave no point
    res["gp_acled"] = pd.to_numeric(res.geo_precision, errors="coerce")

    head = (f"  {'subset':34} {'rows':>7} {'precise':>8} {'≤25km':>9} {'placed':>7} {'ambig.':>7} "
            f"{'med. km':>8}")
    print(f"ACLED ({len(res)} rows, {len(queries)} distinct queries, {res.country.nunique()} countries), "
          f"against ACLED's points:")
    print("  precise = answered at geo_precision 1; ≤25km = of those, within 25 km of ACLED's point;")
    print("  placed = answered at any precision (admin fallback included); med. km = median distance, placed rows")
    print(head)
    print(_acled_table(res, "all rows"))
    for gp, label in ((1, "ACLED geo_precision 1 (the place)"), (2, "ACLED geo_precision 2 (near)"),
                      (3, "ACLED geo_precision 3 (province)")):
        print(_acled_table(res[res.gp_acled == gp], label))
    if per_country or verbose:
        print("  per country (25 with the most rows):")
        for country in res.country.value_counts().index[:25]:
            print(_acled_table(res[res.country == country], f"{country} [{codes.get(country) or '?'}]"))
    if verbose:
        far = res[res.ours_gp.eq(1) & res.dist_km.gt(WITHIN_KM)]
        print("  most frequent precise answers farther than 25 km (rows, query, ours, distance):")
        for (loc, a1, a2, c, m), g in sorted(far.groupby(["location", "admin1", "admin2", "country",
                                                          "matched_name"]), key=lambda kv: -len(kv[1]))[:40]:
            print(f"    {len(g):5d}  {loc!r} [{a2}, {a1}, {c}] -> {m} d={g.dist_km.median():.0f} km")
        lost = res[~res.placed]
        print("  most frequent names not placed (rows, query, reason):")
        for (loc, a1, a2, c), g in sorted(lost.groupby(["location", "admin1", "admin2", "country"]),
                                          key=lambda kv: -len(kv[1]))[:40]:
            print(f"    {len(g):5d}  {loc!r} [{a2}, {a1}, {c}]: {g.reason.iloc[0][:100]}")
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dev-places", type=Path, default=DEV_PLACES, help="CSV: name, country, latitude, longitude")
    ap.add_argument("--ucdp", type=Path, default=UCDP_SAMPLE, help="a UCDP GED CSV (or a sample of one)")
    ap.add_argument("--acled", type=Path, default=None,
                    help="an ACLED export (CSV or Parquet); not shipped, ACLED's terms forbid redistribution")
    ap.add_argument("--per-country", action="store_true", help="with --acled: the 25 largest countries too")
    ap.add_argument("--verbose", action="store_true", help="print every miss (ACLED: the most frequent ones)")
    args = ap.parse_args()
    for path in (args.dev_places, args.ucdp) + ((args.acled,) if args.acled else ()):
        if not path.is_file():
            ap.error(f"{path}: no such file")
    gc = Geocoder(gazetteer_dir=ROOT / "datasets" / "gazetteer", use_user_gazetteers=False)
    dev_places(gc, args.dev_places, args.verbose)
    ucdp(gc, args.ucdp, args.verbose)
    if args.acled:
        acled(gc, args.acled, args.verbose, args.per_country)


if __name__ == "__main__":
    main()
