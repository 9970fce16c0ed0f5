"""Chip inference throughput: GPUs, TPUs and SRAM machines, one vectorized roofline model.

For a model served on ``n_chips`` chips (one replica), a decode step over ``batch``
sequences takes

    t_step = max(t_memory, t_compute, layers * t_layer) + t_comm
    t_memory  = (weights read + KV cache read) / (n_chips * bandwidth * eta_m)
    t_compute = (decode FLOPs + prefill FLOPs amortized over the outputs) / (n_chips * FLOP/s * eta_f)
    t_comm    = GPUs/TPUs: 2 all-reduces per layer (latency + bytes / link)
                SRAM/wafer/dataflow machines: (stages - 1) * hop latency

* weights read: dense models read every weight each step; mixture-of-experts models read
  the shared part plus the distinct experts the batch touches, ``E * (1 - (1 - k/E)**B)``;
* KV cache per token: ``2 * kv_heads * head_dim`` elements per full-attention layer
  (or a model's latent size), sliding-window layers capped at the window;
* ``t_layer`` is a per-layer latency floor: the term that dominates single-stream
  decoding on SRAM and wafer-scale machines, where the bandwidth roofline is far too
  optimistic (WSE-3's ridge point is ~6 FLOP/byte);
* speculative decoding multiplies tokens per step by ``spec_tokens_per_step``.

Per-user speed is ``spec_tokens_per_step / t_step``; aggregate output throughput is
``batch`` times that. Efficiencies default to values calibrated on
``data/throughput_measurements.csv`` (see :func:`calibrate`).

Formulas follow kipply, "Transformer Inference Arithmetic" (2022), llm-analysis and
NVIDIA AIConfigurator, as summarised in the project's reference notes; the code is
this project's own.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from analysis import paths

BYTES_PER_WEIGHT = {"bf16": 2.0, "fp8": 1.0, "fp4": 0.5 + 1.0 / 32}   # MXFP4: 4 bits + one 8-bit scale per 32
BYTES_PER_KV = {"bf16": 2.0, "fp8": 1.0, "fp4": 1.0}                   # FP4 weights keep an FP8 KV cache
ACTIVATION_BYTES = 2.0
PIPELINE_KINDS = ("sram", "wafer", "dataflow", "edge")   # no tensor-parallel all-reduces between chips
LAYER_SPLIT_KINDS = ("sram", "wafer", "edge")            # chips hold consecutive layers: a token visits each in turn

#: Calibrated defaults (``calibrate`` on the shipped measurements reproduces them; a test checks it).
#: memory_efficiency, compute_efficiency: GPUs and TPUs; layer_latency_s: per hardware kind or vendor.
DEFAULTS = {
    "memory_efficiency": 0.80,
    "compute_efficiency": 0.47,
    "message_latency_s": 8e-6,           # kipply / llm-analysis: ~8 us per message
    "hop_latency_s": 0.0,
    "usable_memory_fraction": 0.90,      # TensorRT-LLM uses 0.90-0.95 of free memory for the KV cache
    "spec_tokens_per_step": 1.0,
    "max_batch": 4096,
    "amortize_prefill": True,            # spread each prompt's prefill FLOPs over its output tokens
}
#: SambaNova: its own "> 75% of peak"; SRAM machines: not bandwidth-limited; edge: fitted on the shipped
#: llama.cpp/vLLM rows (consumer serving stacks reach less of peak bandwidth than TensorRT-LLM).
MEMORY_EFFICIENCY_BY_KIND = {"dataflow": 0.75, "sram": 1.0, "wafer": 1.0, "edge": 0.57}
#: GPUs/TPUs: ~12 kernels per transformer layer x 3 us (AIConfigurator's constant per-op latency; the kernel
#: count is this project's estimate). SRAM, wafer and dataflow machines: fitted by ``calibrate``.
KERNELS_PER_LAYER = 12
OP_LATENCY_S = 3e-6
LAYER_LATENCY_S = {"gpu": KERNELS_PER_LAYER * OP_LATENCY_S, "tpu": KERNELS_PER_LAYER * OP_LATENCY_S,
                   "edge": KERNELS_PER_LAYER * OP_LATENCY_S,
                   "cerebras-wse3": 11e-6, "groq-lpu": 43e-6, "sambanova-sn40l": 27e-6}


# --------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------

@lru_cache(maxsize=8)
def _table(name: str, data_dir: str) -> pd.DataFrame:
    # cached per data folder: predict() is called in loops, the CSVs are read once per process
    from analysis import data

    return data.load(name, Path(data_dir)).set_index("id", drop=False)


def model_table() -> pd.DataFrame:
    """The model table (``data/models.csv``), indexed by id (read once per process and data folder)."""
    return _table("models", str(paths.data_dir()))


def hardware_table() -> pd.DataFrame:
    """The hardware table (``data/hardware.csv``), indexed by id (read once per process and data folder)."""
    return _table("hardware", str(paths.data_dir()))


def _row(value, table: pd.DataFrame, what: str) -> Mapping:
    if isinstance(value, str):
        if value not in table.index:
            raise KeyError(f"unknown {what} {value!r}; known: {', '.join(table.index)}")
        return table.loc[value]
    return value


def _num(row, key, default=np.nan) -> float:
    value = row.get(key, default) if hasattr(row, "get") else default
    return float(default if value is None or pd.isna(value) else value)


def peak_tflops(hw: Mapping, precision: str) -> float:
    """Dense peak TFLOP/s at ``precision``, falling back to the next wider format the chip has."""
    order = {"fp4": ("fp4_tflops", "fp8_tflops", "bf16_tflops"), "fp8": ("fp8_tflops", "bf16_tflops"),
             "bf16": ("bf16_tflops",)}
    if precision not in order:
        raise ValueError(f"precision must be one of bf16, fp8, fp4; got {precision!r}")
    for key in order[precision]:
        value = _num(hw, key)
        if np.isfinite(value):
            return value
    raise ValueError(f"{hw.get('id', 'hardware')} has no FLOP/s figure for {precision}")


def kv_bytes_per_sequence(model: Mapping, context, precision: str = "bf16"):
    """KV-cache bytes held for one sequence of ``context`` tokens (array-friendly)."""
    context = np.asarray(context, dtype=float)
    per_layer = _num(model, "kv_elements_per_token_layer")
    if not np.isfinite(per_layer):
        per_layer = 2.0 * _num(model, "kv_heads") * _num(model, "head_dim")
    layers = _num(model, "layers")
    swa_layers = _num(model, "sliding_window_layers", 0.0)
    window = _num(model, "sliding_window", np.inf)
    full = layers - swa_layers
    tokens = full * context + swa_layers * np.minimum(context, window)
    return per_layer * BYTES_PER_KV[precision] * tokens


def kv_bytes_per_token(model: Mapping, precision: str = "bf16", context: float = 1.0) -> float:
    """Average KV bytes per token at ``context`` (equals the full-attention figure for short contexts)."""
    return float(kv_bytes_per_sequence(model, context, precision) / context)


def _moe_split(model: Mapping) -> tuple[float, float, float, float]:
    """(dense params, params per routed expert, experts, experts per token), in parameters."""
    total = _num(model, "total_params_b") * 1e9
    active = _num(model, "active_params_b") * 1e9
    experts = _num(model, "experts", 0.0)
    k = _num(model, "experts_per_token", 0.0)
    if experts <= 1 or k <= 0 or total <= active:
        return total, 0.0, 0.0, 0.0
    per_expert = (total - active) / (experts - k)
    return active - k * per_expert, per_expert, experts, k


def weight_bytes_read(model: Mapping, batch, precision: str):
    """Bytes of weights one decode step reads for ``batch`` tokens (MoE: distinct experts touched)."""
    dense, per_expert, experts, k = _moe_split(model)
    batch = np.asarray(batch, dtype=float)
    if experts == 0:
        return np.broadcast_to(dense * BYTES_PER_WEIGHT[precision], batch.shape).astype(float)
    touched = experts * (1.0 - (1.0 - k / experts) ** np.maximum(batch, 1.0))
    return (dense + touched * per_expert) * BYTES_PER_WEIGHT[precision]


def min_chips(model: Mapping, hw: Mapping, precision: str, context: float = 2048,
              usable_memory_fraction: float = DEFAULTS["usable_memory_fraction"]) -> int:
    """Fewest chips whose memory holds the weights and one sequence's KV cache.

    GPUs and TPUs are rounded up to a power of two (tensor-parallel degrees); SRAM,
    wafer, dataflow and edge machines to a whole number of chips.
    """
    need = _num(model, "total_params_b") * 1e9 * BYTES_PER_WEIGHT[precision] + kv_bytes_per_sequence(
        model, context, precision)
    per_chip = _num(hw, "memory_gb") * 1e9 * usable_memory_fraction
    n = int(np.ceil(need / per_chip))
    if hw.get("kind") in PIPELINE_KINDS:
        return max(n, 1)
    return int(2 ** np.ceil(np.log2(max(n, 1))))


def deployment_chips(model, hw, precision: str, context: float = 2048) -> int:
    """Chips per replica in a typical deployment: a whole scale-up node of up to 8 GPUs/TPUs, a whole
    SambaNova rack, or the fewest SRAM/wafer chips that hold the model (never fewer than :func:`min_chips`)."""
    m = _row(model, model_table(), "model")
    hw = _row(hw, hardware_table(), "hardware")
    fewest = min_chips(m, hw, precision, context)
    node = _num(hw, "chips_per_node", 1.0)
    if hw.get("kind") in ("gpu", "tpu", "edge"):
        return int(max(fewest, min(8, node)))
    if hw.get("kind") == "dataflow":
        return int(max(fewest, node))
    return fewest


def layer_latency_for(hw, table: Mapping | None = None) -> float:
    """Per-layer latency floor for a hardware id or row: ``table`` (or the defaults) by id, else by kind."""
    hw = _row(hw, hardware_table(), "hardware")
    table = LAYER_LATENCY_S if table is None else {**LAYER_LATENCY_S, **table}
    return float(table.get(hw.get("id"), table.get(hw.get("kind"), 0.0)))


# --------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------

def predict(model, hardware, n_chips=None, precision="bf16", batch=1, input_tokens=1024, output_tokens=256,
            **efficiencies) -> pd.DataFrame:
    """Predict decode throughput, per-user speed and time to first token.

    Parameters
    ----------
    model : str or mapping
        Model id from ``data/models.csv`` or a row of it.
    hardware : str or mapping
        Hardware id from ``data/hardware.csv`` or a row of it.
    n_chips : int, array_like or None
        Chips holding one replica; ``None`` uses :func:`min_chips`.
    precision : {"bf16", "fp8", "fp4"}
        Weight and compute precision.
    batch : int, array_like or "max"
        Concurrent sequences; ``"max"`` takes the largest batch that fits in memory
        (weights + KV cache), which maximises aggregate throughput (MLPerf offline).
    input_tokens, output_tokens : int or array_like
        Prompt and generation lengths. All array arguments broadcast together.
    **efficiencies
        ``memory_efficiency`` (GPUs and TPUs; other kinds use :data:`MEMORY_EFFICIENCY_BY_KIND`,
        overridable as ``edge_memory_efficiency``, ``dataflow_memory_efficiency``, ...),
        ``compute_efficiency``, ``layer_latency_s``,
        ``message_latency_s``, ``hop_latency_s``, ``usable_memory_fraction``,
        ``spec_tokens_per_step``, ``max_batch``, ``amortize_prefill`` (see :data:`DEFAULTS`).

    Returns
    -------
    pandas.DataFrame
        One row per broadcast point: ``n_chips, batch, input_tokens, output_tokens,
        output_tokens_per_s`` (aggregate over the chips), ``output_tokens_per_s_per_user``,
        ``output_tokens_per_s_per_chip``, ``ttft_s``, ``step_time_s``, ``bound``
        (memory, compute or latency), ``memory_needed_gb``, ``fits``.
    """
    per_kind = {f"{kind}_memory_efficiency" for kind in MEMORY_EFFICIENCY_BY_KIND}
    unknown = set(efficiencies) - set(DEFAULTS) - {"layer_latency_s"} - per_kind
    if unknown:
        raise TypeError(f"unknown efficiency parameter(s): {', '.join(sorted(unknown))}")
    if precision not in BYTES_PER_WEIGHT:
        raise ValueError(f"precision must be one of bf16, fp8, fp4; got {precision!r}")
    m = _row(model, model_table(), "model")
    hw = _row(hardware, hardware_table(), "hardware")
    eff = {**DEFAULTS, **efficiencies}
    eta_m, eta_f = eff["memory_efficiency"], eff["compute_efficiency"]
    t_layer = efficiencies.get("layer_latency_s", layer_latency_for(hw))
    kind = hw.get("kind")
    pipeline = kind in PIPELINE_KINDS
    if kind in MEMORY_EFFICIENCY_BY_KIND:          # memory_efficiency is for GPUs and TPUs
        eta_m = efficiencies.get(f"{kind}_memory_efficiency", MEMORY_EFFICIENCY_BY_KIND[kind])
    if not (0 < eta_m <= 1 and 0 < eta_f <= 1):
        raise ValueError(f"efficiencies must be in (0, 1]; got memory {eta_m}, compute {eta_f}")

    s_in = np.asarray(input_tokens, dtype=float)
    s_out = np.asarray(output_tokens, dtype=float)
    if np.any(s_in < 0) or np.any(s_out < 1):
        raise ValueError("input_tokens must be >= 0 and output_tokens >= 1")
    context_max = s_in + s_out
    if n_chips is None:
        n_chips = min_chips(m, hw, precision, float(np.max(context_max)), eff["usable_memory_fraction"])
    n = np.asarray(n_chips, dtype=float)
    if np.any(n < 1):
        raise ValueError("n_chips must be at least 1")

    weights_total = _num(m, "total_params_b") * 1e9 * BYTES_PER_WEIGHT[precision]
    capacity = n * _num(hw, "memory_gb") * 1e9 * eff["usable_memory_fraction"]
    kv_full = kv_bytes_per_sequence(m, context_max, precision)
    if isinstance(batch, str):
        if batch != "max":
            raise ValueError(f"batch must be a number, an array or 'max'; got {batch!r}")
        b = np.clip(np.floor((capacity - weights_total) / kv_full), 0, eff["max_batch"])
    else:
        b = np.asarray(batch, dtype=float)
        if np.any(b < 1):
            raise ValueError("batch must be at least 1")
    b, n, s_in, s_out = (np.atleast_1d(x).astype(float) for x in np.broadcast_arrays(b, n, s_in, s_out))
    context_max = s_in + s_out
    kv_full = kv_bytes_per_sequence(m, context_max, precision)
    b_eff = np.maximum(b, 1.0)

    bandwidth = _num(hw, "memory_tb_per_s") * 1e12
    flops = peak_tflops(hw, precision) * 1e12
    layers = _num(m, "layers")
    hidden = _num(m, "hidden_size")
    heads = _num(m, "attention_heads")
    head_dim = _num(m, "head_dim")
    active = _num(m, "active_params_b") * 1e9
    k_spec = eff["spec_tokens_per_step"]

    s_avg = s_in + s_out / 2.0
    kv_read = b_eff * kv_bytes_per_sequence(m, s_avg, precision)
    if kind in LAYER_SPLIT_KINDS:
        # layers split across chips: each micro-batch of B/n reads every weight once, one chip after another;
        # with n micro-batches in flight the chips work in parallel, so only the KV term divides by n
        micro = np.maximum(b_eff / n, 1.0)
        t_mem = (weight_bytes_read(m, micro * k_spec, precision) + kv_read / n) / (bandwidth * eta_m)
    else:
        t_mem = (weight_bytes_read(m, b_eff * k_spec, precision) + kv_read) / (n * bandwidth * eta_m)
    attention = 4.0 * layers * heads * head_dim * s_avg                 # QK^T and AV over the context
    decode_flops = b_eff * k_spec * (2.0 * active + attention)
    prefill_flops = b_eff * (s_in / s_out) * k_spec * 2.0 * active * float(eff["amortize_prefill"])
    t_comp = (decode_flops + prefill_flops) / (n * flops * eta_f)
    t_floor = layers * t_layer * np.ones_like(n)
    if pipeline:
        t_comm = (n - 1.0) * eff["hop_latency_s"]
    else:
        link = _num(hw, "scale_up_gb_per_s", np.nan) * 1e9
        message = b_eff * k_spec * hidden * ACTIVATION_BYTES * 2.0 * (n - 1.0) / n
        per_message = eff["message_latency_s"] + np.where(np.isfinite(link), message / link, 0.0)
        t_comm = np.where(n > 1, 2.0 * layers * per_message, 0.0)
    core = np.maximum(np.maximum(t_mem, t_comp), t_floor)
    t_step = core + t_comm
    bound = np.where(core == t_floor, "latency", np.where(t_comp >= t_mem, "compute", "memory"))

    per_user = k_spec / t_step
    aggregate = b_eff * per_user
    memory_needed = weights_total + b_eff * kv_full
    fits = (memory_needed <= capacity) & (b >= 1)
    t_prefill = (2.0 * active * s_in + 2.0 * layers * heads * head_dim * s_in ** 2) / (n * flops * eta_f)
    ttft = np.maximum(t_prefill, weights_total / (n * bandwidth * eta_m)) + t_floor + t_comm
    columns = {
        "n_chips": n.astype(int), "batch": b.astype(int), "input_tokens": s_in, "output_tokens": s_out,
        "output_tokens_per_s": np.where(fits, aggregate, np.nan),
        "output_tokens_per_s_per_user": np.where(fits, per_user, np.nan),
        "output_tokens_per_s_per_chip": np.where(fits, aggregate / n, np.nan),
        "ttft_s": ttft, "step_time_s": t_step, "bound": bound, "memory_needed_gb": memory_needed / 1e9,
        "fits": fits,
    }
    shape = b.shape
    return pd.DataFrame({k: np.broadcast_to(v, shape).ravel() for k, v in columns.items()})


def pareto(model, hardware, n_chips=None, precision="bf16", input_tokens=1024, output_tokens=1024,
           batches=None, **efficiencies) -> pd.DataFrame:
    """Throughput-versus-interactivity curve: per-chip throughput against per-user speed.

    Sweeps the batch from 1 to the largest that fits and keeps the Pareto-efficient
    points (no other point is faster per user *and* per chip).
    """
    if batches is None:
        batches = np.unique(np.round(np.logspace(0, 12, 97, base=2)))
    out = predict(model, hardware, n_chips, precision, np.asarray(batches), input_tokens, output_tokens,
                  **efficiencies)
    out = out[out["fits"]].sort_values("output_tokens_per_s_per_user", ascending=False)
    best = np.maximum.accumulate(out["output_tokens_per_s_per_chip"].to_numpy())
    keep = out["output_tokens_per_s_per_chip"].to_numpy() >= best
    return out[keep].reset_index(drop=True)


def pick_at_interactivity(curve: pd.DataFrame, target_tokens_per_s_per_user: float) -> pd.Series | None:
    """Row of a :func:`pareto` curve with the most tokens per chip among those giving every user at least
    ``target`` tokens/s; None when no row does."""
    ok = curve[curve["output_tokens_per_s_per_user"] >= target_tokens_per_s_per_user]
    return None if ok.empty else ok.sort_values("output_tokens_per_s_per_chip").iloc[-1]


def best_at_interactivity(model, hardware, precision: str, target_tokens_per_s_per_user: float,
                          input_tokens=1024, output_tokens=1024, n_chips=None, **efficiencies) -> pd.Series:
    """The highest per-chip throughput that still gives every user at least ``target`` tokens/s.

    Uses :func:`deployment_chips` when ``n_chips`` is None. Returns the chosen row of
    :func:`pareto` (``batch``, ``output_tokens_per_s_per_chip``, ...); raises ValueError
    when no batch reaches the target.
    """
    chips = deployment_chips(model, hardware, precision, input_tokens + output_tokens) if n_chips is None else n_chips
    curve = pareto(model, hardware, chips, precision, input_tokens, output_tokens, **efficiencies)
    best = pick_at_interactivity(curve, target_tokens_per_s_per_user)
    if best is None:
        raise ValueError(f"{model} on {hardware}: no batch reaches {target_tokens_per_s_per_user:g} tokens/s per user")
    return best


def cost_per_million_tokens(tokens_per_s_per_chip, usd_per_chip_hour):
    """USD per million output tokens at a chip-hour price: ``$/h / (tokens/s * 3600) * 1e6``."""
    tps = np.asarray(tokens_per_s_per_chip, dtype=float)
    return np.asarray(usd_per_chip_hour, dtype=float) / (tps * 3600.0) * 1e6


def tokens_per_mw(tokens_per_s_per_chip, kw_per_chip):
    """Tokens per second per megawatt of all-in provisioned power."""
    return np.asarray(tokens_per_s_per_chip, dtype=float) / (np.asarray(kw_per_chip, dtype=float) / 1000.0)


def roofline(hardware, precision, intensity):
    """Attainable FLOP/s per chip at arithmetic ``intensity`` (FLOP/byte): ``min(peak, BW * I)``."""
    hw = _row(hardware, hardware_table(), "hardware")
    return np.minimum(peak_tflops(hw, precision) * 1e12,
                      _num(hw, "memory_tb_per_s") * 1e12 * np.asarray(intensity, dtype=float))


# --------------------------------------------------------------------------------------
# Measurements and calibration
# --------------------------------------------------------------------------------------

DEFAULT_INPUT_TOKENS = 512    # assumption: half the 1,024-token prompt limit of MLPerf's Llama 2 70B data set
DEFAULT_OUTPUT_TOKENS = 500   # assumption for per-user rows that state no length (barely affects decode speed)


def predict_measurements(measurements: pd.DataFrame, default_input_tokens: float = DEFAULT_INPUT_TOKENS,
                         default_output_tokens: float = DEFAULT_OUTPUT_TOKENS, spec_tokens_assumed: float = 2.0,
                         layer_latency_table: Mapping | None = None, **efficiencies) -> pd.DataFrame:
    """Predict every measured row under its own conditions; add ``predicted`` and ``error``.

    ``max_load`` and ``server`` rows use ``batch="max"`` and the system throughput;
    ``per_user`` rows use batch 1 and per-user speed. Missing lengths take the
    defaults; rows flagged ``speculative`` use ``spec_tokens_assumed`` tokens per step.
    ``error`` is predicted / measured - 1. ``layer_latency_table`` overrides the
    per-layer floors by hardware id or kind (see :func:`layer_latency_for`).
    """
    predicted = []
    for row in measurements.itertuples(index=False):
        s_in = row.input_tokens if pd.notna(row.input_tokens) else default_input_tokens
        s_out = row.output_tokens if pd.notna(row.output_tokens) else default_output_tokens
        n = None if pd.isna(row.n_chips) else int(row.n_chips)
        eff = dict(efficiencies)
        if layer_latency_table is not None and "layer_latency_s" not in eff:
            eff["layer_latency_s"] = layer_latency_for(row.hardware, layer_latency_table)
        if row.speculative:
            eff["spec_tokens_per_step"] = spec_tokens_assumed
        per_user = row.scenario == "per_user"
        out = predict(row.model, row.hardware, n, row.precision, 1 if per_user else "max", s_in, s_out, **eff)
        column = "output_tokens_per_s_per_user" if per_user else "output_tokens_per_s"
        predicted.append((float(out[column].iloc[0]), int(out["n_chips"].iloc[0]), str(out["bound"].iloc[0])))
    result = measurements.copy()
    result["predicted"] = [p[0] for p in predicted]
    result["n_chips_used"] = [p[1] for p in predicted]
    result["bound"] = [p[2] for p in predicted]
    result["error"] = result["predicted"] / result["output_tokens_per_s"] - 1.0
    return result


def error_summary(predictions: pd.DataFrame) -> dict:
    """Median absolute relative error for max-load GPU rows and per-user rows."""
    gpu = predictions["hardware"].map(lambda h: hardware_table().loc[h, "kind"] in ("gpu", "tpu"))
    max_load = predictions[(predictions["scenario"] == "max_load") & gpu]
    per_user = predictions[predictions["scenario"] == "per_user"]
    return {
        "median_abs_error_max_load": float(max_load["error"].abs().median()),
        "median_abs_error_per_user": float(per_user["error"].abs().median()),
        "n_not_fitting": int(predictions["predicted"].isna().sum()),
        "n_max_load": int(len(max_load)), "n_per_user": int(len(per_user)),
    }


def calibrate(measurements: pd.DataFrame, **kwargs) -> dict:
    """Fit the default efficiencies to measured rows (grid search on median |log error|).

    The GPU/TPU compute efficiency is fitted on the max-load GPU rows (compute bound);
    memory efficiencies stay at their sourced values (0.8, NVIDIA AIConfigurator; 0.75
    for SambaNova's dataflow, its own "> 75% of peak" claim) except edge devices', which
    is fitted on their per-user rows (no source gives it). Each SRAM, wafer or
    dataflow machine's per-layer latency floor is then fitted on its per-user rows.

    Returns
    -------
    dict
        ``{"compute_efficiency": float, "edge_memory_efficiency": float or None,
        "layer_latency_s": {hardware id: seconds}}``.
    """
    kinds = measurements["hardware"].map(lambda h: hardware_table().loc[h, "kind"])
    gpu_rows = measurements[kinds.isin(["gpu", "tpu"]) & (measurements["scenario"] == "max_load")]
    grid = np.round(np.arange(0.30, 0.9001, 0.01), 2)
    scores = [float(np.nanmedian(np.abs(np.log1p(predict_measurements(gpu_rows, compute_efficiency=e,
                                                                      **kwargs)["error"])))) for e in grid]
    eta_f = float(grid[int(np.argmin(scores))])
    edge_rows = measurements[(kinds == "edge") & (measurements["scenario"] == "per_user")]
    edge_eta = None
    if not edge_rows.empty:
        grid_m = np.round(np.arange(0.30, 0.9501, 0.01), 2)
        scores = []
        for value in grid_m:
            p = predict_measurements(edge_rows, compute_efficiency=eta_f, edge_memory_efficiency=value, **kwargs)
            scores.append(float(np.nanmedian(np.abs(np.log1p(p["error"])))))
        edge_eta = float(grid_m[int(np.argmin(scores))])
    floors = {}
    pipeline_rows = measurements[kinds.isin(("sram", "wafer", "dataflow")) & (measurements["scenario"] == "per_user")]
    for hw_id, rows in pipeline_rows.groupby("hardware"):
        grid_t = np.round(np.arange(1, 101) * 1e-6, 7)
        scores = [float(np.nanmedian(np.abs(np.log1p(predict_measurements(
            rows, compute_efficiency=eta_f, layer_latency_s=t, **kwargs)["error"])))) for t in grid_t]
        floors[hw_id] = float(grid_t[int(np.argmin(scores))])
    return {"compute_efficiency": eta_f, "edge_memory_efficiency": edge_eta, "layer_latency_s": floors}


# --------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------

def plot_roofline(hardware_ids, precision: str, batches=(1, 8, 64, 512)):
    """Attainable FLOP/s per chip against arithmetic intensity, with dense-decode intensities at ``batches``."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8.5, 5))
    intensity = np.logspace(-1, 4, 300)
    for i, hw_id in enumerate(hardware_ids):
        hw = hardware_table().loc[hw_id]
        try:
            peak = peak_tflops(hw, precision)
        except ValueError:
            continue
        ax.plot(intensity, roofline(hw, precision, intensity) / 1e12, color=f"C{i % 10}", label=hw["name"])
        ax.plot(peak * 1e12 / (_num(hw, "memory_tb_per_s") * 1e12), peak, "o", color=f"C{i % 10}", ms=4)
    for b in batches:
        # dense decode reads each weight once per step and does 2 FLOP per weight per sequence
        ai = 2.0 * b / BYTES_PER_WEIGHT[precision]
        ax.axvline(ai, ls=":", color="0.5", lw=1)
        ax.annotate(f"B={b}", (ai, 0.02), xycoords=("data", "axes fraction"), rotation=90, fontsize=8,
                    color="0.35", xytext=(2, 0), textcoords="offset points")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("arithmetic intensity (FLOP per byte of memory traffic)")
    ax.set_ylabel(f"attainable TFLOP/s per chip ({precision})")
    ax.set_title("Roofline per chip (dots: ridge points; dotted: dense decode at batch B)")
    ax.legend(fontsize=8, loc="lower right")
    return fig


def plot_pareto(curves: dict, title: str):
    """Per-chip throughput against per-user speed, one curve per label."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8.5, 5))
    for i, (label, curve) in enumerate(curves.items()):
        if curve.empty:
            continue
        ax.plot(curve["output_tokens_per_s_per_user"], curve["output_tokens_per_s_per_chip"], "-",
                color=f"C{i % 10}", label=f"{label} ({int(curve['n_chips'].iloc[0])} chips)")
        ax.plot(curve["output_tokens_per_s_per_user"].iloc[0], curve["output_tokens_per_s_per_chip"].iloc[0],
                "o", color=f"C{i % 10}", ms=4)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("output tokens/s per user (interactivity)")
    ax.set_ylabel("output tokens/s per chip")
    ax.set_title(title)
    ax.legend(fontsize=8)
    return fig


def plot_measured_vs_predicted(predictions: pd.DataFrame, band: float = 0.35):
    """Log-log scatter of predicted against measured, by scenario, with a +/- band."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 6.5))
    ok = predictions.dropna(subset=["predicted"])
    markers = {"max_load": "o", "server": "s", "per_user": "^"}
    for i, (scenario, rows) in enumerate(ok.groupby("scenario")):
        ax.scatter(rows["output_tokens_per_s"], rows["predicted"], marker=markers.get(scenario, "o"),
                   s=45, label=scenario.replace("_", " "), color=f"C{i}")
        for row in rows.itertuples():
            if abs(row.error) > band:
                ax.annotate(row.id, (row.output_tokens_per_s, row.predicted), fontsize=6.5,
                            xytext=(3, 3), textcoords="offset points")
    lo = min(ok["output_tokens_per_s"].min(), ok["predicted"].min()) / 1.5
    hi = max(ok["output_tokens_per_s"].max(), ok["predicted"].max()) * 1.5
    x = np.array([lo, hi])
    ax.plot(x, x, "k-", lw=1)
    ax.fill_between(x, x * (1 - band), x * (1 + band), color="0.5", alpha=0.15, label=f"±{band:.0%}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("measured output tokens/s")
    ax.set_ylabel("predicted output tokens/s")
    ax.set_title("Measured vs predicted (labels: rows outside the band)")
    ax.legend(fontsize=8)
    return fig
