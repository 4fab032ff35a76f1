"""Build time, peak memory and the ratio to the floor, measured in one run.

The floor is the least any build must do: parse the same YAML with the fastest safe loader (PyYAML's
libyaml ``CSafeLoader``, in one process) and write the same table with ``pyarrow.parquet.write_table``.
The build parses in worker processes (one per core); each measurement runs in a fresh subprocess so
peak memory (ru_maxrss) belongs to that step alone, and the largest worker's peak is reported too.

    python benchmarks/build_speed.py                      # 100,000 incidents in 10,000 files
    python benchmarks/build_speed.py --incidents 10000 --files 1000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

FLOOR = r"""
import json, resource, sys, time
from pathlib import Path
import yaml, pyarrow.parquet as pq
coded, table_path, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
table = pq.read_table(table_path)
t0 = time.perf_counter()
docs = [yaml.load(p.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) for p in sorted(coded.glob("*.yaml"))]
pq.write_table(table, out / "floor.parquet", compression="zstd")
elapsed = time.perf_counter() - t0
print(json.dumps({"seconds": elapsed, "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "docs": len(docs)}))
"""

BUILD = r"""
import json, resource, sys, time
from pathlib import Path
import incidentkit
coded, out, exports = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "1"
t0 = time.perf_counter()
result = incidentkit.build(coded, out, exports=exports)
elapsed = time.perf_counter() - t0
print(json.dumps({"seconds": elapsed, "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "worker_maxrss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                  "incidents": result.table.num_rows}))
"""


def _run(code: str, *args: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--incidents", type=int, default=100_000)
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--work", type=Path, default=HERE / "out" / "build")
    ap.add_argument("--exports", action="store_true", help="Also time the full build with every export.")
    args = ap.parse_args()

    sys.path.insert(0, str(HERE))
    from generate_coded import write_files

    coded = args.work / "coded"
    out = args.work / "dataset"
    t0 = time.perf_counter()
    write_files(coded, args.incidents, args.files)
    print(f"generated {args.incidents} incidents in {args.files} files in {time.perf_counter() - t0:.1f} s")

    _run(BUILD, str(coded), str(out), "0")          # warm-up: builds the gazetteer index cache once
    build = _run(BUILD, str(coded), str(out), "0")
    floor = _run(FLOOR, str(coded), str(out / "incidents.parquet"), str(out))
    ratio = build["seconds"] / floor["seconds"]
    print(f"build (validate + geocode + Parquet): {build['seconds']:.2f} s, peak {build['maxrss_mb']:.0f} MB "
          f"(largest parsing worker: {build['worker_maxrss_mb']:.0f} MB)")
    print(f"floor (CSafeLoader parse + pyarrow write): {floor['seconds']:.2f} s, peak {floor['maxrss_mb']:.0f} MB")
    print(f"ratio build / floor: {ratio:.2f}  (goal <= 1.5; peak memory goal < 1024 MB)")
    if args.exports:
        full = _run(BUILD, str(coded), str(out), "1")
        print(f"full build with every export: {full['seconds']:.2f} s, peak {full['maxrss_mb']:.0f} MB, "
              f"ratio to floor {full['seconds'] / floor['seconds']:.2f}")


if __name__ == "__main__":
    main()
