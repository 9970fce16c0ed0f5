"""``sweep.html``: each numeric result against the swept parameters, the failures, the table."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

HEATMAP_MAX_LEVELS = 20


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


def _figure(table, result: str, swept: list[str]):
    """One figure: a line for one parameter, a heat map (or coloured scatter) for two, small multiples beyond."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    data = table.dropna(subset=[result])
    if len(swept) == 1:
        (p,) = swept
        fig, ax = plt.subplots(figsize=(6, 3.6))
        if _numeric(data[p]):
            ordered = data.sort_values(p)
            ax.plot(ordered[p], ordered[result], marker="o")
            if _log_scale(data[p]):
                ax.set_xscale("log")
        else:
            ax.bar(data[p].astype(str), data[result])
        ax.set_xlabel(p)
        ax.set_ylabel(result)
        return fig
    if len(swept) == 2:
        x, y = swept
        fig, ax = plt.subplots(figsize=(6.5, 4.2))
        if data[x].nunique() <= HEATMAP_MAX_LEVELS and data[y].nunique() <= HEATMAP_MAX_LEVELS:
            grid = data.pivot_table(index=y, columns=x, values=result, aggfunc="mean")
            mesh = ax.imshow(grid.to_numpy(dtype=float), aspect="auto", origin="lower", cmap="viridis")
            ax.set_xticks(range(len(grid.columns)), [f"{v:.3g}" if isinstance(v, float) else str(v)
                                                     for v in grid.columns], rotation=45, ha="right")
            ax.set_yticks(range(len(grid.index)), [f"{v:.3g}" if isinstance(v, float) else str(v)
                                                   for v in grid.index])
        else:
            mesh = ax.scatter(data[x], data[y], c=data[result], cmap="viridis")
            if _log_scale(data[x]):
                ax.set_xscale("log")
            if _log_scale(data[y]):
                ax.set_yscale("log")
        fig.colorbar(mesh, ax=ax, label=result)
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        return fig
    fig, axes = plt.subplots(1, len(swept), figsize=(3.2 * len(swept), 3.2), sharey=True, squeeze=False)
    for ax, p in zip(axes[0], swept):
        if _numeric(data[p]):
            ax.scatter(data[p], data[result], s=14)
            if _log_scale(data[p]):
                ax.set_xscale("log")
        else:
            ax.scatter(data[p].astype(str), data[result], s=14)
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

    from analysis.runner.sweep import META_COLUMNS   # here: sweep imports this module inside a function

    table = pd.read_csv(csv_path)
    params = [c for c in table.columns if c.startswith("param.")]
    swept = [c for c in params if table[c].nunique(dropna=True) > 1]
    meta = set(META_COLUMNS)
    ok = table[table["ok"].astype(bool)] if "ok" in table else table
    results = [c for c in table.columns if c not in meta and c not in params and _numeric(table[c])
               and ok[c].notna().any()]
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>sweep of {html.escape(stem)}</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;font-size:12px}"
        "td,th{border:1px solid #ccc;padding:2px 6px}.failed{color:#b00}img{max-width:100%}"
        ".figs{display:flex;flex-wrap:wrap;gap:1em}.figs div{flex:0 1 640px}</style></head><body>",
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
    if swept and results:
        parts.append("<div class='figs'>")
        for result in results:
            image = _png(_figure(ok, result, swept))
            parts.append(f"<div><h3>{html.escape(result)}</h3><img alt='{html.escape(result)}' "
                         f"src='data:image/png;base64,{image}'></div>")
        parts.append("</div>")
    else:
        parts.append("<p>No numeric result varies with a swept parameter.</p>")
    parts.append("<h2>Table</h2>")
    parts.append(table.to_html(index=False, na_rep="", border=0, float_format=lambda v: f"{v:.6g}"))
    parts.append("</body></html>")
    target = folder / "sweep.html"
    target.write_text("\n".join(parts), encoding="utf-8")
    return target
