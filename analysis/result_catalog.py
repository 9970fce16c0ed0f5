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
    "same_sku_share_never_cut": ("fraction", "share of SKUs (any model) observed over the minimum span with no price "
                                             "change recorded in the package (not all its files are maintained)"),
    "fixed_model_rate_sensitivity_low": ("x per year", "lowest median cheapest-to-cheapest rate across the sensitivity "
                                                       "variants (panel, resellers, shortest span)"),
    "fixed_model_rate_sensitivity_high": ("x per year", "highest median cheapest-to-cheapest rate across the "
                                                        "sensitivity variants"),
    "fixed_model_pooled_factor_per_year": ("x per year", "cheapest-to-cheapest rate pooled over models (summed log "
                                                         "factors over summed years)"),
    "fixed_model_with_hf_routes_factor_per_year": ("x per year", "cheapest-to-cheapest rate counting the Hugging Face "
                                                                 "reseller routes as hosts"),
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
    "cv_temporal_median_abs_error_max_load": ("fraction", "median |error| at maximum load of rows measured after the "
                                                          "temporal cutoff, fitted on the rows before it"),
    "cv_temporal_median_abs_error_per_user": ("fraction", "median |error| of per-user speeds after the temporal cutoff"),
    "cv_open_tier_median_abs_error_max_load": ("fraction", "leave-one-source-out median |error| at load of the "
                                                           "open-stack (open_default) rows"),
    "cv_open_tier_median_abs_error_per_user": ("fraction", "leave-one-source-out median |error| of the open-stack "
                                                           "per-user rows"),
    "open_tier_efficiency_share": ("fraction", "share of the tuned efficiencies an open stack run with common "
                                               "settings reaches (fitted)"),
    "open_tier_extra_step_ms": ("ms", "extra host time per decode step of an open stack (fitted)"),
    "software_factor_per_year": ("x per year", "throughput of the same configuration a year later, from software "
                                               "alone (within-configuration rate)"),
    "software_factor_per_year_low": ("x per year", "lower bound of the software rate's bootstrap interval"),
    "software_factor_per_year_high": ("x per year", "upper bound of the software rate's bootstrap interval"),
    "software_configurations": ("", "configurations measured at several dates behind the software rate"),
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
    "software_gain_per_year": ("x per year", "serving software gain used (Microsoft's ~30% from software alone, "
                                             "cost_assumptions.csv)"),
    "price_pass_through": ("fraction", "share of the floor's yearly gain passed into the price's fall (0: the "
                                       "measured rate)"),
    "measured_price_decline_per_year": ("x per year", "the measured like-for-like rate before any pass-through"),
    "fixed_model_decline_range_low": ("x per year", "slow end of the rate's range used in the entry test"),
    "fixed_model_decline_range_high": ("x per year", "fast end of the rate's range used in the entry test"),
    "new_capacity_entry_verdict": ("", "'can' or 'cannot': whether new capacity enters at today's price, falling at "
                                       "the rate used"),
    "price_meets_floor_outcome": ("", "'already below', 'never' or the year today's price meets new capacity's "
                                      "falling break-even"),
    "entry_pv_revenue_over_cost_price_at_floor_rate": ("x", "the entry test with the price falling at the floor's "
                                                            "rate"),
    "new_capacity_floor_usd_per_mtok_price_at_floor_rate": ("USD per M output tokens", "new capacity's first-year "
                                                            "break-even with the price falling at the floor's rate"),
    "new_capacity_entry_verdict_price_at_floor_rate": ("", "the entry verdict with the price falling at the floor's "
                                                           "rate"),
    "monte_carlo_input_shape": ("", "how each uncertain input of the Monte Carlo spreads over its range"),
    "entry_pv_revenue_over_cost_median": ("x", "the entry test over the Monte Carlo draws of the floor's inputs, "
                                               "median"),
    "entry_share_of_draws_that_enter": ("fraction", "share of Monte Carlo draws in which new capacity's present-value "
                                                    "revenue covers its cost"),
    "cost_floor_headline_basis": ("", "what the cost-floor headline quotes: the central value, or the Monte Carlo "
                                      "median when they differ by more than 10%"),
    "inference_capex_2026_headline_basis": ("", "what the inference-capex headline quotes (central value or Monte "
                                                "Carlo median)"),
    "inference_tokens_per_year_headline_basis": ("", "what the token-capacity headline quotes (central value or "
                                                     "Monte Carlo median)"),
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
    "npv_owning_advantage_usd": ("USD", "present value saved by the best option that owns at least one server, "
                                        "against the API, over the horizon (negative: dearer)"),
    "own_usd_per_mtok": ("USD per M output tokens", "cost of owning per million output tokens at this volume"),
    "owning_wins_within_horizon": ("", "whether owning breaks even within the horizon"),
    "region": ("", "region compared"),
    "residual_fraction": ("fraction", "share of book value recovered at the horizon"),
    "servers": ("", "local servers owned (hybrid: the cheapest count, the API serving the rest)"),
    "start_date": ("date", "month 1 of the comparison"),
    "tokens_per_month": ("output tokens per month", "demand compared"),
    "api_price_source": ("", "where the API price comes from (market snapshot or a list price)"),
    "breakeven_months_low_throughput": ("months", "break-even month at the low end of the local throughput's interval"),
    "breakeven_months_high_throughput": ("months", "break-even month at the high end of the local throughput's "
                                                   "interval"),
    "local_tokens_per_s_lo": ("output tokens/s", "low end of the local server's throughput interval (model error)"),
    "local_tokens_per_s_hi": ("output tokens/s", "high end of the local server's throughput interval (model error)"),
    "probability_breakeven_within_horizon": ("fraction", "probability that owning breaks even within the horizon, "
                                                         "throughput, staff cost and (when drawn) the API decline "
                                                         "drawn jointly"),
    "breakeven_months_p50": ("months", "median break-even month over the throughput draws (null: never)"),
    "breakeven_months_whole_servers": ("months", "break-even month with whole servers for all the demand"),
    "breakeven_months_no_residual": ("months", "break-even month with no residual value at the horizon"),
    "never_share_of_volumes_whole_servers": ("fraction", "share of volumes from 1e8 to 1e10 a month at which whole "
                                                         "servers never break even (the sawtooth)"),
    "capacity_model": ("", "hybrid (owned servers plus API for the rest) or whole servers"),
    "card_price_usd": ("USD per card", "price paid per card before duties"),
    "staff_usd_per_month": ("USD per month", "staff time to run the servers (assumption)"),
    "api_fx_premium_used": ("x", "cost of the API's dollars over the official exchange rate"),
    "buyer_cases_never": ("", "buyer cases in which owning never breaks even within the horizon"),
    "npv_owning_advantage_quoted_as": ("", "median or central: which the summary quotes for the owning option's "
                                           "present value (the >10% rule)"),
    "npv_owning_advantage_usd_p50": ("USD", "median over the joint draws (throughput, staff, API decline) of the best "
                                            "owning option's present-value advantage over the API"),
    "servers_best_owned": ("", "servers of the cheapest option that owns at least one"),
    "api_pv_usd": ("USD", "present value of the API bill over the horizon (all the demand)"),
    "npv_owning_advantage_share_of_api": ("fraction", "the best owning option's present-value advantage over the API "
                                                      "bill's present value"),
    "flip_staff_usd_per_month": ("USD per month", "staff cost at which the best owning option's present value against "
                                                  "the API changes sign"),
    "flip_card_price_usd": ("USD per card", "card price (before duties and FX) at which that present value changes sign"),
    "flip_maintenance_per_year": ("fraction", "maintenance a year (share of the landed price) at which it changes sign"),
    "flip_api_decline_per_year": ("x per year", "API price decline at which it changes sign"),
    "flip_tokens_per_month": ("tokens per month", "first monthly output-token volume from which owning pays"),
    "npv_owning_advantage_usd_resale_low": ("USD", "the best owning option's present-value advantage with the residual "
                                                   "at the lowest used-card price row (share of launch price)"),
    "npv_owning_advantage_usd_resale_high": ("USD", "the same at the highest used-card price row"),
    "residual_basis": ("", "residual value in the headline: book (straight-line) or market (used-card prices)"),
    "probability_breakeven_throughput_only": ("fraction", "probability of breaking even within the horizon over the "
                                                          "throughput error alone"),
    "probability_draws_api_decline": ("", "whether the probability draws the API decline jointly"),
    "staff_usd_per_month_low": ("USD per month", "low end of the staff cost drawn in the probability (assumption)"),
    "staff_usd_per_month_high": ("USD per month", "high end of the staff cost drawn in the probability (assumption)"),
    # 06_capex_payback
    "breakeven_price_usd_per_mtok_p50": ("USD per M tokens", "median over the Monte Carlo of the inference-only "
                                                             "break-even price"),
    "gap_2026_inference_only_usd_b_p50": ("USD billion per year", "median over the Monte Carlo of the 2026 "
                                                                  "inference-only gap"),
    "first_year_weight": ("fraction", "share of its purchase year a capex vintage is charged and serves (0.5: the "
                                      "half-year convention)"),
    "share_of_draws_short_2026_inference_only": ("fraction", "share of Monte Carlo draws in which 2026 revenue falls "
                                                             "short of inference's share of the charge"),
    "unstated_revenue_multiple_at_zero_gap_inference_only": ("x", "revenue of the companies with no stated AI run-rate, "
                                                                  "as a multiple of the stated, at which the 2026 "
                                                                  "inference-only gap is zero (central inputs)"),
    "unstated_revenue_multiple_at_zero_gap": ("x", "the same multiple at which the whole 2026 gap is zero"),
    "price_decline_at_zero_gap_at_horizon": ("x per year", "price decline per year at which the horizon's gap is zero at "
                                                           "central inputs (slower: revenue covers the charge)"),
    "price_decline_central": ("x per year", "central price decline per year (serving-cost decline x price-cost link)"),
    "charge_2026_older_vintages_usd_b": ("USD billion per year", "part of the 2026 charge for vintages bought before "
                                                                 "2026"),
    "stated_revenue_in_scope_usd_b": ("USD billion", "AI run-rates stated by the companies whose capex is charged"),
    "token_value_2026_usd_b": ("USD billion", "cross-check, not revenue: all 2026 tokens at the median list price"),
    "gap_2026_inference_only_usd_b": ("USD billion per year", "2026 gap charging inference's share of the capex only"),
    "gap_2026_usd_b_p50": ("USD billion per year", "median 2026 gap of the Monte Carlo"),
    "sequoia_updated_nvidia_compute_usd_b": ("USD billion", "Sequoia's arithmetic on NVIDIA's latest quarter without "
                                                            "its networking share"),
    "implied_utilization_2026_p50": ("fraction", "median of the 2026 utilisation over the Monte Carlo"),
    "breakeven_price_all_capex_usd_per_mtok_p50": ("USD per M tokens", "median of the all-capex break-even price over "
                                                                       "the Monte Carlo"),
    "capex_2027_usd_b": ("USD billion", "2027 capex of the scope from the data (analysts' estimate)"),
    "capex_2024_usd_b": ("USD billion", "2024 capex of the scope by 04's rule (a vintage charged in 06)"),
    "capex_2025_usd_b": ("USD billion", "2025 capex of the scope by 04's rule (a vintage charged in 06)"),
    "headlines_quoted_as_median": ("", "headlines whose Monte Carlo median differs from the central value by more "
                                       "than 10%, so the summary quotes the median"),
    "bain_capex_to_revenue": ("ratio", "Bain's capex-to-revenue ratio implied by its published figures"),
    "bain_revenue_available_2030_usd_b": ("USD billion", "Bain: revenue available in 2030 after savings"),
    "bain_revenue_needed_2030_usd_b": ("USD billion", "Bain: annual revenue needed by 2030 to fund compute"),
    "bain_shortfall_2030_usd_b": ("USD billion", "Bain: 2030 revenue shortfall"),
    "breakeven_price_all_capex_usd_per_mtok": ("USD per M tokens", "average price at which 2026 tokens cover the whole "
                                                                   "charge of every vintage, training included"),
    "breakeven_price_usd_per_mtok": ("USD per M tokens", "average price at which 2026 tokens cover inference's share of "
                                                         "the charge of every vintage (training left out)"),
    "breakeven_tokens_per_year": ("tokens per year", "token volume at which inference covers its share at today's price"),
    "capacity_tokens_2026": ("tokens per year", "inference capacity of every vintage in service in 2026, all tokens"),
    "gap_2026_usd_b": ("USD billion per year", "2026 charge of every capex vintage in service minus the same companies' "
                                                "AI revenue (above 0: short)"),
    "gap_2030_usd_b_central": ("USD billion per year", "2030 gap at central inputs"),
    "gap_2030_usd_b_p50": ("USD billion per year", "median 2030 gap of the Monte Carlo"),
    "gap_2030_usd_b_p5": ("USD billion per year", "5th percentile of the 2030 gap"),
    "gap_2030_usd_b_p95": ("USD billion per year", "95th percentile of the 2030 gap"),
    "gap_by_year_central_usd_b": ("USD billion per year", "gap in each year at central inputs"),
    "horizon": ("year", "last year of the scenarios"),
    "implied_utilization_2026": ("fraction", "2026 tokens over the inference capacity of every vintage in service, both "
                                          "in all tokens (input and output)"),
    "ai_revenue_2026_usd_b": ("USD billion", "2026 AI revenue of the companies whose capex is charged (stated run-rates "
                                          "plus an assumed multiple for those without)"),
    "nvidia_latest_dc_revenue_usd_b": ("USD billion", "NVIDIA's latest quarterly data-centre revenue"),
    "nvidia_latest_quarter": ("", "the quarter of that figure"),
    "price_2026_usd_per_mtok": ("USD per M tokens", "average price per token assumed for 2026"),
    "revenue_needed_2026_straight_line_usd_b": ("USD billion per year", "revenue needed with straight-line "
                                                                        "depreciation and no return"),
    "revenue_needed_2026_usd_b": ("USD billion per year", "2026 charge of every AI capex vintage in service at the stated "
                                                          "return, energy and operating cost included"),
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

# 07_operator_disclosures: per disclosure, the disclosed value, the chain's prediction with its interval and the ratio
_DISCLOSURE_KEYS = {
    "deepseek_decode_tokens_per_s_per_node": ("output tokens/s per node", "DeepSeek's decode throughput per H800 node"),
    "deepseek_prefill_tokens_per_s_per_node": ("input tokens/s per node", "DeepSeek's prefill throughput per H800 node, "
                                                                          "cache hits counted"),
    "deepseek_cost_per_day": ("USD per day", "DeepSeek's serving cost for 2025-02-27/28 at $2 per GPU-hour"),
    "gemini_wh_per_prompt": ("Wh per prompt", "energy of Google's median Gemini Apps text prompt"),
    "chatgpt_wh_per_query": ("Wh per query", "energy of OpenAI's average ChatGPT query"),
    "cerebras_deal_value_usd": ("USD", "value of the OpenAI-Cerebras capacity deal (prediction: the capacity's tokens "
                                       "at Cerebras's list price)"),
}
for _stem, (_unit, _what) in _DISCLOSURE_KEYS.items():
    CATALOG[f"07_operator_disclosures.{_stem}_disclosed"] = (_unit, f"{_what}: as disclosed")
    CATALOG[f"07_operator_disclosures.{_stem}_predicted"] = (_unit, f"{_what}: the chain's prediction under the "
                                                                    "disclosed conditions")
    CATALOG[f"07_operator_disclosures.{_stem}_predicted_lo"] = (_unit, f"{_what}: low end of the prediction's 80% "
                                                                       "interval")
    CATALOG[f"07_operator_disclosures.{_stem}_predicted_hi"] = (_unit, f"{_what}: high end of the prediction's 80% "
                                                                       "interval")
    CATALOG[f"07_operator_disclosures.{_stem}_ratio"] = ("ratio", f"{_what}: predicted over disclosed")
CATALOG.update({
    "disclosures_within_factor_1_5": ("", "independent predictions of operator disclosures within a factor of 1.5 "
                                          "(07; derived rows and shared predictions count once)"),
    "n_disclosures": ("", "independent predictions of operator disclosures (07)"),
    "tests_within_factor_1_5": ("", "of those, predictions set by the disclosed conditions that agree within 1.5x"),
    "n_tests": ("", "predictions set by the disclosed conditions (tests)"),
    "consistency_checks_within_factor_1_5": ("", "predictions driven by chosen inputs (stand-ins, assumed shares) "
                                                 "that agree within 1.5x"),
    "n_consistency_checks": ("", "predictions driven by chosen inputs (consistency checks)"),
    "n_disclosure_rows": ("", "rows of the disclosure comparison table"),
    "energy_wh_per_prompt_band_lo": ("Wh per prompt", "lowest Wh per prompt over the stand-ins and the idle-power range"),
    "energy_wh_per_prompt_band_hi": ("Wh per prompt", "highest Wh per prompt over the stand-ins and the idle-power range"),
    "energy_wh_per_prompt_full_idle_power": ("Wh per prompt", "the reference stand-in with idle servers at full power"),
    "energy_idle_power_fraction": ("fraction", "idle server power over serving power assumed for the energy prediction"),
    "cerebras_deal_usd_per_mtok_it_power": ("USD per M output tokens", "deal price with the 750 MW read as IT power"),
    "cerebras_deal_value_usd_it_power": ("USD", "capacity's value at list price with the 750 MW read as IT power"),
    "cerebras_deal_value_usd_band_lo": ("USD", "lowest value at list price over utilizations and both MW readings"),
    "cerebras_deal_value_usd_band_hi": ("USD", "highest value at list price over utilizations and both MW readings"),
    "deepseek_own_cost_usd_per_day": ("USD per day", "DeepSeek's cost from its own nodes, GPUs and $2 per GPU-hour"),
    "deepseek_own_revenue_usd_per_day": ("USD per day", "DeepSeek's token mix at R1's prices (its own arithmetic)"),
    "deepseek_own_margin": ("fraction of cost", "DeepSeek's margin from its own figures (revenue over cost minus one)"),
    "deepseek_margin_disclosed": ("fraction of cost", "DeepSeek's disclosed theoretical margin at R1's prices (5.45 = 545%)"),
    "deepseek_margin_predicted": ("fraction of cost", "margin at R1's prices over the chain's predicted cost"),
    "deepseek_margin_predicted_lo": ("fraction of cost", "low end of that margin (at the low throughput)"),
    "deepseek_margin_predicted_hi": ("fraction of cost", "high end of that margin (at the high throughput)"),
    "deepseek_nodes_disclosed": ("nodes", "DeepSeek's average H800 nodes in service"),
    "deepseek_nodes_predicted": ("nodes", "nodes the chain needs for DeepSeek's day of tokens"),
    "deepseek_nodes_predicted_lo": ("nodes", "low end of those nodes (at the high throughput)"),
    "deepseek_nodes_predicted_hi": ("nodes", "high end of those nodes (at the low throughput)"),
    "deepseek_usd_per_mtok_disclosed": ("USD per M tokens", "DeepSeek's cost per million tokens, input and output"),
    "deepseek_usd_per_mtok_predicted": ("USD per M tokens", "the chain's cost per million tokens, input and output"),
    "deepseek_capex_cost_per_day_usd": ("USD per day", "the predicted GPUs at a capex floor instead of $2 per GPU-hour"),
    "deepseek_request_input_tokens": ("tokens", "input tokens of the request implied by DeepSeek's token mix and KV "
                                                "length"),
    "deepseek_request_output_tokens": ("tokens", "output tokens of that implied request"),
    "deepseek_decode_what_if_not_overlapped_ratio": ("ratio", "expert-parallel decode over disclosed with dispatch/combine "
                                                     "not hidden behind computation"),
    "deepseek_decode_what_if_attention_gemm_share_ratio": ("ratio", "expert-parallel decode over disclosed with MLA attention "
                                                           "at the GEMMs' share of the BF16 peak"),
    "deepseek_decode_what_if_attention_bf16_peak_ratio": ("ratio", "expert-parallel decode over disclosed with attention at "
                                                          "100% of the BF16 peak (the ceiling)"),
    "deepseek_decode_batch_per_gpu": ("sequences", "decode sequences per GPU in the expert-parallel prediction"),
    "deepseek_decode_batch_per_gpu_memory": ("sequences", "decode sequences one GPU's memory holds (weights, experts, "
                                                          "BF16 KV cache)"),
    "deepseek_decode_batch_per_gpu_implied": ("sequences", "sequences per GPU DeepSeek's figures imply (per-node "
                                                           "throughput / 8 / per-user speed)"),
    "deepseek_decode_generic_tokens_per_s_per_node": ("output tokens/s per node", "decode on the chain's generic "
                                                      "tensor-parallel replica of 144 GPUs"),
    "deepseek_decode_generic_ratio": ("ratio", "that generic replica's decode over disclosed"),
    "deepseek_prefill_generic_tokens_per_s_per_node": ("input tokens/s per node", "prefill from the chain's generic "
                                                       "batch-1 prompt (whole prompt computed)"),
    "deepseek_prefill_what_if_attention_gemm_share_ratio": ("ratio", "batched prefill over disclosed with attention at "
                                                            "the GEMMs' share of the BF16 peak"),
    "energy_wh_per_prompt_alternatives_min": ("Wh per prompt", "lowest Wh per prompt across the stand-in models and "
                                                               "chips"),
    "energy_wh_per_prompt_alternatives_max": ("Wh per prompt", "highest Wh per prompt across the stand-in models and "
                                                               "chips"),
    "energy_stand_in": ("", "model, chip and conditions of the energy-per-prompt prediction"),
    "cerebras_deal_usd_per_mtok": ("USD per M output tokens", "price per million output tokens the OpenAI-Cerebras "
                                                              "deal implies"),
    "cerebras_deal_usd_per_mtok_lo": ("USD per M output tokens", "low end of that price (at the high throughput)"),
    "cerebras_deal_usd_per_mtok_hi": ("USD per M output tokens", "high end of that price (at the low throughput)"),
    "cerebras_list_usd_per_mtok": ("USD per M output tokens", "Cerebras's list price for the same model and token mix"),
    "cerebras_tokens_per_s_per_mw": ("tokens/s per MW", "modelled output tokens per second per MW of Cerebras capacity"),
    "cost_floor_usd_per_mtok_04_chain": ("USD per M output tokens", "notebook 04's cost floor (Llama 3.3 70B on B200) "
                                                                    "at the deal's token mix"),
    # 04 and 05: energy and CO2 per million output tokens
    "energy_kwh_per_mtok": ("kWh per M output tokens", "energy per million output tokens (IT power x PUE, idle time "
                                                       "charged)"),
    "co2_kg_per_mtok": ("kg CO2 per M output tokens", "CO2 per million output tokens at the stated grid intensity"),
    "grid_kg_co2_per_kwh": ("kg CO2 per kWh", "grid intensity used (US average 2023, EIA)"),
})


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
    "04_capex_allocation.cost_floor_by_speed_and_precision": "The cost floor against per-user speed, one line per "
                                                             "precision, with today's market prices",
    "04_capex_allocation.price_vs_cost_floor": "The reference model's market price falling towards its cost floor",
    # 05_edge_vs_cloud
    "05_edge_vs_cloud.cumulative_costs": "Cumulative cost of owning local servers against paying an API",
    "05_edge_vs_cloud.cost_per_mtok_over_time": "Cost per million output tokens of each option over time",
    "05_edge_vs_cloud.breakeven_by_volume": "Break-even month against monthly token volume, one line per model of "
                                            "capacity (gaps: never within the horizon)",
    "05_edge_vs_cloud.breakeven_heatmap": "Break-even month over electricity price and token volume, by region",
    # 06_capex_payback
    "06_capex_payback.anchors": "What 2026's capex needs against what tokens bring in, beside published anchors",
    "06_capex_payback.gap_fan": "Revenue gap to 2030: central path and Monte Carlo percentiles",
    "06_capex_payback.tornado_gap": "Which inputs move the 2030 gap (one at a time, low to high)",
    "06_capex_payback.vintage_charges": "Each capex vintage's yearly charge, stacked, against revenue",
    # 07_operator_disclosures
    "07_operator_disclosures.energy_per_prompt_breakdown": "Energy per prompt by component: disclosed against "
                                                           "predicted",
    "07_operator_disclosures.cerebras_deal_prices": "Implied price per million output tokens of the Cerebras deal "
                                                    "against utilization, beside market prices and the cost floor",
    "07_operator_disclosures.disclosure_ratios": "Each operator disclosure: predicted over disclosed, with its "
                                                 "interval",
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
