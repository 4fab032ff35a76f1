"""Export time for 100,000 incidents, as a ratio to a plain pyarrow write of the same table.

Run:  .venv/bin/python benchmarks/export_speed.py [N]      # N incidents, default 100,000

Builds N realistic incidents (the seed record's shapes: date ranges, imprecise dates, several event
types and countries, Arabic/Swedish text, some without coordinates) through
:func:`incidentkit.dataset.rows_to_table`, then times, in the same run:

- baseline: ``pyarrow.parquet.write_table`` of the table (what incidents.parquet alone costs), staged as
  incidents.parquet, whose bytes the data package hashes;
- exports: :func:`incidentkit.export.write_build_outputs` (GeoParquet, ACLED CSV/Parquet/ids,
  UCDP GED CSV/Parquet, datapackage.json with hashes), staged as in a build.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import machine, self_peak_mb  # noqa: E402

from incidentkit.atomic import StagedFiles
from incidentkit.codebook import vocab
from incidentkit.dataset import INCIDENTS_FILE, build_metadata, rows_to_table
from incidentkit.export import write_build_outputs

PLACES = [("SY", "al-Hasakah", "Ghwayran prison, al-Hasakah", 36.48, 40.73),
          ("SY", "Dar'a", "Dar'a - درعا البلد", 32.62, 36.10), ("IQ", "Kirkuk", "Kirkuk - Wadi al-Shay", 35.47, 44.39),
          ("IQ", "Diyala", "al-Azim, Diyala", 34.35, 44.52), ("IQ", "Basra", "Basra", 30.51, 47.78)]
ACTORS = [("Islamic State (Syria)", 2), ("QSD: Syrian Democratic Forces", 2), ("Military Forces of Iraq (2022-)", 1),
          ("Civilians (Syria)", 7), ("Protesters (Iraq)", 6), ("Military Forces of Turkey (2016-)", 8),
          ("Unidentified Armed Group (Iraq)", 3)]


def synthetic_rows(n: int, seed: int = 1) -> list[dict]:
    rnd = random.Random(seed)
    subs = list(vocab.SUB_EVENT_TYPES)
    rows = []
    for i in range(n):
        country, admin1, location, lat, lon = rnd.choice(PLACES)
        start = dt.date(2022, 1, 1) + dt.timedelta(days=rnd.randrange(700))
        tp = rnd.choices([1, 2, 3], [8, 1, 1])[0]
        end = start + dt.timedelta(days=rnd.choice([0, 0, 0, 1, 2]) if tp == 1 else 6 if tp == 2 else 29)
        sub = rnd.choice(subs)
        a1, i1 = rnd.choice(ACTORS)
        a2, i2 = rnd.choice(ACTORS + [(None, 0)])
        low = rnd.choice([0, 0, 1, 2, 3, 5, 12, 40])
        best = low + rnd.choice([0, 0, 1, 3])
        geocoded = rnd.random() < 0.9
        sid = f"bench-{i // 4:06d}"
        rows.append({
            "source_id": sid, "source_outlet": rnd.choice(["SVT", "Enab Baladi", "Rudaw"]),
            "source_title": "Striderna i al-Hasakeh: IS anföll fängelse", "source_url": None,
            "source_published": end + dt.timedelta(days=1), "source_language": rnd.choice(["sv", "ar", "en"]),
            "source_originators": ["SOHR", "AFP"], "source_scale": "National", "coder": "ik",
            "coded_on": dt.date(2026, 11, 25), "id": f"{sid}-{i % 4:02d}", "date_start": start, "date_end": end,
            "time_precision": tp, "event_type": vocab.SUB_EVENT_TYPES[sub], "sub_event_type": sub, "actor1": a1,
            "inter1": i1, "assoc_actor_1": [], "actor2": a2, "inter2": i2 or None, "assoc_actor_2": [],
            "civilian_targeting": i2 == 7, "country": country, "admin1": admin1, "location": location,
            "latitude": lat + rnd.uniform(-0.2, 0.2) if geocoded else None,
            "longitude": lon + rnd.uniform(-0.2, 0.2) if geocoded else None, "geo_precision": 1 if geocoded else None,
            "fatalities_low": low, "fatalities_best": best, "fatalities_high": best + rnd.choice([0, 2]),
            "notes": f"On {start:%d %B %Y}, {a1} clashed near {location}; منذ يوم الخميس. {i}", "tags": [],
            "evidence": [{"field": "fatalities", "quote": "minst 23 kurdiska soldater"}],
            "disorder_type": vocab.disorder_type(sub), "interaction": vocab.interaction(i1, i2),
            "where_prec": 1 if geocoded else None,
            "priogrid_gid": vocab.priogrid_gid(lat, lon) if geocoded else None,
            "geo_source": "coder" if geocoded else "none", "record_path": f"{sid}.yaml", "record_line": 20 + i % 4,
        })
    return rows


def one_round(table) -> tuple[float, float, float, float, dict[str, int]]:
    """Time the baseline and the exports once, in a fresh folder: wall-clock and CPU seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        with StagedFiles() as staged:
            # the baseline is also incidents.parquet as a build stages it: the data package hashes it
            t0, c0 = time.perf_counter(), time.process_time()
            pq.write_table(table, staged.path(out / INCIDENTS_FILE))
            base, base_cpu = time.perf_counter() - t0, time.process_time() - c0
            t0, c0 = time.perf_counter(), time.process_time()
            written = write_build_outputs(table, out, staged)
        # including the atomic publish (fsync, rename)
        exports, exports_cpu = time.perf_counter() - t0, time.process_time() - c0
        return base, exports, base_cpu, exports_cpu, {p.name: p.stat().st_size for p in written}


def main(n: int = 100_000, rounds: int = 3) -> None:
    print(machine())
    t0 = time.perf_counter()
    table = rows_to_table(synthetic_rows(n), build_metadata("0" * 64, n, n // 4))
    print(f"table: {n:,} incidents built in {time.perf_counter() - t0:.1f} s")
    # the machine is shared: best of a few rounds for each, measured alternately; CPU seconds (all
    # threads) are less disturbed by other processes than wall-clock seconds
    results = [one_round(table) for _ in range(rounds)]
    base, exports, base_cpu, exports_cpu = (min(r[i] for r in results) for i in range(4))
    sizes = results[0][4]
    print(f"plain pyarrow write_table:  {base:7.2f} s wall, {base_cpu:6.2f} s CPU  (best of {rounds})")
    print(f"write_build_outputs:        {exports:7.2f} s wall, {exports_cpu:6.2f} s CPU  ({len(sizes)} files, "
          f"{sum(sizes.values()) / 1e6:.1f} MB)")
    print(f"ratio exports / plain write: {exports / base:.1f}x wall, {exports_cpu / base_cpu:.1f}x CPU")
    print(f"peak memory (this process, which starts no others; the table included): {self_peak_mb():,.0f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
