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
from rapidfuzz import fuzz, utils

from incidentkit.codebook.actors import ACTORS
from incidentkit.codebook.vocab import normalise_label

#: Below this token-set ratio two names are different sides ("IS" vs "SDF" scores 40): similarity 0.
CUTOFF = 70.0

_CANONICAL = {a.name.casefold(): (a.ucdp_name or a.name) for a in ACTORS}


@lru_cache(maxsize=65536)
def canonical(name: str) -> str:
    """The side an actor name stands for (UCDP's name where the actor table knows it), normalised."""
    n = normalise_label(name)
    return utils.default_process(_CANONICAL.get(n.casefold(), n))


def _factor(df: pd.DataFrame, col: str) -> tuple[np.ndarray, list[str]]:
    if col not in df:
        return np.full(len(df), -1, dtype=np.int64), []
    codes, uniques = pd.factorize(df[col].astype("object"), use_na_sentinel=True)
    return codes.astype(np.int64), [canonical(str(u)) for u in uniques]


def _sim(ca: np.ndarray, na: list[str], cb: np.ndarray, nb: list[str]) -> np.ndarray:
    """Similarity 0-1 per pair for name codes ca (left) and cb (right); -1 codes (missing) score 0."""
    out = np.zeros(len(ca), dtype=np.float32)
    ok = (ca >= 0) & (cb >= 0)
    if not ok.any():
        return out
    key = ca[ok] * (len(nb) + 1) + cb[ok]
    uniq, inv = np.unique(key, return_inverse=True)
    scores = np.array([fuzz.token_set_ratio(na[k // (len(nb) + 1)], nb[k % (len(nb) + 1)], score_cutoff=CUTOFF)
                       / 100.0 for k in uniq.tolist()], dtype=np.float32)
    out[ok] = scores[inv]
    return out


def actor_similarity(ours: pd.DataFrame, theirs: pd.DataFrame, i: np.ndarray, e: np.ndarray) -> np.ndarray:
    """0-1 per candidate pair: the better pairing of (actor1, actor2) across the two events."""
    a1, n1 = _factor(ours, "actor1")
    a2, n2 = _factor(ours, "actor2")
    b1, m1 = _factor(theirs, "actor1")
    b2, m2 = _factor(theirs, "actor2")
    x1, x2, y1, y2 = a1[i], a2[i], b1[e], b2[e]
    s11, s22 = _sim(x1, n1, y1, m1), _sim(x2, n2, y2, m2)
    s12, s21 = _sim(x1, n1, y2, m2), _sim(x2, n2, y1, m1)
    two = x2 >= 0
    paired = np.maximum(s11 + s22, s12 + s21) / 2.0
    single = np.maximum(s11, s12)
    return np.where(two, paired, single)
