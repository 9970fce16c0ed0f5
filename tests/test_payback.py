"""analysis.payback: Sequoia's arithmetic, broadcasting, and the directions the payback must move."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import data
from analysis import payback as pb
from analysis.capex import capital_recovery_factor

SCENARIO = dict(ai_share=0.75, compute_share=0.6, inference_share=0.4, cost_of_capital=0.09, depreciation_years=5.0,
                revenue_2026_usd_b=100.0, token_growth=3.0, chip_cost_decline=1.9, price_cost_link=1.0,
                tokens_2026=7.68e16, server_cost_usd=62500.0, tokens_per_s_per_accelerator=7600.0,
                energy_per_dollar=0.022, other_opex_share=0.013, token_growth_decay=0.3)
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


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError):
        pb.sequoia_revenue_needed(150, 2, 1.0)
    with pytest.raises(ValueError):
        pb.vintage_scenario(range(2027, 2030), [2026], [760.0], **SCENARIO)
    with pytest.raises(ValueError):
        pb.capital_charge_per_capex_dollar(0.09, 5.0, compute_share=0.6, network_share=0.5)


# ---- every vintage in service (issue 21)

@settings(max_examples=60, deadline=None)
@given(r=st.one_of(st.just(0.0), st.floats(1e-4, 0.2)), life=st.floats(1.0, 9.0), cs=st.floats(0.3, 0.8), ns=st.floats(0.0, 0.2),
       net_life=st.floats(1.0, 9.0), fac_life=st.floats(5.0, 20.0), running=st.floats(0.0, 0.1),
       capex=st.floats(1.0, 1000.0), ai=st.floats(0.1, 1.0))
def test_a_vintage_pays_its_capital_recovery_over_its_life(r, life, cs, ns, net_life, fac_life, running, capex, ai):
    years = range(2026, 2026 + 25)
    charges = pb.vintage_charges(years, [2026], [capex], ai, cs, ns, r, life, net_life, fac_life, running, 0.0)
    total = charges[:, 0].sum()
    expected = capex * ai * (cs * capital_recovery_factor(r, life) * life + ns * capital_recovery_factor(r, net_life)
                             * net_life + (1 - cs - ns) * capital_recovery_factor(r, fac_life) * fac_life
                             + cs * running * life)
    assert total == pytest.approx(expected, rel=1e-9)
    # at r = 0 the capital part is the capex itself: straight-line, nothing more
    flat = pb.vintage_charges(years, [2026], [capex], ai, cs, ns, 0.0, life, net_life, fac_life, 0.0, 0.0)
    assert flat.sum() == pytest.approx(capex * ai, rel=1e-9)


def test_a_fleet_is_charged_every_year_of_its_life_and_not_after():
    years = range(2024, 2032)
    out = pb.vintage_charges(years, [2024, 2026], [[100.0, 200.0]], 1.0, 1.0, 0.0, 0.09, 5.5)[0]
    on = out > 0
    assert on[:, 0].tolist() == [True] * 6 + [False] * 2                   # 2024-2029 (half of 2029)
    assert on[:, 1].tolist() == [False] * 2 + [True] * 6                   # from 2026, still in service in 2031
    crf = capital_recovery_factor(0.09, 5.5)
    assert out[0, 0] == pytest.approx(100 * crf) and out[5, 0] == pytest.approx(50 * crf)
    # a year's charge is the sum over the vintages in service
    assert out[2].sum() == pytest.approx(300 * crf)


def test_earlier_vintages_add_to_the_first_year_and_capacity_uses_all_of_them():
    years = list(range(2026, 2031))
    alone = pb.vintage_scenario(years, [2026], [760.0], **SCENARIO)
    with_older = pb.vintage_scenario(years, [2024, 2025, 2026], [284.0, 451.0, 760.0], **SCENARIO)
    assert np.all(with_older["charge_usd_b"] > alone["charge_usd_b"])
    assert with_older["gap_usd_b"][0] > alone["gap_usd_b"][0]
    assert np.all(with_older["capacity_tokens"] >= alone["capacity_tokens"])
    one = pb.capacity_tokens_per_year(760 * 0.75 * 0.6 * 0.4, 62500.0, 7600.0)
    assert alone["capacity_tokens"][0] == pytest.approx(one)
    # older vintages bought less capacity per dollar (chip_cost_decline a year)
    older_only = pb.vintage_capacity([2026], [2025], [100.0], 1.0, 1.0, 1.0, 5.0, 62500.0, 7600.0, 2.0)
    assert older_only[0] == pytest.approx(pb.capacity_tokens_per_year(100.0, 62500.0, 7600.0) / 2)
    assert with_older["breakeven_price_usd_per_mtok"][0] == pytest.approx(
        with_older["charge_usd_b"][0] * 1e9 / 7.68e16 * 1e6)
    np.testing.assert_allclose(with_older["charge_inference_usd_b"], 0.4 * with_older["charge_usd_b"])


def test_revenue_and_the_linked_price_decline_move_the_gap_the_right_way():
    years = list(range(2026, 2031))
    vintages, capex = [2025, 2026, 2027], [451.0, 760.0, 1116.0]
    more = pb.vintage_scenario(years, vintages, capex, **{**SCENARIO, "revenue_2026_usd_b": np.array([50.0, 100.0, 200.0])})
    assert np.all(np.diff(more["gap_usd_b"], axis=0) < 0)
    # prices fall with serving costs: a faster cost decline lowers later revenue and leaves the charge alone
    faster = pb.vintage_scenario(years, vintages, capex, **{**SCENARIO, "chip_cost_decline": np.array([1.3, 1.9, 4.5])})
    assert np.all(np.diff(faster["revenue_usd_b"][:, -1]) < 0)
    np.testing.assert_allclose(faster["charge_usd_b"][0], faster["charge_usd_b"][2])
    np.testing.assert_allclose(faster["price_decline"][:, 0], [1.3, 1.9, 4.5])
    linked = pb.vintage_scenario(years, vintages, capex, **{**SCENARIO, "price_cost_link": np.array([0.85, 1.0, 1.15])})
    assert np.all(np.diff(linked["gap_usd_b"][:, -1]) > 0)
    assert np.all(linked["gap_usd_b"][:, 0] == linked["gap_usd_b"][1, 0])  # 2026: no decline yet


def test_draws_broadcast_against_years_and_match_one_at_a_time():
    rng = np.random.default_rng(0)
    years = list(range(2026, 2031))
    growth = rng.uniform(0.8, 1.2, 64)
    path = pd.DataFrame({"year": [2025, 2026, 2027, 2028, 2029, 2030],
                         "capex_usd_b": [451.0, 760.0, 1116.0, 1116.0, 1116.0, 1116.0],
                         "kind": ["stated", "stated", "estimate", "projected", "projected", "projected"]})
    draws = {**SCENARIO, "token_growth": rng.uniform(1.5, 7, 64), "ai_share": rng.uniform(0.6, 0.9, 64)}
    draws.pop("revenue_2026_usd_b")
    out = pb.answer(years, path, 52.0, np.full(64, 1.0), growth, **draws)
    for key in ("charge_usd_b", "revenue_usd_b", "gap_usd_b", "utilization"):
        assert out[key].shape == (64, 5), key
    one = pb.answer(years, path, 52.0, 1.0, growth[7], **{k: (v[7] if np.ndim(v) else v) for k, v in draws.items()})
    np.testing.assert_allclose(out["gap_usd_b"][7], one["gap_usd_b"], rtol=1e-12)
    assert one["revenue_usd_b"][0] == pytest.approx(104.0)


def test_capex_path_takes_statements_then_estimates_then_the_growth_parameter():
    rows = []
    for company, figures in {"A": {2024: 10.0, 2025: 20.0, 2026: 30.0}, "B": {2024: 5.0, 2025: 6.0, 2026: 7.0}}.items():
        for year, value in figures.items():
            rows.append({"company": company, "period": str(year), "period_start": f"{year}-01",
                         "period_end": f"{year}-12", "basis": "calendar", "kind": "actual" if year < 2026 else "guidance",
                         "low_usd_b": np.nan, "high_usd_b": np.nan, "point_usd_b": value,
                         "statement_date": pd.Timestamp(f"{year}-02-01"), "source": "fixture"})
    rows.append({"company": "A+B", "period": "2027", "period_start": "2027-01", "period_end": "2027-12",
                 "basis": "calendar", "kind": "aggregate", "low_usd_b": np.nan, "high_usd_b": np.nan,
                 "point_usd_b": 50.0, "statement_date": pd.Timestamp("2026-05-01"), "source": "fixture"})
    table = pd.DataFrame(rows)
    path = pb.capex_path(table, ["A", "B"], 2024, 2029, "A+B", growth_after_data=1.1)
    assert path["kind"].tolist() == ["stated"] * 3 + ["estimate"] + ["projected"] * 2
    np.testing.assert_allclose(path["capex_usd_b"], [15, 26, 37, 50, 55, 60.5])
    vec = pb.capex_vector(path, np.array([1.0, 0.5]))
    np.testing.assert_allclose(vec, [[15, 26, 37, 50, 50, 50], [15, 26, 37, 50, 25, 12.5]])
    with pytest.raises(ValueError):
        pb.capex_path(table, ["A", "B"], 2020, 2029, "A+B")


def test_revenue_in_scope_lists_companies_without_a_statement():
    table = pd.DataFrame([{"company": "A", "measure": "run_rate", "basis": "actual", "period": "2026-Q1",
                           "period_end": "2026-03", "value_usd_b": 10.0, "bound": "point", "scope": "all",
                           "statement_date": "2026-04-01", "status": "primary", "source": "fixture"},
                          {"company": "A", "measure": "run_rate", "basis": "actual", "period": "2025-Q4",
                           "period_end": "2025-12", "value_usd_b": 8.0, "bound": "point", "scope": "all",
                           "statement_date": "2026-01-01", "status": "primary", "source": "fixture"},
                          {"company": "C", "measure": "run_rate", "basis": "actual", "period": "2026-Q1",
                           "period_end": "2026-03", "value_usd_b": 99.0, "bound": "point", "scope": "all",
                           "statement_date": "2026-04-01", "status": "primary", "source": "fixture"}])
    scope = pb.stated_revenue_in_scope(table, ["A", "B"])
    assert scope["company"].tolist() == ["A", "B"]
    assert scope["value_usd_b"].iloc[0] == 10.0 and np.isnan(scope["value_usd_b"].iloc[1])


def test_the_summary_quotes_the_median_when_it_is_far_from_the_central_value():
    near = pb.median_or_central(100.0, np.linspace(95, 105, 101))
    assert near["which"] == "central" and near["quote"] == 100.0
    far = pb.median_or_central(100.0, np.linspace(100, 160, 101))
    assert far["which"] == "median" and far["quote"] == pytest.approx(130.0)
    assert "median of the draws" in pb.describe_quote(far) and pb.money_usd_b(-1264.6) == "-\\$1,265B"


# ---- the half-year convention and where headlines change sign (issue 21 review)

@settings(max_examples=60, deadline=None)
@given(life=st.floats(1.0, 9.0), first=st.floats(0.05, 1.0))
def test_a_vintage_in_service_part_of_its_first_year_still_serves_its_whole_life(life, first):
    weights = pb.in_service_weight(np.arange(-2, 14), life, first)
    assert weights.sum() == pytest.approx(life)
    assert weights[2] == pytest.approx(min(first, life)) and weights[0] == weights[1] == 0.0
    assert np.all((weights >= 0) & (weights <= 1))


def test_the_half_year_convention_halves_the_purchase_year_and_moves_the_rest_to_the_end():
    years = range(2026, 2036)
    full = pb.vintage_charges(years, [2026], [[100.0]], 1.0, 0.6, 0.1, 0.09, 5.0, 6.0, 15.0, 0.02, 0.01)[0, :, 0]
    half = pb.vintage_charges(years, [2026], [[100.0]], 1.0, 0.6, 0.1, 0.09, 5.0, 6.0, 15.0, 0.02, 0.01,
                              first_year_weight=0.5)[0, :, 0]
    assert half[0] == pytest.approx(full[0] / 2)
    np.testing.assert_allclose(half[1:5], full[1:5])
    assert half[5] > 0 and full[5] > 0                                      # servers' last half-year, network's 6th
    capacity = lambda f: pb.vintage_capacity(years, [2026], [100.0], 1.0, 1.0, 1.0, 5.0, 62500.0, 7600.0, 2.0,
                                             first_year_weight=f)
    assert capacity(0.5)[0] == pytest.approx(capacity(1.0)[0] / 2)
    assert capacity(0.5).sum() == pytest.approx(capacity(1.0).sum())
    # the scenario passes it through and a draw of it broadcasts
    out = pb.vintage_scenario(list(range(2026, 2031)), [2025, 2026], [[451.0, 760.0]],
                              **{**SCENARIO, "first_year_weight": np.array([0.5, 1.0])})
    assert out["charge_usd_b"][0, 0] < out["charge_usd_b"][1, 0]
    assert out["utilization"][0, 0] > out["utilization"][1, 0]
    with pytest.raises(ValueError):
        pb.in_service_weight(0, 5.0, 0.0)


def test_sign_change_finds_the_first_crossing_and_says_when_there_is_none():
    assert pb.sign_change(lambda x: x ** 2 - 2.0, np.linspace(0, 3, 7)) == pytest.approx(np.sqrt(2), abs=1e-6)
    assert pb.sign_change(lambda x: np.log(x) - 1.0, np.geomspace(1, 10, 5), log=True) == pytest.approx(np.e, rel=1e-6)
    assert pb.sign_change(lambda x: np.sin(x), np.linspace(1, 10, 40)) == pytest.approx(np.pi, abs=1e-6)
    assert np.isnan(pb.sign_change(lambda x: x + 5.0, np.linspace(0, 3, 7)))


PATH = pd.DataFrame({"year": [2025, 2026, 2027, 2028, 2029, 2030],
                     "capex_usd_b": [451.0, 760.0, 1116.0, 1116.0, 1116.0, 1116.0],
                     "kind": ["stated", "stated", "estimate", "projected", "projected", "projected"]})


def test_the_price_decline_that_zeroes_the_horizon_gap():
    years = list(range(2026, 2031))
    inputs = {**SCENARIO, "price_cost_link": 1.1, "first_year_weight": 0.5}
    inputs.pop("revenue_2026_usd_b")
    flip = pb.price_decline_at_zero_gap(years, PATH, stated_revenue_usd_b=150.0, unstated_revenue_over_stated=1.0,
                                        **inputs)
    gap = lambda decline: pb.answer(years, PATH, 150.0, 1.0, **{**inputs, "chip_cost_decline": decline / 1.1})[
        "gap_usd_b"][-1]
    assert gap(flip) == pytest.approx(0.0, abs=1e-4)
    assert gap(flip * 0.9) < 0 < gap(flip * 1.1)                           # faster decline: revenue short
    # closed form: charge = revenue x growth / decline^4
    out = pb.answer(years, PATH, 150.0, 1.0, **inputs)
    revenue_undeclined = out["revenue_usd_b"][-1] * (1.9 * 1.1) ** 4
    assert flip == pytest.approx((revenue_undeclined / out["charge_usd_b"][-1]) ** 0.25, rel=1e-6)


def test_the_revenue_multiple_that_zeroes_the_gap():
    years = list(range(2026, 2031))
    inputs = {**SCENARIO}
    inputs.pop("revenue_2026_usd_b")
    out = pb.answer(years, PATH, 40.0, 1.0, **inputs)
    for key, charge in (("gap_usd_b", out["charge_usd_b"][0]), ("gap_inference_usd_b", out["charge_inference_usd_b"][0])):
        m = pb.revenue_multiple_at_zero_gap(years, PATH, key=key, stated_revenue_usd_b=40.0, **inputs)
        assert m == pytest.approx(charge / 40.0 - 1.0, rel=1e-6)
    assert np.isnan(pb.revenue_multiple_at_zero_gap(years, PATH, stated_revenue_usd_b=1e6, **inputs))
