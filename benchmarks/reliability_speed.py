"""Benchmark: closed-form Krippendorff's alpha against the `krippendorff` package (coincidence matrix).

    .venv/bin/python benchmarks/reliability_speed.py [--units 1000000] [--oracle-limit 10]

Times incidentkit's alpha on 1,000,000 units x 3 coders (nominal: ten event-type-like labels; interval:
log(1 + fatalities), thousands of distinct values; ordinal: precision codes 1-3), then grows the input
for the oracle (doubling the units, up to the same 1,000,000) until one call takes longer than --oracle-limit seconds or its
N x V x V coincidence arrays would not fit in memory, and reports throughput (units per second) of both
on the oracle's largest input, measured in the same run. Both results are checked to agree to 1e-9.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np

from incidentkit.reliability.alpha import krippendorff_alpha

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import machine, self_peak_mb  # noqa: E402

MEMORY_CAP_BYTES = 6e9


def make_data(kind: str, units: int, coders: int = 3, seed: int = 0) -> np.ndarray:
    """Reliability data shaped like incidentkit's fields: mostly agreeing coders, 10 % missing."""
    rng = np.random.default_rng(seed)
    if kind == "nominal":
        truth = rng.integers(0, 10, units).astype(float)
        noise = rng.integers(0, 10, (coders, units)).astype(float)
    elif kind == "ordinal":
        truth = rng.integers(1, 4, units).astype(float)
        noise = rng.integers(1, 4, (coders, units)).astype(float)
    else:
        truth = rng.gamma(0.6, 40.0, units).round()
        noise = np.maximum(0, truth + rng.integers(-5, 6, (coders, units)))
    data = np.where(rng.random((coders, units)) < 0.8, truth, noise)
    if kind == "interval":
        data = np.log1p(data)
    data[rng.random((coders, units)) < 0.1] = np.nan
    return data


def best_time(fn: Callable[[], float], repeat: int = 3) -> tuple[float, float]:
    times, value = [], float("nan")
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return min(times), value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--oracle-limit", type=float, default=10.0, help="seconds per oracle call")
    args = parser.parse_args()
    import krippendorff

    print(machine())
    print(f"incidentkit alpha, {args.units:,} units x 3 coders (best of 3):")
    for kind in ("nominal", "ordinal", "interval"):
        data = make_data(kind, args.units)
        distinct = len(np.unique(data[~np.isnan(data)]))
        seconds, value = best_time(lambda: krippendorff_alpha(data, kind))  # type: ignore[arg-type]
        print(f"  {kind:<9} {distinct:>6} distinct values  {seconds:7.3f} s  alpha={value:.6f}")

    print(f"\nkrippendorff {krippendorff.__version__ if hasattr(krippendorff, '__version__') else ''} "
          f"(oracle), units doubled until a call takes > {args.oracle_limit:g} s:")
    for kind in ("nominal", "interval"):
        sizes = [n for n in (1_000 * 2 ** k for k in range(30)) if n < args.units] + [args.units]
        last = None
        for units in sizes:
            data = make_data(kind, units)
            distinct = len(np.unique(data[~np.isnan(data)]))
            if units * distinct ** 2 * 8 * 3 > MEMORY_CAP_BYTES:
                print(f"  {kind:<9} {units:>9,} units: {distinct} distinct values, N x V x V arrays exceed "
                      f"{MEMORY_CAP_BYTES / 1e9:.0f} GB; stopped")
                break
            t0 = time.perf_counter()
            expected = float(krippendorff.alpha(reliability_data=data, level_of_measurement=kind))
            oracle_s = time.perf_counter() - t0
            ours_s, ours = best_time(lambda: krippendorff_alpha(data, kind))  # type: ignore[arg-type]
            assert abs(ours - expected) <= 1e-9, (kind, units, ours, expected)
            last = (units, distinct, oracle_s, ours_s)
            print(f"  {kind:<9} {units:>9,} units {distinct:>6} values  oracle {oracle_s:8.3f} s  "
                  f"incidentkit {ours_s:7.4f} s")
            if oracle_s > args.oracle_limit:
                break
        if last:
            units, distinct, oracle_s, ours_s = last
            print(f"  -> {kind}: on the oracle's largest input ({units:,} units) incidentkit is "
                  f"{oracle_s / ours_s:,.0f}x faster ({units / ours_s:,.0f} vs {units / oracle_s:,.0f} units/s)")

    print(f"\npeak memory (this process, which starts no others; the oracle's arrays included): "
          f"{self_peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()
