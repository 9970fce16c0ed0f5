"""environment.yml and pyproject.toml must list the same runtime dependencies."""

from __future__ import annotations

import re
import tomllib

import yaml

from conftest import PROJECT

CONDA_ONLY = {"python", "pip"}


def normalise(requirement: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement)
    return match.group(1).lower().replace("_", "-"), match.group(2).replace(" ", "")


def test_environment_matches_pyproject():
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]
    pip_deps = dict(normalise(r) for r in project["dependencies"])
    pip_deps.update(normalise(r) for r in project["optional-dependencies"]["test"])
    env = yaml.safe_load((PROJECT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    conda_deps = {name: spec for name, spec in map(normalise, conda) if name not in CONDA_ONLY}
    assert conda_deps == pip_deps
    pip_section = [d for d in env["dependencies"] if isinstance(d, dict)]
    assert pip_section == [{"pip": ["-e ."]}]


def test_ci_calls_the_readme_test_command():
    assert "make test" in (PROJECT / ".ci" / "run").read_text()
    readme = (PROJECT / "README.md").read_text()
    assert readme.index("make report") < readme.index("make test")
