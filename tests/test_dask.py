"""Dask execution (``--scheduler local:2``): same results and exit codes as the local pool."""

from __future__ import annotations

import json

import pytest

from conftest import run_cli, write_notebook

pytest.importorskip("distributed")


def _results_by_key(folder):
    import pandas as pd

    table = pd.read_csv(folder / "sweep.csv")
    return table.set_index("key").drop(columns=["attempts"]).sort_index()


def test_report_on_a_local_cluster_equals_the_local_pool(reports, tiny_notebooks, tmp_path):
    outcomes = {}
    for label, extra in (("pool", []), ("dask", ["--scheduler", "local:2"])):
        out = tmp_path / label
        proc = run_cli("report", "91_ok", "92_fails", "-p", "x=5", "--out", str(out), *extra)
        failures = [line for line in proc.stderr.splitlines() if line.startswith("FAILED")]
        outcomes[label] = (proc.returncode, [f.replace(str(out), "OUT") for f in failures],
                           json.loads((out / "91_ok" / "results.json").read_text()),
                           sorted(p.name for p in (out / "92_fails").iterdir()))
    assert outcomes["pool"][0] == 1
    assert outcomes["dask"] == outcomes["pool"]
    assert "cell 3" in outcomes["dask"][1][0]


def test_a_lost_worker_fails_its_run_only(reports, tiny_notebooks, tmp_path):
    write_notebook(tiny_notebooks / "94_kills.ipynb", 'x: int = 1\noutput_dir: str = ""',
                   "import os, signal\nif x == 2:\n    os.kill(os.getppid(), signal.SIGKILL)   # the kernel's worker",
                   "from analysis import results\nresults.save_results({'x_squared': x * x}, output_dir)")
    grid = tmp_path / "grid.yaml"
    grid.write_text("x: [1, 2, 3, 4]\n")
    out = tmp_path / "sweep"
    proc = run_cli("sweep", "94_kills", "--grid", str(grid), "--out", str(out), "--scheduler", "local:2")
    assert proc.returncode == 1, proc.stderr[-2000:]
    failures = [line for line in proc.stderr.splitlines() if line.startswith("FAILED")]
    assert len(failures) == 1 and "worker lost" in failures[0], proc.stderr[-2000:]
    table = _results_by_key(out).sort_values("param.x")
    assert list(table["ok"]) == [True, False, True, True]
    assert list(table["x_squared"].fillna(0)) == [1, 0, 9, 16]


@pytest.mark.notebooks
def test_edge_sweep_gives_identical_results_warm_or_papermill_local_or_dask(tmp_path):
    grid = tmp_path / "grid.yaml"
    grid.write_text("region: [algeria, europe]\ntokens_per_month: [1e8, 1e10]\nhorizon_months: [12]\n")
    tables, results = {}, {}
    for label, extra in (("pool-papermill", ["--engine", "papermill"]), ("pool-warm", ["--engine", "warm"]),
                         ("dask-warm", ["--engine", "warm", "--scheduler", "local:2"])):
        out = tmp_path / label
        proc = run_cli("sweep", "05_edge_vs_cloud", "--grid", str(grid), "--out", str(out), "--jobs", "2", *extra)
        assert proc.returncode == 0, proc.stderr[-3000:]
        tables[label] = _results_by_key(out)
        results[label] = {p.parent.name: p.read_bytes() for p in (out / "runs").glob("*/results.json")}
    assert len(tables["pool-papermill"]) == 4 and tables["pool-papermill"]["ok"].all()
    assert len(results["pool-papermill"]) == 4
    for label in ("pool-warm", "dask-warm"):
        assert tables[label].equals(tables["pool-papermill"]), label
        assert results[label] == results["pool-papermill"], label
