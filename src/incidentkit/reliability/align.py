"""Align coders' incidents within each source report, and measure how often they split it the same way.

Two coders reading the same report may cut it into different incidents (one codes the car bomb apart
from the fighting it opened, the other does not). Before any field can be compared, each coder's
incidents are matched to the others' in the same source with the linker's idea: candidate pairs scored
on date, place and event type, then kept one-to-one, best score first
(:func:`incidentkit.matching.assign_one_to_one`). With more than two coders, each further coder is
aligned to the units built so far (scored against every member), so the result does not depend on
pairwise choices that contradict each other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from rapidfuzz import fuzz, utils

from incidentkit.matching import GEO_WIDEN_KM, assign_one_to_one, haversine_km

Row = Mapping[str, Any]


@dataclass(frozen=True)
class AlignOptions:
    """How alike two coders' incidents must be to count as the same incident.

    A pair is a candidate only in the same country and within ``max_gap_days`` (days between the two
    date ranges) and, when both have coordinates, ``max_km`` widened by each side's geo_precision as
    linking widens it (:data:`incidentkit.matching.GEO_WIDEN_KM`: a coder who placed the incident at
    its province's point, precision 3, and one who named the village are 60 km apart, not two events). Its score is a weighted mean of date,
    place and type similarity; pairs under ``min_score`` stay unaligned. The defaults let a same-place,
    same-day pair with different event types align (a type disagreement worth seeing) but not a pair
    that also differs by a day.
    """

    max_gap_days: int = 3
    max_km: float = 50.0
    min_score: float = 0.7
    weight_place: float = 0.4
    weight_date: float = 0.3
    weight_type: float = 0.3


@dataclass
class Unit:
    """One incident as the coders saw it: each coder's row (a coder who did not code it is absent)."""

    source_id: str
    unit_id: str
    members: dict[str, Row]
    score: float = float("nan")     # mean pair score of the alignment (NaN for a single coder)

    def complete(self, coders: Sequence[str]) -> bool:
        return all(c in self.members for c in coders)


@dataclass
class Alignment:
    """Units per source, and which coders coded which source."""

    coders: list[str]
    units: list[Unit]
    source_coders: dict[str, list[str]] = field(default_factory=dict)

    def double_coded_sources(self) -> list[str]:
        return sorted(s for s, cs in self.source_coders.items() if len(cs) >= 2)

    def split_summary(self) -> dict[str, Any]:
        """How often coders cut reports into the same incidents.

        A source counts as the same split when every coder of it produced the same number of incidents
        and every incident aligned. Unit counts: aligned by all coders of the source, and per coder the
        incidents no one else coded.
        """
        double = self.double_coded_sources()
        by_source: dict[str, list[Unit]] = {}
        for u in self.units:
            by_source.setdefault(u.source_id, []).append(u)
        same = [s for s in double if all(u.complete(self.source_coders[s]) for u in by_source.get(s, []))]
        units = [u for u in self.units if u.source_id in set(double)]
        only = {c: sum(1 for u in units if list(u.members) == [c]) for c in self.coders}
        counts = {s: {c: sum(1 for u in by_source[s] if c in u.members) for c in self.source_coders[s]}
                  for s in double}
        return {
            "sources_double_coded": len(double),
            "sources_single_coded": len(self.source_coders) - len(double),
            "sources_same_split": len(same),
            "share_same_split": (len(same) / len(double)) if double else None,
            "sources_same_count": sum(1 for s in double if len(set(counts[s].values())) == 1),
            "units": len(units),
            "units_aligned": sum(1 for u in units if u.complete(self.source_coders[u.source_id])),
            "units_partial": sum(1 for u in units if 1 < len(u.members) < len(self.source_coders[u.source_id])),
            "only": only,
            "incidents_per_source": counts,
        }


def _days(value: Any) -> int:
    return value.toordinal() if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)).toordinal()


def _gap_days(a: Row, b: Row) -> int:
    """Days between two date ranges; 0 when they overlap."""
    a0, a1 = _days(a["date_start"]), _days(a.get("date_end") or a["date_start"])
    b0, b1 = _days(b["date_start"]), _days(b.get("date_end") or b["date_start"])
    return max(0, max(a0, b0) - min(a1, b1))


def _place_text(row: Row) -> str:
    return utils.default_process(", ".join(str(row.get(k) or "") for k in ("location", "admin1")))


def has_point(row: Row) -> bool:
    return row.get("latitude") is not None and row.get("longitude") is not None


def point_km(a: Row, b: Row) -> float | None:
    """Great-circle km between two coders' points, None unless both coded (or geocoded) one."""
    if not (has_point(a) and has_point(b)):
        return None
    return float(haversine_km(a["latitude"], a["longitude"], b["latitude"], b["longitude"]))


def _widen_km(row: Row) -> float:
    return GEO_WIDEN_KM.get(row.get("geo_precision") or 1, 0.0)


def pair_score(a: Row, b: Row, opts: AlignOptions = AlignOptions()) -> float | None:
    """Similarity of two coders' incidents in [0, 1], or None when they cannot be the same incident."""
    if a.get("country") != b.get("country"):
        return None
    gap = _gap_days(a, b)
    if gap > opts.max_gap_days:
        return None
    km = point_km(a, b)
    if km is not None:
        allowed = opts.max_km + _widen_km(a) + _widen_km(b)
        if km > allowed:
            return None
        place = 1.0 - km / allowed
    else:
        # token_set_ratio: "al-Hasakah" is fully contained in "Ghwayran prison, al-Hasakah"
        place = fuzz.token_set_ratio(_place_text(a), _place_text(b)) / 100.0
    date = 1.0 - gap / (opts.max_gap_days + 1)
    kind = 1.0 if a["sub_event_type"] == b["sub_event_type"] else 0.5 if a["event_type"] == b["event_type"] else 0.0
    total = opts.weight_place + opts.weight_date + opts.weight_type
    return (opts.weight_place * place + opts.weight_date * date + opts.weight_type * kind) / total


def _align_source(source_id: str, coded: Sequence[tuple[str, Sequence[Row]]], opts: AlignOptions) -> list[Unit]:
    groups: list[dict[str, Row]] = []
    scores: list[list[float]] = []
    for coder, rows in coded:
        lefts: list[int] = []
        rights: list[int] = []
        pair_scores: list[float] = []
        for gi, group in enumerate(groups):
            for ri, row in enumerate(rows):
                each = [pair_score(member, row, opts) for member in group.values()]
                if each and all(s is not None for s in each):
                    lefts.append(gi)
                    rights.append(ri)
                    pair_scores.append(sum(each) / len(each))  # type: ignore[arg-type]
        kept = assign_one_to_one(lefts, rights, pair_scores, opts.min_score)
        matched: set[int] = set()
        for k in kept:
            groups[lefts[k]][coder] = rows[rights[k]]
            scores[lefts[k]].append(pair_scores[k])
            matched.add(rights[k])
        for ri, row in enumerate(rows):
            if ri not in matched:
                groups.append({coder: row})
                scores.append([])
    order = sorted(range(len(groups)), key=lambda i: (
        min(_days(r["date_start"]) for r in groups[i].values()),
        [(c, groups[i][c]["id"]) for c in sorted(groups[i])]))
    return [Unit(source_id, f"{source_id}#{n}", groups[i],
                 sum(scores[i]) / len(scores[i]) if scores[i] else float("nan"))
            for n, i in enumerate(order, start=1)]


def align(rows_by_coder: Mapping[str, Sequence[Row]], opts: AlignOptions = AlignOptions()) -> Alignment:
    """Align every coder's incidents source by source.

    ``rows_by_coder`` maps a coder id to that coder's validated incident rows (as
    :func:`incidentkit.validate.validate` returns them). Coders are aligned in the mapping's order.
    """
    coders = list(rows_by_coder)
    per_source: dict[str, dict[str, list[Row]]] = {}
    for coder in coders:
        for row in sorted(rows_by_coder[coder], key=lambda r: r["id"]):
            per_source.setdefault(row["source_id"], {}).setdefault(coder, []).append(row)
    units: list[Unit] = []
    source_coders: dict[str, list[str]] = {}
    for source_id in sorted(per_source):
        coded = [(c, per_source[source_id][c]) for c in coders if c in per_source[source_id]]
        source_coders[source_id] = [c for c, _ in coded]
        units.extend(_align_source(source_id, coded, opts))
    return Alignment(coders, units, source_coders)
