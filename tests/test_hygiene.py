"""Notebook hygiene (JSON only) of what git stores: stripped outputs, one literal-only parameters cell, python3 kernel.

The checks read the notebooks as committed (git's index, which is HEAD in CI), not the
working copy: a notebook run and saved in the Lab has outputs on disk, and the git
filter (``analysis/nbfilter.py``) strips them on the way into git.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess

import papermill
import pytest

from analysis import nbfilter
from conftest import GIT_FILTER_ENV, PROJECT

RELATIVE_PATH = re.compile(r"""["'](\.\.?/|data/|notebooks/|reports/)""")


def _git(*args: str, cwd=PROJECT, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=str(cwd), capture_output=True, text=True, encoding="utf-8",
                          check=check)


def committed_notebooks() -> dict[str, str]:
    """``{path relative to the project: text}`` of every notebook git stores under ``notebooks/``.

    Outside a git checkout (an unpacked archive) the working copy stands in.
    """
    inside = _git("rev-parse", "--is-inside-work-tree", check=False)
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        return {str(p.relative_to(PROJECT)): p.read_text(encoding="utf-8")
                for p in sorted((PROJECT / "notebooks").glob("*.ipynb"))}
    listed = _git("ls-files", "-z", "--", "notebooks").stdout.split("\0")
    return {path: _git("show", f":{path}").stdout for path in sorted(listed) if path.endswith(".ipynb")}


COMMITTED = committed_notebooks()


def test_there_are_notebooks():
    assert COMMITTED


@pytest.mark.parametrize("name", sorted(COMMITTED), ids=lambda p: p.rsplit("/", 1)[-1][:-6])
def test_notebook_hygiene(name, tmp_path):
    assert re.fullmatch(r"notebooks/\d\d_[a-z0-9_]+\.ipynb", name), "name notebooks NN_snake_case.ipynb"
    path = tmp_path / name.rsplit("/", 1)[-1]
    path.write_text(COMMITTED[name], encoding="utf-8")
    nb = json.loads(COMMITTED[name])
    assert nbfilter.clean(COMMITTED[name]) == COMMITTED[name], "committed as the git filter writes it"
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

    from analysis.runner import discover_notebooks

    grids = sorted((paths.notebooks_dir() / "sweeps").glob("*.yaml"))
    assert grids
    for grid in grids:
        stem = grid.stem[:2]
        notebook = next(p for s, p in discover_notebooks().items() if s.startswith(stem))   # not a scratch copy
        declared = papermill.inspect_notebook(str(notebook))
        assert set(yaml.safe_load(grid.read_text())) <= set(declared), grid.name


def _lab_saved(text: str) -> str:
    """What JupyterLab writes after Run All and save: outputs, counts, timing, widget state, kernel details."""
    nb = json.loads(text)
    nb["metadata"]["kernelspec"]["display_name"] = "Python 3 (ipykernel)"
    nb["metadata"]["language_info"] = {"codemirror_mode": {"name": "ipython", "version": 3}, "name": "python",
                                       "version": "3.11.2", "mimetype": "text/x-python"}
    nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    for n, cell in enumerate(nb["cells"]):
        cell["metadata"]["scrolled"] = True
        if cell["cell_type"] == "code":
            cell["execution_count"] = n
            cell["metadata"]["execution"] = {"iopub.status.idle": "2026-01-01T00:00:00Z"}
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["PosixPath('/x')\n"]},
                               {"output_type": "display_data", "metadata": {},
                                "data": {"image/png": "iVBORw0KGgo=", "text/plain": ["<Figure>"]}}]
    return json.dumps(nb, indent=2) + "\n"


@pytest.mark.parametrize("name", sorted(COMMITTED), ids=lambda p: p.rsplit("/", 1)[-1][:-6])
def test_filter_turns_a_lab_saved_notebook_back_into_the_committed_one(name):
    assert nbfilter.clean(_lab_saved(COMMITTED[name])) == COMMITTED[name]


def test_filter_passes_other_text_through():
    assert nbfilter.clean("not json") == "not json"
    assert nbfilter.clean('{"a": 1}') == '{"a": 1}'


def test_gitattributes_name_the_filter():
    assert f"*.ipynb filter={nbfilter.FILTER_NAME}" in (PROJECT / ".gitattributes").read_text().splitlines()
    assert "nbfilter --install" in (PROJECT / "Makefile").read_text()


def test_git_status_stays_clean_after_a_notebook_is_run_and_saved(tmp_path, monkeypatch):
    """In a scratch repository with the filter configured as ``make`` does, a saved run is no change."""
    name = sorted(COMMITTED)[0]
    repo = tmp_path / "repo"
    (repo / "notebooks").mkdir(parents=True)
    (repo / ".gitattributes").write_text((PROJECT / ".gitattributes").read_text())
    (repo / name).write_text(COMMITTED[name], encoding="utf-8")
    for key, value in {**GIT_FILTER_ENV, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}.items():
        monkeypatch.setenv(key, value)    # for git() below and for refresh_index, which runs git itself
    env = dict(os.environ)
    config = ["-c", "user.name=test", "-c", "user.email=test@example.org"]

    def git(*args):
        return subprocess.run(["git", *config, *args], cwd=str(repo), capture_output=True, text=True, env=env,
                              check=True).stdout
    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "notebook")
    (repo / name).write_text(_lab_saved(COMMITTED[name]), encoding="utf-8")
    assert git("diff", "--stat") == ""              # the filter strips what the run added
    assert nbfilter.refresh_index(str(repo / name))    # what the Lab's post-save hook does
    assert git("status", "--porcelain") == ""
    assert git("diff", "--cached", "--stat") == ""      # nothing staged
    (repo / name).write_text(COMMITTED[name].replace("Epoch", "EPOCH", 1), encoding="utf-8")
    assert git("status", "--porcelain").strip() == f"M {name}"   # a real edit still shows
    (repo / "notebooks" / "Untitled.ipynb").write_text(_lab_saved(COMMITTED[name]), encoding="utf-8")
    assert not nbfilter.refresh_index(str(repo / "notebooks" / "Untitled.ipynb"))
    assert "?? notebooks/Untitled.ipynb" in git("status", "--porcelain")
