"""One plotting style for the collection, and saving figures next to results."""

from __future__ import annotations

import os
from pathlib import Path

PALETTE = "colorblind"
#: The collection's colour scale for a result over a grid (notebook 05's break-even map, sweep.html's heat maps):
#: low values bright, high values dark (``viridis_r``: an early break-even reads as bright).
SEQUENTIAL_CMAP = "viridis_r"
#: The colour of a cell or point whose outcome is not a number ("never", "n/a"): light grey, always labelled.
NO_VALUE_COLOR = "0.82"


def sequential_cmap():
    """:data:`SEQUENTIAL_CMAP` with missing (masked) cells drawn in :data:`NO_VALUE_COLOR` rather than left blank."""
    import matplotlib

    return matplotlib.colormaps[SEQUENTIAL_CMAP].with_extremes(bad=NO_VALUE_COLOR)


def use_style() -> None:
    """Set the collection's seaborn theme and display settings (call once per notebook).

    Besides the plotting theme, NumPy scalars print as plain numbers (``2.4``, not
    NumPy 2's ``np.float64(2.4)``) wherever a notebook prints a dict or list of them, and
    every DataFrame or Series a cell shows goes through the collection's table formatter
    (:mod:`analysis.tables`: units, rounding, blanks for missing, no meaningless index).
    """
    import matplotlib as mpl
    import numpy as np
    import seaborn as sns

    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE)
    mpl.rcParams.update({"figure.dpi": 100, "savefig.dpi": 150, "savefig.bbox": "tight",
                         "axes.titleweight": "bold", "figure.figsize": (8, 4.5)})
    if int(np.__version__.split(".")[0]) >= 2:
        np.set_printoptions(legacy="1.25")
    from analysis import tables

    tables.install()


class QuietPath(type(Path())):
    """A path (of a saved figure or results file); as a cell's last value it displays nothing (no machine path in pages)."""

    def _ipython_display_(self) -> None:
        return None


def savefig(fig, folder: str | os.PathLike, name: str) -> QuietPath:
    """Save ``fig`` as ``<folder>/figures/<name>.png`` and return the path.

    The figure stays open so the notebook still displays it inline. The returned path
    is an ordinary :class:`pathlib.Path` that shows nothing when it ends a cell.
    """
    target = QuietPath(Path(folder) / "figures" / f"{name}.png")
    target.parent.mkdir(parents=True, exist_ok=True)
    tidy(fig)
    fig.savefig(target)
    return target


def _legend_covers_bars(ax, legend, renderer) -> bool:
    from matplotlib.patches import Rectangle

    box = legend.get_window_extent(renderer)
    bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_height() != 0]
    return any(box.overlaps(bar.get_window_extent(renderer)) for bar in bars)


#: More legend entries than this on one panel of a multi-panel figure is unreadable at thumbnail size.
MAX_PANEL_LEGEND = 8


def _log_floor_tick(ax) -> None:
    """Extend a log y axis down to the power of ten at or below its lower limit (a tick under every line)."""
    import math

    if ax.get_yscale() != "log" or not ax.get_visible():
        return
    low, high = ax.get_ylim()
    if not (0 < low < high) or not math.isfinite(low):
        return
    floor = 10 ** math.floor(math.log10(low) + 1e-9)
    if floor < low:
        ax.set_ylim(floor, high)
    from matplotlib.ticker import LogFormatterSciNotation

    if isinstance(ax.yaxis.get_major_formatter(), LogFormatterSciNotation) and math.log10(high / floor) < 2:
        plain_log_ticks(ax, "y")         # 0.2, 0.3, 0.5 rather than 2 x 10^-1 on a short axis


def _shorten_legends(fig, axes) -> None:
    legends = [(ax, ax.get_legend()) for ax in axes if ax.get_legend() is not None and ax.get_visible()]
    if not legends or max(len(leg.get_texts()) for _, leg in legends) <= MAX_PANEL_LEGEND:
        return
    labels_by_ax = {ax: [t.get_text() for t in leg.get_texts()] for ax, leg in legends}
    shared = len(legends) > 1 and len(set.intersection(*(set(v) for v in labels_by_ax.values()))) > 0
    if shared:
        handles: dict[str, object] = {}
        for ax, legend in legends:
            for handle, label in zip(*ax.get_legend_handles_labels()):
                handles.setdefault(label, handle)
            legend.remove()
        fig.legend(list(handles.values()), list(handles), loc="upper center", bbox_to_anchor=(0.5, 0.0),
                   ncol=min(4, len(handles)), fontsize="small", frameon=False)
        return
    for ax, legend in legends:
        if len(labels_by_ax[ax]) > MAX_PANEL_LEGEND:
            handles, labels = ax.get_legend_handles_labels()
            ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2, fontsize=6,
                      frameon=False)


def tidy(fig) -> None:
    """Make a figure readable before it is saved (and shown): panels and legends that collide.

    * A legend drawn over a bar chart's bars moves below its panel.
    * A figure of several panels without a layout engine (and without colour bars) gets
      matplotlib's constrained layout, so one panel's axis label never covers another.
    * A log-scaled y axis reaches down to the power of ten below its lowest value, so every
      line has a labelled tick at or below it; one spanning under two decades is labelled with
      plain numbers (0.2, 0.3, 0.5).
    * Several panels with legends of more than :data:`MAX_PANEL_LEGEND` entries: entries the
      panels share become one legend below the figure; a long legend of one panel moves below
      that panel in columns.
    """
    import warnings

    axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    has_colorbar = len(axes) != len(fig.axes)
    for ax in axes:
        _log_floor_tick(ax)
    if len(axes) > 1:
        _shorten_legends(fig, axes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if len(axes) > 1 and not has_colorbar and fig.get_layout_engine() is None:
            try:
                fig.set_layout_engine("constrained")
            except (RuntimeError, ValueError):
                pass
        try:
            renderer = fig.canvas.get_renderer()
            fig.draw_without_rendering()
        except Exception:  # a backend without a renderer: leave the figure as drawn
            return
        for ax in axes:
            legend = ax.get_legend()
            if legend is None or not _legend_covers_bars(ax, legend, renderer):
                continue
            handles, labels = ax.get_legend_handles_labels()
            title = legend.get_title().get_text()
            ax.legend(handles, labels, title=title or None, loc="upper center", bbox_to_anchor=(0.5, -0.14),
                      ncol=min(len(labels), 3), frameon=False, fontsize="small", title_fontsize="small")


def forest(ax, labels, estimate, low, high, *, log=True, xlabel="", reference=None):
    """Point estimates with horizontal interval bars, one row per label (top to bottom).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    labels : sequence of str
    estimate, low, high : array_like
        Estimates and interval bounds (same length as ``labels``).
    log : bool
        Log-scaled x axis.
    xlabel : str
    reference : float, optional
        Draw a vertical dashed line here (e.g. a published headline value).
    """
    import numpy as np

    y = np.arange(len(labels))[::-1]
    est = np.asarray(estimate, dtype=float)
    ax.hlines(y, np.asarray(low, dtype=float), np.asarray(high, dtype=float), color="0.55", lw=2)
    ax.plot(est, y, "o", color="C0", zorder=3)
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    if log:
        ax.set_xscale("log")
    if reference is not None:
        ax.axvline(reference, ls="--", color="C3", lw=1)
    ax.set_xlabel(xlabel)
    return ax


def date_axis(ax) -> None:
    """Compact date ticks (year on the first tick of each year) without overlap."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def plain_log_ticks(ax, axis: str = "y") -> None:
    """Write log-axis ticks as plain numbers (10, 100, 20M) rather than powers of ten.

    Minor ticks at 2, 3 and 5 times a power of ten are labelled too when the axis spans
    less than about 1.5 decades (so a short axis still has numbers).
    """
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _pos: compact_number(v))
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(fmt)
    target.set_minor_formatter(FuncFormatter(lambda v, _pos: compact_number(v) if _label_minor(target, v) else ""))


def _label_minor(axis, value: float) -> bool:
    """Label a minor log tick at 2, 3 and 5 times a power of ten when the axis spans under 1.5 decades."""
    import math

    low, high = sorted(axis.get_view_interval())
    if value <= 0 or low <= 0 or math.log10(high / low) >= 1.5:
        return False
    return round(value / 10 ** math.floor(math.log10(value) + 1e-9), 6) in (2.0, 3.0, 5.0)


def compact_number(value: float) -> str:
    """A tick label: 1,000 -> "1k", 2e7 -> "20M", 3e9 -> "3B", 0.02 -> "0.02", 250 -> "250"."""
    if value <= 0:
        return f"{value:g}"
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e4, "k")):
        if value >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:,.0f}" if value >= 1 else f"{value:g}"


def plot_tornado(table, *, label_col: str, at_low: str, at_high: str, base: float, xlabel: str, title: str,
                 fmt: str = "{:g}"):
    """Horizontal tornado chart: one bar pair per row of ``table`` (blue = low input value, red = high).

    Parameters
    ----------
    table : pandas.DataFrame
        Rows sorted by swing, with ``label_col``, ``low``, ``high``, ``at_low`` and ``at_high`` columns.
    base : float
        Result at central values (the vertical line).
    """
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots(figsize=(8, 0.45 * len(table) + 1.2))
    y = np.arange(len(table))[::-1]
    for yi, (_, row) in zip(y, table.iterrows()):
        ax.barh(yi, row[at_low] - base, left=base, color="tab:blue", alpha=0.8)
        ax.barh(yi, row[at_high] - base, left=base, color="tab:red", alpha=0.8)
    ax.axvline(base, color="k", lw=1)
    ax.set_yticks(y)
    ax.set_yticklabels([f"{row[label_col]} ({fmt.format(row['low'])} to {fmt.format(row['high'])})"
                        for _, row in table.iterrows()])
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    return fig
