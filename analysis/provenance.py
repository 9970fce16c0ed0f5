"""Where a result came from: package versions, git commit and data checksums."""

from __future__ import annotations

import platform
import subprocess
import sys
from importlib import metadata

from analysis import paths

PACKAGES = ("numpy", "pandas", "statsmodels", "seaborn", "matplotlib", "papermill")


def git_commit() -> str | None:
    """Commit of the project checkout, with ``+dirty`` when files changed; None outside git."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=paths.PROJECT_ROOT,
                              capture_output=True, text=True, timeout=10)
        if head.returncode != 0:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=paths.PROJECT_ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return head.stdout.strip() + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def run_info() -> dict:
    """Python and package versions, git commit and data-file checksums of this run."""
    from analysis.sources import current_checksums

    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": versions,
        "git_commit": git_commit(),
        "data_sha256": current_checksums(),
    }
