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
    "a16z_cheapest_host_end_price": ("USD per M tokens", "end price of the a16z curve with dated cheapest-host prices"),
    "a16z_cheapest_host_mmlu42_factor_per_year": ("x per year", "a16z method at MMLU >= 42 with dated cheapest-host "
                                                                "prices at both ends (price history span), endpoints"),
    "a16z_cheapest_host_mmlu42_total_factor": ("x", "total price fall at MMLU >= 42 with dated cheapest-host prices "
                                                    "over the price history span"),
    "a16z_cheapest_host_start_month": ("month", "first month of the cheapest-host a16z curve"),
    "a16z_listed_only_host_span_factor_per_year": ("x per year", "the a16z curve with listed prices only, over the "
                                                                 "same months as the cheapest-host curve"),
    "a16z_listed_only_mmlu42_factor_per_year": ("x per year", "the a16z curve from a16z's start to today with listed "
                                                              "prices only"),
    "fixed_model_median_factor_per_year": ("x per year", "one open model's own price decline, cheapest host to "
                                                         "cheapest host (dated release history), median over models"),
    "fixed_model_factor_ci_low": ("x per year", "low end of the cheapest-to-cheapest rate's 90% bootstrap interval"),
    "fixed_model_factor_ci_high": ("x per year", "high end of the cheapest-to-cheapest rate's 90% bootstrap interval"),
    "fixed_model_n_models": ("", "open models with dated host prices over the minimum span"),
    "fixed_model_share_no_cheaper_cheapest": ("fraction", "share of models whose cheapest host got no cheaper"),
    "fixed_model_fixed_panel_factor_per_year": ("x per year", "cheapest-to-cheapest rate counting only providers the "
                                                              "package covered at each model's first date"),
    "fixed_model_median_host_factor_per_year": ("x per year", "one open model's own price decline, median host to "
                                                              "median host, median over models"),
    "fixed_model_median_host_ci_low": ("x per year", "low end of the median-to-median rate's 90% bootstrap interval"),
    "fixed_model_median_host_ci_high": ("x per year", "high end of the median-to-median rate's 90% bootstrap interval"),
    "fixed_model_share_no_cheaper_median": ("fraction", "share of models whose median host got no cheaper"),
    "fixed_model_same_sku_factor_per_year": ("x per year", "one host's own list price of one model over time, median "
                                                           "over models of their SKUs' rates"),
    "same_sku_share_never_cut": ("fraction", "share of SKUs (any model) observed over the minimum span whose list "
                                             "price never fell"),
    "n_same_sku_series": ("", "SKUs (provider and model id) observed over the minimum span"),
    "fixed_model_mixed_kinds_factor_per_year": ("x per year", "the old reading: first recorded price (mixed kinds) "
                                                              "to today's cheapest host, median over models"),
    "market_history_first_release": ("date", "upload date of the first genai-prices release in the price history"),
    "market_history_last_release": ("date", "upload date of the latest genai-prices release in the price history"),
    "full_window_median_factor_per_year": ("x per year", "Epoch's method on the extended data, full window, median "
                                                         "across thresholds"),
    "latest_window_median_factor_per_year": ("x per year", "the full window's thresholds measured on the latest "
                                                           "window (cheapest price at its start against its end), "
                                                           "median across thresholds"),
    "latest_window_existing_thresholds_median_factor_per_year": ("x per year", "the same, thresholds reached before "
                                                                               "the window only"),
    "latest_window_new_thresholds_median_factor_per_year": ("x per year", "the same, thresholds first reached inside "
                                                                          "the window (from their first price)"),
    "latest_window_n_existing_thresholds": ("", "thresholds reached before the latest window"),
    "latest_window_n_stalled_thresholds": ("", "of those, thresholds no cheaper model reached in the window"),
    "latest_window_points_only_median_factor_per_year": ("x per year", "the old reading: Epoch's fit on the latest "
                                                                       "window's points alone (other thresholds)"),
    "latest_window_n_trends": ("", "thresholds measured over the latest window"),
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
    "fixed_model_decline_per_year": ("x per year", "one model's own price decline used: notebook 01's like-for-like "
                                                   "rate of the same kind of price"),
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
    "price_meets_floor_year_fixed_rate": ("year", "year the reference model's price, falling at its like-for-like "
                                                  "rate, meets new capacity's falling break-even (None: never)"),
    "price_meets_static_floor_year": ("year", "the same year against a floor held at today's costs (the old, static "
                                              "reading; None: never)"),
    "fixed_model_rate_kind": ("", "kind of like-for-like rate applied: cheapest (host to host) or median"),
    "other_opex_usd_per_accelerator_year": ("USD per accelerator-year", "maintenance, serving software and staff in "
                                                                        "the cost floor"),
    "cost_floor_usd_per_mtok_without_opex": ("USD per M output tokens", "the cost floor without other opex"),
    "cost_floor_usd_per_mtok_median": ("USD per M output tokens", "Monte Carlo median of the cost floor"),
    "cost_floor_headline_usd_per_mtok": ("USD per M output tokens", "the cost floor to quote: central value, or the "
                                                                    "Monte Carlo median when it is >10% away"),
    "cost_floor_headline_is_median": ("", "whether the cost floor headline is the Monte Carlo median"),
    "inference_capex_2026_usd_b_median": ("USD billion", "Monte Carlo median of 2026 inference server spend"),
    "inference_capex_2026_headline_usd_b": ("USD billion", "2026 inference server spend to quote: central value, or "
                                                           "the Monte Carlo median when it is >10% away"),
    "inference_capex_2026_headline_is_median": ("", "whether the inference capex headline is the Monte Carlo median"),
    "inference_tokens_per_year_median": ("output tokens per year", "Monte Carlo median of the 2026 inference token "
                                                                   "capacity"),
    "inference_tokens_per_year_headline": ("output tokens per year", "token capacity to quote: central value, or the "
                                                                     "Monte Carlo median when it is >10% away"),
    "new_capacity_floor_usd_per_mtok": ("USD per M output tokens", "first-year break-even price of capacity bought "
                                                                   "today when its price falls at the like-for-like rate"),
    "new_capacity_floor_over_level_floor": ("x", "that first-year break-even over the level (annuity) floor"),
    "market_price_over_new_capacity_floor": ("x", "today's reference price over new capacity's first-year break-even"),
    "entry_pv_revenue_over_cost": ("x", "entry test: present value of a new accelerator's falling revenue at today's "
                                        "price over its cost (>= 1: entry pays)"),
    "entry_pv_revenue_over_cost_fast_decline": ("x", "the entry test at the fast end of the rate's interval"),
    "entry_pv_revenue_over_cost_slow_decline": ("x", "the entry test at the slow end of the rate's interval"),
    "entry_npv_usd_per_mtok_year": ("USD per M tokens of yearly output", "net present value of entering at today's "
                                                                         "price"),
    "new_capacity_can_enter": ("", "whether new capacity recovers its cost at today's price, falling"),
    "floor_gain_per_year": ("x per year", "yearly fall of new capacity's break-even (hardware x software gains)"),
    "hardware_gain_per_year": ("x per year", "hardware price-performance gain used (Epoch AI)"),
    "software_gain_per_year": ("x per year", "serving software gain used (derived from Microsoft's statement)"),
    "cost_floor_grid_min_usd_per_mtok": ("USD per M output tokens", "lowest floor across the per-user speeds and "
                                                                    "precisions shown"),
    "cost_floor_grid_max_usd_per_mtok": ("USD per M output tokens", "highest floor across the per-user speeds and "
                                                                    "precisions shown"),
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
