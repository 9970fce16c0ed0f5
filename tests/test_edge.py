"""Edge vs cloud break-even."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import data, edge

SERVER = edge.LocalServer(price_usd=10_000, import_markup=0.25, tokens_per_s=1000, board_kw=1.0, host_overhead=1.0,
                          pue=1.0, life_years=3.0, maintenance_per_year=0.0, max_utilization=0.5)


def test_api_price_falls_at_the_stated_rate():
    path = edge.api_price_path(1.0, 10.0, 24)
    assert path[11] / path[23] == pytest.approx(10.0)
    assert edge.api_price_path(1.0, 1.0, 5) == pytest.approx(np.ones(5))


def test_cumulative_costs_arithmetic():
    out = edge.cumulative_costs(1e9, SERVER, 0.10, 1.0, 1.0, months=12)
    capacity = 1000 * 0.5 * edge.SECONDS_PER_MONTH
    assert out["devices"] == np.ceil(1e9 / capacity)
    energy_month = out["devices"] * 1.0 * edge.HOURS_PER_MONTH * 0.10
    assert out["own"][0] == pytest.approx(out["devices"] * 12_500 + energy_month)
    assert out["own"][-1] == pytest.approx(out["devices"] * 12_500 + 12 * energy_month)
    assert out["cloud"][-1] == pytest.approx(12 * 1e9 * 1.0 / 1e6)


def test_servers_are_replaced_at_end_of_life():
    out = edge.cumulative_costs(1e8, SERVER, 0.0, 1.0, 1.0, months=37)
    monthly = np.diff(out["own"], prepend=0.0)
    assert np.flatnonzero(monthly > 0).tolist() == [0, 36]      # months 1 and 37 (a 3-year life)


def test_breakeven_month_and_never():
    own = np.array([[10.0, 11.0, 12.0, 13.0], [10.0, 20.0, 30.0, 40.0]])
    cloud = np.array([[3.0, 6.0, 12.0, 18.0], [1.0, 2.0, 3.0, 4.0]])
    months = edge.breakeven_month(own, cloud)
    assert months[0] == 3 and np.isnan(months[1])


def test_a_falling_api_price_delays_or_prevents_breakeven():
    flat = edge.cumulative_costs(1e10, SERVER, 0.05, 1.0, 1.0, months=36)
    falling = edge.cumulative_costs(1e10, SERVER, 0.05, 1.0, 10.0, months=36)
    b_flat = edge.breakeven_month(flat["own"], flat["cloud"])
    b_falling = edge.breakeven_month(falling["own"], falling["cloud"])
    assert np.isfinite(b_flat)
    assert np.isnan(b_falling) or b_falling > b_flat


def test_cheaper_electricity_never_hurts_owning():
    grid = edge.cumulative_costs(np.array([1e9, 1e10])[None, :], SERVER, np.array([0.02, 0.3])[:, None], 1.0, 1.0)
    months = edge.breakeven_month(grid["own"], grid["cloud"])
    assert months.shape == (2, 2)
    cheap, dear = months[0], months[1]
    assert np.all((cheap <= dear) | np.isnan(dear))


def test_volume_where_owning_wins_is_a_threshold():
    v = edge.volume_where_owning_wins(SERVER, 0.05, 1.0, 1.0, 36)
    assert np.isfinite(v)
    below = edge.cumulative_costs(v / 3, SERVER, 0.05, 1.0, 1.0, 36)
    assert np.isnan(edge.breakeven_month(below["own"], below["cloud"]))


def test_region_lookup_and_errors():
    import pandas as pd

    regions = pd.DataFrame([
        {"region": "here", "parameter": "electricity_usd_per_kwh", "value": 0.05},
        {"region": "here", "parameter": "import_markup_fraction", "value": 0.3},
        {"region": "there", "parameter": "electricity_usd_per_kwh", "value": 0.2},
    ])
    assert edge.region_value(regions, "here", "electricity_usd_per_kwh") == pytest.approx(0.05)
    assert edge.region_value(regions, "there", "electricity_usd_per_kwh") == pytest.approx(0.2)
    with pytest.raises(ValueError, match="unknown region"):
        edge.region_value(regions, "atlantis", "electricity_usd_per_kwh")
    with pytest.raises(ValueError, match="has no import_markup_fraction"):
        edge.region_value(regions, "there", "import_markup_fraction")
    # the shipped table has the regions notebook 05 and its sweep name
    assert {"algeria", "north-america", "europe", "morocco"} <= set(data.load_regions()["region"])


def test_bad_inputs():
    with pytest.raises(ValueError):
        edge.cumulative_costs(0, SERVER, 0.1, 1.0, 1.0)
    with pytest.raises(ValueError):
        edge.cumulative_costs(1e9, SERVER, 0.1, 1.0, 1.0, months=0)


def test_api_bill_counts_input_tokens():
    # requests x (input tokens x p_in + output tokens x p_out): 2 input tokens per output token
    requests, n_in, n_out, p_in, p_out = 1e6, 1024, 512, 0.5, 1.5
    tokens = requests * n_out
    out = edge.cumulative_costs(tokens, SERVER, 0.0, p_out, 1.0, months=1, api_input_price_now=p_in,
                                input_tokens_per_output_token=n_in / n_out)
    assert out["cloud"][0] == pytest.approx(requests * (n_in * p_in + n_out * p_out) / 1e6)
    # the cost per output token rises with the prompt length
    ratios = np.array([0.0, 1.0, 2.0, 8.0])
    per_mtok = edge.cumulative_costs(tokens, SERVER, 0.0, p_out, 1.0, months=1, api_input_price_now=p_in,
                                     input_tokens_per_output_token=ratios)["cloud_usd_per_mtok"][:, 0]
    assert np.all(np.diff(per_mtok) > 0)


def test_api_price_never_falls_below_the_floor():
    path = edge.api_price_path(1.0, 10.0, 120, floor=0.05)
    assert path.min() == pytest.approx(0.05) and np.all(path >= 0.05)
    assert np.all(np.diff(path) <= 0)
    # starting later on the same path: month 1 a year after the observation is 10x cheaper
    later = edge.api_price_path(1.0, 10.0, 1, years_since_observed=1.0)
    assert later[0] == pytest.approx(edge.api_price_path(1.0, 10.0, 13)[12])


def test_discounting_and_residual_value():
    plain = edge.cumulative_costs(1e9, SERVER, 0.1, 1.0, 1.0, months=24)
    discounted = edge.cumulative_costs(1e9, SERVER, 0.1, 1.0, 1.0, months=24, discount_rate_per_year=0.1)
    assert discounted["own"][-1] < plain["own"][-1] and discounted["cloud"][-1] < plain["cloud"][-1]
    assert discounted["cloud"][11] == pytest.approx(np.sum(1e3 * 1.1 ** (-np.arange(1, 13) / 12)))
    # a 3-year server judged over 2 years keeps a third of its book value
    salvage = edge.cumulative_costs(1e9, SERVER, 0.1, 1.0, 1.0, months=24, residual_fraction=1.0)
    book = plain["devices"] * SERVER.landed_usd / 3
    assert salvage["residual_usd"] == pytest.approx(book)
    assert plain["own"][-1] - salvage["own"][-1] == pytest.approx(book)
    np.testing.assert_allclose(salvage["own"][:-1], plain["own"][:-1])
    with pytest.raises(ValueError):
        edge.cumulative_costs(1e9, SERVER, 0.1, 1.0, 1.0, residual_fraction=1.5)


# ---- fractional capacity: own servers for the base load, the API for the rest (issue 21)

CAPACITY = SERVER.capacity_tokens_per_month()


def test_owned_servers_serve_up_to_capacity_and_the_api_the_rest():
    volume = 2.5 * CAPACITY
    out = edge.cumulative_costs(volume, SERVER, 0.0, 1.0, 1.0, months=12, servers=2)
    assert out["overflow_tokens_per_month"] == pytest.approx(0.5 * CAPACITY)
    api_rest = 12 * 0.5 * CAPACITY * 1.0 / 1e6
    assert out["own"][-1] == pytest.approx(2 * SERVER.landed_usd + api_rest)
    # owning none is the API itself
    none = edge.cumulative_costs(volume, SERVER, 0.1, 1.0, 2.0, months=12, servers=0, staff_usd_per_month=500.0)
    np.testing.assert_allclose(none["own"], none["cloud"])
    with pytest.raises(ValueError):
        edge.cumulative_costs(volume, SERVER, 0.0, 1.0, 1.0, servers=1.5)


def test_staff_time_and_the_exchange_rate_on_the_api_bill():
    base = edge.cumulative_costs(1e9, SERVER, 0.1, 1.0, 1.0, months=12)
    staffed = edge.cumulative_costs(1e9, SERVER, 0.1, 1.0, 1.0, months=12, staff_usd_per_month=150.0)
    assert staffed["own"][-1] - base["own"][-1] == pytest.approx(12 * 150.0)
    dear_dollars = edge.cumulative_costs(1e9, SERVER, 0.1, 1.0, 1.0, months=12, api_fx_premium=1.8)
    np.testing.assert_allclose(dear_dollars["cloud"], 1.8 * base["cloud"])
    np.testing.assert_allclose(dear_dollars["own"], base["own"])           # whole servers: no API bill


@settings(max_examples=40, deadline=None)
@given(price=st.floats(0.05, 20.0), decline=st.floats(1.0, 5.0), electricity=st.floats(0.0, 0.4),
       staff=st.floats(0.0, 500.0), residual=st.floats(0.0, 1.0))
def test_the_hybrid_never_costs_more_than_the_api_and_its_saving_grows_with_volume(price, decline, electricity, staff,
                                                                                     residual):
    volumes = np.geomspace(0.05, 12.0, 60) * CAPACITY
    out = edge.hybrid_costs(volumes, SERVER, electricity, price, decline, 36, staff_usd_per_month=staff,
                            residual_fraction=residual, discount_rate_per_year=0.1)
    saving = out["cloud"][:, -1] - out["own"][:, -1]
    assert np.all(saving >= -1e-6 * out["cloud"][:, -1])
    assert np.all(np.diff(saving) >= -1e-6 * out["cloud"][1:, -1])        # monotone in volume, no sawtooth
    best = out["devices"]
    assert np.all((best == 0) | (best == np.floor(volumes / CAPACITY)) | (best == np.floor(volumes / CAPACITY) + 1))
    # and it is the cheapest of the counts it could pick
    for n in (0, 1, 3):
        other = edge.cumulative_costs(volumes, SERVER, electricity, price, decline, 36, servers=n,
                                      staff_usd_per_month=staff, residual_fraction=residual, discount_rate_per_year=0.1)
        assert np.all(out["own"][:, -1] <= other["own"][:, -1] * (1 + 1e-9) + 1e-9)


def test_whole_servers_make_a_sawtooth_the_hybrid_removes():
    volumes = np.linspace(0.3, 4.0, 200) * CAPACITY
    whole = edge.breakeven(volumes, SERVER, 0.05, 1.0, 1.3, 36, "whole", staff_usd_per_month=300.0)["month"]
    hybrid = edge.breakeven(volumes, SERVER, 0.05, 1.0, 1.3, 36, "hybrid", staff_usd_per_month=300.0)["month"]
    finite = np.isfinite(whole).astype(int)
    assert np.sum(np.abs(np.diff(finite))) >= 2                            # whole: wins, loses, wins again
    found = np.flatnonzero(np.isfinite(hybrid))
    assert found.size and np.all(np.isfinite(hybrid[found[0]:]))          # hybrid: once it pays, it keeps paying
    with pytest.raises(ValueError):
        edge.breakeven(1e9, SERVER, 0.05, 1.0, 1.3, 36, "fractional")


def test_no_breakeven_when_no_server_is_worth_owning():
    out = edge.breakeven(1e9, SERVER, 0.05, 1e-3, 1.0, 36, "hybrid")      # an API almost free
    assert out["servers"] == 0 and np.isnan(out["month"]) and out["npv_advantage_usd"] == pytest.approx(0.0)


def test_breakeven_broadcasts_over_throughput_draws():
    rng = np.random.default_rng(1)
    draws = edge.throughput_draws(400.0, 230.0, 710.0, 0.8, 50, rng)
    server = edge.LocalServer(10_000, 0.25, draws, 1.0)
    many = edge.breakeven(1e9, server, 0.05, 2.0, 1.3, 36)
    assert many["month"].shape == (50,)
    one = edge.breakeven(1e9, edge.LocalServer(10_000, 0.25, float(draws[7]), 1.0), 0.05, 2.0, 1.3, 36)
    assert np.isclose(many["month"][7], one["month"], equal_nan=True)


def test_throughput_draws_match_their_interval():
    rng = np.random.default_rng(0)
    draws = edge.throughput_draws(400.0, 200.0, 800.0, 0.8, 200_000, rng)
    assert np.median(draws) == pytest.approx(400.0, rel=0.01)
    assert np.mean(draws < 200.0) == pytest.approx(0.10, abs=0.005)
    assert np.mean(draws > 800.0) == pytest.approx(0.10, abs=0.005)
    with pytest.raises(ValueError):
        edge.throughput_draws(100.0, 200.0, 800.0, 0.8, 10, rng)


def test_vat_recovery_leaves_the_duty():
    # Algerian customs: 5% duty then 19% VAT on the duty-paid value = 24.95%; VAT recovered leaves 5%
    assert edge.landed_markup_after_vat(0.2495, 0.19) == pytest.approx(0.05)
    assert edge.landed_markup_after_vat(0.3, 0.0) == pytest.approx(0.3)


# ---- the best owning option, a market residual, where the answer flips, joint draws (issue 21 review)

def test_the_owned_option_always_owns_and_matches_the_hybrid_where_the_hybrid_owns():
    volumes = np.geomspace(1e7, 1e10, 25)
    hybrid = edge.breakeven(volumes, SERVER, 0.05, 0.5, 1.3, 36, "hybrid", staff_usd_per_month=50.0)
    owned = edge.breakeven(volumes, SERVER, 0.05, 0.5, 1.3, 36, "owned", staff_usd_per_month=50.0)
    assert np.all(owned["servers"] >= 1)
    owns = hybrid["servers"] > 0
    assert owns.any() and (~owns).any()
    np.testing.assert_allclose(owned["npv_advantage_usd"][owns], hybrid["npv_advantage_usd"][owns])
    assert np.all(owned["npv_advantage_usd"][~owns] <= 0) and np.all(hybrid["npv_advantage_usd"][~owns] == 0)
    # it is the cheaper of its two counts
    one = edge.cumulative_costs(1e7, SERVER, 0.05, 0.5, 1.3, 36, servers=1, staff_usd_per_month=50.0)
    assert owned["own"][0, -1] == pytest.approx(one["own"][-1])


def test_a_market_residual_replaces_book_value_and_can_exceed_it():
    book = edge.cumulative_costs(1e9, SERVER, 0.05, 1.0, 1.0, 24, servers=2, residual_fraction=1.0)
    assert book["residual_usd"] == pytest.approx(2 * 12_500 * (1 - 24 / 36))
    market = edge.cumulative_costs(1e9, SERVER, 0.05, 1.0, 1.0, 24, servers=2, residual_fraction=1.0,
                                   resale_fraction=0.6)
    assert market["residual_usd"] == pytest.approx(2 * 12_500 * 0.6)
    assert book["own"][-1] - market["own"][-1] == pytest.approx(
        (market["residual_usd"] - book["residual_usd"]) * edge.discount_factors(24, 0.0)[-1])
    np.testing.assert_allclose(book["own"][:-1], market["own"][:-1])
    with pytest.raises(ValueError):
        edge.cumulative_costs(1e9, SERVER, 0.05, 1.0, 1.0, 24, resale_fraction=-0.1)


def test_flip_points_zero_the_owning_option_and_point_the_right_way():
    options = dict(api_input_price_now=0.1, input_tokens_per_output_token=2.0, discount_rate_per_year=0.09,
                   residual_fraction=1.0, staff_usd_per_month=100.0)
    args = (1e9, SERVER, 0.05, 0.8, 1.3, 36)
    flips = edge.owning_flip_points(*args, **options)
    assert options["staff_usd_per_month"] == 100.0                       # the caller's options are left alone
    npv = lambda server=SERVER, **change: float(edge.breakeven(
        change.pop("tokens", 1e9), server, 0.05, 0.8, change.pop("decline", 1.3), 36, "owned",
        **{**options, **change})["npv_advantage_usd"])
    base = npv()
    assert base > 0                                                       # owning pays in the fixture
    assert npv(staff_usd_per_month=flips["staff_usd_per_month"]) == pytest.approx(0.0, abs=1e-3)
    assert flips["staff_usd_per_month"] > 100.0
    from dataclasses import replace
    assert npv(server=replace(SERVER, price_usd=flips["server_price_usd"])) == pytest.approx(0.0, abs=1e-3)
    assert flips["server_price_usd"] > SERVER.price_usd
    assert npv(server=replace(SERVER, maintenance_per_year=flips["maintenance_per_year"])) == pytest.approx(0.0, abs=1e-3)
    assert npv(decline=flips["decline_per_year"]) == pytest.approx(0.0, abs=1e-3) and flips["decline_per_year"] > 1.3
    assert npv(tokens=flips["tokens_per_month"]) == pytest.approx(0.0, abs=1e-3) and flips["tokens_per_month"] < 1e9
    # the API's floor can make a decline flip impossible
    floored = edge.owning_flip_points(*args, **{**options, "price_floor": 0.75})
    assert np.isnan(floored["decline_per_year"])


def test_joint_draws_of_throughput_staff_and_decline_match_one_at_a_time():
    rng = np.random.default_rng(3)
    tps = edge.throughput_draws(1000.0, 600.0, 1600.0, 0.8, 40, rng)
    staff = rng.uniform(0, 200, 40)
    decline = edge.throughput_draws(1.4, 1.1, 1.8, 0.9, 40, rng)
    from dataclasses import replace
    many = edge.breakeven(1e9, replace(SERVER, tokens_per_s=tps), 0.05, 0.5, decline, 36, "owned",
                          staff_usd_per_month=staff, discount_rate_per_year=0.09)
    for i in (0, 17, 39):
        one = edge.breakeven(1e9, replace(SERVER, tokens_per_s=float(tps[i])), 0.05, 0.5, float(decline[i]), 36, "owned",
                             staff_usd_per_month=float(staff[i]), discount_rate_per_year=0.09)
        assert many["npv_advantage_usd"][i] == pytest.approx(float(one["npv_advantage_usd"]))
        assert np.isclose(many["month"][i], one["month"], equal_nan=True)
