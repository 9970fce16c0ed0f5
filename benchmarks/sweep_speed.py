"""Time a 32-run sweep of the edge-vs-cloud notebook, warm kernels against one papermill kernel per run.

Both runs use the same grid (4 regions x 8 monthly token volumes) through
``python -m analysis sweep`` with the same ``--jobs`` on this machine; only
``--engine`` differs. The ratio (papermill time / warm time) is printed; the goal is
at least 3x.

Usage: python benchmarks/sweep_speed.py [--jobs N] [--rounds 1]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRID = ("region: [algeria, north-america, europe, morocco]\n"
        "tokens_per_month: [1e7, 3e7, 1e8, 3e8, 1e9, 3e9, 1e10, 3e10]\n")


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    times: dict[str, list[float]] = {"papermill": [], "warm": []}
    with tempfile.TemporaryDirectory() as tmp:
        grid = Path(tmp) / "grid.yaml"
        grid.write_text(GRID)
        for r in range(args.rounds):
            for engine in ("papermill", "warm"):
                out = Path(tmp) / f"{engine}{r}"
                times[engine].append(timed([sys.executable, "-m", "analysis", "sweep", "05_edge_vs_cloud",
                                            "--grid", str(grid), "--out", str(out), "--jobs", str(args.jobs),
                                            "--engine", engine]))
                print(f"round {r + 1}: {engine:9} {times[engine][-1]:6.1f} s for 32 runs")
    papermill, warm = statistics.median(times["papermill"]), statistics.median(times["warm"])
    print(f"runs: 32, jobs: {args.jobs}, cores: {os.cpu_count()}")
    print(f"median papermill {papermill:.1f} s, median warm {warm:.1f} s, speed-up {papermill / warm:.2f}x "
          f"(goal >= 3x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
