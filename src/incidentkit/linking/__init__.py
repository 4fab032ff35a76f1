"""Find, for each of our incidents, the ACLED or UCDP event that records the same event.

The approach is MELTT's (Donnay, Dunford, McGrath, Backer and Cunningham 2019, "Integrating Conflict Event
Data", Journal of Conflict Resolution 63(5)): candidates are the external events within a time window
and a great-circle distance, both widened by the events' precision codes; each candidate pair is scored
on time, distance, event-type compatibility (through an editable taxonomy table), actors and
fatalities; pairs are then kept best score first, each external event in at most one pair
(:func:`incidentkit.matching.assign_per_day`). An incident is linked to one external event, except that
an incident spanning N days may link to up to N rows that record one event day by day, as ACLED does
(the rule, with a worked example, is in ``docs/explanation/linking-rules.md``).

>>> from incidentkit.linking import link
>>> result = link(incidents_df, acled_df, days=3, km=25)     # doctest: +SKIP
>>> result.pairs.head()                                      # doctest: +SKIP
>>> print(result.summary_text())                             # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from incidentkit.atomic import atomic_path
from incidentkit.codebook.crosswalk import Crosswalk, load_crosswalk
from incidentkit.errors import InputFileError, UsageError
from incidentkit.linking.actors import actor_similarity
from incidentkit.linking.index import Events, SpaceTimeIndex, usable
from incidentkit.linking.taxonomy import (
    EVENTS,
    SUB_EVENTS,
    Taxonomy,
    compatibility,
    load_taxonomy,
)
from incidentkit.matching import GEO_WIDEN_KM, assign_per_day
from incidentkit.progress import progress

#: Extra days allowed per time_precision code (1 day, 2 week, 3 month): added for each side.
TIME_WIDEN_DAYS: Mapping[int, int] = {1: 0, 2: 7, 3: 15}
#: Weights of the score's parts; they sum to 1.
WEIGHTS: Mapping[str, float] = {"time": 0.25, "distance": 0.2, "type": 0.2, "actors": 0.15, "fatalities": 0.2}

COLUMNS = ("id", "date_start", "date_end", "time_precision", "event_type", "sub_event_type", "type_of_violence",
           "actor1", "actor2", "latitude", "longitude", "geo_precision", "fatalities_best", "country", "dataset",
           "event_code", "event_group")
REQUIRED = ("id", "date_start", "latitude", "longitude")
PAIR_COLUMNS = ("incident_id", "external_id", "distance_km", "day_gap", "score", "window_days", "window_km",
                "same_event_as", "reason")
#: What the rows of one event split by day share (ACLED repeats them on each day's row); the point too.
SAME_EVENT_COLUMNS = ("dataset", "event_type", "sub_event_type", "type_of_violence")


@dataclass
class LinkResult:
    """The links, and what is only in ours and only in theirs.

    ``pairs`` has one row per linked external event: an incident has one row, or one per day of its span
    when the external dataset splits the event by day (``same_event_as`` names the incident's first row).
    ``fatalities`` has one row per linked incident, the external rows' figures summed.
    """

    pairs: pd.DataFrame
    only_ours: pd.DataFrame
    only_theirs: pd.DataFrame
    fatalities: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)
    #: The files the links were computed from; :meth:`write` never writes over one of them.
    inputs: tuple[Path, ...] = ()
    #: Per time partition of the Dask engine: its rows, candidates, seconds, and its worker process's peak
    #: RSS so far (``peak_rss_mb``, from getrusage: the process's whole life, not this task alone).
    tasks: list[dict[str, Any]] = field(default_factory=list)
    #: Seconds per phase of the Dask engine (partitioning, partition tasks, assignment and result).
    timings: dict[str, float] = field(default_factory=dict)

    def summary_text(self) -> str:
        """The summary as printed by ``incidentkit link``: incidents and external events counted apart."""
        s = self.summary
        several = (f" ({s['per_day_extra']} of them further per-day rows of {s['per_day_incidents']} "
                   "multi-day incident(s))" if s["per_day_extra"] else "")
        if s.get("same_event_rows"):
            several += (f" ({s['same_event_rows']} of them further reports of an event already linked, "
                        "event_group)")
        if not s["matched"]:
            windows = "no pair linked"
        elif s["beyond_base"]:
            windows = (f"widened for precision: up to {s['window_days_max']} days / {s['window_km_max']:g} km "
                       f"({s['beyond_base']} linked pair(s) beyond {s['days']} days or {s['km']:g} km; each "
                       "pair's window is in its reason)")
        else:
            windows = "no linked pair needed the widening precision codes allow"
        lines = [(f"Linked: {s['linked_incidents']} of {s['incidents']} incident(s) to {s['linked_external']} of "
                 f"{s['external']} external event(s){several}"),
                 f"Only in ours: {s['only_ours']} incident(s) ({s['unlocated']} without coordinates)",
                 f"Only in theirs (same countries and dates as ours): {s['only_theirs']} external event(s)",
                 f"Windows: --days {s['days']} --km {s['km']:g}; {windows}",
                 (f"Fatalities of linked incidents (their rows summed per incident): ours {s['fatalities_ours']}, "
                 f"theirs {s['fatalities_theirs']}, {s['fatalities_equal']} incident(s) equal, "
                 f"mean absolute difference {s['fatalities_mad']:.2f}")]
        return "\n".join(lines)

    def write(self, path: str | os.PathLike[str]) -> None:
        """Write the pairs as Parquet (summary in the file metadata), atomically and deterministically.

        A path that is one of :attr:`inputs` (the dataset, the external events, the taxonomy; through a
        link or ``..`` too) is refused with :class:`UsageError` (``output-is-input``); an operating-system
        error while writing is ``file-unwritable``, and the previous file stays as it was.
        """
        from incidentkit.paths import refuse_overwriting_inputs

        refuse_overwriting_inputs([path], self.inputs)
        table = pa.Table.from_pandas(self.pairs, preserve_index=False)
        meta = {b"incidentkit_link": json.dumps(self.summary, sort_keys=True, default=str).encode()}
        table = table.replace_schema_metadata(meta)
        with atomic_path(path) as tmp:
            pq.write_table(table, tmp, compression="zstd")


def _frame(data: pd.DataFrame | str | os.PathLike[str], side: str) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        df = data
    else:
        p = Path(data)
        if p.is_dir():
            p = p / "incidents.parquet"
        if not p.exists():
            raise InputFileError(f"{p}: no such file", code="file-unreadable")
        try:
            names = pq.read_schema(p).names
            df = pq.read_table(p, columns=[c for c in COLUMNS if c in names]).to_pandas(date_as_object=False)
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputFileError(f"{p}: not a readable Parquet file ({exc})", code="file-unreadable") from None
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise InputFileError(f"{side}: column {missing[0]!r} is needed for linking but missing",
                             code="link-missing-column")
    return df


def _days(s: pd.Series) -> np.ndarray:
    return pd.to_datetime(s).to_numpy().astype("datetime64[D]").astype(np.int64)


def _codes(df: pd.DataFrame, name: str, vocab: tuple[str, ...]) -> np.ndarray:
    if name not in df:
        return np.full(len(df), -1, dtype=np.int64)
    index = {v: i for i, v in enumerate(vocab)}
    codes, uniques = pd.factorize(df[name], use_na_sentinel=True)
    lut = np.array([index.get(str(c), -1) for c in uniques] + [-1], dtype=np.int64)
    return lut[codes]


def _ints(df: pd.DataFrame, name: str, fill: int = 0) -> np.ndarray:
    if name not in df:
        return np.full(len(df), fill, dtype=np.int64)
    return pd.to_numeric(df[name], errors="coerce").fillna(fill).to_numpy(dtype=np.int64)


def _events(df: pd.DataFrame, geo_widen: Mapping[int, float], time_widen: Mapping[int, int]) -> Events:
    start = _days(df["date_start"])
    end = _days(df["date_end"]) if "date_end" in df else start
    end = np.where(end < start, start, end)  # NaT end -> start
    geo = _ints(df, "geo_precision", 1)
    tp = _ints(df, "time_precision", 1)
    gw = np.array([geo_widen.get(k, 0.0) for k in range(max(4, geo.max(initial=0) + 1))], dtype=np.float32)
    tw = np.array([time_widen.get(k, 0) for k in range(max(4, tp.max(initial=0) + 1))], dtype=np.int64)
    return Events(start=start, end=end,
                  lat=pd.to_numeric(df["latitude"], errors="coerce").to_numpy(dtype=float),
                  lon=pd.to_numeric(df["longitude"], errors="coerce").to_numpy(dtype=float),
                  widen_km=gw[np.clip(geo, 0, len(gw) - 1)], widen_days=tw[np.clip(tp, 0, len(tw) - 1)])


CANDIDATE_CHUNK = 4096      # incidents per candidate search block
NOTE_FROM_EVENTS = 200_000  # below this many external events linking takes seconds: no note in logs
#: Columns of an external row that result building and the per-day keys read, gathered with its pairs.
ROW_COLUMNS = ("id", *SAME_EVENT_COLUMNS, "actor1", "actor2", "time_precision", "event_group")


@dataclass(frozen=True)
class LinkParams:
    """The settings of one linking run: the same object drives every slice of the external events."""

    days: int = 3
    km: float = 25.0
    min_score: float = 0.5
    taxonomy: Taxonomy | None = None
    weights: Mapping[str, float] = field(default_factory=lambda: dict(WEIGHTS))
    geo_widen_km: Mapping[int, float] = field(default_factory=lambda: dict(GEO_WIDEN_KM))
    time_widen_days: Mapping[int, int] = field(default_factory=lambda: dict(TIME_WIDEN_DAYS))
    cell_degrees: float | None = None
    #: CAMEO/PLOVER/GTD codes -> ACLED types, for external rows with an ``event_code`` (GDELT, ICEWS,
    #: POLECAT, GTD); None: the shipped table.
    crosswalk: Crosswalk | None = None


@dataclass
class Incidents:
    """Our incidents, prepared once (dates as days, widening, type codes): shipped whole to every slice."""

    frame: pd.DataFrame
    ev: Events
    sub: np.ndarray
    evt: np.ndarray
    vec: np.ndarray
    fat: np.ndarray
    tp: np.ndarray

    def __len__(self) -> int:
        return len(self.frame)


def prepare_incidents(ours: pd.DataFrame, params: LinkParams) -> Incidents:
    """Everything about our side that scoring needs, computed once (not once per slice of theirs)."""
    tax = params.taxonomy if params.taxonomy is not None else load_taxonomy()
    sub, evt = _codes(ours, "sub_event_type", SUB_EVENTS), _codes(ours, "event_type", EVENTS)
    return Incidents(frame=ours, ev=_events(ours, params.geo_widen_km, params.time_widen_days), sub=sub, evt=evt,
                     vec=tax.vectors(sub, _ints(ours, "type_of_violence")), fat=_ints(ours, "fatalities_best", -1),
                     tp=_ints(ours, "time_precision", 1))


@dataclass
class Candidates:
    """The pairs of one slice of external events (or of all of them) that score at least ``min_score``.

    ``i`` and ``e`` are global rows (of our incidents, of the whole external table), so slices scored
    apart concatenate into what scoring the whole table gives. ``rows`` holds the columns of the external
    rows these pairs reach (``ROW_COLUMNS`` present, ``latitude``/``longitude`` as read), indexed by
    global row ``row`` and sorted by it: what result building and the per-day keys read, so they never
    need the external table itself. ``scope`` are the global rows in the countries and dates of our
    incidents (for "only theirs"), with their ``scope_ids``.
    """

    external: int
    candidates: int
    pairs: dict[str, np.ndarray]
    rows: pd.DataFrame
    scope: np.ndarray
    scope_ids: pd.Series

    @staticmethod
    def concat(parts: list[Candidates]) -> Candidates:
        """Candidates of disjoint slices as one (rows re-sorted by global row)."""
        if len(parts) == 1:
            return parts[0]
        keys = parts[0].pairs.keys()
        pairs = {k: np.concatenate([p.pairs[k] for p in parts]) for k in keys}
        rows = pd.concat([p.rows for p in parts], ignore_index=True)
        rows = rows.iloc[np.argsort(rows["row"].to_numpy(), kind="stable")].reset_index(drop=True)
        scope = np.concatenate([p.scope for p in parts])
        order = np.argsort(scope, kind="stable")
        ids = pd.concat([p.scope_ids for p in parts], ignore_index=True).iloc[order].reset_index(drop=True)
        return Candidates(sum(p.external for p in parts), sum(p.candidates for p in parts), pairs, rows,
                          scope[order], ids)


def pair_scores(inc: Incidents, theirs: pd.DataFrame, b: Events, i: np.ndarray, e: np.ndarray, dist: np.ndarray,
                gap: np.ndarray, params: LinkParams) -> dict[str, np.ndarray]:
    """The score of each candidate pair and its parts: the one place a pair is scored.

    ``i`` are rows of ``inc``, ``e`` rows of ``theirs``/``b`` (one slice of the external events, or all
    of them). Every part depends only on the two rows of its pair, never on which other rows are in
    the slice: this is why the distributed path gives exactly the single-machine links. A new part (a
    column of theirs, say) goes here, with its weight in :data:`WEIGHTS`.
    """
    tax = params.taxonomy if params.taxonomy is not None else load_taxonomy()
    a, w = inc.ev, params.weights
    allowed_days = params.days + a.widen_days[i] + b.widen_days[e]
    allowed_km = params.km + a.widen_km[i] + b.widen_km[e]
    s_time = 1.0 - gap / (allowed_days + 1.0)
    s_dist = 1.0 - dist / np.maximum(allowed_km, 1e-9)
    sub_b, ev_b = _codes(theirs, "sub_event_type", SUB_EVENTS), _codes(theirs, "event_type", EVENTS)
    vec_b = tax.vectors(sub_b, _ints(theirs, "type_of_violence"))
    s_type, how = compatibility(tax, inc.sub[i], inc.evt[i], inc.vec[i], sub_b[e], ev_b[e], vec_b[e])
    if "event_code" in theirs:  # a CAMEO/PLOVER/GTD row: every crosswalk row of its code counts
        cw = params.crosswalk if params.crosswalk is not None else load_crosswalk()
        s_cross = cw.pair_compatibility(theirs["event_code"].to_numpy(dtype=object), e, inc.sub[i], inc.evt[i])
        better = s_cross > s_type
        s_type = np.where(better, s_cross, s_type).astype(np.float32)
        how = np.where(better, 4, how).astype(np.int8)
    s_actor = actor_similarity(inc.frame, theirs, i, e)
    fa, fb = inc.fat[i], _ints(theirs, "fatalities_best", -1)[e]
    known = (fa >= 0) & (fb >= 0)
    # a row shorter than a multi-day incident (one of ACLED's per-day rows) holds a part of its deaths:
    # only a day with more deaths than our whole incident disagrees
    part = (b.end[e] - b.start[e]) < (a.end[i] - a.start[i])
    excess = np.where(part, np.maximum(fb - fa, 0), np.abs(fa - fb))
    s_fat = np.where(known, 1.0 - excess / np.maximum(fa + fb, 1), 0.5)
    score = (w["time"] * s_time + w["distance"] * s_dist + w["type"] * s_type
             + w["actors"] * s_actor + w["fatalities"] * s_fat)
    return {"score": np.round(score, 6), "allowed_days": allowed_days, "allowed_km": allowed_km,
            "s_type": s_type, "how": how, "s_actor": s_actor, "fa": fa, "fb": fb, "known": known, "part": part,
            "b_start": b.start[e], "b_end": b.end[e]}


def score_slice(inc: Incidents, theirs: pd.DataFrame, rows: np.ndarray, params: LinkParams, *,
                reachable: bool = False, on_block: Callable[[int], None] | None = None,
                what: str | None = None) -> Candidates:
    """Candidate pairs of our incidents with one slice of the external events, scored: a pure function.

    ``rows`` are the slice's global row numbers in the whole external table (``arange(n)`` for the whole
    table). The single-machine path calls it once on everything; the Dask path once per time partition.
    ``reachable``: search only the incidents whose widened window can reach the slice's dates (an exact
    bound, so no pair is lost). ``on_block`` is called with the number of candidate-search blocks done;
    ``what``, when given, shows a progress bar or note for the search (single-machine path).
    """
    b = _events(theirs, params.geo_widen_km, params.time_widen_days)
    a = inc.ev
    index = SpaceTimeIndex(b, km=params.km, cell_degrees=params.cell_degrees)
    subset = None
    if reachable and len(b):
        wide = params.days + a.widen_days.astype(float) + float(b.widen_days.max())
        subset = np.flatnonzero((a.end + wide >= float(b.start.min())) & (a.start - wide <= float(b.end.max())))
    search = index.candidates(a, params.km, params.days, chunk=CANDIDATE_CHUNK, rows=subset)
    if what is not None:
        located = int(np.count_nonzero(usable(a)))
        blocks = -(-located // CANDIDATE_CHUNK) * len(index.groups)
        # a bar on a terminal after half a second; in a log, one line when the external side is large
        search = progress(search, total=blocks, unit="block", desc=what, note=f"{what}...",
                          min_total=0 if len(theirs) >= NOTE_FROM_EVENTS else math.inf)
    parts = []
    for p in search:
        parts.append(p)
        if on_block is not None:
            on_block(1)
    i = np.concatenate([p[0] for p in parts]) if parts else np.empty(0, np.int64)
    e = np.concatenate([p[1] for p in parts]) if parts else np.empty(0, np.int64)
    dist = np.concatenate([p[2] for p in parts]) if parts else np.empty(0)
    gap = np.concatenate([p[3] for p in parts]) if parts else np.empty(0, np.int64)
    scores = pair_scores(inc, theirs, b, i, e, dist, gap, params)
    keep = np.flatnonzero(scores["score"] >= params.min_score)
    pairs = {"i": i[keep], "e": rows[e[keep]], "dist": dist[keep], "gap": gap[keep],
             **{k: v[keep] for k, v in scores.items()}}
    local = np.unique(e[keep])
    cols = [c for c in ROW_COLUMNS if c in theirs]
    sub = theirs.iloc[local][cols].reset_index(drop=True)
    sub.insert(0, "row", rows[local])
    sub["latitude"], sub["longitude"] = b.lat[local], b.lon[local]
    scope = np.flatnonzero(_in_scope(inc.frame, theirs))
    return Candidates(len(theirs), len(i), pairs, sub, rows[scope], theirs["id"].iloc[scope].reset_index(drop=True))


def link(incidents: pd.DataFrame | str | os.PathLike[str], external: pd.DataFrame | str | os.PathLike[str], *,
         days: int = 3, km: float = 25.0, taxonomy: Taxonomy | str | os.PathLike[str] | None = None,
         min_score: float = 0.5, weights: Mapping[str, float] = WEIGHTS,
         geo_widen_km: Mapping[int, float] = GEO_WIDEN_KM, time_widen_days: Mapping[int, int] = TIME_WIDEN_DAYS,
         cell_degrees: float | None = None, crosswalk: Crosswalk | str | os.PathLike[str] | None = None,
         engine: str = "local", **dask_options: Any) -> LinkResult:
    """Link our incidents to the external events that record the same events; DataFrames or Parquet paths.

    ``days``/``km`` are the base windows; each side's precision codes widen them (``geo_widen_km``,
    ``time_widen_days``), and each pair's widened window is in ``pairs`` and its reason. Pairs scoring
    below ``min_score`` are not linked. Each external event is linked at most once; an incident is
    linked to one external event, or, when it spans N days, to up to N rows of one event recorded day
    by day (ACLED's rule): see :func:`incidentkit.matching.assign_per_day`. Equal scores are taken in
    a fixed order (our incident's row, then the external row), so the links never depend on the order
    the candidates were found in.

    ``engine="dask"`` runs the candidate search and scoring on Dask distributed, with exactly the same
    result; ``dask_options`` (``scheduler``, ``client``, ``partitions``, ``workers``) are those of
    :func:`incidentkit.linking.distributed.link_dask`.
    """
    params = make_params(days=days, km=km, taxonomy=taxonomy, min_score=min_score, weights=weights,
                         geo_widen_km=geo_widen_km, time_widen_days=time_widen_days, cell_degrees=cell_degrees,
                         crosswalk=crosswalk)
    if engine == "dask":
        from incidentkit.linking.distributed import link_dask

        return link_dask(incidents, external, params=params, taxonomy_path=taxonomy, crosswalk_path=crosswalk,
                         **dask_options)
    if engine != "local":
        raise UsageError(f"engine must be 'local' or 'dask', not {engine!r}", code="usage")
    if dask_options:
        raise UsageError(f"{', '.join(sorted(dask_options))}: only with engine='dask'", code="usage")
    inc = prepare_incidents(_frame(incidents, "incidents"), params)
    theirs = _frame(external, "external")
    located = int(np.count_nonzero(usable(inc.ev)))
    what = f"linking {located:,} incident(s) to {len(theirs):,} external event(s)"
    cand = score_slice(inc, theirs, np.arange(len(theirs), dtype=np.int64), params, what=what)
    return build_result(inc, cand, params, inputs=_inputs(incidents, external, taxonomy, crosswalk))


def make_params(*, days: int = 3, km: float = 25.0, taxonomy: Taxonomy | str | os.PathLike[str] | None = None,
                min_score: float = 0.5, weights: Mapping[str, float] = WEIGHTS,
                geo_widen_km: Mapping[int, float] = GEO_WIDEN_KM,
                time_widen_days: Mapping[int, int] = TIME_WIDEN_DAYS,
                cell_degrees: float | None = None,
                crosswalk: Crosswalk | str | os.PathLike[str] | None = None) -> LinkParams:
    """Check the windows and load the taxonomy and crosswalk once: the settings every path and slice then
    shares (a bad table is a located error before any work)."""
    if not (days >= 0 and math.isfinite(km) and km > 0):  # also refuses NaN, which every comparison passes
        raise UsageError(f"--days must be >= 0 and --km a finite number > 0 (got days={days}, km={km})",
                         code="usage")
    tax = taxonomy if isinstance(taxonomy, Taxonomy) else load_taxonomy(taxonomy)
    cw = crosswalk if isinstance(crosswalk, Crosswalk) else load_crosswalk(crosswalk)
    return LinkParams(days=days, km=km, min_score=min_score, taxonomy=tax, weights=dict(weights),
                      geo_widen_km=dict(geo_widen_km), time_widen_days=dict(time_widen_days),
                      cell_degrees=cell_degrees, crosswalk=cw)


def _inputs(*paths: object) -> tuple[Path, ...]:
    return tuple(_input_file(x) for x in paths if isinstance(x, (str, os.PathLike)))


Assigner = Callable[..., "np.ndarray | list[int]"]


def canonical_order(i: np.ndarray, e: np.ndarray, score: np.ndarray) -> np.ndarray:
    """The order pairs are taken in: score descending, then our incident's row, then the external row.

    A total order on the pairs themselves, so the links never depend on the order the candidate search
    found them in (per index block, per time partition, per worker).
    """
    return np.lexsort((e, i, -score))


def build_result(inc: Incidents, cand: Candidates, params: LinkParams, *, inputs: tuple[Path, ...] = (),
                 assign: Assigner = assign_per_day) -> LinkResult:
    """One global assignment over all scored pairs, then the pairs, only-ours/only-theirs and the summary.

    ``assign`` has :func:`incidentkit.matching.assign_per_day`'s signature; the Dask path passes one
    that assigns independent components apart (:func:`incidentkit.matching.assign_per_day_components`),
    which takes the same pairs.
    """
    days, km, min_score = params.days, params.km, params.min_score
    tax = params.taxonomy if params.taxonomy is not None else load_taxonomy()
    ours, a = inc.frame, inc.ev
    p = cand.pairs
    order = canonical_order(p["i"], p["e"], p["score"])
    p = {k: v[order] for k, v in p.items()}
    i, e, dist, gap, score = p["i"], p["e"], p["dist"], p["gap"], p["score"]
    allowed_days, allowed_km, s_type, how, s_actor = (p[k] for k in ("allowed_days", "allowed_km", "s_type", "how",
                                                                    "s_actor"))
    fa_p, fb_p, known, part = p["fa"], p["fb"], p["known"], p["part"]
    pos = np.searchsorted(cand.rows["row"].to_numpy(), e)  # each pair's external row in cand.rows
    day, span_start, span_end, event = _per_day_keys(inc, cand.rows, p, pos)
    kept = np.asarray(assign(i, e, score, min_score, day=day, span_start=span_start, span_end=span_end,
                             event=event), dtype=np.int64)
    kept, grouped = _with_event_groups(kept, i, e, cand.rows, pos)
    # an incident's first pair (its best) comes first in `kept`; its other days' rows name it
    first_of: dict[int, int] = {}
    for k in kept:
        first_of.setdefault(int(i[k]), int(e[k]))
    kept = kept[np.lexsort((e[kept], i[kept]))]  # deterministic order: by incident, then event

    ids_a = ours["id"].astype(str).to_numpy()
    ext_ids = cand.rows["id"].iloc[pos[kept]].astype(str).to_numpy()
    first_e = np.array([first_of[int(x)] for x in i[kept]], dtype=np.int64)
    extra = first_e != e[kept]
    first_ids = dict(zip(e[kept].tolist(), ext_ids.tolist()))
    same_as = [first_ids[int(f)] if x else None for f, x in zip(first_e, extra)]
    how_text = {0: "types incompatible", 1: "same sub-event type", 2: "same event type", 3: "compatible via UCDP type",
                4: "compatible via the crosswalk"}
    reasons = [f"{int(gap[k])} day(s) apart (window {int(allowed_days[k])}); {dist[k]:.1f} km "
               f"(window {allowed_km[k]:g}); type {s_type[k]:.2f} ({how_text[int(how[k])]}); "
               f"actors {s_actor[k]:.2f}; fatalities "
               + (f"{fa_p[k]} vs {fb_p[k]}" if known[k] else "unknown")
               + (f" (their row: 1 of our {a.end[i[k]] - a.start[i[k]] + 1} days)" if part[k] and known[k] else "")
               + ("" if same is None else f"; another report of the same event as {same} (event_group)"
                  if int(k) in grouped else f"; another day of the same event as {same}")
               for k, same in zip(kept, same_as)]
    pairs = pd.DataFrame({
        "incident_id": ids_a[i[kept]], "external_id": ext_ids,
        "distance_km": dist[kept].astype(float), "day_gap": gap[kept].astype(np.int32),
        "score": score[kept].astype(float), "window_days": allowed_days[kept].astype(np.int32),
        "window_km": allowed_km[kept].astype(float), "same_event_as": pd.Series(same_as, dtype=object),
        "reason": reasons,
    }, columns=list(PAIR_COLUMNS))

    per_day = extra & ~np.isin(kept, np.fromiter(grouped, np.int64, len(grouped)))
    matched_a = np.zeros(len(ours), bool)
    matched_a[i[kept]] = True
    matched_scope = np.isin(cand.scope, e[kept])
    only_ours = ours.loc[~matched_a, ["id"]].reset_index(drop=True)
    only_theirs = pd.DataFrame({"id": cand.scope_ids[~matched_scope].reset_index(drop=True)})
    fat = _fatalities(ids_a[i[kept]], ext_ids, fa_p[kept], fb_p[kept])
    beyond = (gap[kept] > days) | (dist[kept] > km)
    summary = {
        "incidents": len(ours), "external": cand.external, "candidates": cand.candidates, "matched": len(kept),
        "linked_incidents": int(matched_a.sum()), "linked_external": len(kept),
        "per_day_incidents": len(set(i[kept][per_day].tolist())), "per_day_extra": int(per_day.sum()),
        "same_event_rows": len(grouped),
        "only_ours": len(only_ours), "only_theirs": len(only_theirs),
        "unlocated": int(np.isnan(a.lat).sum()), "days": days, "km": km, "min_score": min_score,
        "window_days_max": int(allowed_days[kept].max(initial=days)),
        "window_km_max": float(allowed_km[kept].max(initial=km)), "beyond_base": int(beyond.sum()),
        "taxonomy": tax.source, "crosswalk": params.crosswalk.source if params.crosswalk else None,
        "fatalities_ours": int(fat.fatalities_ours.sum()),
        "fatalities_theirs": int(fat.fatalities_theirs.sum()), "fatalities_equal": int((fat.difference == 0).sum()),
        "fatalities_mad": float(fat.difference.abs().mean()) if len(fat) else 0.0,
    }
    return LinkResult(pairs, only_ours, only_theirs, fat, summary, inputs)


def _with_event_groups(kept: np.ndarray, i: np.ndarray, e: np.ndarray, rows: pd.DataFrame,
                       pos: np.ndarray) -> tuple[np.ndarray, set[int]]:
    """Add, to each linked incident, the other rows of the event its rows belong to (``event_group``).

    GDELT records one real event once per article that reports it: forty rows of one clash, alike in
    day, code, actors and place, told apart only by their ids (the reader marks them with one
    ``event_group``). They are one event, so an incident linked to one of them is linked to all of its
    candidate rows of that group, each named ``same_event_as`` the first, and none of them counts as
    "only theirs". Rows of one group score alike (every part of the score reads what they share), so
    when one is a candidate of an incident, all are. A group's rows go to the incident that linked its
    first row; a row another incident already linked stays with it. ``kept`` and the pairs are in the
    canonical order, so the result does not depend on how the candidates were found.
    """
    if "event_group" not in rows or not len(kept):
        return kept, set()
    group = pd.to_numeric(rows["event_group"], errors="coerce").fillna(-1).to_numpy(dtype=np.int64)[pos]
    owner: dict[int, int] = {}
    for k in kept.tolist():
        g = int(group[k])
        if g >= 0:
            owner.setdefault(g, int(i[k]))
    if not owner:
        return kept, set()
    used = set(e[kept].tolist())
    added: list[int] = []
    for k in np.flatnonzero(group >= 0).tolist():  # pairs are in canonical order
        if owner.get(int(group[k])) == int(i[k]) and int(e[k]) not in used:
            used.add(int(e[k]))
            added.append(k)
    if not added:
        return kept, set()
    return np.concatenate([kept, np.asarray(added, dtype=np.int64)]), set(added)


def _input_file(path: str | os.PathLike[str]) -> Path:
    """The file read for a path argument (a dataset folder stands for its incidents.parquet)."""
    p = Path(path)
    return p / "incidents.parquet" if p.is_dir() else p


def _per_day_keys(inc: Incidents, rows: pd.DataFrame, p: dict[str, np.ndarray],
                  pos: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per candidate pair: the external row's day, the incident's span, and the row's same-event key.

    The key is -1 unless the pair could be one of several per-day rows: the incident spans more than one
    day and is day-precise (time_precision 1: its span is a known run of days, not "some day that week"),
    and the external row is a one-day, day-precise row. Rows of one event split by day share the
    dataset, type (``SAME_EVENT_COLUMNS``), the two actors (in either order) and the point (ACLED repeats
    its location's coordinates; compared to 4 decimals, ACLED's own precision), so equal keys mean
    "these rows may be one event's days". Only the few eligible rows are keyed: nothing is computed
    for the millions of rows no multi-day incident reaches. ``rows`` are the external rows the pairs
    reach (:class:`Candidates`), ``pos`` each pair's position in it: the keys are computed once, over
    all pairs, from rows gathered with them, whichever slices the pairs were found in.
    """
    i = p["i"]
    span_start, span_end = inc.ev.start[i], inc.ev.end[i]
    day = p["b_start"]
    event = np.full(len(i), -1, dtype=np.int64)
    eligible = np.flatnonzero((span_end > span_start) & (p["b_end"] == p["b_start"]))
    if len(eligible) == 0:  # no multi-day incident: nothing more to compute (the common case)
        return day, span_start, span_end, event
    eligible = eligible[inc.tp[i[eligible]] == 1]
    if len(eligible) == 0:
        return day, span_start, span_end, event
    at, inverse = np.unique(pos[eligible], return_inverse=True)
    sub = rows.iloc[at]
    tp_b = _ints(sub, "time_precision", 1)
    parts = [_factor(sub[c]) for c in SAME_EVENT_COLUMNS if c in sub]
    if "actor1" in sub or "actor2" in sub:  # the two actors in either order: codes over one shared table
        both = pd.concat([sub.get("actor1", pd.Series([None] * len(sub))).astype(object).reset_index(drop=True),
                          sub.get("actor2", pd.Series([None] * len(sub))).astype(object).reset_index(drop=True)],
                         ignore_index=True)
        codes = _factor(both)
        x, y = codes[:len(sub)], codes[len(sub):]
        parts += [np.minimum(x, y), np.maximum(x, y)]
    parts += [_factor(pd.Series(np.round(sub["latitude"].to_numpy(), 4))),
              _factor(pd.Series(np.round(sub["longitude"].to_numpy(), 4)))]
    _, key = np.unique(np.stack(parts, axis=1), axis=0, return_inverse=True)
    key = np.where(tp_b == 1, key.reshape(-1), -1)
    event[eligible] = key[inverse.reshape(-1)]
    return day, span_start, span_end, event


def _factor(values: pd.Series) -> np.ndarray:
    """Integer codes of a column's values, missing values one code of their own (-1)."""
    codes, _ = pd.factorize(values.reset_index(drop=True), use_na_sentinel=True)
    return codes.astype(np.int64)


def _fatalities(incident_ids: np.ndarray, external_ids: np.ndarray, ours: np.ndarray,
                theirs: np.ndarray) -> pd.DataFrame:
    """One row per linked incident: our figure next to the sum of its external rows' figures.

    An event ACLED splits by day has its deaths split by day too, so one row's figure is not the event's;
    the sum over the incident's rows is. An incident is left out when our figure or any of its rows'
    is unknown (a partial sum would read as a real difference). The pairs come grouped by incident
    (sorted by incident, then event), so the groups are runs: summed with ``reduceat``, not a Python
    aggregation per incident, which would cost seconds for 20,000 links.
    """
    n = len(incident_ids)
    starts = np.flatnonzero(np.r_[True, incident_ids[1:] != incident_ids[:-1]]) if n else np.empty(0, np.int64)
    counts = np.diff(np.r_[starts, n]).astype(np.int64)
    theirs_sum = np.add.reduceat(theirs, starts) if n else np.empty(0, np.int64)
    known = ((np.minimum.reduceat(theirs, starts) >= 0) & (ours[starts] >= 0)) if n else np.empty(0, bool)
    ids = external_ids.tolist()
    joined = ["; ".join(ids[s:s + c]) for s, c in zip(starts.tolist(), counts.tolist())]
    out = pd.DataFrame({"incident_id": incident_ids[starts].astype(object), "external_ids": joined,
                        "external_events": counts, "fatalities_ours": ours[starts].astype(np.int64),
                        "fatalities_theirs": theirs_sum.astype(np.int64)})
    out = out[known].reset_index(drop=True)
    out["difference"] = out.fatalities_ours - out.fatalities_theirs
    return out


def _in_scope(ours: pd.DataFrame, theirs: pd.DataFrame) -> np.ndarray:
    """External events in the countries and the date span of our incidents: where 'only theirs' is meaningful."""
    if len(ours) == 0:
        return np.zeros(len(theirs), bool)
    lo, hi = pd.to_datetime(ours["date_start"]).min(), pd.to_datetime(ours.get("date_end", ours["date_start"])).max()
    d = pd.to_datetime(theirs["date_start"])
    mask = ((d >= lo) & (d <= hi)).to_numpy().copy()
    if "country" in ours and "country" in theirs:
        codes, uniques = pd.factorize(theirs["country"])
        wanted = set(ours["country"].dropna().astype(str))
        lut = np.array([str(u) in wanted for u in uniques] + [False])
        mask &= lut[codes]
    return mask


__all__ = [
    "GEO_WIDEN_KM",
    "SAME_EVENT_COLUMNS",
    "TIME_WIDEN_DAYS",
    "WEIGHTS",
    "Candidates",
    "Incidents",
    "LinkParams",
    "LinkResult",
    "Taxonomy",
    "build_result",
    "canonical_order",
    "link",
    "load_taxonomy",
    "make_params",
    "pair_scores",
    "prepare_incidents",
    "score_slice",
]
