"""Benchmark: linking on Dask (2 workers) against the single-machine path, on GDELT-shaped events.

GDELT writes several rows for one real event (one per article that reports it), places most of them at
a city, some only at a province or a country, and adds about 14,000 rows a day. The generator below
makes such rows with numpy, chunk by chunk in date order (bounded memory, so --rows 50000000 works),
as a Parquet file of 1 million-row row groups; our incidents are noisy copies of some of the real
events behind them. Reports, in one run:

  * the single-machine link (``--no-local`` skips it where the table does not fit in memory);
  * the Dask link with 2 worker processes: time per partition task (read + search + score), total,
    candidates, and each worker's peak memory (the RSS of the worker
    process, sampled with psutil every 50 ms in the worker);
  * that both give exactly the same links.

    .venv/bin/python benchmarks/link_dask.py                    # 2 million rows (generated once, cached)
    .venv/bin/python benchmarks/link_dask.py --rows 5000000
    .venv/bin/python benchmarks/link_dask.py --rows 50000000 --no-local --partitions 50
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from incidentkit.codebook import vocab
from incidentkit.linking import link

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import machine, self_peak_mb

OUT = Path(__file__).parent / "out"
CHUNK = 1_000_000            # rows per generated chunk and per row group
ROWS_PER_EVENT = 3.0         # mean GDELT rows per real event
DAY0 = np.datetime64("2015-02-18", "D")  # GDELT 2.0 starts here
ROWS_PER_DAY = 14_000
PLACES = 30_000
SUBS = [s for s in vocab.SUB_EVENT_TYPES if s != "Other"][:20]
ACTORS = [f"Actor {k}" for k in range(400)] + ["Civilians", "Police Forces", "Military Forces", "Protesters"]


def _places(rng: np.random.Generator) -> np.ndarray:
    """Towns in 25 country-sized boxes: events cluster where the towns are, as in GDELT and ACLED."""
    centres = rng.uniform([-30, -20], [50, 120], size=(25, 2))
    which = rng.integers(0, len(centres), PLACES)
    return centres[which] + rng.normal(0, 2.5, (PLACES, 2))


def _chunk(c: int, rows: int, places: np.ndarray, n_inc: int) -> tuple[pa.Table, pd.DataFrame]:
    """One chunk of GDELT-shaped rows (their days follow the previous chunk's) and incidents from it."""
    rng = np.random.default_rng(1000 + c)
    first = c * CHUNK // ROWS_PER_DAY
    last = max(first + 1, (c * CHUNK + rows) // ROWS_PER_DAY)
    n_real = max(1, int(rows / ROWS_PER_EVENT))
    real_day = rng.integers(first, last, n_real)
    real_place = rng.integers(0, PLACES, n_real)
    real_sub = rng.integers(0, len(SUBS), n_real)
    real_a1, real_a2 = rng.integers(0, len(ACTORS), n_real), rng.integers(0, len(ACTORS), n_real)
    real_dead = rng.poisson(1.0, n_real)
    ev = np.sort(rng.integers(0, n_real, rows))  # which real event each row reports
    # ActionGeo_Type: 4 city (most), 2/5 province (geo_precision 2), 1 country (3)
    geo = rng.choice([1, 1, 1, 1, 1, 1, 2, 2, 3], rows)
    jitter = rng.normal(0, 0.02, (rows, 2)) + (geo == 2)[:, None] * rng.normal(0, 0.15, (rows, 2))
    lat = places[real_place[ev], 0] + jitter[:, 0]
    lon = places[real_place[ev], 1] + jitter[:, 1]
    day = real_day[ev] + rng.choice([0, 0, 0, 1], rows)  # a report a day late
    tp = np.where(rng.random(rows) < 0.05, 2, 1)
    order = np.argsort(day, kind="stable")
    ids = pc.binary_join_element_wise("G", pc.cast(pa.array(np.arange(c * CHUNK, c * CHUNK + rows)), pa.string()), "")
    sub_dict = pa.array(SUBS)
    ev_names = sorted({vocab.SUB_EVENT_TYPES[s] for s in SUBS})
    ev_code = np.array([ev_names.index(vocab.SUB_EVENT_TYPES[s]) for s in SUBS])
    act = pa.array(ACTORS)
    start = (DAY0 + day[order]).astype("datetime64[D]")

    def dictionary(codes: np.ndarray, values: pa.Array) -> pa.DictionaryArray:
        return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), values)

    table = pa.table({
        "id": ids.take(pa.array(order)),  # ids follow the date order of the file
        "date_start": pa.array(start, pa.date32()), "date_end": pa.array(start, pa.date32()),
        "time_precision": pa.array(tp[order].astype(np.int8)),
        "event_type": dictionary(ev_code[real_sub[ev][order]], pa.array(ev_names)),
        "sub_event_type": dictionary(real_sub[ev][order], sub_dict),
        "actor1": dictionary(real_a1[ev][order], act), "actor2": dictionary(real_a2[ev][order], act),
        "latitude": lat[order], "longitude": lon[order], "geo_precision": pa.array(geo[order].astype(np.int8)),
        "fatalities_best": pa.array(np.where(rng.random(rows) < 0.7, real_dead[ev], -1)[order].astype(np.int32)),
        "country": dictionary(np.zeros(rows, np.int64), pa.array(["XX"])),
        "dataset": dictionary(np.zeros(rows, np.int64), pa.array(["gdelt"])),
    })
    # our incidents: noisy copies of some real events of this chunk
    pick = rng.choice(n_real, min(n_inc, n_real), replace=False)
    k = len(pick)
    inc_day = DAY0 + real_day[pick] + rng.integers(-1, 2, k)
    inc = pd.DataFrame({
        "id": [f"inc-{c:03d}-{j:05d}" for j in range(k)], "date_start": inc_day.astype("datetime64[s]"),
        "date_end": inc_day.astype("datetime64[s]"), "time_precision": 1,
        "event_type": [vocab.SUB_EVENT_TYPES[SUBS[s]] for s in real_sub[pick]],
        "sub_event_type": [SUBS[s] for s in real_sub[pick]],
        "actor1": [ACTORS[a] for a in real_a1[pick]], "actor2": [ACTORS[a] for a in real_a2[pick]],
        "latitude": places[real_place[pick], 0] + rng.normal(0, 0.03, k),
        "longitude": places[real_place[pick], 1] + rng.normal(0, 0.03, k),
        "geo_precision": 1, "fatalities_best": real_dead[pick], "country": "XX", "dataset": "incidentkit",
    })
    return table, inc


def generate(rows: int, incidents: int) -> tuple[Path, pd.DataFrame]:
    """The events file (cached in benchmarks/out/) and our incidents."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"link_dask_events_{rows}.parquet"
    inc_path = OUT / f"link_dask_incidents_{rows}_{incidents}.parquet"
    if path.exists() and inc_path.exists():
        return path, pd.read_parquet(inc_path)
    t = time.perf_counter()
    places = _places(np.random.default_rng(7))
    chunks = -(-rows // CHUNK)
    per_chunk = -(-incidents // chunks)
    incs = []
    tmp = path.with_suffix(".tmp")
    with pq.ParquetWriter(tmp, _chunk(0, 10, places, 0)[0].schema, compression="zstd") as w:
        for c in range(chunks):
            table, inc = _chunk(c, min(CHUNK, rows - c * CHUNK), places, per_chunk)
            w.write_table(table, row_group_size=CHUNK)
            incs.append(inc)
            print(f"  generated {min(rows, (c + 1) * CHUNK):,} / {rows:,} rows", file=sys.stderr, end="\r")
    tmp.replace(path)
    inc_df = pd.concat(incs, ignore_index=True).head(incidents)
    inc_df.to_parquet(inc_path)
    print(f"\ngenerated {rows:,} GDELT-shaped rows in {time.perf_counter() - t:.0f} s "
          f"({path.stat().st_size / 1e6:,.0f} MB)", file=sys.stderr)
    return path, inc_df


def _start_sampler(dask_worker: object) -> float:
    """In a worker: sample its RSS with psutil every 50 ms from now on (its peak during the link);
    returns its RSS now (interpreter, imports, the broadcast incidents not yet)."""
    import threading

    import psutil

    proc = psutil.Process()
    state = {"peak": proc.memory_info().rss, "stop": threading.Event()}

    def loop() -> None:
        while not state["stop"].wait(0.05):
            state["peak"] = max(state["peak"], proc.memory_info().rss)

    threading.Thread(target=loop, daemon=True).start()
    dask_worker._link_bench_sampler = state  # type: ignore[attr-defined]
    return state["peak"] / 2**20


def _stop_sampler(dask_worker: object) -> float:
    """In a worker: stop sampling; its peak RSS in MB since :func:`_start_sampler`."""
    state = dask_worker._link_bench_sampler  # type: ignore[attr-defined]
    state["stop"].set()
    return state["peak"] / 2**20


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=2_000_000, help="external rows (default 2 million)")
    ap.add_argument("--incidents", type=int, default=20_000)
    ap.add_argument("--partitions", type=int, default=None, help="default: one per million rows, at least 8")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--days", type=int, default=3)
    ap.add_argument("--km", type=float, default=25.0)
    ap.add_argument("--no-local", action="store_true", help="skip the single-machine run (too large for memory)")
    args = ap.parse_args()
    from distributed import Client, LocalCluster

    print(machine())
    path, inc = generate(args.rows, args.incidents)
    parts = args.partitions or max(8, args.rows // 1_000_000)
    print(f"Linking {len(inc):,} incidents to {args.rows:,} GDELT-shaped rows, --days {args.days} --km {args.km:g}")

    local = None
    if not args.no_local:
        t = time.perf_counter()
        local = link(inc, path, days=args.days, km=args.km)
        t_local = time.perf_counter() - t
        print(f"  single machine: {t_local:6.1f} s, {local.summary['candidates']:,} candidates, "
              f"{local.summary['matched']:,} linked, peak memory of this process {self_peak_mb():,.0f} MB")

    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, silence_logs=40, memory_limit=0) as cluster, Client(cluster) as client:
        base = client.run(_start_sampler)  # workers up before the clock starts
        t = time.perf_counter()
        result = link(inc, path, days=args.days, km=args.km, engine="dask", client=client, partitions=parts)
        t_dask = time.perf_counter() - t
        peak = client.run(_stop_sampler)
    tasks = pd.DataFrame(result.tasks)
    print(f"  Dask, {args.workers} workers, {len(tasks)} partitions: {t_dask:6.1f} s total, "
          f"{result.summary['candidates']:,} candidates, {result.summary['matched']:,} linked")
    print(f"    per task: rows {tasks.external.min():,}-{tasks.external.max():,}, seconds "
          f"min {tasks.seconds.min():.2f} / median {tasks.seconds.median():.2f} / max {tasks.seconds.max():.2f} "
          f"(read {tasks.read_s.median():.2f}, search+score {tasks.score_s.median():.2f} median); "
          f"sum {tasks.seconds.sum():.1f} s")
    tm = result.timings
    print(f"    phases: partitioning {tm['partitioning_s']:.1f} s (day histogram over row groups), tasks "
          f"{tm['tasks_s']:.1f} s, assignment and result {tm['assignment_s']:.1f} s on the client")
    for k, addr in enumerate(sorted(peak)):
        print(f"    worker {k}: peak RSS {peak[addr]:,.0f} MB during the link ({base[addr]:,.0f} MB before it), "
              f"largest partition {tasks.external.max():,} rows")
    if local is not None:
        same = result.pairs.equals(local.pairs) and result.summary == local.summary
        print(f"  same links as the single machine: {same}  (speed-up x{t_local / t_dask:.2f})")
        if not same:
            sys.exit(1)


if __name__ == "__main__":
    main()
