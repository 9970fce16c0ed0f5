"""How fast the collection runs, as multiples of a floor measured in the same run.

The floor is one papermill run of a one-cell notebook that only imports the stack the
notebooks use (best of 3): what any notebook costs before it computes anything. Then, in
this order and on this machine's cores:

* a full cross-validation (leave one source out) of the throughput model, cold (no cache),
  and the ablation cold (``--ablation``, minutes),
* the full default report with an empty cache (cold: a fresh clone's first run),
* the same report again with the cache it left (warm), and each notebook's time in it,
* optionally ``make test`` (``--tests``; the suite as CI runs it, warm cache).

Every time is printed in seconds and as a multiple of the floor, beside the goals of the
performance issue (warm report <= 10x, cold <= 25x, slowest notebook warm <= 6x,
``make test`` <= 60x). Machines are noisy: compare ratios from one run, not seconds across runs.

Usage: python benchmarks/report_speed.py [--jobs N] [--ablation] [--tests]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.run import private_kernel  # noqa: E402

IMPORTS = ("import numpy, pandas, scipy, matplotlib.pyplot, seaborn, statsmodels.api\n"
           "from analysis import data, plotting, results")


def timed(command: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def floor_seconds(tmp: Path, env: dict) -> float:
    import nbformat

    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    nb.cells.append(nbformat.v4.new_code_cell(IMPORTS))
    path = tmp / "floor.ipynb"
    nbformat.write(nb, str(path))
    papermill = str(Path(sys.executable).parent / "papermill")
    return min(timed([papermill, str(path), str(tmp / "floor-out.ipynb"), "-k", "python3", "--no-progress-bar"], env)
               for _ in range(3))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--ablation", action="store_true", help="also time the ablation cold (minutes)")
    parser.add_argument("--tests", action="store_true", help="also time make test (warm cache)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, private_kernel():
        tmp = Path(tmp)
        env = {**os.environ, "ANALYSIS_CACHE_DIR": str(tmp / "cache")}
        floor = floor_seconds(tmp, env)
        rows.append(("floor: papermill run of an import-only notebook (best of 3)", floor, None))

        fit = ("from analysis import data, throughput_cv as cv; rows = cv.prepare(data.load_throughput_measurements()); "
               "cv.cross_validate(rows)" + ("; cv.ablation(rows)" if args.ablation else ""))
        loso = timed([sys.executable, "-c", fit], {**env, "ANALYSIS_CACHE_DIR": "off"})
        rows.append(("leave-one-source-out cross-validation, cold" + (" + ablation" if args.ablation else "")
                     + " (incl. ~2 s imports)", loso, None))

        runs = {}
        for label in ("cold", "warm"):
            out = tmp / f"report-{label}"
            seconds = timed([sys.executable, "-m", "analysis", "report", "--jobs", str(args.jobs), "--out", str(out)], env)
            goal = 25 if label == "cold" else 10
            rows.append((f"full default report, {label} cache", seconds, goal))
            runs[label] = json.loads((out / "run.json").read_text())["notebooks"]
        for run in runs["warm"]:
            rows.append((f"  {run['stem']} (warm)", run["seconds"], 6))
        if args.tests:
            seconds = timed(["make", "test", "ANALYSIS_NO_GIT_FILTER=1"], {**env, "ANALYSIS_NO_GIT_FILTER": "1"})
            rows.append(("make test (warm cache)", seconds, 60))
    print(f"cores: {os.cpu_count()}, report jobs: {args.jobs}")
    print(f"{'what':<72} {'seconds':>8} {'x floor':>8}  goal")
    for label, seconds, goal in rows:
        ratio = seconds / floor
        verdict = "" if goal is None else (f"<= {goal}x " + ("met" if ratio <= goal else "NOT met"))
        print(f"{label:<72} {seconds:8.1f} {ratio:8.1f}  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
