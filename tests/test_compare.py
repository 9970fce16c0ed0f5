"""``python -m analysis compare A B``: differences between two report folders."""

from __future__ import annotations

import json

from conftest import run_cli
from test_runner import assert_one_line_error


def test_compare_two_runs_of_a_notebook(reports, tiny_notebooks, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert run_cli("report", "91_ok", "--out", str(first)).returncode == 0
    assert run_cli("report", "91_ok", "-p", "x=3", "--out", str(second)).returncode == 0
    proc = run_cli("compare", str(first), str(second))
    assert proc.returncode == 0, proc.stderr
    assert "91_ok.x_squared: 4 -> 9  +5 (+125.00%)" in proc.stdout
    assert "91_ok.x: 2 -> 3" in proc.stdout
    assert "data files that differ: 0" in proc.stdout
    page = (second / "compare.html").read_text()
    assert "x_squared" in page and "+125.00%" in page
    same = run_cli("compare", str(first), str(first), "--out", str(tmp_path / "same.html"))
    assert same.returncode == 0 and "results that differ: 0" in same.stdout
    summary = json.loads((first / "run.json").read_text())
    summary["data_sha256"]["capex.csv"] = "0" * 64           # as if A ran on an edited capex.csv
    (first / "run.json").write_text(json.dumps(summary))
    proc = run_cli("compare", str(first), str(second))
    assert proc.returncode == 0 and "data files that differ: 1" in proc.stdout and "capex.csv" in proc.stdout


def test_compare_bad_input_is_one_line_and_exit_2(tmp_path):
    assert_one_line_error(run_cli("compare", str(tmp_path / "nope"), str(tmp_path)), 2, "no such report folder")
    assert_one_line_error(run_cli("compare", str(tmp_path), str(tmp_path)), 2, "not a report folder")
    assert_one_line_error(run_cli("compare", str(tmp_path)), 2, "arguments are required")
