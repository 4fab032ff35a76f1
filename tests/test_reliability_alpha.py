"""Closed-form Krippendorff's alpha against the `krippendorff` package (GPL, test-only oracle)."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from incidentkit.reliability.alpha import (_alpha_weighted, _prepare_dense, alpha_from_counts, alpha_with_ci,
                                           krippendorff_alpha)

krippendorff = pytest.importorskip("krippendorff")

LEVELS = ["nominal", "ordinal", "interval", "ratio"]


def _random_data(rng: np.random.Generator, coders: int, units: int, values: int, missing: float,
                 agreement: float = 0.7) -> np.ndarray:
    """Coders x units with a shared 'true' value per unit, coder noise and missing cells."""
    truth = rng.integers(0, values, size=units)
    data = np.where(rng.random((coders, units)) < agreement, truth, rng.integers(0, values, size=(coders, units)))
    data = data.astype(float) * 1.5 + 0.25          # non-integer values, not starting at 0
    data[rng.random((coders, units)) < missing] = np.nan
    return data


def _oracle(data: np.ndarray, level: str) -> float:
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement=level))


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("coders,units,values,missing", [
    (2, 10, 3, 0.0), (2, 200, 5, 0.2), (3, 150, 8, 0.3), (5, 80, 12, 0.4), (4, 400, 40, 0.25), (2, 50, 2, 0.5),
])
def test_alpha_matches_oracle_on_random_data_with_missing_values(level, coders, units, values, missing):
    rng = np.random.default_rng(zlib.crc32(f"{level}-{coders}-{units}-{values}".encode()))
    for _ in range(5):
        data = _random_data(rng, coders, units, values, missing)
        expected = _oracle(data, level)
        assert krippendorff_alpha(data, level) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("level", LEVELS)
def test_count_form_matches_oracle(level):
    rng = np.random.default_rng(7)
    data = _random_data(rng, 4, 120, 6, 0.3)
    domain = np.unique(data[~np.isnan(data)])
    counts = (data.T[:, :, None] == domain[None, None, :]).sum(axis=1)
    expected = float(krippendorff.alpha(value_counts=counts, value_domain=domain, level_of_measurement=level))
    assert alpha_from_counts(counts, level, value_domain=domain).alpha == pytest.approx(expected, abs=1e-9)
    assert alpha_from_counts(counts, level, value_domain=domain).alpha == pytest.approx(
        krippendorff_alpha(data, level), abs=1e-12)


def test_continuous_values_interval_and_ordinal_match_oracle():
    """Many distinct values (fatalities on log1p): the case where a coincidence matrix grows as V**2."""
    rng = np.random.default_rng(3)
    truth = rng.gamma(1.0, 30.0, size=300).round()
    data = np.log1p(np.vstack([truth, np.maximum(0, truth + rng.integers(-3, 4, 300)), truth * 1.1]))
    data[rng.random(data.shape) < 0.2] = np.nan
    for level in ("interval", "ordinal", "ratio"):
        assert krippendorff_alpha(data, level) == pytest.approx(_oracle(data, level), abs=1e-9)


def test_string_labels_nominal_and_ordered_domain():
    labels = np.array([["Battles", "Riots", None, "Protests", "Battles"],
                       ["Battles", "Protests", "Riots", "Protests", None],
                       [None, "Riots", "Riots", "Protests", "Riots"]], dtype=object)
    as_text = np.where(labels == None, "nan", labels).astype(str)  # noqa: E711 - the oracle's missing marker
    assert krippendorff_alpha(labels, "nominal") == pytest.approx(
        float(krippendorff.alpha(reliability_data=as_text, level_of_measurement="nominal")), abs=1e-9)
    order = ["Protests", "Riots", "Battles"]
    assert krippendorff_alpha(labels, "ordinal", value_domain=order) == pytest.approx(
        float(krippendorff.alpha(reliability_data=as_text, level_of_measurement="ordinal", value_domain=order)),
        abs=1e-9)
    with pytest.raises(ValueError, match="value_domain"):
        krippendorff_alpha(labels, "ordinal")
    with pytest.raises(ValueError, match="not in value_domain"):
        krippendorff_alpha(labels, "ordinal", value_domain=["Protests", "Riots"])


def test_perfect_agreement_is_one_and_no_variation_or_no_pairs_is_nan():
    assert krippendorff_alpha([[1, 2, 3], [1, 2, 3]], "nominal") == 1.0
    assert np.isnan(krippendorff_alpha([[2, 2, 2], [2, 2, np.nan]], "interval"))     # one value only
    assert np.isnan(krippendorff_alpha([[1, np.nan], [np.nan, 2]], "nominal"))        # no unit coded twice
    with pytest.raises(ValueError, match="level"):
        krippendorff_alpha([[1, 2], [1, 2]], "cardinal")  # type: ignore[arg-type]


def test_weighted_alpha_equals_alpha_of_units_repeated():
    """A bootstrap replicate is the same computation with unit weights: check that against the oracle on
    data whose units are physically repeated by those weights."""
    rng = np.random.default_rng(11)
    data = _random_data(rng, 3, 60, 5, 0.2)
    for level in LEVELS:
        cells = _prepare_dense(data, level, None)
        keep = (~np.isnan(data)).sum(axis=0) >= 2
        pairable = data[:, keep]
        weights = rng.multinomial(cells.n_units, np.full(cells.n_units, 1 / cells.n_units), size=3)
        got = _alpha_weighted(cells, weights.astype(float))
        for w, a in zip(weights, got):
            repeated = np.repeat(pairable, w, axis=1)
            assert a == pytest.approx(_oracle(repeated, level), abs=1e-9)


def test_bootstrap_is_seeded_and_brackets_the_estimate():
    rng = np.random.default_rng(5)
    data = _random_data(rng, 3, 200, 4, 0.2)
    a = alpha_with_ci(data, "nominal", n_boot=500, seed=42)
    b = alpha_with_ci(data, "nominal", n_boot=500, seed=42)
    c = alpha_with_ci(data, "nominal", n_boot=500, seed=43)
    assert a == b
    assert (a.ci_low, a.ci_high) != (c.ci_low, c.ci_high)
    assert a.ci_low < a.alpha < a.ci_high
    assert a.alpha == pytest.approx(_oracle(data, "nominal"), abs=1e-9)
    narrow = alpha_with_ci(data, "nominal", n_boot=500, seed=42, confidence=0.5)
    assert a.ci_low <= narrow.ci_low <= narrow.ci_high <= a.ci_high


def test_none_marks_a_missing_value_in_numeric_data():
    with_none = [[1, 2, 3, None], [1, 2, 2, 3], [1, 3, 3, 3]]
    with_nan = [[1, 2, 3, float("nan")], [1, 2, 2, 3], [1, 3, 3, 3]]
    for level in ("ordinal", "interval", "nominal"):
        assert krippendorff_alpha(with_none, level) == krippendorff_alpha(with_nan, level)
