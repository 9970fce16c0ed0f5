"""``python -m analysis compare A B``: what changed between two report folders.

A and B are report folders (``reports/<timestamp>``, an ``--out`` folder, a fork's run
and upstream's). Only the notebooks both ran are compared (one line names those only one
side ran). The comparison opens with a summary: what was changed (parameters, each
notebook's defaults as it ran with the run's settings applied; data files, with the
lines that changed) and what it moved (the decision summary's findings first, old ->
new with the change, then the other results). Each result's kind comes from the result
catalog (:func:`analysis.result_catalog.kind`): years and dates change by absolute
differences, and durations and run metadata are left out. It is printed and written as
``compare.html`` with the changed notebooks' figures side by side.
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import json
import math
import os
import sys
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



#: Kinds of result left out of a comparison (how long a step took, facts about the run itself).
LEFT_OUT_KINDS = ("duration", "metadata")
#: Kinds whose relative change means nothing: they change by absolute differences.
ABSOLUTE_KINDS = ("year", "date")


def data_row_digests(folder: Path | None = None) -> dict[str, list[str]]:
    """``{file: [8-hex digest of each line]}`` of every CSV in the data folder (header included).

    Recorded in a report's ``run.json`` so that :func:`compare_reports` can say which lines
    of a data file changed between two reports without either report holding the data.
    """
    from analysis import paths

    folder = folder or paths.data_dir()
    return {p.name: [hashlib.sha256(line).hexdigest()[:8] for line in p.read_bytes().splitlines()]
            for p in sorted(folder.glob("*.csv"))}


def _same(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0) or (a != a and b != b)
    return a == b


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _change(old, new, kind: str = "quantity") -> tuple:
    """``(absolute, relative)`` change; relative is None for years and dates, from 0, or for non-numbers."""
    if not (_number(old) and _number(new)):
        return None, None
    absolute = new - old
    relative = absolute / abs(old) if old and kind not in ABSOLUTE_KINDS else None
    return absolute, relative


def _diff_mappings(a: dict, b: dict):
    for key in sorted(set(a) | set(b)):
        old, new = a.get(key, MISSING), b.get(key, MISSING)
        if old is MISSING or new is MISSING or not _same(old, new):
            yield key, old, new


def _line_ranges(numbers: list[int]) -> str:
    """``[2, 3, 4, 9]`` -> ``"lines 2-4, 9"``."""
    spans, start = [], None
    for i, n in enumerate(numbers):
        if start is None:
            start = n
        if i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            spans.append(f"{start}-{n}" if n != start else str(n))
            start = None
    return ("line " if len(numbers) == 1 else "lines ") + ", ".join(spans)


def changed_lines(old: list[str], new: list[str]) -> dict:
    """Which lines of a data file changed, from the line digests of two reports.

    Returns ``{"changed": [...], "added": [...], "removed": [...], "text": "..."}``; line
    numbers count the header as line 1, changed and added ones in B, removed ones in A.
    """
    changed, added, removed = [], [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "replace":
            pairs = min(i2 - i1, j2 - j1)
            changed += range(j1 + 1, j1 + pairs + 1)
            added += range(j1 + pairs + 1, j2 + 1)
            removed += range(i1 + pairs + 1, i2 + 1)
        elif tag == "insert":
            added += range(j1 + 1, j2 + 1)
        elif tag == "delete":
            removed += range(i1 + 1, i2 + 1)
    parts = [f"{_line_ranges(v)} {label}" for v, label in ((changed, "changed"), (added, "added in B"),
                                                            (removed, "removed (lines of A)")) if v]
    return {"changed": changed, "added": added, "removed": removed, "text": "; ".join(parts) or "same lines"}


def _finding_rows(a: dict, b: dict, compared: list[str]) -> tuple[list[dict], int]:
    """The decision summary's findings that moved (old -> new, change) and how many were compared."""
    from analysis.index_page import DECISION_SUMMARY, _format
    from analysis.result_catalog import kind

    rows, seen = [], 0
    for finding in DECISION_SUMMARY:
        if finding.stem not in compared:
            continue
        old = a["notebooks"][finding.stem]["results"].get(finding.key, MISSING)
        new = b["notebooks"][finding.stem]["results"].get(finding.key, MISSING)
        if old is MISSING and new is MISSING:
            continue
        seen += 1
        if old is not MISSING and new is not MISSING and _same(old, new):
            continue
        what = kind(finding.key, finding.stem, old if old is not MISSING else new)
        absolute, relative = _change(old, new, what)

        def text(value):
            if value is MISSING:
                return "absent"
            return finding.when_null if value is None else _format(finding.fmt, value)

        change = ""
        if absolute is not None:
            change = _format_change(absolute, what, finding.fmt)
            if relative is not None:
                change += f" ({relative:+.1%})"
        rows.append({"label": finding.label, "notebook": finding.stem, "key": finding.key, "old": text(old),
                     "new": text(new), "change": change})
    return rows, seen


def _format_change(absolute: float, kind: str, fmt: str = "") -> str:
    """A change as the finding writes its value (``+$42B``), a year's as ``+0.28 years``."""
    from analysis.index_page import _format

    if kind == "year":
        return f"{absolute:+.2f} years"
    if fmt and "$" in fmt or (fmt and "%" in fmt and kind == "share"):
        if "%" in fmt:
            return f"{absolute * 100:+.1f} percentage points"
        text = _format(fmt, abs(absolute))
        return ("-" if absolute < 0 else "+") + text.split(" ")[0]
    return f"{absolute:+.6g}"


def compare_reports(a: dict, b: dict) -> dict:
    """The differences between two loaded reports (see :func:`load_report`), notebooks both ran only.

    Returns
    -------
    dict
        ``compared``, ``only_a``, ``only_b`` (notebook stems); ``findings`` (decision-summary
        rows that moved) and ``findings_compared``; ``results`` (every other result that
        differs, with ``kind``, ``absolute`` and ``relative`` change); ``left_out`` (results
        of a left-out kind that differ); ``parameters``; ``data`` (files whose checksums
        differ, with ``lines`` when both reports recorded line digests); ``data_recorded``;
        ``changed_notebooks``.
    """
    from analysis.result_catalog import kind

    compared = sorted(set(a["notebooks"]) & set(b["notebooks"]))
    only_a = sorted(set(a["notebooks"]) - set(b["notebooks"]))
    only_b = sorted(set(b["notebooks"]) - set(a["notebooks"]))
    findings, findings_compared = _finding_rows(a, b, compared)
    headline = {(f["notebook"], f["key"]) for f in findings}
    results, parameters, left_out = [], [], []
    for stem in compared:
        left, right = a["notebooks"][stem], b["notebooks"][stem]
        for key, old, new in _diff_mappings(left["results"], right["results"]):
            what = kind(key, stem, old if old is not MISSING else new)
            absolute, relative = _change(old, new, what) if MISSING not in (old, new) else (None, None)
            row = {"notebook": stem, "key": key, "old": old, "new": new, "kind": what, "absolute": absolute,
                   "relative": relative, "headline": (stem, key) in headline}
            (left_out if what in LEFT_OUT_KINDS else results).append(row)
        for key, old, new in _diff_mappings(left["parameters"], right["parameters"]):
            parameters.append({"notebook": stem, "key": key, "old": old, "new": new})
    summary_a, summary_b = a["summary"], b["summary"]
    data_a, data_b = summary_a.get("data_sha256"), summary_b.get("data_sha256")
    data = []
    if data_a is not None and data_b is not None:
        rows_a, rows_b = summary_a.get("data_rows") or {}, summary_b.get("data_rows") or {}
        for name, old, new in _diff_mappings(data_a, data_b):
            entry = {"file": name, "old": old, "new": new, "lines": ""}
            if old is MISSING or new is MISSING:
                entry["lines"] = "only in A" if new is MISSING else "only in B"
            elif name in rows_a and name in rows_b:
                entry["lines"] = changed_lines(rows_a[name], rows_b[name])["text"]
            data.append(entry)
    results.sort(key=lambda r: (not r["headline"], r["notebook"], r["key"]))
    changed = sorted({r["notebook"] for r in results} | {p["notebook"] for p in parameters})
    return {"compared": compared, "only_a": only_a, "only_b": only_b, "findings": findings,
            "findings_compared": findings_compared, "results": results, "left_out": left_out,
            "parameters": parameters, "data": data, "changed_notebooks": changed,
            "data_recorded": data_a is not None and data_b is not None}


def show(value, kind: str = "") -> str:
    """A value in the comparison: 6 significant digits (years to 2 decimals); "absent" when one report lacks it."""
    if value is MISSING:
        return "absent"
    if value is None:
        return "null"
    if isinstance(value, float):
        return f"{value:.2f}" if kind == "year" else f"{value:.6g}"
    if isinstance(value, (list, dict)):
        return json.dumps(_rounded(value))
    return str(value)


def _rounded(value):
    """Floats inside lists and mappings to 4 significant digits (a year-by-year path stays one short line)."""
    if isinstance(value, float):
        return float(f"{value:.4g}")
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def _pct(value) -> str:
    return "" if value is None else f"{value:+.2%}"


def change_text(row: dict) -> str:
    """The change of one result row: ``+5 (+125.00%)``, ``-0.28 years``, ``+3 (from 0)``; "" for non-numbers."""
    if row["absolute"] is None:
        return ""
    if row["kind"] in ABSOLUTE_KINDS:
        return f"{row['absolute']:+.2f} years" if row["kind"] == "year" else f"{row['absolute']:+.6g}"
    return f"{row['absolute']:+.6g} ({_pct(row['relative']) or 'from 0'})"


def _only_line(diff: dict) -> str:
    parts = []
    if diff["only_a"]:
        parts.append(f"only in A (not compared): {', '.join(diff['only_a'])}")
    if diff["only_b"]:
        parts.append(f"only in B (not compared): {', '.join(diff['only_b'])}")
    return "; ".join(parts)


def comparison_lines(a: dict, b: dict, diff: dict) -> list[str]:
    """The comparison as plain text: summary (what was changed, what it moved), then the details."""
    lines = [f"A: {a['folder']}", f"B: {b['folder']}",
             f"compared: {', '.join(diff['compared']) or 'no notebook ran in both'}"]
    if _only_line(diff):
        lines.append(_only_line(diff))
    lines += ["", "WHAT WAS CHANGED", f"parameters that differ: {len(diff['parameters'])}"]
    lines += [f"  {p['notebook']}.{p['key']}: {show(p['old'])} -> {show(p['new'])}" for p in diff["parameters"]]
    if diff["data_recorded"]:
        lines.append(f"data files that differ: {len(diff['data'])}")
        lines += [f"  {d['file']}: {d['lines'] or show(d['old'])[:12] + ' -> ' + show(d['new'])[:12]}"
                  for d in diff["data"]]
    else:
        lines.append("data files: checksums not recorded in one of the reports' run.json")
    lines += ["", "WHAT IT MOVED",
              f"decision summary: {len(diff['findings'])} of {diff['findings_compared']} findings moved"]
    lines += [f"  {f['label']}: {f['old']} -> {f['new']}" + (f"  {f['change']}" if f["change"] else "")
              for f in diff["findings"]]
    lines += ["", f"results that differ: {len(diff['results'])}"]
    lines += [f"  {r['notebook']}.{r['key']}: {show(r['old'], r['kind'])} -> {show(r['new'], r['kind'])}"
              + (f"  {change_text(r)}" if change_text(r) else "") for r in diff["results"]]
    if diff["left_out"]:
        lines.append(f"left out: {len(diff['left_out'])} results that time the run or describe it "
                     f"({', '.join(r['notebook'] + '.' + r['key'] for r in diff['left_out'])})")
    return lines


def print_comparison(a: dict, b: dict, diff: dict) -> None:
    """Print the comparison (see :func:`comparison_lines`)."""
    print("\n".join(comparison_lines(a, b, diff)))


def write_compare_page(a: dict, b: dict, diff: dict, target: Path) -> Path:
    """Write ``compare.html``: the summary, the tables and the changed notebooks' figures side by side."""
    from analysis.index_page import caption, render_template

    def rel(folder: Path, stem: str, fig: str) -> str:
        return Path(os.path.relpath(folder / stem / fig, target.parent)).as_posix()

    moved_first = sorted(diff["changed_notebooks"],
                         key=lambda s: (s not in {f["notebook"] for f in diff["findings"]}, s))
    figures = []
    for stem in moved_first:
        in_a, in_b = a["notebooks"][stem]["figures"], b["notebooks"][stem]["figures"]
        for fig in sorted(set(in_a) | set(in_b)):
            figures.append({"notebook": stem, "caption": caption(fig, stem),
                            "a": rel(a["folder"], stem, fig) if fig in in_a else None,
                            "b": rel(b["folder"], stem, fig) if fig in in_b else None})
    rows = [{**r, "old": show(r["old"], r["kind"]), "new": show(r["new"], r["kind"]), "change": change_text(r)}
            for r in diff["results"]]
    params = [{**p, "old": show(p["old"]), "new": show(p["new"])} for p in diff["parameters"]]
    data = [{**d, "old": show(d["old"])[:16], "new": show(d["new"])[:16]} for d in diff["data"]]
    page = render_template("compare.html.j2", a=str(a["folder"].name), b=str(b["folder"].name), results=rows,
                           parameters=params, data=data, data_recorded=diff["data_recorded"], figures=figures,
                           findings=diff["findings"], findings_compared=diff["findings_compared"],
                           compared=diff["compared"], only=_only_line(diff),
                           left_out=[f"{r['notebook']}.{r['key']}" for r in diff["left_out"]])
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
        0 when the reports could be compared (whether or not they differ), also when the
        output goes to a pipe that closes early (``compare A B | head``).
    """
    a, b = load_report(first), load_report(second)
    diff = compare_reports(a, b)
    target = Path(out).expanduser().resolve() if out else b["folder"] / "compare.html"
    if not target.parent.is_dir():
        raise ParameterError(f"--out {out}: folder {target.parent} does not exist")
    write_compare_page(a, b, diff, target)
    try:
        print_comparison(a, b, diff)
        print(f"\ncompare: {target}")
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader (head, less) has gone: what it did not read is not an error; stop writing to the pipe
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return 0
