"""Benchmark: GTD ingest against DuckDB's and polars' CSV readers writing the same Parquet.

Generates a GTD-shaped CSV (135 columns, GTD's mix of unknown days/months, specificity 5 rows, unknown
perpetrators, summaries with commas, quotes and Arabic; cached under benchmarks/out/) with
``tests/data/gtd/make_fixtures.write_synthetic_csv``, then times, each in a fresh subprocess whose process
tree is sampled for peak memory (``_measure.run_measured``), the work alone (imports outside the clock):

  ingest   incidentkit.external.gtd.ingest_gtd (streaming, typed, harmonised, crosswalk types)
  duckdb   COPY (SELECT * FROM read_csv(SRC)) TO DST (FORMAT parquet)       (types inferred, no mapping)
  polars   pl.scan_csv(SRC).sink_parquet(DST)                               (types inferred, no mapping)

and prints the ratios of each baseline to ingest. The baselines only copy the text into Parquet; the
ingest also converts dates, places, types and flags, so parity is the goal, not a win.

    .venv/bin/python benchmarks/ingest_gtd.py                 # 1,000,000 rows
    .venv/bin/python benchmarks/ingest_gtd.py --rows 200000 --rounds 2
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _measure import TreeUsage, machine, time_statement

OUT = HERE / "out"
FIXTURES = HERE.parent / "tests" / "data" / "gtd" / "make_fixtures.py"

# (imports, timed statement): imports happen before the clock starts, so only the work is timed
TASKS = {
    "ingest": ("from incidentkit.external.gtd import ingest_gtd", "ingest_gtd(SRC, DST, progress=False)"),
    "duckdb": ("import duckdb",
               "duckdb.sql(f\"COPY (SELECT * FROM read_csv('{SRC}', all_varchar=false)) TO '{DST}' (FORMAT parquet)\")"),
    "polars": ("import polars as pl", "pl.scan_csv(SRC, infer_schema_length=10000).sink_parquet(DST)"),
}


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gtd_make_fixtures", FIXTURES)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run_task(name: str, src: Path) -> tuple[float, float, TreeUsage]:
    """Wall and CPU seconds of the timed statement alone, and the task's process tree."""
    imports, statement = TASKS[name]
    return time_statement(imports, statement, SRC=str(src), DST=str(OUT / f"bench_gtd_{name}.parquet"))

def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=1, help="measure the three tasks this many times, in turn")
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    src = OUT / f"gtd_{args.rows}.csv"
    if not src.exists():
        t = time.perf_counter()
        tmp = src.with_suffix(".tmp")
        _generator().write_synthetic_csv(tmp, args.rows)
        tmp.rename(src)
        print(f"generated {src} in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    size_mb = src.stat().st_size / 1e6
    print(machine())
    print(f"GTD ingest benchmark: {args.rows:,} rows x 135 columns, {size_mb:,.0f} MB CSV")
    for r in range(1, args.rounds + 1):
        results = {name: run_task(name, src) for name in TASKS}
        ing, ing_cpu, ing_u = results["ingest"]
        for name, (sec, cpu, usage) in results.items():
            print(f"  round {r} {name:7s} {sec:7.2f} s wall, {cpu:6.2f} s CPU   {usage.memory_text()}")
        for name in ("duckdb", "polars"):
            sec, cpu, usage = results[name]
            print(f"  round {r} ingest / {name:7s} = {ing / sec:.2f} wall, {ing_cpu / cpu:.2f} CPU, "
                  f"{ing_u.tree_rss_mb / usage.tree_rss_mb:.2f} peak RSS")


if __name__ == "__main__":
    main()
