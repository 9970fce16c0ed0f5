"""100,000 Monte Carlo draws of the cost floor: one vectorized evaluation against a plain Python loop.

Both evaluate analysis.capex.cost_floor_usd_per_mtok on the same seeded draws (server cost,
depreciation life, utilization, PUE, electricity price, throughput); the loop calls it once
per draw with Python floats. Rounds alternate; the ratio of medians is printed.

Usage: python benchmarks/capex_speed.py [--draws 100000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis import capex as cx  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    spec = {"server_cost_usd": cx.Uncertain(50_000, 75_000, 62_500), "depreciation_years": cx.Uncertain(4, 6, 5),
            "tokens_per_s_per_accelerator": cx.Uncertain(3_000, 7_000, 5_000), "utilization": cx.Uncertain(.3, .8, .6),
            "it_kw_per_accelerator": 1.5, "pue": cx.Uncertain(1.1, 1.58, 1.3),
            "electricity_usd_per_kwh": cx.Uncertain(0.04, 0.12, 0.08), "compute_share": cx.Uncertain(.5, .7, .6)}
    draws = cx.draw(np.random.default_rng(7), spec, args.draws)

    def vectorized():
        return cx.cost_floor_usd_per_mtok(**draws)

    columns = list(draws)
    rows = list(zip(*(draws[c].tolist() for c in columns)))

    def loop():
        return [float(cx.cost_floor_usd_per_mtok(**dict(zip(columns, row)))) for row in rows]

    fast, slow = [], []
    for r in range(args.rounds):
        t0 = time.perf_counter()
        a = vectorized()
        fast.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        b = loop()
        slow.append(time.perf_counter() - t0)
        assert np.allclose(a, b), "the two paths disagree"
        print(f"round {r + 1}: vectorized {fast[-1] * 1e3:8.2f} ms   loop {slow[-1]:6.2f} s")
    print(f"{args.draws:,} draws: vectorized {statistics.median(fast) * 1e3:.2f} ms, Python loop "
          f"{statistics.median(slow):.2f} s -> {statistics.median(slow) / statistics.median(fast):.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
