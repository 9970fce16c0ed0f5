"""Executing one notebook: kernels, papermill, HTML, and the outcome record.

Everything here runs inside a worker process (a local pool worker or a Dask
worker) as well as in the runner itself.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from analysis import paths
from analysis.params import ParameterError, did_you_mean
from analysis.runner.errors import one_line
from analysis.runner.warm import warm_execute

DEFAULT_CELL_TIMEOUT_S = 600


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
    key: str = ""
    attempts: int = 1

    @property
    def name(self) -> str:
        """The notebook stem, with the run key for a sweep run."""
        return f"{self.stem} run {self.key}" if self.key else self.stem

    def failure_line(self) -> str:
        """One line naming the run, the failing cell and the error."""
        where = f"cell {self.cell}" if self.cell is not None else "before any cell ran"
        retried = f" (after {self.attempts} attempts: a worker was lost)" if self.attempts > 1 else ""
        return (f"FAILED {self.name}: {where}: {self.error}{retried} "
                f"(executed notebook kept: {self.folder}/{self.stem}.ipynb)")


# --------------------------------------------------------------------------------------
# Notebooks and kernels
# --------------------------------------------------------------------------------------

#: The collection's notebooks: two digits, an underscore, lower-case words (``03_chip_throughput.ipynb``).
NOTEBOOK_NAME = re.compile(r"[0-9]{2}_[a-z0-9_]+\.ipynb")


def discover_notebooks() -> dict[str, Path]:
    """``{stem: path}`` for every ``NN_name.ipynb`` in the notebooks folder, in name order.

    Other notebooks there (a Lab's ``Untitled.ipynb``, a scratch copy) are not part of
    the collection; :func:`ignored_notebooks` lists them.
    """
    folder = paths.notebooks_dir()
    return {p.stem: p for p in sorted(folder.glob("*.ipynb")) if NOTEBOOK_NAME.fullmatch(p.name)}


def ignored_notebooks() -> list[Path]:
    """Notebooks in the notebooks folder that the runner leaves alone (not named ``NN_name.ipynb``)."""
    return [p for p in sorted(paths.notebooks_dir().glob("*.ipynb")) if not NOTEBOOK_NAME.fullmatch(p.name)]


def select_notebooks(names: list[str]) -> dict[str, Path]:
    """The notebooks named (all when none), or a :class:`ParameterError` naming the unknown one."""
    available = discover_notebooks()
    if not available:
        raise ParameterError(f"no NN_name.ipynb notebooks found in {paths.notebooks_dir()}")
    if not names:
        return available
    chosen = {}
    for name in names:
        stem = Path(name).stem if name.endswith(".ipynb") else name
        if stem not in available and (paths.notebooks_dir() / f"{stem}.ipynb").is_file():
            raise ParameterError(f"{stem}.ipynb is not part of the collection: the runner runs NN_name.ipynb notebooks "
                                 f"only (rename it, e.g. 06_{re.sub(r'[^a-z0-9]+', '_', stem.lower()).strip('_')}.ipynb)")
        if stem not in available:
            raise ParameterError(f"unknown notebook {name!r}{did_you_mean(stem, available)} "
                                 f"(available: {', '.join(available)})")
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
        "display_name": "Python 3", "language": "python", "metadata": {"debugger": True},
    }))
    previous = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(folder) + (os.pathsep + previous if previous else "")
    return spec


@contextmanager
def restored_environ(*names: str):
    """Put the environment variables ``names`` back as they were (or unset) when the block ends."""
    previous = {name: os.environ.get(name) for name in names}
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def private_kernel():
    """A temporary private ``python3`` kernelspec for the duration of the block (environment restored after)."""
    home = Path(tempfile.mkdtemp(prefix="analysis-kernel-"))
    try:
        with restored_environ("JUPYTER_PATH"):
            install_private_kernel(home)
            yield home
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _is_startup_collision(exc: BaseException) -> bool:
    text = f"{type(exc).__name__}: {exc}"
    return any(s in text for s in ("ZMQError", "Address already in use", "Kernel didn't respond", "DeadKernelError"))


def _figure_list(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in (folder / "figures").glob("*.png"))


def _papermill_execute(notebook: Path, executed: Path, parameters: dict, timeout: int) -> tuple[str | None, int | None]:
    """Execute with papermill (one fresh kernel); return ``(error, cell)``, both None on success."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    error, cell = None, None
    for attempt in (1, 2):
        try:
            papermill.execute_notebook(
                str(notebook), str(executed), parameters=parameters,
                kernel_name="python3", cwd=str(notebook.parent), progress_bar=False, log_output=False,
                execution_timeout=timeout, start_timeout=120, request_save_on_cell_execute=False,
            )
            return None, None
        except PapermillExecutionError as exc:
            return f"{exc.ename}: {exc.evalue}".strip(), exc.cell_index
        except Exception as exc:  # kernel start-up, timeouts, dead kernels
            error = one_line(exc)
            if attempt == 1 and _is_startup_collision(exc) and not executed.exists():
                time.sleep(1.0)
                continue
            break
    return error, cell


def run_notebook(notebook: Path, folder: Path, parameters: dict, timeout: int = DEFAULT_CELL_TIMEOUT_S,
                 html: bool = True, engine: str = "papermill", key: str = "", env: dict | None = None) -> NotebookRun:
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
    engine : {"papermill", "warm"}
        ``papermill`` starts a fresh kernel for this run; ``warm`` reuses this
        process's long-lived kernel, reset to an empty namespace (see
        :mod:`analysis.runner.warm`).
    key : str
        Run key recorded in the outcome (sweeps).
    env : dict, optional
        Environment variables the notebook must see (a warm kernel started earlier
        gets them set before the run; a papermill kernel inherits this process's).

    Returns
    -------
    NotebookRun
        Never raises for a failing notebook; the failure is recorded instead.
    """
    stem = notebook.stem
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "figures").mkdir(exist_ok=True)
    executed = folder / f"{stem}.ipynb"
    started = time.perf_counter()
    full = {**parameters, "output_dir": str(folder)}
    os.environ["ANALYSIS_HEADLESS"] = "1"      # explorers draw their default figure (analysis.explore)
    env = {**(env or {}), "ANALYSIS_HEADLESS": "1"}
    if engine == "warm":

        error, cell = warm_execute(notebook, executed, full, timeout, env)
    else:
        error, cell = _papermill_execute(notebook, executed, full, timeout)
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
                       figures=_figure_list(folder), key=key)


def render_html(executed: Path, target: Path) -> None:
    """Render an executed notebook to its report page (see :mod:`analysis.runner.notebook_page`)."""
    from analysis.runner.notebook_page import render_page

    render_page(executed, target)
