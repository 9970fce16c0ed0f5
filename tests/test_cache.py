"""The on-disk cache of fitted results: reused when nothing changed, recomputed when data or code change,
identical to a fresh computation, one computation under concurrent callers."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

from analysis import cache, data
from analysis import throughput_cv as cv
from conftest import PROJECT, edit_csv, run_cli


@pytest.fixture
def cache_folder(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV, str(folder))
    monkeypatch.setattr(cache, "_EVENTS", [])
    return folder


def _module_from(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules[name] = module
    return module


def test_second_call_is_reused_and_equal(cache_folder):
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0]})
    first = cache.cached("toy", np.cumsum, frame["x"].to_numpy())
    second = cache.cached("toy", np.cumsum, frame["x"].to_numpy())
    assert [e["reused"] for e in cache.events()] == [False, True]
    assert np.array_equal(first, second)
    assert cache.events()[0]["computed_at"] == cache.events()[1]["computed_at"]
    # different arguments are a different key
    cache.cached("toy", np.cumsum, np.array([1.0, 2.0]))
    assert cache.events()[-1]["reused"] is False


def test_an_edited_data_file_is_never_served_stale(cache_folder, data_copy):
    cache.cached("toy", np.sum, np.arange(3), data=("hardware.csv",))
    cache.cached("toy", np.sum, np.arange(3), data=("hardware.csv",))
    assert cache.events()[-1]["reused"] is True
    edit_csv(data_copy / "hardware.csv", 2, "notes", "a forker's note")
    cache.cached("toy", np.sum, np.arange(3), data=("hardware.csv",))
    assert cache.events()[-1]["reused"] is False


def test_edited_code_is_never_served_stale(cache_folder, tmp_path):
    source = tmp_path / "toy_model.py"
    source.write_text("def f(x):\n    return x * 2\n")
    module = _module_from(source, "toy_model")
    assert cache.cached("toy", module.f, 3, code=(module,)) == 6
    assert cache.cached("toy", module.f, 3, code=(module,)) == 6
    assert cache.events()[-1]["reused"] is True
    source.write_text("def f(x):\n    return x * 3\n")
    module = _module_from(source, "toy_model")
    assert cache.cached("toy", module.f, 3, code=(module,)) == 9
    assert cache.events()[-1]["reused"] is False


def test_cache_off_computes_every_time(monkeypatch):
    monkeypatch.setenv(cache.ENV, "off")
    monkeypatch.setattr(cache, "_EVENTS", [])
    assert cache.cache_dir() is None
    cache.cached("toy", np.sum, np.arange(3))
    cache.cached("toy", np.sum, np.arange(3))
    assert [e["reused"] for e in cache.events()] == [False, False]


@pytest.fixture(scope="module")
def small_rows():
    rows = cv.prepare(data.load_throughput_measurements())
    # a handful of source families keeps the fits quick; enough for several folds
    keep = rows["source_family"].value_counts().index[-4:]
    return rows[rows["source_family"].isin(keep)].reset_index(drop=True)


def test_cached_cross_validation_equals_a_fresh_one(cache_folder, small_rows, monkeypatch):
    cached_first = cv.cross_validate(small_rows, "source_family")
    cached_again = cv.cross_validate(small_rows, "source_family")
    assert [e["reused"] for e in cache.events() if e["name"] == "cross_validate"] == [False, True]
    monkeypatch.setenv(cache.ENV, "off")
    monkeypatch.setenv("ANALYSIS_FIT_JOBS", "1")       # the serial path gives the same numbers as the parallel one
    fresh = cv.cross_validate(small_rows, "source_family")
    pd.testing.assert_frame_equal(cached_again, fresh)
    pd.testing.assert_frame_equal(cached_first, fresh)


_FAKE_CALLS: list = []


def _fake_cross_validate(rows, by, terms):
    _FAKE_CALLS.append(len(rows))
    return rows.assign(predicted=rows["target"], error=0.0, fold=by)


def test_an_edited_measurement_row_changes_the_shipped_cross_validation(cache_folder, data_copy, monkeypatch):
    """The intervals of 04 and 05 come from the shipped rows' cross-validation: a forker's edit reaches them."""
    calls = _FAKE_CALLS
    calls.clear()
    monkeypatch.setattr(cv, "_cross_validate", _fake_cross_validate)
    cv.shipped_cross_validation()
    cv.shipped_cross_validation()
    assert len(calls) == 1
    measurements = pd.read_csv(data_copy / "throughput_measurements.csv")
    edit_csv(data_copy / "throughput_measurements.csv", 2, "output_tokens_per_s",
             str(float(measurements.loc[0, "output_tokens_per_s"]) * 1.5))
    cv.shipped_cross_validation()
    assert len(calls) == 2


_CONCURRENT = textwrap.dedent("""
    import sys, time
    from analysis import cache

    def slow(x, log):
        with open(log, "a") as f:
            f.write("computed\\n")
        time.sleep(1.5)
        return x + 1

    if __name__ == "__main__":
        sys.modules["slow_module"] = sys.modules["__main__"]
        print(cache.cached("slow", slow, 41, sys.argv[1]))
""")


def test_two_processes_missing_the_same_key_compute_it_once(tmp_path):
    script = tmp_path / "slow_module.py"
    script.write_text(_CONCURRENT)
    log = tmp_path / "log.txt"
    env = {"ANALYSIS_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(PROJECT)}
    procs = [subprocess.Popen([sys.executable, "-c", f"import runpy; runpy.run_path({str(script)!r}, "
                                                     "run_name='__main__')", str(log)],
                              stdout=subprocess.PIPE, text=True, env={**__import__("os").environ, **env})
             for _ in range(2)]
    outputs = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert outputs == ["42", "42"]
    assert log.read_text().count("computed") == 1


def test_cache_command_reports_and_clears(tmp_path):
    folder = tmp_path / "cache"
    env = {"ANALYSIS_CACHE_DIR": str(folder)}
    subprocess.run([sys.executable, "-c", "import numpy as np; from analysis import cache; "
                                          "cache.cached('toy', np.sum, np.arange(4))"],
                   env={**__import__("os").environ, **env}, check=True, cwd=str(PROJECT))
    info = run_cli("cache", "info", env=env)
    assert info.returncode == 0 and "toy" in info.stdout and "1 entries" in info.stdout
    cleared = run_cli("cache", "clear", env=env)
    assert cleared.returncode == 0 and "removed 1" in cleared.stdout
    assert "no cached results" in run_cli("cache", "info", env=env).stdout
