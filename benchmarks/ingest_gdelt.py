"""Benchmark: GDELT 2.0 event ingest against DuckDB's and polars' CSV readers writing Parquet (issue 16, point 5).

Generates GDELT-shaped 15-minute files (61 headerless tab columns, repeated events, every ActionGeo_Type;
:mod:`incidentkit.external.gdelt_synthetic`), plain and zipped, cached under benchmarks/out/, then times in
one run, each task in its own subprocess whose process tree is sampled for peak memory
(``_measure.run_measured``); wall and CPU seconds are those of the work alone, imports excluded:

  ingest      incidentkit.external.gdelt.ingest_gdelt of the folder of plain files (streaming, typed,
              harmonised: crosswalk types, precision, FIPS->ISO, event_group, located errors)
  ingest-zip  the same on the zipped files (members read without unpacking)
  ingest-dask the plain files on a local Dask cluster of 2 workers (--dask)
  duckdb      COPY (SELECT * FROM read_csv('<folder>/*.export.CSV', delim='\\t', quote='', escape='',
              header=false, columns={61 typed columns})) TO DST (FORMAT parquet, COMPRESSION zstd)
  polars      pl.scan_csv('<folder>/*.export.CSV', separator='\\t', has_header=False, quote_char=None,
              schema={61 typed columns}).sink_parquet(DST, compression='zstd')

The baselines are given GDELT's own column types (codebook: integers, floats, the CAMEO codes as text)
so that they parse what ours parses; they write the 61 columns as they are (no harmonised schema, no
mapping, no checks beyond the types). Neither reads zip archives, so only ours reads the zipped files.

    .venv/bin/python benchmarks/ingest_gdelt.py                         # 2,000,000 rows, 250,000 per file
    .venv/bin/python benchmarks/ingest_gdelt.py --rows 50000000 --rows-per-file 500000 --no-zip --dask
    .venv/bin/python benchmarks/ingest_gdelt.py --rows 200000 --rows-per-file 1500   # real 15-minute files
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _measure import TreeUsage, machine, time_statement

OUT = HERE / "out"


def _types() -> dict[str, str]:
    """GDELT's column types (codebook V2.0) as DuckDB names."""
    from incidentkit.external.gdelt import COLUMNS

    ints = {"GLOBALEVENTID": "BIGINT", "SQLDATE": "INTEGER", "MonthYear": "INTEGER", "Year": "INTEGER",
            "IsRootEvent": "INTEGER", "QuadClass": "INTEGER", "NumMentions": "INTEGER", "NumSources": "INTEGER",
            "NumArticles": "INTEGER", "DATEADDED": "BIGINT", "Actor1Geo_Type": "INTEGER",
            "Actor2Geo_Type": "INTEGER", "ActionGeo_Type": "INTEGER"}
    floats = {"FractionDate", "GoldsteinScale", "AvgTone", "Actor1Geo_Lat", "Actor1Geo_Long", "Actor2Geo_Lat",
              "Actor2Geo_Long", "ActionGeo_Lat", "ActionGeo_Long"}
    return {c: ints.get(c, "DOUBLE" if c in floats else "VARCHAR") for c in COLUMNS}


POLARS = {"BIGINT": "pl.Int64", "INTEGER": "pl.Int32", "DOUBLE": "pl.Float64", "VARCHAR": "pl.String"}


def _tasks(plain: Path, zipped: Path | None, dask: bool) -> dict[str, tuple[str, str]]:
    types = _types()
    glob = str(plain / "*.export.CSV")
    columns = "{" + ", ".join(f"'{c}': '{t}'" for c, t in types.items()) + "}"
    schema = "{" + ", ".join(f"{c!r}: {POLARS[t]}" for c, t in types.items()) + "}"
    tasks = {
        "ingest": ("from incidentkit.external.gdelt import ingest_gdelt",
                   f"ingest_gdelt({str(plain)!r}, DST, progress=False)"),
        "duckdb": ("import duckdb",
                   (f"duckdb.sql(\"COPY (SELECT * FROM read_csv('{glob}', delim='\\t', quote='', escape='', "
                    f"header=false, columns={columns})) TO '\" + DST + \"' (FORMAT parquet, COMPRESSION zstd)\")")),
        "polars": ("import polars as pl",
                   (f"pl.scan_csv({glob!r}, separator='\\t', has_header=False, quote_char=None, schema={schema})"
                    ".sink_parquet(DST, compression='zstd')")),
    }
    if zipped is not None:
        tasks["ingest-zip"] = ("from incidentkit.external.gdelt import ingest_gdelt",
                               f"ingest_gdelt({str(zipped)!r}, DST, progress=False)")
    if dask:
        tasks["ingest-dask"] = ("from incidentkit.external.gdelt import ingest_gdelt",
                                f"ingest_gdelt({str(plain)!r}, DST, progress=False, engine='dask', workers=2)")
    return tasks


def run_task(name: str, imports: str, statement: str) -> tuple[float, float, TreeUsage, int]:
    """Wall and CPU seconds of the statement alone (CPU of this process's threads; the tree's CPU, Dask
    workers included, is in the usage), the tree's usage and the output's size in bytes."""
    dst = OUT / f"bench_gdelt_{name}.parquet"
    seconds, cpu, usage = time_statement(imports, statement, DST=str(dst))
    size = dst.stat().st_size if dst.exists() else 0
    dst.unlink(missing_ok=True)
    return seconds, cpu, usage, size


def _generate(folder: Path, rows: int, rows_per_file: int, zipped: bool) -> Path:
    if not folder.exists():
        from incidentkit.external.gdelt_synthetic import write_gdelt_files

        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        t = time.perf_counter()
        write_gdelt_files(tmp, rows, rows_per_file=rows_per_file, zipped=zipped, seed=7)
        tmp.rename(folder)
        sec = time.perf_counter() - t
        print(f"generated {folder.name}: {rows:,} rows in {sec:.1f} s ({rows / sec * 60 / 1e6:.1f} M rows/min)",
              file=sys.stderr)
    return folder


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--rows-per-file", type=int, default=250_000,
                    help="rows per 15-minute file (real ones hold 1,000-2,500)")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--no-zip", action="store_true", help="skip the zipped files (and the ingest-zip task)")
    ap.add_argument("--dask", action="store_true", help="also ingest on a local Dask cluster of 2 workers")
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    stem = f"gdelt_{args.rows}_{args.rows_per_file}"
    plain = _generate(OUT / f"{stem}_plain", args.rows, args.rows_per_file, zipped=False)
    zipped = None if args.no_zip else _generate(OUT / f"{stem}_zip", args.rows, args.rows_per_file, zipped=True)
    size_mb = sum(p.stat().st_size for p in plain.iterdir()) / 1e6
    zip_mb = sum(p.stat().st_size for p in zipped.iterdir()) / 1e6 if zipped else 0
    files = len(list(plain.iterdir()))
    print(machine())
    print(f"GDELT ingest benchmark: {args.rows:,} rows in {files} files, {size_mb:,.0f} MB of tab text"
          + (f" ({zip_mb:,.0f} MB zipped)" if zipped else ""))
    tasks = _tasks(plain, zipped, args.dask)
    for r in range(1, args.rounds + 1):
        res = {name: run_task(name, *task) for name, task in tasks.items()}
        for name, (sec, cpu, usage, size) in res.items():
            print(f"  round {r} {name:11s} {sec:7.2f} s wall, {cpu:6.2f} s CPU, {args.rows / sec / 1e6:5.2f} M rows/s"
                  f"   {usage.memory_text()}, output {size / 1e6:,.0f} MB")
        ing, ing_u = res["ingest"][0], res["ingest"][2]
        for base in ("duckdb", "polars"):
            sec, _, usage, _ = res[base]
            print(f"  round {r} ingest / {base:6s} = {ing / sec:.2f} wall, "
                  f"{ing_u.tree_rss_mb / usage.tree_rss_mb:.2f} peak memory")


if __name__ == "__main__":
    main()
