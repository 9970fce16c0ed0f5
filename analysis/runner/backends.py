"""Where runs execute: a local process pool (default) or a Dask cluster (``--scheduler``).

Both take the same jobs and give back the same :class:`NotebookRun` records, one
callback per finished run, so report and sweep code does not care which ran them.
"""

from __future__ import annotations

import itertools

import sys
from concurrent.futures import ProcessPoolExecutor
from typing import Callable

from analysis.runner.execution import NotebookRun, run_notebook
from analysis.runner.workers import Job, _pool_worker_init


# --------------------------------------------------------------------------------------
# The local process pool
# --------------------------------------------------------------------------------------

def run_local(jobs: list[Job], workers: int, timeout: int, html: bool, engine: str,
              on_done: Callable[[NotebookRun], None], on_start: Callable[[Job], None] | None = None) -> None:
    """Run jobs in a pool of worker processes; call ``on_start`` as each job is handed to a worker and
    ``on_done`` with each run as it finishes (never more jobs handed out than workers, so a job starts when
    it is handed out)."""
    from concurrent.futures import FIRST_COMPLETED, wait

    workers = max(1, min(workers, len(jobs)))
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_pool_worker_init)
    try:
        waiting = iter(jobs)

        def submit(job):
            if on_start is not None:
                on_start(job)
            return pool.submit(run_notebook, job.notebook, job.folder, job.parameters, timeout, html, engine, job.key)

        running = {submit(job) for job in itertools.islice(waiting, workers)}
        while running:
            finished, running = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                following = next(waiting, None)
                if following is not None:
                    running.add(submit(following))
                on_done(future.result())
    except BaseException:
        # kernels notice their worker's death (ipykernel's parent poller) and exit with it
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def execute(jobs: list[Job], workers: int, timeout: int, html: bool, label: str, engine: str = "papermill",
            scheduler: str | None = None, on_done: Callable[[NotebookRun], None] | None = None,
            lines: bool = False) -> list[NotebookRun]:
    """Run every job with one progress bar; return the runs in job order.

    Parameters
    ----------
    jobs : list of Job
        What to run.
    workers : int
        Local pool size, or the number of workers of a ``local`` Dask cluster.
    timeout : int
        Per-cell timeout in seconds.
    html : bool
        Render each executed notebook to HTML.
    label : str
        Progress bar label.
    engine : {"papermill", "warm"}
        How a worker executes a notebook (see :func:`run_notebook`).
    scheduler : str, optional
        ``None`` for the local process pool; ``"local"``, ``"local:N"`` or a scheduler
        address for Dask.
    on_done : callable, optional
        Called in this process with each run as soon as it finished.
    lines : bool
        Print a line as each job starts and as it finishes (name, seconds, ok or FAILED), terminal
        or not; the progress bar is drawn only on a terminal.
    """
    from tqdm.auto import tqdm

    runs: list[NotebookRun] = []
    with tqdm(total=len(jobs), desc=label, unit="run", disable=not sys.stdout.isatty()) as bar:
        def say(text: str) -> None:
            if lines:
                (tqdm.write(text) if not bar.disable else print(text, flush=True))

        def started(job: Job) -> None:
            say(f"start  {job.notebook.stem}" + (f" [{job.key}]" if job.key else ""))

        def done(run: NotebookRun) -> None:
            runs.append(run)
            if on_done is not None:
                on_done(run)
            say(f"{'ok' if run.ok else 'FAILED':6} {run.name} {run.seconds:.1f} s")
            bar.set_postfix_str(f"{run.name} {'ok' if run.ok else 'FAILED'}")
            bar.update()

        if scheduler is None:
            run_local(jobs, workers, timeout, html, engine, done, on_start=started)
        else:
            from analysis.runner.dask_backend import run_dask

            run_dask(jobs, scheduler, workers, timeout, html, engine, done)
    order = {str(job.folder): i for i, job in enumerate(jobs)}
    return sorted(runs, key=lambda r: order.get(r.folder, 0))
