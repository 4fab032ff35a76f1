"""Per-country gazetteer shards against the single pickled index of old, in one run.

For each design, in fresh subprocesses (peak memory is the child's own
``ru_maxrss``; the child starts no process, so it is the whole process tree of that step):

* cold one name: an empty cache folder, one name in one country (Mali);
* warm one name: the same again, caches in place;
* cold / warm 100,000 names across all countries (names of cities500 places in ~240 countries,
  each with its country; the same list for both designs);
* the index's size on disk (old: the pickle; new: the embedded shards plus the cache folder).

    python benchmarks/gazetteer_shards.py [--names 100000] [--json out.json]

Old design: ``incidentkit.geocode.index.load_index`` (kept importable for this comparison).
New design: ``incidentkit.geocode.shards.load_sharded_index``. Figures are quoted in
docs/explanation/gazetteer-data.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
from pathlib import Path
design, cache, names_file = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
from incidentkit.geocode.index import gazetteer_files
from incidentkit.geocode.match import Matcher
files = gazetteer_files([Path(sys.argv[4])])
if design == "old":
    from incidentkit.geocode.index import load_index
    ix = load_index(files, cache)
else:
    from incidentkit.geocode.shards import load_sharded_index
    ix = load_sharded_index(files, cache)
m = Matcher(ix)
t1 = time.perf_counter()
if names_file == "-":
    rows = [("Bandiagara", "ML")]
else:
    rows = [tuple(r) for r in json.load(open(names_file))]
from incidentkit.heap import long_lived_frozen  # as Geocoder.geocode_many (and so the build) runs its loop
with long_lived_frozen():
    found = sum(1 for n, c in rows if m.geocode(n, c).found)
t2 = time.perf_counter()
# the same names again on a fresh matcher, every shard now open: lookups alone (the warm rate)
m = Matcher(ix)
c3, t3 = time.process_time(), time.perf_counter()
with long_lived_frozen():
    found2 = sum(1 for n, c in rows if m.geocode(n, c).found)
t4, c4 = time.perf_counter(), time.process_time()
assert found2 == found
import resource
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the child spawns no process of its own
print(json.dumps({"open_s": t1 - t0, "geocode_s": t2 - t1, "total_s": t2 - t0, "found": found, "n": len(rows),
                  "lookup_s": t4 - t3, "lookup_cpu_s": c4 - c3, "peak_mb": peak}))
"""


def run(design: str, cache: Path, names: str) -> dict:
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, design, str(cache), names,
                          str(ROOT / "datasets" / "gazetteer")],
                         capture_output=True, text=True, check=True, env={**os.environ, "INCIDENTKIT_CACHE_DIR": str(cache)})
    wall = time.perf_counter() - t
    got = json.loads(out.stdout.strip().splitlines()[-1])
    got["wall_s"] = wall
    return got


def dir_size(p: Path) -> int:
    return sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) if p.exists() else 0


def sample_names(n: int, seed: int = 1) -> list[tuple[str, str]]:
    from incidentkit.geocode import gazetteer as gz

    places = [(p.name, p.country) for p in gz.read_cities500()]
    rng = random.Random(seed)
    return [rng.choice(places) for _ in range(n)]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--names", type=int, default=100_000)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--designs", default="new,old")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="gzbench-"))
    names_file = tmp / "names.json"
    # in a child: Linux keeps a process's peak RSS across fork and exec, so a parent that had read
    # cities500 (~400 MB) would lend that peak to every child it starts
    subprocess.run([sys.executable, "-c", "import json, sys; sys.path.insert(0, sys.argv[3]); "
                    "from gazetteer_shards import sample_names; "
                    "open(sys.argv[1], 'w').write(json.dumps(sample_names(int(sys.argv[2]))))",
                    str(names_file), str(a.names), str(Path(__file__).parent)], check=True)
    results: dict[str, dict] = {}
    for design in a.designs.split(","):
        cache = tmp / f"cache-{design}"
        r = {}
        r["cold_one"] = run(design, cache, "-")
        r["warm_one"] = run(design, cache, "-")
        cache_all = tmp / f"cache-{design}-all"
        r["cold_all"] = run(design, cache_all, str(names_file))
        r["warm_all"] = run(design, cache_all, str(names_file))
        size = dir_size(cache) + (dir_size(ROOT / "src" / "incidentkit" / "data" / "gazetteer") if design == "new" else 0)
        r["index_bytes"] = size
        results[design] = r
        print(design, json.dumps(r, indent=1), flush=True)
    if "old" in results and "new" in results:
        o, n = results["old"], results["new"]
        ratios = {k: round(o[k]["total_s"] / n[k]["total_s"], 2) for k in ("cold_one", "warm_one", "cold_all", "warm_all")}
        ratios["index_bytes"] = round(o["index_bytes"] / n["index_bytes"], 2)
        results["old_over_new"] = ratios
        print("old/new:", ratios)
    for d in results:
        if d in ("old", "new"):
            w = results[d]["warm_all"]
            print(f"{d}: first pass {w['n'] / w['geocode_s']:,.0f} names/s (opening shards on the way), "
                  f"index open {w['n'] / w['lookup_s']:,.0f} names/s wall, {w['n'] / w['lookup_cpu_s']:,.0f} CPU; "
                  f"found {w['found']:,}/{w['n']:,}")
    if a.json:
        a.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
