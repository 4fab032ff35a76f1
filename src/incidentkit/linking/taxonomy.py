"""The event-type taxonomy: how compatible an ACLED (sub-)event type is with each UCDP type of violence.

The table is data a researcher may disagree with, so it is a CSV (``incidentkit/data/taxonomy.csv``,
editable copy via ``incidentkit link --taxonomy FILE``), not code. Each row says: an event of this ACLED
sub-event type could be recorded by UCDP under this ``type_of_violence`` with this ``weight`` (0-1).
Pairs the table does not list have weight 0 (e.g. peaceful protests, which UCDP does not record).

Two ACLED-typed events compare directly (same sub-event type 1.0, same event type 0.8); otherwise they
are compatible through a UCDP type both may belong to ("Armed clash" and "Shelling" are both state-based).
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from incidentkit.codebook import vocab
from incidentkit.errors import InputFileError, problem

SAME_SUB_EVENT = 1.0
SAME_EVENT_TYPE = 0.8
ACROSS_TAXONOMY = 0.8   # factor on the shared-UCDP-type compatibility of two ACLED-typed events

SUB_EVENTS: tuple[str, ...] = tuple(vocab.SUB_EVENT_TYPES)
EVENTS: tuple[str, ...] = tuple(vocab.EVENT_TYPES)


@dataclass(frozen=True)
class Taxonomy:
    """Weights[sub_event_index, type_of_violence - 1]: the compatibility matrix the linker uses."""

    weights: np.ndarray
    source: str

    def weight(self, sub_event_type: str, type_of_violence: int) -> float:
        return float(self.weights[SUB_EVENTS.index(sub_event_type), type_of_violence - 1])

    def vectors(self, sub_event: np.ndarray, type_of_violence: np.ndarray) -> np.ndarray:
        """Per event, its weight on each UCDP type: from the sub-event type, and 1.0 on a coded type."""
        n = len(sub_event)
        out = np.zeros((n, 3), dtype=np.float32)
        has_sub = sub_event >= 0
        out[has_sub] = self.weights[sub_event[has_sub]]
        tov = np.asarray(type_of_violence)
        has_tov = (tov >= 1) & (tov <= 3)
        out[np.flatnonzero(has_tov), tov[has_tov] - 1] = 1.0
        return out


def default_taxonomy_path() -> Path:
    return Path(str(resources.files("incidentkit") / "data" / "taxonomy.csv"))


def load_taxonomy(path: str | os.PathLike[str] | None = None) -> Taxonomy:
    """Load a taxonomy CSV (the shipped one by default); every row is checked against the codebook."""
    p = Path(path) if path is not None else default_taxonomy_path()

    def bad(line: int, field: str, msg: str, value: object = None) -> InputFileError:
        pr = problem("taxonomy-invalid", msg, path=str(p), line=line, field=field, value=value)
        return InputFileError(pr.format(), code=pr.code)

    weights = np.zeros((len(SUB_EVENTS), 3), dtype=np.float32)
    try:
        fh = open(p, newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise InputFileError(f"{p}: cannot read the taxonomy ({exc.strerror})", code="file-unreadable") from None
    with fh:
        reader = csv.DictReader(fh)
        need = ("event_type", "sub_event_type", "type_of_violence", "weight")
        missing = [c for c in need if c not in (reader.fieldnames or [])]
        if missing:
            raise bad(1, missing[0], f"column {missing[0]!r} is missing")
        for row in reader:
            line = reader.line_num
            et, st = row["event_type"].strip(), vocab.normalise_label(row["sub_event_type"])
            if st not in vocab.SUB_EVENT_TYPES:
                raise bad(line, "sub_event_type", f"{st!r} is not an ACLED sub-event type", st)
            if vocab.SUB_EVENT_TYPES[st] != et:
                raise bad(line, "event_type", f"{st!r} belongs to {vocab.SUB_EVENT_TYPES[st]!r}, not {et!r}", et)
            try:
                tov, w = int(row["type_of_violence"]), float(row["weight"])
            except ValueError:
                raise bad(line, "weight", "type_of_violence must be 1-3 and weight a number",
                          row["weight"]) from None
            if tov not in vocab.TYPE_OF_VIOLENCE or not 0.0 <= w <= 1.0:
                raise bad(line, "weight", "type_of_violence must be 1-3 and weight within [0, 1]", w)
            weights[SUB_EVENTS.index(st), tov - 1] = w
    return Taxonomy(weights, str(p))


def compatibility(tax: Taxonomy, sub_a: np.ndarray, ev_a: np.ndarray, vec_a: np.ndarray,
                  sub_b: np.ndarray, ev_b: np.ndarray, vec_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Type compatibility of candidate pairs (0-1) and how it was reached (0 none, 1 sub, 2 type, 3 via UCDP)."""
    cross = np.max(np.minimum(vec_a, vec_b), axis=1)
    both_acled = (sub_a >= 0) & (sub_b >= 0)
    cross = np.where(both_acled, cross * ACROSS_TAXONOMY, cross)
    same_sub = both_acled & (sub_a == sub_b)
    same_ev = (ev_a >= 0) & (ev_a == ev_b)
    score = np.where(same_sub, SAME_SUB_EVENT, np.where(same_ev, np.maximum(SAME_EVENT_TYPE, cross), cross))
    how = np.where(same_sub, 1, np.where(same_ev, 2, np.where(cross > 0, 3, 0)))
    return score.astype(np.float32), how.astype(np.int8)
