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
#: The key of ``results.json`` that holds ``{key: {"unit": ..., "description": ...}}``.
ABOUT_KEY = "_about"
#: The notebook each output folder belongs to, as :func:`output_dir` was told (sweep and Dask runs write into
#: folders named by a run key or ``out``, so the folder's name is not the notebook's).
_STEMS: dict[str, str] = {}


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
    _STEMS[str(folder.resolve())] = stem
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


def describe_results(keys, stem: str = "", about: dict | None = None) -> dict:
    """``{key: {"unit", "description"}}`` for the keys the catalog (or ``about``) describes.

    Parameters
    ----------
    keys : iterable of str
        Result keys.
    stem : str
        The notebook that saved them (see :func:`analysis.result_catalog.describe`).
    about : dict, optional
        ``{key: (unit, description)}`` given by the notebook; wins over the catalog.
    """
    from analysis.result_catalog import describe

    out = {}
    for key in keys:
        entry = (about or {}).get(key) or describe(key, stem)
        if entry is not None:
            out[key] = {"unit": entry[0], "description": entry[1]}
    return out


def save_results(results: dict, folder: str | os.PathLike, about: dict | None = None, notebook: str | None = None):
    """Write headline numbers to ``<folder>/results.json`` (atomically).

    Each key's unit and one-line description come from :mod:`analysis.result_catalog`
    (or ``about``) and are stored under ``"_about"`` in the same file.

    Parameters
    ----------
    results : dict
        Names to numbers, strings, booleans or small lists. Non-finite floats are
        stored as ``null``.
    folder : str or path-like
        The notebook's output folder (see :func:`output_dir`).
    about : dict, optional
        ``{key: (unit, description)}`` for keys the catalog lacks or describes differently.
    notebook : str, optional
        The notebook's stem, which selects notebook-specific catalog entries; by default the
        stem :func:`output_dir` was given for ``folder`` (whatever the folder is called), else
        the folder's name.

    Returns
    -------
    pathlib.Path
        The file written (a path that displays nothing when it ends a notebook cell).
    """
    from analysis.plotting import QuietPath

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / RESULTS_FILE
    tmp = target.with_suffix(".json.tmp")
    payload = _plain(results)
    stem = notebook or _STEMS.get(str(folder.resolve()), folder.name)
    described = describe_results(payload, stem, about)
    if described:
        payload[ABOUT_KEY] = described
    tmp.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, target)
    return QuietPath(target)


def save_table(table: pd.DataFrame, folder: str | os.PathLike, name: str) -> Path:
    """Write a table to ``<folder>/<name>.csv`` alongside the results.

    Returns the path as a :class:`analysis.plotting.QuietPath`, which displays nothing when it is the
    last value of a notebook cell (no machine path or repr on a report page).
    """
    from analysis.plotting import QuietPath

    target = QuietPath(Path(folder) / f"{name}.csv")
    table.to_csv(target, index=False)
    return target


def _read(folder: str | os.PathLike) -> dict:
    path = Path(folder) / RESULTS_FILE
    return json.loads(path.read_text()) if path.is_file() else {}


def load_results(folder: str | os.PathLike) -> dict:
    """Read the values of ``<folder>/results.json`` (without ``_about``); an empty dict when there is none."""
    values = _read(folder)
    values.pop(ABOUT_KEY, None)
    return values


def load_about(folder: str | os.PathLike) -> dict:
    """``{key: {"unit", "description"}}`` recorded in ``<folder>/results.json`` (empty when none)."""
    return _read(folder).get(ABOUT_KEY) or {}
