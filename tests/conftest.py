"""Shared fixtures: isolated report folders, a copy of the data, tiny notebooks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from analysis import paths

PROJECT = paths.PROJECT_ROOT


def _git_filter_env() -> dict[str, str]:
    from analysis import nbfilter

    return {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": f"filter.{nbfilter.FILTER_NAME}.clean",
            "GIT_CONFIG_VALUE_0": nbfilter.filter_command(sys.executable)}


#: The notebook filter as ``make`` registers it, given to git through its environment
#: (tests never write git's configuration).
GIT_FILTER_ENV = _git_filter_env()


@pytest.fixture
def reports(tmp_path, monkeypatch) -> Path:
    """An empty reports folder used by the runner in this test."""
    folder = tmp_path / "reports"
    monkeypatch.setenv("ANALYSIS_REPORTS_DIR", str(folder))
    return folder


@pytest.fixture
def data_copy(tmp_path, monkeypatch) -> Path:
    """A writable copy of data/, selected through ANALYSIS_DATA_DIR."""
    folder = tmp_path / "data"
    shutil.copytree(PROJECT / "data", folder)
    monkeypatch.setenv("ANALYSIS_DATA_DIR", str(folder))
    return folder


def edit_csv(path: Path, line: int, column: str, value: str) -> None:
    """Set one field of a CSV in place; ``line`` counts the header as line 1."""
    import pandas as pd

    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[line - 2, column] = value
    df.to_csv(path, index=False)


def write_notebook(path: Path, parameters: str, *cells: str) -> Path:
    """Write a minimal notebook with a tagged parameters cell followed by code cells."""
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    nb.cells.append(nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}))
    nb.cells.extend(nbformat.v4.new_code_cell(c) for c in cells)
    nbformat.write(nb, str(path))
    return path


@pytest.fixture
def tiny_notebooks(tmp_path, monkeypatch) -> Path:
    """A notebooks folder with one notebook that succeeds and one whose third cell fails."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    params = 'x: int = 2  # a number\noutput_dir: str = ""  # set by the runner'
    save = "from analysis import results\nresults.save_results({'x_squared': x * x}, results.output_dir(output_dir, 'nb'))"
    write_notebook(folder / "91_ok.ipynb", params, save)
    write_notebook(folder / "92_fails.ipynb", params, "y = x + 1", "raise ValueError('deliberate failure for the test')")
    monkeypatch.setenv("ANALYSIS_NOTEBOOKS_DIR", str(folder))
    return folder


def run_cli(*args: str, env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run ``python -m analysis ARGS`` as a user would, with the test's environment."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout, cwd=str(PROJECT))


_GUARD = '''
import socket

_connect = socket.socket.connect


def _guarded(self, address, *args):
    host = address[0] if isinstance(address, tuple) else None
    if host is not None and host not in ("127.0.0.1", "::1", "localhost", "0.0.0.0"):
        raise OSError(f"network access blocked by the test guard: {address!r}")
    return _connect(self, address, *args)


socket.socket.connect = _guarded
'''


@pytest.fixture
def network_guard(tmp_path) -> dict:
    """Environment under which every Python process (kernels included) refuses non-loopback connections."""
    return _guard_env(tmp_path / "network_guard")


def _guard_env(folder: Path) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(_GUARD)
    path = os.pathsep.join(p for p in (str(folder), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path}


@pytest.fixture(scope="session")
def default_report(tmp_path_factory) -> Path:
    """One report of every notebook at its defaults, run once for the whole session (shared by the page, README,
    notebook and browser tests, and by every pytest-xdist worker: the first to need it runs it under a file lock,
    the others wait and read it).

    It runs under the network guard, so every notebook at its defaults is shown to make no network call. 03's
    ablation (one cross-validation per model term, minutes of CPU on a cold cache) is switched off: it adds a
    table, not a result, and every other cell runs at its defaults.
    """
    import fcntl

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base   # one folder for all of this session's workers
    folder = shared / "default-report" / "report"
    with open(shared / "default-report.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = shared / "default-report" / "done"
        if not done.exists():
            if folder.exists():
                shutil.rmtree(folder)
            env = _guard_env(shared / "default-report-guard")
            env["ANALYSIS_REPORTS_DIR"] = str(folder.parent / "reports")
            full = subprocess.run([sys.executable, "-m", "analysis", "report", "--jobs", "2", "--out", str(folder),
                                   "-p", "03_chip_throughput.ablation=false"], capture_output=True, text=True,
                                  env=env, timeout=1200, cwd=str(PROJECT))
            assert full.returncode == 0, full.stderr[-3000:]
            done.write_text(full.stdout)
    return folder
