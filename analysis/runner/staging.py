"""Report folders: hidden build folders owned by a process, moved into place at the end.

A report is built in ``.building-<name>-XXXX`` beside its final folder. The folder
holds ``.owner`` (the owner's process id and start time); a later run removes build
folders whose owner is gone, which is what a runner killed with SIGKILL leaves behind.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from analysis import paths
from analysis.params import ParameterError
from analysis.runner.execution import NotebookRun, private_kernel

LATEST = "latest"
OWNER_FILE = ".owner"
BUILD_PREFIX = ".building-"


def timestamp() -> str:
    """The current UTC time as ``YYYYmmddTHHMMSSZ``."""
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def unique(parent: Path, name: str) -> Path:
    """``parent/name``, or ``name-2``, ``name-3``... when taken."""
    candidate, n = parent / name, 2
    while candidate.exists() or candidate.is_symlink():
        candidate, n = parent / f"{name}-{n}", n + 1
    return candidate


def process_start_time(pid: int) -> str | None:
    """A token identifying the process ``pid`` (its start time), or None when no such process runs."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return "?"
    return "?"


def _write_owner(build: Path) -> None:
    pid = os.getpid()
    (build / OWNER_FILE).write_text(json.dumps({"pid": pid, "start": process_start_time(pid)}) + "\n")


def owner_alive(build: Path) -> bool:
    """Whether the process recorded in ``build/.owner`` still runs (True when unknown)."""
    try:
        owner = json.loads((build / OWNER_FILE).read_text())
        pid, start = int(owner["pid"]), owner.get("start")
    except FileNotFoundError:
        return True          # not ours, or not yet written: leave it
    except (OSError, ValueError, KeyError, TypeError):
        return False
    now = process_start_time(pid)
    if now is None:
        return False
    return now == "?" or start in (None, "?") or now == start


def remove_abandoned_builds(parent: Path) -> list[Path]:
    """Delete ``.building-*`` folders in ``parent`` whose owner process is gone; return them."""
    removed = []
    if not parent.is_dir():
        return removed
    for build in parent.glob(f"{BUILD_PREFIX}*"):
        if build.is_dir() and not build.is_symlink() and not owner_alive(build):
            shutil.rmtree(build, ignore_errors=True)
            removed.append(build)
    return removed


def point_latest(reports: Path, run_folder: Path) -> None:
    """Point ``reports/latest`` at ``run_folder`` atomically."""
    link = reports / LATEST
    tmp = reports / f".{LATEST}.{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(run_folder.name, target_is_directory=True)
    os.replace(tmp, link)


def prepare_destination(out: Path | None) -> tuple[Path, Path, bool]:
    """(final folder, temporary build folder, whether to move ``latest``)."""
    if out is None:
        reports = paths.reports_dir()
        reports.mkdir(parents=True, exist_ok=True)
        final = unique(reports, timestamp())
        update_latest = True
    else:
        final = Path(out).expanduser().resolve()
        if final.exists() and (not final.is_dir() or any(final.iterdir())):
            raise ParameterError(f"--out {out}: folder exists and is not empty")
        final.parent.mkdir(parents=True, exist_ok=True)
        update_latest = False
    remove_abandoned_builds(final.parent)
    build = Path(tempfile.mkdtemp(prefix=f"{BUILD_PREFIX}{final.name}-", dir=final.parent))
    _write_owner(build)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(build, 0o777 & ~umask)      # mkdtemp makes it private; a finished report is an ordinary folder
    return final, build, update_latest


def finish(build: Path, final: Path, rename_if_taken: bool) -> Path:
    """Move ``build`` to ``final`` (or the next free name when another run took it); return where it went."""
    (build / OWNER_FILE).unlink(missing_ok=True)
    if final.is_dir() and not final.is_symlink() and not any(final.iterdir()):
        final.rmdir()  # an empty --out folder
    while True:
        try:
            os.rename(build, final)
            return final
        except OSError as exc:
            if not rename_if_taken or exc.errno not in (errno.EEXIST, errno.ENOTEMPTY, errno.EISDIR):
                raise
            final = unique(final.parent, final.name)


@contextmanager
def staged(build: Path, final: Path, rename_if_taken: bool = False):
    """Run the block with a private kernel; move ``build`` into place on success, delete it on any failure.

    Yields a one-item list whose element is the final folder once the block succeeded.
    """
    where: list[Path] = []
    try:
        with private_kernel():
            yield where
        where.append(finish(build, final, rename_if_taken))
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise


def relocate(run: NotebookRun, build: Path, final: Path) -> None:
    """Rewrite a run's folder from the build folder to the final one."""
    run.folder = run.folder.replace(str(build), str(final), 1)
