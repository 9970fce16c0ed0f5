"""The report runner from the command line: bad input, failures, atomic reports."""

from __future__ import annotations

import json

import pytest

from analysis.sources import current_checksums
from conftest import PROJECT, edit_csv, run_cli


def assert_one_line_error(proc, code, *fragments):
    assert proc.returncode == code, (proc.returncode, proc.stderr[-2000:])
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.mark.parametrize("args, fragments", [
    (["report", "01_price_decline", "-p", "no_such=1"], ["unknown parameter 'no_such'", "known:"]),
    (["report", "01_price_decline", "-p", "min_points=four"], ["parameter min_points", "not a valid int"]),
    (["report", "01_price_decline", "-p", "exclude_reasoning=perhaps"], ["not a bool"]),
    (["report", "01_price_decline", "-p", "benchmarks=3"], ["not a valid list"]),
    (["report", "99_missing"], ["unknown notebook '99_missing'", "01_price_decline"]),
    (["report", "--jobs", "0"], ["--jobs must be at least 1"]),
    (["report", "--bogus-flag"], ["unrecognized arguments"]),
    (["sweep", "01_price_decline"], ["--grid"]),
    # the space instead of "=": the form meant, not argparse's "unrecognized arguments"
    (["report", "05_edge_vs_cloud", "-p", "tokens_per_month", "1e10"], ["write -p tokens_per_month=1e10"]),
    (["report", "-p", "tokens_per_month", "1e10", "05_edge_vs_cloud"], ["write -p tokens_per_month=1e10"]),
    (["report", "05_edge_vs_cloud", "-p", "tokens_per_month"], ["expected NAME=VALUE"]),
    (["report", "01_price_decline", "-p", "min_point=4"], ["unknown parameter 'min_point'",
                                                           "did you mean 'min_points'?"]),
    (["report", "01_price_declin"], ["unknown notebook '01_price_declin'", "did you mean '01_price_decline'?"]),
    (["report", "05"], ["did you mean '05_edge_vs_cloud'?"]),
])
def test_bad_input_is_one_line_and_exit_2(reports, args, fragments):
    proc = run_cli(*args)
    assert_one_line_error(proc, 2, *fragments)
    assert not reports.exists() or not any(reports.iterdir())


def test_unreadable_yaml(reports, tmp_path):
    bad = tmp_path / "params.yaml"
    bad.write_text("min_points: [4\n")
    assert_one_line_error(run_cli("report", "--params", str(bad)), 2, "params.yaml: line")
    assert_one_line_error(run_cli("report", "--params", str(tmp_path / "absent.yaml")), 2, "cannot read")
    typed = tmp_path / "typed.yaml"
    typed.write_text("min_points: 4.5\n")
    assert_one_line_error(run_cli("report", "--params", str(typed)), 2, "min_points", "not a valid int")


@pytest.mark.parametrize("column, value, rule", [
    ("blended_3to1_usd_per_mtok", "-3", "must be > 0"),
    ("date", "2024-02-30", "must be a date"),
])
def test_bad_data_stops_before_any_kernel(reports, data_copy, column, value, rule):
    edit_csv(data_copy / "llm_prices.csv", 5, column, value)
    before = current_checksums(PROJECT / "data")
    proc = run_cli("report", "01_price_decline")
    assert_one_line_error(proc, 2, "llm_prices.csv: line 5", f"column '{column}'", rule)
    assert current_checksums(PROJECT / "data") == before
    assert not (reports / "latest").exists()


def _drop_date_column(path):
    import pandas as pd

    pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns=["date"]).to_csv(path, index=False)


def _duplicate_fourth_row(path):
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines + [lines[3]]))


@pytest.mark.parametrize("corrupt, fragments", [
    (_drop_date_column, ["llm_prices.csv: line 1", "column 'date'", "required column is missing"]),
    (_duplicate_fourth_row, ["llm_prices.csv: line 214", "model+date", "duplicate key"]),
])
def test_structural_data_faults_stop_the_runner(reports, data_copy, corrupt, fragments):
    corrupt(data_copy / "llm_prices.csv")
    proc = run_cli("report", "01_price_decline")
    assert_one_line_error(proc, 2, *fragments)
    assert not (reports / "latest").exists()


def test_failing_notebook_does_not_stop_the_others(reports, tiny_notebooks):
    first = run_cli("report", "91_ok")
    assert first.returncode == 0, first.stderr
    latest = (reports / "latest").resolve()
    assert json.loads((latest / "91_ok" / "results.json").read_text()) == {"x_squared": 4}

    proc = run_cli("report", "-p", "x=3", "--jobs", "2")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    failures = [line for line in proc.stderr.splitlines() if line.startswith("FAILED")]
    assert len(failures) == 1
    assert "92_fails" in failures[0] and "cell 3" in failures[0]
    assert "ValueError: deliberate failure for the test" in failures[0]
    # the other notebook ran, the partial executed notebook is kept, latest did not move
    runs = sorted(p for p in reports.iterdir() if p.is_dir() and not p.is_symlink() and p.name != "latest")
    assert len(runs) == 2
    failed_run = runs[-1]
    assert json.loads((failed_run / "91_ok" / "results.json").read_text()) == {"x_squared": 9}
    assert (failed_run / "92_fails" / "92_fails.ipynb").exists()
    assert (failed_run / "92_fails" / "92_fails.html").exists()
    assert (reports / "latest").resolve() == latest
    assert not [p for p in reports.iterdir() if p.name.startswith(".building")]
    index = (failed_run / "index.html").read_text()
    assert "FAILED" in index and "x_squared" in index


def test_out_folder_leaves_latest_alone(reports, tiny_notebooks, tmp_path):
    out = tmp_path / "elsewhere"
    proc = run_cli("report", "91_ok", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    for name in ("index.html", "run.json", "91_ok/91_ok.ipynb", "91_ok/91_ok.html", "91_ok/results.json"):
        assert (out / name).exists(), name
    assert (out.stat().st_mode & 0o777) == (0o777 & ~_umask())   # not left private like a temporary folder
    assert not (reports / "latest").exists()
    again = run_cli("report", "91_ok", "--out", str(out))
    assert_one_line_error(again, 2, "not empty")


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_kernel_runs_on_the_runners_interpreter_despite_a_users_python3_kernel(reports, tiny_notebooks, tmp_path):
    import sys

    user = tmp_path / "userjupyter"
    spec = user / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": ["/nonexistent/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "broken", "language": "python"}))
    from conftest import write_notebook

    write_notebook(tiny_notebooks / "93_which.ipynb", 'output_dir: str = ""  # set by the runner',
                   "import sys\nfrom analysis import results\n"
                   "results.save_results({'executable': sys.executable}, results.output_dir(output_dir, 'c'))")
    proc = run_cli("report", "93_which", env={"JUPYTER_DATA_DIR": str(user), "JUPYTER_PATH": str(user)})
    assert proc.returncode == 0, proc.stderr
    result = json.loads((reports / "latest" / "93_which" / "results.json").read_text())
    assert result["executable"] == sys.executable


def test_sweep_writes_one_csv(reports, tiny_notebooks, tmp_path):
    import pandas as pd

    grid = tmp_path / "grid.yaml"
    grid.write_text("x: [1, 2, 5]\n")
    out = tmp_path / "sweep"
    proc = run_cli("sweep", "91_ok", "--grid", str(grid), "--out", str(out), "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(out / "sweep.csv").sort_values("param.x")
    assert list(table["param.x"]) == [1, 2, 5]
    assert list(table["x_squared"]) == [1, 4, 25]
    assert table["ok"].all()
    bad = tmp_path / "bad_grid.yaml"
    bad.write_text("y: [1]\n")
    assert_one_line_error(run_cli("sweep", "91_ok", "--grid", str(bad)), 2, "unknown parameter 'y'")


def test_interrupted_run_leaves_no_report_and_latest_unchanged(reports, tiny_notebooks):
    import os
    import signal
    import subprocess
    import sys
    import time

    from conftest import write_notebook

    assert run_cli("report", "91_ok").returncode == 0
    latest = (reports / "latest").resolve()
    write_notebook(tiny_notebooks / "93_slow.ipynb", 'output_dir: str = ""  # set by the runner',
                   "import time\ntime.sleep(60)")
    proc = subprocess.Popen([sys.executable, "-m", "analysis", "report", "93_slow"], cwd=str(PROJECT),
                            env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline and not list(reports.glob(".building-*/93_slow")):
        time.sleep(0.2)
    time.sleep(8.0)                       # the kernel has started and is inside the sleeping cell
    proc.send_signal(signal.SIGINT)
    started = time.time()
    _, err = proc.communicate(timeout=60)
    assert time.time() - started < 30, "the run (or a kernel holding its output open) outlived the interrupt"
    assert proc.returncode == 130, err[-2000:]
    assert "Traceback" not in err
    assert (reports / "latest").resolve() == latest
    leftovers = [p.name for p in reports.iterdir() if p.name != "latest" and p.resolve() != latest]
    assert leftovers == []


def _wait_for(condition, seconds: float = 60.0) -> bool:
    import time

    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def test_killed_runner_takes_its_workers_along_and_its_build_folder_is_removed(reports, tiny_notebooks, tmp_path):
    import os
    import signal
    import subprocess
    import sys

    import psutil

    from conftest import write_notebook

    started = tmp_path / "started"
    write_notebook(tiny_notebooks / "93_slow.ipynb", 'output_dir: str = ""  # set by the runner',
                   f"import time\nopen({str(started)!r}, 'w').close()\ntime.sleep(120)")
    proc = subprocess.Popen([sys.executable, "-m", "analysis", "report", "93_slow", "--jobs", "2"], cwd=str(PROJECT),
                            env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        assert _wait_for(started.exists, 120), "the notebook never started"
        descendants = psutil.Process(proc.pid).children(recursive=True)
        assert descendants                                  # pool worker(s) and the kernel
        proc.send_signal(signal.SIGKILL)                    # what an OOM killer or a CI timeout does
        proc.wait(timeout=30)

        def all_gone():
            return not [p for p in descendants if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        assert _wait_for(all_gone, 60), [p.pid for p in descendants if p.is_running()]
    finally:
        if proc.poll() is None:
            proc.kill()
    abandoned = list(reports.glob(".building-*"))
    assert len(abandoned) == 1 and (abandoned[0] / ".owner").exists()
    assert run_cli("report", "91_ok").returncode == 0
    assert not list(reports.glob(".building-*"))


def test_two_reports_started_at_once_both_finish_in_their_own_folders(reports, tiny_notebooks):
    import os
    import subprocess
    import sys

    procs = [subprocess.Popen([sys.executable, "-m", "analysis", "report", "91_ok", "-p", f"x={x}", "--jobs", "1"],
                              cwd=str(PROJECT), env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for x in (3, 4)]
    outcomes = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err[-1500:] for _, err in outcomes]
    runs = sorted(p for p in reports.iterdir() if p.is_dir() and not p.is_symlink())
    assert len(runs) == 2
    assert sorted(json.loads((r / "91_ok" / "results.json").read_text())["x_squared"] for r in runs) == [9, 16]
    latest = (reports / "latest").resolve()
    assert latest in runs and (latest / "index.html").exists() and (latest / "run.json").exists()
    assert not [p for p in reports.iterdir() if p.name.startswith(".")]
