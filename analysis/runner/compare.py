"""``python -m analysis compare A B``: what changed between two report folders.

A and B are report folders (``reports/<timestamp>``, an ``--out`` folder, a fork's run
and upstream's). The comparison lists every result whose value differs (old, new,
absolute and relative change), the parameters that differ (each notebook's defaults
as it ran, with the run's settings applied) and the data files whose checksums
differ. It is printed and written as ``compare.html`` with the changed notebooks'
figures side by side.
"""

from __future__ import annotations

import ast
import json
import math
import os
from pathlib import Path

from analysis.params import ParameterError, declared_parameters
from analysis.runner.execution import _figure_list

MISSING = object()


def _literal(text):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError):
        return text


def load_report(folder: str | os.PathLike) -> dict:
    """Read a report folder: ``{"folder", "summary", "notebooks": {stem: {results, parameters, figures, ok}}}``.

    Raises
    ------
    ParameterError
        When ``folder`` is not a report folder (no readable ``run.json``).
    """
    from analysis.results import load_results

    root = Path(folder).expanduser()
    if not root.is_dir():
        raise ParameterError(f"{folder}: no such report folder")
    try:
        summary = json.loads((root / "run.json").read_text())
        runs = summary["notebooks"]
    except FileNotFoundError:
        raise ParameterError(f"{folder}: not a report folder (no run.json)") from None
    except (OSError, ValueError, KeyError, TypeError):
        raise ParameterError(f"{folder}: run.json is unreadable") from None
    notebooks = {}
    for run in runs:
        stem = run.get("stem")
        if not stem:
            continue
        nb_folder = root / stem
        notebooks[stem] = {"ok": bool(run.get("ok")), "results": load_results(nb_folder) if nb_folder.is_dir() else {},
                           "parameters": effective_parameters(nb_folder / f"{stem}.ipynb", run.get("parameters") or {}),
                           "figures": _figure_list(nb_folder) if nb_folder.is_dir() else []}
    return {"folder": root.resolve(), "summary": summary, "notebooks": notebooks}


def effective_parameters(executed: Path, chosen: dict) -> dict:
    """Every parameter a notebook ran with: its declared defaults with the run's settings applied."""
    values = {}
    if executed.is_file():
        try:
            values = {name: _literal(info["default"]) for name, info in declared_parameters(executed).items()}
        except Exception:
            values = {}
    values.update(chosen)
    values.pop("output_dir", None)
    return values


def _same(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0) or (a != a and b != b)
    return a == b


def _change(old, new) -> tuple:
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (old, new))
    if not numbers:
        return None, None
    absolute = new - old
    relative = absolute / abs(old) if old else None
    return absolute, relative


def _diff_mappings(a: dict, b: dict):
    for key in sorted(set(a) | set(b)):
        old, new = a.get(key, MISSING), b.get(key, MISSING)
        if old is MISSING or new is MISSING or not _same(old, new):
            yield key, old, new


def compare_reports(a: dict, b: dict) -> dict:
    """The differences between two loaded reports (see :func:`load_report`)."""
    results, parameters = [], []
    for stem in sorted(set(a["notebooks"]) | set(b["notebooks"])):
        left = a["notebooks"].get(stem, {"results": {}, "parameters": {}})
        right = b["notebooks"].get(stem, {"results": {}, "parameters": {}})
        for key, old, new in _diff_mappings(left["results"], right["results"]):
            absolute, relative = _change(old, new) if old is not MISSING and new is not MISSING else (None, None)
            results.append({"notebook": stem, "key": key, "old": old, "new": new, "absolute": absolute,
                            "relative": relative})
        for key, old, new in _diff_mappings(left["parameters"], right["parameters"]):
            parameters.append({"notebook": stem, "key": key, "old": old, "new": new})
    data_a, data_b = a["summary"].get("data_sha256"), b["summary"].get("data_sha256")
    data = []
    if data_a is not None and data_b is not None:
        data = [{"file": name, "old": old, "new": new} for name, old, new in _diff_mappings(data_a, data_b)]
    changed = sorted({r["notebook"] for r in results} | {p["notebook"] for p in parameters})
    return {"results": results, "parameters": parameters, "data": data, "changed_notebooks": changed,
            "data_recorded": data_a is not None and data_b is not None}


def show(value) -> str:
    """A value in the comparison: 6 significant digits; "absent" when one report lacks it."""
    if value is MISSING:
        return "absent"
    if value is None:
        return "null"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def _pct(value) -> str:
    return "" if value is None else f"{value:+.2%}"


def print_comparison(a: dict, b: dict, diff: dict) -> None:
    """Print the comparison as plain-text tables."""
    print(f"A: {a['folder']}\nB: {b['folder']}")
    print(f"\nresults that differ: {len(diff['results'])}")
    for r in diff["results"]:
        change = "" if r["absolute"] is None else f"  {r['absolute']:+.6g} ({_pct(r['relative']) or 'from 0'})"
        print(f"  {r['notebook']}.{r['key']}: {show(r['old'])} -> {show(r['new'])}{change}")
    print(f"\nparameters that differ: {len(diff['parameters'])}")
    for p in diff["parameters"]:
        print(f"  {p['notebook']}.{p['key']}: {show(p['old'])} -> {show(p['new'])}")
    if diff["data_recorded"]:
        print(f"\ndata files that differ: {len(diff['data'])}")
        for d in diff["data"]:
            print(f"  {d['file']}: {show(d['old'])[:12]} -> {show(d['new'])[:12]}")
    else:
        print("\ndata files: checksums not recorded in one of the reports' run.json")


def write_compare_page(a: dict, b: dict, diff: dict, target: Path) -> Path:
    """Write ``compare.html``: the tables and the changed notebooks' figures side by side."""
    from analysis.index_page import caption, render_template

    def rel(folder: Path, stem: str, fig: str) -> str:
        return Path(os.path.relpath(folder / stem / fig, target.parent)).as_posix()

    figures = []
    for stem in diff["changed_notebooks"]:
        names = sorted(set(a["notebooks"].get(stem, {}).get("figures", [])) |
                       set(b["notebooks"].get(stem, {}).get("figures", [])))
        for fig in names:
            figures.append({"notebook": stem, "caption": caption(fig),
                            "a": rel(a["folder"], stem, fig) if fig in a["notebooks"].get(stem, {}).get("figures", [])
                            else None,
                            "b": rel(b["folder"], stem, fig) if fig in b["notebooks"].get(stem, {}).get("figures", [])
                            else None})
    rows = [{**r, "old": show(r["old"]), "new": show(r["new"]),
             "absolute": "" if r["absolute"] is None else f"{r['absolute']:+.6g}", "relative": _pct(r["relative"])}
            for r in diff["results"]]
    params = [{**p, "old": show(p["old"]), "new": show(p["new"])} for p in diff["parameters"]]
    data = [{**d, "old": show(d["old"])[:16], "new": show(d["new"])[:16]} for d in diff["data"]]
    page = render_template("compare.html.j2", a=str(a["folder"].name), b=str(b["folder"].name), results=rows,
                           parameters=params, data=data, data_recorded=diff["data_recorded"], figures=figures)
    target.write_text(page, encoding="utf-8")
    return target


def compare(first: str, second: str, out: str | None = None) -> int:
    """Compare report folders ``first`` (A) and ``second`` (B); print and write ``compare.html``.

    Parameters
    ----------
    first, second : str
        Report folders.
    out : str, optional
        Where to write the page (default ``<B>/compare.html``).

    Returns
    -------
    int
        0 when the reports could be compared (whether or not they differ).
    """
    a, b = load_report(first), load_report(second)
    diff = compare_reports(a, b)
    target = Path(out).expanduser().resolve() if out else b["folder"] / "compare.html"
    if not target.parent.is_dir():
        raise ParameterError(f"--out {out}: folder {target.parent} does not exist")
    print_comparison(a, b, diff)
    write_compare_page(a, b, diff, target)
    print(f"\ncompare: {target}")
    return 0
