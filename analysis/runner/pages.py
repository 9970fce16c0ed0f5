"""``sweep.html``: each numeric result against the swept parameters, the failures, the table."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

HEATMAP_MAX_LEVELS = 20

#: The columns of ``sweep.csv`` that describe a run rather than a result.
META_COLUMNS = ["run", "key", "ok", "error", "attempts"]


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def _numeric(series) -> bool:
    import pandas as pd

    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _log_scale(series) -> bool:
    values = series.dropna()
    return _numeric(series) and len(values) > 2 and (values > 0).all() and values.max() / values.min() >= 100


def no_value_label(result: str, stem: str = "") -> str:
    """How a run without a number for ``result`` reads: "never" when the catalog says null means never."""
    from analysis.result_catalog import describe

    entry = describe(result, stem)
    text = entry[1].lower() if entry else ""
    never = ("never", "breaks even", "break-even")
    return "never" if any(word in text for word in never) or "breakeven" in result else "no value"


def result_order(results: list[str], stem: str) -> list[str]:
    """The notebook's headline keys first (its decision-summary findings), then the catalog's order, then the rest."""
    from analysis.index_page import DECISION_SUMMARY
    from analysis.result_catalog import CATALOG

    headline = []
    for finding in DECISION_SUMMARY:
        if finding.stem == stem:
            headline += [k for k in (finding.key, finding.low, finding.high) if k and k not in headline]
    catalog = {key: i for i, key in enumerate(CATALOG)}
    return sorted(results, key=lambda r: (headline.index(r) if r in headline else len(headline),
                                          catalog.get(f"{stem}.{r}", catalog.get(r, len(catalog))), r))


def _norm(values):
    """A log colour scale for positive results spanning 100x or more, else linear (None)."""
    from matplotlib.colors import LogNorm

    return LogNorm() if _log_scale(values) else None


def _label(value) -> str:
    from analysis.tables import significant

    return significant(value, 3) if isinstance(value, float) else str(value)


def _mark_missing(ax, xs, label: str, categorical: bool = False) -> None:
    """Runs without a number: grey crosses along the top of the panel, in the legend as ``label``."""
    from matplotlib.transforms import blended_transform_factory

    from analysis.plotting import NO_VALUE_COLOR

    if len(xs) == 0:
        return
    transform = blended_transform_factory(ax.transData, ax.transAxes)
    ax.scatter(list(xs) if not categorical else [str(x) for x in xs], [0.96] * len(xs), transform=transform,
               marker="X", s=60, color=NO_VALUE_COLOR, edgecolors="0.35", linewidths=0.6, label=label, zorder=4,
               clip_on=False)
    ax.legend(loc="lower right", fontsize="small", framealpha=0.9)


def _figure(table, result: str, swept: list[str], missing_label: str = "no value"):
    """One figure: a line for one parameter, a heat map (or coloured scatter) for two, small multiples beyond.

    Runs without a number (``missing_label``, e.g. "never") are a labelled category in every
    panel: grey crosses along the top of a line or scatter, grey labelled cells in a heat map.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.patches import Patch

    from analysis.plotting import NO_VALUE_COLOR, sequential_cmap
    from analysis.tables import significant

    data = table.dropna(subset=[result])
    gaps = table[table[result].isna()]
    if len(swept) == 1:
        (p,) = swept
        fig, ax = plt.subplots(figsize=(6, 3.6))
        if _numeric(table[p]):
            ordered = data.sort_values(p)
            ax.plot(ordered[p], ordered[result], marker="o")
            if _log_scale(table[p]):
                ax.set_xscale("log")
            _mark_missing(ax, gaps[p], missing_label)
        else:
            ax.bar(data[p].astype(str), data[result])
            _mark_missing(ax, gaps[p], missing_label, categorical=True)
        if len(data) and _log_scale(data[result]):
            ax.set_yscale("log")
        ax.set_xlabel(p)
        ax.set_ylabel(result)
        return fig
    if len(swept) == 2:
        x, y = swept
        fig, ax = plt.subplots(figsize=(6.5, 4.2))
        if table[x].nunique() <= HEATMAP_MAX_LEVELS and table[y].nunique() <= HEATMAP_MAX_LEVELS:
            grid = table.pivot_table(index=y, columns=x, values=result, aggfunc="mean", dropna=False)
            runs = table.pivot_table(index=y, columns=x, values="run", aggfunc="count", dropna=False) \
                if "run" in table else grid.notna()
            values = grid.reindex_like(runs).to_numpy(dtype=float)
            mesh = ax.imshow(np.ma.masked_invalid(values), aspect="auto", origin="lower", cmap=sequential_cmap(),
                             norm=_norm(data[result]))
            ax.set_xticks(range(len(runs.columns)), [_label(v) for v in runs.columns], rotation=45, ha="right")
            ax.set_yticks(range(len(runs.index)), [_label(v) for v in runs.index])
            ran = runs.fillna(0).to_numpy() > 0
            small = values.size <= 64
            finite = values[np.isfinite(values)]
            middle = (finite.min() + finite.max()) / 2 if finite.size else 0
            for (i, j), value in np.ndenumerate(values):
                if not ran[i, j]:
                    continue
                if not np.isfinite(value):
                    ax.text(j, i, missing_label, ha="center", va="center", fontsize=8, color="0.2")
                elif small:
                    ax.text(j, i, significant(value, 3), ha="center", va="center", fontsize=7,
                            color="white" if value > middle else "0.1")
            if (~np.isfinite(values) & ran).any():
                ax.legend(handles=[Patch(color=NO_VALUE_COLOR, label=missing_label)], loc="lower right",
                          bbox_to_anchor=(1.0, 1.0), fontsize="small", frameon=False, borderaxespad=0.1)
        else:
            mesh = ax.scatter(data[x], data[y], c=data[result], cmap=sequential_cmap(), norm=_norm(data[result]))
            if len(gaps):
                ax.scatter(gaps[x], gaps[y], marker="X", s=50, color=NO_VALUE_COLOR, edgecolors="0.35",
                           linewidths=0.6, label=missing_label)
                ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize="small", frameon=False,
                          borderaxespad=0.1)
            if _log_scale(table[x]):
                ax.set_xscale("log")
            if _log_scale(table[y]):
                ax.set_yscale("log")
        fig.colorbar(mesh, ax=ax, label=result)
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        return fig
    fig, axes = plt.subplots(1, len(swept), figsize=(3.2 * len(swept), 3.2), sharey=True, squeeze=False)
    for ax, p in zip(axes[0], swept):
        if _numeric(table[p]):
            ax.scatter(data[p], data[result], s=14)
            if _log_scale(table[p]):
                ax.set_xscale("log")
            _mark_missing(ax, gaps[p], missing_label)
        else:
            ax.scatter(data[p].astype(str), data[result], s=14)
            _mark_missing(ax, gaps[p], missing_label, categorical=True)
            ax.tick_params(axis="x", rotation=45)
        ax.set_xlabel(p)
    axes[0][0].set_ylabel(result)
    return fig


def write_sweep_page(folder: Path, stem: str, runs, csv_path: Path) -> Path:
    """Write ``<folder>/sweep.html`` beside ``sweep.csv``.

    Parameters
    ----------
    folder : pathlib.Path
        The sweep folder.
    stem : str
        Notebook name.
    runs : list of NotebookRun
        Every run of the grid (resumed ones included), in grid order.
    csv_path : pathlib.Path
        The ``sweep.csv`` to tabulate and plot.

    Returns
    -------
    pathlib.Path
        The page written.
    """
    import pandas as pd

    from analysis.result_catalog import describe
    from analysis.tables import format_value

    table = pd.read_csv(csv_path)
    params = [c for c in table.columns if c.startswith("param.")]
    swept = [c for c in params if table[c].nunique(dropna=True) > 1]
    meta = set(META_COLUMNS)
    ok = table[table["ok"].astype(bool)] if "ok" in table else table
    candidates = [c for c in table.columns if c not in meta and c not in params]
    varying, constant = [], []
    for column in candidates:
        values = ok[column]
        if values.nunique(dropna=False) <= 1:
            constant.append(column)
        elif _numeric(table[column]) and values.notna().any():
            varying.append(column)
    varying = result_order(varying, stem)
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>sweep of {html.escape(stem)}</title>",
        "<style>body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1400px;padding:0 1rem;color:#222}"
        "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px}"
        ".failed{color:#b00}img{max-width:100%}.muted{color:#666}"
        ".figs{display:flex;flex-wrap:wrap;gap:1em}.figs div{flex:0 1 600px}"
        ".scroll{max-width:100%;max-height:70vh;overflow:auto;border:1px solid #ddd}"
        ".scroll th{position:sticky;top:0;background:#f6f6f6}</style></head><body>",
        f"<h1>Sweep of {html.escape(stem)}</h1>",
        f"<p>{len(table)} runs, {int((~table['ok'].astype(bool)).sum())} failed; swept: "
        f"{html.escape(', '.join(p[6:] for p in swept) or 'nothing')}. Data: <a href='sweep.csv'>sweep.csv</a>.</p>",
    ]
    failed = [r for r in runs if not r.ok]
    parts.append("<h2>Failures</h2>")
    if failed:
        parts.append("<ul>" + "".join(f"<li class='failed'>{html.escape(r.failure_line())}</li>" for r in failed)
                     + "</ul>")
    else:
        parts.append("<p>None.</p>")
    parts.append("<h2>Results against the swept parameters</h2>")
    if swept and varying:
        parts.append("<p class='muted'>Headline results first. Colour: low values bright, high values dark, the "
                     "scale of the notebooks' heat maps; runs without a number (e.g. <em>never</em>) are grey and "
                     "labelled.</p><div class='figs'>")
        for result in varying:
            missing = no_value_label(result, stem)
            image = _png(_figure(ok, result, swept, missing))
            parts.append(f"<div><h3>{html.escape(result)}</h3><img alt='{html.escape(result)}' "
                         f"src='data:image/png;base64,{image}'></div>")
        parts.append("</div>")
    else:
        parts.append("<p>No numeric result varies with a swept parameter.</p>")
    if constant:
        rows = []
        for column in result_order(constant, stem):
            value = ok[column].iloc[0] if len(ok) else None
            entry = describe(column, stem)
            unit = entry[0] if entry else ""
            shown = format_value(value, unit) or (no_value_label(column, stem) if len(ok) else "")
            rows.append(f"<tr><td><code>{html.escape(column)}</code></td><td>{html.escape(shown)}</td>"
                        f"<td>{html.escape(unit)}</td></tr>")
        parts.append(f"<h2>Results that do not vary ({len(constant)})</h2><p class='muted'>The same in every "
                     "successful run, so not drawn.</p><table><tr><th>result</th><th>value</th><th>unit</th></tr>"
                     + "".join(rows) + "</table>")
    parts.append("<h2>Table</h2><div class='scroll'>")
    parts.append(table.to_html(index=False, na_rep="", border=0, float_format=lambda v: f"{v:.6g}"))
    parts.append("</div></body></html>")
    target = folder / "sweep.html"
    target.write_text("\n".join(parts), encoding="utf-8")
    return target
