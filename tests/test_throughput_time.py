"""Software over time and the temporal split (analysis.throughput_time) on small synthetic fixtures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import throughput_cv as cv
from analysis import throughput_time as tt


def _row(**kw):
    base = {"source_family": "fam", "model": "llama-3.1-70b", "hardware": "h200", "n_chips": 8, "precision": "fp8",
            "kv_cache_precision": np.nan, "scenario": "max_load", "input_tokens": 1024.0, "output_tokens": 1024.0,
            "concurrency": np.nan, "tpot_limit_ms": np.nan, "throughput_basis": "system", "tokens_counted": "output",
            "speculative": False, "disaggregated": False, "expert_parallel": False, "stack_tier": "tuned"}
    base.update(kw)
    return base


def test_decimal_year_takes_the_middle_of_the_stated_period():
    got = tt.decimal_year(["2025", "2025-01", "2025-12", "2024-07-01", "n/a", None])
    assert got[0] == pytest.approx(2025.5)
    assert got[1] == pytest.approx(2025 + 0.5 / 12)
    assert got[2] == pytest.approx(2025 + 11.5 / 12)
    assert 2024.5 < got[3] < 2024.5 + 1 / 12
    assert np.isnan(got[4]) and np.isnan(got[5])


@settings(max_examples=25, deadline=None)
@given(rate=st.floats(0.5, 3.0), base=st.floats(100.0, 1e5), ratio=st.floats(0.2, 5.0))
def test_software_rate_recovers_a_planted_rate_whatever_the_configurations_level(rate, base, ratio):
    dates = ["2024-03", "2024-09", "2025-03", "2025-09"]
    rows = []
    for d in dates:
        t = float(tt.decimal_year([d])[0]) - 2024.0
        rows.append(_row(measured=d, output_tokens_per_s=base * rate ** t))
        rows.append(_row(measured=d, hardware="b200", output_tokens_per_s=ratio * base * rate ** t))
    out = tt.software_rate(pd.DataFrame(rows), n_boot=50)
    assert out["factor_per_year"] == pytest.approx(rate, rel=1e-6)
    assert out["n_configurations"] == 2
    assert out["low"] == pytest.approx(rate, rel=1e-6) and out["high"] == pytest.approx(rate, rel=1e-6)


def test_a_newer_chip_measured_later_is_not_read_as_software():
    # one configuration per chip, each measured once: no repeated configuration, no rate
    rows = pd.DataFrame([_row(hardware="h100-sxm", measured="2024-01", output_tokens_per_s=1000.0),
                         _row(hardware="b200", measured="2025-06", output_tokens_per_s=4000.0)])
    out = tt.software_rate(rows, n_boot=10)
    assert out["n_configurations"] == 0 and np.isnan(out["factor_per_year"])


def test_year_only_dates_and_changed_lengths_make_no_pair():
    rows = pd.DataFrame([_row(measured="2024", output_tokens_per_s=1000.0),
                         _row(measured="2025-06", output_tokens_per_s=1500.0),
                         _row(measured="2025-09", input_tokens=128.0, output_tokens_per_s=2000.0)])
    assert tt.repeated_configurations(rows).empty


def test_mlperf_means_that_differ_in_the_third_digit_are_one_configuration():
    rows = pd.DataFrame([_row(measured="2024-08", output_tokens=290.31, output_tokens_per_s=1000.0),
                         _row(measured="2025-08", output_tokens=291.25, output_tokens_per_s=1100.0)])
    out = tt.software_rate(rows, n_boot=10)
    assert out["n_configurations"] == 1
    assert out["factor_per_year"] == pytest.approx(1.1, rel=0.01)


def test_temporal_split_fits_only_on_rows_before_the_cutoff(monkeypatch):
    from analysis import throughput_cv as cv

    rows = pd.DataFrame({"measured": ["2024-05", "2025-02", "2025-06", "2025", "2024"], "target": [1.0] * 5,
                         "x": np.arange(5)})
    seen = {}

    class FakeArrays:
        def __init__(self, frame):
            self.frame = frame

        def subset(self, mask):
            return FakeArrays(self.frame[mask])

    def fake_fit(train, terms, arrays):
        seen["train"] = list(train["x"])
        return {}

    monkeypatch.setattr(cv, "_Arrays", FakeArrays)
    monkeypatch.setattr(cv, "fit", fake_fit)
    monkeypatch.setattr(cv, "predict_arrays", lambda a, params, terms: np.full(len(a.frame), 2.0))
    out = cv.temporal_split(rows, "2025-03")
    assert seen["train"] == [0, 1, 4]           # 2024-05, 2025-02, and a row dated only "2024"
    assert list(out["x"]) == [2, 3]             # 2025-06, and "2025", which may fall after the cutoff
    assert (out["error"] == 1.0).all() and (out["fold"] == "temporal").all()


def test_the_newest_edition_of_a_table_supersedes_older_ones_of_its_own_family_only():
    rows = pd.DataFrame([_row(measured="2025-01", output_tokens_per_s=1.0),
                         _row(measured="2025-06", output_tokens_per_s=2.0),
                         _row(measured="2025-03", source_family="other", output_tokens_per_s=3.0),
                         _row(measured="2024-12", input_tokens=128.0, output_tokens_per_s=4.0)])
    assert list(tt.superseded(rows)) == [True, False, False, False]
