"""Notebook hygiene (JSON only): stripped outputs, one literal-only parameters cell, python3 kernel."""

from __future__ import annotations

import ast
import json
import re

import papermill
import pytest

from analysis.run import discover_notebooks

NOTEBOOKS = sorted(discover_notebooks().values())
RELATIVE_PATH = re.compile(r"""["'](\.\.?/|data/|notebooks/|reports/)""")


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_hygiene(path):
    assert re.fullmatch(r"\d\d_[a-z0-9_]+", path.stem), "name notebooks NN_snake_case"
    nb = json.loads(path.read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert "papermill" not in nb["metadata"]
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    for cell in code:
        assert cell.get("outputs") == [] and cell.get("execution_count") is None, "strip outputs"
        assert "injected-parameters" not in cell.get("metadata", {}).get("tags", [])
        source = "".join(cell["source"])
        assert not RELATIVE_PATH.search(source), f"relative path in: {source[:80]}"
        assert "os.chdir" not in source
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "exactly one parameters cell"
    tree = ast.parse("".join(tagged[0]["source"]))
    names = []
    for node in tree.body:
        assert isinstance(node, (ast.AnnAssign, ast.Assign)), "parameters cell holds assignments only"
        target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
        assert isinstance(node, ast.AnnAssign), f"{target.id}: annotate the type (name: type = literal  # help)"
        ast.literal_eval(node.value)  # raises unless a literal
        names.append(target.id)
    declared = papermill.inspect_notebook(str(path))
    assert list(declared) == names, "papermill must parse every parameter (no '=' in help comments)"
    assert "output_dir" in declared
    for name, info in declared.items():
        assert info["help"], f"{name}: add a '# help' comment"


def test_sweep_grids_name_declared_parameters():
    import yaml

    from analysis import paths

    grids = sorted((paths.notebooks_dir() / "sweeps").glob("*.yaml"))
    assert grids
    for grid in grids:
        stem = grid.stem[:2]
        notebook = next(p for p in NOTEBOOKS if p.stem.startswith(stem))
        declared = papermill.inspect_notebook(str(notebook))
        assert set(yaml.safe_load(grid.read_text())) <= set(declared), grid.name
