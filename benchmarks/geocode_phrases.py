"""Place phrases, province fallback and namesakes on the UCDP sample (issue 12, points 3-5).

    python benchmarks/geocode_phrases.py [--ucdp FILE] [--gazetteer-dir DIR]

For every row of the UCDP GED sample the query is ``where_coordinates`` with the event's country and
``adm_1``; an answer is right within 25 km of UCDP's point. Two paths are compared: the name lookup
alone (``Geocoder.matcher.geocode``, as before the phrase grammar) and ``Geocoder.geocode`` (phrases,
province spellings, fallback); and, when the package holds the village-level shards, two gazetteers:
the single index of cities500 and provinces, and the shards. The last lines say how many rows right
without the villages become ambiguous (or wrong) with them. Results: docs/reference/place-phrases.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from incidentkit.geocode import Geocoder
from incidentkit.geocode.countries import haversine_km
from incidentkit.geocode.index import gazetteer_files, load_index
from incidentkit.geocode.match import Matcher

ROOT = Path(__file__).resolve().parents[1]
UCDP_SAMPLE = ROOT / "tests" / "data" / "reference" / "ucdp_ged_23_1_sample.csv"
WITHIN_KM = 25.0


def _geocoder(gazetteer_dir: Path, shards: bool) -> Geocoder:
    g = Geocoder(gazetteer_dir=gazetteer_dir)
    files = gazetteer_files([gazetteer_dir])
    if shards:
        from incidentkit.geocode.shards import load_sharded_index

        g._matcher = Matcher(load_sharded_index(files, g.cache_dir))
    else:
        g._matcher = Matcher(load_index(files, g.cache_dir))
    return g


def run(g: Geocoder, df: pd.DataFrame) -> pd.DataFrame:
    out = []
    for row in df.itertuples():
        a1 = None if pd.isna(row.adm_1) else str(row.adm_1)
        q, cc = str(row.where_coordinates), str(row.country)
        for path, r in (("lookup", g.matcher.geocode(q, cc, a1)), ("phrases", g.geocode(q, cc, a1))):
            d = haversine_km(r.latitude, r.longitude, row.latitude, row.longitude) if r.found else None
            out.append(dict(path=path, wp=int(row.where_prec), found=r.found, amb=r.ambiguous,
                            ok=d is not None and d <= WITHIN_KM, phrase=getattr(r, "phrase", ""),
                            fallback=getattr(r, "fallback", "")))
    return pd.DataFrame(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ucdp", type=Path, default=UCDP_SAMPLE)
    ap.add_argument("--gazetteer-dir", type=Path, default=ROOT / "datasets" / "gazetteer")
    args = ap.parse_args()
    df = pd.read_csv(args.ucdp)
    try:
        from incidentkit.geocode.shards import embedded_shards_present

        modes = [False, True] if embedded_shards_present() else [False]
    except ImportError:
        modes = [False]
    results = {}
    for shards in modes:
        res = results[shards] = run(_geocoder(args.gazetteer_dir, shards), df)
        name = "villages" if shards else "cities500"
        for path in ("lookup", "phrases"):
            x = res[res.path == path]
            named = x[x.wp <= 2]
            print(f"{name:9} {path:8} answered {x.found.mean():6.1%}  right {x.ok.mean():6.1%}  "
                  f"named places right {named.ok.mean():6.1%}  ambiguous {int(x.amb.sum()):3}  "
                  f"phrases {int((x.phrase != '').sum()):3}  fallbacks {int((x.fallback != '').sum()):3}")
    if len(results) == 2:
        for path in ("lookup", "phrases"):
            a = results[False][results[False].path == path].reset_index(drop=True)
            b = results[True][results[True].path == path].reset_index(drop=True)
            right = a.ok
            print(f"{path}: {int(right.sum())} right without the villages; with them "
                  f"{int((right & b.amb).sum())} ambiguous ({(right & b.amb).sum() / right.sum():.1%}), "
                  f"{int((right & b.found & ~b.ok).sum())} wrong, {int((right & ~b.found & ~b.amb).sum())} "
                  f"not found; ambiguous rows {int(a.amb.sum())} -> {int(b.amb.sum())}")


if __name__ == "__main__":
    main()
