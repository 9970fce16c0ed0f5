"""A fork that edits a data file: only the checksum step asks for action, and after it everything is green."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys

import pytest

from analysis import capex, data
from conftest import PROJECT, run_cli

#: The test files a forker's ``make test`` runs that read the data folder (a subset, to stay fast).
DATA_TESTS = ("tests/test_data.py", "tests/test_capex.py", "tests/test_payback.py")
COMPANIES = ["Amazon", "Alphabet", "Meta", "Microsoft", "Oracle"]


def _pytest(data_dir) -> tuple[int, list[str]]:
    """Run the data-reading tests against ``data_dir``; return the exit code and the failed test ids."""
    env = {**os.environ, "ANALYSIS_DATA_DIR": str(data_dir)}
    proc = subprocess.run([sys.executable, "-m", "pytest", *DATA_TESTS, "-q", "-rf", "-p", "no:cacheprovider",
                           "-m", "not notebooks"], capture_output=True, text=True, env=env, cwd=str(PROJECT),
                          timeout=600)
    failed = re.findall(r"^FAILED (\S+)", proc.stdout, flags=re.M)
    return proc.returncode, failed


def _add_statement(path) -> None:
    """A forker's edit: a newer Amazon 2026 statement, $30B above the newest one in the file."""
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    amazon = [r for r in rows if r["company"] == "Amazon" and r["period"] == "2026" and r["kind"] == "guidance"]
    newest = max(amazon, key=lambda r: r["statement_date"])
    rows.append({**newest, "point_usd_b": str(float(newest["point_usd_b"]) + 30), "statement_date": "2099-01-02",
                 "source": "a fork's own statement, https://example.org/fork", "notes": "fork test"})
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_a_forks_data_edit_asks_only_for_the_checksum_step(data_copy):
    before = capex.aggregate_capex(data.load_capex(PROJECT / "data"), 2026, COMPANIES)["point"]
    _add_statement(data_copy / "capex.csv")
    env = {"ANALYSIS_DATA_DIR": str(data_copy)}

    # the edit flows: the aggregate that 04 and 06 both use moves by the edit
    assert capex.aggregate_capex(data.load_capex(data_copy), 2026, COMPANIES)["point"] == pytest.approx(before + 30)

    # the checksum step asks for action, naming the file, the generated README line and the command
    check = run_cli("checksums", env=env)
    assert check.returncode == 1
    problems = check.stderr.strip().splitlines()
    assert problems and all(p.endswith("python -m analysis checksums --update") for p in problems), problems
    assert problems[0].startswith("capex.csv: changed since sources.yml recorded it")
    assert any(p.startswith("README.md: the newest-statement line of capex.csv") for p in problems)

    # ... and is the only test that fails
    code, failed = _pytest(data_copy)
    assert code == 1 and failed == ["tests/test_data.py::test_checksums_match_origin_records"], failed

    # after the command the forker is told to run, everything is green
    update = run_cli("checksums", "--update", env=env)
    assert update.returncode == 0, update.stderr
    assert "2099-01-02" in (data_copy / "README.md").read_text()
    code, failed = _pytest(data_copy)
    assert code == 0 and failed == [], failed


def test_the_newest_statement_lines_are_generated_from_the_data(data_copy):
    assert data.readme_newest_problems(data_copy) == []
    readme = (data_copy / "README.md").read_text()
    newest = data.newest_statements(data.load_capex(data_copy))
    assert f"Amazon {newest['Amazon']}" in readme and "<!--newest ai_revenue.csv -->" in readme
    _add_statement(data_copy / "capex.csv")
    (problem,) = data.readme_newest_problems(data_copy)
    assert problem.startswith("README.md: the newest-statement line of capex.csv")
    assert data.update_readme_newest(data_copy) == ["capex.csv"]
    assert "Amazon 2099-01-02" in (data_copy / "README.md").read_text()
    assert data.readme_newest_problems(data_copy) == []
