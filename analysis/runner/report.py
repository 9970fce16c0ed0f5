"""Reports: every selected notebook executed into ``reports/<UTC timestamp>/`` with an index page."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

from analysis.params import declared_parameters, read_yaml, resolve
from analysis.runner.backends import Job, execute
from analysis.runner.execution import DEFAULT_CELL_TIMEOUT_S, NotebookRun, ignored_notebooks, select_notebooks
from analysis.runner.staging import point_latest, prepare_destination, relocate, staged


def report(names: list[str], cli_params: list[str], params_file: str | None, jobs: int, out: str | None,
           timeout: int = DEFAULT_CELL_TIMEOUT_S, scheduler: str | None = None) -> int:
    """Run notebooks into a report folder.

    Parameters
    ----------
    names : list of str
        Notebook stems (all when empty).
    cli_params : list of str
        ``-p`` texts.
    params_file : str, optional
        ``--params`` YAML.
    jobs : int
        Parallel notebooks (local pool size, or workers of a local Dask cluster).
    out : str, optional
        Write there instead of ``reports/<timestamp>`` (``latest`` untouched).
    timeout : int
        Per-cell timeout in seconds.
    scheduler : str, optional
        Dask scheduler (``local``, ``local:N`` or an address); None for the local pool.

    Returns
    -------
    int
        0 when every notebook succeeded, 1 when one failed.
    """
    from analysis.data import validate_all
    from analysis.index_page import write_index

    notebooks = select_notebooks(names)
    if not names:
        for path in ignored_notebooks():
            print(f"note: ignored {path.name} (not named NN_name.ipynb, so not part of the collection)")
    file_values = read_yaml(params_file) if params_file else {}
    declared = {stem: declared_parameters(path) for stem, path in notebooks.items()}
    parameters = resolve(list(notebooks), declared, cli_params, file_values)
    validate_all()
    final, build, update_latest = prepare_destination(Path(out) if out else None)
    started = time.perf_counter()
    with staged(build, final, rename_if_taken=update_latest) as where:
        job_list = [Job("", nb, build / stem, parameters[stem]) for stem, nb in notebooks.items()]
        runs = execute(job_list, jobs, timeout, html=True, label="report", scheduler=scheduler, lines=True)
        summary = run_summary(runs, time.perf_counter() - started, root=build)
        (build / "run.json").write_text(json.dumps(summary, indent=2) + "\n")
        write_index(build, runs, summary)
    final = where[0]
    for run in runs:
        relocate(run, build, final)
    failed = [r for r in runs if not r.ok]
    if update_latest and not failed:
        point_latest(final.parent, final)
    for run in runs:
        state = "ok" if run.ok else "FAILED"
        print(f"{state:6} {run.stem:28} {run.seconds:7.1f} s  {run.folder}")
    for run in failed:
        print(run.failure_line(), file=sys.stderr)
    for run in runs:
        if run.ok and run.attempts > 1:
            print(f"retried {run.name}: ran {run.attempts} times because a worker was lost", file=sys.stderr)
    print(f"report: {final / 'index.html'}" + ("" if update_latest and not failed else
                                               "  (reports/latest unchanged)" if update_latest else ""))
    return 1 if failed else 0


def run_summary(runs: list[NotebookRun], seconds: float, root: Path | None = None) -> dict:
    """The ``run.json`` of a report: time, commit, interpreter, data checksums and line digests, every run's outcome.

    With ``root`` (the folder being built), each run's ``folder`` is recorded relative to
    it (``01_price_decline``), so the record stays right once the folder is moved into place.
    """
    import os
    import platform

    from analysis.provenance import git_commit
    from analysis.runner.compare import data_row_digests
    from analysis.sources import current_checksums

    records = [asdict(r) for r in runs]
    if root is not None:
        for record in records:
            if record["folder"]:
                record["folder"] = Path(os.path.relpath(record["folder"], root)).as_posix()

    return {
        "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(seconds, 2),
        "git_commit": git_commit(),
        "python": sys.executable,
        "python_version": platform.python_version(),
        "data_sha256": current_checksums(),
        "data_rows": data_row_digests(),
        "notebooks": records,
    }
