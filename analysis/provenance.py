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


#: The MIME type under which :func:`run_info` hands its full record to the report's page builder.
RUN_INFO_MIMETYPE = "application/vnd.analysis.run-info+json"


class RunInfo(dict):
    """The provenance record: a dict that displays as one line in a notebook.

    Its display also carries the whole record under :data:`RUN_INFO_MIMETYPE`; the
    report's page builder takes it out of the page and shows it as a collapsed footer.
    """

    def summary(self) -> str:
        """One line: commit, Python, the number of data files checksummed and of results reused from the cache."""
        reused = sum(1 for e in self.get("cached_results") or [] if e.get("reused"))
        return (f"run info: commit {self.get('git_commit') or 'unknown'}, Python {self.get('python')}, "
                f"{len(self.get('data_sha256') or {})} data files checksummed, {reused} fitted results reused from "
                "the cache (full record in the report's footer)")

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": self.summary(), RUN_INFO_MIMETYPE: dict(self)}

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(self.summary())


def run_info() -> RunInfo:
    """Python and package versions, git commit and data-file checksums of this run (a :class:`RunInfo`)."""
    from analysis import cache
    from analysis.sources import current_checksums

    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return RunInfo({
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": versions,
        "git_commit": git_commit(),
        "data_sha256": current_checksums(),
        "cached_results": _unique(cache.events()),
    })


def _unique(events: list[dict]) -> list[dict]:
    """Each cached computation once (the first time it was asked for in this kernel)."""
    seen, out = set(), []
    for event in events:
        if (event["name"], event["key"]) not in seen:
            seen.add((event["name"], event["key"]))
            out.append(event)
    return out
