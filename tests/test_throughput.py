"""The chip throughput model: formulas, broadcasting, calibration and measured accuracy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import data
from analysis import throughput as tp
from analysis import throughput_cv as cv


def test_kv_bytes_match_worked_values():
    models = tp.model_table()
    # Llama 3.x 70B: 80 layers x 8 KV heads x 128 x 2 (K, V) x 2 bytes = 327,680 B per token (kipply, GQA form)
    assert tp.kv_bytes_per_token(models.loc["llama-3.1-70b"], "bf16") == 327_680
    assert tp.kv_bytes_per_token(models.loc["llama-3.1-70b"], "fp8") == 163_840
    # gpt-oss-120b: 18 full layers x 8 x 64 x 2 x 2 = 36,864 B/token; sliding layers stop growing at 128 tokens
    gptoss = models.loc["gpt-oss-120b"]
    assert tp.kv_bytes_per_token(gptoss, "bf16", context=100) == 2 * 36_864
    long = tp.kv_bytes_per_sequence(gptoss, 100_000, "bf16")
    assert long == pytest.approx(36_864 * 100_000 + 36_864 * 128)
    # DeepSeek's latent attention: 576 elements per layer
    assert tp.kv_bytes_per_token(models.loc["deepseek-v3"], "bf16") == 61 * 576 * 2


def test_moe_weight_reads_grow_from_active_to_total():
    m = tp.model_table().loc["llama-4-maverick"]
    one = float(tp.weight_bytes_read(m, 1, "bf16"))
    many = float(tp.weight_bytes_read(m, 10_000, "bf16"))
    assert one == pytest.approx(17e9 * 2, rel=1e-9)
    assert many == pytest.approx(400e9 * 2, rel=1e-6)
    dense = tp.model_table().loc["llama-3.1-70b"]
    assert float(tp.weight_bytes_read(dense, 64, "fp8")) == pytest.approx(70.6e9)


def test_single_stream_gpu_decode_is_bandwidth_bound():
    # one H100, Llama 3.1 8B at bf16, batch 1: weights / (bandwidth x efficiency), floor and comms inactive
    out = tp.predict("llama-3.1-8b", "h100-sxm", 1, "bf16", 1, 128, 128, layer_latency_s=0.0, overlap=0.0,
                     step_overhead_s=0.0, sequence_overhead_s=0.0)
    expected_step = (8.03e9 * 2 + tp.kv_bytes_per_sequence(tp.model_table().loc["llama-3.1-8b"], 128 + 64)) / (
        3.35e12 * tp.DEFAULTS["memory_efficiency"])
    assert out["step_time_s"].iloc[0] == pytest.approx(expected_step, rel=1e-9)
    assert out["bound"].iloc[0] == "memory"
    assert out["output_tokens_per_s_per_user"].iloc[0] == pytest.approx(1 / expected_step)


def test_large_batch_becomes_compute_bound_and_throughput_saturates():
    out = tp.predict("llama-3.1-70b", "h100-sxm", 8, "fp8", np.array([1, 16, 256, 1024]), 512, 512)
    per_user = out["output_tokens_per_s_per_user"].to_numpy()
    aggregate = out["output_tokens_per_s"].to_numpy()
    assert np.all(np.diff(per_user) <= 0) and np.all(np.diff(aggregate) >= 0)
    assert out["bound"].iloc[-1] == "compute"


def test_broadcasting_a_grid_in_one_call():
    batch = np.arange(1, 41)[:, None]
    context = np.arange(1, 26)[None, :] * 256
    out = tp.predict("llama-3.1-70b", "b200", 8, "fp8", batch, context, 256)
    assert len(out) == 40 * 25
    assert set(out.columns) >= {"output_tokens_per_s", "output_tokens_per_s_per_user", "ttft_s", "batch", "fits"}
    # TTFT grows with the prompt
    first_row = out[out["batch"] == 1].sort_values("input_tokens")["ttft_s"].to_numpy()
    assert np.all(np.diff(first_row) > 0)


def test_max_batch_fills_memory_and_chips_default_to_the_fewest_that_fit():
    out = tp.predict("llama-3.1-70b", "h100-sxm", 8, "fp8", "max", 1024, 1024)
    row = out.iloc[0]
    capacity = 8 * 80e9 * 0.9
    assert row["fits"] and row["memory_needed_gb"] * 1e9 <= capacity
    bigger = tp.predict("llama-3.1-70b", "h100-sxm", 8, "fp8", row["batch"] + 1, 1024, 1024)
    assert not bigger["fits"].iloc[0] or row["batch"] == tp.DEFAULTS["max_batch"]
    assert tp.predict("llama-3.1-405b", "h100-sxm", None, "bf16")["n_chips"].iloc[0] == 16
    assert tp.predict("llama-3.1-70b", "cerebras-wse3", None, "bf16")["n_chips"].iloc[0] == 4  # 141 GB / 44 GB


def test_layer_split_chips_do_not_add_bandwidth_for_one_user():
    # two RTX 4090s holding alternate layers: one token still streams every weight through one card at a time
    one = tp.predict("llama-3.1-8b", "rtx-4090", 1, "fp4", 1, 128, 128)["output_tokens_per_s_per_user"].iloc[0]
    two = tp.predict("llama-3.1-8b", "rtx-4090", 2, "fp4", 1, 128, 128)["output_tokens_per_s_per_user"].iloc[0]
    assert two == pytest.approx(one, rel=0.02)
    quiet = dict(layer_latency_s=0.0, step_overhead_s=0.0, sequence_overhead_s=0.0)
    tensor_parallel = tp.predict("llama-3.1-8b", "h100-sxm", 2, "fp8", 1, 128, 128, **quiet)
    single = tp.predict("llama-3.1-8b", "h100-sxm", 1, "fp8", 1, 128, 128, **quiet)
    assert tensor_parallel["output_tokens_per_s_per_user"].iloc[0] > 1.3 * single["output_tokens_per_s_per_user"].iloc[0]


def test_sram_machines_hit_their_latency_floor():
    out = tp.predict("llama-3.1-70b", "cerebras-wse3", None, "bf16", 1, 1024, 512)
    assert out["bound"].iloc[0] == "latency"
    floor = tp.layer_latency_for("cerebras-wse3")
    overhead = tp.step_overhead_for("cerebras-wse3")
    assert out["output_tokens_per_s_per_user"].iloc[0] == pytest.approx(1 / (80 * floor + overhead))


def test_speculative_decoding_multiplies_tokens_per_step():
    quiet = dict(overlap=0.0, step_overhead_s=0.0, sequence_overhead_s=0.0)
    base = tp.predict("llama-3.1-8b", "h100-sxm", 1, "bf16", 1, 128, 128, **quiet)
    spec = tp.predict("llama-3.1-8b", "h100-sxm", 1, "bf16", 1, 128, 128, spec_tokens_per_step=3.0, **quiet)
    ratio = spec["output_tokens_per_s_per_user"].iloc[0] / base["output_tokens_per_s_per_user"].iloc[0]
    assert ratio == pytest.approx(3.0)          # memory-bound: the weights are read once for 3 tokens
    big = dict(model="llama-3.1-8b", hardware="h100-sxm", n_chips=1, precision="bf16", batch=512,
               input_tokens=128, output_tokens=128)
    gain = (tp.predict(**big, spec_tokens_per_step=3.0)["output_tokens_per_s"].iloc[0]
            / tp.predict(**big)["output_tokens_per_s"].iloc[0])
    assert gain < 1.5                            # compute-bound: verifying tokens costs FLOPs


def test_spec_tokens_per_step_follows_the_chain_acceptance_formula():
    assert float(tp.spec_tokens_per_step(0.0, 3)) == pytest.approx(1.0)          # nothing accepted: one token
    assert float(tp.spec_tokens_per_step(1.0, 3)) == pytest.approx(4.0)          # everything accepted: draft + 1
    assert float(tp.spec_tokens_per_step(0.5, 2)) == pytest.approx(1 + 0.5 + 0.25)
    a = np.linspace(0.0, 0.99, 50)
    assert np.all(np.diff(tp.spec_tokens_per_step(a, 3)) > 0)
    assert np.all(tp.spec_tokens_per_step(0.875, np.arange(1, 8)) < 1 / (1 - 0.875))   # bounded by the geometric sum


def test_draft_passes_and_wider_verification_cost_time():
    quiet = dict(step_overhead_s=0.0, sequence_overhead_s=0.0)
    args = ("llama-3.3-70b", "h200", 8, "fp8", 1, 1024, 1024)
    tokens = float(tp.spec_tokens_per_step(0.875, 3))
    free = tp.predict(*args, spec_tokens_per_step=tokens, **quiet).iloc[0]                 # no draft counted
    paid = tp.predict(*args, spec_tokens_per_step=tokens, spec_draft_tokens=3.0, **quiet).iloc[0]
    assert paid["step_time_s"] > free["step_time_s"]
    plain = tp.predict(*args, **quiet).iloc[0]
    assert plain["output_tokens_per_s_per_user"] < paid["output_tokens_per_s_per_user"] < \
        tokens * plain["output_tokens_per_s_per_user"]
    # at a large batch the target verifies draft + 1 tokens per sequence: speculation buys little
    big = ("llama-3.3-70b", "h200", 8, "fp8", 256, 1024, 1024)
    gain = (tp.predict(*big, spec_tokens_per_step=tokens, spec_draft_tokens=3.0)["output_tokens_per_s"].iloc[0]
            / tp.predict(*big)["output_tokens_per_s"].iloc[0])
    assert gain < 1.5


def test_open_stack_tier_is_slower_on_gpus_only():
    gpu = ("llama-3.3-70b", "h100-sxm", 4, "fp8", [1, 64], 1024, 1024)
    open_ = dict(open_efficiency_factor=0.5, open_step_overhead_s=0.01)
    tuned = tp.predict(*gpu, **open_)
    slow = tp.predict(*gpu, stack_tier="open_default", **open_)
    assert np.all(slow["output_tokens_per_s"] < tuned["output_tokens_per_s"])
    assert np.all(slow["step_time_s"] > tuned["step_time_s"] + 0.01 - 1e-12)
    wafer = ("llama-3.1-70b", "cerebras-wse3", 4, "bf16", 1, 1024, 1024)
    pd.testing.assert_frame_equal(tp.predict(*wafer, **open_), tp.predict(*wafer, stack_tier="open_default", **open_))
    with pytest.raises(ValueError, match="stack_tier"):
        tp.predict(*gpu, stack_tier="hand-tuned")


@pytest.mark.parametrize("kwargs, match", [
    (dict(precision="int3"), "precision"), (dict(batch=0), "batch"), (dict(batch="most"), "batch"),
    (dict(n_chips=0), "n_chips"), (dict(output_tokens=0), "output_tokens"),
    (dict(memory_efficiency=1.5), "efficienc"),
])
def test_bad_arguments(kwargs, match):
    args = dict(model="llama-3.1-8b", hardware="h100-sxm", n_chips=1, precision="bf16", batch=1)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        tp.predict(**args)
    with pytest.raises(KeyError, match="unknown model"):
        tp.predict("no-such-model", "h100-sxm")
    with pytest.raises(TypeError, match="unknown efficiency"):
        tp.predict("llama-3.1-8b", "h100-sxm", eta=1)


def test_unit_economics():
    assert tp.cost_per_million_tokens(1000, 3.6) == pytest.approx(1.0)
    assert tp.tokens_per_mw(1000, 2.0) == pytest.approx(500_000)
    assert float(tp.roofline("h100-sxm", "bf16", 1.0)) == pytest.approx(3.35e12)
    assert float(tp.roofline("h100-sxm", "bf16", 1e6)) == pytest.approx(989e12)


def test_pareto_is_monotone():
    curve = tp.pareto("llama-3.1-70b", "h200", 8, "fp8", 1024, 1024)
    assert len(curve) > 5
    assert np.all(np.diff(curve["output_tokens_per_s_per_user"]) <= 0)
    assert np.all(np.diff(curve["output_tokens_per_s_per_chip"]) >= 0)


def test_defaults_are_the_calibrated_values():
    """The module's defaults are what a fit on the shipped measurements gives (refit them after a data change)."""
    fitted = cv.calibrate(data.load_throughput_measurements())
    for key in ("compute_efficiency", "memory_efficiency", "fp4_compute_factor", "moe_compute_factor",
                "prefill_compute_factor", "attention_compute_factor"):
        assert fitted[key] == pytest.approx(tp.DEFAULTS[key], abs=0.006), key
    assert fitted["max_batch"] == pytest.approx(tp.DEFAULTS["max_batch"], rel=0.02)
    assert fitted["step_overhead_s"] == pytest.approx(tp.DEFAULTS["step_overhead_s"], abs=5e-5)
    assert "overlap" not in fitted and tp.DEFAULTS["overlap"] == 0.0              # terms the ablation rejected
    assert "sequence_overhead_s" not in fitted and tp.DEFAULTS["sequence_overhead_s"] == 0.0
    assert fitted["gpu_layer_latency_s"] == pytest.approx(tp.LAYER_LATENCY_S["gpu"], abs=2e-7)
    assert fitted["edge_memory_efficiency"] == pytest.approx(tp.MEMORY_EFFICIENCY_BY_KIND["edge"], abs=0.011)
    for hw_id, seconds in fitted["layer_latency_s"].items():
        assert seconds == pytest.approx(tp.LAYER_LATENCY_S[hw_id], abs=1.1e-6), hw_id
        assert fitted["step_overhead_s_by_hardware"][hw_id] == pytest.approx(tp.STEP_OVERHEAD_S[hw_id], abs=1e-6)


def test_in_sample_predictions_with_the_defaults_match_a_fresh_fit():
    measurements = data.load_throughput_measurements()
    with_defaults = cv.error_summary(cv.predict_measurements(measurements))
    refit = cv.summarize(cv.in_sample(cv.prepare(measurements)))
    assert with_defaults["median_abs_error_throughput"] == pytest.approx(refit["median_abs_error_throughput"], abs=0.01)
    assert with_defaults["median_abs_error_per_user"] == pytest.approx(refit["median_abs_error_per_user"], abs=0.02)


def test_measurements_reference_known_ids(data_copy):
    from conftest import edit_csv

    edit_csv(data_copy / "throughput_measurements.csv", 4, "hardware", "h900")
    with pytest.raises(data.DataValidationError, match=r"line 4, column 'hardware': unknown hardware id"):
        data.load_throughput_measurements()
