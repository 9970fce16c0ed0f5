"""The dated price history from past genai-prices releases, and like-for-like rates, on small fixtures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import market

DATA_PY = '''"""DO NOT EDIT"""
import datetime
from decimal import Decimal

from .types import *

providers: list[Provider] = [
    Provider(id='hostA', models=[
        ModelInfo(id='m-70b', match=ClauseEquals(equals='m-70b'),
                  prices=ModelPrice(input_mtok=Decimal('0.6'), output_mtok=Decimal('0.8'))),
        ModelInfo(id='m-dated', prices=[
            ConditionalPrice(prices=ModelPrice(input_mtok=Decimal('2'), output_mtok=Decimal('10'))),
            ConditionalPrice(constraint=StartDateConstraint(start_date=datetime.date(2025, 3, 1)),
                             prices=ModelPrice(input_mtok=Decimal('1'), output_mtok=Decimal('5'))),
        ], price_variants=[PriceVariant(when={'processing': 'batch'}, prices=ModelPrice(input_mtok=Decimal('0.1')))]),
    ]),
]
'''


def test_release_providers_reads_data_py_as_data_without_the_package():
    providers = market.release_providers(DATA_PY)
    rows = market.release_rows(providers, "1.0", "2025-06-01")
    plain = rows[rows["provider_model_id"] == "m-70b"].iloc[0]
    assert (plain["input_usd_per_mtok"], plain["output_usd_per_mtok"], plain["observation"]) == (0.6, 0.8, "release")
    dated = rows[rows["provider_model_id"] == "m-dated"].set_index("observation")
    assert dated.loc["release", "input_usd_per_mtok"] == 1.0                 # in force on the release date
    assert dated.loc["dated_change", "first_date"] == "2025-03-01"
    with pytest.raises(ValueError, match="providers"):
        market.release_providers("x = 1\n")


def _obs(provider, model_id, version, date, p_in, p_out):
    return {"provider": provider, "provider_model_id": model_id, "input_usd_per_mtok": p_in,
            "output_usd_per_mtok": p_out, "blended_3to1_usd_per_mtok": (3 * p_in + p_out) / 4,
            "observation": "release", "first_date": date, "deprecated": False, "version": version, "release_date": date}


RELEASES = [("1", "2025-01-01"), ("2", "2025-07-01"), ("3", "2026-01-01")]


def _history():
    """Model M: host a lists it at 1.0 throughout; host b at 2.0, then cuts to 1.0; host c (new in release 3) at 0.25.
    Model N: one host, never cheaper."""
    rows = []
    for v, d in RELEASES:
        rows.append(_obs("a", "m", v, d, 1.0, 1.0))
        rows.append(_obs("b", "m", v, d, *((2.0, 2.0) if v != "3" else (1.0, 1.0))))
        rows.append(_obs("n1", "n", v, d, 0.5, 0.5))
        rows.append(_obs("n2", "n", v, d, 0.7, 0.7))
    rows.append(_obs("c", "m", "3", "2026-01-01", 0.25, 0.25))
    mapping = pd.DataFrame({"provider": ["a", "b", "c", "n1", "n2"], "provider_model_id": ["m", "m", "m", "n", "n"],
                            "model": ["M", "M", "M", "N", "N"], "open_weights": [True] * 5})
    return market.history_runs(pd.DataFrame(rows), mapping), mapping


def test_history_runs_compress_unchanged_prices():
    history, _ = _history()
    b = history[history["provider"] == "b"].sort_values("first_date")
    assert list(b["n_releases"]) == [2, 1]
    assert list(b["first_version"]) == ["1", "3"] and list(b["last_version"]) == ["2", "3"]
    assert len(history[history["provider"] == "a"]) == 1


def test_like_for_like_rates_on_a_fixture_history():
    history, mapping = _history()
    skus = market.sku_declines(history).set_index("provider")
    assert skus.loc["a", "factor_per_year"] == pytest.approx(1.0)
    assert skus.loc["b", "factor_per_year"] == pytest.approx(2.0 ** (1 / (365 / 365.25)))
    assert "c" not in skus.index                              # one release: too short a span
    rates = market.like_for_like_declines(history, mapping).set_index("model")
    years = 365 / 365.25
    # median host: 1.5 (a 1, b 2) -> 1.0 (a 1, b 1, c 0.25); cheapest host: 1.0 -> 0.25
    assert rates.loc["M", "median_factor_per_year"] == pytest.approx(1.5 ** (1 / years))
    assert rates.loc["M", "cheapest_factor_per_year"] == pytest.approx(4.0 ** (1 / years))
    assert rates.loc["N", "cheapest_factor_per_year"] == pytest.approx(1.0)
    # the fixed panel leaves out host c, which the package did not cover at the first date
    panel = market.like_for_like_declines(history, mapping, fixed_panel=True).set_index("model")
    assert panel.loc["M", "cheapest_factor_per_year"] == pytest.approx(1.0)
    summary = market.like_for_like_rate(rates, "cheapest")
    assert summary["n_models"] == 2 and summary["share_no_cheaper"] == pytest.approx(0.5)
    assert summary["median_factor_per_year"] == pytest.approx(np.median([4.0 ** (1 / years), 1.0]))
    with pytest.raises(ValueError):
        market.like_for_like_rate(rates, "launch")


def test_offers_at_sees_only_runs_covering_the_date():
    history, _ = _history()
    assert set(market.offers_at(history, "2025-07-01")["provider"]) == {"a", "b", "n1", "n2"}
    assert set(market.offers_at(history, "2026-01-01")["provider"]) == {"a", "b", "c", "n1", "n2"}
    assert list(market.release_dates(history).strftime("%Y-%m-%d")) == [d for _, d in RELEASES]


def test_release_dates_from_pypi_dates_each_release_by_its_wheel_upload():
    doc = {"releases": {"0.1": [{"packagetype": "sdist", "upload_time_iso_8601": "2025-02-01T00:00:00Z"},
                                {"packagetype": "bdist_wheel", "upload_time_iso_8601": "2025-02-02T10:00:00Z",
                                 "filename": "w-0.1.whl", "digests": {"sha256": "x"}}],
                        "0.0": [{"packagetype": "bdist_wheel", "upload_time_iso_8601": "2024-12-30T10:00:00Z",
                                 "filename": "w-0.0.whl", "digests": {"sha256": "y"}}],
                        "0.2": []}}
    got = market.release_dates_from_pypi(doc, since="2025-01-01")
    assert list(got["version"]) == ["0.1"] and got["release_date"].iloc[0] == "2025-02-02"


def _history_with_reseller():
    """The fixture plus a Hugging Face route reselling model M at 0.1 in the last release only."""
    history, mapping = _history()
    extra = market.history_runs(pd.DataFrame([_obs("huggingface_c", "m", "3", "2026-01-01", 0.1, 0.1)]),
                                mapping.assign(provider="huggingface_c").iloc[:1])
    mapping = pd.concat([mapping, pd.DataFrame({"provider": ["huggingface_c"], "provider_model_id": ["m"],
                                                "model": ["M"], "open_weights": [True]})], ignore_index=True)
    return pd.concat([history, extra], ignore_index=True), mapping


def test_resellers_match_by_pattern_and_are_left_out_by_default():
    assert list(market.excluded(["openrouter", "huggingface_novita", "novita", "hf"])) == [True, True, False, False]
    assert not market.excluded(["openrouter"], ()).any()
    history, mapping = _history_with_reseller()
    years = 365 / 365.25
    rates = market.like_for_like_declines(history, mapping).set_index("model")
    assert rates.loc["M", "cheapest_factor_per_year"] == pytest.approx(4.0 ** (1 / years))     # the route ignored
    counted = market.like_for_like_declines(history, mapping, exclude_providers=("openrouter",)).set_index("model")
    assert counted.loc["M", "cheapest_factor_per_year"] == pytest.approx(10.0 ** (1 / years))


def test_rate_sensitivity_lists_each_variant_and_its_spread():
    history, mapping = _history_with_reseller()
    table = market.cheapest_rate_sensitivity(history, mapping, longer_min_years=(2.0,)).set_index("variant")
    years = 365 / 365.25
    headline = market.like_for_like_rate(market.like_for_like_declines(history, mapping), "cheapest")
    assert table.loc["headline", "factor_per_year"] == pytest.approx(headline["median_factor_per_year"])
    assert table.loc["fixed provider panel", "factor_per_year"] == pytest.approx(1.0)
    assert table.loc["Hugging Face routes counted as hosts", "factor_per_year"] == pytest.approx(
        np.median([10.0 ** (1 / years), 1.0]))
    assert table.loc["spans of 2 years or more", "n_models"] == 0                 # nothing spans two years
    pooled = table.filter(like="pooled", axis=0)["factor_per_year"].iloc[0]
    # pooled: (log 4 + log 1) over two spans of one year each
    assert pooled == pytest.approx(np.exp(np.log(4.0 ** (1 / years)) / 2))
