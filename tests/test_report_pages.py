"""Every page of a report at the defaults is clean, and every result is described."""

from __future__ import annotations

import json

import pytest

from analysis.runner.notebook_page import page_problems

pytestmark = pytest.mark.notebooks


def test_no_machine_paths_reprs_warnings_or_tracebacks_on_any_page(default_report):
    pages = sorted(default_report.glob("**/*.html"))
    assert len(pages) >= 6                      # index.html and one page per notebook
    problems = {str(p.relative_to(default_report)): page_problems(p.read_text(encoding="utf-8")) for p in pages}
    assert {k: v for k, v in problems.items() if v} == {}


def test_every_page_has_a_collapsed_provenance_footer(default_report):
    for page in sorted(default_report.glob("*/*.html")):
        text = page.read_text(encoding="utf-8")
        assert "<footer class='provenance'" in text and "<details><summary>Provenance" in text, page.name
        assert "'packages': {" not in text                  # not the raw dict


def test_every_result_has_a_unit_and_description(default_report):
    missing = []
    for results in sorted(default_report.glob("*/results.json")):
        data = json.loads(results.read_text())
        about = data.pop("_about", {})
        missing += [f"{results.parent.name}.{key}" for key in data if key not in about]
    assert missing == [], "add these keys to analysis/result_catalog.py"


def test_index_is_a_front_page(default_report):
    index = (default_report / "index.html").read_text(encoding="utf-8")
    assert "Decision summary" in index and "5th-95th percentile" in index
    assert "<figcaption>" in index and "USD per M output tokens" in index


def test_readme_quotes_what_the_notebooks_produce(default_report):
    from analysis import paths
    from analysis.readme import MARK, render

    text = (paths.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert len(MARK.findall(text)) >= 40
    _, changes = render(text, default_report)
    assert changes == [], "run: python -m analysis readme REPORT (a report at the defaults)"
