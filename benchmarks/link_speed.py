"""Benchmark: linking 20,000 incidents against 2.5 million ACLED-shaped events.

Reports, in one run:
  * link time for 20,000 incidents vs 2.5 M events (space-time index, vectorised scoring, one-to-one);
  * a naive pandas implementation (cross join, filter, best per incident) timed on a sample it can finish,
    extrapolated by the number of compared pairs, and our linker on that same sample;
  * how link time grows from 0.25 M to 2.5 M events;
  * precision and recall of the links against the perturbation's ground truth.

    .venv/bin/python benchmarks/link_speed.py           # 2.5 M events (generated once, cached in benchmarks/out/)
    .venv/bin/python benchmarks/link_speed.py --quick   # 250 k events, 5,000 incidents
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from incidentkit.external import ingest_acled, read_events
from incidentkit.external.synthetic import perturb, write_acled_csv
from incidentkit.linking import COLUMNS, link
from incidentkit.matching import haversine_km

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import machine, self_peak_mb  # noqa: E402

OUT = Path(__file__).parent / "out"
PLACES_PER_COUNTRY = 3000   # 30,000 towns: ACLED-like spread, not every event in the same 600 places
SPAN_DAYS = 25 * 365        # ACLED's 2.5 million events span 1997-2024


def events(n: int) -> pd.DataFrame:
    OUT.mkdir(exist_ok=True)
    parquet = OUT / f"link_events_{n}_{SPAN_DAYS}d.parquet"
    if not parquet.exists():
        csv = OUT / f"link_events_{n}.csv"
        t = time.perf_counter()
        write_acled_csv(csv, n, seed=21, places_per_country=PLACES_PER_COUNTRY, days=SPAN_DAYS)
        ingest_acled(csv, parquet, progress=False)
        csv.unlink()
        print(f"generated and ingested {n:,} events in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    return read_events(parquet, columns=[c for c in COLUMNS if c != "type_of_violence"] + ["type_of_violence"])


def naive(incidents: pd.DataFrame, ext: pd.DataFrame, days: int, km: float) -> pd.DataFrame:
    """What one writes first: compare every incident with every event, then keep the best per incident."""
    a = incidents[["id", "date_start", "latitude", "longitude", "sub_event_type"]].add_suffix("_a")
    b = ext[["id", "date_start", "latitude", "longitude", "sub_event_type"]].add_suffix("_b")
    x = a.merge(b, how="cross")
    x["gap"] = (x.date_start_a - x.date_start_b).abs().dt.days
    x["dist"] = haversine_km(x.latitude_a.to_numpy(), x.longitude_a.to_numpy(), x.latitude_b.to_numpy(),
                             x.longitude_b.to_numpy())
    x = x[(x.gap <= days) & (x.dist <= km)]
    x["score"] = (1 - x.gap / (days + 1)) * 0.5 + (1 - x.dist / km) * 0.3 + \
        (x.sub_event_type_a.astype(str) == x.sub_event_type_b.astype(str)) * 0.2
    return x.sort_values("score", ascending=False).drop_duplicates("id_a").drop_duplicates("id_b")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    n_events, n_incidents = (250_000, 5_000) if args.quick else (2_500_000, 20_000)
    days, km = 3, 10.0
    print(machine())
    ev = events(n_events)
    pool = ev.head(250_000)  # incidents come from events present in every size below
    sample = pool.sample(int(n_incidents / 0.85), random_state=1)  # perturb drops about 10%
    incidents, _, truth = perturb(sample, seed=4, days=days, move_km=5, distractors=0)
    incidents = incidents.head(n_incidents)
    truth = truth.head(n_incidents)
    print(f"Linking benchmark: {len(incidents):,} incidents, up to {len(ev):,} ACLED-shaped events, "
          f"--days {days} --km {km:g}")

    sizes = [s for s in (250_000, 500_000, 1_000_000, 2_500_000) if s <= len(ev)]
    times = {}
    for s in sizes:
        sub = ev.head(s)
        t = time.perf_counter()
        result = link(incidents, sub, days=days, km=km)
        times[s] = time.perf_counter() - t
        print(f"  {s:>9,} events: {times[s]:6.2f} s  ({result.summary['candidates']:,} candidate pairs, "
              f"{result.summary['matched']:,} linked)")
    full = times[sizes[-1]]
    got = set(zip(result.pairs.incident_id, result.pairs.external_id))
    true = set(zip(truth.incident_id, truth.external_id))
    tp = len(got & true)
    print(f"  precision {tp / max(len(got), 1):.3f}, recall {tp / len(true):.3f} against the ground truth")
    print(f"  growth 0.25 M -> {sizes[-1] / 1e6:g} M events: x{full / times[sizes[0]]:.2f} time for "
          f"x{sizes[-1] / sizes[0]:.0f} events")

    ni, ne = 50, 250_000
    inc_s, ev_s = incidents.head(ni), ev.head(ne)
    t = time.perf_counter()
    naive(inc_s, ev_s, days, km)
    t_naive = time.perf_counter() - t
    t = time.perf_counter()
    link(inc_s, ev_s, days=days, km=km)
    t_ours_sample = time.perf_counter() - t
    extrapolated = t_naive * (len(incidents) * len(ev)) / (ni * ne)
    print(f"  naive pandas cross join on {ni} x {ne:,}: {t_naive:.2f} s (ours on the same sample "
          f"{t_ours_sample:.2f} s, x{t_naive / t_ours_sample:.0f})")
    print(f"  naive extrapolated to {len(incidents):,} x {len(ev):,}: {extrapolated:,.0f} s "
          f"= x{extrapolated / full:,.0f} our time")
    print(f"  peak memory (this process, which starts no others; events and the naive join included): "
          f"{self_peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()
