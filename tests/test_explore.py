"""Interactive explorers: a static default figure headless, controls that redraw in a kernel."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from analysis import edge, explore  # noqa: E402


@pytest.fixture
def server():
    return edge.LocalServer(price_usd=5000.0, import_markup=0.2, tokens_per_s=400.0, board_kw=1.2, host_overhead=1.3,
                            pue=1.0, life_years=4.0, maintenance_per_year=0.05, max_utilization=0.5)


def test_headless_runs_draw_the_default_figure(monkeypatch, server):
    monkeypatch.setenv(explore.HEADLESS_ENV, "1")
    plt.close("all")
    assert not explore.interactive()
    assert explore.breakeven_explorer(server, 0.036, 1.2, 3.2, 36, 1e9) is None
    assert explore.throughput_explorer(["llama-3.3-70b"], ["h100-sxm", "cerebras-wse3"]) is None
    assert len(plt.get_fignums()) == 2
    breakeven = plt.figure(plt.get_fignums()[0]).axes[0].get_title()
    assert "1e+09 output tokens/month at 0.036 USD/kWh" in breakeven
    throughput = plt.figure(plt.get_fignums()[1])._suptitle.get_text()
    assert throughput.startswith("llama-3.3-70b on h100-sxm (fp8)") and "per M output tokens" in throughput
    plt.close("all")


def test_throughput_explorer_rounds_its_target_and_says_when_it_cannot_be_reached():
    plt.close("all")
    explore.throughput_explorer(["llama-3.3-70b"], ["h100-sxm"], interactivity_target=50.1187, force=False)
    fig = plt.figure(plt.get_fignums()[-1])
    title = fig._suptitle.get_text()
    assert "target 50.1 tokens/s per user" in title and "50.1187" not in title
    assert all(ax.get_title() != "" and "USD" not in ax.get_title() for ax in fig.axes)   # y-labels stay on the axes
    low, _ = fig.axes[1].get_ylim()
    assert [t for t in fig.axes[1].get_yticks() if t <= low * 1.0001]                    # a tick under the line
    explore.throughput_explorer(["llama-3.3-70b"], ["h100-sxm"], interactivity_target=3000.0, force=False)
    fig = plt.figure(plt.get_fignums()[-1])
    assert "no batch reaches 3,000 tokens/s per user (fastest: " in fig._suptitle.get_text()
    assert any("target out of reach" in t.get_text() for t in fig.axes[1].texts)
    plt.close("all")


def test_controls_redraw_the_figure(server):
    pytest.importorskip("ipywidgets")
    box = explore.breakeven_explorer(server, 0.036, 1.2, 3.2, 36, 1e9, force=True)
    assert box.draws == 1 and "0.036 USD/kWh" in box.figure.axes[0].get_title()
    electricity = box.children[0].children[0]
    electricity.value = 0.3
    assert box.draws == 2 and "0.300 USD/kWh" in box.figure.axes[0].get_title()

    box = explore.throughput_explorer(["llama-3.3-70b", "gpt-oss-120b"], ["h100-sxm", "cerebras-wse3"], force=True)
    first = box.figure._suptitle.get_text()
    chip = box.children[0].children[1]
    chip.value = "cerebras-wse3"
    assert box.draws == 2 and box.figure._suptitle.get_text().startswith("llama-3.3-70b on cerebras-wse3 (bf16)")
    assert box.figure._suptitle.get_text() != first
    plt.close("all")


def test_runner_marks_kernels_headless():
    import inspect

    from analysis.runner import execution

    assert '"ANALYSIS_HEADLESS"' in inspect.getsource(execution.run_notebook)
