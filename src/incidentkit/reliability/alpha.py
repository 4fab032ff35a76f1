"""Krippendorff's alpha in closed form, with bootstrap confidence intervals.

Why not the textbook construction: the usual implementation (and the GPL ``krippendorff`` package) builds
the V x V coincidence matrix, and for fatalities, dates or ranks V grows with the data, so time and memory
grow with the square of the number of distinct values. Every distance incidentkit needs can instead be
summed from per-unit counts:

* nominal: a unit's disagreeing ordered pairs are ``n_u**2 - sum_c n_uc**2``; chance pairs are
  ``n**2 - sum_c n_c**2`` from the pooled value counts;
* interval: ``sum_ck n_uc n_uk (c - k)**2 = 2 n_u sum (x - mean_u)**2`` (per-unit sums of squares);
* ordinal: Krippendorff's ordinal distance ``(sum_{g=c..k} n_g - (n_c + n_k) / 2)**2`` is exactly the
  squared difference of the values' mid-ranks ``r_c = sum_{g<c} n_g + n_c / 2`` in the pooled counts, so
  ordinal alpha is interval alpha on mid-ranks;
* ratio: observed pairs are summed per unit over coder pairs, expected pairs over the distinct values in
  blocks (the only quadratic term, and only in the number of distinct values).

Everything is O(cells) or O(cells x coders) with ``numpy.bincount``; the only sort is over distinct values.
All of it is weighted by unit weights, so a bootstrap replicate (units resampled with replacement) is the
same computation with multinomial weights, batched over replicates.

Alpha is ``1 - (n - 1) * observed / expected`` with ``observed = sum_u sum_ck n_uc n_uk d_ck / (n_u - 1)``
and ``expected = sum_ck n_c n_k d_ck`` over pairable values (units coded by at least two coders). When the
pairable values do not vary at all, alpha is undefined and NaN is returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Sequence

import numpy as np
import pandas as pd

Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[str, ...] = ("nominal", "ordinal", "interval", "ratio")

_CELL_BUDGET = 20_000_000   # cells x replicates held at once while bootstrapping
_BLOCK = 2048               # distinct values per block of the ratio expected-disagreement sum


@dataclass(frozen=True)
class AlphaResult:
    """Alpha with its bootstrap interval and the counts it rests on."""

    alpha: float
    level: str
    units: int                  # pairable units (coded by at least two coders)
    values: int                 # pairable values
    ci_low: float = float("nan")
    ci_high: float = float("nan")
    n_boot: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in self.__dict__.items()}


@dataclass
class _Cells:
    """Pairable data as cells: unit index, index into the sorted value domain, multiplicity."""

    unit: np.ndarray        # int64, per cell
    code: np.ndarray        # int64, per cell, index into ``domain``
    count: np.ndarray       # float64, per cell
    domain: np.ndarray      # float64 values (for nominal: 0..V-1)
    n_units: int
    level: str
    # per-unit numerators that do not depend on the pooled counts (nominal, interval, ratio)
    n_u: np.ndarray
    obs_u: np.ndarray | None


def _check_level(level: str) -> str:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}; got {level!r}")
    return level


def _codes_of(data: np.ndarray, level: str, value_domain: Sequence[Any] | None) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (-1 = missing) and the numeric domain they index, for a coders x units array."""
    if data.dtype.kind in "biuf" and value_domain is None:
        values = data.astype(float, copy=False)
        ok = ~np.isnan(values)
        domain, inverse = np.unique(values[ok], return_inverse=True)
        codes = np.full(values.shape, -1, dtype=np.int64)
        codes[ok] = inverse
        return codes, domain
    if value_domain is not None:
        dom = pd.Index(list(value_domain))
        if not dom.is_unique:
            raise ValueError("value_domain has repeated values")
        flat = pd.Series(data.ravel(), dtype=object)
        codes = np.asarray(dom.get_indexer(flat.where(flat.notna(), None)), dtype=np.int64)
        bad = (codes < 0) & flat.notna().to_numpy()
        if bad.any():
            raise ValueError(f"value {flat[bad].iloc[0]!r} is not in value_domain")
        numeric = pd.api.types.is_numeric_dtype(dom.dtype) and not pd.api.types.is_bool_dtype(dom.dtype)
        if level in ("interval", "ratio") and not numeric:
            raise ValueError(f"{level} alpha needs numeric values")
        domain = dom.to_numpy(dtype=float) if numeric and level != "ordinal" else np.arange(len(dom), dtype=float)
        return codes.reshape(data.shape), domain
    if level != "nominal":
        raise ValueError(f"{level} alpha on non-numeric values needs an ordered value_domain")
    codes, uniques = pd.factorize(pd.Series(data.ravel(), dtype=object), sort=True, use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64).reshape(data.shape), np.arange(len(uniques), dtype=float)


def _as_array(data: Any) -> np.ndarray:
    """Coders x units as an array; numbers with None for "not coded" become floats with NaN."""
    arr = np.asarray(data)
    if arr.dtype == object:
        flat = [v for v in arr.ravel() if v is not None and not (isinstance(v, float) and np.isnan(v))]
        if flat and all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
                        for v in flat):
            arr = np.array([[np.nan if v is None else v for v in row] for row in arr], dtype=float)
    return arr


def _prepare_dense(data: Any, level: str, value_domain: Sequence[Any] | None) -> _Cells:
    arr = _as_array(data)
    if arr.ndim != 2:
        raise ValueError("reliability data must be 2-D: coders x units")
    codes, domain = _codes_of(arr, level, value_domain)
    present = codes >= 0
    n_u_all = present.sum(axis=0)
    pairable = n_u_all >= 2
    codes = codes[:, pairable]
    present = present[:, pairable]
    unit = np.nonzero(present)[1]                      # same (coder-major) order as codes[present]
    code = codes[present]
    n_u = n_u_all[pairable].astype(float)
    cells = _Cells(unit.astype(np.int64), code.astype(np.int64), np.ones(len(code)), domain, int(pairable.sum()),
                   level, n_u, None)
    if level == "nominal":
        # equal ordered pairs per unit by comparing coder rows: O(units x coders^2), no sort, no V
        equal = np.zeros(codes.shape[1])
        for i in range(codes.shape[0]):
            for j in range(i + 1, codes.shape[0]):
                equal += (codes[i] == codes[j]) & present[i] & present[j]
        sum_sq = n_u + 2 * equal                         # sum_c n_uc^2
        cells.obs_u = (n_u ** 2 - sum_sq) / (n_u - 1)
    elif level == "ratio":
        vals = np.where(present, domain[np.maximum(codes, 0)], np.nan)
        total = np.zeros(codes.shape[1])
        for i in range(codes.shape[0]):
            for j in range(i + 1, codes.shape[0]):
                d = _ratio_d(vals[i], vals[j])
                total += np.where(present[i] & present[j], 2 * d, 0.0)
        cells.obs_u = total / (n_u - 1)
    elif level == "interval":
        cells.obs_u = _interval_obs(cells, domain[code])[0]
    return cells


def _prepare_counts(counts: Any, level: str, value_domain: Sequence[Any] | None) -> _Cells:
    c = np.asarray(counts, dtype=float)
    if c.ndim != 2:
        raise ValueError("value counts must be 2-D: units x values")
    if (c < 0).any() or not np.all(np.isfinite(c)):
        raise ValueError("value counts must be finite and non-negative")
    if value_domain is None:
        domain = np.arange(c.shape[1], dtype=float)
    else:
        domain = np.asarray(value_domain, dtype=float) if level != "nominal" else np.arange(c.shape[1], dtype=float)
        if len(domain) != c.shape[1]:
            raise ValueError("value_domain must have one entry per column of the counts")
        if level != "nominal" and np.any(np.diff(domain) <= 0):
            raise ValueError(f"{level} alpha needs value_domain in increasing order")
    n_u_all = c.sum(axis=1)
    pairable = n_u_all >= 2
    c = c[pairable]
    unit, code = np.nonzero(c)
    cells = _Cells(unit.astype(np.int64), code.astype(np.int64), c[unit, code], domain, int(pairable.sum()),
                   level, n_u_all[pairable], None)
    n_u = cells.n_u
    if level == "nominal":
        sum_sq = np.bincount(unit, weights=cells.count ** 2, minlength=cells.n_units)
        cells.obs_u = (n_u ** 2 - sum_sq) / (n_u - 1)
    elif level == "interval":
        cells.obs_u = _interval_obs(cells, domain[code])[0]
    elif level == "ratio":
        # sum_ck n_uc n_uk d_ck per unit, over the unit's non-zero values only, in blocks of units
        obs = np.zeros(cells.n_units)
        d = _ratio_d(domain[:, None], domain[None, :])
        for s in range(0, cells.n_units, _BLOCK):
            blk = c[s:s + _BLOCK]
            obs[s:s + _BLOCK] = np.einsum("uc,ck,uk->u", blk, d, blk)
        cells.obs_u = obs / (n_u - 1)
    return cells


def _ratio_d(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    s = a + b
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(s != 0, ((a - b) / np.where(s != 0, s, 1)) ** 2, 0.0)


def _per_unit(cells: _Cells, weights_cells: np.ndarray) -> np.ndarray:
    """Sum per-cell quantities (B x cells) into per-unit totals (B x units) with one bincount."""
    b = weights_cells.shape[0]
    key = (np.arange(b)[:, None] * cells.n_units + cells.unit[None, :]).ravel()
    return np.bincount(key, weights=weights_cells.ravel(), minlength=b * cells.n_units).reshape(b, cells.n_units)


def _interval_obs(cells: _Cells, x: np.ndarray) -> np.ndarray:
    """Per-unit ``sum_ck n_uc n_uk (x_c - x_k)**2 / (n_u - 1)`` for cell values x (B x cells or cells).

    Two passes (unit means, then squared deviations) keep it exact for agreeing units and stable for
    large values, where ``n S2 - S1**2`` would cancel.
    """
    x2 = np.atleast_2d(x)
    s1 = _per_unit(cells, x2 * cells.count)
    mean = s1 / cells.n_u
    dev = x2 - mean[:, cells.unit]
    ss = _per_unit(cells, dev * dev * cells.count)
    return 2 * cells.n_u * ss / (cells.n_u - 1)


def _pooled_counts(cells: _Cells, wc: np.ndarray) -> np.ndarray:
    """Pooled value counts n_c (B x V) from weighted cells (B x cells)."""
    b, v = wc.shape[0], len(cells.domain)
    key = (np.arange(b)[:, None] * v + cells.code[None, :]).ravel()
    return np.bincount(key, weights=wc.ravel(), minlength=b * v).reshape(b, v)


def _spread(n_c: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``sum_ck n_c n_k (x_c - x_k)**2 = 2 n sum_c n_c (x_c - mean)**2`` per row (x: V or B x V)."""
    n = n_c.sum(axis=1)
    safe = np.where(n > 0, n, 1)
    mean = (n_c * x).sum(axis=1) / safe
    dev = x - mean[:, None]
    return 2 * n * (n_c * dev * dev).sum(axis=1)


def _ratio_expected(n_c: np.ndarray, domain: np.ndarray) -> np.ndarray:
    out = np.zeros(n_c.shape[0])
    for s in range(0, len(domain), _BLOCK):
        d = _ratio_d(domain[s:s + _BLOCK, None], domain[None, :])      # block x V
        out += np.einsum("bc,ck,bk->b", n_c[:, s:s + _BLOCK], d, n_c)
    return out


def _alpha_weighted(cells: _Cells, w: np.ndarray) -> np.ndarray:
    """Alpha for each row of unit weights ``w`` (B x units): 1 for the point estimate, resampled counts
    for bootstrap replicates."""
    wc = w[:, cells.unit] * cells.count                  # B x cells
    n_c = _pooled_counts(cells, wc)
    n = n_c.sum(axis=1)
    if cells.level == "ordinal":
        ranks = np.cumsum(n_c, axis=1) - n_c / 2         # mid-ranks in the (weighted) pooled counts
        x = np.take_along_axis(ranks, np.broadcast_to(cells.code, wc.shape), axis=1)
        observed = (w * _interval_obs(cells, x)).sum(axis=1)
        expected = _spread(n_c, ranks)
    else:
        observed = w @ cells.obs_u
        if cells.level == "nominal":
            expected = n ** 2 - (n_c ** 2).sum(axis=1)
        elif cells.level == "interval":
            expected = _spread(n_c, cells.domain[None, :])
        else:
            expected = _ratio_expected(n_c, cells.domain)
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha = 1 - (n - 1) * observed / expected
    no_variation = (n_c > 0).sum(axis=1) < 2           # one value only: expected disagreement is 0
    return np.where(no_variation, np.nan, alpha)


def _bootstrap(cells: _Cells, n_boot: int, seed: int, confidence: float) -> tuple[float, float]:
    if n_boot <= 0 or cells.n_units < 2:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    probs = np.full(cells.n_units, 1.0 / cells.n_units)
    per_chunk = max(1, min(n_boot, _CELL_BUDGET // max(1, len(cells.unit), cells.n_units)))
    reps: list[np.ndarray] = []
    done = 0
    while done < n_boot:
        b = min(per_chunk, n_boot - done)
        w = rng.multinomial(cells.n_units, probs, size=b).astype(float)
        reps.append(_alpha_weighted(cells, w))
        done += b
    values = np.concatenate(reps)
    values = values[~np.isnan(values)]
    if values.size == 0:
        return float("nan"), float("nan")
    tail = (1 - confidence) / 2
    lo, hi = np.quantile(values, [tail, 1 - tail])
    return float(lo), float(hi)


def _result(cells: _Cells, n_boot: int, seed: int, confidence: float) -> AlphaResult:
    if cells.n_units == 0:
        return AlphaResult(float("nan"), cells.level, 0, 0)
    point = float(_alpha_weighted(cells, np.ones((1, cells.n_units)))[0])
    lo, hi = _bootstrap(cells, n_boot, seed, confidence) if not np.isnan(point) else (float("nan"),) * 2
    return AlphaResult(point, cells.level, cells.n_units, int(round(cells.count.sum())), lo, hi,
                       n_boot if not np.isnan(lo) else 0)


def krippendorff_alpha(data: Any, level: Level = "nominal", *, value_domain: Sequence[Any] | None = None) -> float:
    """Krippendorff's alpha for reliability data shaped coders x units (NaN or None = not coded).

    Numbers are used as given; strings and other labels are nominal unless an ordered ``value_domain``
    says how to rank them (ordinal). Returns NaN when no unit is coded twice or the values never vary.

    >>> krippendorff_alpha([[1, 2, 3, 3], [1, 2, 3, 4]], "interval")     # doctest: +ELLIPSIS
    0.88...
    """
    return alpha_with_ci(data, _check_level(level), value_domain=value_domain, n_boot=0).alpha


def alpha_with_ci(data: Any, level: Level = "nominal", *, value_domain: Sequence[Any] | None = None,
                  n_boot: int = 1000, seed: int = 0, confidence: float = 0.95) -> AlphaResult:
    """Alpha for coders x units data, with a percentile bootstrap interval over resampled units.

    Units (not single values) are resampled with replacement, ``n_boot`` times from ``seed``: the same
    input and seed always give the same interval. Replicates in which alpha is undefined (every drawn
    unit has the same single value) are left out of the percentiles.
    """
    return _result(_prepare_dense(data, _check_level(level), value_domain), n_boot, seed, confidence)


def alpha_from_counts(counts: Any, level: Level = "nominal", *, value_domain: Sequence[float] | None = None,
                      n_boot: int = 0, seed: int = 0, confidence: float = 0.95) -> AlphaResult:
    """Alpha from a units x values matrix of how many coders gave each value to each unit.

    ``value_domain`` gives the numeric value of each column (ordinal, interval, ratio), in increasing
    order; by default the columns are 0, 1, 2, ...
    """
    return _result(_prepare_counts(counts, _check_level(level), value_domain), n_boot, seed, confidence)
