"""Today's market prices: a snapshot of the ``genai-prices`` package, and what 04/05 read from it.

* :func:`snapshot_rows` turns the package's bundled provider data (``genai_prices.data.providers``;
  duck-typed, so tests pass a small fake shaped like it) into one row per (provider, model, dated price).
* :func:`build_snapshot` (``python -m analysis data market``) reads the *installed* package's bundled data
  (never its network update path), maps ids to the project's model names through
  ``data/market_model_map.csv`` and writes ``data/market_prices.csv`` with its origin record. Reports read
  the committed CSV, so a newer package never changes a result silently; a refresh is a reviewed diff.
* :func:`market_price` is the reference model's cheapest or median host price at the snapshot date;
  :func:`fixed_model_declines` and :func:`fixed_model_rate` measure how fast one open model's cheapest
  price fell from its first recorded price to the snapshot (a fixed-model rate, no substitution).

Prices are USD per million tokens; blends weight input ``input_weight`` to 1 output (3:1 by default).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import paths
from analysis.prices import blended_price, decimal_year, price_observed_date

__all__ = ["snapshot_rows", "build_snapshot", "current_offers", "market_price", "fixed_model_declines",
           "fixed_model_rate", "cheapest_offers_as_price_rows", "plot_fixed_model_declines", "PACKAGE"]

PACKAGE = "genai-prices"
SNAPSHOT_FILE = "market_prices.csv"
COLUMNS = ["provider", "provider_model_id", "model", "input_usd_per_mtok", "output_usd_per_mtok",
           "cached_input_usd_per_mtok", "blended_3to1_usd_per_mtok", "start_date", "price_status", "deprecated",
           "package_version", "snapshot_date", "source"]


def _number(value):
    """A package price field as float: Decimal, number, ``TieredPrices`` (its ``base``: the ordinary rate) or None."""
    if value is None:
        return None
    base = getattr(value, "base", None)
    if base is not None:
        return float(base)
    return float(value)


def _price_entries(prices):
    """``[(start_date or None, ModelPrice)]`` of a model: one plain price, or its base and dated changes.

    Off-peak (time-of-day) prices are skipped: they are not the list price.
    """
    if not isinstance(prices, (list, tuple)):
        return [(None, prices)]
    out = []
    for conditional in prices:
        constraint = getattr(conditional, "constraint", None)
        if constraint is None:
            out.append((None, conditional.prices))
        elif hasattr(constraint, "start_date"):
            out.append((pd.Timestamp(constraint.start_date), conditional.prices))
    return out


def snapshot_rows(providers, package_version: str, snapshot_date, mapping: pd.DataFrame | None = None
                  ) -> pd.DataFrame:
    """One row per (provider, model, dated price) with both an input and an output price above zero.

    Parameters
    ----------
    providers : list
        Objects with ``id`` and ``models``; each model has ``id``, ``deprecated`` and ``prices`` (a price
        object with ``input_mtok``, ``output_mtok``, ``cache_read_mtok``, or a list of conditional prices
        with ``constraint`` (None or one with ``start_date``) and ``prices``), as in ``genai_prices.data``.
    package_version : str
        Version of the package the data came from.
    snapshot_date : str or Timestamp
        Date the snapshot stands for (the day it was taken from the newest release).
    mapping : pandas.DataFrame, optional
        ``provider, provider_model_id, model`` (``data/market_model_map.csv``): the project's model name.

    Returns
    -------
    pandas.DataFrame
        :data:`COLUMNS`. ``price_status``: ``current`` (in force at the snapshot date), ``superseded`` (an
        earlier dated price) or ``scheduled`` (starts after it). Free and zero-priced entries are dropped.
    """
    snapshot = pd.Timestamp(snapshot_date)
    names = {}
    if mapping is not None:
        names = {(p, m): n for p, m, n in mapping[["provider", "provider_model_id", "model"]].itertuples(index=False)}
    rows = []
    for provider in providers:
        for model in provider.models:
            entries = [(start, price) for start, price in _price_entries(model.prices)
                       if _number(getattr(price, "input_mtok", None)) and _number(getattr(price, "output_mtok", None))]
            started = [start if start is not None else pd.Timestamp.min for start, _ in entries]
            in_force = [s for s in started if s <= snapshot]
            current = max(in_force) if in_force else None
            for (start, price), key in zip(entries, started):
                status = "scheduled" if key > snapshot else ("current" if key == current else "superseded")
                p_in, p_out = _number(price.input_mtok), _number(price.output_mtok)
                rows.append({
                    "provider": provider.id, "provider_model_id": model.id,
                    "model": names.get((provider.id, model.id)),
                    "input_usd_per_mtok": p_in, "output_usd_per_mtok": p_out,
                    "cached_input_usd_per_mtok": _number(getattr(price, "cache_read_mtok", None)),
                    "blended_3to1_usd_per_mtok": round(float(blended_price(p_in, p_out, 3)), 10),
                    "start_date": None if start is None else start.strftime("%Y-%m-%d"),
                    "price_status": status, "deprecated": bool(getattr(model, "deprecated", None) or False),
                    "package_version": package_version, "snapshot_date": snapshot.strftime("%Y-%m-%d"),
                    "source": f"{PACKAGE} {package_version} (PyPI), genai_prices/data.py, "
                              f"provider {provider.id}, model {model.id}",
                })
    return pd.DataFrame.from_records(rows, columns=COLUMNS)


def _installed_package():
    """The installed package's bundled data, version, licence and data-file sha256 (imported lazily)."""
    try:
        import importlib.metadata as metadata

        from genai_prices import data as bundled  # the bundled snapshot; update_prices is never imported
    except ImportError as exc:
        raise RuntimeError(f"{PACKAGE} is not installed: pip install -e '.[market]' ({exc})") from None
    meta = metadata.metadata(PACKAGE)
    licence = meta.get("License-Expression") or meta.get("License") or "see package"
    from analysis.sources import sha256

    return bundled.providers, metadata.version(PACKAGE), licence, sha256(Path(bundled.__file__))


def build_snapshot(snapshot_date, data_dir: Path | None = None, providers=None, package_version=None,
                   licence="MIT", package_sha256="") -> pd.DataFrame:
    """Write ``data/market_prices.csv`` from the installed package (or the given ``providers``) and its record.

    The origin record of ``market_prices.csv`` in ``sources.yml`` is rewritten (package, version, licence,
    sha256 of the package's bundled ``data.py``, and the CSV's own sha256 and size).
    """
    from analysis import data as curated
    from analysis.sources import sha256

    folder = data_dir or paths.data_dir()
    if providers is None:
        providers, package_version, licence, package_sha256 = _installed_package()
    mapping = curated.load_market_model_map(folder)
    table = snapshot_rows(providers, package_version, snapshot_date, mapping)
    table = table.sort_values(["provider", "provider_model_id", "start_date"], na_position="first", kind="stable")
    path = folder / SNAPSHOT_FILE
    table.to_csv(path, index=False, lineterminator="\n")
    record = {
        "title": f"Market LLM prices: {PACKAGE} {package_version} bundled data, one row per provider, model and "
                 "dated price",
        "producer": "Generated by `python -m analysis data market` from the installed package's bundled "
                    "genai_prices/data.py (Pydantic, github.com/pydantic/genai-prices); model names through "
                    "data/market_model_map.csv",
        "package": PACKAGE, "package_version": package_version, "package_licence": licence,
        "package_data_sha256": package_sha256,
        "snapshot_note": "the package data carries no date: snapshot_date (also date_published here) is the day "
                         "this version was the newest release installed; package_data_sha256 is of "
                         "genai_prices/data.py",
        "url": f"https://pypi.org/project/{PACKAGE}/{package_version}/",
        "date_published": pd.Timestamp(snapshot_date).strftime("%Y-%m-%d"),
        "date_accessed": pd.Timestamp(snapshot_date).strftime("%Y-%m-%d"),
        "licence": f"{licence} (package data)", "sha256": sha256(path), "bytes": path.stat().st_size,
    }
    _write_record(folder, SNAPSHOT_FILE, record)
    curated.load_market_prices(folder)   # the written file must pass its own schema
    return table


def _write_record(folder: Path, name: str, record: dict) -> None:
    """Replace (or append) ``name``'s block in ``sources.yml``, leaving the other blocks as they are."""
    import yaml

    from analysis.sources import SOURCES_FILE

    path = folder / SOURCES_FILE
    text = path.read_text() if path.is_file() else ""
    block = yaml.safe_dump({name: record}, sort_keys=False, width=100, allow_unicode=True)
    pattern = re.compile(rf"^{re.escape(name)}:\n(?:(?:[ \t].*)?\n)*", re.MULTILINE)
    if pattern.search(text):
        text = pattern.sub(lambda _: block + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text.rstrip("\n") + "\n")


# --------------------------------------------------------------------------------------
# Reading the committed snapshot
# --------------------------------------------------------------------------------------

def current_offers(market: pd.DataFrame, model: str | None = None, include_deprecated: bool = False,
                   exclude_providers=("openrouter",), input_weight: float = 3) -> pd.DataFrame:
    """Prices in force at the snapshot date, one per (provider, model id), with ``blend`` at ``input_weight``.

    OpenRouter is left out by default: it resells other hosts' endpoints, so it repeats their prices.
    """
    rows = market[market["price_status"] == "current"]
    if not include_deprecated:
        rows = rows[~rows["deprecated"].astype(bool)]
    if exclude_providers:
        rows = rows[~rows["provider"].isin(exclude_providers)]
    if model is not None:
        rows = rows[rows["model"] == model]
    rows = rows.assign(blend=blended_price(rows["input_usd_per_mtok"], rows["output_usd_per_mtok"], input_weight))
    return rows.sort_values("blend", kind="stable").reset_index(drop=True)


def market_price(model: str, which: str = "cheapest", input_weight: float = 3, market: pd.DataFrame | None = None,
                 **offer_options) -> dict:
    """Today's (snapshot-date) price of ``model``: the cheapest host's, or the median across hosts.

    Parameters
    ----------
    model : str
        Project model name (``model`` column of ``data/market_model_map.csv``), e.g. ``"Llama 3.3 70B"``.
    which : {"cheapest", "median"}
        ``cheapest``: the offer with the lowest blend (its own input and output prices). ``median``: median
        input and median output price across offers, and the median blend.
    input_weight : float
        Blend weight (3 = 3 input : 1 output).
    market : pandas.DataFrame, optional
        ``analysis.data.load_market_prices()`` (read when not given).
    **offer_options
        Passed to :func:`current_offers` (``include_deprecated``, ``exclude_providers``).

    Returns
    -------
    dict
        ``model, which, input_usd_per_mtok, output_usd_per_mtok, blended_usd_per_mtok, input_weight,
        provider`` (cheapest: its host; median: ``None``), ``n_offers``, ``snapshot_date`` (YYYY-MM-DD),
        ``snapshot_year`` (decimal year), ``package_version``.
    """
    if which not in ("cheapest", "median"):
        raise ValueError(f"which must be 'cheapest' or 'median', got {which!r}")
    if market is None:
        from analysis import data

        market = data.load_market_prices()
    offers = current_offers(market, model, input_weight=input_weight, **offer_options)
    if offers.empty:
        known = sorted(market["model"].dropna().unique())
        raise KeyError(f"no current market offer for model {model!r}; mapped models: {', '.join(known)}")
    if which == "cheapest":
        best = offers.iloc[0]
        p_in, p_out, blend, provider = (float(best["input_usd_per_mtok"]), float(best["output_usd_per_mtok"]),
                                        float(best["blend"]), best["provider"])
    else:
        p_in, p_out = float(offers["input_usd_per_mtok"].median()), float(offers["output_usd_per_mtok"].median())
        blend, provider = float(offers["blend"].median()), None
    date = pd.Timestamp(offers["snapshot_date"].iloc[0])
    return {"model": model, "which": which, "input_usd_per_mtok": p_in, "output_usd_per_mtok": p_out,
            "blended_usd_per_mtok": blend, "input_weight": input_weight, "provider": provider,
            "n_offers": int(len(offers)), "snapshot_date": date.strftime("%Y-%m-%d"),
            "snapshot_year": decimal_year(date), "package_version": str(offers["package_version"].iloc[0])}


def _linked_offers(prices_raw: pd.DataFrame, market: pd.DataFrame, mapping: pd.DataFrame, input_weight: float,
                   **offer_options):
    """``(model, its llm_prices name, those rows, its current offers)`` for each mapped model that has both."""
    links = mapping.dropna(subset=["llm_prices_model"]).drop_duplicates("model")[["model", "llm_prices_model"]]
    for model, name in links.itertuples(index=False):
        rows = prices_raw[prices_raw["model"] == name]
        offers = current_offers(market, model, input_weight=input_weight, **offer_options)
        if not rows.empty and not offers.empty:
            yield model, name, rows, offers


def fixed_model_declines(prices_raw: pd.DataFrame, market: pd.DataFrame, mapping: pd.DataFrame,
                         input_weight: float = 3, min_years: float = 0.5, **offer_options) -> pd.DataFrame:
    """Each mapped open model's first recorded price against its cheapest host price at the snapshot date.

    The first price is the earliest row of ``data/llm_prices.csv`` named in the mapping's ``llm_prices_model``
    (dated when it was observed: :func:`analysis.prices.price_observed_date`), priced at ``input_weight``
    from its list prices where both are known, else its published 3:1 blend.

    Returns
    -------
    pandas.DataFrame
        ``model, llm_prices_model, first_date, first_price, first_price_kind, today_date, today_price,
        today_provider, n_offers, years, total_factor, factor_per_year``, fastest first.
    """
    records = []
    for model, name, rows, offers in _linked_offers(prices_raw, market, mapping, input_weight, **offer_options):
        observed = rows.apply(price_observed_date, axis=1)
        first = rows.loc[observed.idxmin()]
        if pd.notna(first["input_usd_per_mtok"]) and pd.notna(first["output_usd_per_mtok"]):
            first_price = float(blended_price(first["input_usd_per_mtok"], first["output_usd_per_mtok"], input_weight))
        else:
            first_price = float(first["blended_3to1_usd_per_mtok"])
        today = pd.Timestamp(offers["snapshot_date"].iloc[0])
        years = (today - observed.min()).days / 365.25
        best = offers.iloc[0]
        total = first_price / float(best["blend"])
        records.append({"model": model, "llm_prices_model": name, "first_date": observed.min(),
                        "first_price": first_price, "first_price_kind": first["price_kind"], "today_date": today,
                        "today_price": float(best["blend"]), "today_provider": best["provider"],
                        "n_offers": int(len(offers)), "years": years, "total_factor": total,
                        "factor_per_year": total ** (1 / years) if years > 0 else np.nan})
    out = pd.DataFrame.from_records(records, columns=[
        "model", "llm_prices_model", "first_date", "first_price", "first_price_kind", "today_date", "today_price",
        "today_provider", "n_offers", "years", "total_factor", "factor_per_year"])
    out = out[out["years"] >= min_years]
    return out.sort_values("factor_per_year", ascending=False, kind="stable").reset_index(drop=True)


def fixed_model_rate(declines: pd.DataFrame, alpha: float = 0.10, n_boot: int = 4000, seed: int = 0) -> dict:
    """Median fixed-model factor per year across models, with a bootstrap interval (resampling models).

    Returns ``{"median_factor_per_year", "ci_low", "ci_high", "n_models"}``; NaN when no model qualifies.
    """
    f = declines["factor_per_year"].to_numpy(dtype=float)
    f = f[np.isfinite(f)]
    if f.size == 0:
        return {"median_factor_per_year": float("nan"), "ci_low": float("nan"), "ci_high": float("nan"),
                "n_models": 0}
    rng = np.random.default_rng(seed)
    boots = np.median(rng.choice(f, size=(n_boot, f.size), replace=True), axis=1)
    low, high = np.quantile(boots, [alpha / 2, 1 - alpha / 2])
    return {"median_factor_per_year": float(np.median(f)), "ci_low": float(low), "ci_high": float(high),
            "n_models": int(f.size)}


def cheapest_offers_as_price_rows(prices_raw: pd.DataFrame, market: pd.DataFrame, mapping: pd.DataFrame,
                                  input_weight: float = 3, **offer_options) -> pd.DataFrame:
    """Each mapped model's cheapest current host price as an ``llm_prices``-shaped row dated at the snapshot.

    Scores and the reasoning flag come from the linked ``llm_prices`` model; such rows let Epoch's and
    a16z's methods see the cheapest host, as a16z did. ``price_kind`` is ``host`` (``first_party`` where the
    cheapest offer is the developer's own API is not distinguished here).
    """
    out = []
    for model, _name, base, offers in _linked_offers(prices_raw, market, mapping, input_weight, **offer_options):
        row = base.iloc[-1].copy()
        best = offers.iloc[0]
        row["model"] = f"{model} @ {best['provider']}"
        row["date"] = pd.Timestamp(best["snapshot_date"])
        row["input_usd_per_mtok"], row["output_usd_per_mtok"] = best["input_usd_per_mtok"], best["output_usd_per_mtok"]
        row["blended_3to1_usd_per_mtok"] = best["blended_3to1_usd_per_mtok"]
        row["avg_1to1_usd_per_mtok"] = np.nan
        row["dataset"], row["price_kind"], row["price_timing"] = "market", "host", "later_listing"
        row["notes"] = ""
        out.append(row)
    return pd.DataFrame(out, columns=prices_raw.columns).reset_index(drop=True)


def plot_fixed_model_declines(declines: pd.DataFrame, rate: dict | None = None):
    """One line per model from its first recorded price to today's cheapest host (log scale)."""
    import matplotlib.pyplot as plt

    from analysis.plotting import date_axis

    fig, ax = plt.subplots(figsize=(9, 5))
    for i, r in enumerate(declines.itertuples(index=False)):
        color = f"C{i % 10}"
        ax.plot([r.first_date, r.today_date], [r.first_price, r.today_price], "o-", color=color, ms=4,
                label=f"{r.model}: {r.factor_per_year:.1f}x/yr (${r.first_price:.3g} → ${r.today_price:.3g}, "
                      f"{r.today_provider})")
    ax.set_yscale("log")
    date_axis(ax)
    ax.set_ylabel("USD per million tokens (blend)")
    title = "Same open model, first recorded price to today's cheapest host"
    if rate and rate.get("n_models"):
        title += (f"\nmedian {rate['median_factor_per_year']:.1f}x per year "
                  f"[{rate['ci_low']:.1f}, {rate['ci_high']:.1f}], {rate['n_models']} models")
    ax.set_title(title)
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    return fig
