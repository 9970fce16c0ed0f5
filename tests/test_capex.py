"""Capex allocation and token economics."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import capex as cx
from analysis import data


def _statement(company, period, start, end, basis, kind, point=None, low=None, high=None, date="2026-01-01",
               lease_basis="as_stated"):
    import pandas as pd

    nan = float("nan")
    return {"company": company, "period": period, "period_start": start, "period_end": end, "basis": basis,
            "kind": kind, "low_usd_b": nan if low is None else low, "high_usd_b": nan if high is None else high,
            "point_usd_b": nan if point is None else point, "lease_basis": lease_basis,
            "statement_date": pd.Timestamp(date)}


def _statements():
    """A small capex table in the shape of data/capex.csv: superseded guidance, a fiscal-year company, a lease
    reclassification restated on both bases, and kinds that must never be summed."""
    import pandas as pd

    s = _statement
    return pd.DataFrame([
        s("A", "2026", "2026-01", "2026-12", "calendar", "guidance", 100, date="2026-02-01"),
        s("A", "2026", "2026-01", "2026-12", "calendar", "guidance", 120, date="2026-07-30"),
        s("A", "2026", "2026-01", "2026-12", "calendar", "analyst_estimate", 999, date="2026-08-01"),
        s("B", "2026", "2026-01", "2026-12", "calendar", "guidance", 55, 50, 60, date="2026-04-29"),
        s("C", "2026", "2026-01", "2026-12", "calendar", "guidance", 90, date="2026-04-29",
          lease_basis="pre_reclassification"),
        s("C", "2026", "2026-01", "2026-12", "calendar", "guidance", 80, date="2026-07-29",
          lease_basis="post_reclassification"),
        s("C", "2026", "2026-01", "2026-12", "calendar", "guidance", 90, date="2026-07-29",
          lease_basis="pre_reclassification"),
        s("D", "FY2026", "2025-06", "2026-05", "fiscal", "actual", 60, date="2026-06-22"),
        s("D", "Q1 FY2027", "2026-06", "2026-08", "fiscal", "actual", 30, date="2026-09-11"),
        s("D", "FY2027", "2026-06", "2027-05", "fiscal", "guidance", 96, 90, 102, date="2026-09-10"),
        s("A+B", "2026", "2026-01", "2026-12", "calendar", "aggregate", 5000, date="2026-05-01"),
    ])


def test_aggregate_uses_the_latest_statement_on_one_calendar_basis():
    table = _statements()
    agg = cx.aggregate_capex(table, 2026, ["A", "B", "C", "D"])
    rows = agg["rows"].set_index("company")
    # the newest guidance wins over superseded guidance; analysts' estimates and aggregates never count
    assert rows.loc["A", "point_usd_b"] == 120 and set(rows["kind"]) <= {"guidance", "actual"}
    assert (rows.loc["B", "low_usd_b"], rows.loc["B", "high_usd_b"]) == (50, 60)
    # D reports a June-May year: 5 months of FY2026's actual, the reported quarter, and 4 of the 9 months
    # FY2027's guidance leaves after that quarter (its total less the quarter, spread over the rest)
    assert rows.loc["D", "point_usd_b"] == pytest.approx(5 * 60 / 12 + 30 + 4 * (96 - 30) / 9)
    assert rows.loc["D", "low_usd_b"] == pytest.approx(5 * 60 / 12 + 30 + 4 * (90 - 30) / 9)
    assert rows.loc["D", "extrapolated_months"] == 0 and rows.loc["D", "basis_used"].startswith("calendarized")
    # the headline basis is the one after the lease reclassification
    assert agg["lease_basis"] == "post_reclassification" and rows.loc["C", "point_usd_b"] == 80
    assert agg["point"] == pytest.approx(120 + 55 + 80 + rows.loc["D", "point_usd_b"])
    assert agg["low"] <= agg["point"] <= agg["high"]
    with pytest.raises(ValueError, match="no 2026 capex row"):
        cx.aggregate_capex(table, 2026, ["Nobody"])


def test_lease_bases_differ_only_where_a_reclassification_is_recorded():
    table = _statements()
    before = cx.aggregate_capex(table, 2026, ["A", "B", "C", "D"], lease_basis="pre_reclassification")
    after = cx.aggregate_capex(table, 2026, ["A", "B", "C", "D"])
    assert before["point"] - after["point"] == pytest.approx(10.0)
    both = cx.lease_bases_compared(table, 2026, ["A", "B", "C", "D"]).set_index("lease_basis")
    assert both.loc["pre_reclassification", "point_usd_b"] == pytest.approx(before["point"])
    assert both.loc["post_reclassification", "changed"] == "C: 80.0 vs 90.0"
    # a table without the column is all "as stated"; an unknown basis is refused
    plain = table[table["lease_basis"] == "as_stated"].drop(columns="lease_basis")
    assert cx.aggregate_capex(plain, 2026, ["A", "B"])["point"] == pytest.approx(175)
    with pytest.raises(ValueError, match="lease_basis must be one of"):
        cx.aggregate_capex(table, 2026, ["A"], lease_basis="finance")


def test_aggregate_follows_an_edit_of_the_shipped_capex_file(data_copy):
    """A forker's edit of data/capex.csv moves the aggregate by exactly the edit (no value of the file is pinned)."""
    import pandas as pd

    companies = ["Amazon", "Alphabet", "Meta", "Microsoft", "Oracle"]
    before = cx.aggregate_capex(data.load_capex(), 2026, companies)
    amazon = before["rows"].set_index("company").loc["Amazon"]
    path = data_copy / "capex.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    used = table[(table["company"] == "Amazon") & (table["period_start"] == "2026-01") & (table["period_end"] == "2026-12")
                 & (table["kind"] == amazon["kind"])
                 & (table["statement_date"] == pd.Timestamp(amazon["statement_date"]).strftime("%Y-%m-%d"))]
    assert len(used) == 1, "the row behind Amazon's 2026 figure"
    for column in ("point_usd_b", "low_usd_b", "high_usd_b"):
        if used[column].iloc[0]:
            table.loc[used.index[0], column] = str(float(used[column].iloc[0]) + 50)
    table.to_csv(path, index=False)
    after = cx.aggregate_capex(data.load_capex(data_copy), 2026, companies)
    assert after["point"] - before["point"] == pytest.approx(50.0)


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
    # Jan-Jun: 6/12 of FY2025; Jul-Sep: the reported quarter; Oct-Dec: what FY2026's guidance leaves after the
    # reported quarter (150 - 36 over its 9 other months), so the months drawn from FY2026 keep its total
    rest = (150.0 - 36.0) / 9
    assert out["point"] == pytest.approx(60.0 + 36.0 + 3 * rest)
    assert out["kind"] == "guidance" and out["extrapolated_months"] == 0
    later = cx.company_year(table, "X", 2026)
    assert later["point"] == pytest.approx(6 * rest + 6 * rest) and later["extrapolated_months"] == 6
    assert 36.0 + 3 * rest + 6 * rest == pytest.approx(150.0)
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
    import pandas as pd

    costs = pd.DataFrame([
        {"kind": "server_cost_per_accelerator_usd", "subject": "B200", "value": 60_000.0, "low": 50_000.0,
         "high": 70_000.0},
        {"kind": "server_cost_per_accelerator_usd", "subject": "GB200", "value": 90_000.0, "low": 80_000.0,
         "high": 100_000.0},
        {"kind": "gpu_tco_usd_per_hour", "subject": "B200 hyperscaler", "value": 2.0, "low": None, "high": None},
        {"kind": "gpu_tco_usd_per_hour", "subject": "GB200 hyperscaler", "value": 2.5, "low": None, "high": None},
    ])
    one = cx.server_cost_one_basis(costs, ["b200", "gb200"])
    # the anchor keeps its quote; the other chip is the anchor's price x the TCO ratio, not its own quote
    assert one["b200"]["value"] == 60_000 and one["b200"]["low"] == 50_000
    assert one["gb200"]["value"] == pytest.approx(60_000 * 2.5 / 2.0)
    assert (one["gb200"]["low"], one["gb200"]["high"]) == pytest.approx((50_000 * 1.25, 70_000 * 1.25))
    with pytest.raises(ValueError, match="has no gpu_tco_usd_per_hour"):
        cx.server_cost_one_basis(costs, ["h100"])
    # the shipped table holds both chips of 04's default mix
    assert set(cx.server_cost_one_basis(data.load_cost_assumptions(), ["b200", "gb200"])) == {"b200", "gb200"}


def test_year_price_meets_floor_from_the_observation():
    assert cx.year_price_meets_floor(1.0, 2025.0, 10.0, 0.01) == pytest.approx(2027.0)
    assert cx.year_price_meets_floor(0.01, 2025.0, 10.0, 1.0) == pytest.approx(2025.0)


def test_sourced_cost_of_capital_is_the_central_row():
    costs = data.load_cost_assumptions()
    row = cx.lookup(costs, "cost_of_capital", "hyperscaler central")
    sources = costs[(costs["kind"] == "cost_of_capital") & (costs["subject"] != "hyperscaler central")]["value"]
    assert row["value"] == pytest.approx(sources.mean(), abs=0.005)
    assert row["low"] <= sources.min() and row["high"] >= sources.max()


@pytest.mark.parametrize("shape", ["centred", "triangular", "uniform"])
def test_uncertain_shapes_stay_in_range(shape):
    value = cx.Uncertain(0.3, 0.8, 0.6, shape)
    got = cx.draw(np.random.default_rng(0), {"u": value}, 20000)["u"]
    assert got.min() >= 0.3 and got.max() <= 0.8
    if shape == "centred":                          # the median draw is the central value on a lopsided range
        assert np.median(got) == pytest.approx(0.6, abs=0.01)
    if shape == "uniform":
        assert np.median(got) == pytest.approx(0.55, abs=0.01)
    if shape == "triangular":                       # mode at 0.6: median 0.3 + sqrt(0.5 * 0.5 * 0.3)
        assert np.median(got) == pytest.approx(0.3 + np.sqrt(0.075), abs=0.01)
    with pytest.raises(ValueError, match="shape"):
        cx.Uncertain(0, 1, 0.5, "normal")


def test_centred_draws_put_the_output_median_at_the_central_value():
    # a monotone function of one centred input: its median is the function at the central value
    spec = {"u": cx.Uncertain.spanning(0.3, 0.8, 0.6, "centred"), "s": cx.Uncertain(0.0, 4500.0, 0.0, "centred")}
    got = cx.draw(np.random.default_rng(3), spec, 40000)
    assert np.median(1.0 / got["u"]) == pytest.approx(1 / 0.6, rel=0.01)
    assert got["s"].min() == 0.0 and got["s"].max() <= 4500.0     # central at the low end: half the draws at 0...
    assert np.median(got["s"]) == pytest.approx(0.0, abs=1.0)


def test_linked_price_decline_and_verdict_words():
    assert float(cx.linked_price_decline(1.15, 1.78, 0.0)) == pytest.approx(1.15)
    assert float(cx.linked_price_decline(1.15, 1.78, 1.0)) == pytest.approx(1.78)
    assert float(cx.linked_price_decline(1.0, 4.0, 0.5)) == pytest.approx(2.0)
    with pytest.raises(ValueError):
        cx.linked_price_decline(1.1, 1.8, 1.5)
    assert cx.entry_verdict(1.0) == "can" and cx.entry_verdict(0.99) == "cannot"
    assert cx.meets_floor_outcome(2026.5, 2026.5) == "already below"
    assert cx.meets_floor_outcome(float("inf"), 2026.5) == "never"
    assert cx.meets_floor_outcome(2030.04, 2026.5) == "2030.0"
    # the words follow the functions they describe
    year = cx.year_price_meets_floor_path(0.5, 2026.0, 1.15, 0.6, 1.9)
    assert cx.meets_floor_outcome(year, 2026.0) == "already below"
    year = cx.year_price_meets_floor_path(1.0, 2026.0, 1.15, 0.6, 1.9)
    assert cx.meets_floor_outcome(year, 2026.0) == "never"


def test_capital_charge_is_checked_and_exact_for_tiny_rates():
    """The cost floor's capital charge goes through the checked capital recovery factor: a negative rate is an
    error (it used to fall back to straight-line silently), and a tiny rate gives straight-line, not NaN."""
    assert cx.capital_recovery_factor(1e-272, 5.0) == pytest.approx(0.2)
    assert cx.capital_recovery_factor(1e-9, 4.0) == pytest.approx(0.25, rel=1e-8)
    with pytest.raises(ValueError, match="rate >= 0"):
        cx.cost_floor_usd_per_mtok(36_000, 4, 1000.0, 1.0, 1.0, 1.0, 0.10, 1.0, cost_of_capital=-0.05)
