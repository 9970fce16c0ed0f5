"""Operator disclosures (notebook 07): unit conversions, DeepSeek's own arithmetic, the comparison table, the loader."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import data
from analysis import disclosures as dc
from conftest import edit_csv

# DeepSeek, "Day 6: One More Thing, DeepSeek-V3/R1 Inference System Overview" (2025-03-01), open-infra-index:
# published figures, copied here as test targets (not read from the shipped data).
DS_NODES, DS_GPUS_PER_NODE, DS_USD_PER_GPU_HOUR, DS_COST = 226.75, 8, 2.0, 87_072
DS_INPUT, DS_CACHE_HIT, DS_OUTPUT = 608e9, 342e9, 168e9
DS_R1_HIT, DS_R1_MISS, DS_R1_OUT = 0.14, 0.55, 2.19
DS_REVENUE, DS_MARGIN_PERCENT = 562_027, 545
DS_DECODE_PER_NODE, DS_PREFILL_PER_NODE = 14_800, 73_700

positive = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False, allow_infinity=False)


# --------------------------------------------------------------------------------------
# DeepSeek's own arithmetic
# --------------------------------------------------------------------------------------

def test_deepseek_daily_cost_from_nodes_gpus_price_and_hours():
    assert dc.gpu_hours(DS_NODES, DS_GPUS_PER_NODE, 24) == pytest.approx(43_536)
    assert dc.rental_cost_usd(DS_NODES, DS_GPUS_PER_NODE, DS_USD_PER_GPU_HOUR, 24) == pytest.approx(DS_COST, abs=1e-9)


def test_deepseek_margin_from_its_token_mix_and_r1_prices():
    revenue = float(dc.billed_revenue_usd(DS_CACHE_HIT, DS_INPUT - DS_CACHE_HIT, DS_OUTPUT, DS_R1_HIT, DS_R1_MISS,
                                          DS_R1_OUT))
    # the token counts are published rounded to billions: the revenue reproduces to within 0.02%
    assert revenue == pytest.approx(DS_REVENUE, rel=2e-4)
    # the published 545% is the margin cut to a whole percent (from the rounded token counts: 545.6%)
    for rev in (revenue, DS_REVENUE):
        assert math.floor(100 * float(dc.cost_profit_margin(rev, DS_COST))) == DS_MARGIN_PERCENT


def test_deepseek_throughputs_give_its_node_count():
    """Tokens over per-node throughput and seconds in a day: DeepSeek's own figures are self-consistent."""
    nodes = dc.nodes_for_tokens(DS_OUTPUT, DS_DECODE_PER_NODE) + dc.nodes_for_tokens(DS_INPUT, DS_PREFILL_PER_NODE)
    assert float(nodes) == pytest.approx(DS_NODES, rel=0.01)


# --------------------------------------------------------------------------------------
# Unit conversions
# --------------------------------------------------------------------------------------

def test_node_hours_and_nodes_for_tokens_by_hand():
    assert dc.gpu_hours(2, 8, 1.5) == pytest.approx(24)
    assert dc.nodes_for_tokens(86_400 * 1000 * 3, 1000) == pytest.approx(3)


def test_wh_per_prompt_by_hand():
    # 1,000 prompt tokens at 10,000/s and 500 answer tokens at 1,000/s occupy a 1 kW chip for 0.6 s: 600 J = 1/6 Wh
    assert dc.wh_per_prompt(1000, 500, 10_000, 1000, 1.0) == pytest.approx(600 / 3600)
    # host x1.5, PUE 1.2 and half the time idle multiply it by 3.6
    assert dc.wh_per_prompt(1000, 500, 10_000, 1000, 1.0, 1.5, 1.2, 0.5) == pytest.approx(600 / 3600 * 3.6)


def test_kwh_and_co2_per_million_tokens_by_hand():
    # 1 kW at 1,000 tokens/s: a million tokens take 1,000 s = 0.2778 kWh
    assert dc.kwh_per_mtok(1.0, 1000) == pytest.approx(1000 / 3600)
    assert dc.kwh_per_mtok(1.0, 1000, utilization=0.5, pue=1.2) == pytest.approx(1000 / 3600 * 2 * 1.2)
    assert dc.co2_kg_per_mtok(2.0, 0.4) == pytest.approx(0.8)
    out = dc.energy_results(1.0, 1.2, 1000, 0.5, 0.4)
    assert out["energy_kwh_per_mtok"] == pytest.approx(1000 / 3600 * 2.4)
    assert out["co2_kg_per_mtok"] == pytest.approx(out["energy_kwh_per_mtok"] * 0.4)


@settings(max_examples=50, deadline=None)
@given(tokens=positive, tps=positive, kw=positive, pue=st.floats(1.0, 3.0), u=st.floats(0.05, 1.0))
def test_per_prompt_and_per_million_tokens_agree(tokens, tps, kw, pue, u):
    """Energy of an answer-only prompt per token equals the energy per million tokens / 1e6 (kWh -> Wh)."""
    per_prompt = dc.wh_per_prompt(0, tokens, 1.0, tps, kw, 1.0, pue, u)
    assert per_prompt / tokens * 1e6 / 1000 == pytest.approx(float(dc.kwh_per_mtok(kw, tps, u, pue)), rel=1e-9)


@settings(max_examples=50, deadline=None)
@given(s_in=positive, s_out=positive, pre=positive, dec=positive, kw=positive, u=st.floats(0.05, 1.0))
def test_wh_per_prompt_scales_with_tokens_and_falls_with_utilization(s_in, s_out, pre, dec, kw, u):
    one = dc.wh_per_prompt(s_in, s_out, pre, dec, kw, 1.3, 1.2, u)
    assert dc.wh_per_prompt(2 * s_in, 2 * s_out, pre, dec, kw, 1.3, 1.2, u) == pytest.approx(2 * one, rel=1e-9)
    assert dc.wh_per_prompt(s_in, s_out, pre, dec, kw, 1.3, 1.2, 1.0) <= one * (1 + 1e-12)


@settings(max_examples=50, deadline=None)
@given(r=st.floats(0.0, 50.0), context=st.floats(1.0, 1e6))
def test_request_lengths_keep_the_ratio_and_the_mean_context(r, context):
    s_in, s_out = dc.request_lengths(r, context)
    assert s_in + s_out / 2 == pytest.approx(context, rel=1e-9)
    assert s_in == pytest.approx(r * s_out, rel=1e-9, abs=1e-9)


def test_deal_price_by_hand():
    # $1B for 1 MW fully online for one 365-day year at 1e6 tokens/s per MW, fully used: 3.1536e13 tokens
    assert dc.deal_usd_per_mtok(1e9, 1.0, 1.0, 1.0, 1e6, 1.0) == pytest.approx(1e9 / 3.1536e13 * 1e6)
    # half the capacity online, or half the use, doubles the price
    assert dc.deal_usd_per_mtok(1e9, 1.0, 1.0, 0.5, 1e6, 1.0) == pytest.approx(2 * 1e9 / 3.1536e13 * 1e6)
    assert dc.deal_usd_per_mtok(1e9, 1.0, 1.0, 1.0, 1e6, 0.5) == pytest.approx(2 * 1e9 / 3.1536e13 * 1e6)


# --------------------------------------------------------------------------------------
# The comparison table
# --------------------------------------------------------------------------------------

def test_comparison_counts_agreement_and_says_what_it_takes():
    entries = [
        dict(key="a", disclosure="A", unit="x", disclosed=10.0, predicted=14.0, lo=9.0, hi=20.0, link="l", lever="speed"),
        dict(key="b", disclosure="B", unit="x", disclosed=10.0, predicted=2.0, lo=1.0, hi=4.0, link="l", lever="speed"),
        dict(key="c", disclosure="C", unit="x", disclosed=10.0, predicted=40.0, lo=20.0, hi=80.0, link="l",
             lever="speed", inverse=True),
    ]
    table = dc.comparison(entries)
    assert table["within_factor_1_5"].tolist() == [True, False, False]
    assert table["disclosed_in_interval"].tolist() == [True, False, False]
    assert table["to_agree"].tolist() == ["", "speed x5.00", "speed x4.00"]
    saved = dc.results_from(table)
    assert saved["disclosures_within_factor_1_5"] == 1 and saved["n_disclosures"] == 3
    assert saved["b_ratio"] == pytest.approx(0.2) and saved["a_predicted_hi"] == 20.0


def test_within_factor_is_symmetric():
    assert bool(dc.within_factor(1.5, 1.0)) and bool(dc.within_factor(1.0, 1.5))
    assert not bool(dc.within_factor(1.51, 1.0)) and not bool(dc.within_factor(1.0, 1.51))


def test_missing_disclosure_rows_are_named():
    with pytest.raises(KeyError, match="deepseek_nodes_average"):
        dc.need({}, "deepseek_nodes_average")


# --------------------------------------------------------------------------------------
# The chain under disclosed conditions (no cross-validation: fast)
# --------------------------------------------------------------------------------------

def test_decode_what_ifs_never_lower_throughput_and_start_from_the_shipped_model():
    from analysis import throughput as tp

    table = dc.decode_what_ifs("deepseek-v3", "h800", "fp8", 144, 4000, 1000, 20.0)
    per_node = table["tokens_per_s_per_node"].to_numpy()
    assert np.all(np.isfinite(per_node)) and np.all(np.diff(per_node) >= -1e-9)
    batches = np.unique(np.round(np.logspace(0, 15, 121, base=2)))
    shipped = tp.pick_at_interactivity(tp.pareto("deepseek-v3", "h800", 144, "fp8", 4000, 1000, batches=batches), 20.0)
    assert per_node[0] == pytest.approx(8 * shipped["output_tokens_per_s_per_chip"])


def test_the_h800_differs_from_the_h100_only_in_its_links():
    hw = data.load_hardware().set_index("id")
    same = ["bf16_tflops", "fp8_tflops", "memory_gb", "memory_tb_per_s", "tdp_w", "chips_per_node"]
    assert (hw.loc["h800", same] == hw.loc["h100-sxm", same]).all()
    assert hw.loc["h800", "scale_up_gb_per_s"] < hw.loc["h100-sxm", "scale_up_gb_per_s"]


# --------------------------------------------------------------------------------------
# The data file
# --------------------------------------------------------------------------------------

def test_operator_disclosures_load_with_sources_and_conditions():
    table = data.load_operator_disclosures()
    assert table["id"].is_unique
    assert (table["value"] > 0).all()
    assert table["url"].str.startswith("http").all() and (table["conditions"].str.len() > 0).all()
    values = dc.values(table)
    # the rows every prediction of notebook 07 needs are present
    dc.need(values, "deepseek_nodes_average", "deepseek_cost_usd_per_day", "deepseek_output_tokens_per_day",
            "gemini_wh_per_prompt", "chatgpt_wh_per_query", "openai_cerebras_capacity_mw", "openai_cerebras_contract_usd")


@pytest.mark.parametrize("column, value, rule", [
    ("value", "-3", "must be > 0"),
    ("bound", "roughly", "must be one of point, approximate, lower, upper"),
    ("statement_date", "March 2025", "statement_date must be YYYY-MM-DD"),
    ("url", "github.com/x", "url must start with http"),
    ("source", "as reported by multiple outlets", "source must name a document"),
    ("conditions", "", "value is required"),
])
def test_bad_disclosure_field_names_file_line_column_and_rule(data_copy, column, value, rule):
    edit_csv(data_copy / "operator_disclosures.csv", 4, column, value)
    with pytest.raises(data.DataValidationError) as info:
        data.load_operator_disclosures()
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{data_copy / 'operator_disclosures.csv'}: line 4, column '")
    assert rule in message


# --------------------------------------------------------------------------------------
# Expert-parallel decode and batched prefill on a small fixture (no shipped data)
# --------------------------------------------------------------------------------------

# a toy mixture of experts: 10B total, 2B active, 16 experts of which 2 per token, latent KV of 64 elements a layer
TOY_MODEL = {"id": "toy", "total_params_b": 10.0, "active_params_b": 2.0, "experts": 16, "experts_per_token": 2,
             "layers": 4, "hidden_size": 1024, "attention_heads": 8, "head_dim": 64,
             "kv_elements_per_token_layer": 64}
TOY_CHIP = {"id": "toy-gpu", "kind": "gpu", "bf16_tflops": 100.0, "fp8_tflops": 200.0, "memory_gb": 3.0,
            "memory_tb_per_s": 1.0, "scale_up_gb_per_s": 100.0, "chips_per_node": 8}
FLAT = dict(memory_efficiency=1.0, compute_efficiency=1.0, moe_compute_factor=1.0, attention_compute_factor=1.0,
            prefill_compute_factor=1.0, step_overhead_s=0.0, layer_latency_s=0.0, usable_memory_fraction=1.0)


def test_ep_decode_has_no_all_reduce_and_hides_dispatch_when_overlapped():
    args = (TOY_MODEL, TOY_CHIP, "fp8", 8, 4.0, 1000.0, 200.0)
    hidden = dc.ep_decode_step(*args, scale_out_gb_per_s=50.0, **FLAT)
    # a link 1000x slower only adds the dispatch/combine time it is charged; nothing else (no all-reduce) grows
    added = dc.ep_decode_step(*args, scale_out_gb_per_s=0.05, overlap_communication=False, **FLAT)
    comm = 4 * 4 * 2 * 1024 * 3.0 * 7 / 8 / 0.05e9            # layers x batch x k x hidden x (1 + 2) bytes x remote
    assert float(added["t_comm"]) == pytest.approx(comm)
    core = max(float(hidden["t_memory"]), float(hidden["t_gemm"] + hidden["t_attention"]))
    assert float(added["step_s"]) == pytest.approx(core + comm)
    assert float(hidden["step_s"]) == pytest.approx(max(core, float(hidden["t_comm"])))


def test_ep_decode_memory_holds_non_expert_weights_local_experts_and_own_kv():
    step = dc.ep_decode_step(TOY_MODEL, TOY_CHIP, "fp8", 8, 10.0, 1000.0, 200.0, 50.0, kv_precision="bf16", **FLAT)
    per_expert = (10e9 - 2e9) / (16 - 2)
    dense = 2e9 - 2 * per_expert
    kv = 10 * 1200 * 4 * 64 * 2.0                                # sequences x full context x layers x latent x BF16
    assert float(step["memory_bytes"]) == pytest.approx(dense + 16 / 8 * per_expert + kv)
    # more GPUs in the expert-parallel group: fewer experts each, more room for sequences
    wide = dc.ep_decode_throughput(TOY_MODEL, TOY_CHIP, "fp8", 16, 1000.0, 200.0, 1e-3, 50.0, **FLAT)
    narrow = dc.ep_decode_throughput(TOY_MODEL, TOY_CHIP, "fp8", 8, 1000.0, 200.0, 1e-3, 50.0, **FLAT)
    assert wide["batch_memory"] > narrow["batch_memory"] and narrow["bound"] == "memory capacity"


def test_ep_decode_batch_is_the_largest_that_keeps_the_per_user_speed():
    r = dc.ep_decode_throughput(TOY_MODEL, TOY_CHIP, "fp8", 8, 1000.0, 200.0, 50.0, 50.0, **FLAT)
    assert r["per_user"] >= 50.0 and r["bound"] == "per-user speed"
    slower = dc.ep_decode_step(TOY_MODEL, TOY_CHIP, "fp8", 8, r["batch"] + 1.0, 1000.0, 200.0, 50.0, **FLAT)
    assert float(slower["tokens_per_s_per_user"]) < 50.0
    assert r["per_chip"] == pytest.approx(r["batch"] * r["per_user"])


def test_ep_decode_attention_never_runs_above_the_bf16_peak():
    step = dc.ep_decode_step(TOY_MODEL, TOY_CHIP, "fp8", 8, 4.0, 1000.0, 200.0, 50.0,
                             **{**FLAT, "attention_compute_factor": 1e6})
    assert float(step["attention_flops_per_s"]) == pytest.approx(100e12)
    attention = 4 * 4 * 8 * 64 * 1100.0                          # 4 x layers x heads x latent width x mean context
    assert float(step["t_attention"]) == pytest.approx(4 * attention / 100e12)


def test_batched_prefill_computes_only_the_uncached_suffix_and_credits_hits_once():
    full = dc.batched_prefill_throughput(TOY_MODEL, TOY_CHIP, "fp8", 1000.0, 0.0, **FLAT)
    cached = dc.batched_prefill_throughput(TOY_MODEL, TOY_CHIP, "fp8", 1000.0, 0.5, **FLAT)
    gemm = 2 * 2e9 * 500 / 200e12
    attn = 2 * (64 + 64) * 8 * 4 * 500 * (1000 - 250) / 100e12    # suffix tokens attend the prefix and earlier suffix
    assert cached["seconds_per_prompt_chip"] == pytest.approx(gemm + attn)
    assert cached["per_chip"] == pytest.approx(1000 / (gemm + attn))          # every prompt token counted once
    assert cached["per_chip_uncached"] == pytest.approx(500 / (gemm + attn))
    assert 1.0 < cached["per_chip"] / full["per_chip"] < 2.0                  # half computed, not twice credited
    wider = dc.batched_prefill_throughput(TOY_MODEL, TOY_CHIP, "fp8", 1000.0, 0.5, qk_dim=96, **FLAT)
    assert wider["t_attention"] == pytest.approx(cached["t_attention"] * (96 + 64) / 128)


def test_idle_time_is_charged_at_the_idle_power_fraction():
    busy = dc.wh_per_prompt(1000, 500, 10_000, 1000, 1.0)                      # 0.6 chip-seconds at 1 kW
    half = dc.wh_per_prompt(1000, 500, 10_000, 1000, 1.0, utilization=0.5, idle_power_fraction=0.2)
    assert half == pytest.approx(busy * 1.2)                                    # 0.6 s idle at 20% power
    assert dc.wh_per_prompt(1000, 500, 10_000, 1000, 1.0, utilization=0.5, idle_power_fraction=0.0) == \
        pytest.approx(busy)


def _entry(key, predicted, **extra):
    return dict(key=key, disclosure=key, unit="x", disclosed=1.0, predicted=predicted, lo=predicted, hi=predicted,
                link="l", lever="v", **extra)


def test_the_count_is_over_independent_predictions_not_rows():
    table = dc.comparison([
        _entry("decode", 0.1), _entry("prefill", 1.2),
        _entry("cost", 8.0, derived=True),                                     # derived from decode and prefill
        _entry("wh_a", 1.1, prediction="energy", check="consistency", band_lo=0.2, band_hi=20.0),
        _entry("wh_b", 0.7, prediction="energy", check="consistency"),
        _entry("deal", 1.4, check="consistency"),
    ])
    saved = dc.results_from(table)
    assert saved["n_disclosures"] == 4 and saved["n_disclosure_rows"] == 6
    assert saved["disclosures_within_factor_1_5"] == 3
    assert (saved["tests_within_factor_1_5"], saved["n_tests"]) == (1, 2)
    assert (saved["consistency_checks_within_factor_1_5"], saved["n_consistency_checks"]) == (2, 2)
    assert table.set_index("key").loc["wh_a", "band_hi"] == 20.0
    # one shared prediction counts as agreeing only if every disclosure it is held against agrees
    split = dc.comparison([_entry("wh_a", 1.1, prediction="energy"), _entry("wh_b", 0.5, prediction="energy")])
    assert dc.results_from(split)["disclosures_within_factor_1_5"] == 0
