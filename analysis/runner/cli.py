"""The command line: ``python -m analysis report|sweep|compare|readme|lab|cache|checksums|data``.

Exit codes: 0 success, 1 a notebook failed, 2 bad input (parameters, notebook
names, YAML, data), 130 interrupted (Ctrl-C), 143 stopped by SIGTERM (after cleaning up).
"""

from __future__ import annotations

import argparse
import os
import re
import sys

from analysis import paths
from analysis.params import ParameterError
from analysis.runner.execution import DEFAULT_CELL_TIMEOUT_S, private_kernel
from analysis.runner.report import report
from analysis.runner.sweep import sweep


#: How long the Lab's server gets to shut its kernels down after SIGTERM before it is killed.
LAB_STOP_TIMEOUT_S = 30


def _child_ignores_sighup() -> None:      # runs in the server process before exec
    import signal

    signal.signal(signal.SIGHUP, signal.SIG_IGN)


def lab(extra: list[str]) -> int:
    """Open JupyterLab at the project root with this interpreter as the ``python3`` kernel.

    The Lab's file browser shows ``notebooks/``, ``reports/`` (where interactive runs
    save their figures) and ``data/``. Ctrl-C is left to Jupyter: this process ignores
    it while the server runs, so the server asks for confirmation, shuts its kernels down
    and prints its own messages, and ``make lab`` returns once it has.

    SIGTERM and SIGHUP (a script, ``timeout``, a container or service manager, a closed
    terminal; ``make`` passes SIGTERM on to this process) stop the server the way Jupyter
    stops on SIGTERM: its kernels are shut down and its runtime files removed; then the
    temporary kernelspec folder goes. The server itself ignores SIGHUP, so a hang-up
    reaches it only as that SIGTERM. A server still running ``LAB_STOP_TIMEOUT_S`` seconds
    later is killed.

    Parameters
    ----------
    extra : list of str
        Further ``jupyter lab`` options, e.g. ``--no-browser --ip=0.0.0.0 --allow-root``.

    Returns
    -------
    int
        The server's exit status (0 after a normal shutdown); 128 + the signal number
        after SIGTERM or SIGHUP.
    """
    import signal
    import subprocess
    import time

    received: list[int] = []
    process: subprocess.Popen | None = None

    def stop(signum, frame):
        received.append(signum)
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)

    with private_kernel():
        command = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={paths.PROJECT_ROOT}",
                   "--ContentsManager.post_save_hook=analysis.nbfilter.post_save_hook", *extra]
        # a handler (unlike SIG_IGN) is not inherited by the server: it keeps Jupyter's own Ctrl-C handling
        previous = {sig: signal.signal(sig, handler) for sig, handler in
                    ((signal.SIGINT, lambda signum, frame: None), (signal.SIGTERM, stop), (signal.SIGHUP, stop))}
        try:
            process = subprocess.Popen(command, preexec_fn=_child_ignores_sighup)
            if received:                     # a signal that came before the server existed
                process.send_signal(signal.SIGTERM)
            stopping_since = None
            while True:
                try:
                    code = process.wait(timeout=0.5)
                    break
                except KeyboardInterrupt:  # pragma: no cover - the handler above swallows SIGINT
                    continue
                except subprocess.TimeoutExpired:
                    if received and stopping_since is None:
                        stopping_since = time.monotonic()
                    if stopping_since is not None and time.monotonic() - stopping_since > LAB_STOP_TIMEOUT_S:
                        process.kill()
                        code = process.wait()
                        break
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    return 128 + received[0] if received else code


def checksums(update: bool = False) -> int:
    """Check data files against ``sources.yml``; with ``update``, rewrite the recorded sha256 and size first."""
    from analysis.sources import update_checksums, verify

    if update:
        for name in update_checksums():
            print(f"updated {name}")
    problems = verify()
    for line in problems:
        print(line, file=sys.stderr)
    if not problems:
        print("data checksums: all match data/sources.yml")
    return 1 if problems else 0


def check_param_arguments(argv: list[str]) -> None:
    """A ``-p`` value without ``=``: one line suggesting the ``NAME=VALUE`` form.

    ``-p tokens_per_month 1e10`` would otherwise end in argparse's "unrecognized
    arguments: 1e10" (or take ``1e10`` for a notebook name).

    Raises
    ------
    ParameterError
        Naming the ``-p NAME=VALUE`` the user most likely meant.
    """
    for i, arg in enumerate(argv):
        if arg in ("-p", "--param") and i + 1 < len(argv):
            value, following = argv[i + 1], argv[i + 2] if i + 2 < len(argv) else None
        elif arg.startswith("--param="):
            value, following = arg.split("=", 1)[1], None
        elif arg.startswith("-p") and len(arg) > 2 and not arg.startswith("--"):
            value, following = arg[2:], None
        else:
            continue
        if "=" in value:
            continue
        if following is not None and not following.startswith("-"):
            raise ParameterError(f"-p {value} {following}: write -p {value}={following} (one argument, NAME=VALUE)")
        raise ParameterError(f"-p {value}: expected NAME=VALUE, e.g. -p {value}=...")


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, no usage wall
        raise ParameterError(message)


def check_scheduler(value: str | None) -> str | None:
    """Validate ``--scheduler``: ``local``, ``local:N`` (N >= 1) or an address such as ``tcp://host:8786``."""
    if value is None:
        return None
    if value == "local" or re.fullmatch(r"local:[1-9][0-9]*", value):
        return value
    if value.startswith("local"):
        raise ParameterError(f"--scheduler {value}: use local or local:N with N at least 1")
    if not re.fullmatch(r"([a-z]+://)?[A-Za-z0-9_.\-\[\]:]+(:[0-9]+)?", value):
        raise ParameterError(f"--scheduler {value}: expected local, local:N or an address such as tcp://host:8786")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m analysis``."""
    parser = _Parser(prog="python -m analysis", description="Run the notebook collection.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    jobs_default = os.cpu_count() or 1
    scheduler_help = ("run on Dask: local (a cluster of --jobs worker processes here), local:N, "
                      "or a scheduler address such as tcp://host:8786")

    rep = sub.add_parser("report", help="execute notebooks into reports/<UTC timestamp>/")
    rep.add_argument("notebooks", nargs="*", help="notebook stems such as 01_price_decline (default: all)")
    rep.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE",
                     help="set a parameter (STEM.NAME=VALUE for one notebook); repeatable")
    rep.add_argument("--params", metavar="FILE.yaml", help="YAML mapping of parameters ({stem: {...}} per notebook)")
    rep.add_argument("--jobs", type=int, default=jobs_default, help=f"parallel notebooks (default {jobs_default})")
    rep.add_argument("--out", metavar="DIR", help="write here instead of reports/<timestamp> (latest untouched)")
    rep.add_argument("--timeout", type=int, default=DEFAULT_CELL_TIMEOUT_S, help="per-cell timeout in seconds")
    rep.add_argument("--scheduler", metavar="ADDRESS", help=scheduler_help)

    swp = sub.add_parser("sweep", help="run a parameter grid and collect results into one CSV")
    swp.add_argument("notebook")
    swp.add_argument("--grid", required=True, metavar="FILE.yaml", help="{parameter: [values, ...] or {low, high, n}}")
    swp.add_argument("--jobs", type=int, default=jobs_default)
    swp.add_argument("--out", metavar="DIR")
    swp.add_argument("--resume", metavar="DIR", help="continue the sweep in DIR, skipping runs complete there")
    swp.add_argument("--seed", type=int, default=0, help="Latin hypercube seed for ranges (default 0)")
    swp.add_argument("--engine", choices=("warm", "papermill"), default="warm",
                     help="warm (default): one kernel per worker, reset between runs; papermill: a fresh kernel per run")
    swp.add_argument("--timeout", type=int, default=DEFAULT_CELL_TIMEOUT_S)
    swp.add_argument("--scheduler", metavar="ADDRESS", help=scheduler_help)

    cmp_ = sub.add_parser("compare", help="compare two report folders: results, parameters, data, figures")
    cmp_.add_argument("first", metavar="A", help="report folder, e.g. upstream's run")
    cmp_.add_argument("second", metavar="B", help="report folder, e.g. your run")
    cmp_.add_argument("--out", metavar="FILE.html", help="where to write the page (default B/compare.html)")

    rdm = sub.add_parser("readme", help="rewrite the README's marked numbers from a report's results")
    rdm.add_argument("report", nargs="?", help="report folder (default reports/latest)")
    rdm.add_argument("--check", action="store_true", help="only list the numbers that differ; exit 1 if any")

    sub.add_parser("lab", help="open JupyterLab at the project root with this environment's kernel")
    cch = sub.add_parser("cache", help="fitted results cached by content (reports/.cache or ANALYSIS_CACHE_DIR)")
    cch.add_argument("action", choices=("info", "clear"), help="info: what is stored; clear: empty it")
    chk = sub.add_parser("checksums", help="check data files against data/sources.yml")
    chk.add_argument("--update", action="store_true",
                     help="rewrite sha256/bytes in data/sources.yml after a deliberate data change")
    dat = sub.add_parser("data", help="rebuild a generated data file (maintainers; review the diff)")
    dat.add_argument("what", choices=("market",), help="market: data/market_prices.csv from the installed genai-prices")
    dat.add_argument("--snapshot-date", required=True, metavar="YYYY-MM-DD",
                     help="the day the installed release is the newest one (the package data carries no date)")
    return parser


def data_command(what: str, snapshot_date: str) -> int:
    """``python -m analysis data market``: rebuild the market snapshot from the installed package's bundled data."""
    import pandas as pd

    from analysis import market

    try:
        date = pd.Timestamp(snapshot_date)
    except ValueError:
        raise ParameterError(f"--snapshot-date {snapshot_date}: expected YYYY-MM-DD") from None
    try:
        table = market.build_snapshot(date)
    except RuntimeError as exc:
        raise ParameterError(str(exc)) from None
    current = table[table["price_status"] == "current"]
    print(f"wrote data/{market.SNAPSHOT_FILE}: {len(table)} prices ({len(current)} current), "
          f"{table['model'].notna().sum()} mapped to project models; origin record updated in data/sources.yml")
    return 0


class Terminated(KeyboardInterrupt):
    """SIGTERM to a report or sweep, raised in the main thread like Ctrl-C so that every ``finally`` runs:
    workers stopped, the build folder and the temporary kernelspec folder removed."""


def _terminated(signum, frame):
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code (143 after SIGTERM, 130 after Ctrl-C)."""
    import signal

    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv and argv[0] == "lab":
            return lab(argv[1:])
        if argv and argv[0] in ("report", "sweep") and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            signal.signal(signal.SIGTERM, _terminated)
        if argv and argv[0] in ("report", "sweep"):
            check_param_arguments(argv[1:])
        args = build_parser().parse_args(argv)
        if getattr(args, "jobs", 1) < 1:
            raise ParameterError(f"--jobs must be at least 1, got {args.jobs}")
        if getattr(args, "timeout", 1) < 1:
            raise ParameterError(f"--timeout must be at least 1 second, got {args.timeout}")
        scheduler = check_scheduler(getattr(args, "scheduler", None))
        if args.command == "report":
            return report(args.notebooks, args.param, args.params, args.jobs, args.out, args.timeout, scheduler)
        if args.command == "sweep":
            if args.out and args.resume:
                raise ParameterError("--out and --resume both name the sweep folder; give one")
            return sweep(args.notebook, args.grid, args.jobs, args.out, args.timeout, resume=args.resume,
                         seed=args.seed, engine=args.engine, scheduler=scheduler)
        if args.command == "data":
            return data_command(args.what, args.snapshot_date)
        if args.command == "readme":
            from analysis.readme import readme

            return readme(args.report, args.check)
        if args.command == "cache":
            from analysis.cache import command

            return command(args.action)
        if args.command == "compare":
            from analysis.runner.compare import compare

            return compare(args.first, args.second, args.out)
        return checksums(args.update)
    except ParameterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        from analysis.data import DataValidationError

        if isinstance(exc, DataValidationError):
            print(f"error: {exc}", file=sys.stderr)
            return 2
        raise
    except KeyboardInterrupt as exc:
        how = "stopped by SIGTERM" if isinstance(exc, Terminated) else "interrupted"
        print(f"{how}: nothing was moved into place; reports/latest unchanged", file=sys.stderr)
        return 143 if isinstance(exc, Terminated) else 130
