"""One plotting style for the collection, and saving figures next to results."""

from __future__ import annotations

import os
from pathlib import Path

PALETTE = "colorblind"


def use_style() -> None:
    """Set the collection's seaborn theme (call once per notebook)."""
    import matplotlib as mpl
    import seaborn as sns

    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE)
    mpl.rcParams.update({"figure.dpi": 100, "savefig.dpi": 150, "savefig.bbox": "tight",
                         "axes.titleweight": "bold", "figure.figsize": (8, 4.5)})


def savefig(fig, folder: str | os.PathLike, name: str) -> Path:
    """Save ``fig`` as ``<folder>/figures/<name>.png`` and return the path.

    The figure stays open so the notebook still displays it inline.
    """
    target = Path(folder) / "figures" / f"{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target)
    return target


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
    """Write log-axis ticks as plain numbers (10, 100) rather than powers of ten."""
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _pos: f"{v:,.0f}" if v >= 1 else f"{v:g}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


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
