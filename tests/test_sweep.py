"""Sweeps: run keys, Latin hypercube ranges, sweep.csv appended as runs finish, --resume."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time

import pytest

from analysis.params import ParameterError
from analysis.runner.sweep import SweepTable, expand_grid, latin_hypercube, run_key
from conftest import PROJECT, run_cli, write_notebook

DECLARED = {"x": {"type": "int"}, "w": {"type": "float"}, "v": {"type": "float"}, "names": {"type": "list"},
            "label": {"type": "str"}}


def test_run_key_depends_on_notebook_and_parameters_only():
    assert run_key("nb", {"x": 1, "w": 2.0}) == run_key("nb", {"w": 2.0, "x": 1})
    assert run_key("nb", {"x": 1}) != run_key("nb", {"x": 2})
    assert run_key("nb", {"x": 1}) != run_key("other", {"x": 1})
    assert len(run_key("nb", {})) == 16


def test_latin_hypercube_puts_one_point_in_every_stratum():
    points = latin_hypercube({"w": (0.0, 10.0, False, "float"), "v": (1.0, 1e4, True, "float")}, 8, seed=3)
    assert len(points) == 8
    assert sorted(int(p["w"] // 1.25) for p in points) == list(range(8))
    assert sorted(int(math.log10(p["v"]) // 0.5) for p in points) == list(range(8))
    assert points == latin_hypercube({"w": (0.0, 10.0, False, "float"), "v": (1.0, 1e4, True, "float")}, 8, seed=3)
    assert points != latin_hypercube({"w": (0.0, 10.0, False, "float"), "v": (1.0, 1e4, True, "float")}, 8, seed=4)


def test_ranges_cross_with_listed_values():
    grid = {"label": ["a", "b"], "w": {"low": 0, "high": 1, "n": 5}, "x": {"low": 1, "high": 100, "n": 5, "log": True}}
    runs = expand_grid(grid, DECLARED, seed=1)
    assert len(runs) == 10
    assert {r["label"] for r in runs} == {"a", "b"}
    assert all(isinstance(r["x"], int) and 1 <= r["x"] <= 100 for r in runs)
    assert all(isinstance(r["w"], float) and 0 <= r["w"] <= 1 for r in runs)
    assert expand_grid({"x": [1, 1, 2]}, DECLARED) == [{"x": 1}, {"x": 2}]    # duplicates run once


@pytest.mark.parametrize("grid, message", [
    ({"w": {"low": 0, "high": 1}}, "missing: n"),
    ({"w": {"low": 0, "high": 1, "n": 3, "step": 1}}, "unknown: step"),
    ({"w": {"low": 2, "high": 1, "n": 3}}, "above high"),
    ({"w": {"low": 0, "high": 1, "n": 3, "log": True}}, "log range needs low > 0"),
    ({"w": {"low": 0, "high": 1, "n": 0}}, "n must be"),
    ({"w": {"low": 0, "high": 1, "n": 3}, "v": {"low": 0, "high": 1, "n": 4}}, "same n"),
    ({"label": {"low": 0, "high": 1, "n": 3}}, "a range .* is for int and float parameters"),
])
def test_bad_ranges(grid, message):
    with pytest.raises(ParameterError, match=message):
        expand_grid(grid, DECLARED)


@pytest.mark.parametrize("grid, message", [
    ({"w": 0.5}, r"w: expected a list of values, got the single value 0.5 \(write w: \[0.5\] to hold it fixed"),
    ({"label": "a"}, r"label: expected a list of values"),
    ({"names": "a"}, r"list parameter; give a list of lists"),
    ({"lable": ["a"]}, r"unknown parameter 'lable' \(did you mean 'label'\?\)"),
])
def test_a_scalar_is_not_a_grid_and_typos_get_a_suggestion(grid, message):
    with pytest.raises(ParameterError, match=message):
        expand_grid(grid, DECLARED)
    assert expand_grid({"w": [0.5], "x": [1, 2]}, DECLARED) == [{"w": 0.5, "x": 1}, {"w": 0.5, "x": 2}]


def test_table_appends_and_widens(tmp_path):
    import pandas as pd

    path = tmp_path / "sweep.csv"
    table = SweepTable(path, [])
    table.append({"run": 1, "key": "b", "ok": False, "error": "boom", "attempts": 1, "param.x": 2})
    assert pd.read_csv(path)["error"].tolist() == ["boom"]
    table.append({"run": 0, "key": "a", "ok": True, "error": "", "attempts": 1, "param.x": 1, "y": 3.5})
    table.append({"run": 2, "key": "c", "ok": True, "error": "", "attempts": 1, "param.x": 3, "y": 4.5})
    frame = pd.read_csv(path)
    assert frame["key"].tolist() == ["b", "a", "c"] and frame["y"].isna().tolist() == [True, False, False]
    table.rewrite(order={"a": 0, "b": 1, "c": 2})
    assert pd.read_csv(path)["key"].tolist() == ["a", "b", "c"]


def test_sweep_with_a_range_and_scientific_notation(reports, tiny_notebooks, tmp_path):
    import pandas as pd

    grid = tmp_path / "grid.yaml"
    grid.write_text("x: {low: 1, high: 1e3, n: 3, log: true}\n")
    out = tmp_path / "sweep"
    proc = run_cli("sweep", "91_ok", "--grid", str(grid), "--out", str(out), "--jobs", "2", "--seed", "7")
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(out / "sweep.csv")
    assert len(table) == 3 and (table["x_squared"] == table["param.x"] ** 2).all()
    assert sorted(int(math.log10(x) // 1) for x in table["param.x"].clip(upper=999)) == [0, 1, 2]
    assert set(table["key"]) == {p.name for p in (out / "runs").iterdir()}


def test_interrupted_sweep_resumes_only_the_missing_runs(reports, tiny_notebooks, tmp_path):
    import pandas as pd

    log, block = tmp_path / "executions.log", tmp_path / "block"
    block.touch()
    write_notebook(tiny_notebooks / "95_logged.ipynb", 'x: int = 1\noutput_dir: str = ""',
                   f"import os, time\nopen({str(log)!r}, 'a').write(f'{{x}}\\n')\n"
                   f"while x == 3 and os.path.exists({str(block)!r}):\n    time.sleep(0.2)",
                   "from analysis import results\nresults.save_results({'x_squared': x * x}, output_dir)")
    grid = tmp_path / "grid.yaml"
    grid.write_text("x: [1, 2, 3]\n")
    out = tmp_path / "sweep"
    proc = subprocess.Popen([sys.executable, "-m", "analysis", "sweep", "95_logged", "--grid", str(grid),
                             "--out", str(out), "--jobs", "1"], cwd=str(PROJECT), env=dict(os.environ),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and "3" not in (log.read_text().split() if log.exists() else []):
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err[-2000:]
    assert f"--resume {out}" in err
    assert sorted(pd.read_csv(out / "sweep.csv")["param.x"]) == [1, 2]     # finished runs were kept

    block.unlink()
    resumed = run_cli("sweep", "95_logged", "--grid", str(grid), "--resume", str(out), "--jobs", "1")
    assert resumed.returncode == 0, resumed.stderr
    assert "2 of 3 runs already complete" in resumed.stdout
    assert log.read_text().split() == ["1", "2", "3", "3"]
    table = pd.read_csv(out / "sweep.csv")
    assert list(table["param.x"]) == [1, 2, 3] and list(table["x_squared"]) == [1, 4, 9]

    again = run_cli("sweep", "95_logged", "--grid", str(grid), "--resume", str(out))
    assert again.returncode == 0 and log.read_text().split() == ["1", "2", "3", "3"]


def test_resume_needs_a_sweep_of_the_same_notebook(reports, tiny_notebooks, tmp_path):
    from test_runner import assert_one_line_error

    grid = tmp_path / "grid.yaml"
    grid.write_text("x: [1]\n")
    assert_one_line_error(run_cli("sweep", "91_ok", "--grid", str(grid), "--resume", str(tmp_path)), 2,
                          "not a sweep folder")
    (tmp_path / "sweep.json").write_text('{"notebook": "92_fails"}')
    assert_one_line_error(run_cli("sweep", "91_ok", "--grid", str(grid), "--resume", str(tmp_path)), 2,
                          "that sweep ran 92_fails")
    assert_one_line_error(run_cli("sweep", "91_ok", "--grid", str(grid), "--out", "x", "--resume", "y"), 2,
                          "give one")


@pytest.mark.parametrize("swept", [1, 2, 3])
def test_sweep_page_has_a_figure_per_numeric_result_failures_and_the_table(tmp_path, swept):
    import itertools

    import pandas as pd

    from analysis.runner.execution import NotebookRun
    from analysis.runner.pages import write_sweep_page

    rows, runs = [], []
    for i, (a, b, c) in enumerate(itertools.product([1, 10, 100], ["x", "y"] if swept > 1 else ["x"],
                                                    [0.5, 1.5] if swept > 2 else [0.5])):
        ok = i != 1
        runs.append(NotebookRun(stem="nb", ok=ok, seconds=0.1, key=f"k{i}", error=None if ok else "ValueError: no",
                                cell=None if ok else 2, folder=str(tmp_path / f"k{i}")))
        rows.append({"run": i, "key": f"k{i}", "ok": ok, "error": "" if ok else "ValueError: no", "attempts": 1,
                     "param.a": a, "param.b": b, "param.c": c, "cost": a * c if ok else None,
                     "label": "text", "flag": True})
    pd.DataFrame(rows).to_csv(tmp_path / "sweep.csv", index=False)
    page = write_sweep_page(tmp_path, "nb", runs, tmp_path / "sweep.csv").read_text()
    assert page.count("<img") == 1 and "<h3>cost</h3>" in page      # one numeric result; text and bool skipped
    assert "FAILED nb run k1: cell 2: ValueError: no" in page
    assert page.split("<div class='scroll'>")[1].count("<tr") == len(rows) + 1
    assert "Results that do not vary (2)" in page                   # label and flag: listed once, not drawn


def test_sweep_writes_its_page(reports, tiny_notebooks, tmp_path):
    grid = tmp_path / "grid.yaml"
    grid.write_text("x: [1, 2]\n")
    out = tmp_path / "sweep"
    assert run_cli("sweep", "91_ok", "--grid", str(grid), "--out", str(out), "--jobs", "1").returncode == 0
    assert "<h3>x_squared</h3>" in (out / "sweep.html").read_text()


def _edge_like_sweep(folder):
    """A sweep.csv shaped like 05's shipped sweep: owning never breaks even in two regions and at 1e8 tokens."""
    import itertools

    import pandas as pd

    rows = []
    for i, (region, tokens) in enumerate(itertools.product(["algeria", "north-america", "europe", "morocco"],
                                                           [1e8, 1e9, 1e10, 1e11])):
        never = region in ("europe", "north-america") or tokens == 1e8
        rows.append({"run": i, "key": f"k{i}", "ok": True, "error": "", "attempts": 1, "param.region": region,
                     "param.tokens_per_month": tokens, "horizon_months": 36, "api_price_source": "market",
                     "own_usd_per_mtok": 3e9 / tokens, "breakeven_months": None if never else 60 / math.log10(tokens)})
    folder.mkdir()
    pd.DataFrame(rows).to_csv(folder / "sweep.csv", index=False)
    return folder / "sweep.csv"


def test_sweep_page_labels_never_lists_constant_results_once_and_scrolls_its_table(tmp_path):
    import pandas as pd

    from analysis.runner.pages import _figure, write_sweep_page

    csv = _edge_like_sweep(tmp_path / "sweep")
    page = write_sweep_page(csv.parent, "05_edge_vs_cloud", [], csv).read_text()
    panels = [line.split("<h3>")[1].split("</h3>")[0] for line in page.splitlines() if "<h3>" in line]
    assert panels == ["breakeven_months", "own_usd_per_mtok"]          # the headline first; constants not drawn
    constants = page.split("Results that do not vary (2)")[1].split("<h2>")[0]
    assert "horizon_months" in constants and "api_price_source" in constants
    assert "<div class='scroll'>" in page and "overflow:auto" in page
    table = pd.read_csv(csv)
    heat = _figure(table, "breakeven_months", ["param.region", "param.tokens_per_month"], "never")
    texts = [t.get_text() for t in heat.axes[0].texts]
    assert texts.count("never") == int(table["breakeven_months"].isna().sum()) == 10   # every never cell labelled
    assert [t.get_text() for t in heat.axes[0].get_legend().get_texts()] == ["never"]
    line = _figure(table[table["param.region"] == "algeria"], "breakeven_months", ["param.tokens_per_month"], "never")
    assert "never" in [t.get_text() for t in line.axes[0].get_legend().get_texts()]


def _temp_env(tmp_path) -> tuple[dict, "os.PathLike"]:
    temp = tmp_path / "tmp"
    temp.mkdir()
    return {**os.environ, "TMPDIR": str(temp)}, temp


def test_a_sweep_stopped_by_sigterm_cleans_up_and_exits_143(reports, tiny_notebooks, tmp_path):
    env, temp = _temp_env(tmp_path)
    started = tmp_path / "started"
    write_notebook(tiny_notebooks / "96_slow.ipynb", 'x: int = 1\noutput_dir: str = ""',
                   f"import time\nopen({str(started)!r}, 'a').write('x')\ntime.sleep(120)")
    grid = tmp_path / "grid.yaml"
    grid.write_text("x: [1, 2]\n")
    proc = subprocess.Popen([sys.executable, "-m", "analysis", "sweep", "96_slow", "--grid", str(grid),
                             "--out", str(tmp_path / "sweep"), "--jobs", "1"], cwd=str(PROJECT), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and not started.exists():
        time.sleep(0.2)
    assert [p.name for p in temp.glob("analysis-kernel-*")], "the sweep's kernelspec folder is not in TMPDIR"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err[-2000:]
    assert "Traceback" not in err and "--resume" in err
    assert sorted(p.name for p in temp.iterdir() if p.name.startswith("analysis-")) == []


def test_a_dask_sweep_leaves_nothing_in_the_temp_folder(reports, tiny_notebooks, tmp_path):
    env, temp = _temp_env(tmp_path)
    grid = tmp_path / "grid.yaml"
    grid.write_text("x: [1, 2, 3]\n")
    proc = run_cli("sweep", "91_ok", "--grid", str(grid), "--out", str(tmp_path / "sweep"), "--scheduler", "local:2",
                   env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    run = json.loads(next((tmp_path / "sweep" / "runs").glob("*/run.json")).read_text())
    assert run["folder"].startswith("runs/")                    # relative to the sweep folder
    assert sorted(p.name for p in temp.iterdir()) == []      # no kernel, data or Dask scratch folder left
