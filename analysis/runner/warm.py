"""Warm execution: one long-lived kernel per worker process, reset between runs.

Papermill starts a kernel for every run, and every run then imports pandas,
statsmodels and seaborn again (3-4 s before the first cell). Here a worker keeps
one ``python3`` kernel and, before each run, resets it: the user namespace is
emptied (``InteractiveShell.reset``), figures are closed, matplotlib's settings go
back to those the kernel started with, and the working folder and environment are
set as papermill would. Imported modules stay in ``sys.modules``, which is the
point. The notebook is parameterised by papermill's own function and executed cell
by cell through nbclient, so cell numbers, errors and ``results.json`` match the
papermill path.

A run that times out or kills its kernel discards the kernel; the next run starts
a fresh one.
"""

from __future__ import annotations

import atexit
import json
import tempfile
from pathlib import Path

from analysis.runner.errors import one_line

_KERNEL: dict = {"km": None, "kc": None, "home": None}

_FIRST_START = """
import sys, types, warnings
import matplotlib, matplotlib.pyplot
_m = types.ModuleType("_analysis_warm_state")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    _m.rc = dict(matplotlib.rcParams)
sys.modules["_analysis_warm_state"] = _m
del _m, sys, types, warnings, matplotlib
"""

_RESET = """
import os as _os
_os.chdir({cwd!r})   # first: the previous run's folder may be gone
get_ipython().reset(new_session=True, aggressive=False)
import os as _os, sys as _sys, warnings as _warnings
import matplotlib as _mpl, matplotlib.pyplot as _plt
_plt.close("all")
with _warnings.catch_warnings():
    _warnings.simplefilter("ignore")
    _mpl.rcParams.update(_sys.modules["_analysis_warm_state"].rc)
_os.chdir({cwd!r})
_os.environ.update({env!r})
del _os, _sys, _warnings, _mpl, _plt
"""


def _shutdown() -> None:
    km, kc = _KERNEL["km"], _KERNEL["kc"]
    _KERNEL.update(km=None, kc=None)
    try:
        if kc is not None:
            kc.stop_channels()
        if km is not None:
            km.shutdown_kernel(now=True)
    except Exception:
        pass


def _kernel(startup_timeout: int = 120):
    """The live ``(kernel manager, client)`` of this process, started on first use."""
    from jupyter_client.manager import KernelManager

    km = _KERNEL["km"]
    if km is not None and km.is_alive():
        return km, _KERNEL["kc"]
    _shutdown()
    km = KernelManager(kernel_name="python3")
    km.start_kernel(cwd=tempfile.gettempdir())
    kc = km.blocking_client()
    kc.start_channels()
    kc.wait_for_ready(timeout=startup_timeout)
    reply = kc.execute_interactive(_FIRST_START, timeout=startup_timeout, store_history=False)
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"warm kernel set-up failed: {reply['content'].get('evalue')}")
    _KERNEL.update(km=km, kc=kc)
    if not _KERNEL["home"]:
        _KERNEL["home"] = True
        atexit.register(_shutdown)
        try:  # pool workers leave through multiprocessing, which skips atexit
            from multiprocessing import util

            util.Finalize(None, _shutdown, exitpriority=10)
        except Exception:
            pass
    return km, kc


def warm_execute(notebook: Path, executed: Path, parameters: dict, timeout: int,
                 env: dict | None = None) -> tuple[str | None, int | None]:
    """Execute ``notebook`` with ``parameters`` on this process's warm kernel; write it to ``executed``.

    Parameters
    ----------
    notebook : pathlib.Path
        Source notebook (its folder becomes the working folder, as with papermill).
    executed : pathlib.Path
        Where the executed (or partial) notebook is written.
    parameters : dict
        Parameters to inject, ``output_dir`` included.
    timeout : int
        Per-cell timeout in seconds.
    env : dict, optional
        Environment variables set in the kernel before the run.

    Returns
    -------
    tuple
        ``(error, cell)``: both None on success, else ``"Name: message"`` and the index of
        the failing cell in the parameterised notebook (as papermill counts).
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = parameterize_notebook(load_notebook_node(str(notebook)), parameters, kernel_name="python3",
                               language="python")
    error, cell_index = None, None
    try:
        km, kc = _kernel()
    except Exception as exc:
        _shutdown()
        return one_line(exc), None
    client = NotebookClient(nb, km=km, kernel_name="python3", timeout=timeout, allow_errors=False)
    client.kc = kc
    reset = _RESET.format(cwd=str(notebook.parent.resolve()), env=dict(env or {}))
    index = None
    try:
        reply = kc.execute_interactive(reset, timeout=timeout, store_history=False, output_hook=lambda msg: None)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"warm kernel reset failed: {reply['content'].get('evalue')}")
        count = 0
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                count += 1
            client.execute_cell(cell, index, execution_count=count)
    except CellExecutionError as exc:
        error, cell_index = f"{exc.ename}: {exc.evalue}".strip(), index
    except Exception as exc:    # a timeout, a dead kernel or anything else: the kernel is not reused
        error, cell_index = one_line(exc), index
        _shutdown()
    executed.write_text(json.dumps(nb, indent=1) + "\n", encoding="utf-8")
    return error, cell_index
