"""Cross-validation of the throughput model: determinism, fold hygiene, reported numbers, intervals, invariants."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import data, paths
from analysis import throughput as tp
from analysis import throughput_cv as cv


@pytest.fixture(scope="module")
def rows():
    return cv.prepare(data.load_throughput_measurements())


@pytest.fixture(scope="module")
def loso(rows):
    return cv.cross_validate(rows, "source_family")


def test_shipped_measurements_cover_what_the_validation_needs(rows):
    assert len(rows) >= 150
    assert rows["source_family"].nunique() >= 5
    assert rows["hardware"].nunique() >= 8
    assert {"b200", "gb200", "h100-sxm", "h200", "mi300x", "mi325x", "mi355x"} <= set(rows["hardware"])
    assert {"bf16", "fp8", "fp4"} <= set(rows["precision"])
    assert rows["moe"].any() and (~rows["moe"]).any()
    assert rows["input_tokens"].min() <= 128 and rows["input_tokens"].max() >= 8192


def test_prepare_turns_every_basis_into_the_modelled_quantity(rows):
    per_chip = rows[rows["throughput_basis"] == "per_chip"].iloc[0]
    assert per_chip["target"] == pytest.approx(per_chip["output_tokens_per_s"] * per_chip["n_chips_used"])
    both = rows[rows["tokens_counted"] == "input_and_output"].iloc[0]
    share = both["s_out"] / (both["s_in"] + both["s_out"])
    factor = both["n_chips_used"] if both["throughput_basis"] == "per_chip" else 1.0
    assert both["target"] == pytest.approx(both["output_tokens_per_s"] * share * factor)
    assert set(rows.loc[rows["throughput_basis"] == "per_user", "load"]) == {"per_user"}


@pytest.fixture(scope="module")
def small(rows):
    """Four source families with GPU and SRAM rows: enough to exercise every fold mechanism quickly."""
    keep = ["mlperf-v4.1", "mlperf-v5.0", "nvidia-blog", "artificial-analysis"]
    return rows[rows["source_family"].isin(keep)].reset_index(drop=True)


def test_cross_validation_is_deterministic_and_out_of_fold(small):
    first = cv.cross_validate(small, "source_family")
    again = cv.cross_validate(small, "source_family")
    pd.testing.assert_series_equal(first["predicted"], again["predicted"])
    # a held-out family's predictions do not move when its own measurements change
    family = "mlperf-v4.1"
    changed = small.copy()
    changed.loc[changed["source_family"] == family, "target"] *= 3.0
    moved = cv.cross_validate(changed, "source_family")
    held = (small["source_family"] == family).to_numpy()
    np.testing.assert_allclose(moved.loc[held, "predicted"], first.loc[held, "predicted"])
    # ... while an in-sample fit would move them
    assert not np.allclose(cv.in_sample(changed).loc[held, "predicted"], cv.in_sample(small).loc[held, "predicted"])


def test_an_unseen_sram_chip_gets_no_floor_fitted_on_its_own_rows(rows):
    train = rows[rows["hardware"] != "groq-lpu"].reset_index(drop=True)
    params = cv.fit(train)
    assert "groq-lpu" not in params["layer_latency_s"]
    groq = rows[rows["hardware"] == "groq-lpu"].reset_index(drop=True)
    arrays = cv._Arrays(groq)
    p = cv._parameters(arrays, params, cv.TERMS)
    assert np.allclose(p["layer_latency_s"], params["sram_fallback_layer_latency_s"])


def test_the_readme_quotes_the_cross_validated_errors(loso):
    """The README's headline numbers are the cross-validated ones this code computes (to the precision quoted)."""
    summary = cv.summarize(loso)
    text = re.sub(r"<!--.*?-->", "", (paths.PROJECT_ROOT / "README.md").read_text())   # the readme command's markers
    readme = " ".join(text.split())
    match = re.search(r"leave-one-source-out median \|error\| (\d+)% at maximum load and (\d+)% per user", readme)
    assert match, "README must quote the leave-one-source-out errors"
    assert int(match.group(1)) == round(100 * summary["median_abs_error_throughput"])
    assert int(match.group(2)) == round(100 * summary["median_abs_error_per_user"])


def test_intervals_bracket_the_prediction_and_cover_the_cv_residuals(loso):
    low, high = cv.interval_factors("gpu", "throughput", 0.8, predictions=loso)
    assert 0 < low < 1 < high
    gpu = loso[(loso["hw_class"] == "gpu") & (loso["load"] == "throughput")].dropna(subset=["error"])
    truth_over_pred = 1.0 / (1.0 + gpu["error"])
    covered = ((truth_over_pred >= low) & (truth_over_pred <= high)).mean()
    assert 0.75 <= covered <= 0.85
    wide = cv.interval_factors("gpu", "throughput", 0.95, predictions=loso)
    assert wide[0] <= low and wide[1] >= high
    with pytest.raises(ValueError, match="interval"):
        cv.interval_factors("gpu", "throughput", 1.5, predictions=loso)


def test_predict_returns_interval_columns(monkeypatch, loso):
    monkeypatch.setattr(cv, "_shipped_cv", lambda *key: loso)
    out = tp.predict("llama-3.3-70b", "b200", 8, "fp8", np.array([1, 64, 512]), 1024, 1024, interval=0.8)
    for column in ("output_tokens_per_s", "output_tokens_per_s_per_user", "output_tokens_per_s_per_chip"):
        assert (out[f"{column}_lo"] < out[column]).all() and (out[column] < out[f"{column}_hi"]).all()


def test_ablation_refits_without_each_term(small):
    table = cv.ablation(small, terms=("overlap", "batch_cap"), candidates=("overlap", "batch_cap", "replicas"))
    assert list(table["model"]) == ["selected terms", "without overlap", "without batch_cap", "with replicas"]
    assert table["cv_median_abs_error_throughput"].notna().all()


# --------------------------------------------------------------------------------------
# Invariants over random valid configurations
# --------------------------------------------------------------------------------------

MODELS = list(tp.model_table().index)
GPUS = [h for h, k in tp.hardware_table()["kind"].items() if k in ("gpu", "tpu")]
config = st.fixed_dictionaries({
    "model": st.sampled_from(MODELS), "hardware": st.sampled_from(GPUS),
    "precision": st.sampled_from(["bf16", "fp8", "fp4"]), "n_chips": st.sampled_from([1, 2, 4, 8, 16, 72]),
    "input_tokens": st.integers(0, 32_000), "output_tokens": st.integers(1, 8_000),
})


def _fits(cfg) -> bool:
    out = tp.predict(cfg["model"], cfg["hardware"], cfg["n_chips"], cfg["precision"], 1, cfg["input_tokens"],
                     cfg["output_tokens"])
    return bool(out["fits"].iloc[0])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(cfg=config.filter(_fits), batches=st.lists(st.integers(1, 4096), min_size=2, max_size=6, unique=True))
def test_speed_per_user_falls_and_throughput_rises_with_batch(cfg, batches):
    batches = np.sort(batches)
    out = tp.predict(cfg["model"], cfg["hardware"], cfg["n_chips"], cfg["precision"], batches, cfg["input_tokens"],
                     cfg["output_tokens"])
    ok = out["fits"].to_numpy()
    per_user = out["output_tokens_per_s_per_user"].to_numpy()[ok]
    aggregate = out["output_tokens_per_s"].to_numpy()[ok]
    assert np.all(np.isfinite(per_user)) and np.all(per_user > 0)
    assert np.all(np.diff(per_user) <= 1e-9 * per_user[:-1])
    assert np.all(np.diff(aggregate) >= -1e-9 * aggregate[:-1])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(cfg=config.filter(_fits), batch=st.integers(1, 2048), factor=st.floats(1.0, 4.0))
def test_more_memory_bandwidth_is_never_slower(cfg, batch, factor):
    hw = tp.hardware_table().loc[cfg["hardware"]].copy()
    faster = hw.copy()
    faster["memory_tb_per_s"] = hw["memory_tb_per_s"] * factor
    args = (cfg["n_chips"], cfg["precision"], batch, cfg["input_tokens"], cfg["output_tokens"])
    slow = tp.predict(cfg["model"], hw, *args)["step_time_s"].iloc[0]
    fast = tp.predict(cfg["model"], faster, *args)["step_time_s"].iloc[0]
    assert np.isfinite(slow) and fast <= slow * (1 + 1e-12)
