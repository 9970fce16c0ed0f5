"""Interactive explorers: ipywidgets controls that redraw a figure live in JupyterLab.

Each explorer is one call in a notebook cell. In the Lab it returns a widget (controls
above the figure) and every change of a control redraws the figure. In a headless run
(the report runner sets ``ANALYSIS_HEADLESS=1``) or without ipywidgets, the same call
draws the figure at the default values and returns None, so the report shows it like
any other figure.

* :func:`throughput_explorer`: model x hardware x precision -> throughput-interactivity
  curve and cost per million output tokens (notebook 03);
* :func:`breakeven_explorer`: electricity price, token volume and API price decline ->
  cumulative costs and the break-even month (notebook 05).
"""

from __future__ import annotations

import os
from typing import Callable

HEADLESS_ENV = "ANALYSIS_HEADLESS"


def interactive() -> bool:
    """Whether controls can work here: ipywidgets importable, inside a kernel, not a headless run."""
    if os.environ.get(HEADLESS_ENV):
        return False
    try:
        import ipywidgets  # noqa: F401
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _explorer(draw: Callable, controls: dict):
    """Wire ``controls`` to redraw ``draw(**values)`` into an output area below them; return the widget.

    The widget carries ``redraw()``, ``draws`` (how many times it drew) and ``figure``
    (the last figure drawn).
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    out = widgets.Output()
    box = widgets.VBox([widgets.HBox(list(controls.values())), out])
    box.draws = 0

    def redraw(change=None):
        values = {name: control.value for name, control in controls.items()}
        with out:
            out.clear_output(wait=True)
            fig = draw(**values)
            display(fig)
            plt.close(fig)
        box.draws += 1
        box.figure = fig

    for control in controls.values():
        control.observe(redraw, names="value")
    box.redraw = redraw
    redraw()
    return box


def throughput_explorer(models, hardware, precisions=("bf16", "fp8", "fp4"), *, input_tokens: int = 1024,
                        output_tokens: int = 1024, interactivity_target: float = 50.0, floors: dict | None = None,
                        efficiency: dict | None = None, utilization: float = 0.6, force: bool | None = None):
    """Explore one model on one chip at one precision: its throughput-interactivity curve and cost per token.

    Parameters
    ----------
    models, hardware : sequence of str
        Model and chip ids offered (the first is the default).
    precisions : sequence of str
        GPU/TPU precisions offered (SRAM machines always run bf16).
    input_tokens, output_tokens : int
        Request shape of the curve.
    interactivity_target : float
        Default per-user speed at which the cost is read off.
    floors : dict, optional
        Per-layer latency floors by chip kind or id (see :func:`analysis.throughput.layer_latency_for`).
    efficiency : dict, optional
        ``memory_efficiency`` / ``compute_efficiency`` passed to the model.
    utilization : float
        Share of the chip's serving throughput sold; costs are per token sold at this utilization.
    force : bool, optional
        True for controls, False for a static figure; None decides (see :func:`interactive`).

    Returns
    -------
    ipywidgets.VBox or None
        The explorer in the Lab; None in headless runs (the figure is drawn instead).
    """
    import matplotlib.pyplot as plt

    from analysis import throughput as tp

    table = tp.hardware_table().set_index("id")
    models, hardware = list(models), list(hardware)

    def draw(model, chip, precision, target):
        from analysis.plotting import plain_log_ticks, tidy
        from analysis.tables import significant

        prec = tp.serving_precision(chip, precision)
        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.4), layout="constrained")
        try:
            chips = tp.deployment_chips(model, chip, prec, input_tokens + output_tokens)
            curve = tp.pareto(model, chip, chips, prec, input_tokens, output_tokens,
                              layer_latency_s=tp.layer_latency_for(chip, floors), **(efficiency or {}))
        except ValueError as exc:
            left.text(0.5, 0.5, str(exc), ha="center", va="center", wrap=True, transform=left.transAxes)
            curve = None
        title = f"{model} on {chip} ({prec}), target {significant(target, 3)} tokens/s per user"
        said = ""
        if curve is not None and len(curve):
            user, per_chip = curve["output_tokens_per_s_per_user"], curve["output_tokens_per_s_per_chip"]
            left.plot(user, per_chip, marker="o", ms=3)
            cost = tp.cost_per_million_tokens(per_chip, table.loc[chip, "rental_usd_per_hour"], utilization)
            right.plot(user, cost, marker="o", ms=3, color="C1")
            for ax in (left, right):
                ax.set_xscale("log")
                ax.set_yscale("log")
                ax.axvline(target, color="0.4", ls="--", lw=1)
                plain_log_ticks(ax, "x")
                plain_log_ticks(ax, "y")
            best = tp.pick_at_interactivity(curve, target)
            if best is None:
                said = (f"no batch reaches {significant(target, 3)} tokens/s per user "
                        f"(fastest: {significant(float(user.max()), 3)}): "
                        "no cost at this target")
                right.text(0.5, 0.5, f"target out of reach:\nfastest {significant(float(user.max()), 3)} tokens/s per user",
                           ha="center", va="center", transform=right.transAxes, fontsize=10,
                           bbox={"facecolor": "white", "edgecolor": "0.6"})
            else:
                usd = float(tp.cost_per_million_tokens(best["output_tokens_per_s_per_chip"],
                                                       table.loc[chip, "rental_usd_per_hour"], utilization))
                said = f"batch {int(best['batch'])}"
                if usd == usd:
                    right.plot([best["output_tokens_per_s_per_user"]], [usd], "o", color="C3", ms=8)
                    said += f", ${usd:.3f} per M output tokens"
                else:
                    said += ", no rental price for this chip: no cost"
        left.set_xlabel("output tokens/s per user")
        left.set_ylabel("output tokens/s per chip")
        left.set_title("throughput", fontsize=10)
        right.set_xlabel("output tokens/s per user")
        right.set_ylabel("USD per M output tokens")
        right.set_title(f"cost at {utilization:.0%} utilization", fontsize=10)
        fig.suptitle(title + (f"\n{said}" if said else ""), fontsize=11)
        tidy(fig)                     # a labelled tick under every line
        return fig

    if not (force if force is not None else interactive()):
        draw(models[0], hardware[0], precisions[0] if "fp8" not in precisions else "fp8", interactivity_target)
        return None
    import ipywidgets as widgets

    controls = {
        "model": widgets.Dropdown(options=models, value=models[0], description="model"),
        "chip": widgets.Dropdown(options=hardware, value=hardware[0], description="hardware"),
        "precision": widgets.Dropdown(options=list(precisions), value="fp8" if "fp8" in precisions else precisions[0],
                                      description="precision"),
        "target": widgets.FloatLogSlider(value=interactivity_target, base=10, min=0, max=3.5, step=0.05,
                                         description="tok/s/user"),
    }
    return _explorer(draw, controls)


def breakeven_explorer(server, electricity_usd_per_kwh: float, api_price_now: float, decline_per_year: float,
                       months: int, tokens_per_month: float, force: bool | None = None, **cost_options):
    """Explore owning against an API: electricity price, token volume and API decline -> cumulative costs.

    Parameters
    ----------
    server : analysis.edge.LocalServer
        The local server compared.
    electricity_usd_per_kwh, tokens_per_month, decline_per_year : float
        Defaults of the three controls.
    api_price_now : float
        API price per million output tokens when observed.
    months : int
        Horizon.
    force : bool, optional
        True for controls, False for a static figure; None decides (see :func:`interactive`).
    **cost_options
        Passed to :func:`analysis.edge.cumulative_costs` (input price, token ratio, floor,
        discounting, residual value).

    Returns
    -------
    ipywidgets.VBox or None
        The explorer in the Lab; None in headless runs (the figure is drawn instead).
    """
    import matplotlib.pyplot as plt
    import numpy as np

    from analysis import edge

    def draw(electricity, volume, decline):
        costs = edge.cumulative_costs(volume, server, electricity, api_price_now, decline, months, **cost_options)
        month = edge.breakeven_month(costs["own"], costs["cloud"])
        x = np.arange(1, months + 1)
        fig, ax = plt.subplots(figsize=(9, 4.2))
        ax.plot(x, costs["own"], lw=2, label="own")
        ax.plot(x, costs["cloud"], lw=2, label=f"API, falling {decline:.1f}x a year")
        if np.isfinite(month):
            ax.axvline(month, color="k", lw=1)
        ax.set_xlabel("month")
        ax.set_ylabel("cumulative cost, USD")
        said = f"break-even month {month:.0f}" if np.isfinite(month) else f"no break-even within {months} months"
        ax.set_title(f"{volume:.2g} output tokens/month at {electricity:.3f} USD/kWh: {said}", fontsize=11)
        ax.legend(loc="upper left")
        return fig

    if not (force if force is not None else interactive()):
        draw(electricity_usd_per_kwh, tokens_per_month, decline_per_year)
        return None
    import ipywidgets as widgets

    controls = {
        "electricity": widgets.FloatSlider(value=electricity_usd_per_kwh, min=0.01, max=0.5, step=0.005,
                                           readout_format=".3f", description="USD/kWh"),
        "volume": widgets.FloatLogSlider(value=tokens_per_month, base=10, min=6, max=11, step=0.1,
                                         description="tokens/month"),
        "decline": widgets.FloatSlider(value=decline_per_year, min=1.0, max=12.0, step=0.1,
                                       description="API x/year"),
    }
    return _explorer(draw, controls)
