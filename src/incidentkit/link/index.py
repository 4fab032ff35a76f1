"""The space-time index: candidate pairs within a day window and a radius, never an N x M comparison.

External events are sorted once by (grid cell, start day). For each incident, the cells its search
radius touches are enumerated and, in each cell, the day window is found by binary search
(``numpy.searchsorted``) on that sorted key; every step is vectorised over all incidents of a chunk.
Only the few events inside those (cell, day) slices are then compared exactly, with
:func:`incidentkit.matching.haversine_km`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np

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
    widen_days: np.ndarray   # int32, from time_precision

    def __len__(self) -> int:
        return len(self.start)


class SpaceTimeIndex:
    """Sorted (cell, day) keys over the external events."""

    def __init__(self, ext: Events, cell_degrees: float = 1.0, max_span_days: int = 31) -> None:
        self.ext = ext
        self.cell = float(cell_degrees)
        self.nrow = int(np.ceil(180 / self.cell)) + 1
        self.ncol = int(np.ceil(360 / self.cell))
        located = np.flatnonzero(~(np.isnan(ext.lat) | np.isnan(ext.lon)))
        self.day0 = int(ext.start.min()) if len(ext) else 0
        self.span = int(ext.start.max() - self.day0 + 1) if len(ext) else 1
        cells = self._cells(ext.lat[located], ext.lon[located])
        keys = cells * self.span + (ext.start[located] - self.day0)
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.order = located[order]
        self.max_span = int(min(max_span_days, (ext.end - ext.start).max() if len(ext) else 0))
        self.max_widen_km = float(ext.widen_km.max()) if len(ext) else 0.0
        self.max_widen_days = int(ext.widen_days.max()) if len(ext) else 0

    def _cells(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        r = np.floor((lat + 90) / self.cell).astype(np.int64)
        c = np.floor((lon + 180) / self.cell).astype(np.int64) % self.ncol
        return r * self.ncol + c

    def candidates(self, inc: Events, km: float, days: int,
                   chunk: int = 4096) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        """Yield (incident index, external index, distance km, day gap) for pairs within the widened windows."""
        for s in range(0, len(inc), chunk):
            yield self._chunk(inc, np.arange(s, min(s + chunk, len(inc))), km, days)

    def _chunk(self, inc: Events, ids: np.ndarray, km: float,
               days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        ids = ids[~(np.isnan(inc.lat[ids]) | np.isnan(inc.lon[ids]))]
        empty = (np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0), np.empty(0, np.int64))
        if len(ids) == 0 or len(self.keys) == 0:
            return empty
        lat, lon = inc.lat[ids], inc.lon[ids]
        radius = km + inc.widen_km[ids] + self.max_widen_km
        dlat = radius / KM_PER_DEGREE
        coslat = np.maximum(np.cos(np.radians(np.minimum(np.abs(lat) + dlat, 89.9))), 1e-6)
        dlon = np.minimum(radius / (KM_PER_DEGREE * coslat), 180.0)
        r0 = np.clip(np.floor((lat - dlat + 90) / self.cell), 0, self.nrow - 1).astype(np.int64)
        r1 = np.clip(np.floor((lat + dlat + 90) / self.cell), 0, self.nrow - 1).astype(np.int64)
        c0 = np.floor((lon - dlon + 180) / self.cell).astype(np.int64)
        c1 = np.floor((lon + dlon + 180) / self.cell).astype(np.int64)
        nr, nc = r1 - r0 + 1, np.minimum(c1 - c0 + 1, self.ncol)
        per = nr * nc
        q = np.repeat(np.arange(len(ids)), per)
        local = np.arange(per.sum()) - np.repeat(np.cumsum(per) - per, per)
        cell = (r0[q] + local // nc[q]) * self.ncol + (c0[q] + local % nc[q]) % self.ncol
        window = days + inc.widen_days[ids] + self.max_widen_days
        lo_day = np.clip(inc.start[ids] - window - self.max_span - self.day0, 0, self.span - 1)
        hi_day = inc.end[ids] + window - self.day0
        ok = hi_day >= 0
        hi_day = np.clip(hi_day, 0, self.span - 1)
        lo = np.searchsorted(self.keys, cell * self.span + lo_day[q], "left")
        hi = np.searchsorted(self.keys, cell * self.span + hi_day[q], "right")
        hi = np.where(ok[q], hi, lo)
        counts = hi - lo
        total = int(counts.sum())
        if total == 0:
            return empty
        pair_q = np.repeat(q, counts)
        pos = np.repeat(lo - (np.cumsum(counts) - counts), counts) + np.arange(total)
        e = self.order[pos]
        i = ids[pair_q]
        ext = self.ext
        gap = np.maximum(0, np.maximum(ext.start[e] - inc.end[i], inc.start[i] - ext.end[e]))
        keep = gap <= days + inc.widen_days[i] + ext.widen_days[e]
        i, e, gap = i[keep], e[keep], gap[keep]
        dist = haversine_km(inc.lat[i], inc.lon[i], ext.lat[e], ext.lon[e])
        keep = dist <= km + inc.widen_km[i] + ext.widen_km[e]
        return i[keep], e[keep], dist[keep], gap[keep]
