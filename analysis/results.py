"""What a notebook writes: its output folder, headline numbers and tables.

A notebook receives ``output_dir`` as a parameter from the runner. Run by hand in
JupyterLab it is empty, and :func:`output_dir` falls back to
``reports/interactive/<notebook stem>/`` so exploring never touches a report.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import paths

RESULTS_FILE = "results.json"


def output_dir(requested: str | os.PathLike | None, stem: str) -> Path:
    """Resolve (and create) the folder a notebook writes into.

    Parameters
    ----------
    requested : str or path-like
        The notebook's ``output_dir`` parameter; empty means interactive use.
    stem : str
        Notebook name without extension, e.g. ``"01_price_decline"``.
    """
    folder = Path(requested) if requested else paths.reports_dir() / "interactive" / stem
    (folder / "figures").mkdir(parents=True, exist_ok=True)
    return folder


def _plain(value):
    """Convert numpy/pandas scalars and containers into JSON-ready Python values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no NaN/inf; null means "not defined" (explained in the notebook)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot store {type(value).__name__} in results.json: {value!r}")


def save_results(results: dict, folder: str | os.PathLike) -> Path:
    """Write headline numbers to ``<folder>/results.json`` (atomically).

    Parameters
    ----------
    results : dict
        Names to numbers, strings, booleans or small lists. Non-finite floats are
        stored as ``null``.
    folder : str or path-like
        The notebook's output folder (see :func:`output_dir`).

    Returns
    -------
    pathlib.Path
        The file written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / RESULTS_FILE
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(_plain(results), indent=2, sort_keys=True) + "\n")
    os.replace(tmp, target)
    return target


def save_table(table: pd.DataFrame, folder: str | os.PathLike, name: str) -> Path:
    """Write a table to ``<folder>/<name>.csv`` alongside the results."""
    target = Path(folder) / f"{name}.csv"
    table.to_csv(target, index=False)
    return target


def load_results(folder: str | os.PathLike) -> dict:
    """Read ``<folder>/results.json``; an empty dict when the notebook wrote none."""
    path = Path(folder) / RESULTS_FILE
    return json.loads(path.read_text()) if path.is_file() else {}
