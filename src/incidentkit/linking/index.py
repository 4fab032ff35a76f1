"""The space-time index: candidate pairs within a day window and a radius, never an N x M comparison.

External events are split by their precision class (the km and days their precision codes add), and each
class is sorted once by (grid cell, start day), with cells about as wide as that class's search radius.
For each incident, the cells its radius touches are enumerated and, in each cell, the day window is found
by binary search (``numpy.searchsorted``) on the sorted key; every step is vectorised over a chunk of
incidents. Only the events inside those (cell, day) slices are compared exactly, with
:func:`incidentkit.matching.haversine_km`. Splitting by class keeps one imprecise event (+100 km) from
widening the search around every other.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from incidentkit.matching import haversine_km

KM_PER_DEGREE = 111.195


@dataclass
class Events:
    """The columns of one side that the index and the scorer need, as numpy arrays."""

    start: np.ndarray        # int64 days since epoch
    end: np.ndarray
    lat: np.ndarray          # float64, NaN where missing
    lon: np.ndarray
    widen_km: np.ndarray     # float32, from geo_precision
    widen_days: np.ndarray   # int64, from time_precision

    def __len__(self) -> int:
        return len(self.start)


#: The day a missing date (NaT) becomes in :class:`Events` (numpy's NaT as int64).
NO_DAY = np.iinfo(np.int64).min


def usable(ev: Events) -> np.ndarray:
    """Which events can be candidates: a point (both coordinates) and a start day.

    An event without a start date has no time window: it is never a candidate, rather than one whose
    missing day (the smallest int64) overflows every window computed from it.
    """
    return ~(np.isnan(ev.lat) | np.isnan(ev.lon)) & (ev.start != NO_DAY)


class _Group:
    """External events of one precision class, sorted by (cell, start day)."""

    def __init__(self, ext: Events, members: np.ndarray, cell: float, max_span_days: int) -> None:
        self.ncol = int(np.ceil(360.0 / cell - 1e-9))
        cell = 360.0 / self.ncol  # whole columns around the globe: wrapping at 180 degrees stays exact
        self.cell = cell
        self.nrow = int(np.ceil(180 / cell)) + 1
        self.widen_km = float(ext.widen_km[members[0]])
        self.widen_days = int(ext.widen_days[members[0]])
        start = ext.start[members]
        self.day0 = int(start.min())
        self.span = int(start.max() - self.day0 + 1)
        self.max_span = int(min(max_span_days, (ext.end[members] - start).max()))
        r = np.floor((ext.lat[members] + 90) / cell).astype(np.int64)
        c = np.floor((ext.lon[members] + 180) / cell).astype(np.int64) % self.ncol
        keys = (r * self.ncol + c) * self.span + (start - self.day0)
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.order = members[order]

    def slices(self, lat: np.ndarray, lon: np.ndarray, radius: np.ndarray, lo_day: np.ndarray,
               hi_day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(query index, position in self.order) of the events in the cells and days each query covers."""
        dlat = radius / KM_PER_DEGREE
        coslat = np.maximum(np.cos(np.radians(np.minimum(np.abs(lat) + dlat, 89.9))), 1e-6)
        dlon = np.minimum(radius / (KM_PER_DEGREE * coslat), 180.0)
        r0 = np.clip(np.floor((lat - dlat + 90) / self.cell), 0, self.nrow - 1).astype(np.int64)
        r1 = np.clip(np.floor((lat + dlat + 90) / self.cell), 0, self.nrow - 1).astype(np.int64)
        c0 = np.floor((lon - dlon + 180) / self.cell).astype(np.int64)
        c1 = np.floor((lon + dlon + 180) / self.cell).astype(np.int64)
        nr, nc = r1 - r0 + 1, np.minimum(c1 - c0 + 1, self.ncol)
        per = nr * nc
        q = np.repeat(np.arange(len(lat)), per)
        local = np.arange(per.sum()) - np.repeat(np.cumsum(per) - per, per)
        cell = (r0[q] + local // nc[q]) * self.ncol + (c0[q] + local % nc[q]) % self.ncol
        lo_d = np.clip(lo_day - self.max_span - self.day0, 0, self.span - 1)
        hi_d = hi_day - self.day0
        live = (hi_d >= 0) & (lo_day - self.max_span - self.day0 < self.span)
        hi_d = np.clip(hi_d, 0, self.span - 1)
        lo = np.searchsorted(self.keys, cell * self.span + lo_d[q], "left")
        hi = np.searchsorted(self.keys, cell * self.span + hi_d[q], "right")
        hi = np.where(live[q], hi, lo)
        counts = hi - lo
        total = int(counts.sum())
        pair_q = np.repeat(q, counts)
        pos = np.repeat(lo - (np.cumsum(counts) - counts), counts) + np.arange(total)
        return pair_q, self.order[pos]


class SpaceTimeIndex:
    """Per precision class, sorted (cell, day) keys over the external events."""

    def __init__(self, ext: Events, km: float = 25.0, cell_degrees: float | None = None,
                 max_span_days: int = 31) -> None:
        self.ext = ext
        located = np.flatnonzero(usable(ext))
        self.groups: list[_Group] = []
        # precision classes by hashing (O(n)), then the members of each class in one stable sort
        key = np.round(ext.widen_km[located] * 1000).astype(np.int64) * 1_000_000 + ext.widen_days[located]
        codes, uniques = pd.factorize(key, sort=True)
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
        for k in range(len(uniques)):
            members = located[order[bounds[k]:bounds[k + 1]]]
            wk = float(ext.widen_km[members[0]])
            cell = cell_degrees or float(np.clip((km + wk) / KM_PER_DEGREE, 0.05, 2.0))
            self.groups.append(_Group(ext, members, cell, max_span_days))

    def candidates(self, inc: Events, km: float, days: int, chunk: int = 4096,
                   rows: np.ndarray | None = None) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        """Yield (incident index, external index, distance km, day gap) for pairs within the widened windows.

        ``rows``: search only these incidents (e.g. those whose window can reach this slice of events);
        the pairs found for them are the same as without it.
        """
        located = np.flatnonzero(usable(inc))
        if rows is not None:
            located = np.intersect1d(located, rows)
        for s in range(0, len(located), chunk):
            ids = located[s:s + chunk]
            for g in self.groups:
                yield self._pairs(inc, ids, g, km, days)

    def _pairs(self, inc: Events, ids: np.ndarray, g: _Group, km: float,
               days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        radius = km + inc.widen_km[ids] + g.widen_km
        window = days + inc.widen_days[ids] + g.widen_days
        q, e = g.slices(inc.lat[ids], inc.lon[ids], radius, inc.start[ids] - window, inc.end[ids] + window)
        i = ids[q]
        ext = self.ext
        gap = np.maximum(0, np.maximum(ext.start[e] - inc.end[i], inc.start[i] - ext.end[e]))
        keep = gap <= window[q]
        i, e, gap, q = i[keep], e[keep], gap[keep], q[keep]
        dist = haversine_km(inc.lat[i], inc.lon[i], ext.lat[e], ext.lon[e])
        keep = dist <= radius[q]
        return i[keep], e[keep], dist[keep], gap[keep]
