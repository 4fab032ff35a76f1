"""Benchmark: GDELT-shaped events at 50 million rows, ingested and linked on Dask with 2 workers.

Issue 16, point 5. One run, end to end, on one machine's LocalCluster of 2 worker processes (a stand-in
for 2 cluster nodes: the code path is the one a Slurm or Kubernetes cluster runs):

1. **generate** ``--rows`` GDELT 2.0 rows as 15-minute files of ``--rows-per-file`` rows (about GDELT's
   own 1,400; 50 M rows is then ~35,000 files over about a year), with repeated reports of one event;
2. **ingest** them on Dask (``incidentkit ingest gdelt FOLDER --engine dask``): wall time, MB/s, and
   each worker's peak memory (the cluster is restarted before each step, so a peak is the step's own);
3. **link** ``--incidents`` incidents drawn near violent GDELT events (and some far from any) on Dask,
   ``--partitions`` time partitions: per task its external rows, candidates, seconds and the worker's
   peak memory, so one sees time per task stay flat while the total grows with candidates;
4. **against the single machine where it fits**: the first ``--small`` rows ingested and linked by the
   local engine and by Dask in the same run (wall time of each, and the links compared: identical).

    .venv/bin/python benchmarks/gdelt_scale.py                       # 50 M rows (tens of GB, ~1 hour)
    .venv/bin/python benchmarks/gdelt_scale.py --rows 2000000 --small 500000   # a few minutes

Files go to ``--work`` (default benchmarks/out/gdelt_scale; kept between runs when the same size is
asked, so steps 2-4 can be re-run). Figures are printed and written as JSON beside them.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import machine  # noqa: E402

OUT = Path(__file__).parent / "out"
VIOLENT = ("cameo:18", "cameo:19", "cameo:20")


def _worker_peak_mb() -> float:
    """VmHWM, reset at exec (ru_maxrss is inherited from the process that spawned the worker)."""
    from incidentkit.linking.distributed import _peak_rss_mb

    return _peak_rss_mb()


def worker_peaks(client: Any) -> list[float]:
    """Each worker process's peak resident memory (MB) since it started."""
    return sorted(round(v, 1) for v in client.run(_worker_peak_mb).values())


def generate(folder: Path, rows: int, rows_per_file: int) -> list[Path]:
    from incidentkit.external.gdelt_synthetic import write_gdelt_files

    manifest = folder / "MANIFEST.json"
    want = {"rows": rows, "rows_per_file": rows_per_file, "seed": 7}
    if manifest.exists() and json.loads(manifest.read_text()) == want:
        return sorted(p for p in folder.iterdir() if p.name.endswith(".export.CSV"))
    shutil.rmtree(folder, ignore_errors=True)
    t = time.perf_counter()
    paths = write_gdelt_files(folder, rows, seed=7, rows_per_file=rows_per_file, zipped=False,
                              chunk_rows=2_000_000)
    manifest.write_text(json.dumps(want))
    print(f"generated {rows:,} rows in {len(paths):,} files, {sum(p.stat().st_size for p in paths) / 1e9:.1f} GB, "
          f"in {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
    return paths


def incidents_from(parquet: Path, n: int, seed: int = 3) -> pd.DataFrame:
    """``n`` incidents: 80 % a few km and at most a day from a violent GDELT event, 20 % far from any."""
    rng = np.random.default_rng(seed)
    pf = pq.ParquetFile(parquet)
    groups = rng.choice(pf.num_row_groups, size=min(pf.num_row_groups, 40), replace=False)
    cols = ["date_start", "event_code", "event_type", "sub_event_type", "latitude", "longitude", "country"]
    t = pd.concat([pf.read_row_group(int(g), columns=cols).to_pandas() for g in sorted(groups)], ignore_index=True)
    t = t[t["event_code"].astype(str).str.startswith(VIOLENT) & t["latitude"].notna() & t["sub_event_type"].notna()]
    near = int(n * 0.8)
    pick = t.sample(n=min(near, len(t)), random_state=seed).reset_index(drop=True)
    m = len(pick)
    inc = pd.DataFrame({
        "id": [f"INC{k:06d}" for k in range(m)],
        "date_start": pd.to_datetime(pick["date_start"]) + pd.to_timedelta(rng.integers(-1, 2, m), unit="D"),
        "event_type": pick["event_type"].astype(str), "sub_event_type": pick["sub_event_type"].astype(str),
        "latitude": pick["latitude"].to_numpy() + rng.normal(0, 0.02, m),
        "longitude": pick["longitude"].to_numpy() + rng.normal(0, 0.02, m),
        "country": pick["country"].astype(str)})
    far = n - m
    lo, hi = pd.to_datetime(t["date_start"]).min(), pd.to_datetime(t["date_start"]).max()
    extra = pd.DataFrame({
        "id": [f"INC{k:06d}" for k in range(m, n)],
        "date_start": lo + pd.to_timedelta(rng.integers(0, max(1, (hi - lo).days), far), unit="D"),
        "event_type": "Battles", "sub_event_type": "Armed clash",
        "latitude": rng.uniform(-40, 60, far), "longitude": rng.uniform(-120, 150, far), "country": "XX"})
    inc = pd.concat([inc, extra], ignore_index=True)
    inc["date_end"] = inc["date_start"]
    inc["time_precision"], inc["geo_precision"], inc["fatalities_best"] = 1, 1, -1
    inc["actor1"], inc["actor2"] = None, None
    return inc


def ingest_step(files: list[Path], out: Path, engine: str, client: Any | None) -> dict[str, Any]:
    from incidentkit.external.gdelt import ingest_gdelt

    size = sum(p.stat().st_size for p in files)
    t = time.perf_counter()
    kwargs: dict[str, Any] = {"engine": engine}
    if client is not None:
        kwargs["scheduler"] = client.scheduler.address
    result = ingest_gdelt(files, out, progress=False, **kwargs)
    wall = time.perf_counter() - t
    return {"engine": engine, "files": len(files), "rows": result.total, "input_gb": round(size / 1e9, 2),
            "seconds": round(wall, 1), "mb_per_s": round(size / 1e6 / wall, 1),
            "row_groups": pq.ParquetFile(out).num_row_groups}


def link_step(inc: pd.DataFrame, parquet: Path, engine: str, client: Any | None, partitions: int) -> tuple[Any, dict]:
    from incidentkit.linking import link

    t = time.perf_counter()
    if engine == "dask":
        result = link(inc, parquet, engine="dask", client=client, partitions=partitions)
    else:
        result = link(inc, parquet)
    wall = time.perf_counter() - t
    s = result.summary
    info = {"engine": engine, "incidents": len(inc), "external": s["external"], "candidates": s["candidates"],
            "linked": s["linked_incidents"], "same_event_rows": s.get("same_event_rows", 0),
            "seconds": round(wall, 1)}
    tasks = getattr(result, "tasks", None) or []
    if tasks:
        sec = np.array([t["seconds"] for t in tasks])
        info.update(tasks=len(tasks), task_seconds_median=round(float(np.median(sec)), 2),
                    task_seconds_max=round(float(sec.max()), 2),
                    task_rows_median=int(np.median([t["external"] for t in tasks])),
                    per_task=[{k: (round(v, 2) if isinstance(v, float) else v) for k, v in t.items()} for t in tasks])
    return result, info


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=50_000_000)
    ap.add_argument("--rows-per-file", type=int, default=1_430)
    ap.add_argument("--incidents", type=int, default=20_000)
    ap.add_argument("--partitions", type=int, default=64)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--small", type=int, default=5_000_000, help="rows for the local-vs-Dask comparison")
    ap.add_argument("--work", type=Path, default=OUT / "gdelt_scale")
    ap.add_argument("--only-small", action="store_true",
                    help="skip the full-size ingest and link (step 4 alone, on files already generated)")
    args = ap.parse_args()

    import distributed

    args.work.mkdir(parents=True, exist_ok=True)
    folder = args.work / f"files_{args.rows}_{args.rows_per_file}"
    files = generate(folder, args.rows, args.rows_per_file)
    report: dict[str, Any] = {"machine": machine(), "rows": args.rows, "rows_per_file": args.rows_per_file,
                              "workers": args.workers}
    def cluster() -> Any:
        """A fresh cluster per step, so each worker's peak memory is that step's own."""
        import contextlib

        stack = contextlib.ExitStack()
        c = stack.enter_context(distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1,
                                                         processes=True, host="127.0.0.1",
                                                         dashboard_address=None, silence_logs=40))
        client = stack.enter_context(distributed.Client(c))
        return stack, client

    full = args.work / f"gdelt_{args.rows}.parquet"
    if not args.only_small:
        stack, client = cluster()
        with stack:
            report["ingest_dask"] = ingest_step(files, full, "dask", client)
            report["ingest_dask"]["worker_peak_mb"] = worker_peaks(client)
        print("ingest (Dask):", report["ingest_dask"], file=sys.stderr, flush=True)

        inc = incidents_from(full, args.incidents)
        stack, client = cluster()
        with stack:
            _, info = link_step(inc, full, "dask", client, args.partitions)
            info["worker_peak_mb"] = worker_peaks(client)
        report["link_dask"] = info
        (args.work / "report_full.json").write_text(json.dumps(report, indent=2, default=str))
        print("link (Dask):", {k: v for k, v in info.items() if k != "per_task"}, file=sys.stderr, flush=True)

    # the single machine where it fits: the first files up to --small rows, both engines, same run
    small_files = files[:max(1, -(-args.small // args.rows_per_file))]
    small = args.work / f"gdelt_small_{args.small}.parquet"
    report["ingest_small_local"] = ingest_step(small_files, small, "local", None)
    stack, client = cluster()
    with stack:
        report["ingest_small_dask"] = ingest_step(small_files, args.work / "gdelt_small_dask.parquet", "dask",
                                                  client)
    same_table = pq.read_table(small).equals(pq.read_table(args.work / "gdelt_small_dask.parquet"))
    report["ingest_small_identical"] = bool(same_table)
    inc_small = incidents_from(small, max(1000, args.incidents // 4), seed=5)
    local_result, local_info = link_step(inc_small, small, "local", None, args.partitions)
    stack, client = cluster()
    with stack:
        dask_result, dask_info = link_step(inc_small, small, "dask", client, max(2, args.partitions // 8))
        dask_info["worker_peak_mb"] = worker_peaks(client)
    report["link_small_local"], report["link_small_dask"] = local_info, dask_info
    report["link_small_identical"] = bool(local_result.pairs.equals(dask_result.pairs))
    (args.work / "report.json").write_text(json.dumps(report, indent=2, default=str))
    print(json.dumps({k: v for k, v in report.items() if k != "link_dask"}, indent=2, default=str))
    if "link_dask" in report:
        print(json.dumps({k: v for k, v in report["link_dask"].items() if k != "per_task"}, indent=2))
    print(f"per-task figures: {args.work / 'report.json'}")


if __name__ == "__main__":
    main()
