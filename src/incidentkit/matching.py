"""Shared pieces of event matching: great-circle distance and one-to-one assignment.

Both linking our incidents to ACLED/UCDP events (:mod:`incidentkit.linking`) and aligning two coders'
incidents (:mod:`incidentkit.reliability`) score candidate pairs and then keep each event in at most one
pair, best score first, as MELTT does (Donnay et al. 2019). That logic lives here once;
:func:`assign_per_day` is its variant for external datasets that record a multi-day event one row per day.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np

EARTH_RADIUS_KM = 6371.0088
#: Extra km allowed per geo_precision code (1 town, 2 near a town, 3 region), added for each side: two
#: records of one event may place it at a village and at its province's point (linking and alignment).
GEO_WIDEN_KM: Mapping[int, float] = {1: 0.0, 2: 25.0, 3: 100.0}

K = TypeVar("K", bound=Hashable)


def haversine_km(lat1: np.ndarray | float, lon1: np.ndarray | float,
                 lat2: np.ndarray | float, lon2: np.ndarray | float) -> np.ndarray | float:
    """Great-circle distance in km (vectorised over numpy arrays, NaN where a point is missing).

    Plain numbers take a scalar path with :mod:`math`: the geocoder calls this per candidate pair,
    where numpy's per-call overhead would dominate.
    """
    if type(lat1) is float and type(lon1) is float and type(lat2) is float and type(lon2) is float:
        p1, p2 = math.radians(lat1), math.radians(lat2)
        dp, dl = p2 - p1, math.radians(lon2 - lon1)
        a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def assign_one_to_one(left: Sequence[K], right: Sequence[K], scores: Sequence[float],
                      min_score: float = 0.0) -> list[int]:
    """Pick pairs so that every left and right key is used at most once, best score first.

    ``left[i], right[i], scores[i]`` describe candidate pair ``i``. Returns the indices of the kept pairs,
    in order of decreasing score. Ties break on the input order, so the result is deterministic.
    """
    order = np.lexsort((np.arange(len(scores)), -np.asarray(scores, dtype=float)))
    used_left: set[K] = set()
    used_right: set[K] = set()
    kept: list[int] = []
    for i in order:
        if scores[i] < min_score:
            break
        a, b = left[i], right[i]
        if a in used_left or b in used_right:
            continue
        used_left.add(a)
        used_right.add(b)
        kept.append(int(i))
    return kept


def assign_per_day(left: Sequence[K], right: Sequence[K], scores: Sequence[float], min_score: float = 0.0, *,
                   day: Sequence[int], span_start: Sequence[int], span_end: Sequence[int],
                   event: Sequence[int]) -> list[int]:
    """:func:`assign_one_to_one`, except that a left item spanning N days may take up to N right items that
    are one event recorded one row per day (ACLED's rule for multi-day events).

    ACLED splits an event lasting three days into three rows; a coder who read "the fighting lasted three
    days" codes one incident from ``date_start`` to ``date_end``. Strict one-to-one would link one row and
    report the other two as missing from our data. Here, pairs are taken best score first as in
    :func:`assign_one_to_one` (each right item at most once, ties on input order, so deterministic); a
    left item's first pair is its best one, and after it a pair is also taken when the right item

    * belongs to the same event as the first one (``event[k] == event[first] >= 0``: a key the caller
      derives from what per-day rows of one event share, e.g. type, actors and point),
    * falls on a day inside the left item's span (``span_start[k] <= day[k] <= span_end[k]``),
    * on a day none of the left item's pairs has yet,

    and the left item has fewer than ``span_end - span_start + 1`` pairs. A left item of one day keeps
    one pair, exactly as :func:`assign_one_to_one`. ``event[k] = -1`` marks a right item that can only be
    a first pair (not a one-day row, or its left item is not day-precise). Arrays are per candidate pair;
    returns the indices of the kept pairs in order of decreasing score, so each left item's first pair
    comes before its others.

    Ties are taken in input order, so the caller decides it: :func:`incidentkit.linking.build_result`
    passes its pairs in a canonical order (score descending, incident row, external row), which makes
    the links independent of how the candidates were found (one index, or time partitions on Dask).
    """
    score = np.asarray(scores, dtype=float)
    order = np.lexsort((np.arange(len(score)), -score))
    order = order[score[order] >= min_score].tolist()
    # plain lists for what every pair reads: indexing them is several times faster than numpy arrays;
    # the rest is read only for a left item's second and later pairs, which are few
    lefts, rights, events = np.asarray(left).tolist(), np.asarray(right).tolist(), np.asarray(event).tolist()
    used_right: set[K] = set()
    days_of: dict[K, set[int]] = {}
    event_of: dict[K, int] = {}
    kept: list[int] = []
    for i in order:
        a, b = lefts[i], rights[i]
        if b in used_right:
            continue
        taken = days_of.get(a)
        if taken is None:
            days_of[a] = {int(day[i])}
            event_of[a] = events[i]
        else:
            ev = events[i]
            if ev < 0 or ev != event_of[a]:  # most later pairs stop here: another event, or no per-day row
                continue
            d, lo, hi = int(day[i]), int(span_start[i]), int(span_end[i])
            if d in taken or not lo <= d <= hi or len(taken) >= hi - lo + 1:
                continue
            taken.add(d)
        used_right.add(b)
        kept.append(i)
    return kept


def pairs_within(values_a: Iterable[float], values_b: Iterable[float], window: float) -> list[tuple[int, int]]:
    """Index pairs (i, j) with |a_i - b_j| <= window, by sorting and sweeping: O((n + m) log m + pairs).

    The building block of a space-time candidate search: sweep on time, then filter by distance.
    """
    a = np.asarray(list(values_a), dtype=float)
    b = np.asarray(list(values_b), dtype=float)
    order = np.argsort(b, kind="stable")
    sb = b[order]
    lo = np.searchsorted(sb, a - window, side="left")
    hi = np.searchsorted(sb, a + window, side="right")
    out: list[tuple[int, int]] = []
    for i, (s, e) in enumerate(zip(lo, hi)):
        out.extend((i, int(j)) for j in order[s:e])
    return out


def connected_components(left: Sequence[int] | np.ndarray, right: Sequence[int] | np.ndarray) -> np.ndarray:
    """Per pair, the label of its connected component in the bipartite graph whose edges are the pairs.

    Two pairs are in one component when a chain of pairs sharing a left or a right item joins them. Pure
    numpy (no scipy): union by hooking each root to the smaller root it meets over an edge, then full
    path compression, repeated until no edge joins two roots; labels are the smallest node of each
    component. Each round at least halves the number of roots an edge can still join in practice, so
    a few dozen rounds cover millions of pairs.
    """
    lv, rv = np.asarray(left), np.asarray(right)
    if len(lv) == 0:
        return np.empty(0, dtype=np.int64)
    _, lu = np.unique(lv, return_inverse=True)
    _, ru = np.unique(rv, return_inverse=True)
    lu, ru = lu.reshape(-1).astype(np.int64), ru.reshape(-1).astype(np.int64)
    u, v = lu, ru + (int(lu.max()) + 1)
    parent = np.arange(int(v.max()) + 1, dtype=np.int64)
    while True:
        pu, pv = parent[u], parent[v]
        join = pu != pv
        if not join.any():
            return parent[u]
        lo, hi = np.minimum(pu[join], pv[join]), np.maximum(pu[join], pv[join])
        np.minimum.at(parent, hi, lo)  # hook: a root points at the smallest root it meets
        while True:  # compress: every node points at its root
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand


def assign_per_day_components(left: Sequence[K], right: Sequence[K], scores: Sequence[float],
                              min_score: float = 0.0, *, day: Sequence[int], span_start: Sequence[int],
                              span_end: Sequence[int], event: Sequence[int], bins: int = 1,
                              run: Callable[[list[dict[str, np.ndarray]]], list[list[int]]] | None = None
                              ) -> list[int]:
    """:func:`assign_per_day`, computed apart on the connected components of the pairs: the same result.

    Why it is the same: the greedy takes pairs in one fixed order (score descending, then input
    position), and its decision on pair k reads only the state of k's left item (its days and its
    event) and of k's right item (used or not). That state is written only by pairs that share k's
    left or right item, which are all in k's component. So, by induction along the order, when pair k
    comes up, the state it reads is the same in the whole run and in a run over k's component alone
    (which sees the same pairs of that component, in the same relative order): every decision is the
    same. Merging the kept pairs of all components in the same fixed order gives the whole run's output.

    Components are packed into ``bins`` groups of about equal size; ``run`` maps :func:`assign_per_day`
    over the groups (keyword arguments per group; e.g. on a Dask cluster), sequentially by default.
    """
    score = np.asarray(scores, dtype=float)
    label = connected_components(np.asarray(left), np.asarray(right))
    comps, inverse, sizes = np.unique(label, return_inverse=True, return_counts=True)
    # largest components first, each into the group holding fewest pairs so far
    load = np.zeros(max(1, bins), dtype=np.int64)
    group_of = np.empty(len(comps), dtype=np.int64)
    for c in np.argsort(-sizes, kind="stable").tolist():
        g = int(np.argmin(load))
        group_of[c] = g
        load[g] += sizes[c]
    pair_group = group_of[inverse.reshape(-1)]
    arrays = {"left": np.asarray(left), "right": np.asarray(right), "scores": score, "day": np.asarray(day),
              "span_start": np.asarray(span_start), "span_end": np.asarray(span_end), "event": np.asarray(event)}
    members = [np.flatnonzero(pair_group == g) for g in range(len(load))]
    members = [m for m in members if len(m)]
    jobs = [{k: v[m] for k, v in arrays.items()} | {"min_score": min_score} for m in members]
    results = run(jobs) if run is not None else [_assign_job(j) for j in jobs]
    kept = np.concatenate([m[np.asarray(r, dtype=np.int64)] for m, r in zip(members, results)]) \
        if members else np.empty(0, dtype=np.int64)
    return kept[np.lexsort((kept, -score[kept]))].tolist()


def _assign_job(job: dict[str, Any]) -> list[int]:
    """:func:`assign_per_day` on one group of components (keyword arguments as a dict: easy to ship)."""
    return assign_per_day(job["left"], job["right"], job["scores"], job["min_score"], day=job["day"],
                          span_start=job["span_start"], span_end=job["span_end"], event=job["event"])
