"""The run's ``index.html``: the analyst's front page, rendered from ``templates/index.html.j2``.

It opens with the decision summary (each finding with its range or interval), then
gives every notebook its status, key figures at a readable size with captions, and its
results with units and one-line descriptions (from ``results.json``'s ``_about``, see
:mod:`analysis.result_catalog`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class Finding:
    """One row of the decision summary."""

    label: str
    stem: str
    key: str
    fmt: str
    meaning: str
    when_null: str = "n/a"
    low: str = ""            # result keys bounding the finding's range or interval
    high: str = ""
    range_label: str = ""    # what the range is, e.g. "5th-95th percentile"


#: The decision summary at the top of the report.
DECISION_SUMMARY = [
    Finding("LLM price decline, median of Epoch AI's trends", "01_price_decline", "median_factor_per_year",
            "{:.0f}x per year", "cheapest price of reaching a capability level (not one model's price path)",
            low="min_factor_per_year", high="max_factor_per_year", range_label="slowest to fastest threshold"),
    Finding("LLM price decline to today, Epoch's method: full window", "01_price_decline",
            "full_window_median_factor_per_year", "{:.0f}x per year",
            "Epoch's rows plus 2025-2026 prices, reasoning models kept; median across thresholds"),
    Finding("LLM price decline to today, Epoch's method: latest 18 months", "01_price_decline",
            "latest_window_median_factor_per_year", "{:.1f}x per year",
            "the full window's thresholds measured on the latest window's own prices (start against end); most "
            "thresholds reached before the window got no cheaper model"),
    Finding("One open model's own price decline (median over models)", "01_price_decline",
            "fixed_model_median_factor_per_year", "{:.2f}x per year",
            "cheapest host to cheapest host over the genai-prices release history (same host: no cuts; median host: "
            "no cheaper); the rate for budgets that keep a model", low="fixed_model_factor_ci_low",
            high="fixed_model_factor_ci_high", range_label="90% bootstrap interval over models"),
    Finding("LLM price decline, a16z method (MMLU >= 42)", "01_price_decline", "a16z_mmlu42_factor_per_year",
            "{:.1f}x per year", "cheapest monthly price, endpoints; a16z's 1,000x needs its $0.06 end point"),
    Finding("Inference share of AI compute (FLOP), 2026", "02_compute_split", "inference_share_2026", "{:.0%}",
            "driver model at central drivers; Deloitte says about two-thirds",
            low="inference_share_2026_p5", high="inference_share_2026_p95",
            range_label="5th-95th percentile, drivers drawn jointly"),
    Finding("Inference share of AI compute (FLOP), 2030", "02_compute_split", "inference_share_2030", "{:.0%}",
            "projection at 2024-25 growth rates", "beyond the run's horizon",
            low="inference_share_2030_p5", high="inference_share_2030_p95",
            range_label="5th-95th percentile, drivers drawn jointly"),
    Finding("Lifetime inference share of one model's accelerator time", "02_compute_split",
            "lifetime_inference_cost_share", "{:.0%}", "prompt prefill counted",
            low="lifetime_inference_cost_share_low", high="lifetime_inference_cost_share_high",
            range_label="across the drivers' ranges"),
    Finding("Chip throughput model, out-of-sample error at maximum load", "03_chip_throughput",
            "cv_median_abs_error_max_load", "{:.0%} median |error|",
            "leave-one-source-out cross-validation over the published measurements; per-user and leave-one-chip-out "
            "errors, and the in-sample error, in the notebook"),
    Finding("Cerebras vs DGX B200 per-user speed, Llama 4 Maverick", "03_chip_throughput",
            "cerebras_over_b200_maverick", "{:.1f}x",
            "modelled per-user speed ratio (measured: 2.4x; the model misses single-stream GPU speed with "
            "speculative decoding, see the notebook)"),
    Finding("2026 hyperscaler capex (five companies)", "04_capex_allocation", "capex_2026_usd_b", "${:,.0f}B",
            "latest company guidance (April-June 2026) on one calendar basis, Oracle calendarized; analysts' "
            "estimates never added", low="capex_2026_usd_b_low", high="capex_2026_usd_b_high",
            range_label="low to high guidance"),
    Finding("2026 inference server capex", "04_capex_allocation", "inference_capex_2026_headline_usd_b", "${:,.0f}B",
            "75% AI share (unsourced) x 60% servers x a fleet share of inference; Monte Carlo median where it is "
            "more than 10% from the central value",
            low="inference_capex_2026_usd_b_p5", high="inference_capex_2026_usd_b_p95",
            range_label="5th-95th percentile over the share definitions"),
    Finding("Cost floor per million output tokens", "04_capex_allocation", "cost_floor_headline_usd_per_mtok", "${:.3f}",
            "Llama 3.3 70B on B200, 50 tokens/s per user, 60% utilization, 1:1 tokens, 9% cost of capital, "
            "maintenance opex; Monte Carlo median where it is more than 10% from the central value",
            low="cost_floor_usd_per_mtok_p5", high="cost_floor_usd_per_mtok_p95",
            range_label="5th-95th percentile, the throughput model's out-of-sample error included"),
    Finding("Today's cheapest market price of that model over its floor", "04_capex_allocation",
            "market_cheapest_over_floor", "{:.1f}x",
            "Llama 3.3 70B at the cheapest host (genai-prices snapshot), billed at the same token mix; the median "
            "host in the notebook", low="market_cheapest_over_floor", high="market_median_over_floor",
            range_label="cheapest to median host"),
    Finding("Can new capacity enter at today's cheapest price?", "04_capex_allocation", "entry_pv_revenue_over_cost",
            "{:.2f}x", "present value of a new B200's revenue at today's cheapest host price, falling at the "
            "cheapest-to-cheapest rate, over its cost (>= 1: entry pays)",
            low="entry_pv_revenue_over_cost_fast_decline", high="entry_pv_revenue_over_cost_slow_decline",
            range_label="fast to slow end of the rate's 90% interval"),
    Finding("Today's cheapest price against new capacity's break-even", "04_capex_allocation",
            "price_meets_floor_outcome", "{}",
            "today's cheapest host price against the first-year break-even of new capacity whose floor falls with "
            "hardware and software gains ('already below': entry does not pay now); the crossing year is a detail "
            "in the notebook, not a forecast"),
    Finding("Edge vs cloud break-even (Algeria)", "05_edge_vs_cloud", "breakeven_months", "month {:.0f}",
            "the cheapest mix of owned servers and API vs the API alone, billed per request at today's cheapest host, "
            "its price falling to its floor; street card price, staff time; discounted, residual value", "never",
            low="breakeven_months_high_throughput", high="breakeven_months_low_throughput",
            range_label="across the local throughput's 80% interval"),
    Finding("Probability that owning breaks even within the horizon", "05_edge_vs_cloud",
            "probability_breakeven_within_horizon", "{:.0%}", "over the local throughput model's own error"),
    Finding("Sequoia's $600B question, its own inputs", "06_capex_payback", "sequoia_revenue_needed_usd_b",
            "${:,.0f}B", "NVIDIA data-centre run-rate x 2 x 2: lifetime revenue for one year of spending; the latest "
            "quarter's figure is in the notebook"),
    Finding("2026 gap: charge of every capex vintage in service minus the same companies' AI revenue", "06_capex_payback",
            "gap_2026_usd_b", "${:,.0f}B a year", "five hyperscalers' 2024-26 capex (04's rule) x 75% AI (unsourced), each part "
            "recovered at 9% over its own life, energy and opex; revenue: their stated AI run-rates plus an assumed "
            "multiple for those without", low="gap_2026_usd_b_p5", high="gap_2026_usd_b_p95",
            range_label="5th-95th percentile"),
    Finding("Break-even average price for the whole charge, training included", "06_capex_payback",
            "breakeven_price_all_capex_usd_per_mtok", "${:.2f} per million tokens",
            "at 2026's worldwide token volume; inference's share alone is in the notebook"),
    Finding("2030 gap, median of the Monte Carlo", "06_capex_payback", "gap_2030_usd_b_p50", "${:,.0f}B a year",
            "capex on the data's path (2027: analysts' $1,116B, then held); prices falling with serving costs",
            "beyond the run's horizon",
            low="gap_2030_usd_b_p5", high="gap_2030_usd_b_p95", range_label="5th-95th percentile"),
    Finding("Independent predictions of operator disclosures within a factor of 1.5", "07_operator_disclosures",
            "disclosures_within_factor_1_5", "{:.0f}",
            "out of the independent predictions in the notebook (its n_disclosures): DeepSeek's decode and prefill "
            "(tests; its cost per day derives from them), one energy stand-in against Google's and OpenAI's figures "
            "and the OpenAI-Cerebras deal (consistency checks driven by chosen inputs); the chain as shipped, nothing "
            "refitted; which link misses, and by how much, in the notebook"),
]


def fmt_value(value, unit: str = "") -> str:
    """A result for the page: 4 significant digits, fractions as percentages, nulls as "n/a"."""
    if value is None or (isinstance(value, float) and value != value):
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if unit == "fraction" and abs(value) <= 1.5:
            return f"{value:.1%}"
        if unit == "year":
            return f"{value:.1f}"
        return f"{value:,.4g}" if 1e-3 <= abs(value) < 1e6 or value == 0 else f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}" if unit != "year" else str(value)
    if isinstance(value, (list, dict)):
        text = json.dumps(value)
        return text if len(text) <= 80 else text[:77] + "..."
    return str(value)


def _format(fmt: str, value) -> str:
    """``fmt.format(value)``, negative money written ``-$15B`` (not ``$-15B``)."""
    try:
        text = fmt.format(value)
    except (TypeError, ValueError):
        return fmt_value(value)
    return re.sub(r"\$-", "-$", text)


def decision_rows(runs) -> list[dict]:
    """The decision summary's rows for these runs: label, value, range, meaning, notebook."""
    by_stem = {run.stem: run for run in runs}
    rows = []
    for finding in DECISION_SUMMARY:
        run = by_stem.get(finding.stem)
        span = ""
        if run is None:
            value = "not run"
        elif not run.ok:
            value = "notebook failed"
        elif finding.key not in run.results:
            value = "n/a"
        elif run.results[finding.key] is None:
            value = finding.when_null
        else:
            value = _format(finding.fmt, run.results[finding.key])
            low, high = (run.results.get(finding.low), run.results.get(finding.high)) if finding.low else (None, None)
            if low is not None and high is not None:
                span = f"{_format(finding.fmt, low)} to {_format(finding.fmt, high)}"
        rows.append({"label": finding.label, "value": value, "range": span, "range_label": finding.range_label,
                     "meaning": finding.meaning, "stem": finding.stem})
    return rows


def caption(figure: str, stem: str = "") -> str:
    """A figure's caption: the figure catalog's line (:data:`analysis.result_catalog.FIGURES`), else its file name.

    ``figures/pareto_llama-3.3-70b.png`` of 03 -> "Per-user speed against throughput per chip,
    llama-3.3-70b"; a figure missing from the catalog -> "Pareto llama-3.3-70b".
    """
    from analysis.result_catalog import figure_caption

    found = figure_caption(str(figure), stem)
    if found:
        return found
    name = Path(figure).stem.replace("_", " ")
    return name[:1].upper() + name[1:]


def notebook_title(folder: Path, stem: str) -> str:
    """The first Markdown heading of the executed notebook, else the stem."""
    path = Path(folder) / f"{stem}.ipynb"
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return stem
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            match = re.search(r"^#+\s*(.+)$", "".join(cell.get("source", "")), flags=re.M)
            if match:       # Markdown's escapes (\$ keeps MathJax off a dollar sign) are not part of the title
                return re.sub(r"\\([\\`*_{}\[\]()#+\-.!$])", r"\1", match.group(1).strip())
    return stem


def notebook_sections(runs) -> list[dict]:
    """Per notebook: title, status, figures with captions, results with units and descriptions."""
    from analysis.results import describe_results, load_about

    sections = []
    for run in runs:
        about = load_about(run.folder) if run.folder else {}
        about = {**describe_results(run.results, run.stem), **about}
        results = [{"key": key, "value": fmt_value(value, about.get(key, {}).get("unit", "")),
                    "unit": about.get(key, {}).get("unit", ""), "description": about.get(key, {}).get("description", "")}
                   for key, value in sorted(run.results.items())]
        sections.append({
            "stem": run.stem, "title": notebook_title(Path(run.folder), run.stem) if run.folder else run.stem,
            "ok": run.ok, "failure": "" if run.ok else run.failure_line(), "seconds": run.seconds,
            "figures": [{"src": f"{run.stem}/{fig}", "caption": caption(fig, run.stem)} for fig in run.figures],
            "results": results,
        })
    return sections


def render_template(name: str, **context) -> str:
    """Render one of the package's Jinja2 templates (HTML autoescaped)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "j2"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.get_template(name).render(**context)


def write_index(folder: Path, runs, summary: dict) -> Path:
    """Write ``<folder>/index.html`` for a finished run.

    Parameters
    ----------
    folder : pathlib.Path
        The run folder (notebook sub-folders inside).
    runs : list of analysis.run.NotebookRun
        Outcomes, in notebook order.
    summary : dict
        Run metadata (creation time, git commit, duration, data checksums).

    Returns
    -------
    pathlib.Path
        The page written.
    """
    summary = {"created_utc": None, "git_commit": None, "seconds": None, "python_version": "", "data_sha256": {},
               **summary}
    page = render_template("index.html.j2", summary=summary, decisions=decision_rows(runs),
                           notebooks=notebook_sections(runs), failed=[r.stem for r in runs if not r.ok])
    target = Path(folder) / "index.html"
    target.write_text(page, encoding="utf-8")
    return target
