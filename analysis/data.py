"""Validated loaders for the curated CSV files in ``data/``.

Every loader reads one file with every field as text, converts each column to its
declared type and checks the declared rules. The first violation raises
:class:`DataValidationError` whose one-line message names the file, the line, the
column and the rule, e.g.::

    data/llm_prices.csv: line 7, column 'blended_3to1_usd_per_mtok': must be > 0 (got '-1')

Nothing is read at import time; the folder comes from :func:`analysis.paths.data_dir`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from analysis import paths
from analysis.benchmarks import BENCHMARKS


class DataValidationError(ValueError):
    """A curated data file breaks one of its schema's rules (message is one line)."""


@dataclass(frozen=True)
class Column:
    """One column of a curated CSV.

    Parameters
    ----------
    name : str
        Column header.
    kind : {"str", "float", "int", "bool", "date"}
        Type the text is converted to.
    required : bool
        Whether an empty field is an error.
    min, max : float, optional
        Inclusive bounds for numbers.
    positive : bool
        Whether numbers must be strictly greater than zero.
    choices : tuple of str, optional
        Allowed values for text columns.
    """

    name: str
    kind: str = "str"
    required: bool = False
    min: float | None = None
    max: float | None = None
    positive: bool = False
    choices: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Schema:
    """Columns, key and row rules of one curated file."""

    file: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    row_rules: tuple[tuple[str, Callable[[pd.DataFrame], pd.Series]], ...] = field(default=())


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(paths.PROJECT_ROOT))
    except ValueError:
        return str(path)


def _fail(path: Path, index: int, column: str, rule: str, value=None) -> DataValidationError:
    # index is the 0-based data row; line 1 is the header
    got = "" if value is None else f" (got {value!r})"
    line = "1" if index < 0 else str(index + 2)
    return DataValidationError(f"{_display(path)}: line {line}, column '{column}': {rule}{got}")


_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def _convert(path: Path, raw: pd.Series, col: Column) -> pd.Series:
    text = raw.str.strip()
    empty = text == ""
    if col.required and empty.any():
        i = int(np.flatnonzero(empty.to_numpy())[0])
        raise _fail(path, i, col.name, "value is required")
    if col.kind == "str":
        if col.choices is not None:
            bad = ~empty & ~text.isin(col.choices)
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise _fail(path, i, col.name, f"must be one of {', '.join(col.choices)}", text.iloc[i])
        return text.where(~empty, None)
    if col.kind == "bool":
        lowered = text.str.lower()
        bad = ~empty & ~lowered.isin(_TRUE | _FALSE)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise _fail(path, i, col.name, "must be true or false", text.iloc[i])
        return lowered.isin(_TRUE)
    if col.kind == "date":
        values = pd.to_datetime(text.where(~empty, None), format="%Y-%m-%d", errors="coerce")
        bad = ~empty & values.isna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise _fail(path, i, col.name, "must be a date written YYYY-MM-DD", text.iloc[i])
        return values
    # numbers
    values = pd.to_numeric(text.where(~empty, None), errors="coerce").astype(float)
    bad = ~empty & (values.isna() | ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan)))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise _fail(path, i, col.name, f"must be a finite number", text.iloc[i])
    if col.kind == "int":
        frac = values.notna() & (values % 1 != 0)
        if frac.any():
            i = int(np.flatnonzero(frac.to_numpy())[0])
            raise _fail(path, i, col.name, "must be a whole number", text.iloc[i])
    checks = []
    if col.positive:
        checks.append((values <= 0, "must be > 0"))
    if col.min is not None:
        checks.append((values < col.min, f"must be >= {col.min:g}"))
    if col.max is not None:
        checks.append((values > col.max, f"must be <= {col.max:g}"))
    for mask, rule in checks:
        mask = mask.fillna(False).to_numpy(dtype=bool)
        if mask.any():
            i = int(np.flatnonzero(mask)[0])
            raise _fail(path, i, col.name, rule, text.iloc[i])
    if col.kind == "int":
        return values.astype("Int64")
    return values


_VAGUE_SOURCE = re.compile(r"\b(as reported|as quoted|multiple outlets|many outlets|various (outlets|sources)|"
                           r"reported by (several|many|multiple))\b", re.IGNORECASE)


def precise_source(text: str) -> bool:
    """Whether a ``source`` names a document: not "as reported", and a URL, a repository path or a dated title.

    A labelled assumption (text starting with "assumption") is accepted as such.
    """
    text = str(text).strip()
    if text.lower().startswith("assumption"):
        return True
    if _VAGUE_SOURCE.search(text):
        return False
    words = len(re.findall(r"[A-Za-z]{2,}", text))
    has_url = "http" in text or "www." in text
    has_path = re.search(r"[\w.-]+/[\w.-]+", text) is not None
    has_date = re.search(r"\b(19|20)\d{2}\b", text) is not None
    return has_url or (words >= 3 and (has_path or has_date))


SOURCE_RULE = ("source must name a document (title or outlet with a date, a URL or a repository path), "
               "not a bare site name or 'as reported'")


def validate(raw: pd.DataFrame, schema: Schema, path: Path) -> pd.DataFrame:
    """Convert and check a table read as text; raise :class:`DataValidationError` on the first fault.

    Parameters
    ----------
    raw : pandas.DataFrame
        The file read with every field as text (empty fields as ``""``).
    schema : Schema
        The file's declared columns, key and row rules.
    path : pathlib.Path
        Where the table came from (used in messages).

    Returns
    -------
    pandas.DataFrame
        Typed columns in schema order, followed by any extra columns as text.
    """
    for col in schema.columns:
        if col.name not in raw.columns:
            raise _fail(path, -1, col.name, "required column is missing from the header")
    out = pd.DataFrame(index=raw.index)
    for col in schema.columns:
        out[col.name] = _convert(path, raw[col.name].astype(str), col)
    for name in raw.columns:
        if name not in out.columns:
            out[name] = raw[name]
    dup = out.duplicated(list(schema.key), keep="first").to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        value = "/".join(str(raw[k].iloc[i]) for k in schema.key)
        raise _fail(path, i, "+".join(schema.key), "duplicate key", value)
    for rule, check in schema.row_rules:
        ok = check(out).to_numpy(dtype=bool)
        if not ok.all():
            i = int(np.flatnonzero(~ok)[0])
            raise _fail(path, i, "*", rule)
    if "source" in out.columns:
        cited = out["source"].fillna("")
        if "url" in out.columns:                  # a file with its own URL column cites through both
            cited = cited + " " + out["url"].fillna("")
        vague = ~cited.map(precise_source).to_numpy(dtype=bool)
        if vague.any():
            i = int(np.flatnonzero(vague)[0])
            raise _fail(path, i, "source", SOURCE_RULE, out["source"].iloc[i])
    return out.reset_index(drop=True)


def read_csv(name: str, schema: Schema, data_dir: Path | None = None) -> pd.DataFrame:
    """Read ``<data_dir>/<schema.file>`` and validate it against ``schema``."""
    path = (data_dir or paths.data_dir()) / schema.file
    if not path.is_file():
        raise DataValidationError(f"{_display(path)}: line 0, column '*': file not found (dataset '{name}')")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        detail = " ".join(str(exc).split())
        raise DataValidationError(f"{_display(path)}: line ?, column '*': not a readable CSV ({detail})") from None
    return validate(raw, schema, path)


# --------------------------------------------------------------------------------------
# Schemas
# --------------------------------------------------------------------------------------

def _has_price(df: pd.DataFrame) -> pd.Series:
    both = df["input_usd_per_mtok"].notna() & df["output_usd_per_mtok"].notna()
    return both | df["blended_3to1_usd_per_mtok"].notna() | df["avg_1to1_usd_per_mtok"].notna()


#: Whose price a row holds: the developer's own API, a third-party host, the median across hosts, a price as
#: listed by an aggregator (Artificial Analysis; usually the developer's API, not checked against its page),
#: Epoch's convention (first-party API, else the median across providers) or a figure published by an analyst.
PRICE_KINDS = ("first_party", "host", "median_host", "aggregator_listed", "epoch_convention", "published_figure")
#: When the price held: at launch, a later price change, a scheduled or promotional price, or a price seen in a
#: later listing or scrape and paired with the release date (empty: not stated, e.g. Epoch's own rows).
PRICE_TIMINGS = ("launch", "price_change", "scheduled", "promotional", "later_listing")

LLM_PRICES = Schema(
    file="llm_prices.csv",
    columns=(
        Column("model", required=True),
        Column("developer", required=True),
        Column("date", "date", required=True),
        Column("date_precision", required=True, choices=("day", "month", "year")),
        Column("date_kind", required=True, choices=("release_or_price_change", "announcement_or_price_date")),
        Column("dataset", required=True, choices=("epoch", "anchor", "extra")),
        Column("input_usd_per_mtok", "float", positive=True),
        Column("output_usd_per_mtok", "float", positive=True),
        Column("blended_3to1_usd_per_mtok", "float", positive=True),
        Column("avg_1to1_usd_per_mtok", "float", positive=True),
        Column("price_kind", required=True, choices=PRICE_KINDS),
        Column("price_timing", choices=PRICE_TIMINGS),
        Column("reasoning", "bool", required=True),
        *(Column(name, "float", min=meta["scale"][0], max=meta["scale"][1]) for name, meta in BENCHMARKS.items()),
        Column("source", required=True),
        Column("notes"),
    ),
    key=("model", "date"),
    row_rules=(("needs a price: input and output, or a blended figure", _has_price),),
)

EPOCH_PRICE_TRENDS = Schema(
    file="epoch_price_trends_published.csv",
    columns=(
        Column("benchmark", required=True, choices=tuple(BENCHMARKS)),
        Column("epoch_benchmark_name", required=True),
        Column("threshold_model", required=True),
        Column("lower", "float", required=True),
        Column("upper", "float"),
        Column("n", "int", required=True, min=2),
        Column("start", "date", required=True),
        Column("end", "date", required=True),
        Column("factor_per_year", "float", required=True, positive=True),
        Column("ci_low", "float", required=True, positive=True),
        Column("ci_high", "float", required=True, positive=True),
        Column("r2", "float", required=True, min=0, max=1),
        Column("source", required=True),
    ),
    key=("benchmark", "threshold_model"),
    row_rules=(("interval must contain the estimate: ci_low <= factor_per_year <= ci_high",
                lambda d: (d["ci_low"] <= d["factor_per_year"]) & (d["factor_per_year"] <= d["ci_high"])),
               ("start must not be after end", lambda d: d["start"] <= d["end"])),
)

COMPUTE_SPLIT_MEASURES = ("share_of_ai_compute", "share_of_dc_demand", "share_of_accelerators",
                          "share_of_dc_revenue", "share_of_compute_spend")

COMPUTE_SPLIT_ESTIMATES = Schema(
    file="compute_split_estimates.csv",
    columns=(
        Column("publisher", required=True),
        Column("year", "int", required=True, min=2015, max=2040),
        Column("measure", required=True, choices=COMPUTE_SPLIT_MEASURES),
        Column("scope", required=True),
        Column("value", "float", required=True, min=0, max=1),
        Column("value_low", "float", min=0, max=1),
        Column("value_high", "float", min=0, max=1),
        Column("bound", required=True, choices=("point", "lower", "upper")),
        Column("status", required=True, choices=("primary", "secondary", "derived", "uncertain")),
        Column("statement", required=True),
        Column("source", required=True),
        Column("notes"),
    ),
    key=("publisher", "year", "measure", "scope"),
    row_rules=(("value_low <= value <= value_high where given",
                lambda d: ~((d["value_low"] > d["value"]) | (d["value_high"] < d["value"]))),),
)

COMPUTE_DRIVERS = Schema(
    file="compute_drivers.csv",
    columns=(
        Column("parameter", required=True),
        Column("value", "float", required=True, positive=True),
        Column("low", "float", positive=True),
        Column("high", "float", positive=True),
        Column("unit", required=True),
        Column("status", required=True, choices=("primary", "secondary", "derived", "assumption")),
        Column("source", required=True),
        Column("notes"),
    ),
    key=("parameter",),
    row_rules=(("low <= value <= high where given",
                lambda d: ~((d["low"] > d["value"]) | (d["high"] < d["value"]))),
               ("give both low and high or neither", lambda d: d["low"].isna() == d["high"].isna())),
)

PRECISIONS = ("bf16", "fp8", "fp4")
_DATE_TEXT = r"^(\d{4}(-\d{2}(-\d{2})?|-H[12]|-Q[1-4])?)?$"

HARDWARE = Schema(
    file="hardware.csv",
    columns=(
        Column("id", required=True),
        Column("vendor", required=True),
        Column("name", required=True),
        Column("kind", required=True, choices=("gpu", "tpu", "sram", "wafer", "dataflow", "edge")),
        Column("bf16_tflops", "float", required=True, positive=True),
        Column("fp8_tflops", "float", positive=True),
        Column("fp4_tflops", "float", positive=True),
        Column("sparse_fp16_tflops", "float", positive=True),
        Column("memory_gb", "float", required=True, positive=True),
        Column("memory_tb_per_s", "float", required=True, positive=True),
        Column("sram_mb", "float", positive=True),
        Column("tdp_w", "float", positive=True),
        Column("scale_up_gb_per_s", "float", positive=True),
        Column("chips_per_node", "int", min=1),
        Column("price_usd", "float", positive=True),
        Column("rental_usd_per_hour", "float", positive=True),
        Column("all_in_kw", "float", positive=True),
        Column("source", required=True),
        Column("notes"),
    ),
    key=("id",),
)

MODELS = Schema(
    file="models.csv",
    columns=(
        Column("id", required=True),
        Column("name", required=True),
        Column("total_params_b", "float", required=True, positive=True),
        Column("active_params_b", "float", required=True, positive=True),
        Column("layers", "int", required=True, min=1),
        Column("hidden_size", "int", required=True, min=1),
        Column("attention_heads", "int", required=True, min=1),
        Column("kv_heads", "int", required=True, min=1),
        Column("head_dim", "int", required=True, min=1),
        Column("kv_elements_per_token_layer", "int", min=1),
        Column("experts", "int", min=1),
        Column("experts_per_token", "int", min=1),
        Column("shared_experts", "int", min=0),
        Column("sliding_window_layers", "int", min=0),
        Column("sliding_window", "int", min=1),
        Column("source", required=True),
        Column("notes"),
    ),
    key=("id",),
    row_rules=(("active_params_b must not exceed total_params_b", lambda d: d["active_params_b"] <= d["total_params_b"]),
               ("sliding_window_layers must not exceed layers",
                lambda d: (d["sliding_window_layers"].fillna(0) <= d["layers"]))),
)

#: Serving-stack tiers of ``throughput_measurements.csv`` (the rule is in data/README.md).
STACK_TIERS = ("tuned", "open_default")

THROUGHPUT_MEASUREMENTS = Schema(
    file="throughput_measurements.csv",
    columns=(
        Column("id", required=True),
        Column("source_family", required=True),
        Column("model", required=True),
        Column("hardware", required=True),
        Column("n_chips", "int", min=1),
        Column("replica_chips", "int", min=1),
        Column("precision", required=True, choices=PRECISIONS),
        Column("kv_cache_precision", choices=PRECISIONS),
        Column("scenario", required=True,
               choices=("max_load", "server", "interactive", "fixed_concurrency", "per_user")),
        Column("input_tokens", "float", min=0),
        Column("output_tokens", "float", positive=True),
        Column("lengths_kind", choices=("mean", "fixed", "assumed")),
        Column("concurrency", "int", min=1),
        Column("tpot_limit_ms", "float", positive=True),
        Column("output_tokens_per_s", "float", required=True, positive=True),
        Column("throughput_basis", required=True, choices=("system", "per_chip", "per_user")),
        Column("tokens_counted", required=True, choices=("output", "input_and_output")),
        Column("speculative", "bool", required=True),
        Column("disaggregated", "bool", required=True),
        Column("expert_parallel", "bool", required=True),
        Column("software"),
        Column("software_version"),
        Column("stack_tier", required=True, choices=STACK_TIERS),
        Column("measured"),
        Column("status", required=True, choices=("measured", "vendor", "secondary")),
        Column("source", required=True),
        Column("notes"),
    ),
    key=("id",),
    row_rules=(("fixed_concurrency rows need a concurrency",
                lambda d: ~((d["scenario"] == "fixed_concurrency") & d["concurrency"].isna())),
               ("replica_chips must not exceed n_chips",
                lambda d: ~(d["replica_chips"].notna() & d["n_chips"].notna() & (d["replica_chips"] > d["n_chips"]))),
               ("input_and_output counts need both lengths",
                lambda d: ~((d["tokens_counted"] == "input_and_output")
                            & (d["input_tokens"].isna() | d["output_tokens"].isna()))),
               ("lengths_kind is required where a length is given",
                lambda d: ~((d["input_tokens"].notna() | d["output_tokens"].notna()) & d["lengths_kind"].isna())),
               ("measured must be YYYY, YYYY-MM or YYYY-MM-DD", lambda d: d["measured"].fillna("").str.match(_DATE_TEXT))),
)

_MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"

#: Lease accounting behind a capex figure: ``as_stated`` (the company's accounting when it spoke; no
#: reclassification on record), or the two sides of an announced reclassification (Microsoft, July 2026:
#: future datacenter leases move from finance leases, counted in capex, to operating leases, not counted).
LEASE_BASES = ("as_stated", "pre_reclassification", "post_reclassification")

CAPEX = Schema(
    file="capex.csv",
    columns=(
        Column("company", required=True),
        Column("period", required=True),
        Column("period_start", required=True),
        Column("period_end", required=True),
        Column("basis", required=True, choices=("calendar", "fiscal")),
        Column("kind", required=True, choices=("actual", "guidance", "analyst_estimate", "aggregate")),
        Column("low_usd_b", "float", positive=True),
        Column("high_usd_b", "float", positive=True),
        Column("point_usd_b", "float", positive=True),
        Column("finance_leases", required=True, choices=("included", "excluded", "unknown")),
        Column("lease_basis", required=True, choices=LEASE_BASES),
        Column("statement_date", "date", required=True),
        Column("status", required=True, choices=("primary", "secondary")),
        Column("source", required=True),
        Column("notes"),
    ),
    key=("company", "period", "kind", "lease_basis", "statement_date", "source"),
    row_rules=(("needs a figure: point_usd_b, or low_usd_b for an 'at least' statement",
                lambda d: d["point_usd_b"].notna() | d["low_usd_b"].notna()),
               ("low_usd_b <= point_usd_b <= high_usd_b where given",
                lambda d: ~((d["low_usd_b"] > d["point_usd_b"]) | (d["high_usd_b"] < d["point_usd_b"])
                            | (d["low_usd_b"] > d["high_usd_b"]))),
               ("period_start and period_end must be YYYY-MM",
                lambda d: d["period_start"].str.match(_MONTH) & d["period_end"].str.match(_MONTH)),
               ("period_start must not be after period_end", lambda d: d["period_start"] <= d["period_end"])),
)

COST_ASSUMPTIONS = Schema(
    file="cost_assumptions.csv",
    columns=(
        Column("kind", required=True, choices=("depreciation_years", "pue", "electricity_usd_per_kwh",
                                               "gpu_rental_usd_per_hour", "gpu_tco_usd_per_hour",
                                               "all_in_kw_per_accelerator", "server_cost_per_accelerator_usd",
                                               "compute_share_of_capex", "market_usd_b",
                                               "cost_of_capital", "other_opex_share", "street_price_usd",
                                               "resale_fraction", "grid_kg_co2_per_kwh", "efficiency_gain_per_year")),
        Column("subject", required=True),
        Column("value", "float", required=True, positive=True),
        Column("low", "float", positive=True),
        Column("high", "float", positive=True),
        Column("unit", required=True),
        Column("date", required=True),
        Column("status", required=True, choices=("primary", "secondary", "derived", "uncertain")),
        Column("source", required=True),
        Column("notes"),
    ),
    key=("kind", "subject"),
    row_rules=(("low <= value <= high where given", lambda d: ~((d["low"] > d["value"]) | (d["high"] < d["value"]))),
               ("date must be YYYY, YYYY-MM, YYYY-MM-DD or YYYY-H1/H2", lambda d: d["date"].str.match(_DATE_TEXT))),
)

REGIONS = Schema(
    file="regions.csv",
    columns=(
        Column("region", required=True),
        Column("parameter", required=True),
        Column("value", "float", required=True, positive=True),
        Column("unit", required=True),
        Column("date", required=True),
        Column("status", required=True, choices=("primary", "secondary", "derived", "uncertain")),
        Column("source", required=True),
        Column("notes"),
    ),
    key=("region", "parameter"),
    row_rules=(("date must be YYYY, YYYY-MM or YYYY-MM-DD", lambda d: d["date"].str.match(_DATE_TEXT)),),
)

AI_REVENUE_MEASURES = ("revenue", "run_rate", "bookings", "dc_revenue", "dc_revenue_run_rate", "ai_chip_revenue")

AI_REVENUE = Schema(
    file="ai_revenue.csv",
    columns=(
        Column("company", required=True),
        Column("measure", required=True, choices=AI_REVENUE_MEASURES),
        Column("basis", required=True, choices=("actual", "guidance", "forecast")),
        Column("period", required=True),
        Column("period_end", required=True),
        Column("value_usd_b", "float", required=True, positive=True),
        Column("bound", required=True, choices=("point", "lower", "upper")),
        Column("scope", required=True),
        Column("statement_date", required=True),
        Column("status", required=True, choices=("primary", "secondary", "derived", "uncertain")),
        Column("source", required=True),
        Column("url", required=True),
        Column("notes"),
    ),
    key=("company", "measure", "basis", "period"),
    row_rules=(("period_end must be YYYY-MM or YYYY-MM-DD",
                lambda d: d["period_end"].str.match(r"^\d{4}-\d{2}(-\d{2})?$")),
               ("statement_date must be YYYY, YYYY-MM or YYYY-MM-DD",
                lambda d: d["statement_date"].str.match(_DATE_TEXT)),
               ("url must start with http:// or https://", lambda d: d["url"].str.match(r"^https?://"))),
)

#: A provider's price for a model, as the market snapshot and the release history both record it.
_OFFER_COLUMNS = (
    Column("provider", required=True),
    Column("provider_model_id", required=True),
    Column("model"),
    Column("input_usd_per_mtok", "float", required=True, positive=True),
    Column("output_usd_per_mtok", "float", required=True, positive=True),
)
_BLEND_RULE = ("blended_3to1_usd_per_mtok must equal (3 x input + output) / 4",
               lambda d: ((3 * d["input_usd_per_mtok"] + d["output_usd_per_mtok"]) / 4
                          - d["blended_3to1_usd_per_mtok"]).abs() <= 1e-6 * (1 + d["blended_3to1_usd_per_mtok"]))

MARKET_PRICES = Schema(
    file="market_prices.csv",
    columns=(
        *_OFFER_COLUMNS,
        Column("cached_input_usd_per_mtok", "float", min=0),
        Column("blended_3to1_usd_per_mtok", "float", required=True, positive=True),
        Column("start_date", "date"),
        Column("price_status", required=True, choices=("current", "superseded", "scheduled")),
        Column("deprecated", "bool", required=True),
        Column("package_version", required=True),
        Column("snapshot_date", "date", required=True),
        Column("source", required=True),
    ),
    key=("provider", "provider_model_id", "start_date"),
    row_rules=(_BLEND_RULE,),
)

MARKET_PRICE_HISTORY = Schema(
    file="market_price_history.csv",
    columns=(
        *_OFFER_COLUMNS,
        Column("blended_3to1_usd_per_mtok", "float", required=True, positive=True),
        Column("observation", required=True, choices=("release", "dated_change")),
        Column("first_date", "date", required=True),
        Column("last_date", "date", required=True),
        Column("first_version", required=True),
        Column("last_version", required=True),
        Column("n_releases", "float", required=True, positive=True),
        Column("source", required=True),
    ),
    key=("provider", "provider_model_id", "observation", "first_date", "input_usd_per_mtok", "output_usd_per_mtok"),
    row_rules=(_BLEND_RULE,
               ("last_date must not be before first_date", lambda d: d["last_date"] >= d["first_date"])),
)

MARKET_MODEL_MAP = Schema(
    file="market_model_map.csv",
    columns=(
        Column("provider", required=True),
        Column("provider_model_id", required=True),
        Column("model", required=True),
        Column("llm_prices_model"),
        Column("open_weights", "bool", required=True),
        Column("source", required=True),
        Column("notes"),
    ),
    key=("provider", "provider_model_id"),
)

DISCLOSURE_BOUNDS = ("point", "approximate", "lower", "upper")

OPERATOR_DISCLOSURES = Schema(
    file="operator_disclosures.csv",
    columns=(
        Column("id", required=True),
        Column("operator", required=True),
        Column("statement_date", required=True),
        Column("metric", required=True),
        Column("value", "float", required=True, positive=True),
        Column("unit", required=True),
        Column("bound", required=True, choices=DISCLOSURE_BOUNDS),
        Column("status", required=True, choices=("primary", "secondary")),
        Column("conditions", required=True),
        Column("source", required=True),
        Column("url", required=True),
    ),
    key=("id",),
    row_rules=(("statement_date must be YYYY-MM-DD", lambda d: d["statement_date"].str.match(r"^\d{4}-\d{2}-\d{2}$")),
               ("url must start with http:// or https://", lambda d: d["url"].str.match(r"^https?://")),
               ("id must be lower-case letters, digits and underscores",
                lambda d: d["id"].str.match(r"^[a-z0-9_]+$"))),
)

SCHEMAS: dict[str, Schema] = {"llm_prices": LLM_PRICES, "epoch_price_trends": EPOCH_PRICE_TRENDS,
                              "capex": CAPEX, "regions": REGIONS, "cost_assumptions": COST_ASSUMPTIONS,
                              "hardware": HARDWARE, "models": MODELS,
                              "throughput_measurements": THROUGHPUT_MEASUREMENTS,
                              "compute_split_estimates": COMPUTE_SPLIT_ESTIMATES,
                              "compute_drivers": COMPUTE_DRIVERS, "ai_revenue": AI_REVENUE, "market_prices": MARKET_PRICES,
                              "market_model_map": MARKET_MODEL_MAP, "operator_disclosures": OPERATOR_DISCLOSURES,
                              "market_price_history": MARKET_PRICE_HISTORY}


def load(name: str, data_dir: Path | None = None) -> pd.DataFrame:
    """Load and validate the curated dataset ``name`` (a key of :data:`SCHEMAS`)."""
    if name not in SCHEMAS:
        raise KeyError(f"unknown dataset {name!r}; known: {', '.join(sorted(SCHEMAS))}")
    return read_csv(name, SCHEMAS[name], data_dir)


def load_llm_prices(data_dir: Path | None = None) -> pd.DataFrame:
    """Load ``data/llm_prices.csv``: dated LLM API prices with benchmark scores.

    Returns
    -------
    pandas.DataFrame
        One row per (model, date) price observation. Prices are USD per million
        tokens; ``date`` is ``datetime64``; ``reasoning`` is bool; benchmark
        columns are floats (NaN where unknown).
    """
    return load("llm_prices", data_dir)


def load_epoch_price_trends(data_dir: Path | None = None) -> pd.DataFrame:
    """Load Epoch AI's 21 published price-decline trends (the reproduction target).

    Returns
    -------
    pandas.DataFrame
        ``benchmark, threshold_model, lower, upper, n, start, end, factor_per_year,
        ci_low, ci_high, r2`` at Epoch's full float precision.
    """
    return load("epoch_price_trends", data_dir)


def load_compute_split_estimates(data_dir: Path | None = None) -> pd.DataFrame:
    """Published training/inference split figures, each with what it measures.

    ``measure`` keeps shares of different things apart: AI compute, all
    data-center demand, accelerator counts, vendor revenue, compute spend.
    """
    return load("compute_split_estimates", data_dir)


def load_compute_drivers(data_dir: Path | None = None) -> pd.DataFrame:
    """Sourced default values and ranges of the compute-split drivers (one row per parameter)."""
    return load("compute_drivers", data_dir)


def load_capex(data_dir: Path | None = None) -> pd.DataFrame:
    """Hyperscaler capex statements: actuals, guidance, analysts' estimates and aggregates, USD billions.

    One row per statement (superseded guidance kept, with its date); ``basis`` says whether
    the period is a calendar or a fiscal one, ``period_start``/``period_end`` its months.
    """
    return load("capex", data_dir)


def load_ai_revenue(data_dir: Path | None = None) -> pd.DataFrame:
    """AI revenue statements and AI-chip vendors' data-centre revenue (``data/ai_revenue.csv``), USD billions.

    Returns
    -------
    pandas.DataFrame
        One row per statement. ``measure`` says what the number is (``revenue`` booked over a
        period, an annualized ``run_rate``, ``bookings``, a vendor's quarterly ``dc_revenue`` (or its annualized
        ``dc_revenue_run_rate``) or
        ``ai_chip_revenue``) and ``basis`` whether it is ``actual``, company ``guidance`` or an
        outside ``forecast``; numbers of different measures are never added together.
    """
    return load("ai_revenue", data_dir)


def load_cost_assumptions(data_dir: Path | None = None) -> pd.DataFrame:
    """Sourced cost inputs: depreciation lives, PUE, electricity prices, GPU $/hour, kW and server cost per accelerator."""
    return load("cost_assumptions", data_dir)


def load_regions(data_dir: Path | None = None) -> pd.DataFrame:
    """Regional facts for the edge-vs-cloud lens (long format: region, parameter, value, unit, source)."""
    return load("regions", data_dir)


def load_hardware(data_dir: Path | None = None) -> pd.DataFrame:
    """Accelerator specifications (``data/hardware.csv``): dense TFLOPS, memory, bandwidth, power, prices."""
    return load("hardware", data_dir)


def load_models(data_dir: Path | None = None) -> pd.DataFrame:
    """Model architectures (``data/models.csv``): parameters, layers, attention and expert layout."""
    return load("models", data_dir)


def load_throughput_measurements(data_dir: Path | None = None) -> pd.DataFrame:
    """Measured serving throughput (``data/throughput_measurements.csv``), checked against the other tables."""
    df = load("throughput_measurements", data_dir)
    folder = data_dir or paths.data_dir()
    known = {"model": set(load_models(data_dir)["id"]), "hardware": set(load_hardware(data_dir)["id"])}
    for column, ids in known.items():
        bad = ~df[column].isin(ids)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise _fail(folder / THROUGHPUT_MEASUREMENTS.file, i, column, f"unknown {column} id", df[column].iloc[i])
    return df


def load_market_model_map(data_dir: Path | None = None) -> pd.DataFrame:
    """The curated map from (provider, provider model id) to the project's model name (``data/market_model_map.csv``).

    ``llm_prices_model`` names the ``llm_prices.csv`` model whose scores and first price apply; every
    name given there must exist in that file.
    """
    df = load("market_model_map", data_dir)
    folder = data_dir or paths.data_dir()
    names = set(load_llm_prices(data_dir)["model"])
    bad = df["llm_prices_model"].notna() & ~df["llm_prices_model"].isin(names)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise _fail(folder / MARKET_MODEL_MAP.file, i, "llm_prices_model", "not a model of llm_prices.csv",
                    df["llm_prices_model"].iloc[i])
    return df


def load_market_prices(data_dir: Path | None = None) -> pd.DataFrame:
    """The committed genai-prices market snapshot (``data/market_prices.csv``; see :mod:`analysis.market`).

    One row per provider, model id and dated price; ``price_status`` says which price is in force at the
    ``snapshot_date``. Reports read this file, never the installed package.
    """
    return load("market_prices", data_dir)


def load_operator_disclosures(data_dir: Path | None = None) -> pd.DataFrame:
    """What operators published about their own serving (``data/operator_disclosures.csv``): one figure per row,
    with its unit, the conditions stated with it, whether it is a point, an approximation or a bound, and its source.
    """
    return load("operator_disclosures", data_dir)


def load_market_price_history(data_dir: Path | None = None) -> pd.DataFrame:
    """The dated multi-provider price history built from past genai-prices releases (``data/market_price_history.csv``).

    One row per provider, model id and unchanged price over consecutive releases (``observation`` ``release``),
    or a price the package dates itself (``dated_change``); see :func:`analysis.market.history_runs`.
    """
    return load("market_price_history", data_dir)


def validate_all(data_dir: Path | None = None) -> None:
    """Load every curated dataset once (with cross-file checks), raising on the first fault."""
    for name in SCHEMAS:
        load(name, data_dir)
    load_throughput_measurements(data_dir)
    load_market_model_map(data_dir)


# --------------------------------------------------------------------------------------
# The data README's generated "newest statement" lines
# --------------------------------------------------------------------------------------

#: ``<!--newest capex.csv -->...<!--/newest-->`` in ``data/README.md``: the newest statement per company,
#: written from the file by ``python -m analysis checksums --update`` and checked by ``checksums``.
NEWEST_MARK = re.compile(r"<!--newest (?P<file>[a-z_]+\.csv) -->(?P<text>.*?)<!--/newest-->", flags=re.S)
README_FILE = "README.md"


def newest_statements(table: pd.DataFrame) -> pd.Series:
    """The latest ``statement_date`` of each ``company`` of a statements table, as text, by company name.

    Dates are compared as ISO text, so a month (``2026-06``) sorts before any day of it.
    """
    dates = table["statement_date"]
    text = dates.dt.strftime("%Y-%m-%d") if pd.api.types.is_datetime64_any_dtype(dates) else dates.astype(str)
    return text.groupby(table["company"]).max().sort_index()


def newest_statement_line(file: str, data_dir: Path | None = None) -> str:
    """One line naming the newest statement date of every company in ``file`` (``capex.csv``, ``ai_revenue.csv``)."""
    name = {schema.file: key for key, schema in SCHEMAS.items()}.get(file)
    if name is None:
        raise KeyError(f"no schema for {file}")
    newest = newest_statements(load(name, data_dir))
    return ("Newest statement per company (generated from `statement_date` by `python -m analysis checksums "
            "--update`): " + "; ".join(f"{company} {date}" for company, date in newest.items()) + ".")


def render_readme_newest(text: str, data_dir: Path | None = None) -> tuple[str, list[str]]:
    """``text`` (the data README) with every ``<!--newest FILE -->`` block rewritten from the data.

    Returns
    -------
    tuple
        The new text and the names of the files whose line changed.
    """
    changed = []
    folder = data_dir or paths.data_dir()

    def line(match: re.Match) -> str:
        if not (folder / match["file"]).is_file():      # a missing file is reported by the checksum check
            return match.group(0)
        new = newest_statement_line(match["file"], data_dir)
        if match["text"] != new:
            changed.append(match["file"])
        return f"<!--newest {match['file']} -->{new}<!--/newest-->"

    return NEWEST_MARK.sub(line, text), changed


def readme_newest_problems(data_dir: Path | None = None) -> list[str]:
    """One line per stale "newest statement" line of the data folder's README (none when it has no README)."""
    path = (data_dir or paths.data_dir()) / README_FILE
    if not path.is_file():
        return []
    _, changed = render_readme_newest(path.read_text(), data_dir)
    return [f"{README_FILE}: the newest-statement line of {file} no longer matches the file; rewrite it with: "
            "python -m analysis checksums --update" for file in changed]


def update_readme_newest(data_dir: Path | None = None) -> list[str]:
    """Rewrite the data README's "newest statement" lines from the data; return the files whose line changed."""
    path = (data_dir or paths.data_dir()) / README_FILE
    if not path.is_file():
        return []
    new, changed = render_readme_newest(path.read_text(), data_dir)
    if changed:
        path.write_text(new)
    return changed
