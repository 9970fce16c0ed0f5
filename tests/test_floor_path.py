"""The moving cost floor: declining annuities, new capacity's first-year break-even, the entry test (fixtures only)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import capex as cx

PARTS = {"server_capital": 0.20, "network_capital": 0.03, "facility_capital": 0.05, "energy": 0.02, "other_opex": 0.01}


def test_declining_annuity_is_the_level_annuity_without_decline_and_a_sum_by_hand():
    assert cx.declining_annuity_factor(0.09, 5, 1.0) == pytest.approx(1 / float(cx.capital_recovery_factor(0.09, 5)))
    by_hand = sum(2.0 ** -(t - 1) / 1.1 ** t for t in range(1, 4))
    assert cx.declining_annuity_factor(0.10, 3, 2.0) == pytest.approx(by_hand)
    assert cx.declining_annuity_factor(0.0, 4, 1.0) == pytest.approx(4.0)


def test_first_year_floor_is_the_level_floor_without_decline_and_higher_with_one():
    level = cx.first_year_floor(PARTS, 0.09, 1.0, 5)
    assert level["total"] == pytest.approx(sum(PARTS.values()))
    falling = cx.first_year_floor(PARTS, 0.09, 1.38, 5)
    assert falling["total"] > level["total"]
    # server part scaled by level / declining annuity over 5 years (the review's 1.63x at 1.38x/yr and 9%)
    assert falling["server_capital"] / PARTS["server_capital"] == pytest.approx(1.633, abs=1e-3)
    # a longer-lived part is scaled more: the price falls for longer
    assert falling["facility_capital"] / PARTS["facility_capital"] > falling["server_capital"] / PARTS["server_capital"]


@settings(max_examples=60, deadline=None)
@given(price=st.floats(0.01, 5), decline=st.floats(1.0, 3.0), rate=st.floats(0.0, 0.2), life=st.floats(1, 8))
def test_entry_ratio_is_price_over_first_year_floor_and_npv_zero_there(price, decline, rate, life):
    got = cx.entry_test(price, decline, PARTS, rate, life)
    assert got["ratio"] == pytest.approx(price / got["first_year_floor"], rel=1e-9)
    at_floor = cx.entry_test(got["first_year_floor"], decline, PARTS, rate, life)
    assert at_floor["npv"] == pytest.approx(0.0, abs=1e-9 * float(at_floor["pv_cost"]))
    assert bool(got["enters"]) == (price >= got["first_year_floor"])


def test_entry_fails_when_the_price_falls_even_if_it_clears_the_level_floor():
    level = sum(PARTS.values())
    assert cx.entry_test(1.3 * level, 1.0, PARTS, 0.09, 5)["enters"]
    assert not cx.entry_test(1.3 * level, 1.6, PARTS, 0.09, 5)["enters"]


def test_floor_path_and_meeting_year():
    path = cx.floor_path(1.0, 2026.0, [2025.0, 2026.0, 2028.0], 2.0, 1.5)
    np.testing.assert_allclose(path, [1.0, 1.0, 1 / 9])
    # price 2 falling 2x/yr meets a floor 1 falling 1x/yr after 1 year
    assert cx.year_price_meets_floor_path(2.0, 2026.0, 2.0, 1.0, 1.0) == pytest.approx(2027.0)
    # a floor falling as fast as the price: never
    assert np.isinf(cx.year_price_meets_floor_path(2.0, 2026.0, 1.5, 1.0, 1.5))
    # already below: today
    assert cx.year_price_meets_floor_path(0.5, 2026.0, 1.0, 1.0, 2.0) == pytest.approx(2026.0)


def test_opex_and_robust_headline():
    assert cx.opex_usd_per_accelerator_year(10_000, 0.06, 4500, 100) == pytest.approx(5200)
    rng = np.random.default_rng(0)
    draws = rng.lognormal(np.log(1.2), 0.2, 20_000)
    skewed = cx.robust_headline(1.0, draws)
    assert skewed["uses_median"] and skewed["value"] == pytest.approx(1.2, rel=0.02)
    centred = cx.robust_headline(1.2, draws)
    assert not centred["uses_median"] and centred["value"] == 1.2
