"""Training vs inference compute split: trend fit, bottom-up driver model, lifetime view.

Deloitte (TMT Predictions 2026) puts inference at about 1/3 of AI compute in 2023,
1/2 in 2025 and 2/3 in 2026, without publishing a model. In odds that is
0.5 -> 1 -> 2: the odds double over two years and then again in one, so a
logistic trend (log-odds linear in time) cannot pass through all three points.

The driver model here explains the acceleration with reasoning and agents:

    inference(t) = R0 * g_req**(t - t0) * f_tok**(t - t0) * M(t)
    training(t)  = T0 * g_train**(t - t0)
    M(t)         = 1 + r(t) * (m_reason - 1) + a(t) * (m_agent - 1)

with ``r(t)`` and ``a(t)`` the shares of requests that use reasoning and agents
(logistic adoption curves through two dated points, up to a ceiling). Growth rates
may decay after ``decay_start_year`` (the log growth rate shrinks by
``growth_decay_per_year`` each year) instead of holding 2024-25 rates to 2030. Compute
is in relative FLOP; the ratio ``R0 / T0`` is the single calibrated quantity,
set so the anchor year's share equals the anchor share (Deloitte's 2023 third).
Annual values are averages over the twelve months of each calendar year.

**What the share measures.** The model's share is a share of FLOP executed. A share of
accelerator time (and, at equal cost per accelerator-hour, of spend on compute in use)
weights each side by 1 / utilisation: :func:`flop_share_to_time_share` and
:func:`time_share_to_flop_share` convert between the two. A share of accelerators
bought in one year (capex) is a flow, a share of the installed fleet a stock; the
published spend and fleet figures are in ``data/compute_split_estimates.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import statsmodels.api as sm

__all__ = ["Drivers", "logistic_through", "driver_model", "fit_logit_trend", "LogitTrend", "sensitivity",
           "lifetime_inference_share", "drivers_from_table", "lifetime_from_table", "monte_carlo_shares",
           "band", "flop_share_to_time_share", "time_share_to_flop_share", "growth_factor"]


@dataclass(frozen=True)
class Drivers:
    """Parameters of the bottom-up split model (defaults: see ``data/compute_drivers.csv``).

    Attributes
    ----------
    anchor_year : int
        Calendar year whose inference share is fixed to ``anchor_share``.
    anchor_share : float
        Inference share of AI compute in the anchor year (calibration).
    training_growth_per_year : float
        Growth of training compute (Epoch AI: 4-5x per year).
    request_growth_per_year : float
        Growth of plain requests served.
    flop_per_token_change_per_year : float
        Change of compute per token of a plain request (1 = constant).
    reasoning_token_multiplier : float
        Tokens of a reasoning request relative to a plain one.
    reasoning_points : tuple of (year, share)
        Two dated shares of requests using reasoning (decimal years).
    reasoning_ceiling : float
        Long-run share of requests using reasoning.
    agent_token_multiplier : float
        Tokens of an agent request relative to a plain one.
    agent_points : tuple of (year, share)
        Two dated shares of requests made by agents.
    agent_ceiling : float
        Long-run share of requests made by agents.
    growth_decay_per_year : float
        Fraction by which every log growth rate (training, requests, compute per token)
        shrinks each year after ``decay_start_year``; 0 holds the rates constant.
    decay_start_year : float
        Decimal year from which growth rates decay.
    """

    anchor_year: int = 2023
    anchor_share: float = 1 / 3
    training_growth_per_year: float = 4.5
    request_growth_per_year: float = 4.8
    flop_per_token_change_per_year: float = 1.0
    reasoning_token_multiplier: float = 8.0
    reasoning_points: tuple = ((2024.7, 0.01), (2025.8, 0.18))
    reasoning_ceiling: float = 0.4
    agent_token_multiplier: float = 4.0
    agent_points: tuple = ((2025.0, 0.01), (2026.5, 0.10))
    agent_ceiling: float = 0.5
    growth_decay_per_year: float = 0.0
    decay_start_year: float = 2025.0

    def __post_init__(self):
        checks = {
            "anchor_share": 0 < self.anchor_share < 1,
            "training_growth_per_year": self.training_growth_per_year > 0,
            "request_growth_per_year": self.request_growth_per_year > 0,
            "flop_per_token_change_per_year": self.flop_per_token_change_per_year > 0,
            "reasoning_token_multiplier": self.reasoning_token_multiplier >= 1,
            "agent_token_multiplier": self.agent_token_multiplier >= 1,
            "reasoning_ceiling": 0 < self.reasoning_ceiling <= 1,
            "agent_ceiling": 0 < self.agent_ceiling <= 1,
            "growth_decay_per_year": 0 <= self.growth_decay_per_year < 1,
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            raise ValueError(f"invalid driver value(s): {', '.join(f'{n}={getattr(self, n)!r}' for n in bad)}")
        for name, ceiling in (("reasoning_points", self.reasoning_ceiling), ("agent_points", self.agent_ceiling)):
            points = getattr(self, name)
            if len(points) != 2 or not all(0 < s < ceiling for _, s in points) or points[0][0] >= points[1][0]:
                raise ValueError(f"{name} must be two (year, share) points in time order with 0 < share < ceiling "
                                 f"({ceiling}), got {points!r}")


def logistic_through(points, ceiling: float):
    """Logistic adoption curve ``ceiling / (1 + exp(-(t - mid) / width))`` through two points.

    Parameters
    ----------
    points : sequence of two (year, share)
        Dated shares, each strictly between 0 and ``ceiling``.
    ceiling : float
        Long-run share.

    Returns
    -------
    callable
        ``f(t)`` for scalar or array ``t`` (decimal years).
    """
    (t1, s1), (t2, s2) = points
    z1, z2 = np.log(s1 / (ceiling - s1)), np.log(s2 / (ceiling - s2))
    if z2 == z1:
        raise ValueError("adoption points must have different shares")
    width = (t2 - t1) / (z2 - z1)
    mid = t1 - z1 * width
    return lambda t: ceiling / (1.0 + np.exp(-(np.asarray(t, dtype=float) - mid) / width))


_MONTHS = (np.arange(12) + 0.5) / 12


def growth_factor(rate_per_year, dt, decay_per_year=0.0, decay_after=np.inf):
    """Cumulative growth ``rate_per_year ** dt``, with the log rate decaying after ``decay_after`` years.

    Parameters
    ----------
    rate_per_year : float or array
        Growth factor per year while the rate holds.
    dt : float or array
        Years since the reference date (may be negative: before it, the rate holds).
    decay_per_year : float or array
        Fraction by which the log growth rate shrinks each year after ``decay_after``
        (0 = constant rate).
    decay_after : float or array
        Years after the reference date at which the decay starts.

    Returns
    -------
    numpy.ndarray
        ``exp(log(rate) * effective_years)`` where effective years count
        ``(1 - decay) ** u`` for each year ``u`` after the decay starts.
    """
    log_rate = np.log(np.asarray(rate_per_year, dtype=float))
    dt = np.asarray(dt, dtype=float)
    decay = np.asarray(decay_per_year, dtype=float)
    start = np.asarray(decay_after, dtype=float)
    after = np.clip(dt - start, 0.0, None)
    k = -np.log1p(-decay)
    with np.errstate(divide="ignore", invalid="ignore"):
        decayed = np.where(k > 0, -np.expm1(-k * after) / np.where(k > 0, k, 1.0), after)
    effective = np.minimum(dt, start) + decayed
    return np.exp(log_rate * effective)


def driver_model(drivers: Drivers, years) -> pd.DataFrame:
    """Yearly training and inference compute and the inference share.

    Parameters
    ----------
    drivers : Drivers
    years : sequence of int
        Calendar years (must include ``drivers.anchor_year``... or not: the anchor
        is evaluated separately).

    Returns
    -------
    pandas.DataFrame
        ``year, training, inference, inference_share, reasoning_share, agent_share,
        tokens_per_request_multiplier``; compute is relative to the anchor year's
        total (anchor-year training + inference = 1).
    """
    d = drivers
    years = np.asarray(list(years), dtype=int)
    logistic_through(d.reasoning_points, d.reasoning_ceiling)     # checks the adoption points
    logistic_through(d.agent_points, d.agent_ceiling)
    one = _core_values(d, {}, 1)
    out = _yearly_core(d, one, years)
    return pd.DataFrame({"year": years, **{k: v[0] for k, v in out.items()}})


#: The drivers :func:`_yearly_core` takes as arrays (one value per draw); the adoption points' second
#: shares are ranged under the names of :data:`_POINT_FIELDS`.
_CORE_FIELDS = ("reasoning_ceiling", "agent_ceiling", "reasoning_token_multiplier", "agent_token_multiplier",
                "growth_decay_per_year", "request_growth_per_year", "flop_per_token_change_per_year",
                "training_growth_per_year", "anchor_share")


def _core_values(d: "Drivers", values: dict, n: int) -> dict:
    """Per-draw arrays of every core driver: drawn where ``values`` has it, else the central value."""
    out = {name: values.get(name, np.full(n, float(getattr(d, name)))) for name in _CORE_FIELDS}
    out["reasoning_late"] = values.get("reasoning_share_late_2025", np.full(n, float(d.reasoning_points[1][1])))
    out["agent_late"] = values.get("agent_share_mid_2026", np.full(n, float(d.agent_points[1][1])))
    return out


def _yearly_core(d: "Drivers", v: dict, years) -> dict:
    """The driver model for ``n`` draws at once: every array in ``v`` has shape (n,); returns (n, years) arrays.

    Monthly adoption and growth averaged over each calendar year; the inference level calibrated so the
    anchor year's inference share is the draw's ``anchor_share``; compute relative to the anchor year's total.
    """
    col = lambda x: np.asarray(x, dtype=float)[:, None, None]    # noqa: E731  (n,) -> (n, 1, 1)

    def logistic(points, late, ceiling, t):
        (t1, s1), (t2, _) = points
        z1, z2 = np.log(s1 / (ceiling - s1)), np.log(late / (ceiling - late))
        width = (t2 - t1) / (z2 - z1)
        mid = t1 - z1 * width
        return col(ceiling) / (1.0 + np.exp(-(t - col(mid)) / col(width)))

    def yearly(ys):
        t = (np.asarray(ys, dtype=float)[:, None] + _MONTHS[None, :])[None]        # (1, years, 12)
        dt = t - d.anchor_year
        with np.errstate(divide="ignore", invalid="ignore"):
            r = logistic(d.reasoning_points, v["reasoning_late"], v["reasoning_ceiling"], t)
            a = logistic(d.agent_points, v["agent_late"], v["agent_ceiling"], t)
        mult = 1 + r * (col(v["reasoning_token_multiplier"]) - 1) + a * (col(v["agent_token_multiplier"]) - 1)
        decay = (col(v["growth_decay_per_year"]), d.decay_start_year - d.anchor_year)
        plain = growth_factor(col(v["request_growth_per_year"] * v["flop_per_token_change_per_year"]), dt, *decay)
        train = growth_factor(col(v["training_growth_per_year"]), dt, *decay)
        return ((plain * mult).mean(axis=-1), train.mean(axis=-1), r.mean(axis=-1), a.mean(axis=-1),
                mult.mean(axis=-1))

    inf_raw, train_raw, r, a, mult = yearly(years)
    inf0, train0, *_ = yearly([d.anchor_year])
    anchor = np.asarray(v["anchor_share"], dtype=float)
    scale = (anchor / (1 - anchor) * train0[:, 0] / inf0[:, 0])[:, None]
    total0 = train0[:, :1] + inf0[:, :1] * scale
    inference = inf_raw * scale
    return {"training": train_raw / total0, "inference": inference / total0,
            "inference_share": inference / (inference + train_raw), "reasoning_share": r, "agent_share": a,
            "tokens_per_request_multiplier": mult}


@dataclass(frozen=True)
class LogitTrend:
    """OLS of log-odds of a share on the year."""

    slope: float
    intercept: float
    result: object = field(repr=False)

    @property
    def odds_growth_per_year(self) -> float:
        """Factor by which the odds multiply each year."""
        return float(np.exp(self.slope))

    def predict(self, years, alpha: float = 0.10) -> pd.DataFrame:
        """Share with a (1 - alpha) interval for the mean, at ``years``."""
        x = sm.add_constant(np.asarray(years, dtype=float), has_constant="add")
        frame = self.result.get_prediction(x).summary_frame(alpha=alpha)
        expit = lambda z: 1 / (1 + np.exp(-np.asarray(z)))  # noqa: E731
        return pd.DataFrame({"year": np.asarray(years), "share": expit(frame["mean"]),
                             "share_low": expit(frame["mean_ci_lower"]), "share_high": expit(frame["mean_ci_upper"])})


def fit_logit_trend(years, shares) -> LogitTrend:
    """Fit ``log(share / (1 - share)) ~ year`` by OLS (statsmodels).

    Parameters
    ----------
    years, shares : array_like
        At least three points; shares strictly between 0 and 1.
    """
    y = np.asarray(shares, dtype=float)
    if len(y) < 3 or np.any((y <= 0) | (y >= 1)):
        raise ValueError("fit_logit_trend needs at least 3 shares strictly between 0 and 1")
    result = sm.OLS(np.log(y / (1 - y)), sm.add_constant(np.asarray(years, dtype=float))).fit()
    return LogitTrend(slope=float(result.params[1]), intercept=float(result.params[0]), result=result)


def sensitivity(drivers: Drivers, ranges: dict, year: int) -> pd.DataFrame:
    """One-at-a-time sensitivity of the inference share in ``year`` (for a tornado chart).

    Parameters
    ----------
    drivers : Drivers
        Central values.
    ranges : dict
        ``{field name: (low, high)}``. For an adoption point give the field
        ``reasoning_points[1]`` style key as ``"reasoning_share_late"`` etc.; plain
        Drivers fields are used as they are.
    year : int

    Returns
    -------
    pandas.DataFrame
        ``parameter, low, high, share_at_low, share_at_high, swing`` sorted by swing.
    """
    base = float(driver_model(drivers, [year])["inference_share"].iloc[0])
    rows = []
    for name, (low, high) in ranges.items():
        shares = []
        for value in (low, high):
            changed = _with(drivers, name, value)
            shares.append(float(driver_model(changed, [year])["inference_share"].iloc[0]))
        rows.append({"parameter": name, "low": low, "high": high, "share_at_low": shares[0],
                     "share_at_high": shares[1], "swing": abs(shares[1] - shares[0])})
    out = pd.DataFrame(rows).sort_values("swing", ascending=False).reset_index(drop=True)
    out.attrs["base"] = base
    return out


_POINT_FIELDS = {"reasoning_share_late_2025": ("reasoning_points", 1), "agent_share_mid_2026": ("agent_points", 1)}


def _with(drivers: Drivers, name: str, value) -> Drivers:
    if name in _POINT_FIELDS:
        field_name, index = _POINT_FIELDS[name]
        points = [list(p) for p in getattr(drivers, field_name)]
        points[index][1] = value
        return replace(drivers, **{field_name: tuple(tuple(p) for p in points)})
    if name not in Drivers.__dataclass_fields__:
        raise ValueError(f"unknown driver {name!r}")
    return replace(drivers, **{name: value})


def drivers_from_table(table: pd.DataFrame) -> tuple[Drivers, dict]:
    """Central drivers and their (low, high) ranges from ``data/compute_drivers.csv``."""
    v = dict(zip(table["parameter"], table["value"]))
    drivers = Drivers(
        anchor_share=v["anchor_share_2023"], training_growth_per_year=v["training_growth_per_year"],
        request_growth_per_year=v["request_growth_per_year"],
        flop_per_token_change_per_year=v["flop_per_token_change_per_year"],
        reasoning_token_multiplier=v["reasoning_token_multiplier"],
        reasoning_points=((2024.7, v["reasoning_share_late_2024"]), (2025.8, v["reasoning_share_late_2025"])),
        reasoning_ceiling=v["reasoning_share_ceiling"], agent_token_multiplier=v["agent_token_multiplier"],
        agent_points=((2025.0, v["agent_share_2025"]), (2026.5, v["agent_share_mid_2026"])),
        agent_ceiling=v["agent_share_ceiling"],
    )
    ranged = table[~table["parameter"].str.startswith("lifetime_")].dropna(subset=["low", "high"])
    ranges = {("reasoning_ceiling" if p == "reasoning_share_ceiling" else p): (lo, hi)
              for p, lo, hi in ranged[["parameter", "low", "high"]].itertuples(index=False)}
    return drivers, ranges


def lifetime_from_table(table: pd.DataFrame) -> tuple[dict, dict]:
    """Central lifetime inputs and their (low, high) ranges, keyed by :func:`lifetime_inference_share` names."""
    rows = table[table["parameter"].str.startswith("lifetime_")]
    names = rows["parameter"].str.removeprefix("lifetime_")
    values = dict(zip(names, rows["value"]))
    ranges = {n: (lo, hi) for n, lo, hi in zip(names, rows["low"], rows["high"]) if pd.notna(lo)}
    return values, ranges


def lifetime_inference_share(training_flop: float, active_params: float, tokens_per_day: float,
                             deployment_years: float, training_utilization: float = 0.40,
                             inference_utilization: float = 0.10, rnd_multiplier: float = 1.0,
                             input_tokens_per_output_token: float = 0.0, prefill_utilization: float | None = None
                             ) -> dict:
    """Inference share of one model's lifetime compute and of its accelerator time (cost).

    Parameters
    ----------
    training_flop : float
        FLOP of the final training run.
    active_params : float
        Parameters active per token (inference costs ~2 FLOP per active parameter per token).
    tokens_per_day : float
        Output (generated) tokens served per day over the deployment.
    deployment_years : float
        How long the model serves traffic.
    training_utilization, inference_utilization : float
        Fraction of peak FLOP/s realised in training and in serving; accelerator
        time (and so cost) is FLOP divided by utilization.
    rnd_multiplier : float
        Total development compute relative to the final run (experiments, ablations,
        post-training); 1 counts the final run only.
    input_tokens_per_output_token : float
        Prompt tokens prefilled per generated token (0 counts generation only). Prefill
        costs the same ~2 FLOP per active parameter per token.
    prefill_utilization : float, optional
        Realised fraction of peak FLOP/s while prefilling (compute bound, so higher than
        decode); defaults to ``inference_utilization``.

    Returns
    -------
    dict
        ``inference_flop`` (decode plus prefill), ``prefill_flop``, ``training_flop_total``,
        ``compute_share`` (by FLOP) and ``cost_share`` (by accelerator time).
    """
    prefill_utilization = inference_utilization if prefill_utilization is None else prefill_utilization
    values = dict(training_flop=training_flop, active_params=active_params, tokens_per_day=tokens_per_day,
                  deployment_years=deployment_years, training_utilization=training_utilization,
                  inference_utilization=inference_utilization, rnd_multiplier=rnd_multiplier,
                  prefill_utilization=prefill_utilization)
    bad = [k for k, v in values.items() if not (np.isfinite(v) and v > 0)]
    if not (np.isfinite(input_tokens_per_output_token) and input_tokens_per_output_token >= 0):
        bad.append("input_tokens_per_output_token (>= 0)")
    if bad:
        raise ValueError(f"lifetime inputs must be positive: {', '.join(bad)}")
    decode = 2.0 * active_params * tokens_per_day * 365.0 * deployment_years
    prefill = decode * input_tokens_per_output_token
    inference = decode + prefill
    training = training_flop * rnd_multiplier
    cost_inf = decode / inference_utilization + prefill / prefill_utilization
    cost_train = training / training_utilization
    return {"inference_flop": inference, "prefill_flop": prefill, "training_flop_total": training,
            "compute_share": inference / (inference + training), "cost_share": cost_inf / (cost_inf + cost_train)}


# --------------------------------------------------------------------------------------
# Share definitions
# --------------------------------------------------------------------------------------

def flop_share_to_time_share(flop_share, inference_utilization, training_utilization):
    """Inference share of accelerator time from an inference share of FLOP executed.

    Each side's accelerator time is its FLOP divided by the fraction of peak it realises:
    ``s / u_inf / (s / u_inf + (1 - s) / u_train)``. At equal cost per accelerator-hour this
    is also the share of spend on compute in use.

    Parameters
    ----------
    flop_share : float or array
        Inference share of FLOP, in [0, 1].
    inference_utilization, training_utilization : float or array
        Realised fractions of peak FLOP/s in serving and in training (> 0).
    """
    s = np.asarray(flop_share, dtype=float)
    u_inf = np.asarray(inference_utilization, dtype=float)
    u_train = np.asarray(training_utilization, dtype=float)
    if np.any((s < 0) | (s > 1)) or np.any(u_inf <= 0) or np.any(u_train <= 0):
        raise ValueError("need 0 <= share <= 1 and positive utilizations")
    inf, train = s / u_inf, (1 - s) / u_train
    return inf / (inf + train)


def time_share_to_flop_share(time_share, inference_utilization, training_utilization):
    """Inverse of :func:`flop_share_to_time_share`: FLOP share from an accelerator-time share."""
    t = np.asarray(time_share, dtype=float)
    u_inf = np.asarray(inference_utilization, dtype=float)
    u_train = np.asarray(training_utilization, dtype=float)
    if np.any((t < 0) | (t > 1)) or np.any(u_inf <= 0) or np.any(u_train <= 0):
        raise ValueError("need 0 <= share <= 1 and positive utilizations")
    inf, train = t * u_inf, (1 - t) * u_train
    return inf / (inf + train)


# --------------------------------------------------------------------------------------
# Joint uncertainty
# --------------------------------------------------------------------------------------

def monte_carlo_shares(drivers: Drivers, ranges: dict, years, n: int = 4000, seed: int = 0) -> pd.DataFrame:
    """Inference share per year with every ranged driver drawn at once (uniform over its range).

    Parameters
    ----------
    drivers : Drivers
        Central values (drivers without a range stay fixed).
    ranges : dict
        ``{name: (low, high)}`` as for :func:`sensitivity`.
    years : sequence of int
    n : int
        Draws.
    seed : int

    Returns
    -------
    pandas.DataFrame
        ``n_valid x len(years)`` shares (columns are years). Draws whose second adoption
        point is not below its ceiling are dropped; ``attrs["dropped"]`` counts them.
    """
    rng = np.random.default_rng(seed)
    d = drivers
    values = {name: rng.uniform(lo, hi, n) for name, (lo, hi) in ranges.items()}
    unknown = set(values) - set(Drivers.__dataclass_fields__) - set(_POINT_FIELDS)
    if unknown:
        raise ValueError(f"unknown driver(s) {sorted(unknown)}")
    v = _core_values(d, values, n)
    r_early, a_early = d.reasoning_points[0][1], d.agent_points[0][1]
    valid = ((v["reasoning_late"] < v["reasoning_ceiling"]) & (v["agent_late"] < v["agent_ceiling"])
             & (r_early < v["reasoning_ceiling"]) & (a_early < v["agent_ceiling"]))
    years = list(years)
    share = _yearly_core(d, v, years)["inference_share"]
    out = pd.DataFrame(share[valid], columns=years)
    out.attrs["dropped"] = int((~valid).sum())
    return out


def band(draws: pd.DataFrame, q=(5, 50, 95)) -> pd.DataFrame:
    """Percentiles of :func:`monte_carlo_shares` per year: columns ``year, p5, p50, p95``."""
    values = np.percentile(draws.to_numpy(), q, axis=0)
    return pd.DataFrame({"year": list(draws.columns), **{f"p{int(p)}": v for p, v in zip(q, values)}})


def plot_share_band(central: pd.DataFrame, bands: pd.DataFrame, published: pd.DataFrame | None = None,
                    scenarios: dict | None = None):
    """Inference share over time: central driver model, joint Monte Carlo 5-95% band, optional scenario lines
    and published share-of-AI-compute points."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 5))
    ax.fill_between(bands["year"], bands["p5"], bands["p95"], color="C0", alpha=0.18,
                    label="joint Monte Carlo, 5th-95th percentile")
    ax.plot(bands["year"], bands["p50"], ":", color="C0", label="Monte Carlo median")
    ax.plot(central["year"], central["inference_share"], "-", color="C0", lw=2.5, label="central drivers")
    for i, (label, frame) in enumerate((scenarios or {}).items()):
        ax.plot(frame["year"], frame["inference_share"], "--", color=f"C{i + 1}", label=label)
    if published is not None and not published.empty:
        ax.plot(published["year"], published["value"], "ko", ms=7, label="Deloitte (share of AI compute)")
    ax.set_ylim(0, 1)
    ax.set_xlabel("year")
    ax.set_ylabel("inference share of AI compute (FLOP)")
    ax.set_title("Inference share with its joint uncertainty")
    ax.legend(fontsize=8, loc="lower right")
    return fig
