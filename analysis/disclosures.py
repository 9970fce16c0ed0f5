"""The cost chain against what operators published about their own serving (notebook 07).

Operators have published a few numbers about their own fleets: DeepSeek a whole day of V3/R1
serving (nodes, tokens, throughput per node, cost and a theoretical margin), Google the energy
of a median Gemini Apps text prompt with its breakdown, OpenAI the energy of an average ChatGPT
query, and OpenAI and Cerebras the size and value of a capacity deal. Each figure is a row of
``data/operator_disclosures.csv``. This module predicts the same quantities **under the
disclosed conditions** with the chain as shipped (:func:`analysis.throughput.predict` and its
cross-validated interval factors, :mod:`analysis.capex`'s cost functions); nothing here is fitted
on the disclosures. Where a prediction misses by more than a factor of 1.5, :func:`comparison`
states which link it tests and what would have to be true for the two to agree.

Unit conversions (tested in ``tests/test_disclosures.py``):

* GPU-hours = nodes x GPUs per node x hours; a rental cost is GPU-hours x USD per GPU-hour;
* nodes needed = tokens per day / (tokens/s per node x 86,400);
* Wh per prompt = chip-seconds per prompt x (1 + idle power fraction x (1 / utilization - 1)) x chip kW x host
  overhead x PUE / 3.6,
  with chip-seconds = input tokens / prefill tokens/s per chip + output tokens / decode tokens/s per chip;
* kWh per million tokens = kW x PUE / (tokens/s x utilization x 3,600) x 1e6; CO2 = kWh x grid intensity.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from analysis import capex as cx
from analysis import throughput as tp

SECONDS_PER_DAY = 86400.0
SECONDS_PER_HOUR = 3600.0
#: A prediction "agrees" with a disclosure when their ratio lies within this factor either way (issue 23's goal).
AGREEMENT_FACTOR = 1.5


# --------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------

def values(table: pd.DataFrame) -> dict:
    """``{id: value}`` of ``data/operator_disclosures.csv`` (as loaded by :func:`analysis.data.load_operator_disclosures`)."""
    return dict(zip(table["id"], table["value"].astype(float)))


def need(disclosed: Mapping, *ids: str) -> list:
    """The values of ``ids``, raising one clear error naming every missing row."""
    missing = [i for i in ids if i not in disclosed]
    if missing:
        raise KeyError(f"operator_disclosures.csv lacks the row(s) {', '.join(missing)}")
    return [float(disclosed[i]) for i in ids]


# --------------------------------------------------------------------------------------
# Unit conversions
# --------------------------------------------------------------------------------------

def gpu_hours(nodes, gpus_per_node, hours=24.0):
    """GPU-hours of ``nodes`` nodes of ``gpus_per_node`` GPUs held for ``hours``."""
    return np.asarray(nodes, dtype=float) * np.asarray(gpus_per_node, dtype=float) * np.asarray(hours, dtype=float)


def rental_cost_usd(nodes, gpus_per_node, usd_per_gpu_hour, hours=24.0):
    """Cost of holding ``nodes`` nodes for ``hours`` at a rental price per GPU-hour (USD)."""
    return gpu_hours(nodes, gpus_per_node, hours) * np.asarray(usd_per_gpu_hour, dtype=float)


def billed_revenue_usd(cache_hit_tokens, cache_miss_tokens, output_tokens, usd_per_mtok_hit, usd_per_mtok_miss,
                       usd_per_mtok_output):
    """Revenue of a token mix at per-million-token prices: cached input, uncached input and output (USD)."""
    return (np.asarray(cache_hit_tokens, dtype=float) * usd_per_mtok_hit
            + np.asarray(cache_miss_tokens, dtype=float) * usd_per_mtok_miss
            + np.asarray(output_tokens, dtype=float) * usd_per_mtok_output) / 1e6


def cost_profit_margin(revenue, cost):
    """DeepSeek's "cost profit margin": revenue over cost minus one (5.45 = 545%)."""
    return np.asarray(revenue, dtype=float) / np.asarray(cost, dtype=float) - 1.0


def nodes_for_tokens(tokens_per_day, tokens_per_s_per_node):
    """Nodes busy all day to serve ``tokens_per_day`` at ``tokens_per_s_per_node``."""
    return np.asarray(tokens_per_day, dtype=float) / (np.asarray(tokens_per_s_per_node, dtype=float) * SECONDS_PER_DAY)


def request_lengths(input_per_output: float, mean_context: float) -> tuple[float, float]:
    """Input and output tokens of a typical request with ``input_per_output`` prompt tokens per output token whose
    average context while decoding (prompt plus half the answer) is ``mean_context``.

    ``input = r * output`` and ``input + output / 2 = mean_context`` give ``output = mean_context / (r + 1/2)``.
    """
    if input_per_output < 0 or mean_context <= 0:
        raise ValueError("need input_per_output >= 0 and mean_context > 0")
    output = mean_context / (input_per_output + 0.5)
    return input_per_output * output, output


def wh_per_prompt(input_tokens, output_tokens, prefill_tokens_per_s_per_chip, decode_tokens_per_s_per_chip, chip_kw,
                  host_overhead=1.0, pue=1.0, utilization=1.0, idle_power_fraction=1.0):
    """Energy of one prompt (Wh): the chip-seconds it occupies, at the chip's power, the host's share and the
    facility overhead, with idle time charged to the prompts served (``utilization`` < 1).

    Parameters
    ----------
    input_tokens, output_tokens : float or array
        Prompt and answer lengths.
    prefill_tokens_per_s_per_chip, decode_tokens_per_s_per_chip : float or array
        Throughput per chip while processing prompts and while generating.
    chip_kw : float or array
        Power drawn per chip (kW).
    host_overhead : float or array
        Server power over the chips' power (CPU, DRAM, network; 1 = chips only).
    pue : float or array
        Facility power over IT power.
    utilization : float or array
        Share of time the chips serve; the servers stay powered the rest of the time.
    idle_power_fraction : float or array
        Power of an idle server over its serving power (1 charges idle time at full power).
    """
    chip_s = (np.asarray(input_tokens, dtype=float) / np.asarray(prefill_tokens_per_s_per_chip, dtype=float)
              + np.asarray(output_tokens, dtype=float) / np.asarray(decode_tokens_per_s_per_chip, dtype=float))
    idle_s = chip_s * (1.0 / np.asarray(utilization, dtype=float) - 1.0)
    return (chip_s + np.asarray(idle_power_fraction, dtype=float) * idle_s) * np.asarray(chip_kw, dtype=float) \
        * host_overhead * pue * 1000.0 / SECONDS_PER_HOUR


def kwh_per_mtok(kw_per_chip, tokens_per_s_per_chip, utilization=1.0, pue=1.0):
    """Energy per million tokens (kWh): ``kW x PUE / (tokens/s x utilization x 3600) x 1e6``."""
    tokens_per_hour = np.asarray(tokens_per_s_per_chip, dtype=float) * np.asarray(utilization, dtype=float) \
        * SECONDS_PER_HOUR
    return np.asarray(kw_per_chip, dtype=float) * np.asarray(pue, dtype=float) / tokens_per_hour * 1e6


def co2_kg_per_mtok(kwh_per_million_tokens, grid_kg_co2_per_kwh):
    """CO2 per million tokens (kg) at a grid intensity (kg CO2 per kWh)."""
    return np.asarray(kwh_per_million_tokens, dtype=float) * np.asarray(grid_kg_co2_per_kwh, dtype=float)


def energy_results(it_kw_per_chip, pue, tokens_per_s_per_chip, utilization, grid_kg_co2_per_kwh) -> dict:
    """The energy and CO2 results notebooks 04 and 05 save: kWh and kg CO2 per million output tokens.

    Power is the IT power per chip (its share of the server included) drawn all the time; tokens are
    those sold at ``utilization``; the facility's ``pue`` multiplies the IT power.
    """
    kwh = float(kwh_per_mtok(it_kw_per_chip, tokens_per_s_per_chip, utilization, pue))
    return {"energy_kwh_per_mtok": kwh, "co2_kg_per_mtok": float(co2_kg_per_mtok(kwh, grid_kg_co2_per_kwh)),
            "grid_kg_co2_per_kwh": float(grid_kg_co2_per_kwh)}


def ratio(predicted, disclosed):
    """Predicted over disclosed."""
    return np.asarray(predicted, dtype=float) / np.asarray(disclosed, dtype=float)


def within_factor(predicted, disclosed, factor: float = AGREEMENT_FACTOR):
    """Whether the prediction lies within ``factor`` of the disclosure, either way."""
    r = ratio(predicted, disclosed)
    return (r >= 1.0 / factor) & (r <= factor)


# --------------------------------------------------------------------------------------
# Throughput under disclosed conditions
# --------------------------------------------------------------------------------------

def _kind(hardware) -> str:
    if not isinstance(hardware, str):
        return str(hardware["kind"])
    return str(tp.hardware_table().loc[hardware, "kind"])


def decode_throughput(model: str, hardware: str, precision: str, n_chips: int, input_tokens: float,
                      output_tokens: float, tokens_per_s_per_user: float, interval: float = 0.8,
                      **efficiencies) -> dict:
    """Output tokens/s per chip at the largest batch that still gives every user ``tokens_per_s_per_user``,
    on one replica of ``n_chips`` (:func:`analysis.throughput.pareto`), with the cross-validated ``interval``.

    Returns
    -------
    dict
        ``per_chip``, ``per_chip_lo``, ``per_chip_hi``, ``batch``, ``per_user`` (the speed reached), ``n_chips``.
    """
    curve = tp.pareto(model, hardware, n_chips, precision, input_tokens, output_tokens, **efficiencies)
    pick = tp.pick_at_interactivity(curve, tokens_per_s_per_user)
    if pick is None:
        raise ValueError(f"{model} on {n_chips} x {hardware}: no batch reaches {tokens_per_s_per_user:g} tokens/s per user")
    low, high = _factors(hardware, interval)
    per_chip = float(pick["output_tokens_per_s_per_chip"])
    return {"per_chip": per_chip, "per_chip_lo": per_chip * low, "per_chip_hi": per_chip * high,
            "batch": int(pick["batch"]), "per_user": float(pick["output_tokens_per_s_per_user"]), "n_chips": int(n_chips)}


#: Cumulative what-ifs for the generic tensor-parallel decode, each a (label, hardware overrides, efficiency
#: overrides) step: communication hidden behind compute, then attention at the weight GEMMs' efficiency on the
#: BF16 peak (factor 0.5 of an FP8 model's GEMM rate: attention never runs above the BF16 peak). DeepSeek's own
#: layout is :func:`ep_decode_throughput` and its what-ifs :data:`EP_DECODE_WHAT_IFS`.
DECODE_WHAT_IFS = (
    ("as shipped", {}, {}),
    ("communication hidden behind compute", {"scale_up_gb_per_s": np.inf}, {"message_latency_s": 0.0}),
    ("... and attention at the GEMMs' efficiency on the BF16 peak", {"scale_up_gb_per_s": np.inf},
     {"message_latency_s": 0.0, "attention_compute_factor": 0.5}),
)


def decode_what_ifs(model: str, hardware: str, precision: str, n_chips: int, input_tokens: float,
                    output_tokens: float, tokens_per_s_per_user: float, steps=DECODE_WHAT_IFS,
                    chips_per_node: int = 8) -> pd.DataFrame:
    """Decode throughput per node under cumulative changes to the chain (``steps``, see :data:`DECODE_WHAT_IFS`).

    Each step predicts with :func:`analysis.throughput.pareto` on a copy of the hardware row with the step's
    overrides and the step's efficiency overrides, then takes the most tokens per chip at the per-user speed.
    The steps are counterfactuals, not fits: they show which link carries a miss.
    """
    base = tp.hardware_table().loc[hardware].to_dict()
    base["id"] = hardware
    batches = np.unique(np.round(np.logspace(0, 15, 121, base=2)))
    rows = []
    for label, hw_over, eff in steps:
        curve = tp.pareto(model, {**base, **hw_over}, n_chips, precision, input_tokens, output_tokens, batches=batches,
                          **eff)
        pick = tp.pick_at_interactivity(curve, tokens_per_s_per_user)
        per_chip = np.nan if pick is None else float(pick["output_tokens_per_s_per_chip"])
        rows.append({"what_if": label, "batch": np.nan if pick is None else int(pick["batch"]),
                     "bound": None if pick is None else str(pick["bound"]),
                     "tokens_per_s_per_user": np.nan if pick is None else float(pick["output_tokens_per_s_per_user"]),
                     "tokens_per_s_per_node": per_chip * chips_per_node})
    return pd.DataFrame(rows)


def prefill_throughput(model: str, hardware: str, precision: str, n_chips: int, input_tokens: float,
                       interval: float = 0.8, **efficiencies) -> dict:
    """Prompt tokens/s per chip while prefilling: one prompt of ``input_tokens`` over its time to first token
    on ``n_chips`` (:func:`analysis.throughput.predict`), with the cross-validated throughput ``interval``
    (the model's intervals come from decode measurements; no prefill measurements are in the data).
    """
    row = tp.predict(model, hardware, n_chips, precision, 1, input_tokens, 1, **efficiencies).iloc[0]
    per_chip = float(input_tokens) / (float(row["ttft_s"]) * float(n_chips))
    low, high = _factors(hardware, interval)
    return {"per_chip": per_chip, "per_chip_lo": per_chip * low, "per_chip_hi": per_chip * high,
            "ttft_s": float(row["ttft_s"]), "n_chips": int(n_chips)}


def _factors(hardware, interval: float) -> tuple[float, float]:
    from analysis import throughput_cv as cv

    return cv.interval_factors(_kind(hardware), "throughput", interval)


# --------------------------------------------------------------------------------------
# DeepSeek's day
# --------------------------------------------------------------------------------------

def deepseek_day(disclosed: Mapping, model: str = "deepseek-v3", hardware: str = "h800", precision: str = "fp8",
                 decode_chips: int = 144, prefill_chips: int = 32, interval: float = 0.8,
                 capex_costs: pd.DataFrame | None = None, capex_options: Mapping | None = None,
                 scale_out_gb_per_s: float | None = None, overlap_communication: bool = True,
                 kv_precision: str = "bf16", prefill_qk_dim: float | None = None, prefill_v_dim: float | None = None,
                 **efficiencies) -> dict:
    """DeepSeek's serving day (2025-02-27/28) predicted from its own token counts and conditions.

    Decode is DeepSeek's disclosed layout (:func:`ep_decode_throughput`: attention and shared expert
    data-parallel per GPU, routed experts over ``decode_chips``, dispatch/combine over the scale-out network at
    ``scale_out_gb_per_s`` per GPU, KV cache at ``kv_precision``, no all-reduce, no prefill FLOPs); prefill is
    batched and compute-bound on the uncached suffix (:func:`batched_prefill_throughput`, attention at
    ``prefill_qk_dim``/``prefill_v_dim``). Without ``scale_out_gb_per_s`` the hardware row's scale-up bandwidth
    stands in. The chain's generic tensor-parallel replica of ``decode_chips`` (:func:`decode_throughput`) and
    its batch-1 prefill (:func:`prefill_throughput`) are kept beside them as ``decode_generic`` and
    ``prefill_generic``.

    The disclosed inputs (tokens, cache hits, per-user speed, KV length, deployment units, GPUs per node,
    the USD 2 rental assumption and R1's prices) set the conditions; the chain predicts decode and prefill
    throughput per node, the nodes the day's tokens need, the cost per day and per million tokens, and the
    margin at R1's prices. With ``capex_costs`` (``cost_assumptions.csv``) the same GPU count is also costed
    at the capex floor of :func:`analysis.capex.cost_components_usd_per_mtok` (``capex_options``: its
    keyword arguments besides the server cost and the throughput; the server cost is the H100's on the
    B200 basis, the H800 being the same die with no sourced price).

    Returns
    -------
    dict
        ``request_input_tokens``, ``request_output_tokens`` (the implied request), ``decode`` and ``prefill``
        (dicts of :func:`ep_decode_throughput` / :func:`batched_prefill_throughput` per chip plus ``per_node*``),
        ``decode_generic`` and ``prefill_generic`` (the same for the generic replica), ``scale_out_gb_per_s``,
        ``nodes``, ``nodes_lo``, ``nodes_hi`` (lo/hi: at the high/low throughput), ``cost_usd_per_day*``,
        ``usd_per_mtok*`` (per million tokens, input and output), ``margin*``, ``revenue_usd_per_day``,
        ``capex_cost_usd_per_day`` (when costed).
    """
    (inp, hit, out, speed_lo, speed_hi, kv, gpn, usd_h, p_hit, p_miss, p_out) = need(
        disclosed, "deepseek_input_tokens_per_day", "deepseek_input_cache_hit_tokens_per_day",
        "deepseek_output_tokens_per_day", "deepseek_output_tokens_per_s_per_user_low",
        "deepseek_output_tokens_per_s_per_user_high", "deepseek_kv_length_per_output_token",
        "deepseek_gpus_per_node", "deepseek_usd_per_gpu_hour", "deepseek_r1_usd_per_mtok_input_cache_hit",
        "deepseek_r1_usd_per_mtok_input_cache_miss", "deepseek_r1_usd_per_mtok_output")
    s_in, s_out = request_lengths(inp / out, kv)
    hit_share = hit / inp
    link = scale_out_gb_per_s
    if link is None:
        link = float(tp.hardware_table().loc[hardware, "scale_up_gb_per_s"])
    decode = ep_decode_throughput(model, hardware, precision, decode_chips, s_in, s_out, speed_lo, link, interval,
                                  kv_precision=kv_precision, overlap_communication=overlap_communication,
                                  **efficiencies)
    prefill = batched_prefill_throughput(model, hardware, precision, s_in, hit_share, interval, qk_dim=prefill_qk_dim,
                                         v_dim=prefill_v_dim, **efficiencies)
    generic = decode_throughput(model, hardware, precision, decode_chips, s_in, s_out, speed_lo, interval,
                                **efficiencies)
    generic_prefill = prefill_throughput(model, hardware, precision, prefill_chips, s_in, interval, **efficiencies)
    # per node: decode and batched prefill per GPU x GPUs (batched prefill credits cache hits in per_chip); the
    # generic batch-1 prefill computes the whole prompt, so its per-node figure is not rescaled by the hits
    for part in (decode, prefill, generic, generic_prefill):
        for key in ("", "_lo", "_hi"):
            part[f"per_node{key}"] = part[f"per_chip{key}"] * gpn
    revenue = float(billed_revenue_usd(hit, inp - hit, out, p_hit, p_miss, p_out))
    result = {"request_input_tokens": s_in, "request_output_tokens": s_out, "cache_hit_share": hit_share,
              "decode": decode, "prefill": prefill, "decode_generic": generic, "prefill_generic": generic_prefill,
              "scale_out_gb_per_s": float(link), "revenue_usd_per_day": revenue, "per_user_target": speed_lo,
              "per_user_high": speed_hi}
    for key, flip in (("", ""), ("_lo", "_hi"), ("_hi", "_lo")):      # fewer nodes at the high throughput
        nodes = float(nodes_for_tokens(out, decode[f"per_node{flip}"]) + nodes_for_tokens(inp, prefill[f"per_node{flip}"]))
        cost = float(rental_cost_usd(nodes, gpn, usd_h))
        result[f"nodes{key}"] = nodes
        result[f"cost_usd_per_day{key}"] = cost
        result[f"usd_per_mtok{key}"] = cost / ((inp + out) / 1e6)
        result[f"margin{key}"] = float(cost_profit_margin(revenue, cost))
    result["decode_nodes"] = float(nodes_for_tokens(out, decode["per_node"]))
    result["prefill_nodes"] = float(nodes_for_tokens(inp, prefill["per_node"]))
    if capex_costs is not None:
        server = cx.server_cost_one_basis(capex_costs, ["h100"])["h100"]["value"]
        gpus = result["nodes"] * gpn
        per_gpu_tps = out / SECONDS_PER_DAY / gpus                      # output tokens/s per GPU over the day
        opts = dict(capex_options or {})
        parts = cx.cost_components_usd_per_mtok(server, tokens_per_s_per_accelerator=per_gpu_tps, utilization=1.0,
                                                **opts)
        result["capex_usd_per_mtok_output"] = float(parts["total"])
        result["capex_cost_usd_per_day"] = float(parts["total"]) * out / 1e6
        result["capex_server_cost_usd"] = float(server)
    return result


# --------------------------------------------------------------------------------------
# Energy per prompt
# --------------------------------------------------------------------------------------

def energy_per_prompt(model: str, hardware: str, precision: str, input_tokens: float, output_tokens: float,
                      tokens_per_s_per_user: float, host_overhead: float, pue: float, utilization: float,
                      interval: float = 0.8, n_chips: int | None = None, idle_power_fraction: float = 1.0,
                      **efficiencies) -> dict:
    """Wh per prompt predicted for ``model`` on ``hardware`` at a chat interactivity, with its interval.

    Decode throughput at the interactivity on a deployment-sized replica (:func:`decode_throughput`),
    prefill from the time to first token (:func:`prefill_throughput`), the chip at its TDP, the host's
    and the facility's overheads, idle time at ``utilization`` drawing ``idle_power_fraction`` of the serving
    power (:func:`wh_per_prompt`). The interval
    carries the throughput model's cross-validated error (energy moves inversely with throughput).

    Returns
    -------
    dict
        ``wh``, ``wh_lo``, ``wh_hi``, ``wh_chips`` (the chips' share), ``wh_host``, ``wh_overhead``,
        ``wh_idle``, ``decode_per_chip``, ``prefill_per_chip``, ``chip_kw``, ``n_chips``.
    """
    hw = tp.hardware_table().loc[hardware]
    chip_kw = float(hw["tdp_w"]) / 1000.0
    if not np.isfinite(chip_kw):
        raise ValueError(f"{hardware} has no TDP in hardware.csv; pick a chip with one")
    n = n_chips or tp.deployment_chips(model, hardware, precision, input_tokens + output_tokens)
    decode = decode_throughput(model, hardware, precision, n, input_tokens, output_tokens, tokens_per_s_per_user,
                               interval, **efficiencies)
    prefill = prefill_throughput(model, hardware, precision, n, input_tokens, interval, **efficiencies)
    args = (input_tokens, output_tokens)

    def wh(pre, dec, host=host_overhead, p=pue, u=utilization):
        return float(wh_per_prompt(*args, pre, dec, chip_kw, host, p, u, idle_power_fraction))

    total = wh(prefill["per_chip"], decode["per_chip"])
    chips_busy = wh(prefill["per_chip"], decode["per_chip"], 1.0, 1.0, 1.0)
    idle = wh(prefill["per_chip"], decode["per_chip"], host_overhead, 1.0) - wh(
        prefill["per_chip"], decode["per_chip"], host_overhead, 1.0, 1.0)
    host = wh(prefill["per_chip"], decode["per_chip"], host_overhead, 1.0, 1.0) - chips_busy
    return {"wh": total, "wh_lo": wh(prefill["per_chip_hi"], decode["per_chip_hi"]),
            "wh_hi": wh(prefill["per_chip_lo"], decode["per_chip_lo"]),
            "wh_chips": chips_busy, "wh_host": host, "wh_idle": idle,
            "wh_overhead": total - wh(prefill["per_chip"], decode["per_chip"], host_overhead, 1.0),
            "decode_per_chip": decode["per_chip"], "prefill_per_chip": prefill["per_chip"], "chip_kw": chip_kw,
            "n_chips": int(n), "batch": decode["batch"]}


# --------------------------------------------------------------------------------------
# A capacity deal priced per token
# --------------------------------------------------------------------------------------

def deal_usd_per_mtok(contract_usd, capacity_mw, years, online_share, tokens_per_s_per_mw, utilization):
    """USD per million output tokens a capacity contract implies: its value over the tokens the capacity
    serves (``capacity_mw x online_share`` on average over ``years``, at ``utilization``)."""
    tokens = (np.asarray(capacity_mw, dtype=float) * online_share * np.asarray(tokens_per_s_per_mw, dtype=float)
              * np.asarray(utilization, dtype=float) * years * 365.0 * SECONDS_PER_DAY)
    return np.asarray(contract_usd, dtype=float) / tokens * 1e6


def deal_prices(models, hardware: str, precision: str, input_tokens: float, output_tokens: float,
                tokens_per_s_per_user: float, kw_per_system: float, pue: float, contract_usd: float,
                capacity_mw: float, years: float, online_share: float, utilizations, interval: float = 0.8,
                **efficiencies) -> pd.DataFrame:
    """Implied price per million output tokens of a capacity deal, per model and utilization.

    Throughput per chip at the interactivity on the fewest chips that hold the model
    (:func:`analysis.throughput.best_at_interactivity`), tokens per MW at ``kw_per_system`` per chip times
    ``pue``, the deal price from :func:`deal_usd_per_mtok`; ``_lo``/``_hi`` from the throughput interval
    (a higher throughput gives the lower price).
    """
    low, high = _factors(hardware, interval)
    rows = []
    for model in models:
        best = tp.best_at_interactivity(model, hardware, precision, tokens_per_s_per_user, input_tokens, output_tokens,
                                        **efficiencies)
        per_chip = float(best["output_tokens_per_s_per_chip"])
        per_mw = float(tp.tokens_per_mw(per_chip, kw_per_system * pue))
        for u in utilizations:
            price = float(deal_usd_per_mtok(contract_usd, capacity_mw, years, online_share, per_mw, u))
            rows.append({"model": model, "utilization": float(u), "n_chips": int(best["n_chips"]),
                         "batch": int(best["batch"]), "tokens_per_s_per_user": float(best["output_tokens_per_s_per_user"]),
                         "tokens_per_s_per_chip": per_chip, "tokens_per_s_per_mw": per_mw,
                         "usd_per_mtok": price, "usd_per_mtok_lo": price / high, "usd_per_mtok_hi": price / low})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------
# The comparison table
# --------------------------------------------------------------------------------------

def comparison(entries) -> pd.DataFrame:
    """One row per disclosure: disclosed, predicted with its interval, ratio, whether within a factor
    of :data:`AGREEMENT_FACTOR`, the chain link it tests, and what would have to be true to agree.

    Parameters
    ----------
    entries : iterable of dict
        ``key`` (result-key stem), ``disclosure`` (words), ``unit``, ``disclosed``, ``predicted``, ``lo``, ``hi``,
        ``link`` (the link of the chain the figure tests) and ``lever`` (the modelled quantity that would have to
        change, in words); ``inverse=True`` when the figure moves inversely with the lever (a cost with throughput).
        ``to_agree`` reads "<lever> x<factor>", the factor that would make prediction and disclosure equal.
        Optional: ``prediction`` (the independent prediction the row checks; rows sharing one count once;
        default ``key``), ``derived=True`` for a figure computed from other rows' predictions (not counted),
        ``check`` ("test", or "consistency" when chosen inputs such as stand-in models or assumed shares
        drive the prediction) and ``band_lo``/``band_hi`` (the range the chosen inputs span; default the interval).
    """
    rows = []
    for e in entries:
        r = float(ratio(e["predicted"], e["disclosed"]))
        ok = bool(within_factor(e["predicted"], e["disclosed"]))
        covered = bool(min(e["lo"], e["hi"]) <= e["disclosed"] <= max(e["lo"], e["hi"]))
        factor = r if e.get("inverse", False) else 1.0 / r
        needed = "" if ok else f"{e['lever']} x{factor:.2f}"
        rows.append({"key": e["key"], "disclosure": e["disclosure"], "unit": e["unit"], "disclosed": float(e["disclosed"]),
                     "predicted": float(e["predicted"]), "lo": float(min(e["lo"], e["hi"])),
                     "hi": float(max(e["lo"], e["hi"])), "ratio": r, "within_factor_1_5": ok,
                     "disclosed_in_interval": covered, "link": e["link"], "to_agree": needed,
                     "prediction": e.get("prediction", e["key"]), "derived": bool(e.get("derived", False)),
                     "check": e.get("check", "test"),
                     "band_lo": float(min(e.get("band_lo", e["lo"]), e.get("band_hi", e["hi"]))),
                     "band_hi": float(max(e.get("band_lo", e["lo"]), e.get("band_hi", e["hi"])))})
    return pd.DataFrame(rows)


def independent_predictions(table: pd.DataFrame) -> pd.DataFrame:
    """One row per independent prediction of a :func:`comparison` table (derived rows dropped, rows sharing a
    ``prediction`` merged): ``prediction``, ``check``, ``rows`` (disclosures it is held against) and
    ``within_factor_1_5`` (every one of them within the factor)."""
    if "prediction" not in table:
        table = table.assign(prediction=table["key"], derived=False, check="test")
    own = table[~table["derived"].astype(bool)]
    return (own.groupby("prediction", sort=False)
            .agg(check=("check", "first"), rows=("key", "size"), within_factor_1_5=("within_factor_1_5", "all"))
            .reset_index())


def results_from(table: pd.DataFrame) -> dict:
    """The result keys of a :func:`comparison` table: ``<key>_disclosed``, ``<key>_predicted``, ``_lo``, ``_hi``,
    ``_ratio`` per row; over **independent predictions** (:func:`independent_predictions`)
    ``disclosures_within_factor_1_5`` and ``n_disclosures``, split into ``tests_*`` (predictions set by the
    disclosed conditions) and ``consistency_checks_*`` (driven by chosen inputs); ``n_disclosure_rows``."""
    out = {}
    for row in table.itertuples():
        out.update({f"{row.key}_disclosed": row.disclosed, f"{row.key}_predicted": row.predicted,
                    f"{row.key}_predicted_lo": row.lo, f"{row.key}_predicted_hi": row.hi,
                    f"{row.key}_ratio": row.ratio})
    ind = independent_predictions(table)
    tests = ind[ind["check"] == "test"]
    checks = ind[ind["check"] != "test"]
    out["disclosures_within_factor_1_5"] = int(ind["within_factor_1_5"].sum())
    out["n_disclosures"] = int(len(ind))
    out["tests_within_factor_1_5"] = int(tests["within_factor_1_5"].sum())
    out["n_tests"] = int(len(tests))
    out["consistency_checks_within_factor_1_5"] = int(checks["within_factor_1_5"].sum())
    out["n_consistency_checks"] = int(len(checks))
    out["n_disclosure_rows"] = int(len(table))
    return out


# --------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------

def plot_ratios(table: pd.DataFrame, title: str = "Predicted over disclosed"):
    """Each disclosure's predicted/disclosed ratio with its interval on a log axis, the factor-1.5 band shaded."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 0.5 * len(table) + 1.8))
    y = np.arange(len(table))[::-1]
    r = table["ratio"].to_numpy()
    lo = table["lo"].to_numpy() / table["disclosed"].to_numpy()
    hi = table["hi"].to_numpy() / table["disclosed"].to_numpy()
    ok = table["within_factor_1_5"].to_numpy()
    ax.axvspan(1 / AGREEMENT_FACTOR, AGREEMENT_FACTOR, color="C2", alpha=0.12, label=f"within a factor {AGREEMENT_FACTOR:g}")
    ax.axvline(1.0, color="k", lw=1)
    if "band_lo" in table:
        blo = table["band_lo"].to_numpy() / table["disclosed"].to_numpy()
        bhi = table["band_hi"].to_numpy() / table["disclosed"].to_numpy()
        ax.hlines(y - 0.22, blo, bhi, color="C1", lw=2, label="range of the chosen inputs (stand-ins, assumptions)")
    ax.hlines(y, lo, hi, color="0.4", lw=2, label="80% interval (throughput model's out-of-sample error)")
    ax.scatter(r, y, c=np.where(ok, "C2", "C3"), zorder=3, s=40)
    for yi, ri in zip(y, r):
        ax.text(ri, yi + 0.18, f"{ri:.2f}", ha="center", fontsize=8)
    ax.set_yticks(y)
    ax.set_yticklabels(table["disclosure"], fontsize=9)
    ax.set_xscale("log")
    ax.set_xlabel("predicted / disclosed (log scale)")
    ax.set_title(title, fontsize=11)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="x", which="both", alpha=0.3)
    fig.tight_layout()
    return fig


def plot_energy_breakdown(predicted: Mapping, disclosed: Mapping, title: str):
    """Stacked bars: the disclosed Wh per prompt by component against the predicted one (same components)."""
    import matplotlib.pyplot as plt

    parts = ("accelerators", "host", "idle", "overhead")
    fig, ax = plt.subplots(figsize=(8, 4))
    for i, (label, values_) in enumerate((("disclosed", disclosed), ("predicted", predicted))):
        bottom = 0.0
        for j, part in enumerate(parts):
            v = float(values_.get(part, 0.0))
            ax.barh(i, v, left=bottom, color=f"C{j}", label=part if i == 0 else None)
            bottom += v
        ax.text(bottom, i, f" {bottom:.2f} Wh", va="center", fontsize=9)
    ax.set_yticks([0, 1])
    ax.set_yticklabels(["disclosed", "predicted"])
    ax.set_xlabel("Wh per prompt")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.2))
    fig.tight_layout()
    return fig


def plot_deal_prices(prices_: pd.DataFrame, references: Mapping, title: str):
    """Implied USD per million output tokens of a capacity deal against utilization, one line per model
    (band: throughput interval), with reference prices (market, cost floor) as horizontal lines."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4.5))
    for i, (model, part) in enumerate(prices_.groupby("model", sort=False)):
        part = part.sort_values("utilization")
        ax.plot(part["utilization"], part["usd_per_mtok"], color=f"C{i}", marker="o", label=f"deal, {model}")
        ax.fill_between(part["utilization"], part["usd_per_mtok_lo"], part["usd_per_mtok_hi"], color=f"C{i}", alpha=0.15)
    for j, (label, value) in enumerate(references.items()):
        if value is not None and np.isfinite(value):
            ax.axhline(value, color=f"C{j + 5}", ls="--", lw=1)
            ax.text(prices_["utilization"].min(), value, f" {label}: ${value:.2f}", va="bottom", fontsize=8,
                    color=f"C{j + 5}")
    ax.set_yscale("log")
    ax.set_xlabel("utilization of the contracted capacity")
    ax.set_ylabel("USD per million output tokens")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------
# Expert-parallel decode and batched prefill (DeepSeek's disclosed deployment)
# --------------------------------------------------------------------------------------

def _specs(model, hardware, precision):
    m = tp.model_table().loc[model].to_dict() if isinstance(model, str) else dict(model)
    hw = tp.hardware_table().loc[hardware].to_dict() if isinstance(hardware, str) else dict(hardware)
    hw.setdefault("id", hardware if isinstance(hardware, str) else hw.get("id", "hardware"))
    return tp.model_specs(m), tp.hardware_specs(hw, precision), float(tp.peak_tflops(hw, "bf16")) * 1e12, hw


def _eff(efficiencies: Mapping, hw: Mapping) -> dict:
    """The chain's efficiencies as shipped (``throughput.DEFAULTS``, its per-kind step overhead and layer
    floor), overridden by ``efficiencies``."""
    p = {**tp.DEFAULTS, **efficiencies}
    p.setdefault("layer_latency_s", tp.layer_latency_for(hw))
    if "step_overhead_s" not in efficiencies:
        p["step_overhead_s"] = tp.step_overhead_for(hw)
    if "layer_latency_s" not in efficiencies:
        p["layer_latency_s"] = tp.layer_latency_for(hw)
    return p


def ep_decode_step(model, hardware, precision: str, ep_chips: int, batch_per_chip, input_tokens: float,
                   output_tokens: float, scale_out_gb_per_s: float, kv_precision: str = "bf16",
                   overlap_communication: bool = True, dispatch_bytes: float = 1.0, combine_bytes: float = 2.0,
                   **efficiencies) -> dict:
    """One decode step of a data-parallel-attention, expert-parallel deployment, per chip (DeepSeek's layout).

    Every chip holds its own copy of the non-expert weights (attention, shared expert, embeddings) and the KV
    cache of its own ``batch_per_chip`` sequences; the routed experts are spread over ``ep_chips`` chips. Per
    step a chip reads its non-expert weights, its local experts that any of the group's ``ep_chips x batch``
    tokens touched, and its sequences' KV cache (at ``kv_precision``); it computes its tokens' weight GEMMs at
    ``precision``'s peak (the routed experts' FLOPs balance over the group) and their attention at the
    chip's **BF16** peak, each at the chain's fitted share of peak (``compute_efficiency`` x ``moe_compute_factor``,
    attention further x ``attention_compute_factor``). Dispatch (``dispatch_bytes`` per element) and combine
    (``combine_bytes``) send each token's activations to its ``k`` experts and back over the scale-out network
    at ``scale_out_gb_per_s`` per chip; with ``overlap_communication`` this runs behind computation (two
    micro-batches), else it adds. No all-reduce (no tensor parallelism) and no prefill FLOPs (prefill runs on
    other nodes).

    Returns
    -------
    dict of arrays
        ``step_s``, ``t_memory``, ``t_gemm``, ``t_attention``, ``t_comm``, ``t_floor``, ``overhead_s``,
        ``tokens_per_s_per_user``, ``tokens_per_s_per_chip``, ``memory_bytes`` (weights + KV held per chip at
        the full context), ``memory_capacity_bytes``.
    """
    ms, hs, bf16_flops, hw = _specs(model, hardware, precision)
    p = _eff(efficiencies, hw)
    b = np.maximum(np.asarray(batch_per_chip, dtype=float), 1.0)
    n = float(ep_chips)
    s_avg = float(input_tokens) + float(output_tokens) / 2.0
    kv_b = tp.BYTES_PER_KV[kv_precision]
    local_experts = ms["experts"] / n
    touched = np.where(ms["experts"] > 0, 1.0 - (1.0 - ms["k"] / np.maximum(ms["experts"], 1.0)) ** (b * n), 0.0)
    weights_held = (ms["dense"] + local_experts * ms["per_expert"]) * hs["w_bytes"]
    weights_read = (ms["dense"] + local_experts * touched * ms["per_expert"]) * hs["w_bytes"]
    t_memory = (weights_read + b * tp._kv_sequence(ms, s_avg, kv_b)) / (hs["bandwidth"] * p["memory_efficiency"])
    eta = p["compute_efficiency"] * (p["moe_compute_factor"] if ms["moe"] > 0 else 1.0)
    t_gemm = b * 2.0 * ms["active"] / (hs["flops"] * eta)
    attention = 4.0 * ms["layers"] * ms["heads"] * ms["attn_dim"] * s_avg
    attn_rate = min(bf16_flops * eta * p["attention_compute_factor"], bf16_flops)   # never above BF16 peak
    t_attention = b * attention / attn_rate
    message = b * ms["k"] * ms["hidden"] * (dispatch_bytes + combine_bytes) * (n - 1.0) / n
    t_comm = ms["layers"] * message / (float(scale_out_gb_per_s) * 1e9) if ms["moe"] > 0 else 0.0 * b
    t_floor = ms["layers"] * p["layer_latency_s"]
    core = np.maximum(np.maximum(t_memory, t_gemm + t_attention), t_floor)
    if overlap_communication:
        core = np.maximum(core, t_comm)
    else:
        core = core + t_comm
    step = core + p["step_overhead_s"]
    capacity = hs["memory"] * p["usable_memory_fraction"]
    held = weights_held + b * tp._kv_sequence(ms, float(input_tokens) + float(output_tokens), kv_b)
    return {"step_s": step, "t_memory": t_memory, "t_gemm": t_gemm, "t_attention": t_attention, "t_comm": t_comm,
            "t_floor": t_floor * np.ones_like(b), "overhead_s": p["step_overhead_s"],
            "tokens_per_s_per_user": 1.0 / step, "tokens_per_s_per_chip": b / step, "memory_bytes": held,
            "memory_capacity_bytes": capacity, "attention_flops_per_s": attn_rate}


def ep_decode_throughput(model, hardware, precision: str, ep_chips: int, input_tokens: float, output_tokens: float,
                         tokens_per_s_per_user: float, scale_out_gb_per_s: float, interval: float = 0.8,
                         kv_precision: str = "bf16", overlap_communication: bool = True, max_batch: int = 4096,
                         **efficiencies) -> dict:
    """Output tokens/s per chip of :func:`ep_decode_step` at the largest batch per chip that both fits the chip's
    memory (non-expert weights, local experts, the sequences' KV cache at full context) and keeps every user at
    ``tokens_per_s_per_user`` or faster; ``per_chip_lo``/``_hi`` from the cross-validated ``interval``.

    Returns
    -------
    dict
        ``per_chip``, ``per_chip_lo``, ``per_chip_hi``, ``batch`` (per chip), ``batch_memory`` (the memory cap),
        ``per_user``, ``n_chips``, ``bound`` ("memory capacity" or "per-user speed") and the step's parts.
    """
    batches = np.arange(1, int(max_batch) + 1, dtype=float)
    kw = dict(kv_precision=kv_precision, overlap_communication=overlap_communication, **efficiencies)
    steps = ep_decode_step(model, hardware, precision, ep_chips, batches, input_tokens, output_tokens,
                           scale_out_gb_per_s, **kw)
    fits = steps["memory_bytes"] <= steps["memory_capacity_bytes"]
    fast = steps["tokens_per_s_per_user"] >= tokens_per_s_per_user
    if not np.any(fits & fast):
        raise ValueError(f"{model} on EP{ep_chips} x {hardware}: no batch fits and reaches "
                         f"{tokens_per_s_per_user:g} tokens/s per user")
    b_mem = int(batches[fits].max()) if np.any(fits) else 0
    b = int(batches[fits & fast].max())
    one = ep_decode_step(model, hardware, precision, ep_chips, float(b), input_tokens, output_tokens,
                         scale_out_gb_per_s, **kw)
    low, high = _factors(hardware, interval)
    per_chip = float(one["tokens_per_s_per_chip"])
    out = {"per_chip": per_chip, "per_chip_lo": per_chip * low, "per_chip_hi": per_chip * high, "batch": b,
           "batch_memory": b_mem, "per_user": float(one["tokens_per_s_per_user"]), "n_chips": int(ep_chips),
           "bound": "memory capacity" if b == b_mem else "per-user speed"}
    out.update({k: float(np.asarray(v).ravel()[0]) for k, v in one.items()
                if k not in ("tokens_per_s_per_chip", "tokens_per_s_per_user")})
    return out


#: What-ifs for the expert-parallel decode, each (label, keyword overrides of :func:`ep_decode_throughput`).
#: Attention never runs above the chip's BF16 peak: the last step is that ceiling.
EP_DECODE_WHAT_IFS = (
    ("as shipped (fitted attention share)", {}),
    ("dispatch/combine not overlapped", {"overlap_communication": False}),
    ("attention at the GEMMs' share of BF16 peak", {"attention_compute_factor": 1.0}),
    ("attention at 100% of BF16 peak (ceiling)", {"attention_compute_factor": 1e9}),
)


def ep_decode_what_ifs(model, hardware, precision: str, ep_chips: int, input_tokens: float, output_tokens: float,
                       tokens_per_s_per_user: float, scale_out_gb_per_s: float, steps=EP_DECODE_WHAT_IFS,
                       chips_per_node: int = 8, **efficiencies) -> pd.DataFrame:
    """Expert-parallel decode throughput per node under each of ``steps`` (not cumulative; counterfactuals,
    not fits). Attention's rate is capped at the chip's BF16 peak in every step."""
    rows = []
    for label, over in steps:
        kw = {**efficiencies, **over}
        r = ep_decode_throughput(model, hardware, precision, ep_chips, input_tokens, output_tokens,
                                 tokens_per_s_per_user, scale_out_gb_per_s, **kw)
        rows.append({"what_if": label, "batch_per_chip": r["batch"], "bound": r["bound"],
                     "attention_tflops": r["attention_flops_per_s"] / 1e12, "step_ms": r["step_s"] * 1e3,
                     "tokens_per_s_per_user": r["per_user"], "tokens_per_s_per_node": r["per_chip"] * chips_per_node})
    return pd.DataFrame(rows)


def batched_prefill_throughput(model, hardware, precision: str, input_tokens: float, cache_hit_share: float,
                               interval: float = 0.8, qk_dim: float | None = None, v_dim: float | None = None,
                               **efficiencies) -> dict:
    """Prompt tokens/s per chip of batched, compute-bound prefill with a prefix cache.

    Only the uncached suffix (``input_tokens x (1 - cache_hit_share)`` tokens) is computed: its weight GEMMs at
    ``precision``'s peak x ``compute_efficiency`` x ``moe_compute_factor`` x ``prefill_compute_factor``, and its
    causal attention against the whole context (suffix token ``j`` attends to the cached prefix and the ``j``
    suffix tokens before it: ``u x (s - u/2)`` pairs, ``2 x (qk_dim + v_dim)`` FLOPs per pair, head and layer)
    at the chip's BF16 peak times the same share and ``attention_compute_factor`` (never above BF16 peak).
    The per-chip figure counts **every** prompt token (cache hits credited once, as DeepSeek counts them);
    ``per_chip_uncached`` counts only computed ones. Batched prefill reads the weights once per many prompts, so
    memory time is not charged; the deployment size does not enter (FLOPs per token are the same on any EP group).
    """
    ms, hs, bf16_flops, hw = _specs(model, hardware, precision)
    p = _eff(efficiencies, hw)
    s = float(input_tokens)
    u = s * (1.0 - float(cache_hit_share))
    qk = ms["head_dim"] if qk_dim is None else float(qk_dim)
    v = ms["head_dim"] if v_dim is None else float(v_dim)
    eta = p["compute_efficiency"] * (p["moe_compute_factor"] if ms["moe"] > 0 else 1.0) * p["prefill_compute_factor"]
    t_gemm = 2.0 * ms["active"] * u / (hs["flops"] * min(eta, 1.0))
    pairs = u * (s - u / 2.0)
    attn_rate = min(bf16_flops * eta * p["attention_compute_factor"], bf16_flops)
    t_attn = p["prefill_attention"] * 2.0 * (qk + v) * ms["heads"] * ms["layers"] * pairs / attn_rate
    t = t_gemm + t_attn
    per_chip = s / t
    low, high = _factors(hardware, interval)
    return {"per_chip": per_chip, "per_chip_lo": per_chip * low, "per_chip_hi": per_chip * high,
            "per_chip_uncached": u / t, "seconds_per_prompt_chip": t, "t_gemm": t_gemm, "t_attention": t_attn,
            "attention_flops_per_s": attn_rate}
