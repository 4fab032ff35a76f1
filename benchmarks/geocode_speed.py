"""Geocoding speed: cold start (load the cached index) and warm throughput over 100,000 mixed names.

    python benchmarks/geocode_speed.py

The mix: place names as written (GeoNames names and alternate spellings), province queries, comma
forms ("X, Y"), unknown names, with countries; names repeat as they do in coded tables, but the
memo is cleared so each distinct (name, country, admin1) is resolved once per run.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

from incidentkit.geocode import Geocoder

ROOT = Path(__file__).resolve().parents[1]


def cold_start() -> float:
    code = ("import time; t=time.perf_counter(); from pathlib import Path; from incidentkit.geocode import Geocoder; "
            f"g=Geocoder(Path({str(ROOT / 'datasets' / 'gazetteer')!r}), use_user_gazetteers=False); g.index; "
            "g.geocode('al-Hasakah','SY'); print(time.perf_counter()-t)")
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
            for _ in range(3)]
    return min(runs)


def main() -> None:
    gc = Geocoder(gazetteer_dir=ROOT / "datasets" / "gazetteer", use_user_gazetteers=False)
    ix = gc.index  # builds the cache if needed
    rng = random.Random(42)
    n = len(ix)
    names: list[tuple[str, str | None, str | None]] = []
    for _ in range(100_000):
        i = rng.randrange(n)
        kind = rng.random()
        if kind < 0.55:
            names.append((ix.names[i], ix.country[i], None))
        elif kind < 0.70:
            names.append((ix.names[i].lower().replace("a", "e", 1), ix.country[i], None))  # a variant spelling
        elif kind < 0.80:
            names.append((f"{ix.names[i]} province", ix.country[i], None))
        elif kind < 0.90:
            names.append((f"checkpoint {rng.randrange(99)}, {ix.names[i]}", ix.country[i], None))
        else:
            names.append((f"Qx{rng.randrange(10**6)}abad", rng.choice(["SY", "IQ", "AF", "YE"]), None))
    distinct = len(set(names))
    gc.matcher._memo.clear()
    t = time.perf_counter()
    res = [gc.geocode(*q) for q in names]
    dt = time.perf_counter() - t
    found = sum(r.found for r in res)
    print(f"warm throughput: {len(names) / dt:,.0f} names/s over {len(names):,} names "
          f"({distinct:,} distinct; {found / len(names):.0%} found) in {dt:.1f} s on one core")
    cs = cold_start()
    print(f"cold start (new process, cached index, first answer): {cs:.2f} s")


if __name__ == "__main__":
    main()
