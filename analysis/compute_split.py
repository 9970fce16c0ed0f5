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
(logistic adoption curves through two dated points, up to a ceiling). Compute
is in relative FLOP; the ratio ``R0 / T0`` is the single calibrated quantity,
set so the anchor year's share equals the anchor share (Deloitte's 2023 third).
Annual values are averages over the twelve months of each calendar year.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import statsmodels.api as sm

__all__ = ["Drivers", "logistic_through", "driver_model", "fit_logit_trend", "LogitTrend", "sensitivity",
           "lifetime_inference_share", "drivers_from_table",
           "lifetime_from_table"]


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
    reasoning = logistic_through(d.reasoning_points, d.reasoning_ceiling)
    agents = logistic_through(d.agent_points, d.agent_ceiling)

    def yearly(ys):
        t = ys[:, None] + _MONTHS[None, :]                                   # (years, 12) decimal years
        dt = t - d.anchor_year
        r, a = reasoning(t), agents(t)
        multiplier = 1 + r * (d.reasoning_token_multiplier - 1) + a * (d.agent_token_multiplier - 1)
        plain = (d.request_growth_per_year * d.flop_per_token_change_per_year) ** dt
        return ((plain * multiplier).mean(axis=1), (d.training_growth_per_year ** dt).mean(axis=1),
                r.mean(axis=1), a.mean(axis=1), multiplier.mean(axis=1))

    inf_raw, train_raw, r, a, mult = yearly(years)
    inf0, train0, *_ = yearly(np.array([d.anchor_year]))
    # calibrate the inference level so the anchor year's share is anchor_share
    scale = d.anchor_share / (1 - d.anchor_share) * train0[0] / inf0[0]
    inference = inf_raw * scale
    total0 = train0[0] + inf0[0] * scale
    return pd.DataFrame({
        "year": years, "training": train_raw / total0, "inference": inference / total0,
        "inference_share": inference / (inference + train_raw),
        "reasoning_share": r, "agent_share": a, "tokens_per_request_multiplier": mult,
    })


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
                             inference_utilization: float = 0.10, rnd_multiplier: float = 1.0) -> dict:
    """Inference share of one model's lifetime compute and of its accelerator time (cost).

    Parameters
    ----------
    training_flop : float
        FLOP of the final training run.
    active_params : float
        Parameters active per token (inference costs ~2 FLOP per active parameter per token).
    tokens_per_day : float
        Tokens served per day over the deployment.
    deployment_years : float
        How long the model serves traffic.
    training_utilization, inference_utilization : float
        Fraction of peak FLOP/s realised in training and in serving; accelerator
        time (and so cost) is FLOP divided by utilization.
    rnd_multiplier : float
        Total development compute relative to the final run (experiments, ablations,
        post-training); 1 counts the final run only.

    Returns
    -------
    dict
        ``inference_flop``, ``training_flop_total``, ``compute_share`` (by FLOP) and
        ``cost_share`` (by accelerator time).
    """
    values = dict(training_flop=training_flop, active_params=active_params, tokens_per_day=tokens_per_day,
                  deployment_years=deployment_years, training_utilization=training_utilization,
                  inference_utilization=inference_utilization, rnd_multiplier=rnd_multiplier)
    bad = [k for k, v in values.items() if not (np.isfinite(v) and v > 0)]
    if bad:
        raise ValueError(f"lifetime inputs must be positive: {', '.join(bad)}")
    inference = 2.0 * active_params * tokens_per_day * 365.0 * deployment_years
    training = training_flop * rnd_multiplier
    cost_inf, cost_train = inference / inference_utilization, training / training_utilization
    return {"inference_flop": inference, "training_flop_total": training,
            "compute_share": inference / (inference + training), "cost_share": cost_inf / (cost_inf + cost_train)}
