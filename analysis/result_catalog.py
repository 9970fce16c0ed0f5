"""What each headline result means: a unit and a one-line description per ``results.json`` key.

:func:`analysis.results.save_results` looks every key up here and records the unit and
description in ``results.json`` (under ``_about``), so notebooks need not repeat them
and the report's front page can say what each number is. A key is found as
``"<notebook stem>.<key>"`` first (for a name two notebooks use differently), then as
``"<key>"``; a key ending in one of :data:`SUFFIXES` (``_p5``, ``_low``, ...) without
an entry of its own takes its base key's unit and a description derived from it.

Adding a result to a notebook: add its entry here (a test lists keys without one).
"""

from __future__ import annotations

#: key -> (unit, one-line description). Units: "" for a plain count or label, "fraction" for 0-1 shares.
CATALOG: dict[str, tuple[str, str]] = {
    # 01_price_decline
    "median_factor_per_year": ("x per year", "median price decline of Epoch AI's capability-level trends"),
    "min_factor_per_year": ("x per year", "slowest price decline among Epoch AI's capability-level trends"),
    "max_factor_per_year": ("x per year", "fastest price decline among Epoch AI's capability-level trends"),
    "n_trends": ("", "number of capability-threshold trends fitted"),
    "n_price_rows": ("", "price observations used in the trend fits"),
    "input_weight": ("", "weight of the input price in the blended price (output weight 1)"),
    "epoch_reproduced_trends": ("", "Epoch AI's published trends reproduced from the shipped data"),
    "epoch_reproduction_max_abs_log10_error": ("log10", "largest gap to Epoch AI's published trends"),
    "a16z_mmlu42_factor_per_year": ("x per year", "a16z method at MMLU >= 42: cheapest monthly price, endpoints"),
    "a16z_mmlu42_factor_per_year_ols": ("x per year", "a16z method at MMLU >= 42, log-linear fit instead of endpoints"),
    "a16z_mmlu42_total_factor": ("x", "total price fall at MMLU >= 42 over a16z's three years"),
    "a16z_mmlu42_total_factor_1to1": ("x", "the same total fall with a 1:1 input:output blend"),
    "a16z_mmlu83_total_factor": ("x", "total price fall at MMLU >= 83 over a16z's window"),
    "a16z_mmlu42_claimed_over_ours": ("ratio", "a16z's 1,000x over the factor the shipped points give"),
    "a16z_mmlu_thresholds": ("MMLU score", "MMLU thresholds of the a16z curves"),
    "a16z_published_end_price": ("USD per M tokens", "a16z's end-point price (cheapest third-party host)"),
    "a16z_cheapest_host_end_price": ("USD per M tokens", "end price of the a16z curve with the cheapest host of each "
                                                         "model (market snapshot)"),
    "a16z_cheapest_host_mmlu42_factor_per_year": ("x per year", "a16z method at MMLU >= 42 with cheapest-host prices, "
                                                                "to today"),
    "a16z_cheapest_host_mmlu42_total_factor": ("x", "total price fall at MMLU >= 42 with cheapest-host prices, to today"),
    "a16z_listed_only_mmlu42_factor_per_year": ("x per year", "the same a16z curve to today with listed prices only"),
    "fixed_model_median_factor_per_year": ("x per year", "one open model's own price decline, launch price to today's "
                                                         "cheapest host, median over models"),
    "fixed_model_factor_ci_low": ("x per year", "low end of the fixed-model rate's 90% bootstrap interval"),
    "fixed_model_factor_ci_high": ("x per year", "high end of the fixed-model rate's 90% bootstrap interval"),
    "fixed_model_n_models": ("", "open models with a launch price and a price today"),
    "full_window_median_factor_per_year": ("x per year", "Epoch's method on the extended data, full window, median "
                                                         "across thresholds"),
    "latest_window_median_factor_per_year": ("x per year", "Epoch's method on the latest window only, median across "
                                                           "thresholds"),
    "latest_window_n_trends": ("", "thresholds with a trend in the latest window"),
    "latest_window_start": ("date", "first day of the latest window"),
    "latest_price_date": ("date", "date of the newest price row"),
    "market_package_version": ("", "genai-prices version of the market snapshot"),
    "market_snapshot_date": ("date", "date of the market price snapshot"),
    "n_price_rows_reproduction": ("", "price rows used for the reproduction of Epoch's published trends"),
    # 02_compute_split
    "inference_share_2023": ("fraction", "inference share of AI compute (FLOP) in 2023, calibrated to Deloitte"),
    "inference_share_2025": ("fraction", "inference share of AI compute (FLOP) in 2025, driver model"),
    "inference_share_2026": ("fraction", "inference share of AI compute (FLOP) in 2026, driver model"),
    "inference_share_2030": ("fraction", "inference share of AI compute (FLOP) in 2030 at 2024-25 growth rates"),
    "inference_share_2030_decaying_growth": ("fraction", "2030 inference share with growth decaying after 2025"),
    "inference_time_share_2026": ("fraction", "inference share of accelerator time in 2026 (utilization-weighted)"),
    "lifetime_inference_cost_share": ("fraction", "inference share of one model's lifetime accelerator time, "
                                                  "prompt prefill counted"),
    "lifetime_inference_cost_share_generated_only": ("fraction", "lifetime inference share counting generated "
                                                                 "tokens only"),
    "lifetime_inference_compute_share": ("fraction", "inference share of one model's lifetime FLOP"),
    "logistic_trend_max_miss_points": ("percentage points", "largest miss of a logistic trend through the "
                                                            "published shares"),
    "max_gap_to_deloitte_points": ("percentage points", "largest gap between the driver model and Deloitte's "
                                                        "figures"),
    "monte_carlo_draws": ("", "Monte Carlo draws"),
    "sensitivity_top_driver": ("", "the driver that moves the result most (tornado's top bar)"),
    "training_growth_per_year": ("x per year", "growth of training compute assumed"),
    # 03_chip_throughput
    "median_abs_error_max_load": ("fraction", "median absolute error of the roofline model on max-load GPU rows"),
    "median_abs_error_per_user": ("fraction", "median absolute error of the roofline model on per-user speeds"),
    "n_measurements": ("", "published throughput measurements the model is fitted and validated on"),
    "cv_median_abs_error_max_load": ("fraction", "out-of-sample median |error| at maximum load and fixed concurrency, "
                                                 "leave one source out"),
    "cv_median_abs_error_per_user": ("fraction", "out-of-sample median |error| of per-user speeds, leave one source out"),
    "cv_median_signed_error_max_load": ("fraction", "out-of-sample median signed error at maximum load (positive: "
                                                    "over-prediction)"),
    "cv_median_signed_error_per_user": ("fraction", "out-of-sample median signed error of per-user speeds"),
    "cv_hardware_median_abs_error_max_load": ("fraction", "median |error| at maximum load, leave one chip out"),
    "cv_hardware_median_abs_error_per_user": ("fraction", "median |error| of per-user speeds, leave one chip out"),
    "in_sample_median_abs_error_max_load": ("fraction", "in-sample median |error| at maximum load (fitted on every row; "
                                                        "for comparison only)"),
    "in_sample_median_abs_error_per_user": ("fraction", "in-sample median |error| of per-user speeds (for comparison only)"),
    "n_sources": ("", "independent source families of the measurements"),
    "n_hardware": ("", "chips with measurements"),
    "seed_claims_within_25_percent": ("", "seed-article speed claims the model reproduces within 25%"),
    "cerebras_llama70b_tok_s_per_user": ("tokens/s per user", "modelled Cerebras speed, Llama 3.3 70B, one user"),
    "cerebras_maverick_tok_s_per_user": ("tokens/s per user", "modelled Cerebras speed, Llama 4 Maverick"),
    "cerebras_gptoss120b_tok_s_per_user": ("tokens/s per user", "modelled Cerebras speed, gpt-oss-120b"),
    "b200_maverick_tok_s_per_user": ("tokens/s per user", "modelled DGX B200 speed, Llama 4 Maverick"),
    "cerebras_over_b200_maverick": ("x", "Cerebras over DGX B200 per-user speed, Llama 4 Maverick"),
    "cheapest_usd_per_mtok": ("USD per M output tokens", "cheapest chip and model at the interactivity target"),
    "cheapest_usd_per_mtok_config": ("", "the model and chip of the cheapest cost per token"),
    "fitted_compute_efficiency": ("fraction", "fraction of peak FLOP/s reached, as used"),
    "interactivity_target": ("tokens/s per user", "per-user speed at which costs are compared"),
    # 04_capex_allocation
    "capex_2026_usd_b": ("USD billion", "2026 capex of the five hyperscalers: newest statements on one calendar and "
                                        "lease basis"),
    "ai_capex_2026_usd_b": ("USD billion", "AI share of 2026 capex (75% share, unsourced)"),
    "inference_capex_2026_usd_b": ("USD billion", "2026 inference server spend"),
    "accelerators_bought_m": ("million accelerators", "accelerators the server spend buys, per chip"),
    "cost_floor_usd_per_mtok": ("USD per M output tokens", "cost floor of serving the reference model, capital "
                                                           "recovered at the cost of capital"),
    "cost_floor_usd_per_mtok_straight_line": ("USD per M output tokens", "the cost floor with straight-line "
                                                                         "depreciation instead"),
    "cost_floor_reference": ("", "model, chip and operating point of the cost floor"),
    "cost_of_capital": ("fraction per year", "providers' cost of capital used (parameter provider_cost_of_capital)"),
    "deloitte_inference_chip_market_usd_b": ("USD billion", "Deloitte's inference-optimized chip market"),
    "fixed_model_decline_per_year": ("x per year", "one model's own price decline used (notebook 01's fixed-model "
                                                   "rate)"),
    "inference_share_definition": ("", "which inference share the capex chain uses"),
    "inference_share_fleet": ("fraction", "inference share of the accelerator fleet"),
    "inference_share_flop_2026": ("fraction", "inference share of FLOP in 2026 (notebook 02's driver model)"),
    "inference_share_mc_low": ("fraction", "lowest inference share the Monte Carlo draws"),
    "inference_share_mc_high": ("fraction", "highest inference share the Monte Carlo draws"),
    "inference_share_spend": ("fraction", "inference share of AI spend"),
    "inference_share_time_2026": ("fraction", "inference share of accelerator time in 2026"),
    "inference_share_used": ("fraction", "inference share used in the capex chain"),
    "inference_tokens_per_year": ("output tokens per year", "token capacity of the 2026 inference servers "
                                                            "(a capacity, not demand)"),
    "monte_carlo_seconds": ("s", "time the Monte Carlo took"),
    "price_meets_floor_year_fixed_rate": ("year", "year the reference model's price meets the cost floor, falling "
                                                  "at the fixed-model rate"),
    "price_meets_floor_year_a16z_rate": ("year", "the same year at a16z's capability-level rate"),
    "price_meets_floor_year_epoch_rate": ("year", "the same year at Epoch AI's median capability-level rate"),
    "price_observed": ("date", "when the reference API price was observed"),
    "price_reference_usd_per_mtok_output": ("USD per M output tokens", "reference API price at the workload's "
                                                                       "token mix"),
    "server_price_basis": ("", "how chip prices are put on one basis"),
    "utilization": ("fraction", "fleet utilization assumed for the cost floor"),
    "year": ("year", "capex year"),
    "capex_2026_basis": ("", "which statement and basis each company's 2026 figure uses"),
    "capex_2026_lease_basis": ("", "lease basis of the 2026 capex sum (post_reclassification: Microsoft's newest "
                                   "statement, after its finance leases moved to operating leases)"),
    "capex_2026_usd_b_other_lease_basis": ("USD billion", "the 2026 capex sum on the other lease basis"),
    "capex_next_year_guidance_statements": ("", "numeric company guidance statements for the following year"),
    "capex_next_year_analyst_estimate_usd_b": ("USD billion", "largest analysts' estimate or aggregate for the following "
                                                              "year (never added to guidance)"),
    "fixed_model_decline_ci_low": ("x per year", "low end of the fixed-model rate's 90% interval"),
    "fixed_model_decline_ci_high": ("x per year", "high end of the fixed-model rate's 90% interval"),
    "market_cheapest_over_floor": ("x", "today's cheapest host price of the floor's model over the central cost floor"),
    "market_median_over_floor": ("x", "today's median host price of that model over the central cost floor"),
    "market_price_cheapest_usd_per_mtok_output": ("USD per M output tokens", "cheapest host's price at the workload's "
                                                                             "token mix"),
    "market_price_median_usd_per_mtok_output": ("USD per M output tokens", "median host's price at the workload's "
                                                                           "token mix"),
    "price_source": ("", "where the reference price comes from (market snapshot or a list price)"),
    "throughput_model_error_p5": ("x", "5th percentile of measured / predicted throughput out of sample (the Monte "
                                       "Carlo's model error)"),
    "throughput_model_error_p95": ("x", "95th percentile of measured / predicted throughput out of sample"),
    # 05_edge_vs_cloud
    "breakeven_months": ("months", "month owning local servers becomes cheaper than the API (null: never within "
                                   "the horizon)"),
    "breakeven_months_flat_api_price": ("months", "break-even month if API prices stopped falling"),
    "breakeven_months_output_only_billing": ("months", "break-even month billing output tokens only (the old slip)"),
    "volume_owning_wins_tokens_per_month": ("output tokens per month", "smallest volume at which owning breaks "
                                                                       "even within the horizon"),
    "volume_owning_wins_flat_api_tokens_per_month": ("output tokens per month", "the same volume with flat API "
                                                                                "prices"),
    "api_decline_per_year_used": ("x per year", "API price decline used"),
    "api_input_usd_per_mtok": ("USD per M input tokens", "API input price when observed"),
    "api_output_usd_per_mtok": ("USD per M output tokens", "API output price when observed"),
    "api_price_floor_usd_per_mtok": ("USD per M output tokens", "floor of the API price: the cost of serving the "
                                                                "model class"),
    "api_price_observed": ("date", "when the API price was observed"),
    "capability_level_decline_per_year": ("x per year", "capability-level price decline (a16z method, MMLU >= 42)"),
    "cloud_usd_per_mtok_month1": ("USD per M output tokens", "API cost in month 1, prompts included"),
    "cloud_usd_per_mtok_final": ("USD per M output tokens", "API cost in the last month, prompts included"),
    "discount_rate": ("fraction per year", "the buyer's discount rate of both options' cash flows "
                                           "(parameter buyer_discount_rate)"),
    "electricity_usd_per_kwh_used": ("USD per kWh", "electricity price used"),
    "horizon_months": ("months", "months compared"),
    "import_markup_used": ("fraction", "duties and taxes on imported hardware"),
    "local_tokens_per_s": ("output tokens/s", "throughput of one local server"),
    "npv_owning_advantage_usd": ("USD", "present value saved by owning over the horizon (negative: dearer)"),
    "own_usd_per_mtok": ("USD per M output tokens", "cost of owning per million output tokens at this volume"),
    "owning_wins_within_horizon": ("", "whether owning breaks even within the horizon"),
    "region": ("", "region compared"),
    "residual_fraction": ("fraction", "share of book value recovered at the horizon"),
    "servers": ("", "local servers needed for the volume"),
    "start_date": ("date", "month 1 of the comparison"),
    "tokens_per_month": ("output tokens per month", "demand compared"),
    "api_price_source": ("", "where the API price comes from (market snapshot or a list price)"),
    "breakeven_months_low_throughput": ("months", "break-even month at the low end of the local throughput's interval"),
    "breakeven_months_high_throughput": ("months", "break-even month at the high end of the local throughput's "
                                                   "interval"),
    "local_tokens_per_s_lo": ("output tokens/s", "low end of the local server's throughput interval (model error)"),
    "local_tokens_per_s_hi": ("output tokens/s", "high end of the local server's throughput interval (model error)"),
    # 06_capex_payback
    "bain_capex_to_revenue": ("ratio", "Bain's capex-to-revenue ratio implied by its published figures"),
    "bain_revenue_available_2030_usd_b": ("USD billion", "Bain: revenue available in 2030 after savings"),
    "bain_revenue_needed_2030_usd_b": ("USD billion", "Bain: annual revenue needed by 2030 to fund compute"),
    "bain_shortfall_2030_usd_b": ("USD billion", "Bain: 2030 revenue shortfall"),
    "breakeven_price_all_capex_usd_per_mtok": ("USD per M tokens", "average price at which 2026 tokens cover the whole "
                                                                   "AI capex charge"),
    "breakeven_price_usd_per_mtok": ("USD per M tokens", "average price at which 2026 tokens cover inference's share of "
                                                         "the capex charge"),
    "breakeven_tokens_per_year": ("tokens per year", "token volume at which inference covers its share at today's price"),
    "capacity_tokens_2026": ("tokens per year", "inference token capacity of the 2026 capex"),
    "gap_2026_usd_b": ("USD billion per year", "revenue needed for 2026 capex minus token revenue"),
    "gap_2030_usd_b_central": ("USD billion per year", "2030 gap at central inputs"),
    "gap_2030_usd_b_p50": ("USD billion per year", "median 2030 gap of the Monte Carlo"),
    "gap_2030_usd_b_p5": ("USD billion per year", "5th percentile of the 2030 gap"),
    "gap_2030_usd_b_p95": ("USD billion per year", "95th percentile of the 2030 gap"),
    "gap_by_year_central_usd_b": ("USD billion per year", "gap in each year at central inputs"),
    "horizon": ("year", "last year of the scenarios"),
    "implied_utilization_2026": ("fraction", "demand over inference capacity in 2026"),
    "inference_revenue_2026_usd_b": ("USD billion", "token revenue implied by tokens served x price"),
    "nvidia_latest_dc_revenue_usd_b": ("USD billion", "NVIDIA's latest quarterly data-centre revenue"),
    "nvidia_latest_quarter": ("", "the quarter of that figure"),
    "price_2026_usd_per_mtok": ("USD per M tokens", "average price per token assumed for 2026"),
    "revenue_needed_2026_straight_line_usd_b": ("USD billion per year", "revenue needed with straight-line "
                                                                        "depreciation and no return"),
    "revenue_needed_2026_usd_b": ("USD billion per year", "revenue needed to earn the stated return on 2026 AI capex"),
    "run_rates_all_overlapping_usd_b": ("USD billion", "sum of AI run-rates stated, overlapping (labs and clouds)"),
    "run_rates_labs_usd_b": ("USD billion", "AI labs' stated run-rates"),
    "sequoia_assumed_ai_revenue_usd_b": ("USD billion", "AI revenue Sequoia's text assumes"),
    "sequoia_published_usd_b": ("USD billion", "Sequoia's published figure"),
    "sequoia_revenue_needed_usd_b": ("USD billion", "Sequoia's arithmetic from its own inputs"),
    "sequoia_updated_nvidia_usd_b": ("USD billion", "the same arithmetic on NVIDIA's latest quarter"),
    "sequoia_updated_vendors_usd_b": ("USD billion", "the same arithmetic on NVIDIA's, AMD's and Broadcom's latest "
                                                     "quarters"),
    "share_of_draws_short_at_horizon": ("fraction", "share of Monte Carlo draws in which revenue falls short in 2030"),
    "tokens_2026": ("tokens per year", "tokens served in 2026"),
    "tornado_top_input": ("", "the input that moves the 2030 gap most"),
    "tornado_top_swing_usd_b": ("USD billion", "swing of the 2030 gap across that input's range"),
}

#: Suffix -> how a derived description reads (``{}`` is the base key's description).
SUFFIXES: dict[str, str] = {
    "_p5": "5th percentile of: {}",
    "_p95": "95th percentile of: {}",
    "_low": "low end of the range of: {}",
    "_high": "high end of the range of: {}",
    "_early": "early end of the range of: {}",
    "_late": "late end of the range of: {}",
}


def describe(key: str, stem: str = "") -> tuple[str, str] | None:
    """``(unit, description)`` of a result key, or None when the catalog has no entry.

    Parameters
    ----------
    key : str
        The ``results.json`` key.
    stem : str
        The notebook that saved it (entries ``"<stem>.<key>"`` take precedence).
    """
    for name in (f"{stem}.{key}" if stem else None, key):
        if name and name in CATALOG:
            return CATALOG[name]
    for suffix, template in SUFFIXES.items():
        if key.endswith(suffix):
            base = describe(key[: -len(suffix)], stem)
            if base is not None:
                return base[0], template.format(base[1])
    return None


# --------------------------------------------------------------------------------------
# Kinds: how a result is compared and formatted
# --------------------------------------------------------------------------------------

#: What a result is, for comparisons and tables. ``year`` and ``date`` change by absolute
#: differences (a relative change of a calendar year means nothing); ``duration`` (how long a
#: step of the run took) and ``metadata`` (about the run, not the world) are left out of comparisons.
KINDS = ("money", "share", "year", "date", "count", "ratio", "quantity", "label", "duration", "metadata")

#: Kinds the unit does not tell (keys and ``"<stem>.<key>"`` as in :data:`CATALOG`).
KIND_OF: dict[str, str] = {
    "monte_carlo_seconds": "duration",
    "market_package_version": "metadata",
    "monte_carlo_draws": "metadata",
    "input_weight": "ratio",
    "epoch_reproduction_max_abs_log10_error": "quantity",
    "a16z_mmlu_thresholds": "label",
}

#: Leading words of a unit -> kind (first match wins); anything else with a unit is a ``quantity``.
_UNIT_KINDS = (("USD", "money"), ("fraction", "share"), ("percentage points", "share"), ("year", "year"),
               ("date", "date"), ("s", "duration"), ("x", "ratio"), ("ratio", "ratio"))


def kind(key: str, stem: str = "", value=None) -> str:
    """The kind of a result key (one of :data:`KINDS`).

    From :data:`KIND_OF` first, else from the catalog's unit (``USD...`` money, ``fraction``
    share, ``year``, ``date``, ``s`` duration, ``x...`` ratio, any other unit a quantity); a
    key without a unit is a ``count`` when ``value`` is a number, else a ``label``. Keys
    ending in ``_seconds`` are durations.

    Parameters
    ----------
    key : str
        The ``results.json`` key.
    stem : str
        The notebook that saved it.
    value : object, optional
        The value, to tell a count from a label when the catalog gives no unit.
    """
    for name in (f"{stem}.{key}" if stem else None, key):
        if name and name in KIND_OF:
            return KIND_OF[name]
    if key.endswith("_seconds"):
        return "duration"
    for suffix in SUFFIXES:
        if key.endswith(suffix) and key[: -len(suffix)] in KIND_OF:
            return KIND_OF[key[: -len(suffix)]]
    entry = describe(key, stem)
    unit = entry[0] if entry else ""
    if unit:
        if unit == "x" or unit.startswith("x "):
            return "ratio"
        for word, found in _UNIT_KINDS:
            if unit == word or unit.startswith(word + " ") or (word == "USD" and unit.startswith("USD")):
                return found
        return "quantity"
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    return "count" if numeric else "label"


# --------------------------------------------------------------------------------------
# Figures: one caption per saved figure
# --------------------------------------------------------------------------------------

#: ``"<stem>.<figure name>"`` (the name given to :func:`analysis.plotting.savefig`) -> a one-line caption.
#: A name ending in ``*`` covers every figure starting with it; ``{}`` in its caption is the rest of the name.
FIGURES: dict[str, str] = {
    # 01_price_decline
    "01_price_decline.cheapest_sequences": "Epoch AI's method: the cheapest model above each benchmark threshold "
                                           "over time, one panel per benchmark",
    "01_price_decline.forest_decline_factors": "Price decline per year for each benchmark threshold, with 90% "
                                               "intervals (dashed: median)",
    "01_price_decline.a16z_monthly_cheapest": "a16z's method: cheapest monthly price above each MMLU score",
    "01_price_decline.blend_sensitivity": "How the decline rates move with the input:output price blend",
    "01_price_decline.decline_full_vs_latest_window": "Decline rates re-measured to today: full window against "
                                                      "the latest 18 months",
    "01_price_decline.a16z_cheapest_host": "a16z's curve with each open model's cheapest current host",
    "01_price_decline.fixed_model_declines": "One open model's own price decline, launch price to today's cheapest "
                                             "host",
    "01_price_decline.price_capability_frontier": "Today's price-capability frontier: price against benchmark "
                                                  "score, Pareto front marked",
    # 02_compute_split
    "02_compute_split.inference_share": "Inference share of AI compute: driver model, trend and published figures",
    "02_compute_split.training_vs_inference_compute": "Training and inference compute, stacked to 2026 and on a "
                                                      "log scale to the horizon",
    "02_compute_split.tornado_share": "Which drivers move the 2026 inference share (one at a time, low to high)",
    "02_compute_split.inference_share_band": "Inference share with every ranged driver drawn at once "
                                             "(5th-95th percentile band)",
    "02_compute_split.tornado_lifetime": "Which drivers move one model's lifetime inference share",
    "02_compute_split.lifetime_cost_share": "Lifetime inference share of one model's accelerator time",
    # 03_chip_throughput
    "03_chip_throughput.cv_error_by_chip": "Out-of-sample error of the throughput model, by chip",
    "03_chip_throughput.measured_vs_predicted_out_of_fold": "Measured against predicted throughput, each point "
                                                            "predicted without its own source",
    "03_chip_throughput.roofline": "Roofline: why SRAM machines are not bandwidth-bound",
    "03_chip_throughput.pareto_*": "Per-user speed against throughput per chip, {}",
    "03_chip_throughput.seed_claims": "The seed article's speed claims beside the model",
    "03_chip_throughput.unit_economics": "Unit economics at the interactivity target: per chip, system, kilowatt "
                                         "and dollar",
    # 04_capex_allocation
    "04_capex_allocation.capex_by_company": "Capex by company (bars: central; whiskers: published range)",
    "04_capex_allocation.capex_guidance_history": "Each company's capex guidance as it was stated, and the year "
                                                  "after",
    "04_capex_allocation.capex_flow": "From capex to inference server spend, at central values",
    "04_capex_allocation.cost_floor_distribution": "Monte Carlo distribution of the cost floor per million output "
                                                   "tokens",
    "04_capex_allocation.tornado_cost_floor": "Which inputs move the cost floor (one at a time, low to high)",
    "04_capex_allocation.price_vs_cost_floor": "The reference model's market price falling towards its cost floor",
    # 05_edge_vs_cloud
    "05_edge_vs_cloud.cumulative_costs": "Cumulative cost of owning local servers against paying an API",
    "05_edge_vs_cloud.cost_per_mtok_over_time": "Cost per million output tokens of each option over time",
    "05_edge_vs_cloud.breakeven_heatmap": "Break-even month over electricity price and token volume, by region",
    # 06_capex_payback
    "06_capex_payback.anchors": "What 2026's capex needs against what tokens bring in, beside published anchors",
    "06_capex_payback.gap_fan": "Revenue gap to 2030: central path and Monte Carlo percentiles",
    "06_capex_payback.tornado_gap": "Which inputs move the 2030 gap (one at a time, low to high)",
}


def figure_caption(figure: str, stem: str = "") -> str | None:
    """The catalog's caption of a saved figure (``figures/roofline.png`` or ``roofline``), or None.

    Parameters
    ----------
    figure : str
        The figure's file name or path (its stem is the name given to ``savefig``).
    stem : str
        The notebook that saved it.
    """
    name = figure.rsplit("/", 1)[-1]
    name = name[:-4] if name.endswith(".png") else name
    for entry in (f"{stem}.{name}" if stem else None, name):
        if entry and entry in FIGURES:
            return FIGURES[entry]
    for entry, text in FIGURES.items():
        owner, _, pattern = entry.rpartition(".")
        if pattern.endswith("*") and (not stem or owner in ("", stem)) and name.startswith(pattern[:-1]):
            return text.format(name[len(pattern) - 1:])
    return None
