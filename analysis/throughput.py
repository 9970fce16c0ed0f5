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
* speculative decoding: a draft model (an EAGLE head or an MTP module, ``draft_layers`` layers)
  proposes ``spec_draft_tokens`` tokens one pass at a time; the target verifies them plus one
  in a single pass (FLOPs and MoE weights for ``draft + 1`` tokens); with per-token acceptance
  ``a`` a step emits ``(1 - a**(draft + 1)) / (1 - a)`` tokens on average
  (:func:`spec_tokens_per_step`; DeepSeek reports 85-90% acceptance for its second token);
* the low-latency regime (batch 1-8): a step cannot be shorter than the weights' read time,
  the layers' kernel floor (``layers * t_layer``: launch and synchronisation of a layer's kernels,
  captured in CUDA graphs by tuned stacks), two all-reduces per layer at the link's message latency
  (``message_latency_s``, ~8 us over NVLink), the draft passes and a fixed host time per step
  (``step_overhead_s``: scheduling, sampling, detokenising), plus ``sequence_overhead_s`` per sequence;
* serving-stack tier: an open stack run with common settings (``stack_tier="open_default"``)
  reaches a fitted share of the tuned stacks' efficiencies (``open_efficiency_factor``) and
  spends a fitted extra host time per step (``open_step_overhead_s``) on GPUs and TPUs.

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
from analysis.data import STACK_TIERS   # serving-stack tiers; the rule that assigns them is in data/README.md

BYTES_PER_WEIGHT = {"bf16": 2.0, "fp8": 1.0, "fp4": 0.5 + 1.0 / 32}   # MXFP4: 4 bits + one 8-bit scale per 32
BYTES_PER_KV = {"bf16": 2.0, "fp8": 1.0, "fp4": 1.0}                   # FP4 weights keep an FP8 KV cache
ACTIVATION_BYTES = 2.0
PIPELINE_KINDS = ("sram", "wafer", "dataflow", "edge")   # no tensor-parallel all-reduces between chips
LAYER_SPLIT_KINDS = ("sram", "wafer", "edge")            # chips hold consecutive layers: a token visits each in turn

#: Fitted defaults: :func:`analysis.throughput_cv.fit` on the shipped measurements reproduces them (a test
#: checks it). They are the values that best predict published serving throughput, not hardware specs:
#: a memory efficiency of 0.65 and an attention factor of 0.065 absorb what the model leaves out (kernel
#: overlap, scheduling, cache misses, unmodelled long-context costs), so read them as a whole, not one by one.
#: Fitted with each source family's residuals weighted by 1/sqrt(its rows) and the newest edition of each table.
DEFAULTS = {
    "memory_efficiency": 0.6511,         # GPUs and TPUs (AIConfigurator assumes 0.8 for kernels alone)
    "compute_efficiency": 0.4895,        # share of dense peak realised by the weight GEMMs
    "fp4_compute_factor": 0.8303,        # share of the FP4 peak realised relative to the FP8/BF16 efficiency
    "moe_compute_factor": 0.8442,        # mixture-of-experts: expert load imbalance and grouped-GEMM losses
    "prefill_compute_factor": 1.2554,    # prompt processing's share of peak relative to decode's
    "attention_compute_factor": 0.06495,  # attention's share of peak relative to the weight GEMMs'
    "overlap": 0.0,                      # share of min(memory, compute) time not hidden (rejected by the ablation)
    "step_overhead_s": 6.920e-3,         # GPUs and TPUs, per decode step: scheduling, launch gaps, sampling
    "sequence_overhead_s": 0.0,          # per sequence per decode step (rejected by the ablation)
    "message_latency_s": 8e-6,           # kipply / llm-analysis: ~8 us per message
    "hop_latency_s": 0.0,
    "usable_memory_fraction": 0.90,      # TensorRT-LLM uses 0.90-0.95 of free memory for the KV cache
    "spec_tokens_per_step": 1.0,
    "spec_draft_tokens": 0.0,            # drafted tokens per step (0: spec_tokens_per_step are verified, no draft cost)
    "draft_layers": 1.0,                 # an EAGLE-3 head or a DeepSeek MTP module is one transformer layer
    "open_efficiency_factor": 0.2700,    # open_default tier: share of the tuned efficiencies reached (fitted)
    "open_step_overhead_s": 11.30e-3,    # open_default tier: extra host time per step (fitted)
    "max_batch": 501,                   # the serving stack's largest batch (fitted)
    "moe_all_to_all": True,              # count expert-parallel dispatch and combine traffic on the scale-up links
    "amortize_prefill": True,            # spread each prompt's prefill FLOPs over its output tokens
    "prefill_attention": True,           # count the prompt's quadratic attention FLOPs in prefill
}
#: SambaNova: its own "> 75% of peak"; SRAM machines: not bandwidth-limited; edge: fitted on the shipped
#: llama.cpp/vLLM rows (consumer serving stacks reach less of peak bandwidth than TensorRT-LLM).
MEMORY_EFFICIENCY_BY_KIND = {"dataflow": 0.75, "sram": 1.0, "wafer": 1.0, "edge": 0.57}
#: SRAM, wafer and dataflow machines: a fixed time per generated token besides the per-layer floor (host
#: round trip, sampling), fitted with the floors; GPUs and TPUs use ``DEFAULTS["step_overhead_s"]``.
STEP_OVERHEAD_S: dict = {"cerebras-wse3": 3.0e-4, "groq-lpu": 8.5e-4, "sambanova-sn40l": 0.0}
#: Per-layer latency floors. GPUs/TPUs: fitted (~4.6 us a layer: the launch and synchronisation of a layer's
#: kernels under CUDA/HIP graphs, beside a fixed host time per step); edge devices: ~12 kernels per layer x 3 us
#: (AIConfigurator's constant per-op latency; the kernel count is this project's estimate); SRAM, wafer and
#: dataflow machines: fitted on their per-user rows.
KERNELS_PER_LAYER = 12
OP_LATENCY_S = 3e-6
KERNEL_FLOOR_S = KERNELS_PER_LAYER * OP_LATENCY_S     # the unfitted per-layer floor (edge; GPU fit's start)
GPU_LAYER_LATENCY_S = 4.634e-6
LAYER_LATENCY_S = {"gpu": GPU_LAYER_LATENCY_S, "tpu": GPU_LAYER_LATENCY_S, "edge": KERNEL_FLOOR_S,
                   "cerebras-wse3": 4e-6, "groq-lpu": 35e-6, "sambanova-sn40l": 29e-6}


#: Speculative decoding where a row or a claim used it: per-token acceptance and draft length. DeepSeek-V3's
#: report gives 85-90% acceptance for the second token (midpoint here); TensorRT-LLM's published
#: min-latency configurations draft 3 tokens (MTP next-n 3 for DeepSeek-R1, ``max_draft_len: 3`` for the
#: Llama 4 Maverick and gpt-oss-120b EAGLE-3 servers). No acceptance rate for EAGLE-3 heads was found in the
#: sources read, so every speculative row uses these.
SPEC_ACCEPTANCE = 0.875
#: Software over time: the same configuration's throughput changes by this factor per year (fitted: the
#: within-configuration slope of :func:`analysis.throughput_time.software_rate` on the shipped rows).
SOFTWARE_FACTOR_PER_YEAR = 1.0155
SPEC_DRAFT_TOKENS = 3


def spec_tokens_per_step(acceptance: float = SPEC_ACCEPTANCE, draft_tokens: float = SPEC_DRAFT_TOKENS):
    """Mean tokens emitted per verification step of chain speculative decoding.

    Draft token ``i`` is kept only if the ``i - 1`` before it were, each with probability
    ``acceptance``; the target's own token is always emitted, so the mean is
    ``1 + a + a**2 + ... + a**draft = (1 - a**(draft + 1)) / (1 - a)``.
    """
    a = np.asarray(acceptance, dtype=float)
    d = np.asarray(draft_tokens, dtype=float)
    return np.where(np.isclose(a, 1.0), d + 1.0, (1.0 - a ** (d + 1.0)) / np.where(np.isclose(a, 1.0), 1.0, 1.0 - a))


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
    return _kv_sequence(model_specs(model), np.asarray(context, dtype=float), BYTES_PER_KV[precision])


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
    return _weights_read(model_specs(model), np.asarray(batch, dtype=float), BYTES_PER_WEIGHT[precision])


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


def step_overhead_for(hw, table: Mapping | None = None) -> float:
    """Fixed time per decode step for a hardware id or row: ``table`` (or :data:`STEP_OVERHEAD_S`) by id,
    else by kind; GPUs and TPUs default to ``DEFAULTS["step_overhead_s"]``."""
    hw = _row(hw, hardware_table(), "hardware")
    table = STEP_OVERHEAD_S if table is None else {**STEP_OVERHEAD_S, **table}
    default = DEFAULTS["step_overhead_s"] if hw.get("kind") in ("gpu", "tpu") else 0.0
    return float(table.get(hw.get("id"), table.get(hw.get("kind"), default)))


def layer_latency_for(hw, table: Mapping | None = None) -> float:
    """Per-layer latency floor for a hardware id or row: ``table`` (or the defaults) by id, else by kind."""
    hw = _row(hw, hardware_table(), "hardware")
    table = LAYER_LATENCY_S if table is None else {**LAYER_LATENCY_S, **table}
    return float(table.get(hw.get("id"), table.get(hw.get("kind"), 0.0)))


# --------------------------------------------------------------------------------------
# The model: one vectorized core shared by predict() and the measurement fits
# --------------------------------------------------------------------------------------

def model_specs(model: Mapping) -> dict:
    """The architecture numbers the core needs, as floats (parameters, not billions)."""
    dense, per_expert, experts, k = _moe_split(model)
    per_layer = _num(model, "kv_elements_per_token_layer")
    latent = np.isfinite(per_layer)
    if not latent:
        per_layer = 2.0 * _num(model, "kv_heads") * _num(model, "head_dim")
    return {
        "total": _num(model, "total_params_b") * 1e9, "active": _num(model, "active_params_b") * 1e9,
        "dense": dense, "per_expert": per_expert, "experts": experts, "k": k,
        "moe": float(experts > 0), "layers": _num(model, "layers"), "hidden": _num(model, "hidden_size"),
        "heads": _num(model, "attention_heads"), "head_dim": _num(model, "head_dim"), "kv_per_layer": per_layer,
        "swa_layers": _num(model, "sliding_window_layers", 0.0), "window": _num(model, "sliding_window", np.inf),
        # width each head attends with per context token: head_dim, or the whole latent vector for latent
        # attention (DeepSeek's MLA decodes against its 576-element compressed cache with every head)
        "attn_dim": per_layer if latent else _num(model, "head_dim"),
    }


def hardware_specs(hw: Mapping, precision: str) -> dict:
    """The chip numbers the core needs at ``precision``, as floats (bytes/s, FLOP/s, bytes)."""
    kind = hw.get("kind")
    return {
        "bandwidth": _num(hw, "memory_tb_per_s") * 1e12, "flops": peak_tflops(hw, precision) * 1e12,
        "memory": _num(hw, "memory_gb") * 1e9, "link": _num(hw, "scale_up_gb_per_s", np.nan) * 1e9,
        "pipeline": float(kind in PIPELINE_KINDS), "layer_split": float(kind in LAYER_SPLIT_KINDS),
        "fp4": float(precision == "fp4" and np.isfinite(_num(hw, "fp4_tflops"))),
        "w_bytes": BYTES_PER_WEIGHT[precision], "kv_bytes": BYTES_PER_KV[precision],
    }


def _kv_sequence(ms: Mapping, context, kv_bytes):
    full = ms["layers"] - ms["swa_layers"]
    tokens = full * context + ms["swa_layers"] * np.minimum(context, ms["window"])
    return ms["kv_per_layer"] * kv_bytes * tokens


def _weights_read(ms: Mapping, tokens, w_bytes):
    experts = np.maximum(ms["experts"], 1.0)
    touched = np.where(ms["experts"] > 0, experts * (1.0 - (1.0 - ms["k"] / experts) ** np.maximum(tokens, 1.0)), 0.0)
    return (ms["dense"] + touched * ms["per_expert"]) * w_bytes


def _step(ms, hs, n, b, s_in, s_out, p, with_bound: bool = True):
    """Decode-step time and its parts for arrays that broadcast together (see the module docstring).

    ``with_bound=False`` skips naming the binding limit (returned as None), which fits and searches never read.
    """
    k_spec = p["spec_tokens_per_step"]                    # tokens accepted (emitted) per step
    draft = p.get("spec_draft_tokens", 0.0)               # drafted tokens per step (0: no draft model counted)
    # the target verifies the drafted tokens plus one in the same pass; without a draft length (the older
    # "accepted tokens per step" assumption) the verified tokens are the accepted ones
    k_verify = np.where(np.asarray(draft) > 0, np.asarray(draft) + 1.0, k_spec) if np.any(np.asarray(draft) > 0) \
        else k_spec
    b_eff = np.maximum(b, 1.0)
    s_avg = s_in + s_out / 2.0
    kv_read = b_eff * _kv_sequence(ms, s_avg, hs["kv_bytes"])
    bw = hs["bandwidth"] * p["eta_m"]
    # layers split across chips (SRAM, wafer, edge): a micro-batch of B/n streams every weight through one
    # chip after another while n micro-batches keep the chips busy, so only the KV term divides by n
    micro = np.where(hs["layer_split"] > 0, np.maximum(b_eff / n, 1.0), b_eff)
    weights = _weights_read(ms, micro * k_verify, hs["w_bytes"])
    t_mem = np.where(hs["layer_split"] > 0, (weights + kv_read / n) / bw, (weights + kv_read) / (n * bw))
    attention = 4.0 * ms["layers"] * ms["heads"] * ms["attn_dim"] * s_avg          # QK^T and AV over the context
    attn = 1.0 / p["attention_compute_factor"]                                      # attention runs below GEMM peak
    decode_flops = b_eff * k_verify * (2.0 * ms["active"] + attention * attn)
    prompt_flops = 2.0 * ms["active"] * s_in + p["prefill_attention"] * attn * 2.0 * ms["layers"] * ms["heads"] \
        * ms["head_dim"] * s_in ** 2                                                  # causal attention over the prompt
    prefill_flops = b_eff * k_spec * prompt_flops / s_out * p["amortize_prefill"]
    eta_f = p["compute_efficiency"] * np.where(hs["fp4"] > 0, p["fp4_compute_factor"], 1.0) \
        * np.where(ms["moe"] > 0, p["moe_compute_factor"], 1.0)
    t_comp = (decode_flops + prefill_flops / p["prefill_compute_factor"]) / (n * hs["flops"] * eta_f)
    t_floor = ms["layers"] * p["layer_latency_s"] * np.ones_like(n)
    link = np.where(np.isfinite(hs["link"]), hs["link"], np.inf)
    message = b_eff * k_verify * ms["hidden"] * ACTIVATION_BYTES * 2.0 * (n - 1.0) / n
    t_allreduce = np.where(n > 1, 2.0 * ms["layers"] * (p["message_latency_s"] + message / link), 0.0)
    # expert parallelism: every routed token's activations go to k experts' chips and come back (dispatch, combine)
    moe_bytes = 2.0 * b_eff * k_verify * ms["k"] * ms["hidden"] * ACTIVATION_BYTES * (n - 1.0) / n
    t_all_to_all = np.where((n > 1) & (ms["moe"] > 0), ms["layers"] * moe_bytes / (n * link), 0.0) * p["moe_all_to_all"]
    t_comm = np.where(hs["pipeline"] > 0, (n - 1.0) * p["hop_latency_s"], t_allreduce + t_all_to_all)
    overlapped = np.maximum(t_mem, t_comp) + p["overlap"] * np.minimum(t_mem, t_comp)
    core = np.maximum(overlapped, t_floor)
    # the draft model (an EAGLE head or an MTP module: ``draft_layers`` layers) runs once per drafted token, each
    # pass as short as its own weights, its layers' floor and one all-reduce pair per layer allow
    t_draft = 0.0
    if np.any(np.asarray(draft) > 0):
        layer_weights = _weights_read(ms, micro, hs["w_bytes"]) / ms["layers"]
        t_draft_pass = p.get("draft_layers", 1.0) * (
            np.maximum(layer_weights / np.where(hs["layer_split"] > 0, bw, n * bw), p["layer_latency_s"])
            + np.where((n > 1) & (hs["pipeline"] == 0), 2.0 * p["message_latency_s"], 0.0))
        t_draft = np.asarray(draft) * t_draft_pass
    t_step = core + t_comm + t_draft + p["step_overhead_s"] + p["sequence_overhead_s"] * b_eff
    bound = np.where(core == t_floor, "latency", np.where(t_comp >= t_mem, "compute", "memory")) if with_bound else None
    return t_step, bound, t_floor, t_comm


def _max_batch(ms, hs, n, s_in, s_out, p):
    """Largest batch whose weights and KV cache fit in ``n`` chips, capped by the serving stack's limit."""
    capacity = n * hs["memory"] * p["usable_memory_fraction"]
    kv_full = _kv_sequence(ms, s_in + s_out, hs["kv_bytes"])
    return np.clip(np.floor((capacity - ms["total"] * hs["w_bytes"]) / kv_full), 0, p["max_batch"])


_PROBES = 6   # grid indices tried per round of :func:`_batch_under_latency`'s search (49 slots -> 2 rounds)


def _batch_under_latency(ms, hs, n, s_in, s_out, p, b_max, tpot_s, points: int = 48):
    """Largest batch <= ``b_max`` whose time per output token stays within ``tpot_s``.

    The step time grows with the batch, so a geometric grid of ``points`` batches between 1
    and ``b_max`` brackets the answer, and a second grid inside the bracket refines it. The
    step time never falls as the batch grows, so the last grid point within the limit is
    found by a search over the grid's indices that tries a few of them at a time (two
    evaluations of a handful of points instead of every point; the same answer). NaN limits
    leave ``b_max``; a limit that even batch 1 misses gives batch 1.
    """
    b_max = np.asarray(b_max, dtype=float)
    limited = np.isfinite(tpot_s) & (b_max >= 1)
    lo = np.zeros(b_max.shape)                       # log batch known to meet the limit
    hi = np.log(np.maximum(b_max, 1.0))              # log batch to search up to
    fractions = np.linspace(0.0, 1.0, points)
    column = lambda x: np.asarray(x)[..., None] if np.ndim(x) else x
    ms2, hs2 = ({k: column(v) for k, v in d.items()} for d in (ms, hs))
    p2 = {k: column(v) for k, v in p.items()}
    probes = np.arange(1, _PROBES + 1)
    for _ in range(2):
        # search for the last grid index whose step time meets the limit (-1: none): each round tries
        # _PROBES indices spread over the open bracket (last, above) in one vectorized evaluation
        last = np.full(b_max.shape, -1)
        above = np.full(b_max.shape, points)
        while np.any(above - last > 1):
            gap = above - last
            idx = np.minimum(last[..., None] + -(-gap[..., None] * probes // (_PROBES + 1)), above[..., None] - 1)
            idx = np.clip(idx, 0, points - 1)
            grid = lo[..., None] + (hi - lo)[..., None] * fractions[idx]
            t, *_ = _step(ms2, hs2, column(n), np.exp(grid), column(s_in), column(s_out), p2, with_bound=False)
            meets = t / p2["spec_tokens_per_step"] <= column(tpot_s)
            inside = (idx > last[..., None]) & (idx < above[..., None])
            last = np.maximum(last, np.where(meets & inside, idx, -1).max(axis=-1))
            above = np.minimum(above, np.where(~meets & inside, idx, points).min(axis=-1))
        step = (hi - lo) / (points - 1)
        new_lo = np.where(last >= 0, lo + np.maximum(last, 0) * step, lo)
        hi = np.where(last >= 0, np.minimum(new_lo + step, hi), lo)
        lo = new_lo
    return np.where(limited, np.maximum(np.floor(np.exp(lo) + 1e-9), 1.0), b_max)


def _resolve(values: Mapping, hw: Mapping) -> dict:
    """Per-point parameters: DEFAULTS overridden by ``values``, memory efficiency and layer floor by kind."""
    per_kind = {f"{kind}_memory_efficiency" for kind in MEMORY_EFFICIENCY_BY_KIND}
    unknown = set(values) - set(DEFAULTS) - {"layer_latency_s"} - per_kind
    if unknown:
        raise TypeError(f"unknown efficiency parameter(s): {', '.join(sorted(unknown))}")
    p = {**DEFAULTS, **values}
    kind = hw.get("kind")
    p["eta_m"] = p["memory_efficiency"]
    if kind in MEMORY_EFFICIENCY_BY_KIND:          # memory_efficiency is for GPUs and TPUs
        p["eta_m"] = values.get(f"{kind}_memory_efficiency", MEMORY_EFFICIENCY_BY_KIND[kind])
    p["layer_latency_s"] = values.get("layer_latency_s", layer_latency_for(hw))
    p["step_overhead_s"] = values.get("step_overhead_s", step_overhead_for(hw))
    if kind not in ("gpu", "tpu"):                  # a GPU serving stack's per-sequence bookkeeping
        p["sequence_overhead_s"] = values.get("sequence_overhead_s", 0.0)
    for key in ("amortize_prefill", "prefill_attention", "moe_all_to_all"):
        p[key] = float(p[key])
    if not (0 < p["eta_m"] <= 1 and 0 < p["compute_efficiency"] <= 1):
        raise ValueError(f"efficiencies must be in (0, 1]; got memory {p['eta_m']}, compute {p['compute_efficiency']}")
    return p


def _apply_tier(p: dict, kind: str, stack_tier: str) -> dict:
    """Parameters of ``stack_tier``: the open tier's efficiency share and extra host time (GPUs and TPUs)."""
    if stack_tier not in STACK_TIERS:
        raise ValueError(f"stack_tier must be one of {', '.join(STACK_TIERS)}; got {stack_tier!r}")
    if stack_tier == "open_default" and kind in ("gpu", "tpu"):
        p = dict(p)
        p["eta_m"] = p["eta_m"] * p["open_efficiency_factor"]
        p["compute_efficiency"] = p["compute_efficiency"] * p["open_efficiency_factor"]
        p["step_overhead_s"] = p["step_overhead_s"] + p["open_step_overhead_s"]
    return p


#: Where :func:`predict`'s intervals come from: ``f(kind, load, level) -> (low, high)`` multipliers, registered by
#: :mod:`analysis.throughput_cv` when it is imported (its cross-validated errors). The physics here never imports
#: its fitting module: the intervals reach it as data.
_INTERVAL_SOURCE = None


def set_interval_source(source) -> None:
    """Register where :func:`predict` takes prediction intervals from (see :data:`_INTERVAL_SOURCE`)."""
    global _INTERVAL_SOURCE
    _INTERVAL_SOURCE = source


def predict(model, hardware, n_chips=None, precision="bf16", batch=1, input_tokens=1024, output_tokens=256,
            interval=None, tpot_limit_s=None, stack_tier="tuned", **efficiencies) -> pd.DataFrame:
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
        (weights + KV cache), capped at ``max_batch`` (the serving stack's limit), which
        maximises aggregate throughput (MLPerf offline).
    input_tokens, output_tokens : int or array_like
        Prompt and generation lengths. All array arguments broadcast together.
    interval : float or None
        With a level such as 0.8, add ``*_lo`` / ``*_hi`` columns for aggregate and per-user
        speed: the central 80% of the cross-validated errors of measurements like this one
        (same hardware class and load; see :func:`analysis.throughput_cv.interval_factors`).
    tpot_limit_s : float or None
        With ``batch="max"``, the largest batch whose time per output token stays within
        this limit (MLPerf's server and interactive scenarios).
    stack_tier : {"tuned", "open_default"}
        The serving stack: ``tuned`` (chip or stack makers' recipes, as in MLPerf and the
        vendors' tables; a provider's fleet) or ``open_default`` (an open stack run with common
        settings on rented hardware: what a small buyer gets). See data/README.md.
    **efficiencies
        ``memory_efficiency`` (GPUs and TPUs; other kinds use :data:`MEMORY_EFFICIENCY_BY_KIND`,
        overridable as ``edge_memory_efficiency``, ``dataflow_memory_efficiency``, ...),
        ``compute_efficiency``, ``fp4_compute_factor``, ``moe_compute_factor``, ``prefill_compute_factor``,
        ``attention_compute_factor``, ``overlap``,
        ``step_overhead_s``, ``sequence_overhead_s``, ``layer_latency_s``, ``message_latency_s``, ``hop_latency_s``,
        ``usable_memory_fraction``, ``spec_tokens_per_step``, ``spec_draft_tokens``, ``draft_layers``,
        ``open_efficiency_factor``, ``open_step_overhead_s``, ``max_batch``,
        ``amortize_prefill``, ``prefill_attention``, ``moe_all_to_all`` (see :data:`DEFAULTS`).

    Returns
    -------
    pandas.DataFrame
        One row per broadcast point: ``n_chips, batch, input_tokens, output_tokens,
        output_tokens_per_s`` (aggregate over the chips), ``output_tokens_per_s_per_user``,
        ``output_tokens_per_s_per_chip``, ``ttft_s``, ``step_time_s``, ``bound``
        (memory, compute or latency), ``memory_needed_gb``, ``fits``; with ``interval``
        also ``output_tokens_per_s_lo/_hi``, ``output_tokens_per_s_per_chip_lo/_hi`` and
        ``output_tokens_per_s_per_user_lo/_hi``.
    """
    if precision not in BYTES_PER_WEIGHT:
        raise ValueError(f"precision must be one of bf16, fp8, fp4; got {precision!r}")
    m = _row(model, model_table(), "model")
    hw = _row(hardware, hardware_table(), "hardware")
    p = _apply_tier(_resolve(efficiencies, hw), hw.get("kind"), stack_tier)
    ms, hs = model_specs(m), hardware_specs(hw, precision)

    s_in = np.asarray(input_tokens, dtype=float)
    s_out = np.asarray(output_tokens, dtype=float)
    if np.any(s_in < 0) or np.any(s_out < 1):
        raise ValueError("input_tokens must be >= 0 and output_tokens >= 1")
    if n_chips is None:
        n_chips = min_chips(m, hw, precision, float(np.max(s_in + s_out)), p["usable_memory_fraction"])
    n = np.asarray(n_chips, dtype=float)
    if np.any(n < 1):
        raise ValueError("n_chips must be at least 1")
    if isinstance(batch, str):
        if batch != "max":
            raise ValueError(f"batch must be a number, an array or 'max'; got {batch!r}")
        n_, s_in_, s_out_ = np.broadcast_arrays(n, s_in, s_out)
        b = _max_batch(ms, hs, n_, s_in_, s_out_, p)
        if tpot_limit_s is not None:
            b = _batch_under_latency(ms, hs, n_, s_in_, s_out_, p, b, np.full(b.shape, float(tpot_limit_s)))
    else:
        b = np.asarray(batch, dtype=float)
        if np.any(b < 1):
            raise ValueError("batch must be at least 1")
    b, n, s_in, s_out = (np.atleast_1d(x).astype(float) for x in np.broadcast_arrays(b, n, s_in, s_out))

    t_step, bound, t_floor, t_comm = _step(ms, hs, n, b, s_in, s_out, p)
    b_eff = np.maximum(b, 1.0)
    per_user = p["spec_tokens_per_step"] / t_step
    aggregate = b_eff * per_user
    capacity = n * hs["memory"] * p["usable_memory_fraction"]
    memory_needed = ms["total"] * hs["w_bytes"] + b_eff * _kv_sequence(ms, s_in + s_out, hs["kv_bytes"])
    fits = (memory_needed <= capacity) & (b >= 1)
    flops = hs["flops"] * p["compute_efficiency"]
    t_prefill = (2.0 * ms["active"] * s_in + 2.0 * ms["layers"] * ms["heads"] * ms["head_dim"] * s_in ** 2) / (n * flops)
    ttft = np.maximum(t_prefill, ms["total"] * hs["w_bytes"] / (n * hs["bandwidth"] * p["eta_m"])) + t_floor + t_comm
    columns = {
        "n_chips": n.astype(int), "batch": b.astype(int), "input_tokens": s_in, "output_tokens": s_out,
        "output_tokens_per_s": np.where(fits, aggregate, np.nan),
        "output_tokens_per_s_per_user": np.where(fits, per_user, np.nan),
        "output_tokens_per_s_per_chip": np.where(fits, aggregate / n, np.nan),
        "ttft_s": ttft, "step_time_s": t_step, "bound": bound, "memory_needed_gb": memory_needed / 1e9,
        "fits": fits,
    }
    shape = b.shape
    out = pd.DataFrame({k: np.broadcast_to(v, shape).ravel() for k, v in columns.items()})
    if interval is not None:
        if _INTERVAL_SOURCE is None:
            raise RuntimeError("prediction intervals come from the cross-validated errors of analysis.throughput_cv: "
                               "import it before asking predict() for an interval (it registers them)")
        for load, column in (("throughput", "output_tokens_per_s"), ("throughput", "output_tokens_per_s_per_chip"),
                             ("per_user", "output_tokens_per_s_per_user")):
            low, high = _INTERVAL_SOURCE(hw.get("kind"), load, interval)
            out[f"{column}_lo"] = out[column] * low
            out[f"{column}_hi"] = out[column] * high
    return out


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


def cost_per_million_tokens(tokens_per_s_per_chip, usd_per_chip_hour, utilization=1.0):
    """USD per million output tokens at a chip-hour price: ``$/h / (tokens/s * utilization * 3600) * 1e6``.

    ``utilization`` is the average share of the chip's serving throughput that is sold; the
    default 1.0 is a fully used chip (a lower bound on cost), so state it wherever a cost appears.
    """
    tps = np.asarray(tokens_per_s_per_chip, dtype=float) * np.asarray(utilization, dtype=float)
    return np.asarray(usd_per_chip_hour, dtype=float) / (tps * 3600.0) * 1e6


def tokens_per_mw(tokens_per_s_per_chip, kw_per_chip):
    """Tokens per second per megawatt of all-in provisioned power."""
    return np.asarray(tokens_per_s_per_chip, dtype=float) / (np.asarray(kw_per_chip, dtype=float) / 1000.0)


def serving_precision(hw, precision: str) -> str:
    """The precision a chip is compared at: GPUs and TPUs at ``precision``; Groq at fp8 (as measured);
    Cerebras, SambaNova and edge devices at bf16 (as their measured rows)."""
    hw = _row(hw, hardware_table(), "hardware")
    if hw.get("kind") in ("gpu", "tpu"):
        return precision
    return "fp8" if hw.get("kind") == "sram" else "bf16"


def unit_economics(models, hardware_ids, precision: str, target_tokens_per_s_per_user: float, input_tokens=1024,
                   output_tokens=1024, utilization: float = 0.6, chip_multiples=(1, 2, 4, 8, 16), **efficiencies) -> pd.DataFrame:
    """Throughput per chip, per system, per kW and per dollar at an interactivity target.

    A system is one scale-up domain (8 GPUs, a GB200 NVL72 rack's 72, a SambaNova rack) or,
    for SRAM and wafer machines, the multiple of their fewest chips (``chip_multiples``) that
    gives the most tokens per chip at the target; inside a GPU domain the replica size (a power
    of two from the fewest GPUs that hold the model up to the domain) that gives the most tokens
    per chip is used, as an operator would. Precision follows :func:`serving_precision`. Costs
    use the rental $/chip-hour at ``utilization``; power the all-in kW per chip (else the TDP).

    Returns
    -------
    pandas.DataFrame
        ``model, hardware, precision, replica_chips, system_chips, batch, tokens_per_s_per_user,
        tokens_per_s_per_chip, tokens_per_s_per_system, kw_per_chip, tokens_per_s_per_kw,
        usd_per_chip_hour, usd_per_mtok, utilization`` (rows where the target cannot be met
        are left out).
    """
    rows = []
    table = hardware_table()
    for model in models:
        for hw_id in hardware_ids:
            hw = table.loc[hw_id]
            prec = serving_precision(hw, precision)
            context = input_tokens + output_tokens
            try:
                fewest = min_chips(model_table().loc[model], hw, prec, context)
            except ValueError:
                continue
            if hw["kind"] in ("sram", "wafer"):
                options = [fewest * k for k in chip_multiples]
            elif hw["kind"] in ("gpu", "tpu"):
                domain = int(max(_num(hw, "chips_per_node", 1.0), fewest))
                options = [n for n in (2 ** np.arange(0, 8)).tolist() if fewest <= n <= domain] or [fewest]
            else:
                options = [deployment_chips(model, hw_id, prec, context)]
            best = None
            for n in options:
                curve = pareto(model, hw_id, n, prec, input_tokens, output_tokens, **efficiencies)
                pick = pick_at_interactivity(curve, target_tokens_per_s_per_user)
                if pick is not None and (best is None or pick["output_tokens_per_s_per_chip"]
                                         > best["output_tokens_per_s_per_chip"]):
                    best = pick
            if best is None:
                continue
            system = int(best["n_chips"]) if hw["kind"] in ("sram", "wafer") else int(
                max(_num(hw, "chips_per_node", 1.0), best["n_chips"]))
            kw = _num(hw, "all_in_kw")
            kw = kw if np.isfinite(kw) else _num(hw, "tdp_w") / 1000.0
            per_chip = float(best["output_tokens_per_s_per_chip"])
            rental = _num(hw, "rental_usd_per_hour")
            rows.append({"model": model, "hardware": hw_id, "precision": prec, "replica_chips": int(best["n_chips"]),
                         "system_chips": system, "batch": int(best["batch"]),
                         "tokens_per_s_per_user": float(best["output_tokens_per_s_per_user"]),
                         "tokens_per_s_per_chip": per_chip, "tokens_per_s_per_system": per_chip * system,
                         "kw_per_chip": kw, "tokens_per_s_per_kw": per_chip / kw if np.isfinite(kw) else np.nan,
                         "usd_per_chip_hour": rental,
                         "usd_per_mtok": float(cost_per_million_tokens(per_chip, rental, utilization)),
                         "utilization": utilization})
    return pd.DataFrame(rows)


def plot_unit_economics(economics: pd.DataFrame, title: str):
    """Four panels (per chip, per system, per kW, USD per million tokens), one bar per chip and model."""
    import matplotlib.pyplot as plt

    panels = (("tokens_per_s_per_chip", "output tokens/s per chip"),
              ("tokens_per_s_per_system", "output tokens/s per system"),
              ("tokens_per_s_per_kw", "output tokens/s per kW (all-in)"),
              ("usd_per_mtok", "USD per million output tokens"))
    models = list(dict.fromkeys(economics["model"]))
    chips = list(dict.fromkeys(economics["hardware"]))
    fig, axes = plt.subplots(2, 2, figsize=(13, 0.32 * len(chips) * len(models) + 4), sharey=True)
    height = 0.8 / max(len(models), 1)
    y = np.arange(len(chips))
    for ax, (column, label) in zip(axes.ravel(), panels):
        for i, model in enumerate(models):
            part = economics[economics["model"] == model].set_index("hardware").reindex(chips)
            ax.barh(y + (i - (len(models) - 1) / 2) * height, part[column], height, color=f"C{i}", label=model)
        ax.set_xscale("log")
        ax.set_xlabel(label, fontsize=9)
        ax.grid(axis="x", which="both", alpha=0.3)
    axes[0, 0].set_yticks(y)
    axes[0, 0].set_yticklabels(chips)
    for ax in axes[:, 0]:
        ax.tick_params(axis="y", labelsize=9)
    axes[0, 0].invert_yaxis()                       # the panels share the y axis: once inverts them all
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(models), fontsize=9, frameon=False)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout(rect=(0, 0.05, 1, 0.96))
    return fig


def roofline(hardware, precision, intensity):
    """Attainable FLOP/s per chip at arithmetic ``intensity`` (FLOP/byte): ``min(peak, BW * I)``."""
    hw = _row(hardware, hardware_table(), "hardware")
    return np.minimum(peak_tflops(hw, precision) * 1e12,
                      _num(hw, "memory_tb_per_s") * 1e12 * np.asarray(intensity, dtype=float))


# --------------------------------------------------------------------------------------
# Measurements and calibration
# --------------------------------------------------------------------------------------

DEFAULT_INPUT_TOKENS = 512    # assumption for rows that state no prompt length
DEFAULT_OUTPUT_TOKENS = 500   # assumption for per-user rows that state no length (barely affects decode speed)


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
