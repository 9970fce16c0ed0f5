"""Time in the throughput data: software over time and the temporal-split validation.

The same model on the same chips serves faster as serving stacks improve. The measured
rate comes only from *repeated measurements of one configuration* (same model, chip, chip
count, precision, lengths, load, concurrency, latency limit, serving features and stack
tier, measured at two or more dates): within each configuration the log throughput is
regressed on the date, configurations pooled with their own intercepts (a fixed-effects
slope), so hardware generations, models and publishers never enter the rate. Its interval
resamples whole configurations (cluster bootstrap).

The temporal split fits the model (:func:`analysis.throughput_cv.fit`) on everything
measured before a cutoff date and predicts what was measured from that date on: the
situation of a reader using the model on next month's table.
"""

from __future__ import annotations

import re
from typing import Iterable

import numpy as np
import pandas as pd

#: Columns that define "the same configuration" for the software-over-time estimate.
CONFIG_COLUMNS = ("model", "hardware", "n_chips", "precision", "kv_cache_precision", "scenario", "input_tokens",
                  "output_tokens", "concurrency", "tpot_limit_ms", "throughput_basis", "tokens_counted", "speculative",
                  "disaggregated", "expert_parallel", "stack_tier")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def decimal_year(measured) -> np.ndarray:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as a decimal year (the middle of the stated period).

    ``2025`` is 2025.5, ``2025-03`` is 2025 + 2.5/12, ``2025-03-18`` is 2025 + (2 + 17.5/31)/12
    (days as a share of a 31-day month: precise enough for rates per year). Anything else is NaN.
    """
    out = []
    for value in pd.Series(measured, dtype=object).tolist():
        m = _DATE.match(str(value)) if isinstance(value, str) else None
        if not m:
            out.append(np.nan)
            continue
        year, month, day = m.groups()
        if month is None:
            out.append(int(year) + 0.5)
        elif day is None:
            out.append(int(year) + (int(month) - 0.5) / 12.0)
        else:
            out.append(int(year) + (int(month) - 1 + (int(day) - 0.5) / 31.0) / 12.0)
    return np.asarray(out, dtype=float)


def configuration_key(measurements: pd.DataFrame, columns: Iterable[str] = CONFIG_COLUMNS) -> pd.Series:
    """A label per row naming its configuration (:data:`CONFIG_COLUMNS`, lengths to two significant digits)."""
    columns = [c for c in columns if c in measurements.columns]
    parts = measurements[columns].copy()
    for c in ("input_tokens", "output_tokens"):
        if c in parts:
            # MLPerf's mean output length differs a little between systems of one benchmark: two significant
            # digits make the same benchmark one configuration
            parts[c] = parts[c].map(lambda v: f"{float(v):.2g}" if pd.notna(v) else "")
    return parts.astype(object).where(parts.notna(), "").astype(str).agg("|".join, axis=1)


def superseded(measurements: pd.DataFrame) -> np.ndarray:
    """True for a row whose source family published the same configuration again at a later date.

    The newest statement stands for accuracy: fits and cross-validation use the newest table of a
    configuration (older editions still feed :func:`software_rate`). Rows dated only to a year never
    supersede or get superseded by rows of another precision of date.
    """
    year = decimal_year(measurements["measured"])
    key = measurements["source_family"].astype(str) + "||" + configuration_key(measurements)
    frame = pd.DataFrame({"key": key.to_numpy(), "year": year})
    newest = frame.groupby("key")["year"].transform("max").to_numpy()
    return np.isfinite(year) & (year < newest)


def repeated_configurations(measurements: pd.DataFrame, columns: Iterable[str] = CONFIG_COLUMNS,
                            min_years_apart: float = 1.0 / 12.0) -> pd.DataFrame:
    """Rows of configurations measured at two or more dates at least ``min_years_apart`` apart.

    Dates known only to the year (``YYYY``) are left out: their half-year uncertainty is as large
    as the gaps being measured. Adds ``config`` (a label), ``year`` (decimal) and ``log_value``.
    """
    rows = measurements.copy()
    rows["year"] = decimal_year(rows["measured"])
    rows = rows[rows["measured"].astype(str).str.len() > 4].dropna(subset=["year"])
    rows["config"] = configuration_key(rows, columns)
    spread = rows.groupby("config")["year"].agg(lambda y: y.max() - y.min())
    keep = spread[spread >= min_years_apart].index
    rows = rows[rows["config"].isin(keep)].copy()
    rows["log_value"] = np.log(rows["output_tokens_per_s"].astype(float))
    return rows.reset_index(drop=True)


def _within_slope(config: np.ndarray, year: np.ndarray, log_value: np.ndarray) -> float:
    """Fixed-effects slope: both variables demeaned within each configuration, then one regression."""
    frame = pd.DataFrame({"c": config, "y": year, "v": log_value})
    dy = frame["y"] - frame.groupby("c")["y"].transform("mean")
    dv = frame["v"] - frame.groupby("c")["v"].transform("mean")
    den = float((dy * dy).sum())
    return float((dy * dv).sum() / den) if den > 0 else float("nan")


def software_rate(measurements: pd.DataFrame, n_boot: int = 2000, level: float = 0.9, seed: int = 0,
                  columns: Iterable[str] = CONFIG_COLUMNS) -> dict:
    """How much faster the same configuration serves per year, from software alone.

    Parameters
    ----------
    measurements : DataFrame
        ``throughput_measurements.csv`` rows (``measured`` dates, ``output_tokens_per_s``).
    n_boot, level, seed
        Cluster bootstrap over configurations: ``n_boot`` resamples, a ``level`` interval.

    Returns
    -------
    dict
        ``factor_per_year`` (exp of the within-configuration slope of log throughput on years),
        ``low``/``high`` (bootstrap interval of the factor), ``n_configurations``, ``n_rows``,
        ``years_spanned`` (summed over configurations) and ``by_family`` (the factor from each
        source family's configurations alone, where it has any).
    """
    rows = repeated_configurations(measurements, columns)
    if rows.empty:
        return {"factor_per_year": float("nan"), "low": float("nan"), "high": float("nan"), "n_configurations": 0,
                "n_rows": 0, "years_spanned": 0.0, "by_family": {}}
    config = rows["config"].to_numpy()
    year = rows["year"].to_numpy(float)
    value = rows["log_value"].to_numpy(float)
    slope = _within_slope(config, year, value)
    rng = np.random.default_rng(seed)
    groups = {c: np.flatnonzero(config == c) for c in np.unique(config)}
    names = list(groups)
    boot = []
    for _ in range(n_boot):
        pick = rng.integers(0, len(names), len(names))
        idx = np.concatenate([groups[names[i]] for i in pick])
        labels = np.concatenate([np.full(len(groups[names[i]]), j) for j, i in enumerate(pick)])
        boot.append(_within_slope(labels, year[idx], value[idx]))
    boot = np.asarray(boot)
    boot = boot[np.isfinite(boot)]
    lo, hi = np.quantile(boot, [(1 - level) / 2, 1 - (1 - level) / 2]) if len(boot) else (np.nan, np.nan)
    by_family = {}
    publisher = rows["source_family"].str.replace(r"^mlperf-v.*$", "mlperf", regex=True)   # MLPerf rounds: one series
    for family, sub in rows.groupby(publisher):
        s = _within_slope(sub["config"].to_numpy(), sub["year"].to_numpy(float), sub["log_value"].to_numpy(float))
        by_family[family] = {"factor_per_year": float(np.exp(s)), "n_configurations": int(sub["config"].nunique()),
                             "n_rows": int(len(sub))}
    spans = rows.groupby("config")["year"].agg(lambda y: y.max() - y.min())
    return {"factor_per_year": float(np.exp(slope)), "low": float(np.exp(lo)), "high": float(np.exp(hi)),
            "level": level, "n_configurations": int(len(names)), "n_rows": int(len(rows)),
            "years_spanned": float(spans.sum()), "by_family": by_family}
