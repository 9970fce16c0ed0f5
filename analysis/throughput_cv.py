"""Fitting and grouped cross-validation of the chip throughput model (:mod:`analysis.throughput`).

Every measured row of ``data/throughput_measurements.csv`` is predicted under its own
conditions (hardware, chips, precision, lengths, load) in one vectorized call. The
model's free parameters are fitted by robust least squares on log errors; its accuracy
is the error on rows it was *not* fitted on: leave-one-source-out (every publication
family held out in turn) and leave-one-hardware-out (every chip held out in turn), with
every parameter refitted inside each fold. In-sample errors are reported beside them,
labelled as such. Prediction intervals come from the cross-validated residuals of the
matching group (hardware class x load).

Terms that can be switched off (the ablation table in notebook 03 refits without each):

``memory_efficiency``
    fit the GPU/TPU share of HBM bandwidth reached (else AIConfigurator's 0.8);
``fp4_factor``
    a separate share of peak realised at FP4;
``moe_factor``
    a compute-efficiency factor for mixture-of-experts models;
``prefill_factor``
    prompt processing reaches a different share of peak than decoding;
``attention_factor``
    attention (decode and prompt) reaches a lower share of peak than the weight GEMMs;
``overlap``
    partial overlap of memory and compute time within a step;
``batch_cap``
    the serving stack's largest batch (else 4,096);
``step_overhead``
    a fixed per-step scheduling and launch overhead;
``sequence_overhead``
    a per-sequence cost in every step (sampling, detokenising, scheduler bookkeeping);
``gpu_layer_floor``
    fit the GPU/TPU per-layer latency floor (else 12 kernels x 3 us);
``sram_overhead``
    a fixed time per token on each SRAM, wafer or dataflow machine besides its per-layer floor;
``moe_all_to_all``
    expert-parallel dispatch and combine traffic over the scale-up links;
``prefill_attention``
    the prompt's quadratic attention FLOPs;
``replicas``
    a multi-chip system at maximum load runs data-parallel replicas of the fewest chips that
    hold the model (else one tensor-parallel replica over every chip);
``latency_limits``
    server and interactive rows use the largest batch within their per-token latency limit;
``stack_tier``
    open stacks run with common settings (``stack_tier == "open_default"`` rows) reach a fitted share of
    the tuned efficiencies and spend a fitted extra host time per step (GPUs and TPUs);
``spec_draft``
    speculative rows emit :func:`analysis.throughput.spec_tokens_per_step` tokens per step from the published
    acceptance rate and draft length, verify draft + 1 tokens and pay the draft passes (else an assumed
    ``SPEC_TOKENS_ASSUMED`` tokens per step, no draft cost);
``software_date``
    every prediction is scaled by the software-over-time rate to the row's date, relative to
    :data:`REFERENCE_YEAR` (``analysis.throughput.SOFTWARE_FACTOR_PER_YEAR``: the within-configuration rate of
    :func:`analysis.throughput_time.software_rate` on every edition of the shipped tables; not refitted per fold).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from analysis import paths
from analysis import throughput as tp
from analysis import throughput_time

#: Every candidate term; :data:`SELECTED` are those that lower the cross-validated error (see the ablation in 03).
TERMS = ("memory_efficiency", "fp4_factor", "moe_factor", "prefill_factor", "attention_factor", "overlap", "batch_cap", "step_overhead",
         "sequence_overhead", "gpu_layer_floor", "sram_overhead", "moe_all_to_all", "prefill_attention", "replicas",
         "latency_limits", "stack_tier", "spec_draft", "software_date")
#: Partial memory/compute overlap and a per-sequence step cost raised the cross-validated error (notebook 03's
#: ablation), so the model leaves them out; :func:`ablation` reports adding each back.
SELECTED = tuple(t for t in TERMS if t not in ("overlap", "sequence_overhead"))

#: Fitted GPU/TPU parameters: (term that frees it, lower bound, upper bound, value when the term is off,
#: starting value of the fit).
FREE = {
    "compute_efficiency": (None, 0.05, 1.0, None, 0.5),
    "memory_efficiency": ("memory_efficiency", 0.3, 1.0, 0.80, 0.8),
    "fp4_compute_factor": ("fp4_factor", 0.2, 1.0, 1.0, 0.8),
    "moe_compute_factor": ("moe_factor", 0.2, 1.5, 1.0, 0.8),
    "prefill_compute_factor": ("prefill_factor", 0.2, 2.0, 1.0, 1.0),
    "attention_compute_factor": ("attention_factor", 0.05, 1.0, 1.0, 0.5),
    "overlap": ("overlap", 0.0, 1.0, 0.0, 0.2),
    "log_max_batch": ("batch_cap", np.log(16.0), np.log(4096.0), np.log(4096.0), np.log(512.0)),
    "step_overhead_ms": ("step_overhead", 0.0, 30.0, 0.0, 1.0),
    "sequence_overhead_us": ("sequence_overhead", 0.0, 200.0, 0.0, 5.0),
    "gpu_layer_latency_us": ("gpu_layer_floor", 2.0, 200.0, 1e6 * tp.KERNEL_FLOOR_S, 36.0),
    "open_efficiency_factor": ("stack_tier", 0.05, 1.0, 1.0, 0.6),
    "open_step_overhead_ms": ("stack_tier", 0.0, 100.0, 0.0, 5.0),
}
#: Weigh each GPU row's residual by 1 / sqrt(rows of its source family) in the least-squares fit (squared residuals:
#: a family's total weight grows as the square root of its rows).
FAMILY_WEIGHTS = True
#: The date the software-over-time term scales to (predictions at other dates move by the fitted rate).
REFERENCE_YEAR = 2025.5
GPU_KINDS = ("gpu", "tpu")
KERNEL_FLOOR_S = tp.KERNEL_FLOOR_S   # the unfitted GPU per-layer floor
SRAM_KINDS = ("sram", "wafer", "dataflow")
SPEC_TOKENS_ASSUMED = 2.0     # accepted tokens per step where a row used speculative decoding: an assumption
DEFAULT_INPUT_TOKENS = tp.DEFAULT_INPUT_TOKENS
DEFAULT_OUTPUT_TOKENS = tp.DEFAULT_OUTPUT_TOKENS


def hardware_class(kind: str) -> str:
    """``gpu`` (GPUs and TPUs), ``sram`` (SRAM, wafer and dataflow machines) or ``edge``."""
    return "gpu" if kind in GPU_KINDS else "sram" if kind in SRAM_KINDS else "edge"


# --------------------------------------------------------------------------------------
# Rows -> arrays
# --------------------------------------------------------------------------------------

def prepare(measurements: pd.DataFrame, default_input_tokens: float = DEFAULT_INPUT_TOKENS,
            default_output_tokens: float = DEFAULT_OUTPUT_TOKENS, newest_only: bool = True) -> pd.DataFrame:
    """Add what the fits need to each measured row.

    With ``newest_only`` (the default) a row that its own source family published again later for the same
    configuration is left out (:func:`analysis.throughput_time.superseded`): the newest statement stands for
    fits and validation, while the older editions measure software over time
    (:func:`analysis.throughput_time.software_rate`).

    Adds ``target`` (the measured quantity the model predicts: system output tokens/s, or
    per-user output tokens/s), ``load`` (``throughput`` or ``per_user``), lengths with
    defaults filled (``s_in``, ``s_out``), ``hw_kind``, ``hw_class``, ``moe`` and
    ``n_chips_used`` (the stated chips, else :func:`analysis.throughput.deployment_chips`: a GPU node,
    a SambaNova rack, the fewest SRAM or wafer chips that hold the model).
    """
    hw = tp.hardware_table()
    models = tp.model_table()
    out = measurements.copy().reset_index(drop=True)
    if newest_only and "measured" in out and "source_family" in out:
        out = out[~throughput_time.superseded(out)].reset_index(drop=True)
    out["s_in"] = out["input_tokens"].fillna(default_input_tokens).astype(float)
    out["s_out"] = out["output_tokens"].fillna(default_output_tokens).astype(float)
    basis = out["throughput_basis"]
    out["load"] = np.where(basis == "per_user", "per_user", "throughput")
    value = out["output_tokens_per_s"].astype(float)
    value = np.where(out["tokens_counted"] == "input_and_output", value * out["s_out"] / (out["s_in"] + out["s_out"]),
                     value)
    out["hw_kind"] = out["hardware"].map(hw["kind"])
    out["hw_class"] = out["hw_kind"].map(hardware_class)
    out["moe"] = out["model"].map(models["experts"].fillna(0) > 1)
    chips = []
    for row in out.itertuples(index=False):
        if pd.notna(row.n_chips):
            chips.append(int(row.n_chips))
        else:
            chips.append(tp.deployment_chips(row.model, row.hardware, row.precision, row.s_in + row.s_out))
    out["n_chips_used"] = chips
    out["target"] = np.where(basis == "per_chip", value * out["n_chips_used"], value)
    return out


class _Arrays:
    """Per-row model and hardware numbers stacked into arrays (built once per prepared table)."""

    def __init__(self, rows: pd.DataFrame):
        hw = tp.hardware_table()
        models = tp.model_table()
        mspecs = {m: tp.model_specs(models.loc[m]) for m in rows["model"].unique()}
        hspecs = {(h, p): tp.hardware_specs(hw.loc[h], p) for h, p in rows[["hardware", "precision"]].drop_duplicates()
                  .itertuples(index=False)}
        self.ms = {k: np.array([mspecs[m][k] for m in rows["model"]]) for k in next(iter(mspecs.values()))}
        keys = list(zip(rows["hardware"], rows["precision"]))
        self.hs = {k: np.array([hspecs[key][k] for key in keys]) for k in next(iter(hspecs.values()))}
        self.n = rows["n_chips_used"].to_numpy(float)
        self.s_in = rows["s_in"].to_numpy(float)
        self.s_out = rows["s_out"].to_numpy(float)
        self.per_user = (rows["load"] == "per_user").to_numpy()
        self.scenario = rows["scenario"].to_numpy()
        self.concurrency = rows["concurrency"].to_numpy(float)
        self.tpot = rows["tpot_limit_ms"].to_numpy(float) / 1e3 if "tpot_limit_ms" in rows else np.full(len(rows), np.nan)
        self.spec = rows["speculative"].to_numpy(bool)
        tier = rows["stack_tier"] if "stack_tier" in rows else pd.Series("tuned", index=rows.index)
        self.open = (tier == "open_default").to_numpy()
        self.replica = (rows["replica_chips"].to_numpy(float) if "replica_chips" in rows
                        else np.full(len(rows), np.nan))
        self.year = (throughput_time.decimal_year(rows["measured"]) if "measured" in rows
                     else np.full(len(rows), np.nan))
        self.kind = rows["hw_kind"].to_numpy()
        self.hardware = rows["hardware"].to_numpy()
        self.precision = rows["precision"].to_numpy()
        self.target = rows["target"].to_numpy(float)
        # fewest chips that hold the model, a power of two on GPUs/TPUs (the tensor-parallel degree of a replica)
        fewest = {}
        for m, h, p in set(zip(rows["model"], rows["hardware"], rows["precision"])):
            fewest[(m, h, p)] = tp.min_chips(models.loc[m], hw.loc[h], p, 2048)
        self.fewest = np.array([fewest[k] for k in zip(rows["model"], rows["hardware"], rows["precision"])], float)

    def subset(self, mask: np.ndarray) -> "_Arrays":
        """The same arrays for the rows where ``mask`` is true."""
        out = object.__new__(_Arrays)
        for key, value in vars(self).items():
            out.__dict__[key] = {k: v[mask] for k, v in value.items()} if isinstance(value, dict) else value[mask]
        return out

    def tile(self, copies: int) -> "_Arrays":
        """The rows repeated ``copies`` times, one block after another (for evaluating several parameter sets in
        one vectorized call)."""
        out = object.__new__(_Arrays)
        for key, value in vars(self).items():
            out.__dict__[key] = ({k: np.tile(v, copies) for k, v in value.items()} if isinstance(value, dict)
                                 else np.tile(value, copies))
        return out

    def __len__(self) -> int:
        return len(self.target)


def _parameters(a: _Arrays, params: Mapping, terms: Iterable[str]) -> dict:
    """Per-row parameter arrays for the core, from a fitted parameter set."""
    terms = set(terms)
    p = dict(tp.DEFAULTS)
    for name, (term, _, _, off, _) in FREE.items():
        value = params.get(name, off) if (term is None or term in terms) else off
        if value is None:
            continue
        if name == "log_max_batch":
            p["max_batch"] = float(np.exp(value))
        elif name == "step_overhead_ms":
            p["step_overhead_s"] = value / 1e3
        elif name == "sequence_overhead_us":
            p["sequence_overhead_s"] = value / 1e6
        elif name == "gpu_layer_latency_us":
            p["gpu_layer_latency_s"] = value / 1e6
        else:
            p[name] = value
    p["prefill_attention"] = float("prefill_attention" in terms)
    p["moe_all_to_all"] = float("moe_all_to_all" in terms)
    p["amortize_prefill"] = 1.0
    eta_by_kind = {**tp.MEMORY_EFFICIENCY_BY_KIND, **params.get("memory_efficiency_by_kind", {})}
    p["eta_m"] = np.array([eta_by_kind.get(k, p["memory_efficiency"]) for k in a.kind])
    gpu_floor = p.pop("gpu_layer_latency_s", KERNEL_FLOOR_S)
    p["layer_latency_s"] = np.array([gpu_floor if k in GPU_KINDS else _floor(params, h, k)
                                     for h, k in zip(a.hardware, a.kind)])
    gpu = np.isin(a.kind, GPU_KINDS)
    # GPU/TPU-only parameters leave SRAM and edge machines alone
    p["sequence_overhead_s"] = np.where(gpu, p["sequence_overhead_s"], 0.0)
    sram = params.get("sram_step_overhead_s", {}) if "sram_overhead" in terms else {}
    fallback = float(np.median(list(sram.values()))) if sram else 0.0
    p["step_overhead_s"] = np.where(gpu, p["step_overhead_s"], [sram.get(h, fallback if k in SRAM_KINDS else 0.0)
                                                                 for h, k in zip(a.hardware, a.kind)])
    # serving-stack tier: open stacks on GPUs/TPUs reach a share of the tuned efficiencies, with extra host time
    open_gpu = a.open & gpu
    share = np.where(open_gpu, p["open_efficiency_factor"], 1.0)
    p["eta_m"] = p["eta_m"] * share
    p["compute_efficiency"] = p["compute_efficiency"] * share
    p["step_overhead_s"] = p["step_overhead_s"] + np.where(open_gpu, p.pop("open_step_overhead_ms", 0.0) / 1e3, 0.0)
    p.pop("open_step_overhead_s", None)
    if "spec_draft" in terms:
        acceptance = params.get("spec_acceptance", tp.SPEC_ACCEPTANCE)
        draft = params.get("spec_draft_tokens", tp.SPEC_DRAFT_TOKENS)
        p["spec_tokens_per_step"] = np.where(a.spec, tp.spec_tokens_per_step(acceptance, draft), 1.0)
        p["spec_draft_tokens"] = np.where(a.spec, float(draft), 0.0)
    else:
        p["spec_tokens_per_step"] = np.where(a.spec, params.get("spec_tokens_assumed", SPEC_TOKENS_ASSUMED), 1.0)
        p["spec_draft_tokens"] = np.zeros(len(a.kind))
    rate = params.get("software_log_rate_per_year", 0.0) if "software_date" in terms else 0.0
    p["software_factor"] = np.where(np.isfinite(a.year), np.exp(rate * (a.year - REFERENCE_YEAR)), 1.0)
    return p


def _floor(params: Mapping, hw_id: str, kind: str) -> float:
    """Per-layer floor of one chip: fitted by id; SRAM machines without rows of their own take the median of
    the fitted SRAM floors (never a value calibrated on their own rows elsewhere); other kinds their kind's."""
    fitted = params.get("layer_latency_s", {})
    if hw_id in fitted:
        return float(fitted[hw_id])
    if kind in SRAM_KINDS:
        fallback = params.get("sram_fallback_layer_latency_s")
        return float(tp.LAYER_LATENCY_S.get(hw_id, 0.0) if fallback is None else fallback)
    return float(tp.LAYER_LATENCY_S.get(kind, 0.0))


def _throughput_at(a: _Arrays, p: dict, n: np.ndarray, replicas: np.ndarray, terms: set) -> tuple:
    """(predicted target, fits) with ``replicas`` data-parallel copies of ``n`` chips each."""
    b_cap = tp._max_batch(a.ms, a.hs, n, a.s_in, a.s_out, p)
    concurrency = np.where(np.isfinite(a.concurrency), a.concurrency, 1.0) / replicas
    batch = np.where(a.scenario == "fixed_concurrency", np.minimum(np.maximum(concurrency, 1.0), np.maximum(b_cap, 1.0)),
                     np.where(a.per_user, np.maximum(concurrency, 1.0), b_cap))
    if "latency_limits" in terms:
        idx = np.flatnonzero(np.isfinite(a.tpot) & ~a.per_user)
        if len(idx):
            pick = lambda d: {k: (v[idx] if np.ndim(v) == 1 and len(v) == len(n) else v) for k, v in d.items()}
            batch = batch.copy()
            batch[idx] = tp._batch_under_latency(pick(a.ms), pick(a.hs), n[idx], a.s_in[idx], a.s_out[idx], pick(p),
                                                 batch[idx], a.tpot[idx])
    t_step, *_ = tp._step(a.ms, a.hs, n, batch, a.s_in, a.s_out, p, with_bound=False)
    per_user = p["spec_tokens_per_step"] / t_step
    fits = (b_cap >= 1) & (~a.per_user | (b_cap >= np.maximum(concurrency, 1.0)))
    value = np.where(a.per_user, per_user, per_user * np.maximum(batch, 1.0) * replicas)
    return value, fits


def predict_arrays(a: _Arrays, params: Mapping, terms: Iterable[str] = SELECTED) -> np.ndarray:
    """Predicted target for every row (NaN where the model does not fit in the chips).

    With the ``replicas`` term, a GPU/TPU system at maximum load (max_load, server,
    interactive rows) is split into the data-parallel replicas that give it the most
    throughput (replica sizes: powers of two from the fewest chips that hold the model up
    to the whole system), as a serving operator would choose.
    """
    terms = set(terms)
    return _predict_with(a, _parameters(a, params, terms), terms)


def predict_stacked(a: _Arrays, param_sets: list, terms: Iterable[str] = SELECTED,
                    tiled: _Arrays | None = None) -> np.ndarray:
    """Predicted target for every row under each of several parameter sets, in one vectorized evaluation.

    Equal, element for element, to calling :func:`predict_arrays` once per set; it exists because the fit's
    finite-difference Jacobian needs one prediction per free parameter, and one call over the stacked rows
    costs little more than one call over the rows (the work is many small array operations).

    Returns
    -------
    ndarray, shape (len(param_sets), len(a))
    """
    terms = set(terms)
    k = len(param_sets)
    tiled = tiled if tiled is not None else a.tile(k)
    per_set = [_parameters(a, params, terms) for params in param_sets]
    n = len(a)
    stacked = {key: np.concatenate([np.broadcast_to(np.asarray(p[key], dtype=float), (n,)) for p in per_set])
               for key in per_set[0]}
    return _predict_with(tiled, stacked, terms).reshape(k, n)


def _predict_with(a: _Arrays, p: dict, terms: set) -> np.ndarray:
    best, best_fits = _throughput_at(a, p, a.n, np.ones_like(a.n), terms)
    best = np.where(best_fits, best, -np.inf)
    if "replicas" in terms:
        # rows whose source states the replica (the tensor/expert-parallel group) keep it
        choose = ~a.per_user & np.isin(a.kind, GPU_KINDS) & (a.scenario != "fixed_concurrency") & ~np.isfinite(a.replica)
        size = np.maximum(a.fewest, 1.0)
        while choose.any():
            size_ok = choose & (size < a.n)
            if not size_ok.any():
                break
            # only the rows that can be split this way are evaluated (the rest keep their best)
            rows = np.flatnonzero(size_ok)
            sub = a.subset(rows)
            p_sub = {k: (v[rows] if np.ndim(v) == 1 and len(v) == len(a.n) else v) for k, v in p.items()}
            value, fits = _throughput_at(sub, p_sub, size[rows], np.floor(a.n[rows] / size[rows]), terms)
            best[rows] = np.where(fits & (value > best[rows]), value, best[rows])
            size = size * 2.0
    return np.where(np.isfinite(best), best * p["software_factor"], np.nan)


# --------------------------------------------------------------------------------------
# Fitting
# --------------------------------------------------------------------------------------

def _log_errors(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    return np.log(pred / target)


def fit(rows: pd.DataFrame, terms: Iterable[str] = SELECTED, arrays: _Arrays | None = None) -> dict:
    """Fit the model's free parameters to prepared rows (see :func:`prepare`).

    GPU/TPU parameters (:data:`FREE`, those whose term is on) are fitted together by
    robust least squares (soft-L1 loss on log errors) on the GPU/TPU rows; then each SRAM,
    wafer or dataflow chip's per-layer latency floor on its own rows, and the edge memory
    efficiency on the edge rows (1-D searches on median |log error|). Deterministic; called
    without ``arrays`` it is read from the on-disk cache when the same rows were fitted before.

    Returns
    -------
    dict
        Parameter values (``compute_efficiency``, ``memory_efficiency``, ...,
        ``layer_latency_s`` by hardware id, ``memory_efficiency_by_kind``,
        ``sram_fallback_layer_latency_s`` for chips without rows of their own).
    """
    terms = tuple(terms)
    if arrays is None:   # a call from outside the fitting loops: read from the on-disk cache when it can be
        return _cached("fit", _fit, rows, terms)
    return _fit(rows, terms, arrays)


def _fit(rows: pd.DataFrame, terms: tuple, arrays: _Arrays | None = None) -> dict:
    from scipy.optimize import least_squares

    a = arrays or _Arrays(rows)
    names = [n for n, (term, *_r) in FREE.items() if term is None or term in terms]
    x0 = np.array([FREE[n][4] for n in names])
    lower = np.array([FREE[n][1] for n in names])
    upper = np.array([FREE[n][2] for n in names])
    gpu = np.isin(a.kind, GPU_KINDS)
    base = {"layer_latency_s": {}, "memory_efficiency_by_kind": {}}
    if "software_date" in terms:
        # the rate is measured on every edition of the shipped tables (older editions are not in the prepared
        # rows: the newest statement stands), see analysis.throughput_time.software_rate
        base["software_log_rate_per_year"] = float(np.log(tp.SOFTWARE_FACTOR_PER_YEAR))

    a_gpu = a.subset(gpu)
    tiled = a_gpu.tile(len(names) + 1)
    # each source family weighs ~ sqrt(its rows): a family that publishes one sweep as 75 rows does not outvote
    # ten families with a table each (weights scale the residuals, mean weight 1)
    family = rows["source_family"].to_numpy()[gpu] if "source_family" in rows else np.zeros(int(gpu.sum()))
    counts = pd.Series(family).map(pd.Series(family).value_counts()).to_numpy(float)
    weight = np.sqrt(1.0 / np.sqrt(counts)) if FAMILY_WEIGHTS else np.ones(len(counts))
    weight = weight / weight.mean() if len(weight) else weight

    def residuals_of(xs):
        pred = predict_stacked(a_gpu, [{**base, **dict(zip(names, x))} for x in xs], terms,
                               tiled=tiled if len(xs) == len(names) + 1 else None)
        r = _log_errors(pred, a_gpu.target) * weight
        return np.where(np.isfinite(r), r, 0.0)

    def residuals(x):
        return residuals_of([x])[0]

    def jacobian(x):
        # forward differences with scipy's default steps and bound handling ('2-point'), every perturbed
        # parameter set evaluated in one stacked call
        h = _forward_steps(x, lower, upper)
        xs = [x] + [x + np.eye(len(x))[i] * h[i] for i in range(len(x))]
        r = residuals_of(xs)
        dx = np.array([xs[i + 1][i] - x[i] for i in range(len(x))])
        return ((r[1:] - r[0]) / dx[:, None]).T

    params = dict(base)
    if gpu.any():
        solution = least_squares(residuals, x0, jac=jacobian, bounds=(lower, upper), loss="soft_l1", f_scale=0.1,
                                 x_scale="jac", max_nfev=400)
        params.update(dict(zip(names, (float(v) for v in solution.x))))

    edge = a.kind == "edge"
    if edge.any():
        a_edge = a.subset(edge)

        def median_abs(trial):
            r = _log_errors(predict_arrays(a_edge, trial, terms), a_edge.target)
            r = r[np.isfinite(r)]
            return float(np.median(np.abs(r))) if len(r) else np.inf

        grid = np.round(np.arange(0.30, 0.9501, 0.01), 2)
        scores = [median_abs({**params, "memory_efficiency_by_kind": {"edge": g}}) for g in grid]
        params["memory_efficiency_by_kind"] = {"edge": float(grid[int(np.argmin(scores))])}
    floors, overheads = {}, {}
    grid_t = np.arange(1, 121) * 1e-6
    grid_o = np.arange(0, 41) * 2.5e-5 if "sram_overhead" in terms else np.zeros(1)
    for hw_id in sorted(set(a.hardware[np.isin(a.kind, SRAM_KINDS) & a.per_user])):
        # per-user rows: step = max(core, layers x floor) + comms + overhead, so one evaluation without the floor
        # and the overhead gives every grid point at once
        sub = a.subset((a.hardware == hw_id) & a.per_user)
        p0 = _parameters(sub, {**params, "layer_latency_s": {hw_id: 0.0}, "sram_step_overhead_s": {hw_id: 0.0}}, terms)
        batch = np.maximum(np.where(np.isfinite(sub.concurrency), sub.concurrency, 1.0), 1.0)
        t0, _, _, comm = tp._step(sub.ms, sub.hs, sub.n, batch, sub.s_in, sub.s_out, p0, with_bound=False)
        core = t0 - comm
        fits = tp._max_batch(sub.ms, sub.hs, sub.n, sub.s_in, sub.s_out, p0) >= batch
        if not fits.any():
            continue
        step = (np.maximum(core, sub.ms["layers"] * grid_t[:, None, None]) + comm + grid_o[None, :, None])[..., fits]
        err = np.abs(np.log(p0["spec_tokens_per_step"][fits] / step / sub.target[fits]))
        score = np.median(err, axis=-1)
        i, j = np.unravel_index(int(np.argmin(score)), score.shape)
        floors[hw_id] = float(np.round(grid_t[i], 7))
        overheads[hw_id] = float(np.round(grid_o[j], 7))
    params["sram_step_overhead_s"] = overheads
    params["layer_latency_s"] = floors
    if floors:
        params["sram_fallback_layer_latency_s"] = float(np.median(list(floors.values())))
    return params


def _forward_steps(x: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Forward-difference steps as scipy's ``approx_derivative`` takes them for ``'2-point'`` within bounds:
    sqrt(machine epsilon) x max(1, |x|), turned round (or shortened) where a step would leave the bounds."""
    sign = (x >= 0).astype(float) * 2 - 1
    h = np.finfo(float).eps ** 0.5 * sign * np.maximum(1.0, np.abs(x))
    lower_dist, upper_dist = x - lower, upper - x
    violated = (x + h < lower) | (x + h > upper)
    fitting = np.abs(h) <= np.maximum(lower_dist, upper_dist)
    h = np.where(violated & fitting, -h, h)
    h = np.where(~fitting & (upper_dist >= lower_dist), upper_dist, h)
    return np.where(~fitting & (upper_dist < lower_dist), -lower_dist, h)


def defaults_from(params: Mapping) -> dict:
    """Fitted parameters as keyword arguments of :func:`analysis.throughput.predict`."""
    out = {k: params[k] for k in ("compute_efficiency", "memory_efficiency", "fp4_compute_factor",
                                  "moe_compute_factor", "prefill_compute_factor", "attention_compute_factor", "overlap")
           if k in params}
    if "log_max_batch" in params:
        out["max_batch"] = float(np.exp(params["log_max_batch"]))
    if "step_overhead_ms" in params:
        out["step_overhead_s"] = params["step_overhead_ms"] / 1e3
    if "sequence_overhead_us" in params:
        out["sequence_overhead_s"] = params["sequence_overhead_us"] / 1e6
    if "open_efficiency_factor" in params:
        out["open_efficiency_factor"] = params["open_efficiency_factor"]
    if "open_step_overhead_ms" in params:
        out["open_step_overhead_s"] = params["open_step_overhead_ms"] / 1e3
    return out


def parameters_from_defaults(layer_latency_table: Mapping | None = None, spec_tokens_assumed: float = SPEC_TOKENS_ASSUMED,
                             **efficiencies) -> dict:
    """The module defaults of :mod:`analysis.throughput` (optionally overridden) as a fitted-parameter set."""
    d = {**tp.DEFAULTS, **efficiencies}
    table = {**tp.LAYER_LATENCY_S, **(layer_latency_table or {})}
    return {
        "compute_efficiency": d["compute_efficiency"], "memory_efficiency": d["memory_efficiency"],
        "fp4_compute_factor": d["fp4_compute_factor"], "moe_compute_factor": d["moe_compute_factor"],
        "prefill_compute_factor": d["prefill_compute_factor"],
        "attention_compute_factor": d["attention_compute_factor"], "overlap": d["overlap"],
        "log_max_batch": float(np.log(d["max_batch"])), "step_overhead_ms": d["step_overhead_s"] * 1e3,
        "sequence_overhead_us": d["sequence_overhead_s"] * 1e6,
        "gpu_layer_latency_us": table.get("gpu", KERNEL_FLOOR_S) * 1e6,
        "layer_latency_s": {k: v for k, v in table.items() if k not in ("gpu", "tpu", "edge")},
        "sram_step_overhead_s": dict(tp.STEP_OVERHEAD_S),
        "memory_efficiency_by_kind": {"edge": efficiencies.get("edge_memory_efficiency",
                                                               tp.MEMORY_EFFICIENCY_BY_KIND["edge"])},
        "spec_tokens_assumed": spec_tokens_assumed,
        "open_efficiency_factor": d["open_efficiency_factor"], "open_step_overhead_ms": d["open_step_overhead_s"] * 1e3,
        "software_log_rate_per_year": float(np.log(tp.SOFTWARE_FACTOR_PER_YEAR)),
    }


# --------------------------------------------------------------------------------------
# Cross-validation
# --------------------------------------------------------------------------------------

def _cached(name: str, func, *args):
    """``func(*args)`` through the on-disk cache (:mod:`analysis.cache`), keyed by this module's and the physics
    module's source, the hardware and model tables, and the arguments' content."""
    import sys

    from analysis import cache

    return cache.cached(name, func, *args, code=(tp, throughput_time, sys.modules[__name__]), data=_TABLES)


#: Data files read inside the fits (besides the measurement rows passed in): the chips' and the models' specs.
_TABLES = ("hardware.csv", "models.csv")


def in_sample(rows: pd.DataFrame, terms: Iterable[str] = SELECTED) -> pd.DataFrame:
    """Rows with ``predicted`` and ``error`` (predicted / measured - 1) from one fit on every row.

    Cached on disk by content (:mod:`analysis.cache`): the same rows, terms, code and tables are fitted once.
    """
    return _cached("in_sample", _in_sample, rows, tuple(terms))


def _in_sample(rows: pd.DataFrame, terms: tuple) -> pd.DataFrame:
    a = _Arrays(rows)
    params = fit(rows, terms, a)
    out = rows.copy()
    out["predicted"] = predict_arrays(a, params, terms)
    out["error"] = out["predicted"] / out["target"] - 1.0
    return out


def cross_validate(rows: pd.DataFrame, by: str = "source_family", terms: Iterable[str] = SELECTED) -> pd.DataFrame:
    """Out-of-fold predictions: hold out each value of ``by`` in turn, refit on the rest, predict it.

    Parameters
    ----------
    rows : DataFrame
        Prepared rows (:func:`prepare`).
    by : str
        Grouping column: ``source_family`` (leave-one-source-out) or ``hardware``
        (leave-one-hardware-out).
    terms : iterable of str
        Model terms switched on (:data:`TERMS`).

    Returns
    -------
    DataFrame
        The rows with ``predicted``, ``error`` (predicted / measured - 1) and ``fold``.

    Notes
    -----
    Cached on disk by content (:mod:`analysis.cache`). A fresh computation fits the folds in
    parallel over the machine's cores (``ANALYSIS_FIT_JOBS`` caps them; 1 runs them here).
    """
    return _cached("cross_validate", _cross_validate, rows, by, tuple(terms))


def fit_jobs() -> int:
    """Worker processes for fold fits: ``ANALYSIS_FIT_JOBS``, else the cores; 1 inside a daemonic process."""
    import multiprocessing
    import os

    if multiprocessing.current_process().daemon:
        return 1
    value = os.environ.get("ANALYSIS_FIT_JOBS")
    return max(1, int(value)) if value and value.strip().isdigit() else (os.cpu_count() or 1)


def _fold_predictions(rows: pd.DataFrame, held: np.ndarray, terms: tuple) -> np.ndarray:
    """Fit on the rows not held out; predict the held-out rows."""
    a_all = _Arrays(rows)
    params = fit(rows[~held], terms, a_all.subset(~held))
    return predict_arrays(a_all.subset(held), params, terms)


def _cross_validate(rows: pd.DataFrame, by: str, terms: tuple) -> pd.DataFrame:
    masks = [(rows[by] == group).to_numpy() for group in sorted(rows[by].unique())]
    jobs = min(fit_jobs(), len(masks))
    if jobs > 1:
        from joblib import Parallel, delayed

        parts = Parallel(n_jobs=jobs)(delayed(_fold_predictions)(rows, held, terms) for held in masks)
    else:
        parts = [_fold_predictions(rows, held, terms) for held in masks]
    predicted = np.full(len(rows), np.nan)
    for held, part in zip(masks, parts):
        predicted[held] = part
    out = rows.copy()
    out["predicted"] = predicted
    out["error"] = out["predicted"] / out["target"] - 1.0
    out["fold"] = by
    return out


def summarize(predictions: pd.DataFrame) -> dict:
    """Median |error| and median signed error, for throughput rows and per-user rows."""
    out = {}
    for load in ("throughput", "per_user"):
        err = predictions.loc[predictions["load"] == load, "error"].dropna()
        out[f"median_abs_error_{load}"] = float(err.abs().median()) if len(err) else float("nan")
        out[f"median_signed_error_{load}"] = float(err.median()) if len(err) else float("nan")
        out[f"n_{load}"] = int(len(err))
    out["n_not_predicted"] = int(predictions["predicted"].isna().sum())
    return out


def error_table(predictions: pd.DataFrame, by: str | list) -> pd.DataFrame:
    """Median |error|, median signed error and row count per group (rows without a prediction left out)."""
    ok = predictions.dropna(subset=["error"])
    grouped = ok.groupby(by)["error"]
    return pd.DataFrame({"n": grouped.size(), "median_abs_error": grouped.apply(lambda e: e.abs().median()),
                         "median_signed_error": grouped.median()}).reset_index()


def ablation(rows: pd.DataFrame, by: str = "source_family", terms: Iterable[str] = SELECTED,
             candidates: Iterable[str] = TERMS) -> pd.DataFrame:
    """Cross-validated error of the model with ``terms``, then without each of them and with each other
    candidate added back, every variant refitted in every fold.

    Returns
    -------
    DataFrame
        ``model`` ("selected terms", "without X", "with X"), ``change`` (the term switched),
        ``cv_median_abs_error_throughput``, ``cv_median_abs_error_per_user``,
        ``cv_median_signed_error_throughput``.
    """
    terms = tuple(terms)
    variants = [("selected terms", None, terms)]
    variants += [(f"without {t}", t, tuple(x for x in terms if x != t)) for t in terms]
    variants += [(f"with {t}", t, terms + (t,)) for t in candidates if t not in terms]
    records = []
    for name, change, use in _progress(variants, "ablation: cross-validations"):
        s = summarize(cross_validate(rows, by, use))
        records.append({"model": name, "change": change,
                        "cv_median_abs_error_throughput": s["median_abs_error_throughput"],
                        "cv_median_abs_error_per_user": s["median_abs_error_per_user"],
                        "cv_median_signed_error_throughput": s["median_signed_error_throughput"]})
    return pd.DataFrame(records)


def temporal_split(rows: pd.DataFrame, cutoff: str, terms: Iterable[str] | None = None) -> pd.DataFrame:
    """Fit on the prepared ``rows`` measured before ``cutoff`` (``YYYY-MM``), predict those from it on.

    Rows dated only to a year that contains the cutoff count as after it (they may be). Returns the
    rows measured from the cutoff on with ``predicted``, ``error`` and ``fold`` (``"temporal"``).
    """
    terms = tuple(SELECTED if terms is None else terms)
    start = float(throughput_time.decimal_year([cutoff])[0]) - 0.5 / 12.0     # the first day of the cutoff month
    year = throughput_time.decimal_year(rows["measured"])
    coarse = (rows["measured"].astype(str).str.len() == 4).to_numpy()
    after = np.where(coarse, np.floor(year) >= np.floor(start), year >= start) & np.isfinite(year)
    before = np.isfinite(year) & ~after
    a_all = _Arrays(rows)
    params = fit(rows[before], terms, a_all.subset(np.asarray(before)))
    predicted = predict_arrays(a_all, params, terms)
    out = rows[np.asarray(after)].copy()
    out["predicted"] = predicted[np.asarray(after)]
    out["error"] = out["predicted"] / out["target"] - 1.0
    out["fold"] = "temporal"
    return out


# --------------------------------------------------------------------------------------
# Predictions with the shipped defaults
# --------------------------------------------------------------------------------------

def predict_measurements(measurements: pd.DataFrame, default_input_tokens: float = DEFAULT_INPUT_TOKENS,
                         default_output_tokens: float = DEFAULT_OUTPUT_TOKENS, spec_tokens_assumed: float = 2.0,
                         layer_latency_table: Mapping | None = None, **efficiencies) -> pd.DataFrame:
    """Predict every measured row under its own conditions with the current defaults (no fitting).

    Each row is predicted as this module does (lengths, chips, load,
    latency limit and basis of the row); ``efficiencies`` override :data:`analysis.throughput.DEFAULTS`,
    ``layer_latency_table`` the per-layer floors by hardware id or kind. Adds ``target``
    (what was measured, as system output tokens/s or per-user tokens/s), ``predicted``
    and ``error`` (predicted / target - 1). Errors here are in-sample for the shipped
    rows: see :func:`analysis.cross_validate` for out-of-sample ones.
    """
    rows = prepare(measurements, default_input_tokens, default_output_tokens)
    params = parameters_from_defaults(layer_latency_table, spec_tokens_assumed=spec_tokens_assumed,
                                                    **efficiencies)
    rows["predicted"] = predict_arrays(_Arrays(rows), params)
    rows["error"] = rows["predicted"] / rows["target"] - 1.0
    return rows


def error_summary(predictions: pd.DataFrame) -> dict:
    """Median absolute and signed relative error for throughput rows and per-user rows."""
    return summarize(predictions)


def calibrate(measurements: pd.DataFrame, **kwargs) -> dict:
    """Fit the model's parameters to measured rows (see :func:`analysis.fit`).

    Returns
    -------
    dict
        ``compute_efficiency``, ``memory_efficiency``, ``fp4_compute_factor``, ... as keyword
        arguments of :func:`analysis.throughput.predict`, plus ``edge_memory_efficiency``, ``gpu_layer_latency_s``,
        ``layer_latency_s`` and ``step_overhead_s_by_hardware`` (SRAM, wafer and dataflow
        machines, by id).
    """
    params = fit(prepare(measurements, **kwargs))
    out = defaults_from(params)
    out["edge_memory_efficiency"] = params.get("memory_efficiency_by_kind", {}).get("edge")
    out["gpu_layer_latency_s"] = params.get("gpu_layer_latency_us", 1e6 * tp.KERNEL_FLOOR_S) / 1e6
    out["layer_latency_s"] = dict(params.get("layer_latency_s", {}))
    out["step_overhead_s_by_hardware"] = dict(params.get("sram_step_overhead_s", {}))
    return out


# --------------------------------------------------------------------------------------
# Intervals
# --------------------------------------------------------------------------------------

def _progress(items: list, label: str):
    """``items`` with a progress bar in an interactive kernel or terminal (none in headless report runs)."""
    import os
    import sys

    if os.environ.get("ANALYSIS_HEADLESS") or not (hasattr(sys.stdout, "isatty") and (sys.stdout.isatty()
                                                                                      or "ipykernel" in sys.modules)):
        return items
    from tqdm.auto import tqdm

    return tqdm(items, desc=label, leave=False)


@lru_cache(maxsize=4)
def _shipped_cv(data_dir: str, measurements_sha256: str) -> pd.DataFrame:
    from analysis import data

    rows = prepare(data.load_throughput_measurements())
    return cross_validate(rows, "source_family")


def shipped_cross_validation() -> pd.DataFrame:
    """Leave-one-source-out predictions of the measurements in the data folder (read from the cache when the
    same content was cross-validated before; what :func:`error_factors` and :func:`interval_factors` use)."""
    from analysis import cache

    folder = paths.data_dir()
    return _shipped_cv(str(folder), cache.file_sha256(folder / "throughput_measurements.csv")
                       + cache.data_key(_TABLES))


def error_factors(kind: str, load: str, predictions: pd.DataFrame | None = None) -> np.ndarray:
    """Measured / predicted on the rows of the same hardware class and load that the model was not fitted on.

    From the leave-one-source-out predictions of the shipped measurements (or ``predictions``);
    a group with fewer than 5 rows uses every row of that load. Multiplying a prediction by a
    resampled factor draws from the model's own out-of-sample error (notebooks 04 and 05).
    """
    cv = predictions if predictions is not None else shipped_cross_validation()
    ok = cv.dropna(subset=["error"])
    pool = ok[ok["load"] == load]
    group = pool[pool["hw_class"] == hardware_class(kind)]
    errors = (group if len(group) >= 5 else pool)["error"].to_numpy(dtype=float)
    return 1.0 / (1.0 + errors)


def interval_factors(kind: str, load: str, level: float = 0.8, predictions: pd.DataFrame | None = None) -> tuple:
    """Multipliers (low, high) that turn a prediction into a ``level`` prediction interval.

    From the leave-one-source-out residuals of the shipped measurements (or of
    ``predictions``) of the same hardware class (:func:`hardware_class` of ``kind``) and
    ``load`` (``throughput`` or ``per_user``); groups with fewer than 5 rows use every row
    of that load. The truth is ``predicted / (1 + error)``, so the bounds come from the
    error quantiles turned round.
    """
    if not 0 < level < 1:
        raise ValueError(f"interval must be a level in (0, 1); got {level!r}")
    factors = error_factors(kind, load, predictions)
    if len(factors) == 0:
        return float("nan"), float("nan")
    low, high = np.quantile(factors, [(1 - level) / 2, 1 - (1 - level) / 2])
    return float(low), float(high)


# --------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------

def plot_errors_by_group(tables: Mapping[str, pd.DataFrame], group: str, title: str, goal: float | None = None):
    """Median |error| per group for several validations side by side (e.g. in-sample, by source, by hardware).

    ``tables`` maps a label to an :func:`error_table` over ``group``; markers show the
    median signed error (over- or under-prediction), the dashed line the goal.
    """
    import matplotlib.pyplot as plt

    labels = sorted(set().union(*(set(t[group].astype(str)) for t in tables.values())))
    fig, ax = plt.subplots(figsize=(9, 0.35 * len(labels) + 1.8))
    height = 0.8 / len(tables)
    y = np.arange(len(labels))
    for i, (name, table) in enumerate(tables.items()):
        t = table.assign(key=table[group].astype(str)).set_index("key").reindex(labels)
        offset = (i - (len(tables) - 1) / 2) * height
        ax.barh(y + offset, t["median_abs_error"], height, color=f"C{i}", alpha=0.75, label=f"{name}: median |error|")
        ax.plot(t["median_signed_error"], y + offset, "k|", ms=8)
    ax.axvline(0, color="k", lw=0.8)
    if goal is not None:
        ax.axvline(goal, color="k", ls="--", lw=0.8)
        ax.axvline(-goal, color="k", ls="--", lw=0.8)
    ax.set_yticks(y)
    first = next(iter(tables.values()))
    counts = first.assign(key=first[group].astype(str)).set_index("key")["n"].reindex(labels).fillna(0).astype(int)
    ax.set_yticklabels([f"{label} (n={counts[label]})" for label in labels], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("relative error of the prediction (bars: median |error|; ticks: median signed error)")
    ax.set_title(title, fontsize=11)
    ax.legend(fontsize=8, loc="lower right")
    return fig


def plot_out_of_fold(predictions: pd.DataFrame, band: float = 0.25, label_worst: int = 8, kind: str = "out of fold"):
    """Measured against predicted, log-log, by hardware class and load; the worst rows labelled.

    ``kind`` names how the predictions were made ("out of fold" for :func:`cross_validate`,
    "in-sample" for a fit on every row) and goes into the axis label.
    """
    import matplotlib.pyplot as plt

    ok = predictions.dropna(subset=["predicted"])
    fig, axes = plt.subplots(1, 2, figsize=(12, 5.5))
    markers = {"gpu": "o", "sram": "^", "edge": "s"}
    for ax, load in zip(axes, ("throughput", "per_user")):
        rows = ok[ok["load"] == load]
        for j, (cls, part) in enumerate(rows.groupby("hw_class")):
            ax.scatter(part["target"], part["predicted"], marker=markers.get(cls, "o"), s=22, alpha=0.7,
                       color=f"C{j}", label=f"{cls} ({len(part)})")
        worst = rows.assign(ae=rows["error"].abs()).nlargest(label_worst, "ae")
        for row in worst.itertuples():
            ax.annotate(row.id, (row.target, row.predicted), fontsize=6, xytext=(3, 2), textcoords="offset points")
        if rows.empty:
            continue
        lo = min(rows["target"].min(), rows["predicted"].min()) / 1.5
        hi = max(rows["target"].max(), rows["predicted"].max()) * 1.5
        x = np.array([lo, hi])
        ax.plot(x, x, "k-", lw=1)
        ax.fill_between(x, x * (1 - band), x * (1 + band), color="0.5", alpha=0.15, label=f"±{band:.0%}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("measured output tokens/s" + (" per user" if load == "per_user" else " (system)"))
        ax.set_ylabel(f"predicted, {kind}")
        ax.set_title("maximum load and fixed concurrency" if load == "throughput" else "per-user speed", fontsize=11)
        ax.legend(fontsize=8)
    return fig


#: :func:`analysis.throughput.predict` takes its intervals from here (the physics never imports this module)
tp.set_interval_source(interval_factors)
