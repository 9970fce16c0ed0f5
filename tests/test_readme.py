"""The README's marked numbers: formatting and rewriting (against a tiny report)."""

from __future__ import annotations

import json

import pytest

from analysis.params import ParameterError
from analysis.readme import format_value, render


def test_format_value():
    assert format_value(1.9019e17, ".1e") == "1.9e17"
    assert format_value(0.249, ".0%") == "25%"
    assert format_value(675.0, ",.0f") == "675"


def test_render_rewrites_marked_numbers_only(tmp_path):
    (tmp_path / "run.json").write_text("{}")
    (tmp_path / "03_chip").mkdir()
    (tmp_path / "03_chip" / "results.json").write_text(json.dumps({"n": 32, "err": 0.249}))
    text = "over <!--r 03_chip.n d -->28<!--/r--> rows, error <!--r 03_chip.err .0% -->29%<!--/r--> (not 28)"
    new, changes = render(text, tmp_path)
    assert new == "over <!--r 03_chip.n d -->32<!--/r--> rows, error <!--r 03_chip.err .0% -->25%<!--/r--> (not 28)"
    assert len(changes) == 2
    with pytest.raises(ParameterError, match="does not have"):
        render("<!--r 03_chip.absent d -->1<!--/r-->", tmp_path)
