"""results.json records the notebook that saved it, whatever its output folder is called."""

from __future__ import annotations

import json

from analysis import result_catalog, results


def test_save_results_uses_the_notebook_given_to_output_dir(tmp_path, monkeypatch):
    monkeypatch.setitem(result_catalog.CATALOG, "07_example.answer", ("count", "what notebook 07 means by answer"))
    monkeypatch.setitem(result_catalog.CATALOG, "answer", ("USD", "what other notebooks mean by answer"))
    sweep_folder = results.output_dir(str(tmp_path / "3f9c2a1b"), "07_example")      # a sweep run's folder name
    results.save_results({"answer": 42}, sweep_folder)
    about = json.loads((sweep_folder / "results.json").read_text())["_about"]
    assert about["answer"]["description"] == "what notebook 07 means by answer"


def test_save_results_takes_an_explicit_notebook_name(tmp_path, monkeypatch):
    monkeypatch.setitem(result_catalog.CATALOG, "07_example.answer", ("count", "what notebook 07 means by answer"))
    monkeypatch.setitem(result_catalog.CATALOG, "answer", ("USD", "what other notebooks mean by answer"))
    folder = tmp_path / "out"
    results.save_results({"answer": 42}, folder)
    assert results.load_about(folder)["answer"]["unit"] == "USD"
    results.save_results({"answer": 42}, folder, notebook="07_example")
    assert results.load_about(folder)["answer"]["unit"] == "count"
