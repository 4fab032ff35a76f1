"""The agreement report: alpha per field, how coders split reports, and the disagreements to resolve.

It is data first (:class:`AgreementResult` with pandas frames and a JSON form) and text second
(:meth:`AgreementResult.format`), so the CLI, notebooks and a supervisor's spreadsheet see the same
figures.
"""

from __future__ import annotations

import itertools
import json
import math
import os
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from incidentkit.atomic import atomic_write_text
from incidentkit.formulas import neutralise_frame
from incidentkit.reliability.align import Alignment, Unit, point_km
from incidentkit.reliability.alpha import alpha_with_ci
from incidentkit.reliability.fields import (FIELD_SPECS, INCIDENT_EVIDENCE, POINT_EVIDENCE, FieldSpec,
                                            evidence_quotes, show)

TABLE_COLUMNS = ["field", "level", "units", "alpha", "ci_low", "ci_high", "agreement", "mean_abs_diff",
                 "median_abs_diff", "diff_unit"]
DISAGREEMENT_COLUMNS = ["source_id", "unit", "field", "coder_a", "incident_a", "value_a", "evidence_a", "where_a",
                        "coder_b", "incident_b", "value_b", "evidence_b", "where_b"]


@dataclass
class AgreementResult:
    """Everything :func:`incidentkit.agreement` measured."""

    coders: list[str]
    table: pd.DataFrame
    disagreements: pd.DataFrame
    split: dict[str, Any]
    alignment: Alignment
    n_boot: int
    seed: int
    confidence: float
    paths: list[str] = field(default_factory=list)
    #: what geocoding did before comparing: geocoded, gazetteer_dir (None: embedded gazetteer only),
    #: placed (incidents given a point), unplaced (incidents left without one)
    places: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "coders": self.coders,
            "paths": self.paths,
            "places": self.places,
            "split": self.split,
            "bootstrap": {"replicates": self.n_boot, "seed": self.seed, "confidence": self.confidence,
                          "resampled": "units"},
            "fields": _records(self.table),
            "disagreements": _records(self.disagreements),
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON (NaN written as null), identical for identical input and seed."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent, allow_nan=False)

    def write_disagreements(self, path: str | os.PathLike[str]) -> None:
        """The disagreement list as UTF-8 CSV, written atomically, for a supervisor's spreadsheet.

        Values and evidence are what coders typed or pasted from reports, so a text cell a spreadsheet
        could run as a formula (``=HYPERLINK(...)``, ``-2+3``, ``@SUM``) is written with a leading single
        quote, as ``export spreadsheet`` writes it (:func:`incidentkit.formulas.neutralise`).
        :attr:`disagreements` and :meth:`to_json` keep the exact text.
        """
        from incidentkit.paths import refuse_overwriting_inputs

        # the coded records this comparison read are never overwritten, from Python as from the CLI
        refuse_overwriting_inputs([path], [*self.paths, self.places.get("gazetteer_dir")])
        safe = neutralise_frame(self.disagreements)
        # CRLF line ends (RFC 4180): Python's csv writer then quotes a quote holding a bare CR, which it
        # leaves unquoted with \n line ends, splitting the row for every reader
        atomic_write_text(path, safe.to_csv(index=False, lineterminator="\r\n"))

    def format(self) -> str:
        """A readable report: split agreement, the per-field table, and the number of disagreements."""
        s = self.split
        lines = [f"Inter-coder agreement: coders {', '.join(self.coders)}"]
        share = "n/a" if s["share_same_split"] is None else f"{s['share_same_split']:.0%}"
        lines.append(f"Sources: {s['sources_double_coded']} double-coded ({s['sources_single_coded']} coded once, "
                     f"left out); same split into incidents: {s['sources_same_split']} ({share}); "
                     f"same number of incidents: {s['sources_same_count']}")
        only = ", ".join(f"only {c}: {n}" for c, n in s["only"].items())
        lines.append(f"Incidents: {s['units']} unit(s), {s['units_aligned']} aligned by every coder, "
                     f"{s['units_partial']} by some; {only}")
        if self.places:
            lines.append(_places_line(self.places))
        ci = f"{self.confidence:.0%} CI"
        header = (f"{'field':<20}{'level':<16}{'units':>6}{'alpha':>8}  {ci:<17}{'agree':>7}"
                  f"{'mean|diff|':>12}{'median':>8}  unit")
        lines += ["", header, "-" * len(header)]
        for r in self.table.itertuples(index=False):
            interval = "" if _nan(r.ci_low) else f"[{r.ci_low:.3f}, {r.ci_high:.3f}]"
            lines.append(f"{r.field:<20}{r.level:<16}{r.units:>6}{_num(r.alpha, 3):>8}  {interval:<17}"
                         f"{_pct(r.agreement):>7}{_num(r.mean_abs_diff, 2):>12}{_num(r.median_abs_diff, 2):>8}"
                         f"  {r.diff_unit}")
        lines += ["", f"alpha: Krippendorff's alpha over aligned incidents (n/a: fewer than two coded values "
                  f"in a unit, or no variation); CI: {self.n_boot} bootstrap replicates over units, seed "
                  f"{self.seed}; fatalities on log(1 + x); point: km between the coders' coordinates.",
                  f"{len(self.disagreements)} disagreement(s) to review (--disagreements FILE.csv writes them "
                  "with both coders' evidence)."]
        return "\n".join(lines)


def _places_line(places: dict[str, Any]) -> str:
    """Say which gazetteer placed the incidents: a point compared against the wrong gazetteer looks like
    a coder disagreement, so the reader must be able to see which one was used."""
    if not places.get("geocoded"):
        return "Places: as the coders wrote them (--no-geocode)"
    folder = places.get("gazetteer_dir")
    where = f"embedded gazetteer + {folder}" if folder else "embedded gazetteer only (no project gazetteer folder)"
    return (f"Places: geocoded as the build does ({where}); {places['placed']} incident(s) placed, "
            f"{places['unplaced']} left without a point")


def _nan(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _num(v: Any, digits: int) -> str:
    return "n/a" if _nan(v) else f"{v:.{digits}f}"


def _pct(v: Any) -> str:
    return "n/a" if _nan(v) else f"{v:.0%}"


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for rec in frame.to_dict(orient="records"):
        out.append({k: (None if _nan(v) else (v.item() if isinstance(v, np.generic) else v)) for k, v in rec.items()})
    return out


def _matrix(spec: FieldSpec, units: Sequence[Unit], coders: Sequence[str]) -> np.ndarray:
    """coders x units: the values alpha sees (float with NaN, or labels with None)."""
    if spec.numeric is not None:
        out = np.full((len(coders), len(units)), np.nan)
    else:
        out = np.full((len(coders), len(units)), None, dtype=object)
    for j, unit in enumerate(units):
        for i, coder in enumerate(coders):
            row = unit.members.get(coder)
            v = None if row is None else spec.value(row)
            if v is not None:
                out[i, j] = spec.numeric(v) if spec.numeric is not None else v
    return out


def _pairs(unit: Unit) -> list[tuple[str, str]]:
    return list(itertools.combinations(sorted(unit.members), 2))


def _abs_diffs(spec: FieldSpec, units: Sequence[Unit]) -> list[float]:
    out = []
    for u in units:
        for a, b in _pairs(u):
            va, vb = spec.value(u.members[a]), spec.value(u.members[b])
            if va is not None and vb is not None:
                out.append(float(abs((va - vb).days if hasattr(va, "toordinal") else va - vb)))
    return out


def field_table(alignment: Alignment, *, n_boot: int, seed: int, confidence: float) -> pd.DataFrame:
    """One row per compared field: alpha with its interval, exact agreement, and absolute differences."""
    coders, units = alignment.coders, alignment.units
    rows: list[dict[str, Any]] = []
    for k, spec in enumerate(FIELD_SPECS):
        data = _matrix(spec, units, coders)
        # every field gets its own seed stream, so adding a field never changes another's interval
        res = alpha_with_ci(data, spec.level, n_boot=n_boot, seed=seed + k, confidence=confidence)  # type: ignore[arg-type]
        coded = [[v for v in col if not _nan(v)] for col in data.T]
        pairable = [c for c in coded if len(c) >= 2]
        agree = sum(1 for c in pairable if all(v == c[0] for v in c)) / len(pairable) if pairable else float("nan")
        diffs = _abs_diffs(spec, units) if spec.diff_unit else []
        rows.append({"field": spec.name, "level": spec.level + (" log1p" if spec.name.startswith("fatal") else ""),
                     "units": res.units, "alpha": res.alpha, "ci_low": res.ci_low, "ci_high": res.ci_high,
                     "agreement": agree,
                     "mean_abs_diff": float(np.mean(diffs)) if diffs else float("nan"),
                     "median_abs_diff": float(np.median(diffs)) if diffs else float("nan"),
                     "diff_unit": spec.diff_unit})
    kms = [km for u in units for a, b in _pairs(u)
           if (km := point_km(u.members[a], u.members[b])) is not None]
    rows.append({"field": "point", "level": "distance", "units": len(kms), "alpha": float("nan"),
                 "ci_low": float("nan"), "ci_high": float("nan"), "agreement": float("nan"),
                 "mean_abs_diff": float(np.mean(kms)) if kms else float("nan"),
                 "median_abs_diff": float(np.median(kms)) if kms else float("nan"), "diff_unit": "km"})
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def _where(row: Any) -> str:
    return f"{row['record_path']}:{row['record_line']}"


def _incident_summary(row: Any) -> str:
    end = row.get("date_end")
    dates = row["date_start"].isoformat() + (f"..{end.isoformat()}" if end and end != row["date_start"] else "")
    return f"{row['event_type']} / {row['sub_event_type']}, {dates}, {row['location']}"


def disagreement_table(alignment: Alignment, point_tolerance_km: float = 1.0) -> pd.DataFrame:
    """Every disagreement a supervisor has to settle, with both coders' values and cited evidence.

    One row per unit, field and pair of coders who differ; an incident only some coders coded is a
    row with field ``incident``; points further apart than ``point_tolerance_km`` are a ``point`` row.
    """
    out: list[dict[str, Any]] = []

    def add(unit: Unit, fld: str, a: str, b: str, va: Any, vb: Any, names: tuple[str, ...]) -> None:
        ra, rb = unit.members.get(a), unit.members.get(b)
        out.append({
            "source_id": unit.source_id, "unit": unit.unit_id, "field": fld,
            "coder_a": a, "incident_a": ra["id"] if ra else None, "value_a": va,
            "evidence_a": evidence_quotes(ra, names) if ra else None, "where_a": _where(ra) if ra else None,
            "coder_b": b, "incident_b": rb["id"] if rb else None, "value_b": vb,
            "evidence_b": evidence_quotes(rb, names) if rb else None, "where_b": _where(rb) if rb else None,
        })

    for unit in alignment.units:
        source_coders = alignment.source_coders[unit.source_id]
        if len(source_coders) < 2:
            continue
        for a, b in itertools.combinations(source_coders, 2):
            ra, rb = unit.members.get(a), unit.members.get(b)
            if ra is None or rb is None:
                add(unit, "incident", a, b, _incident_summary(ra) if ra else None,
                    _incident_summary(rb) if rb else None, INCIDENT_EVIDENCE)
                continue
            for spec in FIELD_SPECS:
                va, vb = spec.value(ra), spec.value(rb)
                if va is not None and vb is not None and va != vb:   # not coded is missing, not a disagreement
                    add(unit, spec.name, a, b, show(va), show(vb), spec.evidence)
            km = point_km(ra, rb)
            if km is not None and km > point_tolerance_km:
                add(unit, "point", a, b, f"{ra['latitude']:.5f}, {ra['longitude']:.5f}",
                    f"{rb['latitude']:.5f}, {rb['longitude']:.5f} ({km:.1f} km apart)", POINT_EVIDENCE)
    frame = pd.DataFrame(out, columns=DISAGREEMENT_COLUMNS)
    # values of mixed kinds (labels, numbers, dates) stay as written in one text-friendly column
    for col in ("value_a", "value_b"):
        frame[col] = frame[col].astype(object)
    return frame
