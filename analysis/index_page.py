"""The run's ``index.html``: links, status, headline numbers and figures of every notebook."""

from __future__ import annotations

import html
import json
from pathlib import Path


def _fmt(value) -> str:
    if isinstance(value, float):
        if value != value:
            return "n/a"
        return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:.3e}"
    if value is None:
        return "n/a"
    if isinstance(value, (list, dict)):
        text = json.dumps(value)
        return text if len(text) <= 80 else text[:77] + "..."
    return str(value)


_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border-bottom:1px solid #ddd;padding:.3rem .7rem;text-align:left;vertical-align:top}
th{background:#f4f4f4}.ok{color:#1a7f37;font-weight:600}.failed{color:#c62828;font-weight:600}
.figs img{max-width:320px;margin:.3rem;border:1px solid #ddd}code{background:#f4f4f4;padding:0 .2rem}
"""


#: The decision summary at the top of the report: (finding, notebook, result key, format, what it means,
#: how to show a null result).
DECISION_SUMMARY = [
    ("LLM price decline, median of Epoch AI's trends", "01_price_decline", "median_factor_per_year", "{:.0f}x per year",
     "cheapest price of reaching a capability level (not one model's price path); range across thresholds in the "
     "notebook", "n/a"),
    ("LLM price decline to today, Epoch's method: full window", "01_price_decline",
     "full_window_median_factor_per_year", "{:.0f}x per year",
     "Epoch's rows plus 2025-2026 prices, reasoning models kept; median across thresholds", "n/a"),
    ("LLM price decline to today, Epoch's method: latest 18 months", "01_price_decline",
     "latest_window_median_factor_per_year", "{:.0f}x per year",
     "same thresholds fitted on the latest window only, beside the full-window rate; wide intervals", "n/a"),
    ("One open model's own price decline (median over models)", "01_price_decline",
     "fixed_model_median_factor_per_year", "{:.1f}x per year",
     "first recorded price to today's cheapest host (genai-prices snapshot); the rate for budgets that keep a model",
     "n/a"),
    ("LLM price decline, a16z method (MMLU >= 42)", "01_price_decline", "a16z_mmlu42_factor_per_year",
     "{:.1f}x per year", "cheapest monthly price, endpoints; a16z's 1,000x needs its $0.06 end point", "n/a"),
    ("Inference share of AI compute (FLOP), 2026", "02_compute_split", "inference_share_2026", "{:.0%}",
     "driver model at central drivers; Deloitte says about two-thirds", "n/a"),
    ("  ... 5th-95th percentile, drivers drawn jointly", "02_compute_split", "inference_share_2026_p5", "{:.0%}",
     "lower end; the upper end is inference_share_2026_p95 in the notebook", "n/a"),
    ("Inference share of AI compute (FLOP), 2030", "02_compute_split", "inference_share_2030", "{:.0%}",
     "projection at 2024-25 growth rates; joint 5-95% range in the notebook", "beyond the run's horizon"),
    ("Lifetime inference share of one model's accelerator time", "02_compute_split", "lifetime_inference_cost_share",
     "{:.0%}", "prompt prefill counted; generated tokens only in the notebook", "n/a"),
    ("Chip throughput model, out-of-sample error at maximum load", "03_chip_throughput", "cv_median_abs_error_max_load",
     "{:.0%} median |error|", "leave-one-source-out cross-validation over 381 published measurements; per-user and "
     "leave-one-chip-out errors, and the in-sample error, in the notebook", "n/a"),
    ("Cerebras vs DGX B200 per-user speed, Llama 4 Maverick", "03_chip_throughput", "cerebras_over_b200_maverick",
     "{:.1f}x", "modelled per-user speed ratio (measured: 2.4x; the model misses single-stream GPU speed with "
     "speculative decoding, see the notebook)", "n/a"),
    ("2026 hyperscaler capex (five companies)", "04_capex_allocation", "capex_2026_usd_b", "${:,.0f}B",
     "latest company guidance (April-June 2026) on one calendar basis, Oracle calendarized; range "
     "capex_2026_usd_b_low/_high in the notebook; analysts' estimates never added", "n/a"),
    ("2026 inference server capex", "04_capex_allocation", "inference_capex_2026_usd_b", "${:,.0f}B",
     "75% AI share (unsourced) x 60% servers x a fleet share of inference; Monte Carlo over the share definitions",
     "n/a"),
    ("Cost floor per million output tokens", "04_capex_allocation", "cost_floor_usd_per_mtok", "${:.3f}",
     "Llama 3.3 70B on B200, 50 tokens/s per user, 60% utilization, 1:1 tokens, 9% cost of capital, at cost", "n/a"),
    ("Year Llama 3.1 70B's price meets that floor", "04_capex_allocation", "price_meets_floor_year_fixed_rate",
     "{:.1f}", "priced when observed (2025-02), falling at a fixed-model rate", "n/a"),
    ("Edge vs cloud break-even (Algeria)", "05_edge_vs_cloud", "breakeven_months", "month {:.0f}",
     "owning local servers vs paying an API billed per request, its price falling to its floor; discounted, "
     "residual value; 'never' when owning never catches up", "never"),
    ("Sequoia's $600B question, its own inputs", "06_capex_payback", "sequoia_revenue_needed_usd_b", "${:,.0f}B",
     "NVIDIA data-centre run-rate x 2 x 2: lifetime revenue for one year of spending; the latest quarter's figure is "
     "in the notebook", "n/a"),
    ("2026 gap: revenue needed for 2026 capex minus token revenue", "06_capex_payback", "gap_2026_usd_b", "${:,.0f}B a year",
     "capex $760B x 75% AI (unsourced), recovered at 9% over each part's life, vs Google's published tokens x 2 x "
     "median list price; 5-95% range in the notebook", "n/a"),
    ("Break-even average price for inference's share of that charge", "06_capex_payback",
     "breakeven_price_usd_per_mtok", "${:.2f} per million tokens", "at 2026's token volume", "n/a"),
    ("2030 gap, median of the Monte Carlo", "06_capex_payback", "gap_2030_usd_b_p50", "${:,.0f}B a year",
     "demand-driven capex to 2030; 5th and 95th percentiles gap_2030_usd_b_p5 / _p95; Bain: $800B short",
     "beyond the run's horizon"),
]


def _decision_rows(runs) -> list[str]:
    by_stem = {run.stem: run for run in runs}
    rows = []
    for label, stem, key, fmt, meaning, when_null in DECISION_SUMMARY:
        run = by_stem.get(stem)
        if run is None:
            value = "not run"
        elif not run.ok:
            value = "notebook failed"
        elif key not in run.results:
            value = "n/a"
        elif run.results[key] is None:
            value = when_null
        else:
            try:
                value = fmt.format(run.results[key])
            except (TypeError, ValueError):
                value = _fmt(run.results[key])
        link = f"<a href='{html.escape(stem)}/{html.escape(stem)}.html'>{html.escape(stem)}</a>"
        rows.append(f"<tr><td>{html.escape(label)}</td><td><b>{html.escape(value)}</b></td>"
                    f"<td>{html.escape(meaning)}</td><td>{link}</td></tr>")
    return rows


def write_index(folder: Path, runs, summary: dict) -> Path:
    """Write ``<folder>/index.html`` for a finished run.

    Parameters
    ----------
    folder : pathlib.Path
        The run folder (notebook sub-folders inside).
    runs : list of analysis.run.NotebookRun
        Outcomes, in notebook order.
    summary : dict
        Run metadata (creation time, git commit, duration).
    """
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>Economics of AI inference: report</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>Economics of AI inference: report</h1>",
        f"<p>Created {html.escape(str(summary.get('created_utc')))} UTC from commit "
        f"<code>{html.escape(str(summary.get('git_commit')))}</code> in {summary.get('seconds')} s.</p>",
        "<h2>Decision summary</h2><table><tr><th>finding</th><th>value</th><th>what it is</th><th>from</th></tr>",
        *_decision_rows(runs),
        "</table>",
        "<h2>Notebooks</h2><table><tr><th>notebook</th><th>status</th><th>time (s)</th><th>files</th></tr>",
    ]
    for run in runs:
        stem = html.escape(run.stem)
        status = "<span class='ok'>ok</span>" if run.ok else f"<span class='failed'>FAILED</span> " \
            f"{html.escape(run.failure_line())}"
        parts.append(f"<tr><td><a href='{stem}/{stem}.html'>{stem}</a></td><td>{status}</td><td>{run.seconds}</td>"
                     f"<td><a href='{stem}/{stem}.ipynb'>notebook</a> · <a href='{stem}/results.json'>results.json</a>"
                     f"</td></tr>")
    parts.append("</table>")
    for run in runs:
        stem = html.escape(run.stem)
        parts.append(f"<h2 id='{stem}'><a href='{stem}/{stem}.html'>{stem}</a></h2>")
        if run.results:
            parts.append("<table><tr><th>result</th><th>value</th></tr>")
            for key, value in sorted(run.results.items()):
                parts.append(f"<tr><td><code>{html.escape(key)}</code></td><td>{html.escape(_fmt(value))}</td></tr>")
            parts.append("</table>")
        else:
            parts.append("<p>No results recorded.</p>")
        if run.figures:
            parts.append("<div class='figs'>")
            for fig in run.figures:
                src = html.escape(f"{run.stem}/{fig}")
                parts.append(f"<a href='{src}'><img src='{src}' alt='{html.escape(fig)}' loading='lazy'></a>")
            parts.append("</div>")
    parts.append("</body></html>")
    target = folder / "index.html"
    target.write_text("\n".join(parts), encoding="utf-8")
    return target
