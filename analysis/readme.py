"""The README's findings, bound to ``results.json``: ``python -m analysis readme [REPORT]``.

Every number the README quotes from a notebook is marked where it stands::

    median error <!--r 03_chip_throughput.median_abs_error_max_load .0% -->6%<!--/r-->

(the markers are HTML comments, invisible on GitHub). ``python -m analysis readme``
rewrites each marked number from a report's results (default ``reports/latest``);
``python -m analysis readme --check`` lists the numbers that differ and exits 1, and
a test runs the check against a report at the defaults, so the README cannot drift
from what the notebooks produce.

The format is Python's format specification, with exponents written ``1.9e17``.
"""

from __future__ import annotations

import re
from pathlib import Path

from analysis import paths
from analysis.params import ParameterError

MARK = re.compile(r"<!--r (?P<stem>[0-9]{2}_[a-z0-9_]+)\.(?P<key>[A-Za-z0-9_]+) (?P<spec>[^ ]*) -->"
                  r"(?P<text>.*?)<!--/r-->", flags=re.S)


def format_value(value, spec: str) -> str:
    """``value`` in ``spec`` (Python's format specification); exponents as ``1.9e17``."""
    text = format(value, spec)
    return re.sub(r"e\+?(-?)0*(\d)", r"e\1\2", text) if "e" in spec else text


def _results(report: Path) -> dict[str, dict]:
    from analysis.results import load_results

    if not (report / "run.json").is_file():
        raise ParameterError(f"{report}: not a report folder (no run.json)")
    return {p.name: load_results(p) for p in sorted(report.iterdir()) if (p / "results.json").is_file()}


def render(text: str, report: Path) -> tuple[str, list[str]]:
    """Rewrite every marked number of ``text`` from ``report``; return the new text and what changed."""
    results = _results(Path(report))
    changes = []

    def replace(match: re.Match) -> str:
        stem, key, spec, old = match["stem"], match["key"], match["spec"], match["text"]
        if key not in results.get(stem, {}):
            raise ParameterError(f"README marks {stem}.{key}, which {report} does not have")
        value = results[stem][key]
        new = "n/a" if value is None else format_value(value, spec)
        if new != old:
            changes.append(f"{stem}.{key}: README says {old}, the report gives {new}")
        return match.group(0).replace(f"-->{old}<!--/r-->", f"-->{new}<!--/r-->")

    return MARK.sub(replace, text), changes


def readme(report: str | None = None, check: bool = False, path: Path | None = None) -> int:
    """Rewrite (or with ``check``, compare) the README's marked numbers from a report; exit code."""
    import sys

    folder = Path(report).expanduser() if report else paths.reports_dir() / "latest"
    target = path or paths.PROJECT_ROOT / "README.md"
    text = target.read_text(encoding="utf-8")
    new, changes = render(text, folder.resolve())
    for line in changes:
        print(line, file=sys.stderr if check else sys.stdout)
    if check:
        print(f"README: {len(MARK.findall(text))} marked numbers, {len(changes)} differ from {folder}")
        return 1 if changes else 0
    if new != text:
        target.write_text(new, encoding="utf-8")
    print(f"README: {len(changes)} numbers rewritten from {folder}")
    return 0
