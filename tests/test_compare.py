"""``python -m analysis compare A B``: differences between two report folders."""

from __future__ import annotations

import json
import subprocess
import sys

from analysis.runner.compare import changed_lines
from conftest import PROJECT, run_cli
from test_runner import assert_one_line_error


def test_compare_two_runs_of_a_notebook(reports, tiny_notebooks, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert run_cli("report", "--out", str(first)).returncode == 1          # 91_ok and 92_fails
    assert run_cli("report", "91_ok", "-p", "x=3", "--out", str(second)).returncode == 0
    summary = json.loads((second / "run.json").read_text())
    assert summary["notebooks"][0]["folder"] == "91_ok"                    # relative to the report, not .building-*
    assert set(summary["data_rows"]) == set(summary["data_sha256"])
    proc = run_cli("compare", str(first), str(second))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "compared: 91_ok\nonly in A (not compared): 92_fails" in out
    assert "91_ok.x_squared: 4 -> 9  +5 (+125.00%)" in out
    assert "91_ok.x: 2 -> 3" in out and "absent" not in out
    assert out.index("WHAT WAS CHANGED") < out.index("WHAT IT MOVED") < out.index("results that differ: 1")
    assert "data files that differ: 0" in out
    page = (second / "compare.html").read_text()
    assert "x_squared" in page and "+125.00%" in page and "not in B" not in page
    assert page.index("What was changed") < page.index("What it moved") < page.index("Results that differ")
    same = run_cli("compare", str(second), str(second), "--out", str(tmp_path / "same.html"))
    assert same.returncode == 0 and "results that differ: 0" in same.stdout
    summary = json.loads((first / "run.json").read_text())
    summary["data_sha256"]["capex.csv"] = "0" * 64           # as if A ran on a capex.csv with its line 3 edited
    summary["data_rows"]["capex.csv"][2] = "00000000"
    (first / "run.json").write_text(json.dumps(summary))
    proc = run_cli("compare", str(first), str(second))
    assert proc.returncode == 0 and "data files that differ: 1" in proc.stdout
    assert "  capex.csv: line 3 changed" in proc.stdout


def _fake_report(folder, notebooks: dict) -> None:
    """A report folder as compare reads it: run.json and each notebook's results.json (no kernel)."""
    folder.mkdir()
    runs = []
    for stem, results in notebooks.items():
        (folder / stem).mkdir()
        (folder / stem / "results.json").write_text(json.dumps(results))
        runs.append({"stem": stem, "ok": True, "parameters": {}, "folder": stem})
    (folder / "run.json").write_text(json.dumps({"notebooks": runs, "data_sha256": {}}))


def test_partial_run_compares_what_both_ran_findings_first_years_absolute_durations_left_out(tmp_path):
    from analysis.index_page import DECISION_SUMMARY
    from analysis.result_catalog import kind

    money = next(f for f in DECISION_SUMMARY if kind(f.key, f.stem) == "money" and "B" in f.fmt)
    # a calendar-year result (a detail of 04, not a decision-summary finding)
    year_stem, year_key = "04_capex_allocation", "price_meets_floor_year_fixed_rate"
    assert kind(year_key, year_stem) == "year"
    assert "01_price_decline" not in (money.stem, year_stem)
    full = {"01_price_decline": {"median_factor_per_year": 40.0}, money.stem: {}, year_stem: {}}
    partial = {money.stem: {}, year_stem: {}}
    for results, values in ((full, (10.0, 2028.56, 3.0)), (partial, (-15.0, 2028.28, 13.0))):
        results[money.stem].update({money.key: values[0], "monte_carlo_seconds": values[2], "utilization": 0.6})
        results[year_stem][year_key] = values[1]
    _fake_report(tmp_path / "a", full)
    _fake_report(tmp_path / "b", partial)
    proc = run_cli("compare", str(tmp_path / "a"), str(tmp_path / "b"))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "only in A (not compared): 01_price_decline" in lines
    assert not any("absent" in line or "01_price_decline." in line for line in lines)
    moved = lines.index("decision summary: 1 of 1 findings moved")
    money_line = next(line for line in lines[moved + 1: moved + 2] if line.startswith(f"  {money.label}: "))
    assert "-$15B" in money_line and "$-" not in money_line and "  -$25B (-250.0%)" in money_line
    row = next(line for line in lines if line.startswith(f"  {year_stem}.{year_key}"))
    assert row.endswith("2028.56 -> 2028.28  -0.28 years") and "%" not in row          # no relative change of a year
    assert lines.index("results that differ: 2") > moved
    assert "monte_carlo_seconds" not in "\n".join(lines[:-3])            # only on the "left out" line
    assert any(line.startswith("left out: 1 results") and "monte_carlo_seconds" in line for line in lines)


def test_piped_into_head_exits_0_without_a_traceback(tmp_path):
    many = {"04_capex_allocation": {f"cost_floor_usd_per_mtok_{i}": float(i) for i in range(4000)}}
    _fake_report(tmp_path / "a", many)
    _fake_report(tmp_path / "b", {"04_capex_allocation": {k: v + 1 for k, v in many["04_capex_allocation"].items()}})
    command = (f"set -o pipefail; {sys.executable} -m analysis compare {tmp_path / 'a'} {tmp_path / 'b'} "
               f"--out {tmp_path / 'c.html'} | head -3")
    proc = subprocess.run(["bash", "-c", command], capture_output=True, text=True, cwd=str(PROJECT), timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr
    assert len(proc.stdout.splitlines()) == 3 and (tmp_path / "c.html").is_file()


def test_changed_lines_names_changed_added_and_removed_lines():
    old = ["h", "a", "b", "c", "d"]
    assert changed_lines(old, ["h", "a", "B", "c", "d"])["text"] == "line 3 changed"
    assert changed_lines(old, ["h", "a", "b", "c", "d", "e", "f"])["text"] == "lines 6-7 added in B"
    assert changed_lines(old, ["h", "b", "c", "d"])["text"] == "line 2 removed (lines of A)"
    assert changed_lines(old, old)["text"] == "same lines"


def test_compare_bad_input_is_one_line_and_exit_2(tmp_path):
    assert_one_line_error(run_cli("compare", str(tmp_path / "nope"), str(tmp_path)), 2, "no such report folder")
    assert_one_line_error(run_cli("compare", str(tmp_path), str(tmp_path)), 2, "not a report folder")
    assert_one_line_error(run_cli("compare", str(tmp_path)), 2, "arguments are required")
