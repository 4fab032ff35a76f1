"""Actor similarity across naming conventions: ACLED names, UCDP names, free-typed variants.

Names are first mapped through the codebook's actor table to one canonical side ("Islamic State (Syria)"
and UCDP's "IS" both become "IS"), then compared with rapidfuzz's token-set ratio. Only the distinct
(name, name) combinations met among candidate pairs are scored, so the cost follows the vocabulary of
names, not the number of pairs.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process, utils

from incidentkit.codebook.actors import ACTORS
from incidentkit.codebook.vocab import normalise_label

#: Below this token-set ratio two names are different sides ("IS" vs "SDF" scores 40): similarity 0.
CUTOFF = 70.0

_CANONICAL = {a.name.casefold(): (a.ucdp_name or a.name) for a in ACTORS}


@lru_cache(maxsize=65536)
def canonical(name: str) -> str:
    """The side an actor name stands for, normalised: UCDP's name where the vocabulary knows it, so
    "Military Forces of Somalia (2022-)" (ACLED) and "Government of Somalia" (GED) are one side."""
    from incidentkit.actors import load_vocabulary

    n = normalise_label(name)
    side = _CANONICAL.get(n.casefold())
    if side is None:
        side = load_vocabulary().ucdp_side(n)
    return utils.default_process(side)


def _factor(names: pd.Series) -> tuple[np.ndarray, list[str]]:
    if len(names) == 0:
        return np.empty(0, dtype=np.int64), []
    codes, uniques = pd.factorize(names, use_na_sentinel=True)  # hashes Arrow strings without boxing them
    return codes.astype(np.int64), [canonical(str(u)) for u in uniques]


class _Similarity:
    """Similarity of name codes (left x right), computed once per distinct pair met among candidates.

    The matrix of the names actually used by candidate pairs is filled with rapidfuzz's ``cdist`` (C++, all
    cores); when that matrix would be too large, only the distinct pairs are scored.
    """

    MAX_CELLS = 20_000_000

    def __init__(self, left: list[str], right: list[str], lc: np.ndarray, rc: np.ndarray) -> None:
        self.left, self.right = left, right
        ok = (lc >= 0) & (rc >= 0)
        used_l = np.flatnonzero(np.bincount(lc[ok], minlength=len(left))) if ok.any() else np.empty(0, np.int64)
        used_r = np.flatnonzero(np.bincount(rc[ok], minlength=len(right))) if ok.any() else np.empty(0, np.int64)
        self.matrix: np.ndarray | None = None
        if 0 < len(used_l) * len(used_r) <= self.MAX_CELLS:
            self.row = np.full(len(left) + 1, -1, dtype=np.int64)
            self.row[used_l] = np.arange(len(used_l))
            self.col = np.full(len(right) + 1, -1, dtype=np.int64)
            self.col[used_r] = np.arange(len(used_r))
            self.matrix = process.cdist([left[k] for k in used_l], [right[k] for k in used_r],
                                        scorer=fuzz.token_set_ratio, score_cutoff=CUTOFF, dtype=np.uint8,
                                        workers=-1)

    def __call__(self, ca: np.ndarray, cb: np.ndarray) -> np.ndarray:
        """0-1 per pair for name codes ``ca`` (left) and ``cb`` (right); -1 (missing) scores 0."""
        out = np.zeros(len(ca), dtype=np.float32)
        ok = (ca >= 0) & (cb >= 0)
        if not ok.any():
            return out
        if self.matrix is not None:
            out[ok] = self.matrix[self.row[ca[ok]], self.col[cb[ok]]] / 100.0
            return out
        nb = len(self.right) + 1
        uniq, inv = np.unique(ca[ok] * nb + cb[ok], return_inverse=True)
        # the same scorer, cutoff and rounding to whole percent as the matrix above (cdist's uint8), so a
        # pair scores the same whichever way it was reached: the Dask path scores slices of the external
        # events, whose name tables are smaller and take the matrix where the whole table would not
        ratios = process.cpdist([self.left[k] for k in (uniq // nb).tolist()],
                                [self.right[k] for k in (uniq % nb).tolist()],
                                scorer=fuzz.token_set_ratio, score_cutoff=CUTOFF, dtype=np.uint8, workers=-1)
        out[ok] = ratios[inv] / 100.0
        return out


def actor_similarity(ours: pd.DataFrame, theirs: pd.DataFrame, i: np.ndarray, e: np.ndarray) -> np.ndarray:
    """0-1 per candidate pair: the better pairing of (actor1, actor2) across the two events."""
    # one name table per side (actor1 and actor2 share it), so each distinct pair is scored once
    left = pd.concat([ours.get("actor1", pd.Series(dtype=object)), ours.get("actor2", pd.Series(dtype=object))])
    right = pd.concat([theirs.get("actor1", pd.Series(dtype=object)),
                       theirs.get("actor2", pd.Series(dtype=object))])
    lc, ln = _factor(left)
    rc, rn = _factor(right)
    na, nb = len(ours), len(theirs)
    a1, a2 = (lc[:na], lc[na:]) if "actor2" in ours else (lc[:na], np.full(na, -1))
    b1, b2 = (rc[:nb], rc[nb:]) if "actor2" in theirs else (rc[:nb], np.full(nb, -1))
    if "actor1" not in ours:
        a1 = np.full(na, -1)
    if "actor1" not in theirs:
        b1 = np.full(nb, -1)
    x1, x2, y1, y2 = a1[i], a2[i], b1[e], b2[e]
    sim = _Similarity(ln, rn, np.concatenate([x1, x1, x2, x2]), np.concatenate([y1, y2, y1, y2]))
    s11, s22, s12, s21 = sim(x1, y1), sim(x2, y2), sim(x1, y2), sim(x2, y1)
    two = x2 >= 0
    paired = np.maximum(s11 + s22, s12 + s21) / 2.0
    single = np.maximum(s11, s12)
    return np.where(two, paired, single)
