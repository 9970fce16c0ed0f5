"""Does inference pay for the capex? Sequoia's top-down arithmetic and a bottom-up payback, to 2030.

Top-down (Sequoia Capital, David Cahn, "AI's $600B Question", 2024-06-20)::

    revenue needed = GPU vendor's data-centre run-rate x 2 (GPUs are half of the data centre's cost)
                                                        / (1 - 0.5) (a 50% gross margin for the GPU's end user)

It is the revenue that **one year** of such spending must bring in over its life (Cahn's own framing of the
$200B version: "lifetime revenue"), which equals the annual revenue needed only in a steady state where spending
stays at that level and costs are not discounted.

Bottom-up (this module), one vintage of capex at a time::

    revenue needed(t) = sum over vintages in service of capex_v x ai_share
                          x [compute_share x CRF(r, server life) + network_share x CRF(r, network life)
                             + (1 - compute_share - network_share) x CRF(r, facility life)]
                        + energy of the servers in service
    revenue(t)        = tokens served(t) x average price per token(t) + revenue not billed per token(t)
    gap(t)            = revenue needed(t) - revenue(t)

CRF is the capital recovery factor (:func:`analysis.capex.capital_recovery_factor`): the level annual payment
that repays a dollar of capital and its return ``r``. After the first year, capex is **demand-driven**: each
year buys the inference capacity that demand needs at a target utilisation beyond what the vintages still in
service provide, at a cost per unit of capacity falling ``chip_cost_decline`` -fold a year; training and
facilities scale with it (the inference share of server spend is held). The 2026 vintage is the stated capex.
Vintages before 2026 are not charged (as in Sequoia's comparison of one year's spending with all AI revenue).

All functions take scalars or numpy arrays and broadcast; :func:`scenario` puts years on the last axis, so a
Monte Carlo is one call on arrays of draws.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.capex import HOURS_PER_YEAR, SECONDS_PER_YEAR, capital_recovery_factor
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

def scenario(years, capex_2026_usd_b, ai_share, compute_share, inference_share, cost_of_capital, depreciation_years,
             tokens_2026, token_growth, price_2026, price_decline, chip_cost_decline, target_utilization,
             server_cost_usd, tokens_per_s_per_accelerator, energy_per_dollar=0.0, network_share=0.1,
             network_life_years=6.0, facility_life_years=15.0, other_revenue_2026_usd_b=0.0, other_revenue_growth=1.0,
             other_opex_share=0.0, token_growth_decay=0.0) -> dict:
    """Revenue needed, revenue and gap per year, every input a scalar or an array (draws) that broadcasts.

    Parameters
    ----------
    years : sequence of int
        Calendar years from :data:`BASE_YEAR` on (years come out on the last axis).
    capex_2026_usd_b : float or array
        The 2026 vintage (the companies' guidance), USD billions.
    tokens_2026, token_growth : float or array
        Tokens served in 2026 (a year) and their growth factor per year.
    token_growth_decay : float or array
        Fraction by which the log growth rate of tokens shrinks each year after the first
        (:func:`analysis.compute_split.growth_factor`); 0 holds ``token_growth``.
    price_2026, price_decline : float or array
        Average price per million tokens in 2026 and the factor by which it falls each year.
    chip_cost_decline : float or array
        Factor by which the server cost of a unit of token capacity falls each year.
    target_utilization : float or array
        Utilisation at which later capex is sized to demand (capacity built = demand / target - capacity left).
    server_cost_usd, tokens_per_s_per_accelerator : float or array
        2026 server cost and serving throughput of one accelerator (the capacity per dollar of 2026).

    Returns
    -------
    dict of numpy.ndarray
        ``years`` and, each shaped ``broadcast(inputs) + (len(years),)``: ``capex_usd_b``, ``revenue_needed_usd_b``,
        ``revenue_usd_b``, ``gap_usd_b``, ``tokens``, ``capacity_tokens``, ``utilization``, ``price_usd_per_mtok``.
    """
    years = np.asarray(list(years), dtype=int)
    if years.size == 0 or years[0] != BASE_YEAR or np.any(np.diff(years) != 1):
        raise ValueError(f"years must run consecutively from {BASE_YEAR}, got {years.tolist()}")
    args = [capex_2026_usd_b, ai_share, compute_share, inference_share, cost_of_capital, depreciation_years,
            tokens_2026, token_growth, price_2026, price_decline, chip_cost_decline, target_utilization,
            server_cost_usd, tokens_per_s_per_accelerator, energy_per_dollar, network_share, network_life_years,
            facility_life_years, other_revenue_2026_usd_b, other_revenue_growth, other_opex_share, token_growth_decay]
    (capex0, ai, cs, inf, r, life, tok0, g, p0, d, c, u, server, tps, energy, ns, net_life, fac_life, other0,
     other_g, opex, decay) = (a[..., None] for a in np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in args)))
    dt = (years - BASE_YEAR).astype(float)
    tokens = tok0 * growth_factor(g, dt, decay, 1.0)
    price = p0 / d ** dt
    revenue = token_revenue_usd_b(tokens, price) + other0 * other_g ** dt
    # tokens a year at 100% per USD billion of inference server capex, by vintage
    cap_per_usd_b = capacity_tokens_per_year(1.0, server, tps) * c ** dt
    share = ai * cs * inf                                   # inference server capex per dollar of capex
    shape = np.broadcast_shapes(tokens.shape, cap_per_usd_b.shape, capex0.shape)
    capex = np.zeros(shape)
    capacity = np.zeros(shape)
    for j in range(len(years)):
        alive = (dt[j] - dt[:j]) < life[..., 0:1] if j else np.zeros(shape[:-1] + (0,), dtype=bool)
        existing = (capex[..., :j] * share[..., 0:1] * cap_per_usd_b[..., :j] * alive).sum(axis=-1)
        if j == 0:
            capex[..., 0] = capex0[..., 0]
        else:
            missing = np.clip(tokens[..., j] / u[..., 0] - existing, 0.0, None)
            capex[..., j] = missing / cap_per_usd_b[..., j] / share[..., 0]
        capacity[..., j] = existing + capex[..., j] * share[..., 0] * cap_per_usd_b[..., j]
    # annual charges of the vintages in service, each part over its own life
    age = dt[:, None] - dt[None, :]                          # (year, vintage)
    built = age >= 0
    needed = np.zeros(shape)
    for part, life_of in ((cs, life), (ns, net_life), (1.0 - cs - ns, fac_life)):
        crf = capital_recovery_factor(r, life_of)                      # (..., 1)
        in_service = built & (age < life_of[..., None])                 # (..., year, vintage)
        needed += np.einsum("...yv,...v->...y", in_service * (part * crf)[..., None], capex * ai)
    servers_alive = built & (age < life[..., None])
    needed += np.einsum("...yv,...v->...y", servers_alive,
                        capex * ai * cs * (energy + opex))
    with np.errstate(divide="ignore", invalid="ignore"):
        utilization = np.where(capacity > 0, tokens / capacity, np.nan)
    return {"years": years, "capex_usd_b": capex, "revenue_needed_usd_b": needed, "revenue_usd_b": revenue,
            "gap_usd_b": needed - revenue, "tokens": tokens, "capacity_tokens": capacity,
            "utilization": utilization, "price_usd_per_mtok": np.broadcast_to(price, shape)}


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
