"""Capex allocation and token economics."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import capex as cx
from analysis import data


def test_aggregate_uses_the_latest_guidance_on_one_calendar_basis():
    table = data.load_capex()
    agg = cx.aggregate_capex(table, 2026, ["Amazon", "Alphabet", "Meta", "Microsoft", "Oracle"])
    rows = agg["rows"].set_index("company")
    # the latest statements (April-June 2026), not February's: Alphabet 180-190, Meta 125-145, Microsoft ~190 calendar
    assert rows.loc["Alphabet", "point_usd_b"] == pytest.approx(185) and rows.loc["Alphabet", "low_usd_b"] == 180
    assert rows.loc["Meta", "high_usd_b"] == pytest.approx(145)
    assert rows.loc["Microsoft", "basis_used"] == "calendar 2026"
    # Oracle reports a June-May fiscal year: calendarized, months past FY2026 extend its rate and are counted
    assert rows.loc["Oracle", "basis_used"].startswith("calendarized")
    assert rows.loc["Oracle", "extrapolated_months"] == 7
    assert agg["point"] == pytest.approx(200 + 185 + 135 + 190 + 50)
    assert agg["low"] <= agg["point"] <= agg["high"]
    # analysts' estimates and published aggregates never enter the sum
    assert set(rows["kind"]) <= {"guidance", "actual"}
    with pytest.raises(ValueError, match="no 2026 capex row"):
        cx.aggregate_capex(table, 2026, ["Nobody"])


def test_calendarization_from_quarters_and_fiscal_years():
    import pandas as pd

    def row(period, start, end, basis, kind, point, date):
        return {"company": "X", "period": period, "period_start": start, "period_end": end, "basis": basis,
                "kind": kind, "low_usd_b": float("nan"), "high_usd_b": float("nan"), "point_usd_b": point,
                "statement_date": pd.Timestamp(date)}

    table = pd.DataFrame([
        row("FY2025", "2024-07", "2025-06", "fiscal", "actual", 120.0, "2025-07-30"),
        row("Q1 FY2026", "2025-07", "2025-09", "fiscal", "actual", 36.0, "2025-10-30"),
        row("FY2026", "2025-07", "2026-06", "fiscal", "guidance", 150.0, "2025-07-30"),
    ])
    out = cx.company_year(table, "X", 2025)
    # Jan-Jun: 6/12 of FY2025; Jul-Sep: the reported quarter; Oct-Dec: 3/12 of FY2026 guidance
    assert out["point"] == pytest.approx(60.0 + 36.0 + 37.5)
    assert out["kind"] == "guidance" and out["extrapolated_months"] == 0
    later = cx.company_year(table, "X", 2026)
    assert later["point"] == pytest.approx(75.0 + 75.0) and later["extrapolated_months"] == 6
    # a calendar-year figure wins over calendarized ones, an actual over guidance
    calendar = pd.concat([table, pd.DataFrame([row("2025", "2025-01", "2025-12", "calendar", "actual", 140.0, "2026-01-30")])])
    assert cx.company_year(calendar, "X", 2025)["point"] == 140.0


def test_every_data_source_names_a_document():
    for text in ("as reported by multiple outlets", "yobitel", "TechPowerUp (Feb 2024)", "particlenews"):
        assert not data.precise_source(text), text
    for text in ("Tom's Hardware, 'Cerebras launches ...' (2024-03-13)", "https://example.org/page",
                 "mlcommons/inference_results_v4.1 closed/NVIDIA/results/x/mlperf_log_summary.txt",
                 "assumption: no source found"):
        assert data.precise_source(text), text


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
