"""Does inference pay for the capex? Sequoia's top-down arithmetic and a bottom-up payback, to 2030.

Top-down (Sequoia Capital, David Cahn, "AI's $600B Question", 2024-06-20)::

    revenue needed = GPU vendor's data-centre run-rate x 2 (GPUs are half of the data centre's cost)
                                                        / (1 - 0.5) (a 50% gross margin for the GPU's end user)

It is the revenue that **one year** of such spending must bring in over its life (Cahn's own framing of the
$200B version: "lifetime revenue"), which equals the annual revenue needed only in a steady state where spending
stays at that level and costs are not discounted.

Bottom-up (this module), every vintage of capex in service (:func:`answer`)::

    charge(t)   = sum over vintages v in service of capex_v x ai_share
                    x [compute_share x CRF(r, server life) + network_share x CRF(r, network life)
                       + (1 - compute_share - network_share) x CRF(r, facility life)]
                  + (energy + other operating cost) of the servers in service
    revenue(t)  = the same companies' stated AI revenue in 2026, grown with tokens and falling with the price per
                  token, whose decline is linked to the decline in serving cost
    gap(t)      = charge(t) - revenue(t)

CRF is the capital recovery factor (:func:`analysis.capex.capital_recovery_factor`): the level annual payment
that repays a dollar of capital and its return ``r``. Capex by vintage comes from ``data/capex.csv``
(:func:`capex_path`: the companies' statements, then the analysts' aggregate estimate, then a stated growth
parameter); each vintage is charged over its own life, a fractional last year pro rata
(:func:`in_service_weight`). The value of all tokens at list prices is a cross-check, never the revenue.
Capacity (:func:`vintage_capacity`) counts every vintage's inference servers in the units of the demand.
:func:`revenue_needed_usd_b` is the charge of a single vintage, and :func:`median_or_central` picks what a
summary quotes when a Monte Carlo median is far from the central value.

All functions take scalars or numpy arrays and broadcast; :func:`scenario` puts years on the last axis, so a
Monte Carlo is one call on arrays of draws.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.capex import HOURS_PER_YEAR, SECONDS_PER_YEAR, aggregate_capex, capital_recovery_factor
from analysis.compute_split import growth_factor

BASE_YEAR = 2026


# --------------------------------------------------------------------------------------
# Top-down anchors
# --------------------------------------------------------------------------------------

def sequoia_revenue_needed(dc_run_rate_usd_b, tco_multiple=2.0, end_user_gross_margin=0.5):
    """Sequoia's "revenue needed": a data-centre GPU run-rate x TCO multiple / (1 - end user's gross margin).

    Parameters
    ----------
    dc_run_rate_usd_b : float or array
        Annualized data-centre revenue of the GPU vendor(s), USD billions (Sequoia: NVIDIA, $150B).
    tco_multiple : float or array
        Total cost of an AI data centre over its GPUs (Sequoia: 2, "GPUs are half of the total cost").
    end_user_gross_margin : float or array
        Gross margin the buyer of the compute must earn (Sequoia: 0.5).

    Returns
    -------
    numpy.ndarray
        USD billions of revenue (over the life of one year's spending, see the module note).
    """
    margin = np.asarray(end_user_gross_margin, dtype=float)
    if np.any(margin >= 1) or np.any(margin < 0):
        raise ValueError("end_user_gross_margin must lie in [0, 1)")
    return np.asarray(dc_run_rate_usd_b, dtype=float) * tco_multiple / (1.0 - margin)


def run_rate_from_quarter(quarter_usd_b):
    """Annualized run-rate of a quarter's revenue (x 4)."""
    return 4.0 * np.asarray(quarter_usd_b, dtype=float)


def latest_quarters(revenue: pd.DataFrame, measures=("dc_revenue", "ai_chip_revenue")) -> pd.DataFrame:
    """The latest *actual* quarter of each company for the vendor measures of ``data/ai_revenue.csv``.

    Returns
    -------
    pandas.DataFrame
        ``company, measure, period, period_end, value_usd_b, run_rate_usd_b, source`` (one row per company).
    """
    rows = revenue[revenue["measure"].isin(measures) & (revenue["basis"] == "actual")]
    rows = rows.sort_values("period_end").groupby("company", as_index=False).tail(1)
    out = rows[["company", "measure", "period", "period_end", "value_usd_b", "source"]].copy()
    out["run_rate_usd_b"] = run_rate_from_quarter(out["value_usd_b"].to_numpy())
    return out.sort_values("value_usd_b", ascending=False).reset_index(drop=True)


def latest_run_rates(revenue: pd.DataFrame) -> pd.DataFrame:
    """The latest ``run_rate`` statement per company (actuals only), never mixed with other measures."""
    rows = revenue[(revenue["measure"] == "run_rate") & (revenue["basis"] == "actual")]
    rows = rows.sort_values("period_end").groupby("company", as_index=False).tail(1)
    return rows[["company", "period", "value_usd_b", "bound", "scope", "statement_date", "source"]] \
        .sort_values("value_usd_b", ascending=False).reset_index(drop=True)


def bain_implied(revenue_needed_2030_usd_b=2000.0, shortfall_usd_b=800.0, capex_per_year_usd_b=500.0) -> dict:
    """What follows arithmetically from Bain's published headline figures (Technology Report 2025).

    Returns
    -------
    dict
        ``funded_usd_b`` (revenue Bain finds available: needed - shortfall) and
        ``capex_to_revenue`` (annual capex over the revenue it requires: Bain's "sustainable" ratio).
    """
    return {"funded_usd_b": revenue_needed_2030_usd_b - shortfall_usd_b,
            "capex_to_revenue": capex_per_year_usd_b / revenue_needed_2030_usd_b}


# --------------------------------------------------------------------------------------
# Bottom-up, one vintage
# --------------------------------------------------------------------------------------

def capital_charge_per_capex_dollar(cost_of_capital, depreciation_years, compute_share=0.6, network_share=0.1,
                                    network_life_years=6.0, facility_life_years=15.0):
    """Annual charge per dollar of AI capex (servers, network, facilities each over its own life, at ``r``).

    Longer lives give a smaller charge; a higher cost of capital a larger one.
    """
    cs = np.asarray(compute_share, dtype=float)
    ns = np.asarray(network_share, dtype=float)
    if np.any(ns < 0) or np.any(cs + ns > 1 + 1e-12):
        raise ValueError("need 0 <= network_share <= 1 - compute_share")
    return (cs * capital_recovery_factor(cost_of_capital, depreciation_years)
            + ns * capital_recovery_factor(cost_of_capital, network_life_years)
            + (1.0 - cs - ns) * capital_recovery_factor(cost_of_capital, facility_life_years))


def energy_per_server_dollar(server_cost_usd, it_kw_per_accelerator, pue, electricity_usd_per_kwh):
    """Energy bill per year per dollar of server capex (accelerators x kW x PUE x hours x price / server capex)."""
    return (np.asarray(it_kw_per_accelerator, dtype=float) * pue * HOURS_PER_YEAR * electricity_usd_per_kwh
            / np.asarray(server_cost_usd, dtype=float))


def revenue_needed_usd_b(capex_usd_b, ai_share, cost_of_capital, depreciation_years, compute_share=0.6,
                         network_share=0.1, network_life_years=6.0, facility_life_years=15.0, energy_per_dollar=0.0,
                         other_opex_share=0.0):
    """Revenue a year needed for one vintage of AI capex to earn ``cost_of_capital`` (USD billions).

    Parameters
    ----------
    capex_usd_b : float or array
        The vintage's total capex (USD billions); ``ai_share`` of it is AI.
    energy_per_dollar : float or array
        Energy per year per dollar of server capex (:func:`energy_per_server_dollar`).
    other_opex_share : float or array
        Other operating cost (staff, maintenance) per year as a share of server capex.
    """
    ai = np.asarray(capex_usd_b, dtype=float) * ai_share
    servers = ai * np.asarray(compute_share, dtype=float)
    charge = ai * capital_charge_per_capex_dollar(cost_of_capital, depreciation_years, compute_share, network_share,
                                                  network_life_years, facility_life_years)
    return charge + servers * (np.asarray(energy_per_dollar, dtype=float) + other_opex_share)


def token_revenue_usd_b(tokens_per_year, price_usd_per_mtok, other_revenue_usd_b=0.0):
    """Revenue from tokens billed at an average price (USD per million tokens) plus revenue not billed per token."""
    return np.asarray(tokens_per_year, dtype=float) * price_usd_per_mtok / 1e6 / 1e9 + other_revenue_usd_b


def breakeven_price_usd_per_mtok(cost_usd_b, tokens_per_year):
    """Average price per million tokens at which ``tokens_per_year`` bring in ``cost_usd_b``."""
    return np.asarray(cost_usd_b, dtype=float) * 1e9 / np.asarray(tokens_per_year, dtype=float) * 1e6


def capacity_tokens_per_year(inference_server_capex_usd_b, server_cost_usd, tokens_per_s_per_accelerator):
    """Tokens a year the inference servers could serve at 100% of their serving throughput."""
    accelerators = np.asarray(inference_server_capex_usd_b, dtype=float) * 1e9 / server_cost_usd
    return accelerators * tokens_per_s_per_accelerator * SECONDS_PER_YEAR


# --------------------------------------------------------------------------------------
# Scenarios to 2030
# --------------------------------------------------------------------------------------

def fan(paths, q=(5, 25, 50, 75, 95)) -> pd.DataFrame:
    """Percentiles over draws (axis 0) of a ``(draws, years)`` array: one column per percentile."""
    values = np.percentile(np.asarray(paths, dtype=float), q, axis=0)
    return pd.DataFrame({f"p{p}": v for p, v in zip(q, values)})


# --------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------

def plot_anchors(table: pd.DataFrame, title: str = "Revenue needed and revenue seen, USD billions a year"):
    """Horizontal bars of the anchors side by side: ``label``, ``value``, ``kind`` (needed / revenue), ``low``/``high``.

    Rows whose ``kind`` is ``needed`` are red, ``revenue`` blue; ``low``/``high`` (optional, NaN for none) are drawn
    as whiskers.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 0.5 * len(table) + 1.5))
    y = np.arange(len(table))[::-1]
    colors = np.where(table["kind"] == "needed", "tab:red", "tab:blue")
    ax.barh(y, table["value"], color=colors, alpha=0.8)
    if {"low", "high"} <= set(table.columns):
        ranged = table["low"].notna().to_numpy()
        ax.errorbar(table.loc[ranged, "value"], y[ranged],
                    xerr=[table.loc[ranged, "value"] - table.loc[ranged, "low"],
                          table.loc[ranged, "high"] - table.loc[ranged, "value"]], fmt="none", ecolor="k", capsize=4)
    for yi, v in zip(y, table["value"]):
        ax.text(v, yi, f" {v:,.0f}", va="center", fontsize=8)
    ax.set_yticks(y)
    ax.set_yticklabels(table["label"], fontsize=8)
    ax.set_xlabel("USD billions (red: revenue needed; blue: revenue stated or implied)")
    ax.set_title(title)
    return fig


def plot_gap_fan(years, central, bands: pd.DataFrame, anchors: dict | None = None,
                 ylabel: str = "gap: revenue needed - revenue, USD billions a year"):
    """Fan chart of the gap over time: central path, 5-95 and 25-75 percentile bands, optional dated anchors.

    Parameters
    ----------
    anchors : dict, optional
        ``{label: (year, value)}`` drawn as markers (e.g. Bain's 2030 shortfall).
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 5))
    ax.fill_between(years, bands["p5"], bands["p95"], color="C0", alpha=0.18, label="5th-95th percentile")
    ax.fill_between(years, bands["p25"], bands["p75"], color="C0", alpha=0.35, label="25th-75th percentile")
    ax.plot(years, bands["p50"], color="C0", lw=1.5, ls="--", label="median of draws")
    ax.plot(years, central, color="k", lw=2, label="central parameters")
    for i, (label, (year, value)) in enumerate((anchors or {}).items()):
        ax.plot([year], [value], marker="D", ms=9, ls="none", color=f"C{i + 3}", label=label)
    ax.axhline(0, color="0.3", lw=1)
    ax.set_xticks(list(years))
    ax.set_xlabel("year")
    ax.set_ylabel(ylabel)
    ax.set_title("Does revenue cover the capex? The gap by year (above 0: short)")
    ax.legend(fontsize=8, loc="upper left")
    return fig


# --------------------------------------------------------------------------------------
# All vintages in service (issue 21): the capex path from the data, each vintage on its own life
# --------------------------------------------------------------------------------------

def capex_path(capex: pd.DataFrame, companies, first_year: int, horizon: int, estimate_group: str | None = None,
               growth_after_data=1.0, **aggregate_options) -> pd.DataFrame:
    """Capex by calendar year for ``companies``, from the data where it has them, projected after.

    Each year from ``first_year`` takes, in order: the companies' stated figures
    (:func:`analysis.capex.aggregate_capex`: actual, else latest guidance, for every company); else the
    latest analysts' aggregate for ``estimate_group`` (a ``company`` label of ``data/capex.csv`` with kind
    ``aggregate`` or ``analyst_estimate`` covering the same companies); else the last year found times
    ``growth_after_data`` per year (a parameter, not a statement). ``aggregate_options`` go to
    :func:`analysis.capex.aggregate_capex` unchanged (e.g. its lease basis).

    Returns
    -------
    pandas.DataFrame
        ``year, capex_usd_b, low_usd_b, high_usd_b, kind`` (``stated``, ``estimate`` or ``projected``) and
        ``basis`` (what the figure is).
    """
    rows = []
    for year in range(int(first_year), int(horizon) + 1):
        try:
            found = aggregate_capex(capex, year, list(companies), **aggregate_options)
            rows.append({"year": year, "capex_usd_b": found["point"], "low_usd_b": found["low"],
                         "high_usd_b": found["high"], "kind": "stated",
                         "basis": "sum of " + ", ".join(f"{r.company} {r.basis_used}" for r in found["rows"].itertuples())})
            continue
        except ValueError:
            pass
        r = analysts_estimate(capex, estimate_group, year) if estimate_group else None
        if r is not None:
            point = float(r["point_usd_b"])
            rows.append({"year": year, "capex_usd_b": point,
                         "low_usd_b": float(r["low_usd_b"]) if pd.notna(r["low_usd_b"]) else point,
                         "high_usd_b": float(r["high_usd_b"]) if pd.notna(r["high_usd_b"]) else point,
                         "kind": "estimate", "basis": f"{estimate_group}, {r['kind']} of {r['statement_date']:%Y-%m-%d}"})
            continue
        if not rows:
            raise ValueError(f"no capex for {first_year} for {list(companies)} in the data")
        last = rows[-1]
        g = float(growth_after_data)
        rows.append({"year": year, "capex_usd_b": last["capex_usd_b"] * g, "low_usd_b": last["low_usd_b"] * g,
                     "high_usd_b": last["high_usd_b"] * g, "kind": "projected",
                     "basis": f"previous year x {g:g} (parameter)"})
    return pd.DataFrame(rows)


def analysts_estimate(capex: pd.DataFrame, estimate_group: str, year: int):
    """The latest analysts' aggregate (``kind`` aggregate or analyst_estimate) of ``estimate_group`` for calendar
    ``year`` in ``data/capex.csv``, as a row; None when there is none."""
    est = capex[capex["kind"].isin(["aggregate", "analyst_estimate"]) & (capex["company"] == estimate_group)
                & (capex["period_start"] == f"{year}-01") & (capex["period_end"] == f"{year}-12")]
    return None if est.empty else est.sort_values("statement_date").iloc[-1]


def in_service_weight(ages, life, first_year_weight=1.0):
    """Share of year ``age`` (0 = the year bought) in which an asset of ``life`` years is still charged.

    The asset enters service ``1 - first_year_weight`` into its purchase year and serves ``life`` years from
    then. ``first_year_weight = 1`` (bought on 1 January): 1 for whole years of life, the fraction of the last
    year for a fractional life (5.5 years: 0.5 in the sixth year). ``first_year_weight = 0.5`` is the
    half-year convention (spending spread over the year, on average in service from mid-year): 0.5 in the
    purchase year, 1 after, and the rest of its life in the year it retires. 0 before purchase and after
    retirement; the weights of a vintage always add up to ``life``.
    """
    ages = np.asarray(ages, dtype=float)
    f = np.asarray(first_year_weight, dtype=float)
    if np.any(f <= 0) or np.any(f > 1):
        raise ValueError("first_year_weight must lie in (0, 1]")
    start = 1.0 - f                                                  # when in year 0 the asset enters service
    end = start + np.asarray(life, dtype=float)
    return np.clip(np.minimum(ages + 1.0, end) - np.maximum(ages, start), 0.0, 1.0)


def vintage_charges(years, vintage_years, capex_usd_b, ai_share, compute_share, network_share, cost_of_capital,
                    depreciation_years, network_life_years=6.0, facility_life_years=15.0, energy_per_dollar=0.0,
                    other_opex_share=0.0, first_year_weight=1.0):
    """Annual charge of every vintage in every year: ``(..., year, vintage)``, USD billions.

    A vintage's AI capex (``capex x ai_share``) is charged, each part over its own life at its capital
    recovery factor (servers ``compute_share`` over ``depreciation_years``, network over its life,
    facilities over theirs), and its servers' energy and other operating cost (shares of server capex a
    year) while the servers are in service. Summed over all years of its life, a vintage pays
    ``capex x ai_share x sum(part x CRF(r, life) x life) + servers x (energy + opex) x server life``.

    Parameters
    ----------
    years, vintage_years : sequence of int
        Calendar years charged and the years the vintages were bought.
    capex_usd_b : array, shape ``(..., len(vintage_years))``
        Each vintage's total capex (draws on leading axes).
    first_year_weight : float
        Share of the purchase year a vintage is charged (and serves): 1 bought on 1 January, 0.5 the half-year
        convention (:func:`in_service_weight`); a vintage's charges add up to the same total either way.
    other inputs : float or array broadcasting to the leading axes
    """
    years = np.asarray(list(years), dtype=float)
    vintages = np.asarray(list(vintage_years), dtype=float)
    capex = np.asarray(capex_usd_b, dtype=float)
    if capex.shape[-1:] != vintages.shape:
        raise ValueError(f"capex_usd_b's last axis must have one entry per vintage ({vintages.size})")
    lead = lambda v: np.asarray(v, dtype=float)[..., None, None]
    cs, ns = lead(compute_share), lead(network_share)
    if np.any(ns < 0) or np.any(cs + ns > 1 + 1e-12):
        raise ValueError("need 0 <= network_share <= 1 - compute_share")
    r, life = lead(cost_of_capital), lead(depreciation_years)
    age = years[:, None] - vintages[None, :]                                 # (year, vintage)
    ai = (capex * np.asarray(ai_share, dtype=float)[..., None])[..., None, :]
    first = lead(first_year_weight)
    servers_on = in_service_weight(age, life, first)
    charge = ai * cs * capital_recovery_factor(r, life) * servers_on
    for part, part_life in ((ns, lead(network_life_years)), (1.0 - cs - ns, lead(facility_life_years))):
        charge = charge + ai * part * capital_recovery_factor(r, part_life) * in_service_weight(age, part_life, first)
    running = lead(energy_per_dollar) + lead(other_opex_share)
    return charge + ai * cs * running * servers_on


def vintage_capacity(years, vintage_years, capex_usd_b, ai_share, compute_share, inference_share, depreciation_years,
                     server_cost_usd, tokens_per_s_per_accelerator, chip_cost_decline, base_year=BASE_YEAR,
                     first_year_weight=1.0):
    """Tokens a year the inference servers of all vintages in service could serve at 100%: ``(..., year)``.

    A vintage's inference server spend (``capex x ai_share x compute_share x inference_share``) buys
    capacity at the ``base_year`` price of a unit of capacity (``server_cost_usd`` per accelerator serving
    ``tokens_per_s_per_accelerator``), cheaper by ``chip_cost_decline`` a year for later vintages and dearer
    for earlier ones; a vintage serves while its servers are in service (fractional first and last years pro
    rata, ``first_year_weight`` as in :func:`in_service_weight`).
    """
    years = np.asarray(list(years), dtype=float)
    vintages = np.asarray(list(vintage_years), dtype=float)
    capex = np.asarray(capex_usd_b, dtype=float)
    lead = lambda v: np.asarray(v, dtype=float)[..., None]
    spend = capex * lead(ai_share) * lead(compute_share) * lead(inference_share)                 # (..., vintage)
    per_usd_b = capacity_tokens_per_year(1.0, lead(server_cost_usd), lead(tokens_per_s_per_accelerator)) \
        * lead(chip_cost_decline) ** (vintages - base_year)
    weight = in_service_weight(years[:, None] - vintages[None, :], np.asarray(depreciation_years, dtype=float)[..., None, None],
                               np.asarray(first_year_weight, dtype=float)[..., None, None])
    return np.einsum("...yv,...v->...y", weight, spend * per_usd_b)


def stated_revenue_in_scope(revenue: pd.DataFrame, companies) -> pd.DataFrame:
    """The latest AI run-rate statement of each company in ``companies`` (``data/ai_revenue.csv``, actuals).

    Companies of the scope with no statement are listed with ``value_usd_b`` NaN, so a caller can see what
    its revenue side is missing.
    """
    stated = latest_run_rates(revenue)
    out = pd.DataFrame({"company": list(companies)}).merge(stated, on="company", how="left")
    return out


def vintage_scenario(years, vintage_years, capex_usd_b, ai_share, compute_share, inference_share, cost_of_capital,
                     depreciation_years, revenue_2026_usd_b, token_growth, chip_cost_decline, price_cost_link,
                     tokens_2026, server_cost_usd, tokens_per_s_per_accelerator, energy_per_dollar=0.0,
                     network_share=0.1, network_life_years=6.0, facility_life_years=15.0, other_opex_share=0.0,
                     token_growth_decay=0.0, first_year_weight=1.0) -> dict:
    """Charge of all vintages in service against stated AI revenue, by year (years on the last axis).

    Revenue grows as tokens grow and prices fall: ``revenue(t) = revenue_2026 x tokens(t)/tokens_2026 /
    price_decline^t``, with the price decline **linked** to the cost decline of serving
    (``price_decline = chip_cost_decline x price_cost_link``: 1 keeps the margin per token constant).
    The charge is every vintage's (:func:`vintage_charges`), training included; the inference-only view
    charges ``inference_share`` of it. Capacity counts every vintage's inference servers
    (:func:`vintage_capacity`), in the same token units as ``tokens_2026``.

    Parameters
    ----------
    capex_usd_b : array, shape ``(..., len(vintage_years))``
        Capex of every vintage (the data's years and the projection, see :func:`capex_path`).
    revenue_2026_usd_b : float or array
        AI revenue of the companies that pay the capex, 2026.
    tokens_2026 : float or array
        Tokens served in 2026, same units as the capacity (input and output tokens counted alike).
    first_year_weight : float
        Share of its purchase year a vintage is charged and serves (0.5: the half-year convention, which lines
        a vintage's first-year charge up with revenue read as a mid-year run-rate; see :func:`in_service_weight`).

    Returns
    -------
    dict of numpy.ndarray
        ``years``; each ``(..., len(years))``: ``charge_usd_b`` (all AI capex, opex and energy),
        ``charge_inference_usd_b``, ``revenue_usd_b``, ``gap_usd_b``, ``gap_inference_usd_b``, ``tokens``,
        ``capacity_tokens``, ``utilization``, ``price_decline`` and ``breakeven_price_usd_per_mtok`` /
        ``breakeven_price_inference_usd_per_mtok`` (the average price per million tokens at which the
        year's tokens would pay the charge).
    """
    years = np.asarray(list(years), dtype=int)
    if years.size == 0 or years[0] != BASE_YEAR or np.any(np.diff(years) != 1):
        raise ValueError(f"years must run consecutively from {BASE_YEAR}, got {years.tolist()}")
    capex = np.asarray(capex_usd_b, dtype=float)
    scalars = [ai_share, compute_share, inference_share, cost_of_capital, depreciation_years, revenue_2026_usd_b,
               token_growth, chip_cost_decline, price_cost_link, tokens_2026, server_cost_usd,
               tokens_per_s_per_accelerator, energy_per_dollar, network_share, network_life_years,
               facility_life_years, other_opex_share, token_growth_decay, first_year_weight]
    lead_shape = np.broadcast_shapes(capex.shape[:-1], *(np.shape(a) for a in scalars))
    (ai, cs, inf, r, life, rev0, g, c, link, tok0, server, tps, energy, ns, net_life, fac_life, opex,
     decay, first) = (np.broadcast_to(np.asarray(a, dtype=float), lead_shape) for a in scalars)
    capex = np.broadcast_to(capex, lead_shape + capex.shape[-1:])
    dt = (years - BASE_YEAR).astype(float)
    col = lambda a: a[..., None]
    tokens = col(tok0) * growth_factor(col(g), dt, col(decay), 1.0)
    price_decline = c * link
    revenue = col(rev0) * tokens / col(tok0) / col(price_decline) ** dt
    charges = vintage_charges(years, vintage_years, capex, ai, cs, ns, r, life, net_life, fac_life, energy, opex,
                              first)
    charge = charges.sum(axis=-1)
    capacity = vintage_capacity(years, vintage_years, capex, ai, cs, inf, life, server, tps, c,
                                first_year_weight=first)
    with np.errstate(divide="ignore", invalid="ignore"):
        utilization = np.where(capacity > 0, tokens / capacity, np.nan)
    return {"years": years, "charge_usd_b": charge, "charge_inference_usd_b": charge * col(inf),
            "revenue_usd_b": revenue, "gap_usd_b": charge - revenue, "gap_inference_usd_b": charge * col(inf) - revenue,
            "tokens": tokens, "capacity_tokens": capacity, "utilization": utilization,
            "price_decline": np.broadcast_to(col(price_decline), charge.shape),
            "breakeven_price_usd_per_mtok": breakeven_price_usd_per_mtok(charge, tokens),
            "breakeven_price_inference_usd_per_mtok": breakeven_price_usd_per_mtok(charge * col(inf), tokens)}


def median_or_central(central: float, draws, threshold: float = 0.10) -> dict:
    """The figure a summary should quote: the central value, or the Monte Carlo median where they differ.

    Returns
    -------
    dict
        ``quote`` (the median when it differs from ``central`` by more than ``threshold`` of the larger
        magnitude, else ``central``), ``which`` (``"median"`` or ``"central"``), ``central``, ``p5``, ``p50``,
        ``p95``.
    """
    values = np.asarray(draws, dtype=float)
    p5, p50, p95 = (float(v) for v in np.percentile(values, [5, 50, 95]))
    scale = max(abs(central), abs(p50))
    differs = scale > 0 and abs(p50 - central) > threshold * scale
    return {"quote": p50 if differs else float(central), "which": "median" if differs else "central",
            "central": float(central), "p5": p5, "p50": p50, "p95": p95}


def money_usd_b(value) -> str:
    """``$1,234B`` / ``-$1,234B`` (sign before the dollar; the dollar escaped for Markdown)."""
    return f"{'-' if value < 0 else ''}\\${abs(value):,.0f}B"


def describe_quote(q: dict, fmt=money_usd_b) -> str:
    """Text for a :func:`median_or_central` result: the median with its range and the central value where the
    summary must quote the median, else the central value with the range."""
    if q["which"] == "median":
        return (f"{fmt(q['p50'])} (median of the draws; 5th-95th percentile {fmt(q['p5'])} to {fmt(q['p95'])}; "
                f"central parameters {fmt(q['central'])})")
    return f"{fmt(q['central'])} (5th-95th percentile {fmt(q['p5'])} to {fmt(q['p95'])})"


def plot_vintage_stack(years, charges, vintage_years, revenue=None, cross_check=None,
                       title: str = "Charge of every vintage in service against AI revenue, USD billions a year"):
    """Stacked bars of each vintage's charge by year, with revenue (line) and a labelled cross-check (markers)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 5))
    bottom = np.zeros(len(years))
    charges = np.asarray(charges, dtype=float)
    for j, v in enumerate(vintage_years):
        if np.any(charges[:, j] > 0):
            ax.bar(years, charges[:, j], bottom=bottom, label=f"{v} vintage", color=plt.cm.viridis(j / max(1, len(vintage_years) - 1)))
            bottom += charges[:, j]
    if revenue is not None:
        ax.plot(years, revenue, "k-o", lw=2, label="AI revenue (stated run-rates, grown)")
    if cross_check is not None:
        label, values = cross_check
        ax.plot(years, values, "s--", color="C3", label=label)
    ax.set_xticks(list(years))
    ax.set_xlabel("year")
    ax.set_ylabel("USD billions a year")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, ncol=2)
    return fig


def capex_vector(path: pd.DataFrame, growth_after_data=1.0):
    """Capex of every vintage of :func:`capex_path` as an array, the projected years redrawn at ``growth_after_data``.

    The data's years (``stated``, ``estimate``) keep their figures; each ``projected`` year is the last data
    year's capex x ``growth_after_data`` per year since it. ``growth_after_data`` may be an array of draws:
    the result is ``shape(growth) + (len(path),)``.
    """
    g = np.asarray(growth_after_data, dtype=float)[..., None]
    data_rows = path["kind"].to_numpy() != "projected"
    if not data_rows.any():
        raise ValueError("the capex path has no year from the data")
    last = np.flatnonzero(data_rows)[-1]
    if np.any(~data_rows[:last]):
        raise ValueError("projected years must come after every year from the data")
    years = path["year"].to_numpy(dtype=float)
    base = path["capex_usd_b"].to_numpy(dtype=float)
    steps = np.where(data_rows, 0.0, years - years[last])
    return np.where(data_rows, base, base[last] * g ** steps)


def uncertain_spec(central: dict, ranges: dict) -> dict:
    """A Monte Carlo spec: ``central`` with each name of ``ranges`` drawn uniformly over its ``(low, high)``.

    Ranges are widened to contain their central value (:meth:`analysis.capex.Uncertain.spanning`).
    """
    from analysis.capex import Uncertain

    unknown = set(ranges) - set(central)
    if unknown:
        raise ValueError(f"ranges for names with no central value: {sorted(unknown)}")
    return {**central, **{name: Uncertain.spanning(float(lo), float(hi), float(central[name]))
                          for name, (lo, hi) in ranges.items()}}


def answer(years, path: pd.DataFrame, stated_revenue_usd_b, unstated_revenue_over_stated=0.0,
           capex_growth_after_data=1.0, **inputs) -> dict:
    """06's bottom-up answer: every vintage of ``path`` charged against the scope's AI revenue, by year.

    ``revenue_2026 = stated_revenue_usd_b x (1 + unstated_revenue_over_stated)`` (stated run-rates of the
    companies that have one, and the others' as a multiple of them); capex by vintage from
    :func:`capex_vector`; everything else is passed to :func:`vintage_scenario` (scalars or draws).
    """
    growth = np.asarray(capex_growth_after_data, dtype=float)
    capex = capex_vector(path, growth)
    revenue = np.asarray(stated_revenue_usd_b, dtype=float) * (1.0 + np.asarray(unstated_revenue_over_stated, dtype=float))
    return vintage_scenario(years, path["year"].to_numpy(), capex, revenue_2026_usd_b=revenue, **inputs)


# --------------------------------------------------------------------------------------
# Where a headline changes sign (issue 21 review)
# --------------------------------------------------------------------------------------

def sign_change(fn, grid, log=False, tol=1e-6):
    """The first value on ``grid`` (ascending) where ``fn`` changes sign, refined by bisection; NaN if none.

    ``fn`` takes an array of values and returns one number per value (vectorized): it is evaluated on the
    whole grid, the first adjacent pair with opposite signs (or an exact zero) is bracketed, and the root is
    found by Brent's method (on the log scale when ``log``). A function that is not monotonic may cross more
    than once: this is the **first** crossing on the grid.
    """
    from scipy.optimize import brentq

    grid = np.asarray(grid, dtype=float)
    values = np.asarray(fn(grid), dtype=float)
    signs = np.sign(values)
    zero = np.flatnonzero(signs == 0)
    flips = np.flatnonzero(signs[:-1] * signs[1:] < 0)
    if zero.size and (not flips.size or zero[0] <= flips[0]):
        return float(grid[zero[0]])
    if not flips.size:
        return float("nan")
    lo, hi = grid[flips[0]], grid[flips[0] + 1]
    scalar = lambda x: float(np.asarray(fn(np.asarray([x], dtype=float)), dtype=float).ravel()[0])
    if log:
        return float(np.exp(brentq(lambda u: scalar(np.exp(u)), np.log(lo), np.log(hi), xtol=tol)))
    return float(brentq(scalar, lo, hi, xtol=tol))


def price_decline_at_zero_gap(years, path: pd.DataFrame, grid=None, key="gap_usd_b", **inputs) -> float:
    """The yearly price decline at which the horizon's gap (``key``) of :func:`answer` is zero; NaN if none on ``grid``.

    The price decline is ``chip_cost_decline x price_cost_link`` (:func:`vintage_scenario`); this varies
    ``chip_cost_decline`` with the link held and returns the price decline. Capex is in dollars, so a faster
    decline only lowers revenue: below the returned rate revenue covers the charge, above it it falls short.
    """
    link = float(inputs.get("price_cost_link", 1.0))
    grid = np.geomspace(1.0, 10.0, 91) if grid is None else np.asarray(grid, dtype=float)
    gap = lambda decline: answer(years, path, **{**inputs, "chip_cost_decline": decline / link})[key][..., -1]
    return sign_change(gap, grid, log=True)


def revenue_multiple_at_zero_gap(years, path: pd.DataFrame, year_index=0, grid=None, key="gap_usd_b", **inputs) -> float:
    """``unstated_revenue_over_stated`` at which the gap (``key``) of year ``years[year_index]`` is zero; NaN if none.

    Revenue is linear in the multiple, so there is one root; a multiple above it closes the gap.
    """
    grid = np.linspace(0.0, 20.0, 201) if grid is None else np.asarray(grid, dtype=float)
    gap = lambda m: answer(years, path, **{**inputs, "unstated_revenue_over_stated": m})[key][..., year_index]
    return sign_change(gap, grid)
