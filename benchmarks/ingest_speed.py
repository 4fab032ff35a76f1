"""Benchmark: ACLED ingest against plain pyarrow (CSV read + Parquet write) and pandas.read_csv.

Generates an ACLED-shaped CSV (2.5 million events, ~1.3 GB, notes with commas, quotes, newlines, Arabic;
cached under benchmarks/out/), then times, each in its own subprocess so peak memory (ru_maxrss) is
measured per task:
  ingest   incidentkit.external.ingest_acled (streaming, typed, harmonised)
  pyarrow  pyarrow.csv.read_csv + pyarrow.parquet.write_table of the same file (the baseline)
  pandas   pandas.read_csv of the same file
and prints ratios (ingest / pyarrow: goal <= 0.7; pandas / ingest: goal >= 3).

    .venv/bin/python benchmarks/ingest_speed.py            # 2.5 M rows
    .venv/bin/python benchmarks/ingest_speed.py --quick    # 250 k rows
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).parent / "out"

# (imports, timed statement): imports happen before the clock starts, so only the work is timed
TASKS = {
    "ingest": ("from incidentkit.external import ingest_acled", "ingest_acled(SRC, DST, progress=False)"),
    "pyarrow": ("import pyarrow.csv as c, pyarrow.parquet as pq",
                "pq.write_table(c.read_csv(SRC, parse_options=c.ParseOptions(newlines_in_values=True)), DST)"),
    "pandas": ("import pandas as pd", "pd.read_csv(SRC)"),
}


def run_task(name: str, src: Path) -> dict[str, float]:
    dst = OUT / f"bench_{name}.parquet"
    # VmHWM (peak resident set of this process image), not ru_maxrss, which survives fork+exec on Linux
    imports, statement = TASKS[name]
    code = (f"import re, time, json\n{imports}\nSRC, DST = {str(src)!r}, {str(dst)!r}\nt = time.perf_counter()\n"
            f"{statement}\nsec = time.perf_counter() - t\n"
            f"hwm = int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))\n"
            f"print(json.dumps({{'seconds': sec, 'peak_mb': hwm / 1024}}))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="250,000 rows instead of 2,500,000")
    ap.add_argument("--rows", type=int, default=None)
    args = ap.parse_args()
    rows = args.rows or (250_000 if args.quick else 2_500_000)
    OUT.mkdir(exist_ok=True)
    src = OUT / f"acled_{rows}.csv"
    if not src.exists():
        from incidentkit.external.synthetic import write_acled_csv

        t = time.perf_counter()
        tmp = src.with_suffix(".tmp")
        write_acled_csv(tmp, rows, seed=7, vintage="export")
        tmp.rename(src)
        print(f"generated {src} in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    size_mb = src.stat().st_size / 1e6
    results = {name: run_task(name, src) for name in TASKS}
    ing, pa_, pd_ = results["ingest"], results["pyarrow"], results["pandas"]
    print(f"ACLED ingest benchmark: {rows:,} rows, {size_mb:,.0f} MB CSV")
    for name, r in results.items():
        print(f"  {name:8s} {r['seconds']:7.2f} s   peak RSS {r['peak_mb']:8.0f} MB")
    print(f"  ingest / (pyarrow read + parquet write) = {ing['seconds'] / pa_['seconds']:.2f}  (goal <= 0.7)")
    print(f"  pandas.read_csv / ingest               = {pd_['seconds'] / ing['seconds']:.2f}x (goal >= 3)")
    print(f"  ingest peak memory / file size          = {ing['peak_mb'] / size_mb:.2f}")


if __name__ == "__main__":
    main()
