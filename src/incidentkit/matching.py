"""Shared pieces of event matching: great-circle distance and one-to-one assignment.

Both linking our incidents to ACLED/UCDP events (:mod:`incidentkit.linking`) and aligning two coders'
incidents (:mod:`incidentkit.reliability`) score candidate pairs and then keep each event in at most one
pair, best score first, as MELTT does (Donnay et al. 2019). That logic lives here once.
"""

from __future__ import annotations

import math
from typing import Hashable, Iterable, Sequence, TypeVar

import numpy as np

EARTH_RADIUS_KM = 6371.0088

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
