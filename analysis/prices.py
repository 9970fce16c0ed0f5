"""LLM price-decline curves: cheapest model above a capability threshold over time.

Two published methods are implemented:

* **Epoch AI** (2025-03-12, "LLM inference prices have fallen rapidly but unequally
  across tasks"; data and method from GitHub epoch-research/llm-benchmark-efficiency,
  CC BY): for every model that was ever the leader on a benchmark, take its score as a
  lower bound, walk all models in date order keeping each one strictly cheaper than the
  last kept one, and fit ``log10(price) ~ day ordinal`` by OLS.
* **a16z** (2024-11-12, "Welcome to LLMflation"): the cheapest price per month among
  models at or above a score, as a running minimum; its annual factor.

Prices are USD per million tokens. Input frames use the columns produced by
:func:`prepare`: ``model``, ``date`` (datetime64), ``price_usd_per_mtok``,
``reasoning`` (bool), and one column per benchmark.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from analysis.benchmarks import BENCHMARKS, EPOCH_BENCHMARKS

__all__ = [
    "BENCHMARKS",
    "EPOCH_BENCHMARKS",
    "DeclineFit",
    "MonthlyCheapest",
    "blended_price",
    "prepare",
    "cheapest_sequence",
    "fit_decline",
    "frontier_models",
    "frontier_trends",
    "monthly_cheapest",
    "summarize_factors",
    "cost_per_output_token",
    "split_blend",
    "price_observed_date",
    "fixed_model_price_path",
    "decimal_year",
    "same_model_declines",
]

DAYS_PER_YEAR = 365


def blended_price(input_usd, output_usd, input_weight=3):
    """Blend input and output prices, weighting input ``input_weight`` to 1.

    Parameters
    ----------
    input_usd, output_usd : float or array_like
        Prices per million input and output tokens.
    input_weight : float, default 3
        Weight of the input price relative to the output price (Epoch AI and
        Artificial Analysis use 3:1; a16z uses 1:1).

    Returns
    -------
    float or numpy.ndarray
        ``(input_weight * input + output) / (input_weight + 1)``.
    """
    if np.any(np.asarray(input_weight) < 0):
        raise ValueError(f"input_weight must be >= 0, got {input_weight!r}")
    return (input_weight * np.asarray(input_usd, dtype=float) + np.asarray(output_usd, dtype=float)) / (
        input_weight + 1.0
    )


def cost_per_output_token(input_usd, output_usd, input_tokens, output_tokens):
    """What a workload pays per output token, its prompts included (USD per million output tokens).

    A request is billed ``input_tokens x p_in + output_tokens x p_out``; divided by its
    output tokens this is ``(input_tokens / output_tokens) x p_in + p_out``. A blended
    price equals it (up to the factor ``1 + ratio``) only when the blend's weight is the
    workload's own input:output ratio.

    Parameters
    ----------
    input_usd, output_usd : float or array_like
        Prices per million input and output tokens.
    input_tokens, output_tokens : float or array_like
        Tokens per request (output_tokens > 0).
    """
    out = np.asarray(output_tokens, dtype=float)
    inp = np.asarray(input_tokens, dtype=float)
    if np.any(out <= 0) or np.any(inp < 0):
        raise ValueError("need output_tokens > 0 and input_tokens >= 0")
    return inp / out * np.asarray(input_usd, dtype=float) + np.asarray(output_usd, dtype=float)


def split_blend(blended_usd, output_over_input, input_weight=3):
    """Input and output prices behind a published blend, given the output:input price ratio.

    Inverts :func:`blended_price`: ``p_in = blended x (w + 1) / (w + ratio)``, ``p_out = ratio x p_in``.

    Returns
    -------
    tuple of (float or numpy.ndarray)
        ``(input_usd, output_usd)``.
    """
    ratio = np.asarray(output_over_input, dtype=float)
    if np.any(ratio <= 0):
        raise ValueError("output_over_input must be positive")
    p_in = np.asarray(blended_usd, dtype=float) * (input_weight + 1.0) / (input_weight + ratio)
    return p_in, ratio * p_in


_SCRAPE_NOTE = r"scrape time \(~(?P<month>[A-Z][a-z]{2}) (?P<year>\d{4})\)"


def price_observed_date(row) -> pd.Timestamp:
    """When a price row's price was observed, not when the model was released.

    Epoch's Artificial Analysis-derived rows pair a scrape-time price (~February 2025,
    said in ``notes``) with the model's release date; for those the first day of the
    scrape month is returned. Other rows: their ``date``.
    """
    import re

    note = row.get("notes") if hasattr(row, "get") else None
    match = re.search(_SCRAPE_NOTE, note) if isinstance(note, str) else None
    if match:
        return pd.Timestamp(f"{match['year']}-{match['month']}-01")
    return pd.Timestamp(row["date"])


def decimal_year(date) -> float:
    """``2025-02-01`` -> 2025.085 (day of year / 365.25)."""
    date = pd.Timestamp(date)
    return date.year + (date.day_of_year - 1) / 365.25


def fixed_model_price_path(price_observed, observed_year, years, decline_per_year, floor=0.0):
    """Price of one model over time: falls ``decline_per_year``-fold a year from when it was observed, never
    below ``floor`` (the cost of serving that model class).

    Parameters
    ----------
    price_observed : float or array
        Price at ``observed_year`` (any unit; ``floor`` in the same unit and token mix).
    observed_year : float
        Decimal year of the observation.
    years : float or array
        Decimal years at which the price is wanted (earlier years are held at the observed price).
    decline_per_year : float or array
        Fixed-model rate (a model's own price path; not a capability-level rate, which
        mixes in substitution by newer, smaller models).
    floor : float or array
        Lower bound.
    """
    elapsed = np.clip(np.asarray(years, dtype=float) - observed_year, 0.0, None)
    path = np.asarray(price_observed, dtype=float) / np.asarray(decline_per_year, dtype=float) ** elapsed
    return np.maximum(path, floor)


def same_model_declines(df: pd.DataFrame, min_years: float = 0.25, exclude_reasoning: bool = True) -> pd.DataFrame:
    """Annual price decline of each model whose own price changed in the data (first to last observation).

    A fixed-model rate: the same model, re-priced, with no substitution by newer models.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`prepare`.
    min_years : float
        Shortest span kept (one price cut a month apart annualises to nonsense).
    exclude_reasoning : bool
        Drop reasoning models.

    Returns
    -------
    pandas.DataFrame
        ``model, first_date, last_date, first_price, last_price, years, factor_per_year``.
    """
    _check_columns(df, ["model", "date", "price_usd_per_mtok", "reasoning"])
    rows = df[~df["reasoning"].astype(bool)] if exclude_reasoning else df
    rows = rows.sort_values("date", kind="stable")
    first = rows.groupby("model").first()
    last = rows.groupby("model").last()
    years = (last["date"] - first["date"]).dt.days / 365.25
    out = pd.DataFrame({"first_date": first["date"], "last_date": last["date"],
                        "first_price": first["price_usd_per_mtok"], "last_price": last["price_usd_per_mtok"],
                        "years": years})
    out = out[(out["years"] >= min_years) & (out["first_price"] != out["last_price"])]
    out["factor_per_year"] = (out["first_price"] / out["last_price"]) ** (1.0 / out["years"])
    return out.reset_index().sort_values("factor_per_year").reset_index(drop=True)


def prepare(prices: pd.DataFrame, input_weight: float = 3, datasets=None, exclude_reasoning: bool = False,
            start_date=None, end_date=None) -> pd.DataFrame:
    """Turn the curated price table into the analysis frame with one price per row.

    At the default 3:1 weight the published blended figure is used as-is (it is the
    number Epoch AI fitted; list prices in the data reproduce it within 3%). At any
    other weight the price is recomputed from list prices where both are known and
    the published figure is kept otherwise; ``price_recomputed`` says which.

    Parameters
    ----------
    prices : pandas.DataFrame
        Output of :func:`analysis.data.load_llm_prices`.
    input_weight : float, default 3
        Input:output blend weight (see :func:`blended_price`).
    datasets : list of str, optional
        Keep only these values of the ``dataset`` column (e.g. ``["epoch"]``).
    exclude_reasoning : bool, default False
        Drop rows flagged as reasoning models.
    start_date, end_date : str or Timestamp, optional
        Inclusive date window.

    Returns
    -------
    pandas.DataFrame
        Sorted by date, with ``price_usd_per_mtok`` and ``price_recomputed`` added;
        rows without any price dropped.
    """
    df = prices.copy()
    published = df["blended_3to1_usd_per_mtok"].fillna(df["avg_1to1_usd_per_mtok"])
    has_io = df["input_usd_per_mtok"].notna() & df["output_usd_per_mtok"].notna()
    recompute = has_io & ((input_weight != 3) | published.isna())
    computed = blended_price(df["input_usd_per_mtok"], df["output_usd_per_mtok"], input_weight)
    df["price_usd_per_mtok"] = np.where(recompute, computed, published)
    df["price_recomputed"] = recompute.to_numpy()
    if datasets is not None:
        unknown = set(datasets) - set(df["dataset"].unique())
        if unknown:
            raise ValueError(f"unknown dataset(s) {sorted(unknown)}; known: {sorted(df['dataset'].unique())}")
        df = df[df["dataset"].isin(datasets)]
    if exclude_reasoning:
        df = df[~df["reasoning"]]
    if start_date is not None:
        df = df[df["date"] >= pd.Timestamp(start_date)]
    if end_date is not None:
        df = df[df["date"] <= pd.Timestamp(end_date)]
    df = df[df["price_usd_per_mtok"].notna()]
    return df.sort_values("date", kind="stable").reset_index(drop=True)


def _check_columns(df: pd.DataFrame, needed) -> None:
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise KeyError(f"price frame lacks column(s) {missing}; have {list(df.columns)}")


def cheapest_sequence(df: pd.DataFrame, benchmark: str, lower: float, upper: float | None = None) -> pd.DataFrame:
    """Epoch AI's chronological run of ever-cheaper models within a score band.

    Walks every row with a ``benchmark`` score in date order and keeps a row when
    ``lower <= score < upper`` and its price is strictly below the last kept price.
    When two kept rows share a date, only the later (cheaper) one stays.

    Parameters
    ----------
    df : pandas.DataFrame
        Columns ``model``, ``date``, ``price_usd_per_mtok`` and ``benchmark``.
    benchmark : str
        Score column.
    lower : float
        Inclusive lower bound on the score.
    upper : float, optional
        Exclusive upper bound; ``None`` means unbounded.

    Returns
    -------
    pandas.DataFrame
        The kept rows (original columns), in date order.
    """
    _check_columns(df, ["model", "date", "price_usd_per_mtok", benchmark])
    rows = df[df[benchmark].notna()].sort_values("date", kind="stable")
    score = rows[benchmark].to_numpy(dtype=float)
    hi = np.inf if upper is None else upper
    rows = rows[(score >= lower) & (score < hi)]
    price = rows["price_usd_per_mtok"].to_numpy(dtype=float)
    # a row is kept when it is cheaper than every eligible row before it
    previous_min = np.concatenate([[np.inf], np.minimum.accumulate(price)[:-1]]) if len(price) else price
    kept = rows[price < previous_min]
    dates = kept["date"].to_numpy()
    same_as_next = np.zeros(len(kept), dtype=bool)
    if len(kept) > 1:
        same_as_next[:-1] = dates[:-1] == dates[1:]
    return kept[~same_as_next]


@dataclass(frozen=True)
class DeclineFit:
    """An OLS fit of log10 price on time.

    Attributes
    ----------
    factor_per_year : float
        Price divides by this factor each year (``10**(-365*slope)``).
    ci_low, ci_high : float
        90% confidence interval of the factor (t-interval on the slope).
    r2 : float
        Coefficient of determination.
    n : int
        Number of points.
    start, end : pandas.Timestamp
        First and last dates.
    slope_log10_per_day, intercept : float
        Raw coefficients (day ordinal as regressor).
    """

    factor_per_year: float
    ci_low: float
    ci_high: float
    r2: float
    n: int
    start: pd.Timestamp
    end: pd.Timestamp
    slope_log10_per_day: float
    intercept: float

    def predict(self, dates) -> np.ndarray:
        """Fitted price (USD per million tokens) at ``dates``."""
        ordinal = np.array([pd.Timestamp(d).toordinal() for d in np.atleast_1d(dates)], dtype=float)
        return 10.0 ** (self.intercept + self.slope_log10_per_day * ordinal)


def fit_decline(seq: pd.DataFrame, alpha: float = 0.10) -> DeclineFit:
    """Fit ``log10(price) ~ day ordinal`` by OLS (statsmodels) and express it per year.

    Parameters
    ----------
    seq : pandas.DataFrame
        Columns ``date`` and ``price_usd_per_mtok``, at least three rows with two
        distinct dates.
    alpha : float, default 0.10
        1 - confidence level of the interval (0.10 gives Epoch AI's 90% interval).

    Returns
    -------
    DeclineFit
    """
    _check_columns(seq, ["date", "price_usd_per_mtok"])
    if len(seq) < 3 or seq["date"].nunique() < 2:
        raise ValueError(f"fit_decline needs at least 3 points on 2 dates, got {len(seq)}")
    x = np.array([pd.Timestamp(d).toordinal() for d in seq["date"]], dtype=float)
    y = np.log10(seq["price_usd_per_mtok"].to_numpy(dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):   # a flat series (a stall) has no variance to explain
        result = sm.OLS(y, sm.add_constant(x)).fit()
        slope = float(result.params[1])
        slope_lo, slope_hi = (float(v) for v in result.conf_int(alpha=alpha)[1])
        r2 = float(result.rsquared)
    return DeclineFit(
        factor_per_year=10.0 ** (-slope * DAYS_PER_YEAR),
        ci_low=10.0 ** (-slope_hi * DAYS_PER_YEAR),
        ci_high=10.0 ** (-slope_lo * DAYS_PER_YEAR),
        r2=r2,
        n=len(seq),
        start=pd.Timestamp(seq["date"].min()),
        end=pd.Timestamp(seq["date"].max()),
        slope_log10_per_day=slope,
        intercept=float(result.params[0]),
    )


def frontier_models(df: pd.DataFrame, benchmark: str) -> pd.DataFrame:
    """Rows of models that were the running leader on ``benchmark`` at some date.

    At each distinct date the best-scoring row among rows dated up to then is the
    leader (the first such row on ties). Returned in the order they became leader.
    """
    _check_columns(df, ["model", "date", benchmark])
    rows = df[df[benchmark].notna()].sort_values("date", kind="stable")
    if rows.empty:
        return rows
    score = rows[benchmark].to_numpy(dtype=float)
    dates = rows["date"].to_numpy()
    # running argmax that keeps the first occurrence on ties
    best_so_far = np.maximum.accumulate(score)
    is_new_best = np.concatenate([[True], score[1:] > best_so_far[:-1]])
    leader = np.maximum.accumulate(np.where(is_new_best, np.arange(len(score)), 0))
    last_of_date = np.concatenate([dates[1:] != dates[:-1], [True]])
    return rows.iloc[np.unique(leader[last_of_date])]


def frontier_trends(df: pd.DataFrame, benchmarks, min_points: int = 4, exclude_reasoning: bool = True,
                    benchmark_meta: dict | None = None) -> pd.DataFrame:
    """Epoch AI's price-decline trends, one per (benchmark, frontier threshold).

    Parameters
    ----------
    df : pandas.DataFrame
        Columns ``model``, ``date`` (datetime64), ``price_usd_per_mtok``,
        ``reasoning`` (bool) and one column per name in ``benchmarks``.
    benchmarks : list of str
        Score columns to analyse; keys of ``benchmark_meta``.
    min_points : int, default 4
        Fewest points a cheapest-model sequence needs to be fitted.
    exclude_reasoning : bool, default True
        Drop reasoning models first (Epoch AI: their per-token prices are not
        comparable, as they emit many more tokens).
    benchmark_meta : dict, optional
        Per-benchmark ``multiple_choice`` and ``upper`` entries; defaults to
        :data:`analysis.benchmarks.BENCHMARKS`.

    Returns
    -------
    pandas.DataFrame
        Columns ``benchmark, threshold_model, lower, n, start, end,
        factor_per_year, ci_low, ci_high, r2``.
    """
    meta = BENCHMARKS if benchmark_meta is None else benchmark_meta
    unknown = [b for b in benchmarks if b not in meta]
    if unknown:
        raise ValueError(f"unknown benchmark(s) {unknown}; known: {sorted(meta)}")
    if min_points < 3:
        raise ValueError(f"min_points must be at least 3 to fit a line with an interval, got {min_points}")
    _check_columns(df, ["model", "date", "price_usd_per_mtok", "reasoning", *benchmarks])
    if exclude_reasoning:
        df = df[~df["reasoning"].astype(bool)]
    records = []
    for bench in benchmarks:
        info = meta[bench]
        for _, leader in frontier_models(df, bench).iterrows():
            lower = float(leader[bench])
            if info["multiple_choice"] and lower < 30:
                continue
            seq = cheapest_sequence(df, bench, lower, info.get("upper"))
            if len(seq) < min_points:
                continue
            fit = fit_decline(seq)
            records.append({
                "benchmark": bench, "threshold_model": leader["model"], "lower": lower, "n": fit.n,
                "start": fit.start, "end": fit.end, "factor_per_year": fit.factor_per_year,
                "ci_low": fit.ci_low, "ci_high": fit.ci_high, "r2": fit.r2,
            })
    columns = ["benchmark", "threshold_model", "lower", "n", "start", "end",
               "factor_per_year", "ci_low", "ci_high", "r2"]
    return pd.DataFrame.from_records(records, columns=columns)


def summarize_factors(trends: pd.DataFrame) -> dict:
    """Minimum, median, maximum and count of the fitted annual factors."""
    f = trends["factor_per_year"].to_numpy(dtype=float)
    if f.size == 0:
        return {"n_trends": 0, "min_factor_per_year": float("nan"),
                "median_factor_per_year": float("nan"), "max_factor_per_year": float("nan")}
    return {"n_trends": int(f.size), "min_factor_per_year": float(f.min()),
            "median_factor_per_year": float(np.median(f)), "max_factor_per_year": float(f.max())}


@dataclass(frozen=True)
class MonthlyCheapest:
    """a16z-style monthly running minimum and its annual decline.

    Attributes
    ----------
    series : pandas.DataFrame
        One row per month: ``month`` (month start), ``price_usd_per_mtok`` (cheapest
        price available so far), ``model`` (who offered it).
    factor_per_year : float
        OLS of log10(monthly minimum) on time, as a factor per year.
    ci_low, ci_high : float
        90% interval of that factor (monthly points are not independent: the
        running minimum repeats values, so the interval is too narrow).
    endpoint_factor_per_year : float
        (first / last price) ** (1 / years between them), a16z's headline reading.
    total_factor : float
        first / last price.
    years : float
        Span between the first and last month.
    """

    series: pd.DataFrame
    factor_per_year: float
    ci_low: float
    ci_high: float
    endpoint_factor_per_year: float
    total_factor: float
    years: float


def monthly_cheapest(df: pd.DataFrame, benchmark: str, threshold: float, start=None, end=None) -> MonthlyCheapest:
    """Cheapest price per month among models scoring at least ``threshold`` (a16z's method).

    Parameters
    ----------
    df : pandas.DataFrame
        Columns ``model``, ``date``, ``price_usd_per_mtok`` and ``benchmark``.
    benchmark : str
        Score column.
    threshold : float
        Inclusive minimum score.
    start, end : str or Timestamp, optional
        First and last month of the series (defaults: first eligible price, last
        eligible price).

    Returns
    -------
    MonthlyCheapest
    """
    _check_columns(df, ["model", "date", "price_usd_per_mtok", benchmark])
    rows = df[df[benchmark].notna() & (df[benchmark] >= threshold)].sort_values("date", kind="stable")
    if rows.empty:
        raise ValueError(f"no priced model scores {benchmark} >= {threshold}")
    month = rows["date"].dt.to_period("M")
    first = pd.Period(start, "M") if start is not None else month.min()
    last = pd.Period(end, "M") if end is not None else month.max()
    months = pd.period_range(first, last, freq="M")
    # cheapest offer in each month, then the running minimum over months
    per_month = rows.assign(month=month).sort_values("price_usd_per_mtok", kind="stable").drop_duplicates("month")
    per_month = per_month.set_index("month").reindex(months)
    price = per_month["price_usd_per_mtok"].to_numpy(dtype=float)
    price = np.where(np.isnan(price), np.inf, price)
    earlier = rows[month < first]
    carry = earlier["price_usd_per_mtok"].min() if not earlier.empty else np.inf
    running = np.minimum.accumulate(np.concatenate([[carry], price]))[1:]
    owner_idx = np.maximum.accumulate(np.where(price <= running, np.arange(len(price)), -1))
    models = per_month["model"].to_numpy(dtype=object)
    owner = np.where(owner_idx >= 0, models[np.clip(owner_idx, 0, None)], None)
    series = pd.DataFrame({"month": months.to_timestamp(), "price_usd_per_mtok": running, "model": owner})
    series = series[np.isfinite(series["price_usd_per_mtok"])].reset_index(drop=True)
    if len(series) < 3:
        raise ValueError(f"monthly series for {benchmark} >= {threshold} has fewer than 3 months")
    fit = fit_decline(series.rename(columns={"month": "date"}))
    years = (series["month"].iloc[-1] - series["month"].iloc[0]).days / 365.25
    total = float(series["price_usd_per_mtok"].iloc[0] / series["price_usd_per_mtok"].iloc[-1])
    return MonthlyCheapest(series=series, factor_per_year=fit.factor_per_year, ci_low=fit.ci_low,
                           ci_high=fit.ci_high, endpoint_factor_per_year=total ** (1.0 / years) if years > 0 else
                           float("nan"), total_factor=total, years=years)


# --------------------------------------------------------------------------------------
# Comparisons and figures
# --------------------------------------------------------------------------------------

def compare_with_published(trends: pd.DataFrame, published: pd.DataFrame, model_aliases: dict | None = None
                           ) -> pd.DataFrame:
    """Join fitted trends with published ones and measure the gap in log10.

    Parameters
    ----------
    trends : pandas.DataFrame
        Output of :func:`frontier_trends`.
    published : pandas.DataFrame
        Columns ``benchmark, threshold_model, n, factor_per_year, ci_low, ci_high``
        (e.g. :func:`analysis.data.load_epoch_price_trends`).
    model_aliases : dict, optional
        Renames applied to ``trends.threshold_model`` before joining.

    Returns
    -------
    pandas.DataFrame
        One row per published trend with ``*_ours`` columns and
        ``abs_log10_error`` (largest gap over factor and both bounds; NaN when the
        trend was not reproduced at all).
    """
    ours = trends.copy()
    if model_aliases:
        ours["threshold_model"] = ours["threshold_model"].replace(model_aliases)
    merged = published.merge(ours, on=["benchmark", "threshold_model"], how="left", suffixes=("", "_ours"))
    gaps = [np.abs(np.log10(merged[f"{c}_ours"]) - np.log10(merged[c])) for c in ("factor_per_year", "ci_low",
                                                                                   "ci_high")]
    merged["abs_log10_error"] = np.maximum.reduce([g.to_numpy(dtype=float) for g in gaps])
    return merged


def a16z_gap(fit: MonthlyCheapest, claimed_total: float, claimed_years: float) -> dict:
    """How far a monthly-minimum series is from a published 'X-fold in Y years' claim."""
    claimed_per_year = claimed_total ** (1.0 / claimed_years)
    return {
        "claimed_total": claimed_total, "claimed_per_year": claimed_per_year,
        "ours_total": fit.total_factor, "ours_endpoint_per_year": fit.endpoint_factor_per_year,
        "ours_ols_per_year": fit.factor_per_year, "total_ratio": claimed_total / fit.total_factor,
        "start_price": float(fit.series["price_usd_per_mtok"].iloc[0]),
        "end_price": float(fit.series["price_usd_per_mtok"].iloc[-1]),
        "end_model": fit.series["model"].iloc[-1],
    }


def plot_cheapest_sequences(df: pd.DataFrame, trends: pd.DataFrame, benchmark_meta: dict | None = None,
                            exclude_reasoning: bool = True):
    """Small multiples, one per benchmark: cheapest-price step lines and fitted trends (log scale)."""
    import matplotlib.pyplot as plt

    from analysis.plotting import date_axis

    meta = BENCHMARKS if benchmark_meta is None else benchmark_meta
    if exclude_reasoning:
        df = df[~df["reasoning"].astype(bool)]
    benches = list(dict.fromkeys(trends["benchmark"]))
    if not benches:
        fig, ax = plt.subplots()
        ax.text(0.5, 0.5, "no trend has enough points", ha="center", transform=ax.transAxes)
        return fig
    ncols = min(3, len(benches))
    nrows = -(-len(benches) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(5 * ncols, 3.6 * nrows), squeeze=False, sharey=True)
    for ax, bench in zip(axes.flat, benches):
        rows = trends[trends["benchmark"] == bench]
        for i, (_, t) in enumerate(rows.iterrows()):
            seq = cheapest_sequence(df, bench, t["lower"], meta[bench].get("upper"))
            color = f"C{i % 10}"
            ax.step(seq["date"], seq["price_usd_per_mtok"], where="post", color=color, lw=1.4,
                    label=f"≥ {t['lower']:g} ({t['threshold_model']}): {t['factor_per_year']:.0f}x/yr")
            ax.plot(seq["date"], seq["price_usd_per_mtok"], "o", color=color, ms=3)
            fit = fit_decline(seq)
            ax.plot(seq["date"], fit.predict(seq["date"]), "--", color=color, lw=1)
        ax.set_yscale("log")
        ax.set_title(meta[bench]["label"])
        ax.legend(fontsize=7, loc="lower left")
        date_axis(ax)
    for ax in axes.flat[len(benches):]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel("USD per million tokens")
    fig.suptitle("Cheapest model at or above each frontier threshold (steps) and fitted trend (dashed)")
    fig.tight_layout()
    return fig


def plot_monthly(curves: dict, anchors: pd.DataFrame | None = None, reference_per_year: float | None = None):
    """a16z-style monthly cheapest-price curves, with published anchor points and a reference slope."""
    import matplotlib.pyplot as plt

    from analysis.plotting import date_axis

    fig, ax = plt.subplots()
    for i, (label, fit) in enumerate(curves.items()):
        s = fit.series
        ax.step(s["month"], s["price_usd_per_mtok"], where="post", color=f"C{i}",
                label=f"{label}: {fit.total_factor:,.0f}x over {fit.years:.1f} yr "
                      f"({fit.endpoint_factor_per_year:.1f}x/yr endpoints, {fit.factor_per_year:.1f}x/yr OLS)")
        if reference_per_year and i == 0:
            years = (s["month"] - s["month"].iloc[0]).dt.days / 365.25
            ax.plot(s["month"], s["price_usd_per_mtok"].iloc[0] / reference_per_year ** years, ":", color="0.3",
                    label=f"{reference_per_year:g}x per year (a16z headline)")
    if anchors is not None and not anchors.empty:
        ax.plot(anchors["date"], anchors["price_usd_per_mtok"], "k*", ms=11, label="a16z published points (1:1 avg)")
    ax.set_yscale("log")
    date_axis(ax)
    ax.set_ylabel("USD per million tokens")
    ax.set_title("Cheapest price per month above an MMLU score (a16z method)")
    ax.legend(fontsize=8)
    return fig


def window_trends(df: pd.DataFrame, benchmarks, months: int = 18, end=None, **trend_options):
    """Epoch's trends over the whole frame and over its last ``months`` months, fitted separately.

    Returns
    -------
    tuple
        ``(trends, window_start)``: :func:`frontier_trends` rows with a ``window`` column (``full`` or
        ``latest``), and the first date of the latest window.
    """
    end = pd.Timestamp(end) if end is not None else df["date"].max()
    start = end - pd.DateOffset(months=months)
    full = frontier_trends(df[df["date"] <= end], benchmarks, **trend_options).assign(window="full")
    latest = frontier_trends(df[(df["date"] >= start) & (df["date"] <= end)], benchmarks,
                             **trend_options).assign(window="latest")
    return pd.concat([full, latest], ignore_index=True), start


def pareto_front(df: pd.DataFrame, benchmark: str) -> pd.DataFrame:
    """Rows no other row beats on both price (lower) and ``benchmark`` score (higher), cheapest first."""
    _check_columns(df, ["model", "price_usd_per_mtok", benchmark])
    rows = df[df[benchmark].notna()].sort_values(["price_usd_per_mtok", benchmark], ascending=[True, False],
                                                   kind="stable")
    best = np.maximum.accumulate(rows[benchmark].to_numpy(dtype=float))
    keep = np.concatenate([[True], rows[benchmark].to_numpy(dtype=float)[1:] > best[:-1]]) if len(rows) else []
    return rows[np.asarray(keep, dtype=bool)]


def plot_window_comparison(trends: pd.DataFrame, window_start):
    """Forest plot of each threshold's factor with its 90% interval, full window against the latest one."""
    import matplotlib.pyplot as plt

    from analysis.plotting import forest

    counts = [max(int((trends["window"] == w).sum()), 2) for w in ("full", "latest")]
    fig, axes = plt.subplots(2, 1, figsize=(9, 0.3 * sum(counts) + 2.5), sharex=True,
                             gridspec_kw={"height_ratios": counts})
    for ax, window in zip(axes, ("full", "latest")):
        t = trends[trends["window"] == window]
        if t.empty:
            ax.text(0.5, 0.5, "no threshold has enough points", ha="center", transform=ax.transAxes)
            ax.set_title(window)
            continue
        labels = [f"{BENCHMARKS[b]['label']} ≥ {lo:g} ({m}, n={n})"
                  for b, lo, m, n in t[["benchmark", "lower", "threshold_model", "n"]].itertuples(index=False)]
        median = float(np.median(t["factor_per_year"]))
        forest(ax, labels, t["factor_per_year"], t["ci_low"], t["ci_high"],
               xlabel="price reduction factor per year (log scale)", reference=median)
        span = "all dates" if window == "full" else f"since {pd.Timestamp(window_start):%Y-%m-%d}"
        ax.set_title(f"{window} window ({span}): median {median:.0f}x per year")
    axes[0].set_xlim(0.1, 1e4)       # intervals beyond this range are cut at the frame
    fig.tight_layout()
    return fig


def plot_price_frontier(df: pd.DataFrame, benchmarks, label: bool = True):
    """Price against score per benchmark (log price), the price-capability Pareto front marked and labelled."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(benchmarks), figsize=(6.5 * len(benchmarks), 5), squeeze=False)
    for ax, bench in zip(axes[0], benchmarks):
        rows = df[df[bench].notna()]
        reasoning = rows["reasoning"].astype(bool)
        ax.scatter(rows.loc[~reasoning, bench], rows.loc[~reasoning, "price_usd_per_mtok"], s=14, color="C0",
                   alpha=0.6, label="non-reasoning")
        ax.scatter(rows.loc[reasoning, bench], rows.loc[reasoning, "price_usd_per_mtok"], s=14, color="C1",
                   alpha=0.6, label="reasoning")
        front = pareto_front(rows, bench)
        ax.step(front[bench], front["price_usd_per_mtok"], where="post", color="k", lw=1)
        ax.plot(front[bench], front["price_usd_per_mtok"], "ko", ms=5, mfc="none", label="Pareto front")
        if label:
            for _, r in front.iterrows():
                ax.annotate(r["model"], (r[bench], r["price_usd_per_mtok"]), fontsize=7, xytext=(3, 3),
                            textcoords="offset points")
        ax.set_yscale("log")
        ax.set_xlabel(f"{BENCHMARKS[bench]['label']} (%)")
        ax.set_ylabel("USD per million tokens (3:1 blend)")
        ax.set_title(f"Price against {BENCHMARKS[bench]['label']}")
        ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def refit_window(df: pd.DataFrame, thresholds: pd.DataFrame, start, end=None, benchmark_meta: dict | None = None,
                 exclude_reasoning: bool = True) -> pd.DataFrame:
    """The same thresholds, measured on a window's own points: the cheapest price at its start against its end.

    For each threshold (``benchmark, threshold_model, lower`` rows, e.g. the full window's
    :func:`frontier_trends`), the cheapest price of an eligible model available at ``start`` (carried in from
    before the window) is set against the cheapest available at ``end``; a threshold whose price did not fall
    (no cheaper model arrived) counts as 1x per year, the evidence of a stall that a refit on in-window points
    alone would drop. A threshold first reached inside the window (``status`` ``new``) starts at its first
    eligible price.

    Returns
    -------
    pandas.DataFrame
        ``benchmark, threshold_model, lower, status, start, end, start_price, end_price, end_model, n_new_cheaper,
        years, factor_per_year`` (endpoint factor; ``factor_per_year_ols`` by OLS on the step points, start and held
        end included, where there are 3 or more distinct dates).
    """
    meta = BENCHMARKS if benchmark_meta is None else benchmark_meta
    start = pd.Timestamp(start)
    end = pd.Timestamp(end) if end is not None else df["date"].max()
    if exclude_reasoning:
        df = df[~df["reasoning"].astype(bool)]
    df = df[df["date"] <= end]
    records = []
    for bench, model, lower in thresholds[["benchmark", "threshold_model", "lower"]].drop_duplicates().itertuples(
            index=False):
        upper = meta[bench].get("upper")
        rows = df[df[bench].notna() & (df[bench] >= lower) & (df[bench] < (np.inf if upper is None else upper))]
        if rows.empty:
            continue
        rows = rows.sort_values("date", kind="stable")
        before = rows[rows["date"] < start]
        inside = rows[rows["date"] >= start]
        if not before.empty:
            status, t0 = "existing", start
            best = before.loc[before["price_usd_per_mtok"].idxmin()]
        else:
            status, t0 = "new", inside["date"].iloc[0]
            best = inside[inside["date"] == t0].sort_values("price_usd_per_mtok").iloc[0]
        p0 = float(best["price_usd_per_mtok"])
        steps = [(t0, p0)]
        running, owner = p0, best["model"]
        for date, price, name in inside[["date", "price_usd_per_mtok", "model"]].itertuples(index=False):
            if price < running:
                running, owner = float(price), name
                steps.append((date, running))
        years = (end - t0).days / 365.25
        n_new = len(steps) - 1
        points = pd.DataFrame(steps + [(end, running)], columns=["date", "price_usd_per_mtok"]).drop_duplicates(
            "date", keep="last")
        ols = fit_decline(points).factor_per_year if len(points) >= 3 else np.nan
        records.append({"benchmark": bench, "threshold_model": model, "lower": float(lower), "status": status,
                        "start": t0, "end": end, "start_price": p0, "end_price": running, "end_model": owner,
                        "n_new_cheaper": n_new, "years": years,
                        "factor_per_year": (p0 / running) ** (1 / years) if years > 0 else np.nan,
                        "factor_per_year_ols": ols})
    return pd.DataFrame.from_records(records, columns=[
        "benchmark", "threshold_model", "lower", "status", "start", "end", "start_price", "end_price", "end_model",
        "n_new_cheaper", "years", "factor_per_year", "factor_per_year_ols"])


def plot_window_refit(refit: pd.DataFrame, full: pd.DataFrame, window_start):
    """Each threshold's rate over the latest window (same thresholds, endpoints) against its full-window fit."""
    import matplotlib.pyplot as plt

    merged = refit.merge(full[["benchmark", "threshold_model", "lower", "factor_per_year"]],
                         on=["benchmark", "threshold_model", "lower"], suffixes=("", "_full"))
    fig, ax = plt.subplots(figsize=(9, 0.3 * max(len(merged), 4) + 1.5))
    labels = [f"{BENCHMARKS[b]['label']} ≥ {lo:g} ({m}){' [new]' if s == 'new' else ''}"
              for b, lo, m, s in merged[["benchmark", "lower", "threshold_model", "status"]].itertuples(index=False)]
    y = np.arange(len(merged))
    ax.scatter(merged["factor_per_year_full"], y, marker="o", color="0.6", label="full window (OLS fit)")
    ax.scatter(merged["factor_per_year"], y, marker="D", color="C3", label="latest window, same threshold (endpoints)")
    ax.axvline(1.0, color="k", lw=0.8, ls=":")
    ax.set_yticks(y, labels, fontsize=7)
    ax.set_xscale("log")
    from analysis.plotting import plain_log_ticks

    plain_log_ticks(ax, "x")
    ax.set_xlabel("price reduction factor per year (log scale; 1 = no cheaper model)")
    ax.set_title(f"The same thresholds since {pd.Timestamp(window_start):%Y-%m-%d}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
