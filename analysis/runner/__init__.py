"""The report runner, one module per job.

``execution`` runs one notebook (papermill or a warm kernel); ``backends`` runs many
(local process pool or Dask); ``staging`` builds report folders; ``report`` and
``sweep`` are the two commands; ``pages`` writes ``sweep.html``; ``cli`` is
``python -m analysis``.
"""

from analysis.runner.backends import Job, execute
from analysis.runner.cli import build_parser, checksums, lab, main
from analysis.runner.execution import (DEFAULT_CELL_TIMEOUT_S, NotebookRun, discover_notebooks,
                                       ignored_notebooks,
                                       install_private_kernel, private_kernel, render_html, run_notebook,
                                       select_notebooks)
from analysis.runner.report import report
from analysis.runner.staging import LATEST
from analysis.runner.sweep import expand_grid, latin_hypercube, run_key, sweep

__all__ = ["DEFAULT_CELL_TIMEOUT_S", "Job", "LATEST", "NotebookRun", "build_parser", "checksums", "discover_notebooks",
           "execute", "ignored_notebooks", "expand_grid", "install_private_kernel", "lab", "latin_hypercube", "main", "private_kernel",
           "render_html", "report", "run_key", "run_notebook", "select_notebooks", "sweep"]
