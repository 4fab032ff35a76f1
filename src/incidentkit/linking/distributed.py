"""Linking on Dask distributed: the candidate search and scoring of :func:`incidentkit.linking.link`,
run per time partition of the external events on a cluster, with exactly the same links.

* The external events are cut into time partitions by ``date_start`` (about equal numbers of rows;
  each event in exactly one partition). A Parquet file is never read whole by anyone: each task reads
  only the columns linking needs, row group by row group, keeping the rows of its partition (row
  groups whose statistics lie outside it are skipped); the boundaries come from a histogram of days
  that tasks compute over row groups. A DataFrame is sliced on the client and scattered.
* Our incidents are prepared once and broadcast to every worker (``client.scatter(..., broadcast=True)``).
  A task searches only the incidents whose widened window can reach its partition's dates (an exact
  bound), with the ordinary :class:`~incidentkit.linking.index.SpaceTimeIndex` over its partition, and
  scores the pairs with :func:`~incidentkit.linking.score_slice`, the function the single-machine path
  calls on the whole table. External rows keep their global row number (their place in the file or
  frame), so the pairs of all partitions concatenate into what one slice of everything gives.
* The client then runs the one global assignment (:func:`~incidentkit.linking.build_result`). When
  many pairs reach it, they are split into connected components, assigned on the workers, and merged:
  the same links (:func:`incidentkit.matching.assign_per_day_components` says why).

Why the links are identical: every candidate pair lies in exactly one partition (its external row's),
the index finds every pair within the windows whatever other events share its partition, every score
part depends only on the pair's two rows (:func:`~incidentkit.linking.pair_scores`), the per-day keys
are computed once over the gathered rows, and pairs are taken in a canonical order (score descending,
incident row, external row) in both paths.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from incidentkit.errors import InputFileError, UsageError
from incidentkit.linking import (
    COLUMNS,
    REQUIRED,
    Candidates,
    Incidents,
    LinkParams,
    LinkResult,
    _days,
    _frame,
    _inputs,
    build_result,
    make_params,
    prepare_incidents,
    score_slice,
)
from incidentkit.cluster import DaskMissingError, dask_client, require_dask  # noqa: F401 - DaskMissingError re-exported
from incidentkit.matching import assign_per_day, assign_per_day_components
from incidentkit.progress import progress, step

#: Above this many scored pairs the assignment is split into connected components, assigned on the workers.
SPLIT_ABOVE = 2_000_000
_LO, _HI = np.iinfo(np.int64).min, np.iinfo(np.int64).max


def _require_dask() -> Any:
    return require_dask("--engine dask (linking on Dask distributed)")


def time_boundaries(days: np.ndarray, counts: np.ndarray, partitions: int) -> np.ndarray:
    """The first day of partitions 1..N-1 (partition 0 starts at minus infinity), from a histogram of
    ``date_start`` days: about equal numbers of events per partition, each day in one partition.

    Fewer boundaries come back when there are fewer distinct days than partitions asked for.
    """
    order = np.argsort(days, kind="stable")
    days, counts = np.asarray(days)[order], np.asarray(counts)[order]
    if partitions <= 1 or len(days) < 2:
        return np.empty(0, dtype=np.int64)
    cum = np.cumsum(counts)
    targets = cum[-1] * np.arange(1, partitions) / partitions
    at = np.searchsorted(cum, targets, side="left") + 1  # the day after the one reaching each share
    return np.unique(days[at[at < len(days)]]).astype(np.int64)


def partition_of(days: np.ndarray, boundaries: np.ndarray) -> np.ndarray:
    """The partition of each start day: the number of boundaries at or before it."""
    return np.searchsorted(boundaries, days, side="right")


def _bounds(k: int, boundaries: np.ndarray) -> tuple[int, int]:
    lo = int(boundaries[k - 1]) if k > 0 else _LO
    hi = int(boundaries[k]) if k < len(boundaries) else _HI
    return lo, hi


# --- Parquet, read by the workers -------------------------------------------------------------------

def _parquet_columns(path: Path) -> list[str]:
    """The columns linking reads, checked on the client before any task starts (the same errors as
    the single-machine path: an unreadable file, a missing column)."""
    if not path.exists():
        raise InputFileError(f"{path}: no such file", code="file-unreadable")
    try:
        names = pq.read_schema(path).names
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputFileError(f"{path}: not a readable Parquet file ({exc})", code="file-unreadable") from None
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise InputFileError(f"external: column {missing[0]!r} is needed for linking but missing",
                             code="link-missing-column")
    return [c for c in COLUMNS if c in names]


def _stat_days(stats: Any) -> tuple[int, int] | None:
    """A row group's (min, max) ``date_start`` day from its statistics, or None when unknown."""
    if stats is None or not stats.has_min_max or stats.null_count is None or stats.null_count > 0:
        return None
    try:
        lo, hi = _days(pd.Series([stats.min, stats.max]))
    except (ValueError, TypeError, OverflowError):
        return None
    return int(lo), int(hi)


def _column_days(col: pa.ChunkedArray) -> np.ndarray:
    """Start days of an Arrow column: a date32 column directly (its storage is days since the epoch),
    anything else as the single-machine path converts it (:func:`incidentkit.linking._days`)."""
    if pa.types.is_date32(col.type) and col.null_count == 0:
        return col.cast(pa.int32()).to_numpy().astype(np.int64)
    return _days(col.to_pandas(date_as_object=False))


def _row_groups(path: str, lo: int, hi: int) -> Iterator[tuple[pq.ParquetFile, int, int, np.ndarray]]:
    """(file, row group, its first global row, its rows' start days) for the row groups that may hold
    start days in [lo, hi); the others are skipped on their statistics, unread."""
    pf = pq.ParquetFile(path)
    md = pf.metadata
    kind = pf.schema_arrow.field("date_start").type
    temporal = pa.types.is_date(kind) or pa.types.is_timestamp(kind)
    # the leaf column's index in the Parquet schema (not the Arrow one: nested columns have several leaves)
    col = next(i for i in range(md.num_columns) if md.schema.column(i).path == "date_start")
    offset = 0
    for g in range(md.num_row_groups):
        n = md.row_group(g).num_rows
        # statistics of dates and timestamps are exact; those of text are not (truncated): never skip on them
        span = _stat_days(md.row_group(g).column(col).statistics) if temporal else None
        if span is None or (span[1] >= lo and span[0] < hi):
            yield pf, g, offset, _column_days(pf.read_row_group(g, columns=["date_start"]).column(0))
        offset += n


def _day_histogram(path: str, groups: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct start days and their counts over some row groups (a task of the first pass)."""
    pf = pq.ParquetFile(path)
    days = [_column_days(pf.read_row_group(g, columns=["date_start"]).column(0)) for g in groups]
    d = np.concatenate(days) if days else np.empty(0, np.int64)
    return np.unique(d, return_counts=True)


def _read_partition(path: str, columns: list[str], lo: int, hi: int) -> tuple[pd.DataFrame, np.ndarray]:
    """The rows of one time partition, with their global row numbers: one row group in memory at a time."""
    frames, rows = [], []
    for pf, g, offset, d in _row_groups(path, lo, hi):
        at = np.flatnonzero((d >= lo) & (d < hi))
        if len(at):
            t = pf.read_row_group(g, columns=columns)
            frames.append(t.take(pa.array(at)).to_pandas(date_as_object=False))
            rows.append(offset + at)
    if not frames:
        empty = pq.ParquetFile(path).schema_arrow.empty_table().select(columns).to_pandas(date_as_object=False)
        return empty, np.empty(0, np.int64)
    return pd.concat(frames, ignore_index=True), np.concatenate(rows).astype(np.int64)


# --- the tasks -------------------------------------------------------------------------------------

def _peak_rss_mb() -> float:
    """This worker process's peak resident memory in MB: ``VmHWM``, which the kernel resets when a process
    execs. (``ru_maxrss`` is inherited across exec on Linux: a worker spawned by a process that once held
    3 GB reports 3 GB whatever it holds itself.)"""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return float("nan")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KB


def _task(inc: Incidents, params: LinkParams, k: int, frame: pd.DataFrame | None, rows: np.ndarray | None,
          path: str | None, columns: list[str] | None, lo: int, hi: int) -> tuple[Candidates, dict[str, Any]]:
    """One partition: read it (Parquet) or take it (scattered slice), then search and score it."""
    t0 = time.perf_counter()
    if frame is None:
        assert path is not None and columns is not None
        frame, rows = _read_partition(path, columns, lo, hi)
    assert rows is not None
    t1 = time.perf_counter()
    cand = score_slice(inc, frame, rows, params, reachable=True)
    t2 = time.perf_counter()
    stats = {"partition": k, "external": len(frame), "candidates": cand.candidates,
             "scored": len(cand.pairs["i"]), "read_s": t1 - t0, "score_s": t2 - t1, "seconds": t2 - t0,
             "peak_rss_mb": _peak_rss_mb(), "pid": os.getpid()}
    return cand, stats


def _runner(client: Any) -> Callable[[list[dict[str, np.ndarray]]], list[list[int]]]:
    from incidentkit.matching import _assign_job

    def run(jobs: list[dict[str, np.ndarray]]) -> list[list[int]]:
        return client.gather(client.map(_assign_job, jobs, pure=False))

    return run


def link_dask(incidents: pd.DataFrame | str | os.PathLike[str], external: pd.DataFrame | str | os.PathLike[str],
              *, params: LinkParams | None = None, taxonomy_path: Any = None, crosswalk_path: Any = None,
              scheduler: str | None = None,
              client: Any = None, partitions: int | None = None, workers: int | None = None,
              split_above: int = SPLIT_ABOVE, **link_options: Any) -> LinkResult:
    """:func:`incidentkit.linking.link` on Dask distributed: the same links, the work spread over workers.

    Use it when the external events outgrow one machine (GDELT's hundreds of millions of rows), or to
    use a cluster's cores. ``client``: a ``distributed.Client`` to use (left open); ``scheduler``: the
    address of one to connect to; neither: a local cluster of ``workers`` processes, closed at the end.
    ``partitions``: time partitions of the external events (default: 4 per worker). ``split_above``:
    scored pairs beyond which the assignment is split into components on the workers. A Parquet
    ``external`` must be readable at the same path by every worker (a shared file system on a cluster).
    Other keyword arguments (``days``, ``km``, ...) are :func:`~incidentkit.linking.link`'s when
    ``params`` is not given. ``result.tasks`` holds each partition's size, time and worker peak memory.
    """
    distributed = _require_dask()
    if partitions is not None and partitions < 1:
        raise UsageError(f"--partitions must be at least 1 (got {partitions})", code="usage")
    if workers is not None and workers < 1:
        raise UsageError(f"--workers must be at least 1 (got {workers})", code="usage")
    if scheduler is not None and client is not None:
        raise UsageError("give a client or a scheduler address, not both", code="usage")
    if workers is not None and (scheduler is not None or client is not None):
        raise UsageError("workers= starts a local cluster; a scheduler or client has its own workers", code="usage")
    if params is None:
        params = make_params(**link_options)
        taxonomy_path = link_options.get("taxonomy")
        crosswalk_path = link_options.get("crosswalk")
    elif link_options:
        raise UsageError(f"{', '.join(sorted(link_options))}: give them in params", code="usage")
    inc = prepare_incidents(_frame(incidents, "incidents"), params)
    path: str | None = None
    columns: list[str] | None = None
    frame: pd.DataFrame | None = None
    if isinstance(external, pd.DataFrame):
        frame = _frame(external, "external")
    else:
        p = Path(external)
        p = p / "incidents.parquet" if p.is_dir() else p
        columns, path = _parquet_columns(p), str(p.resolve())
    inputs = _inputs(incidents, external, taxonomy_path, crosswalk_path)

    with contextlib.ExitStack() as stack:
        if client is None:
            client = stack.enter_context(dask_client(scheduler, workers))
        n_workers = max(1, len(client.nthreads()))  # every worker (scheduler_info lists only a few)
        n_parts = partitions or 4 * n_workers
        # 1. boundaries of the time partitions, from a histogram of start days
        t0 = time.perf_counter()
        with step("cutting the external events into time partitions"):
            if frame is not None:
                days = _days(frame["date_start"])
                boundaries = time_boundaries(*np.unique(days, return_counts=True), n_parts)
                part = partition_of(days, boundaries)
            else:
                assert path is not None
                n_groups = pq.ParquetFile(path).metadata.num_row_groups
                per = max(1, -(-n_groups // (4 * n_workers)))
                chunks = [list(range(s, min(s + per, n_groups))) for s in range(0, n_groups, per)]
                hists = client.gather(client.map(_day_histogram, [path] * len(chunks), chunks, pure=False))
                d = np.concatenate([h[0] for h in hists]) if hists else np.empty(0, np.int64)
                c = np.concatenate([h[1] for h in hists]) if hists else np.empty(0, np.int64)
                days_u, inv = np.unique(d, return_inverse=True)
                boundaries = time_boundaries(days_u, np.bincount(inv.reshape(-1), weights=c).astype(np.int64), n_parts)
        n_parts = len(boundaries) + 1
        # 2. incidents to every worker once; one task per partition
        t1 = time.perf_counter()
        with step(f"sending {len(inc):,} incident(s){' and the external events' if frame is not None else ''} "
                  "to the workers"):
            inc_f = client.scatter(inc, broadcast=True)
            params_f = client.scatter(params, broadcast=True)
            if frame is not None:  # slices of the frame, scattered in one call (one round trip, not one per slice)
                slices = [np.flatnonzero(part == k).astype(np.int64) for k in range(n_parts)]
                pieces = client.scatter([frame.iloc[rows].reset_index(drop=True) for rows in slices])
        futures = []
        for k in range(n_parts):
            lo, hi = _bounds(k, boundaries)
            if frame is not None:
                futures.append(client.submit(_task, inc_f, params_f, k, pieces[k], slices[k], None, None, lo, hi,
                                             pure=False))
            else:
                futures.append(client.submit(_task, inc_f, params_f, k, None, None, path, columns, lo, hi,
                                             pure=False))
        what = (f"linking {len(inc):,} incident(s) to the external events in {n_parts} time partition(s) "
                f"on {n_workers} Dask worker(s)")
        results: list[Any] = [None] * n_parts
        index_of = {f.key: k for k, f in enumerate(futures)}
        with progress(total=n_parts, unit="partition", desc=what, note=f"{what}...", tick=True) as bar:
            for fut in distributed.as_completed(futures, loop=client.loop):
                results[index_of[fut.key]] = fut.result()
                bar.update(1)
        del futures
        cand = Candidates.concat([r[0] for r in results])
        stats = [r[1] for r in results]
        # 3. one global assignment; its components on the workers when large
        t2 = time.perf_counter()
        assign: Callable[..., Any] = assign_per_day
        if len(cand.pairs["i"]) > split_above:
            run = _runner(client)

            def assign(*args: Any, **kwargs: Any) -> list[int]:
                return assign_per_day_components(*args, **kwargs, bins=max(1, 4 * n_workers), run=run)

        with step(f"assigning {len(cand.pairs['i']):,} scored pair(s) one to one"):
            result = build_result(inc, cand, params, inputs=inputs, assign=assign)
    result.tasks = stats
    result.timings = {"partitioning_s": t1 - t0, "tasks_s": t2 - t1, "assignment_s": time.perf_counter() - t2}
    return result


__all__ = ["SPLIT_ABOVE", "DaskMissingError", "dask_client", "link_dask", "partition_of", "time_boundaries"]
