"""Build time and peak memory, as a ratio to the floor measured in the same run.

The floor is the least any build must do: parse the same YAML with the fastest safe loader (PyYAML's
libyaml ``CSafeLoader``, in one process) and write the same table with ``pyarrow.parquet.write_table``.
The build parses in worker processes (one per core, started by a forkserver). Each measurement runs in
a fresh process whose whole process tree (the build, the forkserver, its workers) is sampled for
memory from outside (``_measure.run_measured``; ``getrusage(RUSAGE_CHILDREN)`` inside the build sees
none of the forkserver's workers, which is why this script used to print 0 MB for them). The wall
ratio is what a user waits; the CPU ratio (whole process trees, start-up included) is the steadier
figure on a shared machine, where two parsing workers gain little when other jobs hold the cores.

    python benchmarks/build_speed.py                           # 100,000 incidents in 10,000 files
    python benchmarks/build_speed.py --incidents 20000 --files 2000 --rounds 2
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _measure import TreeUsage, machine, run_measured  # noqa: E402

# each snippet times its own work (imports and reading the reference table stay outside the clock)
FLOOR = r"""
import json, sys, time
from pathlib import Path
import yaml, pyarrow.parquet as pq
coded, table_path, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
table = pq.read_table(table_path)
t0 = time.perf_counter()
docs = [yaml.load(p.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) for p in sorted(coded.glob("*.yaml"))]
pq.write_table(table, out / "floor.parquet", compression="zstd")
print(json.dumps({"seconds": time.perf_counter() - t0, "docs": len(docs)}))
"""

BUILD = r"""
import json, sys, time
from pathlib import Path
import incidentkit
coded, out, exports = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "1"
t0 = time.perf_counter()
result = incidentkit.build(coded, out, exports=exports)
print(json.dumps({"seconds": time.perf_counter() - t0, "incidents": result.table.num_rows}))
"""


def _run(code: str, *args: str) -> tuple[dict, TreeUsage]:
    out, mem = run_measured([sys.executable, "-c", code, *args])
    return json.loads(out.strip().splitlines()[-1]), mem


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--incidents", type=int, default=100_000)
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=1, help="build and floor measured alternately this many times")
    ap.add_argument("--work", type=Path, default=HERE / "out" / "build")
    ap.add_argument("--exports", action="store_true", help="Also time the full build with every export.")
    ap.add_argument("--no-warm-up", action="store_true",
                    help="Skip the untimed first build (only when its gazetteer index is already cached).")
    args = ap.parse_args()

    from generate_coded import write_files

    print(machine())
    coded = args.work / "coded"
    out = args.work / "dataset"
    t0 = time.perf_counter()
    write_files(coded, args.incidents, args.files)
    print(f"generated {args.incidents:,} incidents in {args.files:,} files in {time.perf_counter() - t0:.1f} s")

    if not args.no_warm_up:
        _run(BUILD, str(coded), str(out), "0")      # warm-up: builds the gazetteer index cache once
    for r in range(1, args.rounds + 1):
        build, bmem = _run(BUILD, str(coded), str(out), "0")
        floor, fmem = _run(FLOOR, str(coded), str(out / "incidents.parquet"), str(out))
        ratio = build["seconds"] / floor["seconds"]
        print(f"round {r}: build (validate + geocode + Parquet): {build['seconds']:.2f} s, {bmem.text()}")
        print(f"round {r}: floor (CSafeLoader parse + pyarrow write): {floor['seconds']:.2f} s, {fmem.text()}")
        print(f"round {r}: ratio build / floor: {ratio:.2f} wall, {bmem.cpu_seconds / fmem.cpu_seconds:.2f} CPU "
              "(goal <= 1.5; peak memory goal < 1024 MB)")
    if args.exports:
        full, mem = _run(BUILD, str(coded), str(out), "1")
        print(f"full build with every export: {full['seconds']:.2f} s, {mem.text()}, "
              f"ratio to the last floor {full['seconds'] / floor['seconds']:.2f}")


if __name__ == "__main__":
    main()
