"""The compute-split model: reproduction of Deloitte's points, behaviour, lifetime view."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from analysis import compute_split as cs
from analysis import data
from conftest import PROJECT


@pytest.fixture(scope="module")
def table_drivers():
    return cs.drivers_from_table(data.load_compute_drivers())


def deloitte_points():
    e = data.load_compute_split_estimates()
    d = e[(e["publisher"] == "Deloitte") & (e["measure"] == "share_of_ai_compute")]
    return dict(zip(d["year"], d["value"]))


def test_sourced_defaults_reproduce_deloitte_within_5_points(table_drivers):
    drivers, _ = table_drivers
    points = deloitte_points()
    assert sorted(points) == [2023, 2025, 2026]
    model = cs.driver_model(drivers, sorted(points)).set_index("year")["inference_share"]
    for year, published in points.items():
        assert abs(model[year] - published) <= 0.05, (year, model[year], published)


def test_only_the_anchor_is_calibrated(table_drivers):
    drivers, _ = table_drivers
    moved = replace(drivers, anchor_share=0.2)
    model = cs.driver_model(moved, [2023, 2026]).set_index("year")["inference_share"]
    assert model[2023] == pytest.approx(0.2)
    assert abs(model[2026] - deloitte_points()[2026]) > 0.05   # the reproduction is not built in


def test_faster_training_growth_lowers_projected_share(table_drivers):
    drivers, _ = table_drivers
    shares = [cs.driver_model(replace(drivers, training_growth_per_year=g), [2030])["inference_share"].iloc[0]
              for g in (3.0, 4.0, 4.5, 5.0, 6.0)]
    assert all(a > b for a, b in zip(shares, shares[1:]))


def test_more_reasoning_raises_share(table_drivers):
    drivers, _ = table_drivers
    low = cs.driver_model(replace(drivers, reasoning_token_multiplier=2), [2026])["inference_share"].iloc[0]
    high = cs.driver_model(replace(drivers, reasoning_token_multiplier=20), [2026])["inference_share"].iloc[0]
    assert high > low


def test_without_reasoning_or_agents_odds_follow_the_growth_ratio():
    d = cs.Drivers(reasoning_token_multiplier=1, agent_token_multiplier=1, request_growth_per_year=6,
                   training_growth_per_year=3, anchor_share=0.5)
    model = cs.driver_model(d, [2023, 2024, 2025]).set_index("year")["inference_share"]
    odds = model / (1 - model)
    np.testing.assert_allclose(odds.to_numpy(), [1, 2, 4], rtol=1e-12)


def test_logistic_through_passes_through_its_points():
    f = cs.logistic_through([(2024.7, 0.01), (2025.8, 0.18)], 0.4)
    np.testing.assert_allclose(f([2024.7, 2025.8]), [0.01, 0.18])
    assert f(2100) == pytest.approx(0.4)


def test_logit_trend_cannot_pass_through_deloitte():
    points = deloitte_points()
    trend = cs.fit_logit_trend(list(points), list(points.values()))
    predicted = trend.predict(list(points))["share"].to_numpy()
    assert np.max(np.abs(predicted - np.array(list(points.values())))) > 0.01
    exact = cs.fit_logit_trend([2020, 2021, 2022], [0.2, 0.5, 0.8])
    np.testing.assert_allclose(exact.predict([2021])["share"], [0.5])


@pytest.mark.parametrize("bad", [dict(anchor_share=1.0), dict(training_growth_per_year=0),
                                 dict(reasoning_points=((2025, 0.5), (2026, 0.6)), reasoning_ceiling=0.4),
                                 dict(reasoning_points=((2026, 0.01), (2025, 0.1)))])
def test_invalid_drivers_are_rejected(bad):
    with pytest.raises(ValueError):
        cs.Drivers(**bad)


def test_lifetime_share_arithmetic():
    out = cs.lifetime_inference_share(training_flop=1e24, active_params=1e9, tokens_per_day=1e12,
                                      deployment_years=1, training_utilization=0.5, inference_utilization=0.25)
    inference = 2 * 1e9 * 1e12 * 365
    assert out["inference_flop"] == pytest.approx(inference)
    assert out["compute_share"] == pytest.approx(inference / (inference + 1e24))
    assert out["cost_share"] == pytest.approx((inference / 0.25) / (inference / 0.25 + 1e24 / 0.5))
    more_rnd = cs.lifetime_inference_share(1e24, 1e9, 1e12, 1, rnd_multiplier=10)
    assert more_rnd["cost_share"] < out["cost_share"]
    with pytest.raises(ValueError, match="positive"):
        cs.lifetime_inference_share(1e24, -1, 1e12, 1)


def test_sensitivity_is_sorted_and_brackets_base(table_drivers):
    drivers, ranges = table_drivers
    tornado = cs.sensitivity(drivers, ranges, 2026)
    assert list(tornado["swing"]) == sorted(tornado["swing"], reverse=True)
    assert set(tornado["parameter"]) == set(ranges)
    with pytest.raises(ValueError, match="unknown driver"):
        cs.sensitivity(drivers, {"nope": (1, 2)}, 2026)


def test_notebook_defaults_equal_the_sourced_table(table_drivers):
    import papermill

    drivers, _ = table_drivers
    declared = papermill.inspect_notebook(str(PROJECT / "notebooks" / "02_compute_split.ipynb"))
    default = {k: json.loads(v["default"]) if v["inferred_type_name"] == "list" else float(v["default"])
               for k, v in declared.items() if k not in ("output_dir",)}
    assert default["training_growth_per_year"] == drivers.training_growth_per_year
    assert default["request_growth_per_year"] == drivers.request_growth_per_year
    assert default["flop_per_token_change_per_year"] == drivers.flop_per_token_change_per_year
    assert default["reasoning_token_multiplier"] == drivers.reasoning_token_multiplier
    assert default["reasoning_ceiling"] == drivers.reasoning_ceiling
    assert default["agent_token_multiplier"] == drivers.agent_token_multiplier
    assert default["agent_ceiling"] == drivers.agent_ceiling
    assert default["anchor_share"] == drivers.anchor_share
    assert [tuple(p) for p in default["reasoning_points"]] == list(drivers.reasoning_points)
    assert [tuple(p) for p in default["agent_points"]] == list(drivers.agent_points)
    lifetime, _ = cs.lifetime_from_table(data.load_compute_drivers())
    for name, value in lifetime.items():
        assert default[f"lifetime_{name}"] == value, name


def test_share_conversions_round_trip():
    # 02's 0.70 of FLOP at 0.10 serving and 0.40 training utilization is ~0.90 of accelerator time
    assert cs.flop_share_to_time_share(0.70, 0.10, 0.40) == pytest.approx(0.7 / 0.1 / (0.7 / 0.1 + 0.3 / 0.4))
    shares = np.linspace(0, 1, 11)
    back = cs.time_share_to_flop_share(cs.flop_share_to_time_share(shares, 0.1, 0.4), 0.1, 0.4)
    np.testing.assert_allclose(back, shares, atol=1e-12)
    # equal utilizations leave the share unchanged; serving below training utilization raises it
    np.testing.assert_allclose(cs.flop_share_to_time_share(shares, 0.3, 0.3), shares)
    assert np.all(cs.flop_share_to_time_share(shares[1:-1], 0.1, 0.4) > shares[1:-1])
    with pytest.raises(ValueError):
        cs.flop_share_to_time_share(1.2, 0.1, 0.4)


def test_monte_carlo_band_is_ordered_and_contains_the_central_run(table_drivers):
    drivers, ranges = table_drivers
    draws = cs.monte_carlo_shares(drivers, ranges, [2023, 2026, 2030], n=3000, seed=3)
    b = cs.band(draws).set_index("year")
    assert (b["p5"] <= b["p50"]).all() and (b["p50"] <= b["p95"]).all()
    assert b.loc[2023, "p95"] - b.loc[2023, "p5"] < 1e-9               # the anchor is calibrated in every draw
    central = cs.driver_model(drivers, [2026, 2030]).set_index("year")["inference_share"]
    for year in (2026, 2030):
        assert b.loc[year, "p5"] < central[year] < b.loc[year, "p95"]
    assert b.loc[2030, "p95"] - b.loc[2030, "p5"] > b.loc[2026, "p95"] - b.loc[2026, "p5"]
    # with every range collapsed, each draw is the deterministic model
    fixed = cs.monte_carlo_shares(drivers, {"training_growth_per_year": (4.5, 4.5)}, [2026, 2030], n=3)
    np.testing.assert_allclose(fixed.to_numpy(), np.tile(central.to_numpy(), (3, 1)), rtol=1e-12)


def test_decaying_growth(table_drivers):
    drivers, _ = table_drivers
    assert cs.growth_factor(4.0, 3.0) == pytest.approx(64.0)
    assert cs.growth_factor(4.0, 3.0, 0.5, decay_after=1.0) == pytest.approx(4.0 ** (1 + (1 - 0.5 ** 2) / np.log(2)))
    assert cs.growth_factor(4.0, 0.5, 0.5, decay_after=1.0) == pytest.approx(2.0)
    decayed = replace(drivers, growth_decay_per_year=0.3)
    before = cs.driver_model(decayed, [2023, 2024, 2025]).set_index("year")["inference_share"]
    np.testing.assert_allclose(before, cs.driver_model(drivers, [2023, 2024, 2025])["inference_share"], atol=0.02)
    with pytest.raises(ValueError):
        replace(drivers, growth_decay_per_year=1.0)


def test_lifetime_counts_prefill():
    base = dict(training_flop=1e24, active_params=1e9, tokens_per_day=1e12, deployment_years=1,
                training_utilization=0.5, inference_utilization=0.25)
    decode = 2 * 1e9 * 1e12 * 365
    out = cs.lifetime_inference_share(**base, input_tokens_per_output_token=3, prefill_utilization=0.5)
    assert out["prefill_flop"] == pytest.approx(3 * decode)
    assert out["cost_share"] == pytest.approx((decode / 0.25 + 3 * decode / 0.5) / (
        decode / 0.25 + 3 * decode / 0.5 + 1e24 / 0.5))
    assert out["cost_share"] > cs.lifetime_inference_share(**base)["cost_share"]
    with pytest.raises(ValueError):
        cs.lifetime_inference_share(**base, input_tokens_per_output_token=-1)
