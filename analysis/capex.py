"""From 2026 hyperscaler capex to inference token capacity and a cost floor per token.

The chain, every link a parameter::

    capex (company guidance, summed)            data/capex.csv
      x ai_share                                 the seed article's 75% (no primary source)
      x compute_share                            servers vs facilities and network (Alphabet ~60/40)
      x inference_share                          from analysis.compute_split
      / server cost per accelerator              chip mix, data/cost_assumptions.csv
      -> accelerators -> tokens per year         analysis.throughput, x utilization

    cost floor per million output tokens = (server capex x CRF(server life)
                                            + network capex x CRF(network life)
                                            + facility capex x CRF(facility life)
                                            + power x PUE x electricity price + other opex)
                                           / output tokens per accelerator-year (at a stated utilization)

CRF is the capital recovery factor ``r / (1 - (1 + r)**-n)``: with a cost of capital
``r`` above 0 the floor recovers the capital and its return (an economic floor), not
only straight-line depreciation. Output tokens each carry their request's prompt (the
throughput model serves whole requests), so the floor is per million output tokens *at
the workload's input:output mix*; a price compared with it must be billed at the same mix
(:func:`analysis.prices.cost_per_output_token`).

All functions take scalars or numpy arrays and broadcast, so the Monte Carlo is one
vectorized evaluation over its draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

HOURS_PER_YEAR = 8760.0
SECONDS_PER_YEAR = HOURS_PER_YEAR * 3600.0


def _months(start: str, end: str) -> pd.PeriodIndex:
    return pd.period_range(pd.Period(start, "M"), pd.Period(end, "M"), freq="M")


#: Lease basis of the headline: Microsoft's newest statement (July 2026) is on it, and so will its actuals be.
HEADLINE_LEASE_BASIS = "post_reclassification"


def on_lease_basis(capex: pd.DataFrame, lease_basis: str = HEADLINE_LEASE_BASIS) -> pd.DataFrame:
    """The rows of ``capex`` that hold on one lease basis: every ``as_stated`` row plus those of ``lease_basis``.

    Parameters
    ----------
    capex : pandas.DataFrame
        ``data/capex.csv`` as loaded by :func:`analysis.data.load_capex`; a table without a
        ``lease_basis`` column is taken as all ``as_stated``.
    lease_basis : str
        ``pre_reclassification`` or ``post_reclassification`` (a company's figures before or after a
        lease reclassification it announced; ``as_stated`` keeps only rows with no such label).
    """
    from analysis.data import LEASE_BASES

    if lease_basis not in LEASE_BASES:
        raise ValueError(f"lease_basis must be one of {', '.join(LEASE_BASES)}, got {lease_basis!r}")
    if "lease_basis" not in capex.columns:
        return capex
    return capex[capex["lease_basis"].isin(["as_stated", lease_basis])]


def company_year(capex: pd.DataFrame, company: str, year: int, lease_basis: str = HEADLINE_LEASE_BASIS) -> dict:
    """One company's capex for calendar ``year`` from its latest statements (guidance or actual, never estimates).

    Rule, in order: (1) a full-year calendar actual; else (2) the latest calendar-year
    guidance; else (3) calendarized figures, month by month: a month inside a reported
    quarter takes a third of that quarter's actual; otherwise the latest statement (actual
    before guidance) for the fiscal year that contains it, less the quarters already reported
    inside that fiscal year, spread over its remaining months (so the fiscal year's total is
    kept); months past the last fiscal year stated take the last one's rate (counted in
    ``extrapolated_months``). "At least" statements (a low without a point) count at their low.
    Only rows on ``lease_basis`` count (:func:`on_lease_basis`).

    Returns
    -------
    dict
        ``company, point, low, high, kind, basis_used, statement_date, extrapolated_months``.
    """
    capex = on_lease_basis(capex, lease_basis)
    rows = capex[(capex["company"] == company) & capex["kind"].isin(["actual", "guidance"])].copy()
    rows["point"] = rows["point_usd_b"].fillna(rows["low_usd_b"])
    rows["low"] = rows["low_usd_b"].fillna(rows["point"])
    rows["high"] = rows["high_usd_b"].fillna(rows["point"])
    annual = rows[rows.apply(lambda r: len(_months(r["period_start"], r["period_end"])) == 12, axis=1)]
    calendar = annual[(annual["basis"] == "calendar") & (annual["period_start"] == f"{year}-01")]
    for kind in ("actual", "guidance"):
        found = calendar[calendar["kind"] == kind].sort_values("statement_date")
        if not found.empty:
            r = found.iloc[-1]
            return {"company": company, "point": float(r["point"]), "low": float(r["low"]), "high": float(r["high"]),
                    "kind": kind, "basis_used": f"calendar {year}", "statement_date": r["statement_date"],
                    "extrapolated_months": 0}
    fiscal = annual[annual["basis"] == "fiscal"]
    if fiscal.empty:
        raise ValueError(f"no {year} capex guidance or actual for {company}")
    fiscal = fiscal.assign(order=fiscal["kind"].map({"actual": 1, "guidance": 0})).sort_values(
        ["order", "statement_date"])
    latest = fiscal.groupby("period_start").tail(1).sort_values("period_start")
    quarters = rows[(rows["kind"] == "actual")
                    & rows.apply(lambda r: len(_months(r["period_start"], r["period_end"])) == 3, axis=1)]
    total = {"point": 0.0, "low": 0.0, "high": 0.0}
    used, extrapolated, dates, kinds = [], 0, [], set()
    covers = lambda table, month: table[table.apply(lambda r: month in _months(r["period_start"], r["period_end"]),
                                                    axis=1)] if not table.empty else table
    for month in pd.period_range(f"{year}-01", f"{year}-12", freq="M"):
        quarter = covers(quarters, month)
        if not quarter.empty:
            r = quarter.sort_values("statement_date").iloc[-1]
            rate = {key: float(r[key]) / 3.0 for key in total}
        else:
            covering = covers(latest, month)
            if covering.empty:
                before = latest[latest["period_end"] < str(month)]
                r = before.iloc[-1] if not before.empty else latest.iloc[0]
                extrapolated += 1
            else:
                r = covering.iloc[0]
            rate = _remainder_rate(r, quarters)
        for key in total:
            total[key] += rate[key]
        used.append(r["period"])
        dates.append(r["statement_date"])
        kinds.add(r["kind"])
    parts = pd.Series(used).value_counts(sort=False)
    basis = " + ".join(f"{n} month{'s' if n > 1 else ''} of {period}" for period, n in parts.items())
    return {"company": company, **total, "kind": "guidance" if "guidance" in kinds else "actual",
            "basis_used": f"calendarized: {basis}", "statement_date": max(dates), "extrapolated_months": extrapolated}


def _remainder_rate(fiscal_row: pd.Series, quarters: pd.DataFrame) -> dict:
    """Monthly rate of a fiscal-year statement over its months that no reported quarter covers: the year's
    figure less the quarters already reported inside it, spread over the remaining months (so the months a
    calendar year takes from it, added to the reported quarters, never imply a different fiscal-year total)."""
    months = set(_months(fiscal_row["period_start"], fiscal_row["period_end"]))
    inside = quarters[quarters.apply(lambda q: set(_months(q["period_start"], q["period_end"])) <= months, axis=1)] \
        if not quarters.empty else quarters
    inside = inside.sort_values("statement_date").drop_duplicates(["period_start", "period_end"], keep="last")
    covered = set().union(*(set(_months(q["period_start"], q["period_end"])) for _, q in inside.iterrows()))
    left = len(months - covered)
    reported = float(inside["point"].sum()) if not inside.empty else 0.0
    if left == 0:
        return {key: float(fiscal_row[key]) / 12.0 for key in ("point", "low", "high")}
    return {key: max(float(fiscal_row[key]) - reported, 0.0) / left for key in ("point", "low", "high")}


def aggregate_capex(capex: pd.DataFrame, year: int = 2026, companies=None,
                    lease_basis: str = HEADLINE_LEASE_BASIS) -> dict:
    """Sum the companies' calendar-``year`` capex (latest guidance or actual, same rule for each) with its range.

    Notebooks 04 and 06 both take their capex from here, so an edit of ``data/capex.csv``
    moves both.

    Parameters
    ----------
    capex : pandas.DataFrame
        ``data/capex.csv`` as loaded by :func:`analysis.data.load_capex`.
    year : int
    companies : list of str, optional
        Companies to include (default: every company with a guidance or actual row for
        ``year`` or a fiscal year overlapping it; aggregates and analysts' estimates never count).
    lease_basis : str
        Which side of an announced lease reclassification counts (:func:`on_lease_basis`); the
        default, ``post_reclassification``, is the basis of Microsoft's newest statement.

    Returns
    -------
    dict
        ``point``, ``low``, ``high`` (USD billions), ``rows`` (one row per company from
        :func:`company_year`: figure, range, kind, the basis used and the statement date).
    """
    capex = on_lease_basis(capex, lease_basis)
    candidates = capex[capex["kind"].isin(["actual", "guidance"])]
    if companies is None:
        overlap = candidates[(candidates["period_start"] <= f"{year}-12") & (candidates["period_end"] >= f"{year}-01")]
        companies = sorted(overlap["company"].unique())
    missing = set(companies) - set(candidates["company"])
    if missing:
        raise ValueError(f"no {year} capex row for {sorted(missing)}")
    rows = pd.DataFrame([company_year(capex, c, year, lease_basis) for c in companies])
    if rows.empty:
        raise ValueError(f"no {year} capex guidance or actual in the data")
    rows = rows.rename(columns={"point": "point_usd_b", "low": "low_usd_b", "high": "high_usd_b"})
    return {"point": float(rows["point_usd_b"].sum()), "low": float(rows["low_usd_b"].sum()),
            "high": float(rows["high_usd_b"].sum()), "rows": rows, "lease_basis": lease_basis}


def lease_bases_compared(capex: pd.DataFrame, year: int = 2026, companies=None) -> pd.DataFrame:
    """The ``year`` aggregate on each side of an announced lease reclassification, one row per basis.

    Returns
    -------
    pandas.DataFrame
        ``lease_basis, point_usd_b, low_usd_b, high_usd_b`` and ``changed`` (the companies whose
        figure differs between the two bases, with both figures).
    """
    results = {basis: aggregate_capex(capex, year, companies, basis)
               for basis in ("post_reclassification", "pre_reclassification")}
    a, b = (r["rows"].set_index("company")["point_usd_b"] for r in results.values())
    changed = "; ".join(f"{c}: {a[c]:,.1f} vs {b[c]:,.1f}" for c in a.index if not np.isclose(a[c], b[c])) or "none"
    return pd.DataFrame([{"lease_basis": basis, "point_usd_b": r["point"], "low_usd_b": r["low"],
                          "high_usd_b": r["high"], "changed": changed} for basis, r in results.items()])


def guidance_history(capex: pd.DataFrame, year: int = 2026) -> pd.DataFrame:
    """Every statement of a company's calendar-``year`` guidance, in date order (superseded ones included)."""
    rows = capex[(capex["kind"] == "guidance") & (capex["basis"] == "calendar") & (capex["period_start"] == f"{year}-01")
                 & (capex["period_end"] == f"{year}-12")]
    return rows.sort_values(["company", "statement_date"]).reset_index(drop=True)


def plot_guidance_history(capex: pd.DataFrame, year: int = 2026):
    """Each company's ``year`` capex guidance against the date it was stated (bars: the stated range).

    A company that restated its figure on a new lease basis gets one line per basis (dashed: before the
    reclassification)."""
    import matplotlib.pyplot as plt

    history = guidance_history(capex, year)
    if "lease_basis" not in history.columns:
        history = history.assign(lease_basis="as_stated")
    fig, ax = plt.subplots(figsize=(9, 4.8))
    for i, (company, rows) in enumerate(history.groupby("company")):
        bases = sorted(set(rows["lease_basis"]) - {"as_stated"})
        # a company that restated on a new lease basis: one line per basis, each with its as-stated history
        for basis in bases or ["as_stated"]:
            series = rows[rows["lease_basis"].isin(["as_stated", basis])]
            point = series["point_usd_b"].fillna(series["low_usd_b"])
            label = company if basis == "as_stated" else f"{company} ({basis.replace('_', '-')})"
            ax.plot(series["statement_date"], point, "o--" if basis == "pre_reclassification" else "o-",
                    color=f"C{i}", label=label)
        ranged = rows.dropna(subset=["low_usd_b", "high_usd_b"])
        ax.vlines(ranged["statement_date"], ranged["low_usd_b"], ranged["high_usd_b"], color=f"C{i}", lw=3, alpha=0.4)
    from analysis.plotting import date_axis

    date_axis(ax)
    ax.set_ylabel(f"{year} capex guidance, USD billions")
    ax.set_xlabel("date of the statement")
    ax.set_title(f"{year} capex guidance as it was raised (calendar-year guidance only)")
    ax.legend(fontsize=8, ncol=2)
    return fig


def lookup(costs: pd.DataFrame, kind: str, subject: str) -> pd.Series:
    """The row of ``data/cost_assumptions.csv`` for ``kind`` and ``subject`` (subject matched case-insensitively,
    so hardware ids such as ``b200`` find ``B200``)."""
    rows = costs[(costs["kind"] == kind) & (costs["subject"].str.lower() == subject.lower())]
    if rows.empty:
        known = ", ".join(costs.loc[costs["kind"] == kind, "subject"])
        raise ValueError(f"cost_assumptions.csv has no {kind} for {subject!r} (has: {known or 'none'})")
    return rows.iloc[0]


def allocate(capex_usd_b, ai_share, compute_share, inference_share) -> dict:
    """Split capex into AI, AI compute (servers and accelerators), and inference compute (USD billions)."""
    ai = np.asarray(capex_usd_b) * ai_share
    compute = ai * compute_share
    return {"capex_usd_b": np.asarray(capex_usd_b, dtype=float), "ai_capex_usd_b": ai,
            "ai_compute_capex_usd_b": compute, "ai_facilities_capex_usd_b": ai - compute,
            "inference_capex_usd_b": compute * inference_share,
            "training_capex_usd_b": compute * (1 - np.asarray(inference_share))}


def accelerators_bought(compute_usd_b, mix: dict, server_cost_usd: dict) -> dict:
    """Accelerators bought per chip type when ``mix`` (spend shares) splits ``compute_usd_b``."""
    total = sum(mix.values())
    if not np.isclose(total, 1.0):
        raise ValueError(f"chip mix shares must sum to 1, got {total:g}")
    missing = set(mix) - set(server_cost_usd)
    if missing:
        raise ValueError(f"no server cost per accelerator for {sorted(missing)}")
    return {chip: np.asarray(compute_usd_b) * 1e9 * share / server_cost_usd[chip] for chip, share in mix.items()}


def tokens_per_year(accelerators, tokens_per_s_per_accelerator, utilization):
    """Tokens a fleet can serve in a year at average ``utilization`` of its peak serving throughput."""
    return np.asarray(accelerators) * tokens_per_s_per_accelerator * utilization * SECONDS_PER_YEAR


def annuity_factor(rate, years):
    """Annual payment per dollar of capex over ``years`` at ``rate`` (straight-line 1/years when rate is 0).

    This is the capital recovery factor ``r / (1 - (1 + r)**-n)``; see :func:`capital_recovery_factor`.
    """
    rate = np.asarray(rate, dtype=float)
    years = np.asarray(years, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        # 1 - (1 + r)^-n written with expm1/log1p, exact for tiny rates (where the plain form gives 0/0)
        annuity = rate / -np.expm1(-years * np.log1p(rate))
    return np.where(rate > 0, annuity, 1.0 / years)


def capital_recovery_factor(rate, years):
    """Capital recovery factor ``r / (1 - (1 + r)**-n)``: the level annual payment that repays one dollar
    of capital and its return at rate ``r`` over ``n`` years (``1/n`` at ``r = 0``).

    Parameters
    ----------
    rate : float or array
        Cost of capital per year (>= 0).
    years : float or array
        Economic life (> 0).
    """
    rate = np.asarray(rate, dtype=float)
    years = np.asarray(years, dtype=float)
    if np.any(rate < 0) or np.any(years <= 0):
        raise ValueError("need rate >= 0 and years > 0")
    return annuity_factor(rate, years)


def server_cost_one_basis(costs: pd.DataFrame, chips, anchor: str = "b200",
                          relative_to: str = "gpu_tco_usd_per_hour") -> dict:
    """Server capex per accelerator for ``chips`` on one price basis.

    The quoted prices in ``cost_assumptions.csv`` mix bases (B200 at DGX system list price,
    GB200 at a rack quote). Here the ``anchor`` chip keeps its quoted price and range and
    every other chip is scaled by the ratio of SemiAnalysis's hyperscaler TCO per GPU-hour
    (``gpu_tco_usd_per_hour``, subject ``<CHIP> hyperscaler``), so all chips share the
    anchor's basis.

    Returns
    -------
    dict
        ``{chip: {"value", "low", "high", "basis"}}`` in USD per accelerator.
    """
    base = lookup(costs, "server_cost_per_accelerator_usd", anchor)
    base_tco = float(lookup(costs, relative_to, f"{anchor} hyperscaler")["value"])
    out = {}
    for chip in chips:
        ratio = float(lookup(costs, relative_to, f"{chip} hyperscaler")["value"]) / base_tco
        out[chip] = {"value": float(base["value"]) * ratio, "low": float(base["low"]) * ratio,
                     "high": float(base["high"]) * ratio,
                     "basis": f"{anchor.upper()} quoted price x SemiAnalysis hyperscaler TCO ratio {ratio:.3f}"}
    return out


def cost_components_usd_per_mtok(server_cost_usd, depreciation_years, tokens_per_s_per_accelerator, utilization,
                                 it_kw_per_accelerator, pue, electricity_usd_per_kwh, compute_share=0.6,
                                 facility_life_years=15.0, cost_of_capital=0.0, other_opex_usd_per_year=0.0,
                                 network_share=0.0, network_life_years=6.0) -> dict:
    """Cost of serving a million tokens on one accelerator at cost (no margin), by component.

    Parameters
    ----------
    server_cost_usd : float or array
        Server capex per accelerator (the accelerator plus its share of the server).
    depreciation_years : float or array
        Useful life of the server.
    tokens_per_s_per_accelerator : float or array
        Serving throughput at the chosen interactivity.
    utilization : float or array
        Average fraction of that throughput actually sold.
    it_kw_per_accelerator, pue, electricity_usd_per_kwh : float or array
        IT power drawn per accelerator, power usage effectiveness, energy price.
    compute_share : float or array
        Servers' share of capex; the rest (facilities, network) is charged per
        accelerator in proportion: ``network_share`` of capex over ``network_life_years``,
        the remainder (buildings, power, cooling) over ``facility_life_years``.
    cost_of_capital : float or array
        Annual rate; 0 gives straight-line depreciation (an accounting, not an economic, floor).
    other_opex_usd_per_year : float or array
        Staff, maintenance, software per accelerator-year.
    network_share : float or array
        Networking's share of capex (part of ``1 - compute_share``); 0 charges all
        non-server capex over the facility life.
    network_life_years : float or array
        Economic life of networking equipment.

    Returns
    -------
    dict
        ``server_capital``, ``network_capital``, ``facility_capital``, ``energy``, ``other_opex``
        and ``total``, each in USD per million tokens (arrays when inputs are arrays).
    """
    server = np.asarray(server_cost_usd, dtype=float)
    share = np.asarray(compute_share, dtype=float)
    network = np.asarray(network_share, dtype=float)
    if np.any(network < 0) or np.any(network > 1 - share + 1e-12):
        raise ValueError("network_share must lie between 0 and 1 - compute_share")
    million_tokens = np.asarray(tokens_per_s_per_accelerator) * utilization * SECONDS_PER_YEAR / 1e6
    parts = {
        "server_capital": server * capital_recovery_factor(cost_of_capital, depreciation_years),
        "network_capital": server * network / share * capital_recovery_factor(cost_of_capital, network_life_years),
        "facility_capital": server * (1.0 - share - network) / share * capital_recovery_factor(cost_of_capital,
                                                                                     facility_life_years),
        "energy": np.asarray(it_kw_per_accelerator) * pue * HOURS_PER_YEAR * electricity_usd_per_kwh,
        "other_opex": np.asarray(other_opex_usd_per_year, dtype=float),
    }
    parts = {k: v / million_tokens for k, v in parts.items()}
    parts["total"] = sum(parts.values())
    return parts


def cost_floor_usd_per_mtok(*args, **kwargs):
    """Total of :func:`cost_components_usd_per_mtok` (same arguments): USD per million tokens."""
    return cost_components_usd_per_mtok(*args, **kwargs)["total"]


def years_until_price_meets_floor(price_now, decline_per_year, floor):
    """Years until a price falling ``decline_per_year``-fold a year reaches ``floor`` (<= 0: already below)."""
    return np.log(np.asarray(price_now) / floor) / np.log(decline_per_year)


def year_price_meets_floor(price_observed, observed_year, decline_per_year, floor):
    """Decimal year at which a price observed at ``observed_year`` and falling ``decline_per_year``-fold a year
    reaches ``floor`` (the observation year when it is already at or below it)."""
    years = years_until_price_meets_floor(price_observed, decline_per_year, floor)
    return np.asarray(observed_year, dtype=float) + np.clip(years, 0.0, None)


# --------------------------------------------------------------------------------------
# Uncertainty
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Uncertain:
    """A quantity drawn between ``low`` and ``high`` around ``central`` (``low == high`` = fixed).

    ``shape`` says how (:func:`draw`): ``uniform`` over the range (the default); ``triangular`` with its mode at
    ``central``; ``centred``: half the draws uniform below ``central`` and half above, so the median draw is
    ``central`` even when the range is lopsided (utilization 0.6 in 0.3-0.8). With ``centred`` a model's central
    value, the median of its inputs' draws and the one-at-a-time sensitivities share one basis; with ``central`` at
    the middle of the range it is the plain uniform.
    """

    low: float
    high: float
    central: float
    shape: str = "uniform"

    def __post_init__(self):
        if not self.low <= self.central <= self.high:
            raise ValueError(f"need low <= central <= high, got {self.low}, {self.central}, {self.high}")
        if self.shape not in SHAPES:
            raise ValueError(f"shape must be one of {', '.join(SHAPES)}, got {self.shape!r}")

    @classmethod
    def spanning(cls, low: float, high: float, central: float, shape: str = "uniform") -> "Uncertain":
        """A range widened, if needed, to contain its central value (a parameter set outside its range)."""
        return cls(min(low, central), max(high, central), central, shape)


#: How :func:`draw` spreads an :class:`Uncertain` over its range.
SHAPES = ("uniform", "centred", "triangular")


def draw_one(rng: np.random.Generator, value: "Uncertain", n: int) -> np.ndarray:
    """``n`` draws of one :class:`Uncertain` in its ``shape``."""
    lo, hi, c = float(value.low), float(value.high), float(value.central)
    if hi <= lo:
        return np.full(n, lo)
    if value.shape == "uniform":
        return rng.uniform(lo, hi, n)
    if value.shape == "triangular":
        return rng.triangular(lo, c, hi, n)
    u = rng.uniform(0.0, 1.0, n)     # centred: half the probability below central, half above
    return np.where(u < 0.5, lo + (c - lo) * (u / 0.5), c + (hi - c) * ((u - 0.5) / 0.5))


def draw(rng: np.random.Generator, spec: dict, n: int) -> dict:
    """Independent draws for every :class:`Uncertain` in ``spec`` (each in its ``shape``); other values repeated."""
    out = {}
    for name, value in spec.items():
        if isinstance(value, Uncertain):
            out[name] = draw_one(rng, value, n)
        else:
            out[name] = np.full(n, value, dtype=float)
    return out


def percentiles(values, q=(5, 50, 95)) -> dict:
    """``{"p5": ..., "p50": ..., "p95": ...}`` of an array."""
    return {f"p{int(p)}": float(v) for p, v in zip(q, np.percentile(values, q))}


def tornado(func, spec: dict) -> pd.DataFrame:
    """One-at-a-time sensitivity of ``func(**values)`` to each uncertain input between its low and high.

    Returns a frame ``input, low, high, at_low, at_high, swing`` sorted by swing, with the
    central result in ``attrs["base"]``.
    """
    central = {k: (v.central if isinstance(v, Uncertain) else v) for k, v in spec.items()}
    base = float(func(**central))
    rows = []
    for name, value in spec.items():
        if not isinstance(value, Uncertain) or value.high == value.low:
            continue
        lo = float(func(**{**central, name: value.low}))
        hi = float(func(**{**central, name: value.high}))
        rows.append({"input": name, "low": value.low, "high": value.high, "at_low": lo, "at_high": hi,
                     "swing": abs(hi - lo)})
    out = pd.DataFrame(rows).sort_values("swing", ascending=False).reset_index(drop=True)
    out.attrs["base"] = base
    return out


def plot_price_vs_floor(observed_year: float, price: float, paths: dict, floor: float, floor_band, crossings: dict,
                        label: str, end_year: float | None = None, floored=()):
    """Price paths of one reference model against the cost floor of its class (log scale).

    Parameters
    ----------
    observed_year, price : float
        When and at what price (USD per million output tokens at the workload's mix) the model was observed.
    paths : dict
        ``{label: (rate per year, line style)}``; each path falls from the observation at its rate.
    floor : float
        Central cost floor (same unit and token mix); ``floor_band`` its (p5, p95).
    crossings : dict
        ``{label: decimal year}`` marked with dotted verticals.
    floored : sequence of str
        Paths held at the floor once they reach it (a model's own price cannot stay below its serving cost).

    The y axis spans the observed price down to a quarter of the floor's low end, so the
    crossings stay readable; a path that keeps falling leaves through the bottom.
    """
    import matplotlib.pyplot as plt

    from analysis.prices import fixed_model_price_path

    end = end_year or max([observed_year + 1, *crossings.values()]) + 1
    years = np.linspace(observed_year, end, 200)
    fig, ax = plt.subplots(figsize=(9, 5))
    for i, (name, (rate, style)) in enumerate(paths.items()):
        path = fixed_model_price_path(price, observed_year, years, rate, floor if name in floored else 0.0)
        ax.plot(years, path, style, color=f"C{i}", label=f"{name}: {rate:.1f}x/yr")
        if name in crossings:
            ax.axvline(crossings[name], color=f"C{i}", ls=":", lw=1)
    ax.axhspan(floor_band[0], floor_band[1], color="0.5", alpha=0.2, label="cost floor, Monte Carlo 5th-95th percentile")
    ax.axhline(floor, color="k", lw=1, label="cost floor, central")
    ax.plot([observed_year], [price], "k*", ms=12, label=f"{label} (observed)")
    ax.set_yscale("log")
    # the range that matters: the price down to below the floor (paths falling further leave through the bottom)
    ax.set_ylim(min(floor_band[0], floor) / 4, max(price, floor_band[1]) * 2)
    ax.set_xlabel("year")
    ax.set_ylabel("USD per million output tokens (prompts included)")
    ax.set_title("One model's price path against the cost floor of its class")
    ax.legend(fontsize=8)
    return fig


def class_cost_floor(model: str, chip: str, costs: pd.DataFrame, precision: str = "fp8",
                     interactivity_target: float = 50.0, input_tokens: int = 1024, output_tokens: int = 1024,
                     utilization: float = 0.6, cost_of_capital: float = 0.09, depreciation_years: float = 5.0,
                     compute_share: float = 0.6, network_share: float = 0.1, network_life_years: float = 6.0,
                     facility_life_years: float = 15.0, pue: float = 1.3, electricity_usd_per_kwh: float = 0.0806,
                     server_overhead: float = 1.5, other_opex_usd_per_year: float = 0.0) -> dict:
    """Cost floor of serving ``model`` on ``chip`` in a large facility, per million output tokens at a token mix.

    The same chain as notebook 04 (defaults are its parameters): throughput at the interactivity target from
    :mod:`analysis.throughput`, server price from ``cost_assumptions.csv``, capital recovered at
    ``cost_of_capital``, ``other_opex_usd_per_year`` (staff, maintenance, software) per accelerator. Used as the
    lower bound of a model class's API price path.

    Returns
    -------
    dict
        ``total`` and the components (USD per million output tokens), ``tokens_per_s`` per accelerator.
    """
    from analysis import throughput as tp

    served = tp.best_at_interactivity(model, chip, precision, interactivity_target, input_tokens, output_tokens)
    tps = float(served["output_tokens_per_s_per_chip"])
    tdp_kw = float(tp.hardware_table().loc[chip, "tdp_w"]) / 1000      # the table predict() reads, cached
    server = float(lookup(costs, "server_cost_per_accelerator_usd", chip)["value"])
    parts = cost_components_usd_per_mtok(server, depreciation_years, tps, utilization, tdp_kw * server_overhead, pue,
                                         electricity_usd_per_kwh, compute_share, facility_life_years, cost_of_capital,
                                         other_opex_usd_per_year, network_share=network_share,
                                         network_life_years=network_life_years)
    out = {k: float(v) for k, v in parts.items()}
    out["tokens_per_s"] = tps
    return out


# --------------------------------------------------------------------------------------
# A floor that moves: new capacity against a falling price
# --------------------------------------------------------------------------------------

def declining_annuity_factor(rate, years, decline_per_year):
    """Present value, at ``rate``, of a revenue of 1 in year 1 falling ``decline_per_year``-fold a year over ``years``.

    ``sum_{t=1..n} decline**-(t-1) / (1 + rate)**t`` (fractional ``years`` count their last part pro rata). With
    ``decline_per_year = 1`` it is the level annuity ``1 / CRF``.
    """
    rate, years, decline = (np.asarray(v, dtype=float) for v in (rate, years, decline_per_year))
    if np.any(decline <= 0) or np.any(rate < 0) or np.any(years <= 0):
        raise ValueError("need decline_per_year > 0, rate >= 0 and years > 0")
    ratio = 1.0 / (decline * (1.0 + rate))           # growth of each year's discounted revenue
    with np.errstate(divide="ignore", invalid="ignore"):
        geometric = np.where(np.isclose(ratio, 1.0), years, (1.0 - ratio ** years) / (1.0 - ratio))
    return geometric / (1.0 + rate)


def first_year_floor(components: dict, rate, decline_per_year, server_life_years, network_life_years=6.0,
                     facility_life_years=15.0) -> dict:
    """New capacity's break-even price in its first year when the price it earns falls ``decline_per_year``-fold a year.

    A level floor (:func:`cost_components_usd_per_mtok`) recovers each capital part with a level annuity; if the
    price falls, year one must earn more. Each capital part keeps its own life; energy and opex run over the
    server's life. Each part is scaled by ``level annuity / declining annuity`` over its life.

    Parameters
    ----------
    components : dict
        :func:`cost_components_usd_per_mtok`'s output (USD per million tokens).
    rate : float or array
        Cost of capital (the rate the level floor used).
    decline_per_year : float or array
        Fall of the price per year (1 = level: returns the level floor).

    Returns
    -------
    dict
        The same parts at their first-year value, and ``total``.
    """
    lives = {"server_capital": server_life_years, "network_capital": network_life_years,
             "facility_capital": facility_life_years, "energy": server_life_years, "other_opex": server_life_years}
    out = {}
    for part, life in lives.items():
        if part in components:
            level = declining_annuity_factor(rate, life, 1.0)
            out[part] = np.asarray(components[part]) * level / declining_annuity_factor(rate, life, decline_per_year)
    out["total"] = sum(out.values())
    return out


def floor_path(floor_now, year_now, years, hardware_gain_per_year, software_gain_per_year=1.0):
    """Break-even price of capacity bought in each of ``years``: today's floor divided by the gains since.

    Hardware (cost per unit of serving capacity) and software (tokens per accelerator) improve at stated yearly
    rates; capacity bought later serves a token for less. Years before ``year_now`` are held at today's floor.
    """
    elapsed = np.clip(np.asarray(years, dtype=float) - year_now, 0.0, None)
    gain = np.asarray(hardware_gain_per_year, dtype=float) * np.asarray(software_gain_per_year, dtype=float)
    return np.asarray(floor_now, dtype=float) / gain ** elapsed


def year_price_meets_floor_path(price_now, year_now, price_decline_per_year, floor_now, floor_decline_per_year):
    """Decimal year a price falling ``price_decline_per_year``-fold meets a floor falling ``floor_decline_per_year``-fold.

    ``year_now`` when the price is already at or below the floor; ``inf`` (never) when it is above and does not fall
    faster than the floor.
    """
    p, f = np.asarray(price_now, dtype=float), np.asarray(floor_now, dtype=float)
    relative = np.log(np.asarray(price_decline_per_year, dtype=float)) - np.log(np.asarray(floor_decline_per_year,
                                                                                          dtype=float))
    gap = np.log(p / f)
    with np.errstate(divide="ignore", invalid="ignore"):
        years = np.where(gap <= 0, 0.0, np.where(relative > 0, gap / relative, np.inf))
    return np.asarray(year_now, dtype=float) + years


def linked_price_decline(measured_decline_per_year, floor_gain_per_year, pass_through=0.0):
    """The price's yearly fall when a share ``pass_through`` of the floor's gain reaches the price.

    Geometric mix ``measured**(1 - s) * floor_gain**s``: ``s = 0`` keeps the measured market rate (today's
    like-for-like rate, which need not follow costs), ``s = 1`` lets the price fall as fast as new capacity's cost
    (competitors' cheaper capacity passed on in full, a constant margin). Both rates are factors per year.
    """
    s = np.asarray(pass_through, dtype=float)
    if np.any((s < 0) | (s > 1)):
        raise ValueError(f"pass_through must be within [0, 1], got {pass_through}")
    return np.asarray(measured_decline_per_year, dtype=float) ** (1 - s) * np.asarray(floor_gain_per_year,
                                                                                    dtype=float) ** s


def entry_verdict(ratio) -> str:
    """``"can"`` when present-value revenue covers cost (``ratio >= 1``), else ``"cannot"``."""
    return "can" if float(ratio) >= 1.0 else "cannot"


def meets_floor_outcome(year, year_now, fmt: str = "{:.1f}") -> str:
    """Words for :func:`year_price_meets_floor_path`'s result: ``already below``, ``never`` or the year."""
    year = float(year)
    if not np.isfinite(year):
        return "never"
    if year <= float(year_now) + 1e-9:
        return "already below"
    return fmt.format(year)


def entry_test(price_now, price_decline_per_year, components: dict, rate, server_life_years,
               network_life_years=6.0, facility_life_years=15.0) -> dict:
    """Can new capacity enter at today's price? Present value of its falling revenue against its cost.

    Revenue per million tokens a year starts at ``price_now`` and falls ``price_decline_per_year``-fold a year; each
    cost part is the present value of what the level floor charges over that part's life, and earns the share of
    revenue the first-year floor gives it, over the same life. Both sides per million tokens of a year's output, so
    the ratio does not depend on volume; it equals ``price_now / first_year_floor``.

    Returns
    -------
    dict
        ``pv_revenue``, ``pv_cost``, ``ratio`` (revenue over cost: >= 1 means entry pays), ``npv``
        (revenue minus cost), ``first_year_floor`` (the price that would make ``ratio`` 1), ``enters`` (bool or
        array).
    """
    first = first_year_floor(components, rate, price_decline_per_year, server_life_years, network_life_years,
                             facility_life_years)
    lives = {"server_capital": server_life_years, "network_capital": network_life_years,
             "facility_capital": facility_life_years, "energy": server_life_years, "other_opex": server_life_years}
    pv_cost = sum(np.asarray(components[k]) * declining_annuity_factor(rate, life, 1.0) for k, life in lives.items()
                  if k in components)
    # revenue is shared among the parts as the first-year floor shares them, each part over its own life
    pv_revenue_per_price = sum(
        np.asarray(first[k]) / first["total"] * declining_annuity_factor(rate, life, price_decline_per_year)
        for k, life in lives.items() if k in components)
    pv_revenue = np.asarray(price_now, dtype=float) * pv_revenue_per_price
    return {"pv_revenue": pv_revenue, "pv_cost": pv_cost, "ratio": pv_revenue / pv_cost, "npv": pv_revenue - pv_cost,
            "first_year_floor": first["total"], "enters": np.asarray(price_now) >= first["total"]}


def opex_usd_per_accelerator_year(server_cost_usd, maintenance_share_per_year=0.0, software_usd_per_year=0.0,
                                  staff_usd_per_year=0.0):
    """Yearly operating cost per accelerator besides energy: maintenance (a share of server cost), software, staff."""
    return (np.asarray(server_cost_usd, dtype=float) * maintenance_share_per_year + software_usd_per_year
            + staff_usd_per_year)


def floor_grid(model: str, chip: str, costs: pd.DataFrame, interactivities, precisions, **floor_options
               ) -> pd.DataFrame:
    """:func:`class_cost_floor` over per-user speeds and precisions (rows that no batch can serve are NaN).

    Returns
    -------
    pandas.DataFrame
        ``precision, interactivity, tokens_per_s, floor_usd_per_mtok``.
    """
    rows = []
    for precision in precisions:
        for speed in interactivities:
            try:
                got = class_cost_floor(model, chip, costs, precision=precision, interactivity_target=float(speed),
                                       **floor_options)
                rows.append({"precision": precision, "interactivity": float(speed), "tokens_per_s": got["tokens_per_s"],
                             "floor_usd_per_mtok": got["total"]})
            except (ValueError, KeyError, IndexError):
                rows.append({"precision": precision, "interactivity": float(speed), "tokens_per_s": np.nan,
                             "floor_usd_per_mtok": np.nan})
    return pd.DataFrame(rows)


def plot_floor_grid(grid: pd.DataFrame, prices: dict | None = None, central: tuple | None = None):
    """The cost floor against per-user speed, one line per precision, with market prices as horizontals."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.8))
    for i, (precision, rows) in enumerate(grid.groupby("precision", sort=False)):
        ax.plot(rows["interactivity"], rows["floor_usd_per_mtok"], "o-", color=f"C{i}", label=f"floor, {precision}")
    for j, (label, value) in enumerate((prices or {}).items()):
        ax.axhline(value, color=f"C{j + 4}", ls="--", lw=1, label=label)
    if central:
        ax.plot([central[0]], [central[1]], "k*", ms=12, label="central case")
    ax.set_yscale("log")
    ax.set_xlabel("tokens per second each user gets")
    ax.set_ylabel("USD per million output tokens (prompts included)")
    ax.set_title("Cost floor across per-user speed and precision (gaps: no batch reaches that speed)")
    ax.legend(fontsize=8)
    return fig


def plot_floor_path(year_now: float, price_now: float, price_decline: float, level_floor: float, first_floor: float,
                    floor_gain: float, end_year: float, price_label: str):
    """Today's price falling at its measured rate against new capacity's break-even as a falling path."""
    import matplotlib.pyplot as plt

    years = np.linspace(year_now, end_year, 200)
    fig, ax = plt.subplots(figsize=(9, 5))
    ax.plot(years, price_now / price_decline ** (years - year_now), "-", color="C0",
            label=f"{price_label}, falling {price_decline:.2f}x/yr")
    ax.plot(years, floor_path(first_floor, year_now, years, floor_gain), "-", color="C3",
            label=f"new capacity's first-year break-even (price falling), gains {floor_gain:.2f}x/yr")
    ax.plot(years, floor_path(level_floor, year_now, years, floor_gain), "--", color="C3",
            label="the same with a level price (the old floor), gains as above")
    ax.axhline(level_floor, color="0.5", ls=":", lw=1, label="the old floor held at today's costs")
    ax.set_yscale("log")
    ax.set_xlabel("year capacity is bought")
    ax.set_ylabel("USD per million output tokens (prompts included)")
    ax.set_title("Price against the break-even of new capacity, as both move")
    ax.legend(fontsize=8)
    return fig


def robust_headline(central: float, draws, threshold: float = 0.10, fmt: str = "{:.3g}") -> dict:
    """The number to quote: the central value, or the Monte Carlo median with its 5th-95th range when they differ.

    Returns ``{"value", "p5", "p95", "uses_median", "text"}``; ``uses_median`` when
    ``|median / central - 1| > threshold``.
    """
    p5, p50, p95 = (float(v) for v in np.percentile(np.asarray(draws, dtype=float), [5, 50, 95]))
    uses_median = bool(abs(p50 / central - 1) > threshold) if central else True
    value = p50 if uses_median else float(central)
    text = (f"{fmt.format(p50)} (Monte Carlo median; 5th-95th {fmt.format(p5)}-{fmt.format(p95)}; central "
            f"{fmt.format(central)})" if uses_median else
            f"{fmt.format(central)} (5th-95th {fmt.format(p5)}-{fmt.format(p95)})")
    return {"value": value, "p5": p5, "p95": p95, "median": p50, "uses_median": uses_median, "text": text}
