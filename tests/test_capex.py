"""Capex allocation and token economics."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import capex as cx
from analysis import data


def test_aggregate_uses_guidance_and_published_ranges():
    table = data.load_capex()
    agg = cx.aggregate_capex(table, 2026, ["Amazon", "Alphabet", "Meta", "Microsoft"])
    assert agg["point"] == pytest.approx(200 + 180 + 125 + 120)
    assert agg["low"] == pytest.approx(200 + 175 + 115 + 114)
    assert agg["high"] == pytest.approx(200 + 185 + 135 + 145)
    # the company range overlaps the published Big-4 aggregates ($630-700B); the midpoint sum (625) sits just below
    published = table[(table["company"] == "Big 4 (aggregate)") & (table["year"] == 2026)]
    assert agg["low"] <= published["high_usd_b"].max() and agg["high"] >= published["low_usd_b"].min()
    with pytest.raises(ValueError, match="no 2026 capex row"):
        cx.aggregate_capex(table, 2026, ["Nobody"])


def test_allocation_chain():
    flow = cx.allocate(600.0, 0.75, 0.6, 2 / 3)
    assert flow["ai_capex_usd_b"] == pytest.approx(450.0)
    assert flow["ai_compute_capex_usd_b"] == pytest.approx(270.0)
    assert flow["inference_capex_usd_b"] == pytest.approx(180.0)
    assert flow["inference_capex_usd_b"] + flow["training_capex_usd_b"] == pytest.approx(270.0)
    bought = cx.accelerators_bought(180.0, {"a": 0.5, "b": 0.5}, {"a": 50_000, "b": 25_000})
    assert bought["a"] == pytest.approx(1.8e6) and bought["b"] == pytest.approx(3.6e6)
    with pytest.raises(ValueError, match="sum to 1"):
        cx.accelerators_bought(1.0, {"a": 0.7}, {"a": 1.0})


def test_cost_floor_arithmetic():
    # $36,000 server over 4 years = $9,000/yr; 1 kW x PUE 1 x $0.10 x 8760 h = $876/yr; facilities excluded
    parts = cx.cost_components_usd_per_mtok(36_000, 4, 1000.0, 1.0, 1.0, 1.0, 0.10, compute_share=1.0)
    million_tokens = 1000 * cx.SECONDS_PER_YEAR / 1e6
    assert parts["server_capital"] == pytest.approx(9000 / million_tokens)
    assert parts["energy"] == pytest.approx(876 / million_tokens)
    assert parts["facility_capital"] == pytest.approx(0.0)
    assert parts["total"] == pytest.approx((9000 + 876) / million_tokens)
    # half the utilization doubles the cost; a cost of capital raises it
    assert cx.cost_floor_usd_per_mtok(36_000, 4, 1000.0, 0.5, 1.0, 1.0, 0.10, 1.0) == pytest.approx(
        2 * parts["total"])
    assert cx.cost_floor_usd_per_mtok(36_000, 4, 1000.0, 1.0, 1.0, 1.0, 0.10, 1.0, cost_of_capital=0.08) > parts[
        "total"]
    assert cx.annuity_factor(0.0, 5) == pytest.approx(0.2)
    assert cx.annuity_factor(0.1, 1) == pytest.approx(1.1)


def test_cost_floor_is_vectorized():
    n = 1000
    out = cx.cost_floor_usd_per_mtok(np.full(n, 50_000.0), 5, np.linspace(500, 5000, n), 0.6, 1.5, 1.3, 0.08)
    assert out.shape == (n,)
    assert np.all(np.diff(out) < 0)


def test_years_until_price_meets_floor():
    assert cx.years_until_price_meets_floor(1.0, 10.0, 0.01) == pytest.approx(2.0)
    assert cx.years_until_price_meets_floor(0.01, 10.0, 1.0) < 0


def test_monte_carlo_is_seeded_and_tornado_sorted():
    spec = {"a": cx.Uncertain(1, 3, 2), "b": cx.Uncertain(0, 10, 5), "c": 4.0}
    one = cx.draw(np.random.default_rng(1), spec, 10)
    two = cx.draw(np.random.default_rng(1), spec, 10)
    np.testing.assert_array_equal(one["a"], two["a"])
    assert np.all((one["b"] >= 0) & (one["b"] <= 10)) and np.all(one["c"] == 4.0)
    table = cx.tornado(lambda a, b, c: a * 100 + b + c, spec)
    assert list(table["input"]) == ["a", "b"]
    assert table.attrs["base"] == pytest.approx(209)
    with pytest.raises(ValueError):
        cx.Uncertain(2, 1, 1.5)
    assert cx.Uncertain.spanning(0.6, 0.9, 0.5) == cx.Uncertain(0.5, 0.9, 0.5)


def test_cost_assumption_ranges_hold():
    costs = data.load_cost_assumptions()
    assert (costs["source"].str.len() > 0).all()
    assert {"B200", "GB200"} <= set(costs[costs["kind"] == "server_cost_per_accelerator_usd"]["subject"])


def test_capital_recovery_factor():
    # 10% over 5 years: 0.1 / (1 - 1.1**-5) = 0.263797...
    assert cx.capital_recovery_factor(0.10, 5) == pytest.approx(0.2637974808)
    assert cx.capital_recovery_factor(0.0, 4) == pytest.approx(0.25)
    # the present value of the payments equals the capital
    r, n = 0.09, 6
    payments = cx.capital_recovery_factor(r, n) * np.sum((1 + r) ** -np.arange(1, n + 1))
    assert payments == pytest.approx(1.0)
    rates = np.linspace(0, 0.2, 9)
    assert np.all(np.diff(cx.capital_recovery_factor(rates, 5)) > 0)
    with pytest.raises(ValueError):
        cx.capital_recovery_factor(-0.1, 5)


def test_network_is_charged_over_its_own_life():
    common = dict(server_cost_usd=60_000, depreciation_years=5, tokens_per_s_per_accelerator=1000.0,
                  utilization=0.5, it_kw_per_accelerator=1.5, pue=1.2, electricity_usd_per_kwh=0.08,
                  compute_share=0.6, facility_life_years=15.0, cost_of_capital=0.0)
    pooled = cx.cost_components_usd_per_mtok(**common)
    split = cx.cost_components_usd_per_mtok(**common, network_share=0.1, network_life_years=5.0)
    million = 1000 * 0.5 * cx.SECONDS_PER_YEAR / 1e6
    assert split["network_capital"] == pytest.approx(60_000 * 0.1 / 0.6 / 5 / million)
    assert split["facility_capital"] == pytest.approx(60_000 * 0.3 / 0.6 / 15 / million)
    assert split["total"] > pooled["total"]          # a shorter life costs more per year
    with pytest.raises(ValueError, match="network_share"):
        cx.cost_components_usd_per_mtok(**common, network_share=0.5)


def test_server_prices_on_one_basis():
    costs = data.load_cost_assumptions()
    one = cx.server_cost_one_basis(costs, ["b200", "gb200"])
    assert one["b200"]["value"] == pytest.approx(62_500)
    assert one["gb200"]["value"] / one["b200"]["value"] == pytest.approx(2.21 / 1.95)
    assert one["gb200"]["low"] < one["gb200"]["value"] < one["gb200"]["high"]


def test_year_price_meets_floor_from_the_observation():
    assert cx.year_price_meets_floor(1.0, 2025.0, 10.0, 0.01) == pytest.approx(2027.0)
    assert cx.year_price_meets_floor(0.01, 2025.0, 10.0, 1.0) == pytest.approx(2025.0)


def test_sourced_cost_of_capital_is_the_central_row():
    costs = data.load_cost_assumptions()
    row = cx.lookup(costs, "cost_of_capital", "hyperscaler central")
    sources = costs[(costs["kind"] == "cost_of_capital") & (costs["subject"] != "hyperscaler central")]["value"]
    assert row["value"] == pytest.approx(sources.mean(), abs=0.005)
    assert row["low"] <= sources.min() and row["high"] >= sources.max()
