"""Running notebooks on a Dask distributed cluster (``--scheduler``).

Workers need only this package installed (and no shared file system): each task
receives the notebook and the data files as bytes, runs in a temporary folder on
the worker, and sends the whole output folder back as bytes. ``local`` starts a
LocalCluster of single-threaded worker processes on this machine.

A worker lost mid-run: on a ``local`` cluster the scheduler allows no retry, so the
run is failed with "worker lost". An external scheduler retries according to its own
``distributed.scheduler.allowed-failures`` (Dask's default 3); each run counts its
attempts and the summary says when one needed more than one.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import shutil
import tempfile
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Callable

from distributed.diagnostics.plugin import WorkerPlugin

from analysis import paths
from analysis.params import ParameterError
from analysis.runner.workers import EXIT_CLEANUPS, Job, start_parent_watchdog
from analysis.runner.execution import (NotebookRun, install_private_kernel, one_line, restored_environ,
                                       run_notebook)

ATTEMPT_TOPIC = "analysis-run-attempt"

_lock = threading.Lock()          # papermill changes the process's cwd: one notebook at a time per process
_kernel_home: Path | None = None
_data_dirs: dict[str, Path] = {}


def data_bundle(folder: Path | None = None) -> dict[str, bytes]:
    """``{relative path: bytes}`` of every file in the data folder (what the notebooks read)."""
    return pack_folder(folder or paths.data_dir())


def pack_folder(folder: Path) -> dict[str, bytes]:
    """``{relative path: bytes}`` of every file under ``folder``."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def unpack_folder(files: dict[str, bytes], folder: Path) -> None:
    """Write files packed by :func:`pack_folder` under ``folder``."""
    for relative, content in files.items():
        target = (folder / relative).resolve()
        if folder.resolve() not in target.parents:
            raise ValueError(f"refusing to write outside {folder}: {relative}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def _materialise_data(bundle: dict[str, bytes]) -> Path:
    digest = hashlib.sha256(b"".join(k.encode() + b"\0" + v for k, v in sorted(bundle.items()))).hexdigest()[:16]
    if digest not in _data_dirs:
        folder = Path(tempfile.mkdtemp(prefix=f"analysis-data-{digest}-"))
        unpack_folder(bundle, folder)
        _data_dirs[digest] = folder
    return _data_dirs[digest]


def _attempt_number() -> int:
    """Which attempt of the current task this is (1 unless a worker was lost while running it)."""
    try:
        from distributed import get_client, get_worker

        worker = get_worker()
        key = str(worker.get_current_task())
        earlier = sum(1 for _, msg in get_client().get_events(ATTEMPT_TOPIC) if msg.get("key") == key)
        worker.log_event(ATTEMPT_TOPIC, {"key": key})
        return earlier + 1
    except Exception:  # events are best effort: the run itself matters more
        return 1


def cache_bundle() -> dict[str, bytes]:
    """The fitted results the notebooks share, computed here if missing, as ``{relative path: bytes}``.

    Workers without this machine's file system get them with the data instead of refitting
    (:mod:`analysis.cache`); empty when the cache is off.
    """
    from analysis import cache, throughput_cv

    folder = cache.cache_dir()
    if folder is None:
        return {}
    throughput_cv.shipped_cross_validation()
    return {k: v for k, v in pack_folder(folder).items() if not k.startswith("locks/")}


def _materialise_cache(files: dict[str, bytes]) -> Path | None:
    if not files:
        return None
    digest = hashlib.sha256(b"".join(k.encode() + b"\0" + v for k, v in sorted(files.items()))).hexdigest()[:16]
    key = f"cache-{digest}"
    if key not in _data_dirs:
        folder = Path(tempfile.mkdtemp(prefix=f"analysis-cache-{digest}-"))
        unpack_folder(files, folder)
        _data_dirs[key] = folder
    return _data_dirs[key]


def remote_run(stem: str, notebook_bytes: bytes, bundle: dict[str, bytes], parameters: dict, timeout: int,
               html: bool, engine: str, key: str, cache_files: dict[str, bytes] | None = None
               ) -> tuple[dict, dict[str, bytes]]:
    """Execute one notebook on a Dask worker; return the run record and its output files as bytes.

    Parameters
    ----------
    stem : str
        Notebook name.
    notebook_bytes : bytes
        The ``.ipynb`` file.
    bundle : dict
        The data files, from :func:`data_bundle`.
    parameters : dict
        Checked parameters.
    timeout : int
        Per-cell timeout in seconds.
    html : bool
        Render HTML too.
    engine : {"papermill", "warm"}
        Execution engine.
    key : str
        Run key (sweeps).
    cache_files : dict, optional
        The client's cached fits, from :func:`cache_bundle` (used as this run's cache folder).
    """
    global _kernel_home
    attempts = _attempt_number()
    with _lock:
        if _kernel_home is None:
            _kernel_home = Path(tempfile.mkdtemp(prefix="analysis-kernel-"))
            install_private_kernel(_kernel_home)
        data = _materialise_data(bundle)
        cached = _materialise_cache(cache_files or {})
        work = Path(tempfile.mkdtemp(prefix="analysis-run-"))
        try:
            with restored_environ("ANALYSIS_DATA_DIR", "ANALYSIS_CACHE_DIR"):   # a papermill kernel inherits these
                os.environ["ANALYSIS_DATA_DIR"] = str(data)
                if cached is not None:
                    os.environ["ANALYSIS_CACHE_DIR"] = str(cached)
                notebook = work / "notebooks" / f"{stem}.ipynb"
                notebook.parent.mkdir()
                notebook.write_bytes(notebook_bytes)
                out = work / "out"
                env = {"ANALYSIS_DATA_DIR": str(data)} | ({"ANALYSIS_CACHE_DIR": str(cached)} if cached else {})
                run = run_notebook(notebook, out, parameters, timeout, html, engine, key, env=env)
                files = pack_folder(out)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    run.attempts = attempts
    return asdict(run), files


def remove_worker_folders() -> list[Path]:
    """Delete this worker process's kernelspec and data folders (made by :func:`remote_run`); return them."""
    global _kernel_home
    removed = [p for p in (_kernel_home, *_data_dirs.values()) if p is not None]
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
    _kernel_home = None
    _data_dirs.clear()
    return removed


class ParentWatchdog(WorkerPlugin):
    """Worker plugin: the worker process exits when its parent (the runner or ``dask worker``) dies, and
    removes its temporary folders when it closes (and at interpreter exit, should teardown not run)."""

    name = "analysis-parent-watchdog"

    def setup(self, worker):
        import atexit

        start_parent_watchdog()
        atexit.register(remove_worker_folders)
        if remove_worker_folders not in EXIT_CLEANUPS:
            EXIT_CLEANUPS.append(remove_worker_folders)

    def teardown(self, worker):
        remove_worker_folders()


def _client(scheduler: str, workers: int):
    import dask
    from distributed import Client, LocalCluster

    if scheduler.startswith("local"):
        n = int(scheduler.split(":", 1)[1]) if ":" in scheduler else workers
        # no retry of a run whose worker died, and one run per single-threaded worker at a time (so a lost
        # worker takes only the run it was executing)
        # the scratch space of the scheduler and workers: a folder of this run, removed with the cluster (run_dask)
        scratch = tempfile.mkdtemp(prefix="analysis-dask-")
        with dask.config.set({"distributed.scheduler.allowed-failures": 0,
                              "distributed.scheduler.worker-saturation": 1.0, "temporary-directory": scratch}):
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                                   silence_logs=logging.CRITICAL, local_directory=scratch)
            cluster.analysis_scratch = scratch
        return Client(cluster), cluster
    try:
        return Client(scheduler, timeout="15s"), None
    except (OSError, TimeoutError, ValueError) as exc:
        raise ParameterError(f"--scheduler {scheduler}: cannot connect ({type(exc).__name__}: {exc})") from None


def run_dask(jobs: list[Job], scheduler: str, workers: int, timeout: int, html: bool, engine: str,
             on_done: Callable[[NotebookRun], None]) -> None:
    """Run jobs on Dask; call ``on_done`` in this process with each run as it finishes (outputs unpacked)."""
    from distributed import as_completed

    client, cluster = _client(scheduler, workers)
    futures = {}
    try:
        client.register_plugin(ParentWatchdog())
        bundle = client.scatter(data_bundle(), broadcast=False)
        fitted = client.scatter(cache_bundle(), broadcast=False)

        def submit(job):
            future = client.submit(remote_run, job.notebook.stem, job.notebook.read_bytes(), bundle, job.parameters,
                                   timeout, html, engine, job.key, fitted, pure=False,
                                   key=f"analysis-{job.notebook.stem}-{job.key or 'report'}-{os.urandom(4).hex()}")
            futures[future] = job
            return future

        # never more runs in flight than worker threads: a run queued on a worker that dies would be lost with
        # the run it was executing (Dask does not queue these tasks on the scheduler: they depend on the data)
        slots = max(1, sum(client.nthreads().values()))
        waiting = iter(jobs)
        running = as_completed([submit(job) for job in itertools.islice(waiting, slots)])
        for future in running:
            following = next(waiting, None)
            if following is not None:
                running.add(submit(following))
            job = futures[future]
            (job.folder / "figures").mkdir(parents=True, exist_ok=True)
            if future.status == "finished":
                record, files = future.result()
                unpack_folder(files, job.folder)
                run = NotebookRun(**record)
                run.folder = str(job.folder)
            else:
                exc = future.exception()
                lost = type(exc).__name__ == "KilledWorker"
                error = ("worker lost mid-run" if lost else "Dask task failed") + f" ({one_line(exc, 200)})"
                run = NotebookRun(stem=job.notebook.stem, ok=False, seconds=0.0, parameters=job.parameters,
                                  error=error, folder=str(job.folder), key=job.key)
            on_done(run)
    except BaseException:
        client.cancel(list(futures), force=True)
        raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
            shutil.rmtree(getattr(cluster, "analysis_scratch", ""), ignore_errors=True)
