"""Edge vs cloud: owning local inference hardware against paying an API whose price keeps falling.

Month by month over a horizon, for a steady demand of ``tokens_per_month``:

* **cloud**: tokens x API price, the price falling ``decline_per_year``-fold a year;
* **own**: enough devices to serve the demand (local throughput from
  :mod:`analysis.throughput`), bought at the start (landed price = list price x
  (1 + import markup)) and replaced at the end of their life, plus electricity for
  the devices around the clock (board power x host overhead x PUE) and maintenance.

The break-even month is the first month in which the cumulative cost of owning is no
higher than the cumulative cost of the API; ``None`` when that never happens within
the horizon. Everything broadcasts over numpy arrays (the heat map is one call).
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


def api_price_path(price_now, decline_per_year, months):
    """API price (USD per million tokens) in each month 1..months, falling ``decline_per_year``-fold a year."""
    m = np.arange(1, int(months) + 1)
    return np.asarray(price_now, dtype=float)[..., None] / np.asarray(decline_per_year, dtype=float)[..., None] ** (
        (m - 0.5) / 12.0)


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
                     decline_per_year, months: int = 36) -> dict:
    """Cumulative USD spent by month on owning and on the API (arrays broadcast; months last).

    Parameters
    ----------
    tokens_per_month : float or array
        Steady demand.
    server : LocalServer
    electricity_usd_per_kwh : float or array
    api_price_now : float or array
        API price per million tokens in month 0.
    decline_per_year : float or array
        Factor by which the API price falls each year (1 = flat).
    months : int
        Horizon.

    Returns
    -------
    dict
        ``own``, ``cloud`` (cumulative USD, shape ``broadcast + (months,)``), ``devices`` (servers),
        ``own_usd_per_mtok`` and ``cloud_usd_per_mtok`` (per-month cost per million tokens).
    """
    if months < 1:
        raise ValueError("months must be at least 1")
    tokens = np.asarray(tokens_per_month, dtype=float)
    electricity = np.asarray(electricity_usd_per_kwh, dtype=float)
    tokens, electricity, price_now, decline = np.broadcast_arrays(tokens, electricity,
                                                                  np.asarray(api_price_now, dtype=float),
                                                                  np.asarray(decline_per_year, dtype=float))
    if np.any(tokens <= 0):
        raise ValueError("tokens_per_month must be positive")
    devices = np.ceil(tokens / server.capacity_tokens_per_month())
    m = np.arange(1, months + 1)
    life_months = max(1, int(round(server.life_years * 12)))
    purchases = ((m - 1) % life_months == 0).astype(float)                  # buy in month 1, then every life
    capital = devices[..., None] * server.landed_usd * purchases
    energy = devices[..., None] * server.board_kw * server.host_overhead * server.pue * HOURS_PER_MONTH \
        * electricity[..., None]
    maintenance = devices[..., None] * server.landed_usd * server.maintenance_per_year / 12.0
    own_monthly = capital + energy + maintenance
    cloud_price = api_price_path(price_now, decline, months)
    cloud_monthly = tokens[..., None] * cloud_price / 1e6
    running = devices[..., None] * server.landed_usd / life_months + energy + maintenance
    return {"own": np.cumsum(own_monthly, axis=-1), "cloud": np.cumsum(cloud_monthly, axis=-1), "devices": devices,
            "own_usd_per_mtok": running / (tokens[..., None] / 1e6) * np.ones_like(cloud_price),
            "cloud_usd_per_mtok": cloud_price}


def breakeven_month(own_cumulative, cloud_cumulative):
    """First month (1-based) where owning has cost no more than the API so far; NaN when never.

    Works on the last axis, so a grid of scenarios is one call.
    """
    wins = np.asarray(own_cumulative) <= np.asarray(cloud_cumulative)
    first = np.argmax(wins, axis=-1) + 1.0
    return np.where(wins.any(axis=-1), first, np.nan)


def volume_where_owning_wins(server: LocalServer, electricity_usd_per_kwh, api_price_now, decline_per_year,
                             months: int = 36, volumes=None):
    """Smallest monthly token volume (on a log grid) at which owning breaks even within ``months``; NaN if none."""
    if volumes is None:
        volumes = np.logspace(6, 13, 281)
    out = cumulative_costs(np.asarray(volumes), server, electricity_usd_per_kwh, api_price_now, decline_per_year,
                           months)
    month = breakeven_month(out["own"], out["cloud"])
    ok = np.flatnonzero(np.isfinite(month))
    return float(np.asarray(volumes)[ok[0]]) if ok.size else float("nan")
