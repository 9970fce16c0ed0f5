"""The report runner: ``python -m analysis report|sweep|lab|checksums``.

Notebooks are executed by papermill, one process per notebook, on the interpreter
that runs this module (a private ``python3`` kernelspec pointing at
``sys.executable`` is put first on ``JUPYTER_PATH``, so a user's own ``python3``
kernel never takes over). A run is built in a hidden temporary folder and moved
into place at the end; ``reports/latest`` moves only when every notebook succeeded.

Exit codes: 0 success, 1 a notebook failed, 2 bad input (parameters, notebook
names, YAML, data), 130 interrupted.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from analysis import paths
from analysis.params import ParameterError, declared_parameters, read_yaml, resolve, check_value

DEFAULT_CELL_TIMEOUT_S = 600
LATEST = "latest"


@dataclass
class NotebookRun:
    """Outcome of executing one notebook."""

    stem: str
    ok: bool
    seconds: float
    parameters: dict = field(default_factory=dict)
    error: str | None = None
    cell: int | None = None
    folder: str = ""
    results: dict = field(default_factory=dict)
    figures: list = field(default_factory=list)

    def failure_line(self) -> str:
        where = f"cell {self.cell}" if self.cell is not None else "before any cell ran"
        return f"FAILED {self.stem}: {where}: {self.error} (executed notebook kept: {self.folder}/{self.stem}.ipynb)"


# --------------------------------------------------------------------------------------
# Notebooks and kernels
# --------------------------------------------------------------------------------------

def discover_notebooks() -> dict[str, Path]:
    """``{stem: path}`` for every ``*.ipynb`` in the notebooks folder, in name order."""
    folder = paths.notebooks_dir()
    return {p.stem: p for p in sorted(folder.glob("*.ipynb"))}


def select_notebooks(names: list[str]) -> dict[str, Path]:
    """The notebooks named (all when none), or a :class:`ParameterError` naming the unknown one."""
    available = discover_notebooks()
    if not available:
        raise ParameterError(f"no notebooks found in {paths.notebooks_dir()}")
    if not names:
        return available
    chosen = {}
    for name in names:
        stem = Path(name).stem if name.endswith(".ipynb") else name
        if stem not in available:
            raise ParameterError(f"unknown notebook {name!r} (available: {', '.join(available)})")
        chosen[stem] = available[stem]
    return chosen


def install_private_kernel(folder: Path) -> Path:
    """Write a ``python3`` kernelspec for this interpreter under ``folder/kernels`` and put it first on JUPYTER_PATH.

    The change to ``JUPYTER_PATH`` lasts for this process (and the processes it starts);
    :func:`private_kernel` undoes it.
    """
    spec = folder / "kernels" / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                 "--IPKernelApp.log_level=CRITICAL"],
        "display_name": "Python 3 (analysis)", "language": "python", "metadata": {"debugger": True},
    }))
    previous = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(folder) + (os.pathsep + previous if previous else "")
    return spec


@contextmanager
def private_kernel():
    """A temporary private ``python3`` kernelspec for the duration of the block (environment restored after)."""
    previous = os.environ.get("JUPYTER_PATH")
    home = Path(tempfile.mkdtemp(prefix="analysis-kernel-"))
    try:
        install_private_kernel(home)
        yield home
    finally:
        if previous is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = previous
        shutil.rmtree(home, ignore_errors=True)


@contextmanager
def _staged(build: Path, final: Path):
    """Run the block with a private kernel; move ``build`` to ``final`` on success, delete it on any failure."""
    try:
        with private_kernel():
            yield
        _finish(build, final)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise


def _is_startup_collision(exc: BaseException) -> bool:
    text = f"{type(exc).__name__}: {exc}"
    return any(s in text for s in ("ZMQError", "Address already in use", "Kernel didn't respond", "DeadKernelError"))


def _figure_list(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in (folder / "figures").glob("*.png"))


def run_notebook(notebook: Path, folder: Path, parameters: dict, timeout: int = DEFAULT_CELL_TIMEOUT_S,
                 html: bool = True) -> NotebookRun:
    """Execute one notebook into ``folder`` and render its HTML.

    Parameters
    ----------
    notebook : pathlib.Path
        The source notebook.
    folder : pathlib.Path
        Output folder; receives ``<stem>.ipynb``, ``<stem>.html``, ``results.json``
        and ``figures/``. Passed to the notebook as ``output_dir``.
    parameters : dict
        Checked parameter values (JSON-safe).
    timeout : int
        Per-cell execution timeout in seconds.
    html : bool
        Whether to render ``<stem>.html`` (code hidden).

    Returns
    -------
    NotebookRun
        Never raises for a failing notebook; the failure is recorded instead.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    stem = notebook.stem
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "figures").mkdir(exist_ok=True)
    executed = folder / f"{stem}.ipynb"
    started = time.perf_counter()
    error, cell = None, None
    for attempt in (1, 2):
        try:
            papermill.execute_notebook(
                str(notebook), str(executed), parameters={**parameters, "output_dir": str(folder)},
                kernel_name="python3", cwd=str(notebook.parent), progress_bar=False, log_output=False,
                execution_timeout=timeout, start_timeout=120, request_save_on_cell_execute=False,
            )
            error = None
            break
        except PapermillExecutionError as exc:
            error, cell = f"{exc.ename}: {exc.evalue}".strip(), exc.cell_index
            break
        except Exception as exc:  # kernel start-up, timeouts, dead kernels
            error = f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
            if attempt == 1 and _is_startup_collision(exc) and not executed.exists():
                time.sleep(1.0)
                continue
            break
    if html and executed.exists():
        try:
            render_html(executed, folder / f"{stem}.html")
        except Exception as exc:  # a broken render must not hide the run's own outcome
            error = error or f"HTML rendering failed: {type(exc).__name__}: {exc}"
    from analysis.results import load_results

    try:
        results = load_results(folder)
    except (OSError, ValueError) as exc:
        results, error = {}, error or f"results.json unreadable: {exc}"
    return NotebookRun(stem=stem, ok=error is None, seconds=round(time.perf_counter() - started, 2),
                       parameters=parameters, error=error, cell=cell, folder=str(folder), results=results,
                       figures=_figure_list(folder))


def render_html(executed: Path, target: Path) -> None:
    """Render an executed notebook to standalone HTML with code cells hidden."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(exclude_input=True, exclude_output_prompt=True, exclude_input_prompt=True)
    body, _ = exporter.from_notebook_node(nbformat.read(str(executed), as_version=4))
    target.write_text(body, encoding="utf-8")


def _execute_all(jobs: list[tuple[str, Path, Path, dict]], workers: int, timeout: int, html: bool,
                 label: str) -> list[NotebookRun]:
    """Run ``(key, notebook, folder, parameters)`` jobs in a process pool with one progress bar."""
    from tqdm.auto import tqdm

    runs: list[NotebookRun] = []
    workers = max(1, min(workers, len(jobs)))
    pool = ProcessPoolExecutor(max_workers=workers)
    try:
        futures = {pool.submit(run_notebook, nb, folder, params, timeout, html): key
                   for key, nb, folder, params in jobs}
        with tqdm(total=len(jobs), desc=label, unit="notebook", disable=not sys.stdout.isatty()) as bar:
            for future in as_completed(futures):
                run = future.result()
                runs.append(run)
                bar.set_postfix_str(f"{run.stem} {'ok' if run.ok else 'FAILED'}")
                bar.update()
    except BaseException:
        # kernels notice their worker's death (ipykernel's parent poller) and exit with it
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    order = {key: i for i, (key, *_rest) in enumerate(jobs)}
    return sorted(runs, key=lambda r: order.get(r.folder, 0))


# --------------------------------------------------------------------------------------
# Report and sweep
# --------------------------------------------------------------------------------------

def _timestamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _unique(parent: Path, name: str) -> Path:
    candidate, n = parent / name, 2
    while candidate.exists() or candidate.is_symlink():
        candidate, n = parent / f"{name}-{n}", n + 1
    return candidate


def _point_latest(reports: Path, run_folder: Path) -> None:
    link = reports / LATEST
    tmp = reports / f".{LATEST}.{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(run_folder.name, target_is_directory=True)
    os.replace(tmp, link)


def _prepare_destination(out: Path | None) -> tuple[Path, Path, bool]:
    """(final folder, temporary build folder, whether to move ``latest``)."""
    if out is None:
        reports = paths.reports_dir()
        reports.mkdir(parents=True, exist_ok=True)
        final = _unique(reports, _timestamp())
        update_latest = True
    else:
        final = Path(out).expanduser().resolve()
        if final.exists() and (not final.is_dir() or any(final.iterdir())):
            raise ParameterError(f"--out {out}: folder exists and is not empty")
        final.parent.mkdir(parents=True, exist_ok=True)
        update_latest = False
    build = Path(tempfile.mkdtemp(prefix=f".building-{final.name}-", dir=final.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(build, 0o777 & ~umask)      # mkdtemp makes it private; a finished report is an ordinary folder
    return final, build, update_latest


def _finish(build: Path, final: Path) -> None:
    if final.exists():
        final.rmdir()  # an empty --out folder
    os.replace(build, final)


def _relocate(run: NotebookRun, build: Path, final: Path) -> None:
    run.folder = run.folder.replace(str(build), str(final), 1)


def report(names: list[str], cli_params: list[str], params_file: str | None, jobs: int, out: str | None,
           timeout: int = DEFAULT_CELL_TIMEOUT_S) -> int:
    """Run notebooks into a report folder; see the module docstring for the layout and exit codes."""
    from analysis.data import validate_all
    from analysis.index_page import write_index

    notebooks = select_notebooks(names)
    file_values = read_yaml(params_file) if params_file else {}
    declared = {stem: declared_parameters(path) for stem, path in notebooks.items()}
    parameters = resolve(list(notebooks), declared, cli_params, file_values)
    validate_all()
    final, build, update_latest = _prepare_destination(Path(out) if out else None)
    started = time.perf_counter()
    with _staged(build, final):
        job_list = [(str(build / stem), nb, build / stem, parameters[stem]) for stem, nb in notebooks.items()]
        runs = _execute_all(job_list, jobs, timeout, html=True, label="report")
        summary = _run_summary(runs, time.perf_counter() - started)
        (build / "run.json").write_text(json.dumps(summary, indent=2) + "\n")
        write_index(build, runs, summary)
    for run in runs:
        _relocate(run, build, final)
    failed = [r for r in runs if not r.ok]
    if update_latest and not failed:
        _point_latest(final.parent, final)
    for run in runs:
        state = "ok" if run.ok else "FAILED"
        print(f"{state:6} {run.stem:28} {run.seconds:7.1f} s  {run.folder}")
    for run in failed:
        print(run.failure_line(), file=sys.stderr)
    print(f"report: {final / 'index.html'}" + ("" if update_latest and not failed else
                                               "  (reports/latest unchanged)" if update_latest else ""))
    return 1 if failed else 0


def _run_summary(runs: list[NotebookRun], seconds: float) -> dict:
    from analysis.provenance import git_commit

    return {
        "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(seconds, 2),
        "git_commit": git_commit(),
        "python": sys.executable,
        "notebooks": [asdict(r) for r in runs],
    }


def expand_grid(grid: dict, declared: dict[str, dict]) -> list[dict]:
    """Cartesian product of a sweep grid, each value checked against the declared types.

    Each grid entry is a list of candidate values; a single non-list value is held
    fixed. For a list-typed parameter the entry must be a list of lists.
    """
    axes = []
    for name, values in grid.items():
        if name not in declared:
            raise ParameterError(f"grid: unknown parameter {name!r} (known: {', '.join(sorted(declared))})")
        kind = declared[name]["type"].split("[")[0].lower()
        if not isinstance(values, list):
            if kind == "list":
                raise ParameterError(f"grid: {name} is a list parameter; give a list of lists")
            values = [values]
        if not values:
            raise ParameterError(f"grid: {name} has no values")
        axes.append([(name, check_value(name, v, declared[name]["type"])) for v in values])
    return [dict(combo) for combo in itertools.product(*axes)]


def _flat(value):
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return value


def sweep(name: str, grid_file: str, jobs: int, out: str | None, timeout: int = DEFAULT_CELL_TIMEOUT_S) -> int:
    """Run the Cartesian product of a parameter grid and write one CSV of parameters and results."""
    import pandas as pd

    from analysis.data import validate_all

    stem, notebook = next(iter(select_notebooks([name]).items()))
    declared = declared_parameters(notebook)
    grid = expand_grid(read_yaml(grid_file), declared)
    if not grid:
        raise ParameterError(f"{grid_file}: the grid is empty")
    validate_all()
    if out is None:
        sweeps = paths.reports_dir() / "sweeps"
        sweeps.mkdir(parents=True, exist_ok=True)
        out = str(_unique(sweeps, f"{stem}-{_timestamp()}"))
    final, build, _ = _prepare_destination(Path(out))
    with _staged(build, final):
        job_list = [(str(build / "runs" / f"{i:04d}"), notebook, build / "runs" / f"{i:04d}", params)
                    for i, params in enumerate(grid)]
        runs = _execute_all(job_list, jobs, timeout, html=False, label=f"sweep {stem}")
        rows = []
        for i, run in enumerate(runs):
            row = {"run": i, "ok": run.ok, "error": run.error or ""}
            row.update({f"param.{k}": _flat(v) for k, v in run.parameters.items()})
            row.update({k: _flat(v) for k, v in run.results.items()})
            rows.append(row)
        pd.DataFrame(rows).to_csv(build / "sweep.csv", index=False)
    failed = [r for r in runs if not r.ok]
    for run in failed:
        _relocate(run, build, final)
        print(run.failure_line(), file=sys.stderr)
    print(f"sweep: {len(runs)} runs, {len(failed)} failed -> {final / 'sweep.csv'}")
    return 1 if failed else 0


def lab(extra: list[str]) -> int:
    """Open JupyterLab on the notebooks folder with this interpreter as the ``python3`` kernel."""
    import subprocess

    with private_kernel():
        command = [sys.executable, "-m", "jupyter", "lab", f"--notebook-dir={paths.notebooks_dir()}", *extra]
        return subprocess.call(command)


def checksums(update: bool = False) -> int:
    """Check data files against ``sources.yml``; with ``update``, rewrite the recorded sha256 and size first."""
    from analysis.sources import update_checksums, verify

    if update:
        for name in update_checksums():
            print(f"updated sha256 and bytes of {name}")
    problems = verify()
    for line in problems:
        print(line, file=sys.stderr)
    if not problems:
        print("data checksums: all match data/sources.yml")
    return 1 if problems else 0


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------

class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, no usage wall
        raise ParameterError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m analysis", description="Run the notebook collection.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    jobs_default = os.cpu_count() or 1

    rep = sub.add_parser("report", help="execute notebooks into reports/<UTC timestamp>/")
    rep.add_argument("notebooks", nargs="*", help="notebook stems such as 01_price_decline (default: all)")
    rep.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE",
                     help="set a parameter (STEM.NAME=VALUE for one notebook); repeatable")
    rep.add_argument("--params", metavar="FILE.yaml", help="YAML mapping of parameters ({stem: {...}} per notebook)")
    rep.add_argument("--jobs", type=int, default=jobs_default, help=f"parallel notebooks (default {jobs_default})")
    rep.add_argument("--out", metavar="DIR", help="write here instead of reports/<timestamp> (latest untouched)")
    rep.add_argument("--timeout", type=int, default=DEFAULT_CELL_TIMEOUT_S, help="per-cell timeout in seconds")

    swp = sub.add_parser("sweep", help="run a parameter grid and collect results into one CSV")
    swp.add_argument("notebook")
    swp.add_argument("--grid", required=True, metavar="FILE.yaml", help="{parameter: [values, ...]}")
    swp.add_argument("--jobs", type=int, default=jobs_default)
    swp.add_argument("--out", metavar="DIR")
    swp.add_argument("--timeout", type=int, default=DEFAULT_CELL_TIMEOUT_S)

    sub.add_parser("lab", help="open JupyterLab with this environment's kernel")
    chk = sub.add_parser("checksums", help="check data files against data/sources.yml")
    chk.add_argument("--update", action="store_true",
                     help="rewrite sha256/bytes in data/sources.yml after a deliberate data change")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv and argv[0] == "lab":
            return lab(argv[1:])
        args = build_parser().parse_args(argv)
        if getattr(args, "jobs", 1) < 1:
            raise ParameterError(f"--jobs must be at least 1, got {args.jobs}")
        if getattr(args, "timeout", 1) < 1:
            raise ParameterError(f"--timeout must be at least 1 second, got {args.timeout}")
        if args.command == "report":
            return report(args.notebooks, args.param, args.params, args.jobs, args.out, args.timeout)
        if args.command == "sweep":
            return sweep(args.notebook, args.grid, args.jobs, args.out, args.timeout)
        return checksums(args.update)
    except ParameterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        from analysis.data import DataValidationError

        if isinstance(exc, DataValidationError):
            print(f"error: {exc}", file=sys.stderr)
            return 2
        raise
    except KeyboardInterrupt:
        print("interrupted: nothing was moved into place; reports/latest unchanged", file=sys.stderr)
        return 130
