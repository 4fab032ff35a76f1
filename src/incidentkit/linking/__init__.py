"""Find, for each of our incidents, the ACLED or UCDP event that records the same event.

The approach is MELTT's (Donnay, Dunford, McGrath, Backer and Cunningham 2019, "Integrating Conflict Event
Data", Journal of Conflict Resolution 63(5)): candidates are the external events within a time window
and a great-circle distance, both widened by the events' precision codes; each candidate pair is scored
on time, distance, event-type compatibility (through an editable taxonomy table), actors and
fatalities; pairs are then kept one-to-one, best score first (:func:`incidentkit.matching.assign_one_to_one`).

>>> from incidentkit.linking import link
>>> result = link(incidents_df, acled_df, days=3, km=25)     # doctest: +SKIP
>>> result.pairs.head()                                      # doctest: +SKIP
>>> print(result.summary_text())                             # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from incidentkit.atomic import atomic_path
from incidentkit.errors import InputFileError, UsageError
from incidentkit.linking.actors import actor_similarity
from incidentkit.linking.index import Events, SpaceTimeIndex
from incidentkit.linking.taxonomy import EVENTS, SUB_EVENTS, Taxonomy, compatibility, load_taxonomy
from incidentkit.matching import assign_one_to_one

#: Extra km allowed per geo_precision code (1 town, 2 near a town, 3 region): added for each side.
GEO_WIDEN_KM: Mapping[int, float] = {1: 0.0, 2: 25.0, 3: 100.0}
#: Extra days allowed per time_precision code (1 day, 2 week, 3 month): added for each side.
TIME_WIDEN_DAYS: Mapping[int, int] = {1: 0, 2: 7, 3: 15}
#: Weights of the score's parts; they sum to 1.
WEIGHTS: Mapping[str, float] = {"time": 0.25, "distance": 0.2, "type": 0.2, "actors": 0.15, "fatalities": 0.2}

COLUMNS = ("id", "date_start", "date_end", "time_precision", "event_type", "sub_event_type", "type_of_violence",
           "actor1", "actor2", "latitude", "longitude", "geo_precision", "fatalities_best", "country")
REQUIRED = ("id", "date_start", "latitude", "longitude")
PAIR_COLUMNS = ("incident_id", "external_id", "distance_km", "day_gap", "score", "reason")


@dataclass
class LinkResult:
    """Pairs (one row per linked incident), and what is only in ours and only in theirs."""

    pairs: pd.DataFrame
    only_ours: pd.DataFrame
    only_theirs: pd.DataFrame
    fatalities: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)

    def summary_text(self) -> str:
        s = self.summary
        lines = [f"Matched: {s['matched']} pair(s) of {s['incidents']} incident(s) and "
                 f"{s['external']} external event(s) (--days {s['days']} --km {s['km']})",
                 f"Only in ours: {s['only_ours']} ({s['unlocated']} without coordinates)",
                 f"Only in theirs (same countries and dates as ours): {s['only_theirs']}",
                 f"Fatalities in matched pairs: ours {s['fatalities_ours']}, theirs {s['fatalities_theirs']}, "
                 f"{s['fatalities_equal']} pair(s) equal, mean absolute difference {s['fatalities_mad']:.2f}"]
        return "\n".join(lines)

    def write(self, path: str | os.PathLike[str]) -> None:
        """Write the pairs as Parquet (summary in the file metadata), atomically and deterministically."""
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
            df = pq.read_table(p, columns=[c for c in COLUMNS if c in names]).to_pandas()
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


def link(incidents: pd.DataFrame | str | os.PathLike[str], external: pd.DataFrame | str | os.PathLike[str], *,
         days: int = 3, km: float = 25.0, taxonomy: Taxonomy | str | os.PathLike[str] | None = None,
         min_score: float = 0.5, weights: Mapping[str, float] = WEIGHTS,
         geo_widen_km: Mapping[int, float] = GEO_WIDEN_KM, time_widen_days: Mapping[int, int] = TIME_WIDEN_DAYS,
         cell_degrees: float | None = None) -> LinkResult:
    """Link our incidents to external events one-to-one; DataFrames or Parquet paths on both sides.

    ``days``/``km`` are the base windows; each side's precision codes widen them (``geo_widen_km``,
    ``time_widen_days``). Pairs scoring below ``min_score`` are not linked.
    """
    if not (days >= 0 and math.isfinite(km) and km > 0):  # also refuses NaN, which every comparison passes
        raise UsageError(f"--days must be >= 0 and --km a finite number > 0 (got days={days}, km={km})",
                         code="usage")
    tax = taxonomy if isinstance(taxonomy, Taxonomy) else load_taxonomy(taxonomy)
    ours, theirs = _frame(incidents, "incidents"), _frame(external, "external")
    a = _events(ours, geo_widen_km, time_widen_days)
    b = _events(theirs, geo_widen_km, time_widen_days)
    index = SpaceTimeIndex(b, km=km, cell_degrees=cell_degrees)
    parts = list(index.candidates(a, km, days))
    i = np.concatenate([p[0] for p in parts]) if parts else np.empty(0, np.int64)
    e = np.concatenate([p[1] for p in parts]) if parts else np.empty(0, np.int64)
    dist = np.concatenate([p[2] for p in parts]) if parts else np.empty(0)
    gap = np.concatenate([p[3] for p in parts]) if parts else np.empty(0, np.int64)

    # --- score every candidate pair, vectorised --------------------------------------------------------
    allowed_days = days + a.widen_days[i] + b.widen_days[e]
    allowed_km = km + a.widen_km[i] + b.widen_km[e]
    s_time = 1.0 - gap / (allowed_days + 1.0)
    s_dist = 1.0 - dist / np.maximum(allowed_km, 1e-9)
    sub_a, ev_a = _codes(ours, "sub_event_type", SUB_EVENTS), _codes(ours, "event_type", EVENTS)
    sub_b, ev_b = _codes(theirs, "sub_event_type", SUB_EVENTS), _codes(theirs, "event_type", EVENTS)
    vec_a = tax.vectors(sub_a, _ints(ours, "type_of_violence"))
    vec_b = tax.vectors(sub_b, _ints(theirs, "type_of_violence"))
    s_type, how = compatibility(tax, sub_a[i], ev_a[i], vec_a[i], sub_b[e], ev_b[e], vec_b[e])
    s_actor = actor_similarity(ours, theirs, i, e)
    fa = _ints(ours, "fatalities_best", -1)
    fb = _ints(theirs, "fatalities_best", -1)
    known = (fa[i] >= 0) & (fb[e] >= 0)
    s_fat = np.where(known, 1.0 - np.abs(fa[i] - fb[e]) / np.maximum(fa[i] + fb[e], 1), 0.5)
    score = (weights["time"] * s_time + weights["distance"] * s_dist + weights["type"] * s_type
             + weights["actors"] * s_actor + weights["fatalities"] * s_fat)
    score = np.round(score, 6)

    keep = np.flatnonzero(score >= min_score)
    kept = keep[assign_one_to_one(i[keep], e[keep], score[keep], min_score)]
    kept = kept[np.lexsort((e[kept], i[kept]))]  # deterministic order: by incident, then event

    ids_a = ours["id"].astype(str).to_numpy()

    def ids_b(rows: np.ndarray) -> np.ndarray:  # only the linked rows: 2.5 M ids are not boxed for nothing
        return theirs["id"].iloc[rows].astype(str).to_numpy()

    how_text = {0: "types incompatible", 1: "same sub-event type", 2: "same event type", 3: "compatible via UCDP type"}
    reasons = [f"{int(gap[k])} day(s) apart; {dist[k]:.1f} km; type {s_type[k]:.2f} ({how_text[int(how[k])]}); "
               f"actors {s_actor[k]:.2f}; fatalities "
               + (f"{fa[i[k]]} vs {fb[e[k]]}" if known[k] else "unknown") for k in kept]
    pairs = pd.DataFrame({
        "incident_id": ids_a[i[kept]], "external_id": ids_b(e[kept]),
        "distance_km": dist[kept].astype(float), "day_gap": gap[kept].astype(np.int32),
        "score": score[kept].astype(float), "reason": reasons,
    }, columns=list(PAIR_COLUMNS))

    matched_a = np.zeros(len(ours), bool)
    matched_a[i[kept]] = True
    matched_b = np.zeros(len(theirs), bool)
    matched_b[e[kept]] = True
    scope = _in_scope(ours, theirs)
    only_ours = ours.loc[~matched_a, ["id"]].reset_index(drop=True)
    only_theirs = theirs.loc[scope & ~matched_b, ["id"]].reset_index(drop=True)
    fat = pd.DataFrame({"incident_id": ids_a[i[kept]], "external_id": ids_b(e[kept]),
                        "fatalities_ours": fa[i[kept]], "fatalities_theirs": fb[e[kept]]})
    fat = fat[(fat.fatalities_ours >= 0) & (fat.fatalities_theirs >= 0)].reset_index(drop=True)
    fat["difference"] = fat.fatalities_ours - fat.fatalities_theirs
    summary = {
        "incidents": len(ours), "external": len(theirs), "candidates": int(len(i)), "matched": int(len(kept)),
        "only_ours": int(len(only_ours)), "only_theirs": int(len(only_theirs)),
        "unlocated": int(np.isnan(a.lat).sum()), "days": days, "km": km, "min_score": min_score,
        "taxonomy": tax.source, "fatalities_ours": int(fat.fatalities_ours.sum()),
        "fatalities_theirs": int(fat.fatalities_theirs.sum()), "fatalities_equal": int((fat.difference == 0).sum()),
        "fatalities_mad": float(fat.difference.abs().mean()) if len(fat) else 0.0,
    }
    return LinkResult(pairs, only_ours, only_theirs, fat, summary)


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


__all__ = ["link", "LinkResult", "load_taxonomy", "Taxonomy", "GEO_WIDEN_KM", "TIME_WIDEN_DAYS", "WEIGHTS"]
