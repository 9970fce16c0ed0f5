"""Time the full report through the runner against the plain papermill CLI, side by side.

Both run the same notebooks on the same default parameters in this one process's
session: first the runner (`python -m analysis report --jobs N`, parallel processes,
HTML rendering included), then each notebook one after another with `papermill IN OUT`
(no HTML). Rounds alternate to spread machine noise; the ratio of medians is printed.

Usage: python benchmarks/report_speed.py [--rounds 3] [--jobs N]
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
sys.path.insert(0, str(ROOT))

from analysis.run import discover_notebooks, private_kernel  # noqa: E402


def timed(command: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    notebooks = discover_notebooks()
    papermill_cli = str(Path(sys.executable).parent / "papermill")
    with tempfile.TemporaryDirectory() as tmp, private_kernel():   # same interpreter for the plain CLI's kernels
        tmp = Path(tmp)
        env = {**os.environ}
        runner, plain = [], []
        for r in range(args.rounds):
            out = tmp / f"runner{r}"
            runner.append(timed([sys.executable, "-m", "analysis", "report", "--jobs", str(args.jobs),
                                 "--out", str(out)], env))
            total = 0.0
            for stem, path in notebooks.items():
                target = tmp / f"plain{r}" / stem
                target.mkdir(parents=True)
                total += timed([papermill_cli, str(path), str(target / f"{stem}.ipynb"), "-k", "python3",
                                "-p", "output_dir", str(target), "--no-progress-bar"], env)
            plain.append(total)
            print(f"round {r + 1}: runner {runner[-1]:6.1f} s   plain papermill, sequential {plain[-1]:6.1f} s")
    ratio = statistics.median(plain) / statistics.median(runner)
    print(f"notebooks: {len(notebooks)}, jobs: {args.jobs}, cores: {os.cpu_count()}")
    print(f"median runner {statistics.median(runner):.1f} s, median plain {statistics.median(plain):.1f} s, "
          f"speed-up {ratio:.2f}x (target >= 1.6x on 2 cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
