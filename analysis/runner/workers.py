"""What every execution backend shares: the job record, and worker processes that die with their parent.

The local pool (:mod:`analysis.runner.backends`) and Dask (:mod:`analysis.runner.dask_backend`) both use it;
neither imports the other's module for it.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


@dataclass
class Job:
    """One notebook execution: where its outputs go and with which parameters."""

    key: str
    notebook: Path
    folder: Path
    parameters: dict


# --------------------------------------------------------------------------------------
# Workers die with their parent
# --------------------------------------------------------------------------------------

def kill_children() -> None:
    """Kill every descendant of this process (kernels a worker started)."""
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil comes with ipykernel
        return
    for child in psutil.Process().children(recursive=True):
        try:
            child.kill()
        except psutil.Error:
            pass


#: Called (in order) before a worker exits because its parent is gone or it got SIGTERM: ``os._exit`` skips
#: ``atexit`` and ``finally``, so what a worker must not leave behind (temporary folders) is registered here.
EXIT_CLEANUPS: list[Callable[[], object]] = []


def forced_exit(code: int = 1) -> None:
    """Kill this worker's kernels, run :data:`EXIT_CLEANUPS`, and exit at once."""
    kill_children()
    for cleanup in EXIT_CLEANUPS:
        try:
            cleanup()
        except Exception:  # pragma: no cover - exiting regardless
            pass
    os._exit(code)


def _watch_parent(parent: int, interval: float) -> None:
    import time

    while True:
        time.sleep(interval)
        if os.getppid() != parent:
            forced_exit(1)


def start_parent_watchdog(interval: float = 0.5) -> None:
    """Exit this process (after killing its kernels) as soon as its parent process is gone.

    A runner killed with SIGKILL cannot stop its workers; each worker notices that it
    was re-parented and exits. On Linux the kernel also delivers SIGKILL through
    ``PR_SET_PDEATHSIG``, a second line of defence should the thread be starved.
    """
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:     # the parent died before the death signal was armed
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent, interval), name="parent-watchdog", daemon=True).start()


def _pool_worker_init() -> None:
    import signal

    start_parent_watchdog()

    def _terminated(signum, frame):  # PR_SET_PDEATHSIG: take the kernels along
        forced_exit(1)

    signal.signal(signal.SIGTERM, _terminated)
