"""Edge vs cloud: owning local inference hardware against paying an API whose price keeps falling.

Month by month over a horizon, for a steady demand of ``tokens_per_month``:

* **cloud**: requests billed as ``input tokens x input price + output tokens x output price``
  (per output token: ``input_tokens_per_output_token x p_in + p_out``), both prices falling
  ``decline_per_year``-fold a year from when they were observed, never below ``price_floor``
  (the cost of serving that model class at the same token mix);
* **own**: servers (local throughput from :mod:`analysis.throughput`) bought at the start
  (landed price = price x (1 + import markup)) and replaced at the end of their life, plus
  electricity for the devices around the clock (board power x host overhead x PUE),
  maintenance and staff time; either enough whole servers for all the demand, or
  (:func:`hybrid_costs`) the cheapest number of servers with the API serving the rest.

Cash flows are discounted monthly at ``discount_rate_per_year`` and the servers' residual
value (straight-line book value of the last purchase x ``residual_fraction``, or a market price
``resale_fraction`` of the landed price, which may lie above book value) is credited in the
horizon's last month. The break-even month is the first month in which the
cumulative discounted cost of owning is no higher than that of the API; ``None`` when
that never happens within the horizon (:func:`breakeven`; its probability over the throughput
model's error from :func:`throughput_draws`, drawn jointly with other inputs). :func:`breakeven` with
``capacity="owned"`` is the cheapest option that owns at least one server, whose present value
against the API is the headline even when the API alone is cheaper, and :func:`owning_flip_points`
finds the staff cost, server price, maintenance, API decline and volume at which that present
value changes sign. Everything broadcasts over numpy arrays (the heat
maps are one call each).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

HOURS_PER_MONTH = 8760.0 / 12
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600


def region_value(regions: pd.DataFrame, region: str, parameter: str) -> float:
    """One regional fact from ``data/regions.csv``; ValueError naming what exists when missing."""
    if region not in set(regions["region"]):
        raise ValueError(f"unknown region {region!r}; known: {', '.join(sorted(set(regions['region'])))}")
    rows = regions[(regions["region"] == region) & (regions["parameter"] == parameter)]
    if rows.empty:
        have = ", ".join(regions.loc[regions["region"] == region, "parameter"])
        raise ValueError(f"regions.csv has no {parameter} for {region} (has: {have})")
    return float(rows["value"].iloc[0])


def api_price_path(price_now, decline_per_year, months, floor=0.0, years_since_observed=0.0):
    """API price in each month 1..months, falling ``decline_per_year``-fold a year, never below ``floor``.

    Parameters
    ----------
    price_now : float or array
        Price when it was observed.
    decline_per_year : float or array
        Factor per year (1 = flat).
    months : int
    floor : float or array
        Lower bound in the same unit (0 = none).
    years_since_observed : float or array
        Years between the observation and the start of month 1.
    """
    m = np.arange(1, int(months) + 1)
    elapsed = np.asarray(years_since_observed, dtype=float)[..., None] + (m - 0.5) / 12.0
    path = np.asarray(price_now, dtype=float)[..., None] / np.asarray(decline_per_year, dtype=float)[..., None] \
        ** elapsed
    return np.maximum(path, np.asarray(floor, dtype=float)[..., None])


def discount_factors(months: int, rate_per_year=0.0):
    """Present value of one dollar paid in each month 1..months (end of month) at an annual rate."""
    if np.any(np.asarray(rate_per_year) < 0):
        raise ValueError("discount rate must be >= 0")
    m = np.arange(1, int(months) + 1)
    return (1.0 + np.asarray(rate_per_year, dtype=float)[..., None]) ** (-m / 12.0)


@dataclass(frozen=True)
class LocalServer:
    """What owning costs for one local server (one model replica, possibly several cards) and what it serves.

    Attributes
    ----------
    price_usd : float
        List price of the server's accelerators (all cards of one replica).
    import_markup : float
        Duties and taxes as a fraction of the price (0.2495 = +24.95%).
    tokens_per_s : float
        Output tokens/s one server sustains at the chosen concurrency.
    board_kw : float
        Board power of the server's accelerators.
    host_overhead : float
        Wall power of the whole machine over the accelerators' board power.
    pue : float
        Facility overhead (1 for an office without dedicated cooling).
    life_years : float
        Replacement period.
    maintenance_per_year : float
        Maintenance and support as a fraction of the landed price per year.
    max_utilization : float
        Highest average fraction of peak throughput demand may use.
    """

    price_usd: float
    import_markup: float
    tokens_per_s: float
    board_kw: float
    host_overhead: float = 1.3
    pue: float = 1.0
    life_years: float = 4.0
    maintenance_per_year: float = 0.05
    max_utilization: float = 0.5

    @property
    def landed_usd(self) -> float:
        return self.price_usd * (1.0 + self.import_markup)

    def capacity_tokens_per_month(self) -> float:
        return self.tokens_per_s * self.max_utilization * SECONDS_PER_MONTH


def cumulative_costs(tokens_per_month, server: LocalServer, electricity_usd_per_kwh, api_price_now,
                     decline_per_year, months: int = 36, api_input_price_now=0.0, input_tokens_per_output_token=0.0,
                     price_floor=0.0, years_since_observed=0.0, discount_rate_per_year=0.0,
                     residual_fraction=0.0, servers=None, staff_usd_per_month=0.0, api_fx_premium=1.0,
                     resale_fraction=None) -> dict:
    """Cumulative (discounted) USD spent by month on owning and on the API (arrays broadcast; months last).

    Parameters
    ----------
    tokens_per_month : float or array
        Steady demand in output tokens (each with its prompt).
    server : LocalServer
    electricity_usd_per_kwh : float or array
    api_price_now : float or array
        API price per million **output** tokens when observed.
    decline_per_year : float or array
        Factor by which the API prices fall each year (1 = flat).
    months : int
        Horizon.
    api_input_price_now : float or array
        API price per million input tokens when observed (0 with the default ratio of 0
        bills output tokens only).
    input_tokens_per_output_token : float or array
        Prompt tokens per output token of the workload.
    price_floor : float or array
        Lowest API cost per million output tokens at the workload's mix (the cost of
        serving the model class); 0 = none.
    years_since_observed : float or array
        Years between the price observation and month 1.
    discount_rate_per_year : float or array
        Annual discount rate for both options' cash flows (0 = undiscounted).
    residual_fraction : float
        Share of the servers' straight-line book value recovered at the horizon (0 = none).
    servers : None or float or array
        Servers owned. ``None``: enough whole servers for all the demand (the API is not used). A number
        (``0, 1, 2 ...``): that many servers serve what they can, up to their capacity, and the API serves
        the rest at its price (the hybrid: own for the base load, rent the remainder).
    staff_usd_per_month : float or array
        Staff time to run the servers, per month while any server is owned (0 = none).
    api_fx_premium : float or array
        The API bill's cost at the exchange rate the buyer pays, over the official rate (1 = official).
    resale_fraction : None or float or array
        ``None``: the residual is ``residual_fraction`` of straight-line book value. A number: the servers'
        market value at the horizon as a share of their landed price (used cards sell for a share of their
        launch price, which may be above book value); replaces the book-value rule.

    Returns
    -------
    dict
        ``own``, ``cloud`` (cumulative discounted USD, shape ``broadcast + (months,)``; ``own`` includes the
        API bill for the demand the owned servers leave over), ``devices``
        (servers), ``residual_usd`` (undiscounted value credited at the horizon), ``own_usd_per_mtok``
        and ``cloud_usd_per_mtok`` (per-month cost per million output tokens, undiscounted).
    """
    if months < 1:
        raise ValueError("months must be at least 1")
    if not 0.0 <= residual_fraction <= 1.0:
        raise ValueError("residual_fraction must lie in [0, 1]")
    tokens = np.asarray(tokens_per_month, dtype=float)
    electricity = np.asarray(electricity_usd_per_kwh, dtype=float)
    capacity = np.asarray(server.capacity_tokens_per_month(), dtype=float)
    tokens, electricity, price_now, decline, price_in, ratio, floor, offset, rate, staff, fx, capacity = \
        np.broadcast_arrays(tokens, electricity, *(np.asarray(v, dtype=float) for v in (
            api_price_now, decline_per_year, api_input_price_now, input_tokens_per_output_token, price_floor,
            years_since_observed, discount_rate_per_year, staff_usd_per_month, api_fx_premium)), capacity)
    if np.any(tokens <= 0):
        raise ValueError("tokens_per_month must be positive")
    if servers is None:
        devices = np.ceil(tokens / capacity)
    else:
        devices = np.broadcast_to(np.asarray(servers, dtype=float), tokens.shape)
        if np.any(devices < 0) or np.any(devices != np.round(devices)):
            raise ValueError("servers must be whole numbers >= 0")
    overflow = np.clip(tokens - devices * capacity, 0.0, None)               # served by the API
    m = np.arange(1, months + 1)
    life_months = max(1, int(round(server.life_years * 12)))
    purchases = ((m - 1) % life_months == 0).astype(float)                  # buy in month 1, then every life
    capital = devices[..., None] * server.landed_usd * purchases
    energy = devices[..., None] * server.board_kw * server.host_overhead * server.pue * HOURS_PER_MONTH \
        * electricity[..., None]
    maintenance = devices[..., None] * server.landed_usd * server.maintenance_per_year / 12.0
    age_at_end = (months - 1) % life_months + 1                              # months since the last purchase
    if resale_fraction is None:
        residual = devices * server.landed_usd * max(0.0, 1.0 - age_at_end / life_months) * residual_fraction
    else:
        resale = np.asarray(resale_fraction, dtype=float)
        if np.any(resale < 0):
            raise ValueError("resale_fraction must be >= 0")
        residual = devices * server.landed_usd * resale
    per_output = price_now + ratio * price_in                               # USD per million output tokens
    cloud_price = api_price_path(per_output, decline, months, floor, offset) * fx[..., None]
    cloud_monthly = tokens[..., None] * cloud_price / 1e6
    staffing = np.where(devices > 0, staff, 0.0)[..., None] * np.ones(months)
    own_monthly = capital + energy + maintenance + staffing + overflow[..., None] * cloud_price / 1e6
    own_monthly = own_monthly - np.where(m == months, residual[..., None], 0.0)
    pv = discount_factors(months, rate)
    running = devices[..., None] * server.landed_usd / life_months + energy + maintenance + staffing \
        + overflow[..., None] * cloud_price / 1e6
    return {"own": np.cumsum(own_monthly * pv, axis=-1), "cloud": np.cumsum(cloud_monthly * pv, axis=-1),
            "devices": devices, "residual_usd": residual, "overflow_tokens_per_month": overflow,
            "own_usd_per_mtok": running / (tokens[..., None] / 1e6) * np.ones_like(cloud_price),
            "cloud_usd_per_mtok": cloud_price}


def _cheapest(options: list) -> dict:
    """Element by element, the option of ``options`` (outputs of :func:`cumulative_costs`) cheapest at the horizon."""
    final = np.stack([o["own"][..., -1] for o in options])
    best = np.argmin(final, axis=0)                                        # ties: the first (fewer servers)
    out = {}
    for key in options[0]:
        stacked = np.stack([np.broadcast_to(o[key], np.shape(o["own"])[:-1] + np.shape(o[key])[best.ndim:])
                            for o in options])
        pick = best.reshape((1,) + best.shape + (1,) * (stacked.ndim - 1 - best.ndim))
        out[key] = np.take_along_axis(stacked, pick, axis=0)[0]
    return out


def hybrid_costs(tokens_per_month, server: LocalServer, *args, **kwargs) -> dict:
    """:func:`cumulative_costs` with the number of owned servers that costs least over the horizon.

    Owned servers below ``floor(demand / capacity)`` are fully used, so each brings the same saving and the
    cheapest count is 0, the whole servers the demand fills, or one more (partly used); the rest of the
    demand goes to the API. Each element of a broadcast takes its own best count (``devices``). Owning
    none gives the API's own cost, so the result is never dearer than the API at the horizon, and the
    saving grows with volume (more tokens for servers already paid for).
    """
    capacity = np.asarray(server.capacity_tokens_per_month(), dtype=float)
    full = np.floor(np.asarray(tokens_per_month, dtype=float) / capacity)
    return _cheapest([cumulative_costs(tokens_per_month, server, *args, servers=n, **kwargs)
                      for n in (np.zeros_like(full), full, full + 1)])


def owned_costs(tokens_per_month, server: LocalServer, *args, **kwargs) -> dict:
    """The cheapest option that owns at least one server (:func:`hybrid_costs` without the API-only option).

    Where the API alone is cheapest, :func:`hybrid_costs` owns nothing and its present-value advantage is 0;
    this is what owning would cost, so its advantage (negative there) says by how much owning loses.
    """
    capacity = np.asarray(server.capacity_tokens_per_month(), dtype=float)
    full = np.maximum(np.floor(np.asarray(tokens_per_month, dtype=float) / capacity), 1.0)
    return _cheapest([cumulative_costs(tokens_per_month, server, *args, servers=n, **kwargs) for n in (full, full + 1)])


def breakeven_month(own_cumulative, cloud_cumulative):
    """First month (1-based) where owning has cost no more than the API so far; NaN when never.

    Works on the last axis, so a grid of scenarios is one call.
    """
    wins = np.asarray(own_cumulative) <= np.asarray(cloud_cumulative)
    first = np.argmax(wins, axis=-1) + 1.0
    return np.where(wins.any(axis=-1), first, np.nan)


def breakeven(tokens_per_month, server: LocalServer, electricity_usd_per_kwh, api_price_now, decline_per_year,
              months: int = 36, capacity: str = "hybrid", **cost_options) -> dict:
    """05's answer: when owning (whole servers, or the cheapest hybrid of servers and API) catches up with the API.

    Parameters
    ----------
    capacity : str
        ``"whole"``: enough whole servers for all the demand (:func:`cumulative_costs` with ``servers=None``);
        ``"hybrid"``: the cheapest number of owned servers, the API serving the rest (:func:`hybrid_costs`);
        ``"owned"``: the cheapest option with at least one server (:func:`owned_costs`).
    cost_options
        Passed on (input price and ratio, floor, discounting, residual, staff, FX premium on the API).

    Returns
    -------
    dict
        ``month`` (first month owning has cost no more than the API; NaN when never, or when no server is
        worth owning), ``servers``, ``npv_advantage_usd`` (API minus owning at the horizon, discounted) and
        the cost paths of :func:`cumulative_costs`.
    """
    if capacity == "whole":
        out = cumulative_costs(tokens_per_month, server, electricity_usd_per_kwh, api_price_now, decline_per_year,
                               months, **cost_options)
    elif capacity in ("hybrid", "owned"):
        costs = hybrid_costs if capacity == "hybrid" else owned_costs
        out = costs(tokens_per_month, server, electricity_usd_per_kwh, api_price_now, decline_per_year, months,
                    **cost_options)
    else:
        raise ValueError(f"capacity must be whole, hybrid or owned, got {capacity!r}")
    month = np.where(out["devices"] > 0, breakeven_month(out["own"], out["cloud"]), np.nan)
    return {**out, "month": month, "servers": out["devices"], "npv_advantage_usd": out["cloud"][..., -1] - out["own"][..., -1]}


def throughput_draws(central, low, high, level: float, n: int, rng: np.random.Generator):
    """Draws from a lognormal fitted to an interval (``low``-``high`` at ``level``, ``central`` the median).

    Used for the local throughput and for the API price decline. The log-scale spread is set by the wider of
    the interval's two sides (an asymmetric interval is not narrowed); the median is ``central``.
    """
    from statistics import NormalDist

    if not 0 < level < 1 or not 0 < low <= central <= high:
        raise ValueError("need 0 < level < 1 and 0 < low <= central <= high")
    z = NormalDist().inv_cdf(0.5 + level / 2)
    sigma = max(np.log(central / low), np.log(high / central)) / z
    return central * np.exp(sigma * rng.standard_normal(int(n)))


def landed_markup_after_vat(markup, vat_fraction):
    """Import markup left to a buyer who recovers the import VAT: ``(1 + markup) / (1 + vat) - 1``."""
    return (1.0 + np.asarray(markup, dtype=float)) / (1.0 + np.asarray(vat_fraction, dtype=float)) - 1.0


def plot_breakeven_by_volume(volumes, months_by_label: dict, horizon: int, mark=None, ax=None):
    """Break-even month against monthly volume, one line per model of capacity (gaps: never within the horizon)."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4.5))
    for i, (label, months) in enumerate(months_by_label.items()):
        ax.plot(volumes, months, color=f"C{i}", lw=2 - 0.5 * i, label=label)
    ax.set_xscale("log")
    ax.set_xlim(float(np.min(volumes)), float(np.max(volumes)))
    ax.set_ylim(0, horizon + 1)
    ax.set_xlabel("output tokens per month")
    ax.set_ylabel("break-even month (gap: never)")
    if mark is not None:
        ax.axvline(mark, color="0.3", ls=":", lw=1)
    ax.legend(fontsize=8)
    ax.set_title(f"When owning catches up with the API, by volume (within {horizon} months)")
    return ax.figure


def volume_where_owning_wins(server: LocalServer, electricity_usd_per_kwh, api_price_now, decline_per_year,
                             months: int = 36, volumes=None, capacity: str = "whole", **cost_options):
    """Smallest monthly token volume (on a log grid) at which owning breaks even within ``months``; NaN if none.

    ``capacity`` and ``cost_options`` are passed to :func:`breakeven`. With whole servers the break-even is
    not monotonic in volume (a server bought for a sliver of demand), so a volume above this one may still
    never break even; with the hybrid it is the volume from which owning some servers pays.
    """
    if volumes is None:
        volumes = np.logspace(6, 13, 281)
    month = breakeven(np.asarray(volumes), server, electricity_usd_per_kwh, api_price_now, decline_per_year,
                      months, capacity, **cost_options)["month"]
    ok = np.flatnonzero(np.isfinite(month))
    return float(np.asarray(volumes)[ok[0]]) if ok.size else float("nan")


def plot_breakeven_grid(x, y, grid, *, xlabel: str, ylabel: str, title: str, horizon: int, marks=(None, None),
                        ax=None, logy: bool = False):
    """One heat map of break-even months (grey = never within the horizon) on log-x token volumes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    from analysis.plotting import sequential_cmap      # the collection's scale: never is grey, as in sweep.html

    mesh = ax.pcolormesh(x, y, np.ma.masked_invalid(grid), cmap=sequential_cmap(), vmin=1, vmax=horizon, shading="auto")
    ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    if not np.isfinite(grid).any():
        ax.text(0.5, 0.5, f"owning never breaks even\nwithin {horizon} months", transform=ax.transAxes,
                ha="center", va="center", fontsize=11)
    if marks[0] is not None:
        ax.axvline(marks[0], color="0.3", ls=":", lw=1)
    if marks[1] is not None:
        ax.axhline(marks[1], color="0.3", ls=":", lw=1)
    return mesh


def owning_flip_points(tokens_per_month, server: LocalServer, electricity_usd_per_kwh, api_price_now, decline_per_year,
                       months: int = 36, **cost_options) -> dict:
    """Where the best owning option's present value against the API (:func:`breakeven`, ``capacity="owned"``)
    changes sign, one input at a time, the others as given.

    Each is a root found on a grid (:func:`analysis.payback.sign_change`, the first crossing); NaN when the
    sign does not change on the grid.

    Returns
    -------
    dict
        ``staff_usd_per_month`` (0 to 5,000 a month), ``server_price_usd`` (the server's price before duties,
        0.05x to 20x the given one), ``maintenance_per_year`` (0 to 0.5 of the landed price),
        ``decline_per_year`` (API decline, 1x to 20x a year) and ``tokens_per_month`` (1e6 to 1e12, the first
        volume from which owning pays).
    """
    from analysis.payback import sign_change

    base = dict(tokens=tokens_per_month, server=server, decline=decline_per_year,
                staff=cost_options.pop("staff_usd_per_month", 0.0))

    def advantage(**change):
        v = {**base, **change}
        return breakeven(v["tokens"], v["server"], electricity_usd_per_kwh, api_price_now, v["decline"], months,
                         "owned", staff_usd_per_month=v["staff"], **cost_options)["npv_advantage_usd"]

    each = lambda make: (lambda grid: np.array([float(advantage(**make(x))) for x in grid]))
    return {
        "staff_usd_per_month": sign_change(lambda g: advantage(staff=g), np.linspace(0.0, 5000.0, 101)),
        "server_price_usd": sign_change(each(lambda p: {"server": _replace(server, price_usd=p)}),
                                        server.price_usd * np.geomspace(0.05, 20.0, 61), log=True),
        "maintenance_per_year": sign_change(each(lambda m: {"server": _replace(server, maintenance_per_year=m)}),
                                            np.linspace(0.0, 0.5, 51)),
        "decline_per_year": sign_change(lambda g: advantage(decline=g), np.geomspace(1.0, 20.0, 61), log=True),
        "tokens_per_month": sign_change(lambda g: advantage(tokens=g), np.geomspace(1e6, 1e12, 241), log=True),
    }


def _replace(server: LocalServer, **changes) -> LocalServer:
    from dataclasses import replace

    return replace(server, **changes)
