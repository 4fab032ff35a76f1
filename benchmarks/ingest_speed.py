"""Benchmark: ACLED ingest against plain pyarrow (CSV read + Parquet write) and pandas.read_csv.

Generates an ACLED-shaped CSV (2.5 million events, ~1.3 GB, notes with commas, quotes, newlines, Arabic;
cached under benchmarks/out/), then times, each in its own subprocess whose process tree is sampled for
peak memory (``_measure.run_measured``; pyarrow works in threads, so the tree is one process); wall and
CPU seconds (all threads) are those of the work alone, imports excluded:
  ingest   incidentkit.external.ingest_acled (streaming, typed, harmonised)
  pyarrow  pyarrow.csv.read_csv + pyarrow.parquet.write_table of the same file (the baseline)
  pandas   pandas.read_csv of the same file
  duckdb   DuckDB's read_csv written to the same Parquet (COPY ... TO, zstd)
  polars   polars' scan_csv sunk to the same Parquet (zstd)
and prints ratios (ingest / pyarrow: goal <= 0.7; pandas / ingest: goal >= 3). ``--rounds`` repeats the
three tasks in turn (the machine is shared: each round's ratios are measured minutes apart at most).

    .venv/bin/python benchmarks/ingest_speed.py            # 2.5 M rows
    .venv/bin/python benchmarks/ingest_speed.py --quick    # 250 k rows
    .venv/bin/python benchmarks/ingest_speed.py --quick --rounds 3
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _measure import TreeUsage, machine, time_statement  # noqa: E402

OUT = HERE / "out"

# (imports, timed statement): imports happen before the clock starts, so only the work is timed
TASKS = {
    "ingest": ("from incidentkit.external import ingest_acled", "ingest_acled(SRC, DST, progress=False)"),
    "pyarrow": ("import pyarrow.csv as c, pyarrow.parquet as pq",
                "pq.write_table(c.read_csv(SRC, parse_options=c.ParseOptions(newlines_in_values=True)), DST)"),
    "pandas": ("import pandas as pd", "pd.read_csv(SRC)"),
    # the engines a researcher might reach for instead, writing the same Parquet (zstd), all their threads
    "duckdb": ("import duckdb",
               "duckdb.sql(f\"COPY (SELECT * FROM read_csv('{SRC}')) TO '{DST}' (FORMAT parquet, COMPRESSION zstd)\")"),
    "polars": ("import polars as pl", "pl.scan_csv(SRC).sink_parquet(DST, compression='zstd')"),
}


def run_task(name: str, src: Path) -> tuple[float, float, TreeUsage]:
    """Wall and CPU seconds of the timed statement alone (imports outside the clock; CPU is
    ``time.process_time``, every thread of the process), and the task's process tree."""
    imports, statement = TASKS[name]
    return time_statement(imports, statement, SRC=str(src), DST=str(OUT / f"bench_{name}.parquet"))

def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="250,000 rows instead of 2,500,000")
    ap.add_argument("--rows", type=int, default=None)
    ap.add_argument("--rounds", type=int, default=1, help="measure the three tasks this many times, in turn")
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
    print(machine())
    print(f"ACLED ingest benchmark: {rows:,} rows, {size_mb:,.0f} MB CSV")
    for r in range(1, args.rounds + 1):
        results = {name: run_task(name, src) for name in TASKS}
        (ing, _, ing_u), (pa_, _, _), (pd_, _, _) = results["ingest"], results["pyarrow"], results["pandas"]
        cpu = {name: c for name, (_, c, _) in results.items()}
        for name, (sec, c, usage) in results.items():
            print(f"  round {r} {name:8s} {sec:7.2f} s wall, {c:6.2f} s CPU   {usage.memory_text()}")
        print(f"  round {r} ingest / (pyarrow read + parquet write) = {ing / pa_:.2f} wall, "
              f"{cpu['ingest'] / cpu['pyarrow']:.2f} CPU  (goal <= 0.7)")
        print(f"  round {r} pandas.read_csv / ingest               = {pd_ / ing:.2f}x wall, "
              f"{cpu['pandas'] / cpu['ingest']:.2f}x CPU (goal >= 3)")
        print(f"  round {r} ingest peak memory / file size          = {ing_u.tree_rss_mb * 1.048576 / size_mb:.2f}")
        for other in ("duckdb", "polars"):
            sec, c, usage = results[other]
            print(f"  round {r} ingest / {other:6s} = {ing / sec:.2f} wall, {cpu['ingest'] / c:.2f} CPU, "
                  f"{ing_u.tree_rss_mb / usage.tree_rss_mb:.2f} peak memory (issue 16: on par, less memory)")


if __name__ == "__main__":
    main()
