"""analysis.payback: Sequoia's arithmetic, broadcasting, and the directions the payback must move."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import data
from analysis import payback as pb

CENTRAL = dict(capex_2026_usd_b=760.0, ai_share=0.75, compute_share=0.6, inference_share=0.4, cost_of_capital=0.09,
               depreciation_years=5.0, tokens_2026=7.68e16, token_growth=3.0, price_2026=1.24, price_decline=1.9,
               chip_cost_decline=1.9, target_utilization=0.6, server_cost_usd=62500.0,
               tokens_per_s_per_accelerator=5286.0, energy_per_dollar=0.022, token_growth_decay=0.3)
YEARS = range(2026, 2031)


def test_sequoia_reproduces_its_published_600b_and_200b():
    # "AI's $600B Question" (2024-06-20): $150B run-rate x 2 (GPUs half of TCO) x 2 (50% end-user margin)
    assert pb.sequoia_revenue_needed(150.0, 2.0, 0.5) == pytest.approx(600.0)
    # "AI's $200B Question" (2023): Q4 2023 estimate x 4 = $50B run-rate, doubled, doubled
    assert pb.sequoia_revenue_needed(pb.run_rate_from_quarter(12.5)) == pytest.approx(200.0)


def test_sequoia_input_is_in_the_data_and_reproduces():
    table = data.load_ai_revenue()
    row = table[(table["measure"] == "dc_revenue_run_rate") & (table["company"] == "NVIDIA")].iloc[0]
    assert pb.sequoia_revenue_needed(row["value_usd_b"]) == pytest.approx(600.0)
    latest = pb.latest_quarters(table)
    assert set(latest["company"]) == {"NVIDIA", "AMD", "Broadcom"}
    assert (latest["run_rate_usd_b"] == 4 * latest["value_usd_b"]).all()
    assert (pb.latest_run_rates(table)["company"].value_counts() == 1).all()


def test_bain_arithmetic():
    assert pb.bain_implied(2000, 800, 500) == {"funded_usd_b": 1200, "capex_to_revenue": 0.25}


def test_revenue_needed_falls_with_longer_lives_and_rises_with_return():
    lives = np.array([3.0, 4.0, 5.0, 6.0, 8.0])
    needed = pb.revenue_needed_usd_b(760, 0.75, 0.09, lives)
    assert needed.shape == (5,) and np.all(np.diff(needed) < 0)
    rates = np.array([0.0, 0.05, 0.09, 0.12])
    assert np.all(np.diff(pb.revenue_needed_usd_b(760, 0.75, rates, 5.0)) > 0)
    # straight line at r = 0: servers over 5, network over 6, facilities over 15
    assert pb.revenue_needed_usd_b(100, 1.0, 0.0, 5.0) == pytest.approx(60 / 5 + 10 / 6 + 30 / 15)


def test_more_tokens_or_higher_prices_shrink_the_gap():
    needed = pb.revenue_needed_usd_b(760, 0.75, 0.09, 5.0)
    tokens = np.logspace(16, 18, 7)
    gap = needed - pb.token_revenue_usd_b(tokens, 1.24)
    assert np.all(np.diff(gap) < 0)
    more_tokens = pb.scenario(YEARS, **{**CENTRAL, "tokens_2026": np.array([3e16, 7.68e16, 2e17])})["gap_usd_b"]
    assert np.all(np.diff(more_tokens[:, 0]) < 0)                  # 2026: capex is fixed, demand only adds revenue
    # later, capex follows demand: more tokens shrink the gap only while the price beats the cost of new capacity
    higher_prices = pb.scenario(YEARS, **{**CENTRAL, "price_2026": np.array([0.5, 1.24, 3.0])})["gap_usd_b"]
    assert np.all(np.diff(higher_prices, axis=0) < 0)              # every year, including 2030
    cheap_capacity = {**CENTRAL, "price_2026": 3.0, "chip_cost_decline": 3.0}
    assert np.all(np.diff(pb.scenario(YEARS, **{**cheap_capacity, "token_growth": np.array([2.0, 3.0, 5.0])})
                          ["gap_usd_b"][:, -1]) < 0)
    slower = pb.scenario(YEARS, **{**CENTRAL, "price_decline": np.array([1.3, 1.9, 3.8])})["gap_usd_b"][:, -1]
    assert np.all(np.diff(slower) > 0)                             # faster price decline, wider 2030 gap
    longer = pb.scenario(YEARS, **{**CENTRAL, "depreciation_years": np.array([4.0, 5.0, 6.0])})
    assert np.all(np.diff(longer["revenue_needed_usd_b"][:, 0]) < 0)


def test_scenario_broadcasts_draws_against_years():
    rng = np.random.default_rng(0)
    draws = {**CENTRAL, "token_growth": rng.uniform(1.5, 7, 100), "price_decline": rng.uniform(1.3, 3.8, 100),
             "ai_share": rng.uniform(0.6, 0.9, 100)}
    out = pb.scenario(YEARS, **draws)
    for key in ("capex_usd_b", "revenue_needed_usd_b", "revenue_usd_b", "gap_usd_b", "utilization"):
        assert out[key].shape == (100, 5), key
    one = pb.scenario(YEARS, **{**CENTRAL, "token_growth": draws["token_growth"][7],
                                "price_decline": draws["price_decline"][7], "ai_share": draws["ai_share"][7]})
    np.testing.assert_allclose(out["gap_usd_b"][7], one["gap_usd_b"], rtol=1e-12)
    grid = pb.scenario(YEARS, **{**CENTRAL, "token_growth": np.array([2.0, 4.0])[:, None],
                                 "price_decline": np.array([1.5, 2.5, 3.5])[None, :]})
    assert grid["gap_usd_b"].shape == (2, 3, 5)


def test_first_year_is_the_stated_vintage_and_capacity_follows_demand():
    out = pb.scenario(YEARS, **CENTRAL)
    assert out["capex_usd_b"][0] == 760.0
    needed_2026 = pb.revenue_needed_usd_b(760, 0.75, 0.09, 5.0, energy_per_dollar=0.022)
    assert out["revenue_needed_usd_b"][0] == pytest.approx(needed_2026)
    # later capacity is bought to the target utilisation, never beyond demand's need
    assert np.all(out["utilization"][1:] <= 0.6 + 1e-9)
    assert np.all(out["capex_usd_b"] >= 0)


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError):
        pb.sequoia_revenue_needed(150, 2, 1.0)
    with pytest.raises(ValueError):
        pb.scenario(range(2027, 2030), **CENTRAL)
    with pytest.raises(ValueError):
        pb.capital_charge_per_capex_dollar(0.09, 5.0, compute_share=0.6, network_share=0.5)
