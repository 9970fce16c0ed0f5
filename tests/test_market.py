"""The genai-prices market snapshot on a small fake input shaped like the package's data (no package needed)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from analysis import data, market


@dataclass
class Price:                 # genai_prices.types.ModelPrice
    input_mtok: object = None
    output_mtok: object = None
    cache_read_mtok: object = None


@dataclass
class Tiered:                # genai_prices.types.TieredPrices
    base: Decimal
    tiers: list = field(default_factory=list)


@dataclass
class StartDate:             # genai_prices.types.StartDateConstraint
    start_date: date


@dataclass
class TimeOfDay:             # genai_prices.types.TimeOfDateConstraint
    start_time: str = "00:30"


@dataclass
class Conditional:           # genai_prices.types.ConditionalPrice
    constraint: object = None
    prices: Price = None


@dataclass
class Model:                 # genai_prices.types.ModelInfo
    id: str
    prices: object
    deprecated: bool | None = None


@dataclass
class Provider:              # genai_prices.types.Provider
    id: str
    models: list


FAKE = [
    Provider("hostA", [Model("llama-3.3-70b", Price(Decimal("0.6"), Decimal("0.8"))),
                       Model("embed-1", Price(Decimal("0.1"), None)),
                       Model("free-model", Price(Decimal("0"), Decimal("0")))]),
    Provider("hostB", [Model("meta-llama/Llama-3.3-70B-Instruct", Price(Tiered(Decimal("0.2")), Decimal("0.4")),
                             deprecated=False),
                       Model("old-llama", Price(Decimal("0.01"), Decimal("0.01")), deprecated=True)]),
    Provider("dev", [Model("big-1", [Conditional(None, Price(Decimal("2"), Decimal("10"), Decimal("0.2"))),
                                     Conditional(StartDate(date(2026, 7, 30)), Price(Decimal("1"), Decimal("5"))),
                                     Conditional(StartDate(date(2027, 1, 1)), Price(Decimal("3"), Decimal("15"))),
                                     Conditional(TimeOfDay(), Price(Decimal("0.5"), Decimal("2")))])]),
]
MAPPING = pd.DataFrame({"provider": ["hostA", "hostB", "hostB"],
                        "provider_model_id": ["llama-3.3-70b", "meta-llama/Llama-3.3-70B-Instruct", "old-llama"],
                        "model": ["Llama 3.3 70B", "Llama 3.3 70B", "Llama 3.3 70B"]})


def test_snapshot_rows_reads_plain_tiered_and_dated_prices():
    rows = market.snapshot_rows(FAKE, "9.9.9", "2026-11-26", MAPPING)
    assert list(rows.columns) == market.COLUMNS
    assert "embed-1" not in set(rows["provider_model_id"]) and "free-model" not in set(rows["provider_model_id"])
    big = rows[rows["provider_model_id"] == "big-1"].set_index("start_date", drop=False)
    assert len(big) == 3                                   # off-peak price skipped
    assert list(big["price_status"]) == ["superseded", "current", "scheduled"]
    assert big["input_usd_per_mtok"].tolist() == [2.0, 1.0, 3.0]
    assert big["cached_input_usd_per_mtok"].iloc[0] == 0.2
    tiered = rows[rows["provider"] == "hostB"].iloc[0]
    assert tiered["input_usd_per_mtok"] == 0.2 and tiered["blended_3to1_usd_per_mtok"] == pytest.approx(0.25)
    assert (rows.loc[rows["provider"] != "dev", "model"] == "Llama 3.3 70B").all()
    assert rows["source"].str.contains("genai-prices 9.9.9").all()


def test_build_snapshot_writes_a_valid_file_and_its_origin_record(tmp_path):
    pd.read_csv(data.paths.data_dir() / "llm_prices.csv").to_csv(tmp_path / "llm_prices.csv", index=False)
    MAPPING.assign(llm_prices_model="", open_weights=True, notes="",
                   source="genai-prices 9.9.9 genai_prices/data.py (fake)").to_csv(tmp_path / "market_model_map.csv",
                                                                             index=False)
    (tmp_path / "sources.yml").write_text("other.csv:\n  title: kept\n")
    market.build_snapshot("2026-11-26", tmp_path, providers=FAKE, package_version="9.9.9", package_sha256="abc")
    loaded = data.load_market_prices(tmp_path)
    assert len(loaded) == 6 and loaded["snapshot_date"].eq(pd.Timestamp("2026-11-26")).all()
    import yaml

    records = yaml.safe_load((tmp_path / "sources.yml").read_text())
    assert records["other.csv"] == {"title": "kept"}
    record = records["market_prices.csv"]
    assert record["package"] == "genai-prices" and record["package_version"] == "9.9.9"
    assert record["package_data_sha256"] == "abc" and record["licence"].startswith("MIT")
    # a rebuild replaces the record rather than adding a second one
    market.build_snapshot("2026-11-27", tmp_path, providers=FAKE, package_version="9.9.10")
    assert (tmp_path / "sources.yml").read_text().count("market_prices.csv:") == 1


def test_market_price_cheapest_and_median():
    rows = market.snapshot_rows(FAKE, "9.9.9", "2026-11-26", MAPPING)
    cheap = market.market_price("Llama 3.3 70B", "cheapest", market=rows)
    assert cheap["provider"] == "hostB" and cheap["blended_usd_per_mtok"] == pytest.approx(0.25)
    assert cheap["n_offers"] == 2                          # the deprecated id is left out
    median = market.market_price("Llama 3.3 70B", "median", market=rows)
    assert median["input_usd_per_mtok"] == pytest.approx(0.4) and median["output_usd_per_mtok"] == pytest.approx(0.6)
    assert median["snapshot_date"] == "2026-11-26" and median["snapshot_year"] == pytest.approx(2026.9, abs=0.01)
    assert market.market_price("Llama 3.3 70B", input_weight=1, market=rows)["blended_usd_per_mtok"] == pytest.approx(0.3)
    with pytest.raises(KeyError, match="no current market offer"):
        market.market_price("nope", market=rows)
    with pytest.raises(ValueError):
        market.market_price("Llama 3.3 70B", "mean", market=rows)


def test_fixed_model_rate_on_a_constructed_case():
    rows = market.snapshot_rows(FAKE, "9.9.9", "2026-11-26", MAPPING)
    raw = pd.DataFrame({"model": ["L"], "date": [pd.Timestamp("2024-11-26")], "input_usd_per_mtok": [1.0],
                        "output_usd_per_mtok": [1.0], "blended_3to1_usd_per_mtok": [1.0], "price_kind": ["host"],
                        "notes": [None]})
    mapping = MAPPING.assign(llm_prices_model="L")
    declines = market.fixed_model_declines(raw, rows, mapping)
    assert len(declines) == 1
    assert declines["factor_per_year"].iloc[0] == pytest.approx(4.0 ** (1 / declines["years"].iloc[0]))
    rate = market.fixed_model_rate(declines)
    assert rate["n_models"] == 1 and rate["ci_low"] <= rate["median_factor_per_year"] <= rate["ci_high"]


def test_committed_snapshot_and_mapping_cover_the_notebooks_models():
    snapshot, mapping = data.load_market_prices(), data.load_market_model_map()
    assert snapshot["package_version"].nunique() == 1 and snapshot["snapshot_date"].nunique() == 1
    assert (snapshot["price_status"] == "current").sum() > 1000
    # the reference models of 04 and 05 and every model the fixed-model rate uses
    for model in ("Llama 3.1 70B", "Llama 3.3 70B", "gpt-oss-120b", "DeepSeek V3", "Llama 3.1 405B"):
        assert market.market_price(model, market=snapshot)["n_offers"] >= 2, model
    mapped = snapshot.merge(mapping, on=["provider", "provider_model_id"], suffixes=("", "_map"))
    assert (mapped["model"] == mapped["model_map"]).all() and len(mapped) >= len(mapping)


def test_reports_do_not_need_the_package():
    import subprocess

    code = ("import sys; sys.modules['genai_prices'] = None\n"
            "from analysis import data, market\n"
            "print(market.market_price('Llama 3.3 70B')['provider'])")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_network_guard_blocks_outside_connections(network_guard):
    import subprocess

    code = "import socket; socket.create_connection(('192.0.2.1', 443), timeout=1)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=network_guard)
    assert proc.returncode != 0 and "network access" in proc.stderr
