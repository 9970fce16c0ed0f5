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

#: Providers left out of every cross-section and rate by default: resellers that route to other hosts' endpoints and
#: repeat (or mark up) their prices. OpenRouter, and the Hugging Face inference-provider routes (``huggingface_*``:
#: Hugging Face's router to Novita, Together, Nebius, ...), which enter the package at one release (2025-11-25) and
#: would otherwise set many models' start dates and today's cheapest host. Patterns are shell-style (``fnmatch``).
RESELLERS = ("openrouter", "huggingface_*")


def excluded(providers, patterns=RESELLERS) -> np.ndarray:
    """Boolean mask: which ``providers`` match one of ``patterns`` (exact names or shell-style, e.g. ``x_*``)."""
    from fnmatch import fnmatchcase

    names = pd.Series(providers, dtype=object).astype(str).to_numpy()
    if not patterns:
        return np.zeros(len(names), dtype=bool)
    return np.array([any(fnmatchcase(n, p) for p in patterns) for n in names], dtype=bool)


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
                   exclude_providers=RESELLERS, input_weight: float = 3) -> pd.DataFrame:
    """Prices in force at the snapshot date, one per (provider, model id), with ``blend`` at ``input_weight``.

    Resellers (:data:`RESELLERS`: OpenRouter and the Hugging Face routes) are left out by default: they route to
    other hosts' endpoints, so they repeat their prices.
    """
    rows = market[market["price_status"] == "current"]
    if not include_deprecated:
        rows = rows[~rows["deprecated"].astype(bool)]
    if exclude_providers:
        rows = rows[~excluded(rows["provider"], exclude_providers)]
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


# --------------------------------------------------------------------------------------
# A dated price history from the package's past releases
# --------------------------------------------------------------------------------------

HISTORY_FILE = "market_price_history.csv"
HISTORY_COLUMNS = ["provider", "provider_model_id", "model", "input_usd_per_mtok", "output_usd_per_mtok",
                   "blended_3to1_usd_per_mtok", "observation", "first_date", "last_date", "first_version",
                   "last_version", "n_releases", "source"]


class _Record:
    """A package object read as plain data: its keyword arguments become attributes (positional ones are kept)."""

    def __init__(self, *args, **kwargs):
        self.args = args
        self.__dict__.update(kwargs)


class _Names(dict):
    """Names of a release's ``data.py``: ``Decimal`` and ``datetime``; any other name builds a :class:`_Record`."""

    def __missing__(self, key):
        return _Record


def release_providers(data_py: str):
    """The ``providers`` list of one release's bundled ``genai_prices/data.py``, read as data (no package import).

    The file is one literal expression of constructor calls (``Provider(...)``, ``ModelInfo(...)``,
    ``ModelPrice(...)``, ``ConditionalPrice(...)``, ``Decimal('0.6')``, ``datetime.date(2026, 3, 13)``). It is
    parsed with :mod:`ast` and evaluated with every constructor replaced by a plain record, so releases whose
    ``types.py`` differ (or need other packages) read the same way and nothing of the package runs.

    Parameters
    ----------
    data_py : str
        Text of ``genai_prices/data.py``.

    Returns
    -------
    list
        Records with ``id`` and ``models``, shaped as :func:`snapshot_rows` reads them.
    """
    import ast
    import datetime
    from decimal import Decimal

    tree = ast.parse(data_py)
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else (
            node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None)
        if isinstance(target, ast.Name) and target.id == "providers" and node.value is not None:
            names = _Names(Decimal=Decimal, datetime=datetime, date=datetime.date, None_=None)
            code = compile(ast.Expression(node.value), "<genai_prices data.py>", "eval")
            return eval(code, {"__builtins__": {}}, names)  # noqa: S307 - a literal of constructor calls
    raise ValueError("no `providers = [...]` assignment in data.py")


def release_rows(providers, version: str, release_date) -> pd.DataFrame:
    """Prices in force at a release's date, plus the release's dated price changes, one row each.

    ``observation`` is ``release`` (the price in force on the release's upload date) or ``dated_change`` (a price
    the release dates with a ``start_date`` on or before its upload date, observed from that date).
    """
    rows = snapshot_rows(providers, version, release_date)
    in_force = rows[rows["price_status"] == "current"].assign(observation="release", first_date=rows["snapshot_date"])
    changes = rows[rows["start_date"].notna() & (rows["price_status"] != "scheduled")]
    changes = changes.assign(observation="dated_change", first_date=changes["start_date"])
    out = pd.concat([in_force, changes], ignore_index=True)
    return out[["provider", "provider_model_id", "input_usd_per_mtok", "output_usd_per_mtok",
                "blended_3to1_usd_per_mtok", "observation", "first_date", "deprecated"]].assign(
        version=version, release_date=pd.Timestamp(release_date).strftime("%Y-%m-%d"))


def history_runs(observations: pd.DataFrame, mapping: pd.DataFrame | None = None) -> pd.DataFrame:
    """Compress per-release observations into runs: one row per SKU and unchanged price over consecutive releases.

    Parameters
    ----------
    observations : pandas.DataFrame
        :func:`release_rows` of every release, concatenated.
    mapping : pandas.DataFrame, optional
        ``data/market_model_map.csv`` (project model names).

    Returns
    -------
    pandas.DataFrame
        :data:`HISTORY_COLUMNS`. ``release`` rows: the price was in force on the upload date of every release from
        ``first_version`` (``first_date``) to ``last_version`` (``last_date``), ``n_releases`` of them in a row.
        ``dated_change`` rows: a price the package dates from ``first_date`` (``last_date`` equal), as stated by
        the releases ``first_version`` to ``last_version``.
    """
    obs = observations.copy()
    versions = (obs[["version", "release_date"]].drop_duplicates().sort_values("release_date", kind="stable")
                .reset_index(drop=True))
    order = {v: i for i, v in enumerate(versions["version"])}
    obs["k"] = obs["version"].map(order)
    key = ["provider", "provider_model_id"]
    price = ["input_usd_per_mtok", "output_usd_per_mtok"]
    rel = obs[obs["observation"] == "release"].sort_values([*key, "k"], kind="stable")
    same_sku = (rel[key].shift() == rel[key]).all(axis=1)
    same_price = (rel[price].shift() == rel[price]).all(axis=1)
    consecutive = rel["k"].shift() == rel["k"] - 1
    rel = rel.assign(run=(~(same_sku & same_price & consecutive)).cumsum())
    runs = rel.groupby("run").agg(
        provider=("provider", "first"), provider_model_id=("provider_model_id", "first"),
        input_usd_per_mtok=("input_usd_per_mtok", "first"), output_usd_per_mtok=("output_usd_per_mtok", "first"),
        blended_3to1_usd_per_mtok=("blended_3to1_usd_per_mtok", "first"), first_date=("release_date", "first"),
        last_date=("release_date", "last"), first_version=("version", "first"), last_version=("version", "last"),
        n_releases=("k", "size")).assign(observation="release")
    dated = obs[obs["observation"] == "dated_change"].sort_values("k", kind="stable")
    dated = dated.groupby([*key, "first_date", *price], as_index=False).agg(
        blended_3to1_usd_per_mtok=("blended_3to1_usd_per_mtok", "first"), first_version=("version", "first"),
        last_version=("version", "last"), n_releases=("k", "size")).assign(observation="dated_change")
    dated["last_date"] = dated["first_date"]
    out = pd.concat([runs, dated], ignore_index=True)
    names = {}
    if mapping is not None:
        names = {(p, m): n for p, m, n in mapping[["provider", "provider_model_id", "model"]].itertuples(index=False)}
    out["model"] = [names.get((p, m)) for p, m in zip(out["provider"], out["provider_model_id"])]
    out["source"] = [f"{PACKAGE} {a}..{b} (PyPI wheels), genai_prices/data.py, provider {p}, model {m}"
                     for a, b, p, m in zip(out["first_version"], out["last_version"], out["provider"],
                                           out["provider_model_id"])]
    out = out.sort_values(["provider", "provider_model_id", "first_date", "observation"], kind="stable")
    return out[HISTORY_COLUMNS].reset_index(drop=True)


def _with_blend(history: pd.DataFrame, input_weight: float) -> pd.DataFrame:
    return history.assign(blend=blended_price(history["input_usd_per_mtok"], history["output_usd_per_mtok"],
                                              input_weight),
                          first_date=pd.to_datetime(history["first_date"]),
                          last_date=pd.to_datetime(history["last_date"]))


def release_dates(history: pd.DataFrame) -> pd.DatetimeIndex:
    """Dates at which the in-force cross-section can change: every first and last date of a ``release`` run.

    A release where no run starts or ends has the same cross-section as its neighbours, so these dates suffice.
    """
    rel = history[history["observation"] == "release"]
    return pd.DatetimeIndex(sorted(set(pd.to_datetime(rel["first_date"])) | set(pd.to_datetime(rel["last_date"]))))


def offers_at(history: pd.DataFrame, date, input_weight: float = 3, exclude_providers=RESELLERS
              ) -> pd.DataFrame:
    """The prices in force at a release ``date``: ``release`` runs covering it, with ``blend`` at ``input_weight``."""
    date = pd.Timestamp(date)
    rows = _with_blend(history[history["observation"] == "release"], input_weight)
    rows = rows[(rows["first_date"] <= date) & (rows["last_date"] >= date)]
    if exclude_providers:
        rows = rows[~excluded(rows["provider"], exclude_providers)]
    return rows.reset_index(drop=True)


def cross_sections(history: pd.DataFrame, input_weight: float = 3, exclude_providers=RESELLERS
                   ) -> pd.DataFrame:
    """:func:`offers_at` at every :func:`release_dates` date at once, with the date in column ``at``."""
    rows = _with_blend(history[history["observation"] == "release"], input_weight)
    if exclude_providers:
        rows = rows[~excluded(rows["provider"], exclude_providers)]
    dates = pd.DataFrame({"at": release_dates(history)})
    out = rows.merge(dates, how="cross")
    return out[(out["first_date"] <= out["at"]) & (out["last_date"] >= out["at"])].reset_index(drop=True)


def _annual(first, last, years):
    first, last, years = (np.asarray(v, dtype=float) for v in (first, last, years))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(years > 0, (first / last) ** (1.0 / np.where(years > 0, years, 1.0)), np.nan)


def sku_declines(history: pd.DataFrame, input_weight: float = 3, min_years: float = 0.5,
                 exclude_providers=RESELLERS) -> pd.DataFrame:
    """Each SKU's (same provider, same model id) own price, first observation against last, as a factor per year.

    The first observation is the earliest of the SKU's ``release`` runs and ``dated_change`` rows (the date the
    package says a price started, or the first release that listed it); the last is the price of its latest
    ``release`` run, at that run's last date. Like for like: one host's list price of one model, both ends.

    Returns
    -------
    pandas.DataFrame
        ``provider, provider_model_id, model, first_date, first_price, last_date, last_price, years,
        total_factor, factor_per_year`` for SKUs observed over at least ``min_years``.
    """
    rows = _with_blend(history, input_weight)
    if exclude_providers:
        rows = rows[~excluded(rows["provider"], exclude_providers)]
    key = ["provider", "provider_model_id"]
    first = rows.sort_values([*key, "first_date"], kind="stable").groupby(key, as_index=False).first()
    rel = rows[rows["observation"] == "release"].sort_values([*key, "last_date"], kind="stable")
    last = rel.groupby(key, as_index=False).last()
    out = first[[*key, "model", "first_date", "blend"]].rename(columns={"blend": "first_price"}).merge(
        last[[*key, "last_date", "blend"]].rename(columns={"blend": "last_price"}), on=key)
    out["years"] = (out["last_date"] - out["first_date"]).dt.days / 365.25
    out["total_factor"] = out["first_price"] / out["last_price"]
    out["factor_per_year"] = _annual(out["first_price"], out["last_price"], out["years"])
    return out[out["years"] >= min_years].reset_index(drop=True)


def like_for_like_declines(history: pd.DataFrame, mapping: pd.DataFrame, input_weight: float = 3,
                           min_years: float = 0.5, min_hosts: int = 2, open_weights_only: bool = True,
                           exclude_providers=RESELLERS, fixed_panel: bool = False) -> pd.DataFrame:
    """Each mapped model's price decline measured three ways, never mixing kinds of price.

    * ``same_sku``: the median, over the model's SKUs (provider and model id) observed ``min_years`` or more, of
      each SKU's own factor per year (:func:`sku_declines`);
    * ``median``: the median host's blend at the first release date with ``min_hosts`` or more hosts against the
      median host at the latest release date;
    * ``cheapest``: the cheapest host at those same two dates.

    Parameters
    ----------
    history : pandas.DataFrame
        ``data/market_price_history.csv`` (:func:`analysis.data.load_market_price_history`).
    mapping : pandas.DataFrame
        ``data/market_model_map.csv``: which (provider, model id) serve which project model.
    open_weights_only : bool
        Keep open-weight models only (the ones many hosts compete to serve).
    fixed_panel : bool
        Count at the latest date only providers the package already covered (for any model) at the model's first
        date. The package's coverage grew (16 providers in its first release, 47 in its latest), so without this
        the cheapest and median can fall only because hosts the package did not list yet were added.

    Returns
    -------
    pandas.DataFrame
        One row per model: ``model, n_skus, same_sku_factor_per_year``, and for ``median`` and ``cheapest``:
        ``{kind}_first_date, {kind}_first_price, {kind}_last_price, {kind}_years, {kind}_factor_per_year``,
        plus ``n_hosts_first``, ``n_hosts_last`` and ``cheapest_last_provider``.
    """
    mapped = mapping if not open_weights_only else mapping[mapping["open_weights"].astype(bool)]
    names = {(p, m): n for p, m, n in mapped[["provider", "provider_model_id", "model"]].itertuples(index=False)}
    hist = history.assign(model=[names.get((p, m)) for p, m in zip(history["provider"], history["provider_model_id"])])
    hist = hist[hist["model"].notna()]
    skus = sku_declines(hist, input_weight, min_years, exclude_providers)
    dates = release_dates(history)
    latest = dates.max()
    cross = cross_sections(hist, input_weight, exclude_providers)
    everyone = cross_sections(history, input_weight, exclude_providers) if fixed_panel else None
    records = []
    for model, rows in cross.groupby("model"):
        counts = rows.groupby("at")["provider"].size()
        eligible = counts[counts >= min_hosts].index
        if latest not in set(rows["at"]) or len(eligible) == 0:
            continue
        start = eligible.min()
        years = (latest - start).days / 365.25
        first, last = rows[rows["at"] == start], rows[rows["at"] == latest]
        if fixed_panel:
            covered = set(everyone.loc[everyone["at"] == start, "provider"])
            last = last[last["provider"].isin(covered)]
            if last.empty:
                continue
        own = skus[skus["model"] == model]["factor_per_year"]
        rec = {"model": model, "n_skus": int(own.size),
               "same_sku_factor_per_year": float(own.median()) if own.size else np.nan,
               "n_hosts_first": int(len(first)), "n_hosts_last": int(len(last)),
               "cheapest_last_provider": last.sort_values("blend", kind="stable")["provider"].iloc[0]}
        for kind, stat in (("median", "median"), ("cheapest", "min")):
            p0, p1 = float(getattr(first["blend"], stat)()), float(getattr(last["blend"], stat)())
            rec.update({f"{kind}_first_date": start, f"{kind}_first_price": p0, f"{kind}_last_price": p1,
                        f"{kind}_years": years,
                        f"{kind}_factor_per_year": float(_annual(p0, p1, years)) if years >= min_years else np.nan})
        records.append(rec)
    return pd.DataFrame.from_records(records).sort_values("model", kind="stable").reset_index(drop=True)


RATE_KINDS = {"same_sku": "same_sku_factor_per_year", "median": "median_factor_per_year",
              "cheapest": "cheapest_factor_per_year"}


def like_for_like_rate(declines: pd.DataFrame, kind: str = "cheapest", **bootstrap) -> dict:
    """Median across models of one kind of like-for-like rate (``same_sku``, ``median`` or ``cheapest``).

    Returns :func:`fixed_model_rate`'s dict plus ``kind``, ``share_no_cheaper`` (models whose factor is <= 1) and
    ``pooled_factor_per_year`` (exp of the summed log factors over the summed years; same_sku: NaN).
    """
    if kind not in RATE_KINDS:
        raise ValueError(f"kind must be one of {sorted(RATE_KINDS)}, got {kind!r}")
    column = RATE_KINDS[kind]
    f = declines[column].to_numpy(dtype=float) if column in declines else np.array([])
    out = fixed_model_rate(pd.DataFrame({"factor_per_year": f}), **bootstrap)
    finite = f[np.isfinite(f)]
    out["kind"] = kind
    out["share_no_cheaper"] = float(np.mean(finite <= 1.0 + 1e-9)) if finite.size else float("nan")
    pooled = float("nan")
    if kind != "same_sku" and finite.size:
        ok = np.isfinite(declines[column].to_numpy(dtype=float))
        years = declines[f"{kind}_years"].to_numpy(dtype=float)[ok]
        pooled = float(np.exp(np.sum(np.log(finite) * years) / np.sum(years)))
    out["pooled_factor_per_year"] = pooled
    return out


def release_dates_from_pypi(pypi_json: dict, since: str = "2025-01-01") -> pd.DataFrame:
    """``version, release_date`` of every release with a wheel, dated by the wheel's PyPI upload time (UTC day).

    ``pypi_json`` is PyPI's JSON API document for the package (``https://pypi.org/pypi/genai-prices/json``); the
    upload time is the only date a release carries (its data file has none).
    """
    rows = []
    for version, files in pypi_json["releases"].items():
        wheels = [f for f in files if f.get("packagetype") == "bdist_wheel" and not f.get("yanked")]
        if wheels:
            rows.append({"version": version, "release_date": min(f["upload_time_iso_8601"] for f in wheels)[:10],
                         "wheel": wheels[0]["filename"], "wheel_sha256": wheels[0]["digests"]["sha256"]})
    out = pd.DataFrame(rows, columns=["version", "release_date", "wheel", "wheel_sha256"])
    return out[out["release_date"] >= since].sort_values("release_date", kind="stable").reset_index(drop=True)


def build_history(releases: pd.DataFrame, wheel_dir: Path, data_dir: Path | None = None) -> pd.DataFrame:
    """Write ``data/market_price_history.csv`` from past releases' wheels, and its origin record in ``sources.yml``.

    Parameters
    ----------
    releases : pandas.DataFrame
        :func:`release_dates_from_pypi`: ``version, release_date, wheel, wheel_sha256``.
    wheel_dir : Path
        Folder holding those wheels (``pip download --no-deps genai-prices==X``); each wheel's sha256 is checked
        against PyPI's before its ``genai_prices/data.py`` is read (as data, see :func:`release_providers`).
    """
    import zipfile

    from analysis import data as curated
    from analysis.sources import sha256

    folder = data_dir or paths.data_dir()
    observations = []
    for r in releases.itertuples(index=False):
        wheel = Path(wheel_dir) / r.wheel
        if sha256(wheel) != r.wheel_sha256:
            raise RuntimeError(f"{wheel}: sha256 differs from PyPI's {r.wheel_sha256}")
        text = zipfile.ZipFile(wheel).read("genai_prices/data.py").decode("utf-8")
        observations.append(release_rows(release_providers(text), r.version, r.release_date))
    table = history_runs(pd.concat(observations, ignore_index=True), curated.load_market_model_map(folder))
    path = folder / HISTORY_FILE
    table.to_csv(path, index=False, lineterminator="\n")
    first, last = releases.iloc[0], releases.iloc[-1]
    record = {
        "title": f"Market LLM price history: {len(releases)} {PACKAGE} releases ({first['version']} of "
                 f"{first['release_date']} to {last['version']} of {last['release_date']}), one row per provider, "
                 "model id and unchanged price",
        "producer": "Generated by `python -m analysis.market history` from each release's PyPI wheel (pip download "
                    "--no-deps), reading its bundled genai_prices/data.py as data; each release dated by its wheel's "
                    "PyPI upload time (UTC day); model names through data/market_model_map.csv",
        "package": PACKAGE, "package_licence": "MIT",
        "releases": [f"{v} {d}" for v, d in zip(releases["version"], releases["release_date"])],
        "history_note": "observation=release: the price in force on the upload date of every release from "
                        "first_version to last_version (consecutive releases, price unchanged); "
                        "observation=dated_change: a price the package itself dates from first_date (start_date "
                        "constraint), as stated by releases first_version to last_version. Batch and time-of-day "
                        "prices are left out.",
        "url": f"https://pypi.org/project/{PACKAGE}/#history",
        "date_published": str(last["release_date"]), "date_accessed": pd.Timestamp.now("UTC").strftime("%Y-%m-%d"),
        "licence": "MIT (package data)", "sha256": sha256(path), "bytes": path.stat().st_size,
    }
    _write_record(folder, HISTORY_FILE, record)
    curated.load_market_price_history(folder)   # the written file must pass its own schema
    return table


def _history_main(argv=None) -> int:
    """``python -m analysis.market history [--pypi-json FILE] [--wheels DIR]``: rebuild the price history."""
    import argparse
    import json
    import subprocess
    import sys
    import tempfile
    import urllib.request

    parser = argparse.ArgumentParser(prog="python -m analysis.market")
    parser.add_argument("what", choices=("history",))
    parser.add_argument("--pypi-json", help="PyPI's JSON document for the package (fetched when not given)")
    parser.add_argument("--wheels", help="folder of already downloaded wheels (downloaded to a temp folder if not)")
    parser.add_argument("--since", default="2025-01-01")
    args = parser.parse_args(argv)
    if args.pypi_json:
        document = json.loads(Path(args.pypi_json).read_text())
    else:
        with urllib.request.urlopen(f"https://pypi.org/pypi/{PACKAGE}/json", timeout=60) as response:
            document = json.load(response)
    releases = release_dates_from_pypi(document, args.since)
    with tempfile.TemporaryDirectory() as tmp:
        wheels = Path(args.wheels or tmp)
        for r in releases.itertuples(index=False):
            if not (wheels / r.wheel).is_file():
                subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
                                f"{PACKAGE}=={r.version}", "-d", str(wheels)], check=True)
        table = build_history(releases, wheels)
    print(f"wrote data/{HISTORY_FILE}: {len(table)} rows from {len(releases)} releases "
          f"({releases['release_date'].iloc[0]} to {releases['release_date'].iloc[-1]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(_history_main())


def cheapest_host_rows_history(prices_raw: pd.DataFrame, history: pd.DataFrame, mapping: pd.DataFrame,
                               input_weight: float = 3, exclude_providers=RESELLERS) -> pd.DataFrame:
    """Each linked model's cheapest host at every release date of the history, as ``llm_prices``-shaped rows.

    Like :func:`cheapest_offers_as_price_rows` but dated through the history, so a curve that uses host prices has
    them at both ends (from the first release on), not only at the snapshot date.
    """
    links = mapping.dropna(subset=["llm_prices_model"])
    names = {(p, m): (n, l) for p, m, n, l in links[["provider", "provider_model_id", "model",
                                                       "llm_prices_model"]].itertuples(index=False)}
    out = []
    cross = cross_sections(history, input_weight, exclude_providers)
    cross = cross.assign(link=[names.get((p, m)) for p, m in zip(cross["provider"], cross["provider_model_id"])])
    cross = cross[cross["link"].notna()]
    best = cross.sort_values("blend", kind="stable").drop_duplicates(["at", "link"]).sort_values(["at", "link"])
    base = prices_raw.drop_duplicates("model", keep="last").set_index("model")
    best = best[[name in base.index for _, name in best["link"]]]
    for date, (model, name), provider, p_in, p_out, blend3 in best[
            ["at", "link", "provider", "input_usd_per_mtok", "output_usd_per_mtok",
             "blended_3to1_usd_per_mtok"]].itertuples(index=False):
        row = base.loc[name].copy()
        row["model"], row["date"] = f"{model} @ {provider}", pd.Timestamp(date)
        row["input_usd_per_mtok"], row["output_usd_per_mtok"], row["blended_3to1_usd_per_mtok"] = p_in, p_out, blend3
        row["avg_1to1_usd_per_mtok"] = np.nan
        row["dataset"], row["price_kind"], row["price_timing"], row["notes"] = "market", "host", "later_listing", ""
        out.append(row)
    out = [r.rename(None) for r in out]
    if not out:
        return pd.DataFrame(columns=prices_raw.columns)
    frame = pd.DataFrame(out).reset_index(drop=True)
    return frame[prices_raw.columns].astype(prices_raw.dtypes.to_dict(), errors="ignore")



def plot_like_for_like(declines: pd.DataFrame, rates: dict | None = None):
    """Each model's price decline per year, three like-for-like ways: its own SKUs, the median host, the cheapest."""
    import matplotlib.pyplot as plt

    rows = declines.sort_values("cheapest_factor_per_year", kind="stable").reset_index(drop=True)
    y = np.arange(len(rows))
    fig, ax = plt.subplots(figsize=(9, 0.28 * max(len(rows), 4) + 1.6))
    styles = [("same_sku_factor_per_year", "s", "C0", "same host and SKU (median over its SKUs)"),
              ("median_factor_per_year", "o", "C1", "median host to median host"),
              ("cheapest_factor_per_year", "D", "C3", "cheapest host to cheapest host")]
    for column, marker, color, label in styles:
        kind = next(k for k, c in RATE_KINDS.items() if c == column)
        if rates and kind in rates:
            label += f": median {rates[kind]['median_factor_per_year']:.2f}x/yr"
        ax.scatter(rows[column], y + {"s": -0.2, "o": 0.0, "D": 0.2}[marker], marker=marker, color=color, s=22,
                   label=label)
    ax.axvline(1.0, color="k", lw=0.8, ls=":")
    ax.set_yticks(y, [f"{m} ({a}→{b} hosts)" for m, a, b in rows[["model", "n_hosts_first", "n_hosts_last"]]
                      .itertuples(index=False)], fontsize=7)
    ax.set_xscale("log")
    from analysis.plotting import plain_log_ticks

    plain_log_ticks(ax, "x")
    ax.set_xlabel("price reduction factor per year (log scale; 1 = no cheaper)")
    ax.set_title("The same open model over time, like for like (genai-prices release history)")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def cheapest_rate_sensitivity(history: pd.DataFrame, mapping: pd.DataFrame, input_weight: float = 3,
                              min_years: float = 0.5, min_hosts: int = 2, longer_min_years=(0.75, 1.0)
                              ) -> pd.DataFrame:
    """The cheapest-to-cheapest rate under the choices it depends on, one row per variant.

    Variants: the headline (:func:`like_for_like_declines` with its defaults, resellers left out); a fixed panel of
    providers; with the Hugging Face routes counted as hosts (only OpenRouter left out); each of ``longer_min_years``
    as the shortest span kept; and the headline's models pooled (summed log factors over summed years) instead of
    the median. The spread across rows is how far the rate is pinned down by this history.

    Returns
    -------
    pandas.DataFrame
        ``variant, factor_per_year, ci_low, ci_high, n_models`` (pooled: no interval).
    """
    common = dict(input_weight=input_weight, min_hosts=min_hosts)
    variants = {"headline": like_for_like_declines(history, mapping, min_years=min_years, **common),
                "fixed provider panel": like_for_like_declines(history, mapping, min_years=min_years,
                                                               fixed_panel=True, **common),
                "Hugging Face routes counted as hosts": like_for_like_declines(
                    history, mapping, min_years=min_years, exclude_providers=("openrouter",), **common)}
    for years in longer_min_years:
        variants[f"spans of {years:g} years or more"] = like_for_like_declines(history, mapping, min_years=years,
                                                                                 **common)
    rows = []
    for name, declines in variants.items():
        rate = like_for_like_rate(declines, "cheapest")
        rows.append({"variant": name, "factor_per_year": rate["median_factor_per_year"], "ci_low": rate["ci_low"],
                     "ci_high": rate["ci_high"], "n_models": rate["n_models"]})
        if name == "headline":
            pooled = rate["pooled_factor_per_year"]
    rows.insert(1, {"variant": "headline models pooled (log factors over years)", "factor_per_year": pooled,
                    "ci_low": np.nan, "ci_high": np.nan, "n_models": rows[0]["n_models"]})
    return pd.DataFrame(rows)
