"""Figures that can be read: a labelled tick under every log-scaled line, short legends on multi-panel figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from analysis import plotting  # noqa: E402


def test_a_log_axis_reaches_the_power_of_ten_below_its_lowest_line():
    fig, ax = plt.subplots()
    ax.plot([1, 2], [0.05, 3.0])
    ax.set_yscale("log")
    plotting.tidy(fig)
    low, _ = ax.get_ylim()
    assert low == 0.01 and min(ax.get_yticks()) <= 0.05
    plt.close(fig)
    fig, ax = plt.subplots()
    ax.plot([1, 36], [0.32, 0.66])                                       # 05's cost per token: under one decade
    ax.set_yscale("log")
    plotting.tidy(fig)
    fig.canvas.draw()
    labels = {t.get_text() for t in ax.get_yticklabels() + ax.get_yticklabels(minor=True)} - {""}
    assert ax.get_ylim()[0] == 0.1 and {"0.1", "0.2", "0.3", "0.5"} <= labels
    plt.close(fig)


def test_shared_long_legends_become_one_legend_and_a_long_panel_legend_moves_below():
    fig, axes = plt.subplots(1, 2)
    for ax in axes:
        for i in range(12):
            ax.plot([1, 2], [i, i + 1], label=f"source {i}")
        ax.legend()
    plotting.tidy(fig)
    assert [ax.get_legend() for ax in axes] == [None, None] and len(fig.legends) == 1
    assert len(fig.legends[0].get_texts()) == 12
    plt.close(fig)
    fig, axes = plt.subplots(1, 2)
    for j, ax in enumerate(axes):
        for i in range(12):
            ax.plot([1, 2], [i, i + 1], label=f"panel {j} line {i}")
        ax.legend()
    plotting.tidy(fig)
    assert all(ax.get_legend()._ncols == 2 for ax in axes) and fig.legends == []
    plt.close(fig)


def test_the_sequential_colour_scale_greys_missing_cells():
    cmap = plotting.sequential_cmap()
    assert cmap.name.startswith(plotting.SEQUENTIAL_CMAP)
    assert tuple(cmap.get_bad()[:3]) == matplotlib.colors.to_rgb(plotting.NO_VALUE_COLOR)
