"""Sweeps: a grid of parameter sets run through one notebook, collected into ``sweep.csv``.

A grid YAML maps parameter names to a list of values (Cartesian product; ``[v]``
holds a parameter fixed; a bare scalar is an error, not a silent single value), or a range ``{low: .., high: .., n: .., log: false}`` for an int
or float parameter. All ranges of one grid are sampled together by a Latin hypercube
of ``n`` points (seeded by ``--seed``), crossed with the listed values.

Each run is keyed by a hash of the notebook name and its parameters and writes into
``runs/<key>/`` of the sweep folder; ``run.json`` there marks it complete. The sweep
folder is written in place (not staged), so ``--resume DIR`` can skip every run that
is complete there. ``sweep.csv`` gets one row appended as each run finishes and is
rewritten in grid order at the end.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import itertools
import json
import math
import os
import shutil
import sys
from dataclasses import asdict
from pathlib import Path

from analysis import paths
from analysis.params import ParameterError, check_value, declared_parameters, did_you_mean, read_yaml
from analysis.runner.backends import Job, execute
from analysis.runner.execution import DEFAULT_CELL_TIMEOUT_S, NotebookRun, private_kernel, select_notebooks
from analysis.runner.pages import META_COLUMNS, write_sweep_page
from analysis.runner.staging import timestamp, unique

MANIFEST = "sweep.json"
RUN_RECORD = "run.json"
RANGE_KEYS = {"low", "high", "n", "log"}


def run_key(stem: str, parameters: dict) -> str:
    """A stable 16-hex-digit key for one run: a hash of the notebook name and its parameters."""
    text = json.dumps({"notebook": stem, "parameters": parameters}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _is_range(value, kind: str) -> bool:
    return isinstance(value, dict) and kind in ("int", "float") and bool(set(value) & {"low", "high", "n"})


def _check_range(name: str, spec: dict, kind: str) -> tuple[float, float, int, bool]:
    unknown = set(spec) - RANGE_KEYS
    missing = {"low", "high", "n"} - set(spec)
    if unknown or missing:
        raise ParameterError(f"grid: {name}: a range takes low, high, n and optionally log"
                             + (f" (unknown: {', '.join(sorted(unknown))})" if unknown else "")
                             + (f" (missing: {', '.join(sorted(missing))})" if missing else ""))
    low, high, n, log = spec["low"], spec["high"], spec["n"], spec.get("log", False)
    for label, v in (("low", low), ("high", high)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ParameterError(f"grid: {name}: {label} must be a number, got {v!r}")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ParameterError(f"grid: {name}: n must be a whole number of at least 1, got {n!r}")
    if not isinstance(log, bool):
        raise ParameterError(f"grid: {name}: log must be true or false, got {log!r}")
    if not low <= high:
        raise ParameterError(f"grid: {name}: low {low} is above high {high}")
    if log and low <= 0:
        raise ParameterError(f"grid: {name}: a log range needs low > 0, got {low}")
    return float(low), float(high), n, log


def latin_hypercube(ranges: dict[str, tuple[float, float, bool, str]], n: int, seed: int) -> list[dict]:
    """``n`` points of a Latin hypercube over ``{name: (low, high, log, kind)}``.

    Each range is cut into ``n`` equal strata (in log space when ``log``); every
    stratum of every range holds exactly one point, at a uniform position inside it,
    and the strata are paired across ranges by independent random permutations.
    Floats are rounded to 6 significant digits, ints to the nearest integer.

    Parameters
    ----------
    ranges : dict
        ``{name: (low, high, log, kind)}`` with ``kind`` ``"int"`` or ``"float"``.
    n : int
        Number of points.
    seed : int
        Seed of the random generator; the same seed gives the same points.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    points: list[dict] = [{} for _ in range(n)]
    for name, (low, high, log, kind) in ranges.items():
        u = (rng.permutation(n) + rng.random(n)) / n
        if log:
            values = np.exp(np.log(low) + u * (np.log(high) - np.log(low)))
        else:
            values = low + u * (high - low)
        for point, value in zip(points, values):
            point[name] = int(round(float(value))) if kind == "int" else float(f"{float(value):.6g}")
    return points


def expand_grid(grid: dict, declared: dict[str, dict], seed: int = 0) -> list[dict]:
    """Parameter sets of a sweep grid, each value checked against the declared types.

    Each grid entry is a list of candidate values (Cartesian product; a one-item list
    holds the parameter fixed, a bare scalar is an error), or for an int or float parameter a range
    ``{low, high, n, log}``; all ranges share ``n`` and are sampled together by
    :func:`latin_hypercube`. For a list-typed parameter the entry must be a list of lists.

    Parameters
    ----------
    grid : dict
        The grid YAML, parsed.
    declared : dict
        The notebook's declared parameters.
    seed : int
        Latin hypercube seed.

    Returns
    -------
    list of dict
        One parameter mapping per run, duplicates removed (first kept).
    """
    axes, ranges, sizes = [], {}, {}
    for name, values in grid.items():
        if name not in declared:
            known = sorted(set(declared) - {"output_dir"})
            raise ParameterError(f"grid: unknown parameter {name!r}{did_you_mean(name, known)} "
                                 f"(known: {', '.join(known)})")
        declared_type = declared[name]["type"]
        kind = declared_type.split("[")[0].lower()
        if _is_range(values, kind):
            low, high, n, log = _check_range(name, values, kind)
            ranges[name] = (low, high, log, kind)
            sizes[name] = n
            continue
        if not isinstance(values, list):
            if kind == "list":
                raise ParameterError(f"grid: {name} is a list parameter; give a list of lists")
            if isinstance(values, dict):
                raise ParameterError(f"grid: {name}: expected a list of values; a range {{low, high, n}} is for int "
                                     f"and float parameters, and {name} is a {declared_type}")
            shown = values
            raise ParameterError(f"grid: {name}: expected a list of values, got the single value {shown!r} "
                                 f"(write {name}: [{shown}] to hold it fixed"
                                 + (", or a range {low, high, n}" if kind in ("int", "float") else "") + ")")
        if not values:
            raise ParameterError(f"grid: {name} has no values")
        axes.append([(name, check_value(name, v, declared_type)) for v in values])
    if len(set(sizes.values())) > 1:
        listed = ", ".join(f"{k} n={v}" for k, v in sizes.items())
        raise ParameterError(f"grid: every range of one grid is sampled together and needs the same n ({listed})")
    samples = [{}]
    if ranges:
        n = next(iter(sizes.values()))
        samples = latin_hypercube(ranges, n, seed)
        for point in samples:
            for name, value in point.items():
                point[name] = check_value(name, value, declared[name]["type"])
    out, seen = [], set()
    for combo in itertools.product(*axes):
        for point in samples:
            params = {**dict(combo), **point}
            marker = json.dumps(params, sort_keys=True)
            if marker not in seen:
                seen.add(marker)
                out.append(params)
    return out


def _flat(value):
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return value


def csv_row(index: int, run: NotebookRun) -> dict:
    """The ``sweep.csv`` row of one run: run index and key, outcome, ``param.*`` and scalar results."""
    row = {"run": index, "key": run.key, "ok": run.ok, "error": run.error or "", "attempts": run.attempts}
    row.update({f"param.{k}": _flat(v) for k, v in run.parameters.items()})
    row.update({k: _flat(v) for k, v in run.results.items()})
    return row


class SweepTable:
    """``sweep.csv``, appended one row at a time; rewritten whole when a new column appears."""

    def __init__(self, path: Path, rows: list[dict]):
        self.path = path
        self.rows: list[dict] = []
        self.columns: list[str] = list(META_COLUMNS)
        for row in rows:
            self._add_columns(row)
            self.rows.append(row)
        self.rewrite()

    def _add_columns(self, row: dict) -> bool:
        new = [c for c in row if c not in self.columns]
        self.columns.extend(new)
        return bool(new)

    def rewrite(self, order: dict | None = None) -> None:
        """Write every row (sorted by ``order[key]`` when given) to a temporary file, then replace."""
        rows = sorted(self.rows, key=lambda r: order.get(r["key"], 0)) if order else self.rows
        tmp = self.path.with_suffix(".csv.tmp")
        with tmp.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=self.columns, restval="")
            writer.writeheader()
            writer.writerows(rows)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)

    def append(self, row: dict) -> None:
        """Add one row; on disk before this returns."""
        self.rows.append(row)
        if self._add_columns(row):
            self.rewrite()
            return
        with self.path.open("a", newline="") as handle:
            csv.DictWriter(handle, fieldnames=self.columns, restval="").writerow(row)
            handle.flush()
            os.fsync(handle.fileno())


def _lock(folder: Path):
    handle = (folder / ".lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise ParameterError(f"{folder}: another sweep is running in this folder") from None
    return handle


def completed_run(folder: Path) -> NotebookRun | None:
    """The recorded outcome of a finished successful run in ``folder``, else None."""
    try:
        record = json.loads((folder / RUN_RECORD).read_text())
        run = NotebookRun(**record)
    except (OSError, ValueError, TypeError):
        return None
    return run if run.ok else None


def _sweep_folder(stem: str, out: str | None, resume: str | None) -> Path:
    if resume:
        folder = Path(resume).expanduser().resolve()
        manifest = folder / MANIFEST
        if not manifest.is_file():
            raise ParameterError(f"--resume {resume}: not a sweep folder (no {MANIFEST})")
        try:
            previous = json.loads(manifest.read_text())["notebook"]
        except (OSError, ValueError, KeyError):
            raise ParameterError(f"--resume {resume}: {MANIFEST} is unreadable") from None
        if previous != stem:
            raise ParameterError(f"--resume {resume}: that sweep ran {previous}, not {stem}")
        return folder
    if out is None:
        sweeps = paths.reports_dir() / "sweeps"
        sweeps.mkdir(parents=True, exist_ok=True)
        return unique(sweeps, f"{stem}-{timestamp()}")
    folder = Path(out).expanduser().resolve()
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ParameterError(f"--out {out}: folder exists and is not empty (use --resume {out} to continue a sweep)")
    return folder


def sweep(name: str, grid_file: str, jobs: int, out: str | None, timeout: int = DEFAULT_CELL_TIMEOUT_S,
          resume: str | None = None, seed: int = 0, engine: str = "warm", scheduler: str | None = None) -> int:
    """Run a parameter grid through one notebook and write ``sweep.csv`` (and ``sweep.html``).

    Parameters
    ----------
    name : str
        Notebook stem.
    grid_file : str
        Grid YAML (see the module docstring).
    jobs : int
        Parallel runs (local pool size, or workers of a local Dask cluster).
    out : str, optional
        Sweep folder; default ``reports/sweeps/<stem>-<timestamp>``.
    timeout : int
        Per-cell timeout in seconds.
    resume : str, optional
        An earlier sweep folder of the same notebook: runs complete there are skipped.
    seed : int
        Latin hypercube seed for range entries.
    engine : {"warm", "papermill"}
        Execution engine of each run.
    scheduler : str, optional
        Dask scheduler (``local``, ``local:N`` or an address); None for the local pool.

    Returns
    -------
    int
        Exit code: 0 all runs succeeded, 1 at least one failed.
    """
    from analysis.data import validate_all

    stem, notebook = next(iter(select_notebooks([name]).items()))
    declared = declared_parameters(notebook)
    grid = expand_grid(read_yaml(grid_file), declared, seed)
    if not grid:
        raise ParameterError(f"{grid_file}: the grid is empty")
    validate_all()
    folder = _sweep_folder(stem, out, resume)
    folder.mkdir(parents=True, exist_ok=True)
    lock = _lock(folder)
    try:
        return _run_sweep(stem, notebook, grid, folder, grid_file, seed, jobs, timeout, engine, scheduler)
    except KeyboardInterrupt:
        print(f"interrupted: finished runs are recorded in {folder}; continue with --resume {folder}",
              file=sys.stderr)
        raise
    finally:
        lock.close()


def _run_sweep(stem, notebook, grid, folder, grid_file, seed, jobs, timeout, engine, scheduler) -> int:
    keys = [run_key(stem, params) for params in grid]
    index = {key: i for i, key in enumerate(keys)}
    runs_dir = folder / "runs"
    runs_dir.mkdir(exist_ok=True)
    manifest = {"notebook": stem, "grid_file": str(Path(grid_file).resolve()), "seed": seed, "runs": len(grid),
                "keys": keys, "engine": engine, "scheduler": scheduler, "updated_utc": timestamp()}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    done: dict[str, NotebookRun] = {}
    for key in keys:
        run = completed_run(runs_dir / key)
        if run is not None:
            run.folder = str(runs_dir / key)
            done[key] = run
    table = SweepTable(folder / "sweep.csv", [csv_row(index[k], done[k]) for k in keys if k in done])
    pending = []
    for key, params in zip(keys, grid):
        if key not in done:
            shutil.rmtree(runs_dir / key, ignore_errors=True)    # an unfinished or failed earlier attempt
            pending.append(Job(key, notebook, runs_dir / key, params))
    if done:
        print(f"resume: {len(done)} of {len(grid)} runs already complete in {folder}; running {len(pending)}")

    def record(run: NotebookRun) -> None:
        entry = {**asdict(run), "folder": Path(os.path.relpath(run.folder, folder)).as_posix()}   # runs/<key>
        (Path(run.folder) / RUN_RECORD).write_text(json.dumps(entry, indent=2) + "\n")
        table.append(csv_row(index[run.key], run))

    runs: list[NotebookRun] = []
    if pending:
        with private_kernel():
            runs = execute(pending, jobs, timeout, html=False, label=f"sweep {stem}", engine=engine,
                           scheduler=scheduler, on_done=record)
    table.rewrite(order=index)
    by_key = {r.key: r for r in runs}
    every = [done.get(k) or by_key[k] for k in keys]

    write_sweep_page(folder, stem, every, table.path)
    failed = [r for r in runs if not r.ok]
    for run in failed:
        print(run.failure_line(), file=sys.stderr)
    retried = [r for r in runs if r.ok and r.attempts > 1]
    for run in retried:
        print(f"retried {run.name}: ran {run.attempts} times because a worker was lost; the last attempt succeeded",
              file=sys.stderr)
    print(f"sweep: {len(grid)} runs ({len(done)} resumed, {len(runs)} executed), {len(failed)} failed "
          f"-> {folder / 'sweep.csv'} and sweep.html")
    return 1 if failed else 0
