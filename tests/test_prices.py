"""Unit tests of analysis.prices, and the reproduction of Epoch AI's published trends."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import data, prices

EPOCH_ALIASES = {"GPT-3 175B (davinci)": "GPT-3"}


def frame(rows, bench="mmlu"):
    """Build a price frame from (model, date, price, score) tuples."""
    df = pd.DataFrame(rows, columns=["model", "date", "price_usd_per_mtok", bench])
    df["date"] = pd.to_datetime(df["date"])
    df["reasoning"] = False
    return df


def test_blended_price_default_is_three_to_one():
    assert prices.blended_price(30, 60) == pytest.approx(37.5)          # GPT-4, Epoch's worked example
    assert prices.blended_price(0.27, 1.10) == pytest.approx(0.4775)    # DeepSeek-V3
    assert prices.blended_price(1, 3, input_weight=1) == pytest.approx(2.0)
    np.testing.assert_allclose(prices.blended_price(np.array([1, 2]), np.array([5, 6])), [2.0, 3.0])
    with pytest.raises(ValueError):
        prices.blended_price(1, 2, input_weight=-1)


def test_cheapest_sequence_keeps_only_strictly_cheaper_in_band():
    df = frame([
        ("a", "2023-01-01", 10.0, 50),
        ("b", "2023-02-01", 10.0, 60),   # not strictly cheaper
        ("c", "2023-03-01", 5.0, 40),    # below the band
        ("d", "2023-04-01", 4.0, 100),   # at the exclusive upper bound
        ("e", "2023-05-01", 3.0, 70),
        ("f", "2023-06-01", 4.0, 80),    # dearer than e
        ("g", "2023-07-01", 1.0, 55),
    ])
    seq = prices.cheapest_sequence(df, "mmlu", 50, 100)
    assert list(seq["model"]) == ["a", "e", "g"]
    unbounded = prices.cheapest_sequence(df, "mmlu", 50)
    assert list(unbounded["model"]) == ["a", "d", "e", "g"]


def test_cheapest_sequence_collapses_same_day_to_the_cheaper():
    df = frame([("a", "2023-01-01", 10.0, 50), ("b", "2023-02-01", 8.0, 50), ("c", "2023-02-01", 6.0, 50),
                ("d", "2023-03-01", 2.0, 50)])
    assert list(prices.cheapest_sequence(df, "mmlu", 50)["model"]) == ["a", "c", "d"]


def test_fit_decline_recovers_an_exact_tenfold_per_year_line():
    dates = pd.to_datetime(["2022-01-01", "2023-01-01", "2024-01-01", "2024-12-31"])  # 365 days apart
    days = np.array([d.toordinal() for d in dates]) - dates[0].toordinal()
    seq = pd.DataFrame({"date": dates, "price_usd_per_mtok": 100 * 10.0 ** (-days / 365)})
    fit = prices.fit_decline(seq)
    assert fit.factor_per_year == pytest.approx(10.0, rel=1e-9)
    assert fit.r2 == pytest.approx(1.0)
    assert fit.ci_low == pytest.approx(10.0, rel=1e-6) and fit.ci_high == pytest.approx(10.0, rel=1e-6)
    assert fit.n == 4 and fit.start == dates[0] and fit.end == dates[-1]
    np.testing.assert_allclose(fit.predict(dates), seq["price_usd_per_mtok"], rtol=1e-9)


def test_fit_decline_interval_widens_with_noise_and_brackets_estimate():
    rng = np.random.default_rng(0)
    dates = pd.date_range("2022-01-01", periods=8, freq="60D")
    seq = pd.DataFrame({"date": dates, "price_usd_per_mtok": 10 ** (1 - np.arange(8) / 6 + rng.normal(0, .2, 8))})
    fit = prices.fit_decline(seq)
    assert fit.ci_low < fit.factor_per_year < fit.ci_high
    with pytest.raises(ValueError):
        prices.fit_decline(seq.iloc[:2])


def test_frontier_models_are_running_leaders_first_on_ties():
    df = frame([("a", "2023-01-01", 1, 50), ("b", "2023-02-01", 1, 50), ("c", "2023-03-01", 1, 45),
                ("d", "2023-04-01", 1, 70)])
    assert list(prices.frontier_models(df, "mmlu")["model"]) == ["a", "d"]


def test_frontier_trends_skips_low_multiple_choice_thresholds_and_short_runs():
    rows = [("m0", "2022-01-01", 100.0, 25.0)] + [(f"m{i}", f"2022-{i + 1:02d}-01", 100.0 / 2 ** i, 28.0)
                                                 for i in range(1, 7)]
    df = frame(rows)
    assert prices.frontier_trends(df, ["mmlu"]).empty          # leaders score below 30 on a multiple-choice test
    df["humaneval"] = df["mmlu"]
    trends = prices.frontier_trends(df, ["humaneval"])
    assert list(trends["threshold_model"]) == ["m0", "m1"]
    assert prices.frontier_trends(df, ["humaneval"], min_points=8).empty
    with pytest.raises(ValueError, match="unknown benchmark"):
        prices.frontier_trends(df, ["nope"])


def test_monthly_cheapest_is_a_running_minimum():
    df = frame([("a", "2022-01-15", 8.0, 50), ("b", "2022-03-10", 2.0, 50), ("c", "2022-04-01", 4.0, 50),
                ("low", "2022-02-01", 0.1, 10)])
    fit = prices.monthly_cheapest(df, "mmlu", 42, start="2022-01", end="2022-05")
    assert list(fit.series["price_usd_per_mtok"]) == [8.0, 8.0, 2.0, 2.0, 2.0]
    assert list(fit.series["model"]) == ["a", "a", "b", "b", "b"]
    assert fit.total_factor == pytest.approx(4.0)
    assert fit.endpoint_factor_per_year == pytest.approx(4.0 ** (1 / fit.years))


# ---------------------------------------------------------------------------------------
# Reproducing the published figures from shipped data
# ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def epoch_trends():
    df = prices.prepare(data.load_llm_prices(), datasets=["epoch"])
    return prices.frontier_trends(df, prices.EPOCH_BENCHMARKS, min_points=4, exclude_reasoning=True)


def test_reproduces_epochs_21_published_trends(epoch_trends):
    published = data.load_epoch_price_trends()
    assert len(published) == 21
    ours = epoch_trends.assign(threshold_model=epoch_trends["threshold_model"].replace(EPOCH_ALIASES))
    assert len(ours) == 21
    merged = published.merge(ours, on=["benchmark", "threshold_model"], suffixes=("_pub", "_ours"),
                             validate="one_to_one")
    assert len(merged) == 21
    assert (merged["n_pub"] == merged["n_ours"]).all()
    assert (merged["start_pub"] == merged["start_ours"]).all() and (merged["end_pub"] == merged["end_ours"]).all()
    np.testing.assert_allclose(merged["lower_pub"], merged["lower_ours"])
    assert (merged["r2_ours"].round(2) == merged["r2_pub"]).all()
    for column in ("factor_per_year", "ci_low", "ci_high"):
        gap = np.abs(np.log10(merged[f"{column}_ours"]) - np.log10(merged[f"{column}_pub"]))
        assert gap.max() < 1e-6, f"{column}: largest log10 gap {gap.max():.2e}"


def test_reproduces_epochs_summary_statistics(epoch_trends):
    summary = prices.summarize_factors(epoch_trends)
    # Epoch AI's printed summary: min / median / max = 9.24 / 46.25 / 851.16
    assert summary["n_trends"] == 21
    assert round(summary["min_factor_per_year"], 2) == 9.24
    assert round(summary["median_factor_per_year"], 2) == 46.25
    assert round(summary["max_factor_per_year"], 2) == 851.16


def test_compare_with_published_flags_a_changed_price():
    raw = data.load_llm_prices()
    changed = raw.copy()
    changed.loc[(changed["model"] == "Phi 4"), "blended_3to1_usd_per_mtok"] *= 2
    df = prices.prepare(changed, datasets=["epoch"])
    comparison = prices.compare_with_published(prices.frontier_trends(df, prices.EPOCH_BENCHMARKS),
                                               data.load_epoch_price_trends(), EPOCH_ALIASES)
    assert comparison["abs_log10_error"].max() > 1e-3   # the check can fail


def test_a16z_mmlu42_window_starts_at_gpt3_and_falls_short_of_1000x():
    df = prices.prepare(data.load_llm_prices(), datasets=["epoch"], exclude_reasoning=True)
    fit = prices.monthly_cheapest(df, "mmlu", 42, start="2021-11", end="2024-11")
    assert fit.series["price_usd_per_mtok"].iloc[0] == 60.0
    assert fit.years == pytest.approx(3.0, abs=0.01)
    gap = prices.a16z_gap(fit, 1000, 3.0)
    # a16z's $60 start is published; the end is the cheapest shipped point of the window (3:1 blend)
    end = float(fit.series["price_usd_per_mtok"].iloc[-1])
    assert gap["start_price"] == 60.0 and gap["total_ratio"] == pytest.approx(1000 / (60 / end))
    assert gap["total_ratio"] > 1                       # the shipped points fall short of a16z's 1000x


def test_prepare_reblends_only_rows_with_list_prices():
    raw = data.load_llm_prices()
    at3 = prices.prepare(raw, datasets=["epoch"])
    at1 = prices.prepare(raw, input_weight=1, datasets=["epoch"])
    assert not at3["price_recomputed"].any()
    has_io = at1["input_usd_per_mtok"].notna() & at1["output_usd_per_mtok"].notna()
    assert (at1["price_recomputed"] == has_io).all()
    expected = (at1["input_usd_per_mtok"] + at1["output_usd_per_mtok"]) / 2
    np.testing.assert_allclose(at1.loc[has_io, "price_usd_per_mtok"], expected[has_io])
    with pytest.raises(ValueError, match="unknown dataset"):
        prices.prepare(raw, datasets=["nope"])


def test_cost_per_output_token_is_the_request_bill():
    requests, n_in, n_out, p_in, p_out = 1000, 1024, 512, 0.6, 1.8
    bill = requests * (n_in * p_in + n_out * p_out) / 1e6
    per_output = prices.cost_per_output_token(p_in, p_out, n_in, n_out)
    assert requests * n_out * per_output / 1e6 == pytest.approx(bill)
    # a blend equals the bill per token only at the workload's own mix (3:1 blend, 3 input tokens per output)
    blended = prices.blended_price(p_in, p_out, 3)
    assert prices.cost_per_output_token(p_in, p_out, 3, 1) == pytest.approx(4 * blended)
    assert np.all(np.diff(prices.cost_per_output_token(p_in, p_out, np.array([0, 512, 1024, 4096]), n_out)) > 0)
    with pytest.raises(ValueError):
        prices.cost_per_output_token(1, 1, 10, 0)


def test_split_blend_inverts_the_blend():
    p_in, p_out = prices.split_blend(0.72, 2.0)
    assert p_out == pytest.approx(2 * p_in)
    assert prices.blended_price(p_in, p_out) == pytest.approx(0.72)


def test_fixed_model_price_path_respects_floor_and_observation_date():
    years = np.array([2024.0, 2025.0, 2026.0, 2027.0, 2040.0])
    path = prices.fixed_model_price_path(1.0, 2025.0, years, 2.0, floor=0.2)
    np.testing.assert_allclose(path, [1.0, 1.0, 0.5, 0.25, 0.2])
    assert np.all(path >= 0.2)


def test_price_observed_date_uses_the_scrape_date():
    scraped = pd.Series({"date": pd.Timestamp("2024-07-23"),
                         "notes": "price = AA price at scrape time (~Feb 2025) paired with release date"})
    assert prices.price_observed_date(scraped) == pd.Timestamp("2025-02-01")
    listed = pd.Series({"date": pd.Timestamp("2024-07-23"), "notes": "launch list price"})
    assert prices.price_observed_date(listed) == pd.Timestamp("2024-07-23")
    assert prices.price_observed_date(pd.Series({"date": pd.Timestamp("2023-03-01"), "notes": None})) \
        == pd.Timestamp("2023-03-01")
    # the shipped Epoch/Artificial Analysis rows carry the note the rule reads
    raw = data.load_llm_prices()
    noted = raw["notes"].fillna("").str.contains(prices._SCRAPE_NOTE)
    assert noted.any()


def test_same_model_declines():
    df = frame([("a", "2023-01-01", 4.0, 50), ("a", "2025-01-01", 1.0, 50), ("b", "2023-01-01", 1.0, 50),
                ("c", "2023-01-01", 2.0, 50), ("c", "2023-01-20", 1.0, 50)])
    out = prices.same_model_declines(df)
    assert list(out["model"]) == ["a"]                    # b never re-priced, c's span is too short
    assert out["factor_per_year"].iloc[0] == pytest.approx(4.0 ** (365.25 / 731), rel=1e-6)


def test_pareto_front_keeps_only_undominated_points():
    df = frame([("a", "2025-01-01", 1.0, 50), ("b", "2025-01-01", 2.0, 40), ("c", "2025-01-01", 3.0, 70),
                ("d", "2025-01-01", 0.5, 30), ("e", "2025-01-01", 3.0, 60)])
    assert list(prices.pareto_front(df, "mmlu")["model"]) == ["d", "a", "c"]


def test_window_trends_fits_the_latest_window_separately():
    rows = [(f"m{i}", f"{2022 + i // 4}-{1 + 3 * (i % 4):02d}-01", 100.0 / 3 ** i, 50) for i in range(12)]
    df = frame(rows, "humaneval")
    trends, start = prices.window_trends(df, ["humaneval"], months=18)
    assert start == pd.Timestamp("2024-10-01") - pd.DateOffset(months=18)
    latest = trends[trends["window"] == "latest"]
    assert len(latest) == 1 and latest["start"].iloc[0] >= start
    assert latest["n"].iloc[0] < trends.loc[trends["window"] == "full", "n"].iloc[0]
