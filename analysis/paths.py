"""Project folders, anchored on the package rather than the working directory.

Each folder can be overridden with an environment variable, read when the function is
called (never at import time), so tests and forks can point the code elsewhere:

``ANALYSIS_DATA_DIR``, ``ANALYSIS_NOTEBOOKS_DIR``, ``ANALYSIS_REPORTS_DIR``.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _from_env(variable: str, default: Path) -> Path:
    value = os.environ.get(variable)
    return Path(value).expanduser().resolve() if value else default


def data_dir() -> Path:
    """Folder holding the curated CSVs and ``sources.yml``."""
    return _from_env("ANALYSIS_DATA_DIR", PROJECT_ROOT / "data")


def notebooks_dir() -> Path:
    """Folder holding the collection's ``NN_name.ipynb`` notebooks."""
    return _from_env("ANALYSIS_NOTEBOOKS_DIR", PROJECT_ROOT / "notebooks")


def reports_dir() -> Path:
    """Folder where the runner writes ``<timestamp>/`` runs and the ``latest`` link."""
    return _from_env("ANALYSIS_REPORTS_DIR", PROJECT_ROOT / "reports")
