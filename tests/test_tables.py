"""The table formatter, result kinds and the figure catalog."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from analysis import paths, tables
from analysis.result_catalog import KINDS, figure_caption, kind


def test_numbers_are_rounded_blank_when_missing_and_money_puts_the_sign_first():
    frame = pd.DataFrame({"input": ["a", "b"], "low": [749.5225, 70833.333333], "high": [np.nan, -15.2],
                          "gap_2030_usd_b": [-15.3, 1234.5], "inference_share_2026": [0.123, 0.5]})
    shown = tables.format_frame(frame)
    assert list(shown.columns) == ["input", "low", "high", "gap_2030_usd_b", "inference_share_2026"]  # no index
    assert shown["low"].tolist() == ["749.5", "70,833"]                       # not 7.495225e+02, not 70833.333333
    assert shown["high"].tolist() == ["", "-15.2"]                             # blank, not NaN
    assert shown["gap_2030_usd_b"].tolist() == ["-$15.3B", "$1,234B"]         # unit from the catalog
    assert shown["inference_share_2026"].tolist() == ["12.3%", "50.0%"]
    assert "e+0" not in repr(tables.show(frame)) and "NaN" not in tables.show(frame)._repr_html_()


def test_a_series_is_a_table_not_a_repr_and_a_labelled_index_is_kept():
    crossing = pd.Series({"fixed-model rate": 2028.5612, "a16z rate": 2027.1}).rename("year the price meets the floor")
    text = repr(tables.show(crossing))
    assert "dtype" not in text and "Name:" not in text
    assert "2028.6" in text and "fixed-model rate" in text
    chips = tables.format_frame(pd.DataFrame({"p5_usd": [1.0, 2.5]}, index=pd.Index(["b200", "h100"], name="chip")))
    assert chips.columns.tolist() == ["chip", "p5_usd"] and chips["p5_usd"].tolist() == ["$1.00", "$2.50"]


def test_long_tables_are_cut_in_the_middle():
    table = tables.show(pd.DataFrame({"x": range(500)}), max_rows=30)
    assert len(table.frame) == 31 and "500 rows" in table.caption and table.frame["x"].iloc[20] == "..."


@given(st.floats(min_value=1e-3, max_value=1e5, allow_nan=False))
def test_negative_money_is_the_positive_amount_with_a_leading_minus(value):
    for unit in ("USD billion", "USD per M tokens", "USD"):
        assert tables.money(-value, unit) == "-" + tables.money(value, unit)
        assert tables.money(value, unit).startswith("$")


@given(st.floats(min_value=-1e14, max_value=1e14, allow_nan=False).filter(lambda v: abs(v) >= 1e-3))
def test_significant_keeps_four_digits_and_never_writes_exponents_in_range(value):
    text = tables.significant(value)
    assert "e" not in text
    if abs(value) < 1e6:
        assert abs(float(text.replace(",", "")) - value) <= abs(value) * 5e-4 + 1e-12


def test_kinds_follow_units_and_leave_run_metadata_out():
    assert kind("gap_2026_usd_b") == "money"
    assert kind("inference_share_2026_p5") == "share"
    assert kind("price_meets_floor_year_fixed_rate_early") == "year"
    assert kind("latest_price_date") == "date"
    assert kind("monte_carlo_seconds") == "duration"
    assert kind("n_trends", value=3) == "count" and kind("region", value="europe") == "label"
    assert {kind("cerebras_over_b200_maverick"), kind("breakeven_months")} <= set(KINDS)


def _saved_figures() -> set[tuple[str, str]]:
    found = set()
    for notebook in sorted(paths.notebooks_dir().glob("[0-9][0-9]_*.ipynb")):
        for cell in json.loads(notebook.read_text())["cells"]:
            for name in re.findall(r"savefig\(\s*fig\s*,\s*OUT\s*,\s*f?[\"']([^\"']+)[\"']", "".join(cell["source"])):
                found.add((notebook.stem, re.sub(r"\{[^}]*\}", "example", name)))
    return found


def test_every_saved_figure_has_a_caption_in_the_catalog():
    figures = _saved_figures()
    assert len(figures) >= 20
    missing = sorted(f"{stem}.{name}" for stem, name in figures if not figure_caption(f"figures/{name}.png", stem))
    assert missing == [], "add these figures to FIGURES in analysis/result_catalog.py"
    assert figure_caption("figures/pareto_gpt-oss-120b.png", "03_chip_throughput").endswith("gpt-oss-120b")
    assert figure_caption("figures/nothing_like_it.png", "01_price_decline") is None


def test_front_page_titles_and_decision_values_read_as_text(tmp_path):
    import nbformat

    from analysis.index_page import _format, notebook_title

    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell('# Rebuilding "AI\'s \\$600B question"'))
    nbformat.write(nb, str(tmp_path / "06_x.ipynb"))
    assert notebook_title(tmp_path, "06_x") == 'Rebuilding "AI\'s $600B question"'
    assert _format("${:,.0f}B a year", -14.62) == "-$15B a year"
    assert _format("${:.3f}", 0.1234) == "$0.123"
