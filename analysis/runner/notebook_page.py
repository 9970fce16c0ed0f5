"""A notebook's report page: the executed notebook as HTML, cleaned for a reader.

What the executed ``.ipynb`` keeps in full, the page shows briefly:

* the provenance record of :func:`analysis.provenance.run_info` becomes a collapsed
  footer (commit, Python, packages, data checksums);
* warnings written to stderr are left out (the footer counts them; they stay in the
  executed notebook);
* an error shows as one line (``Name: message``), not a traceback;
* absolute paths of the machine that ran it (the build folder, the project, the home
  folder) are removed from text outputs.

:func:`page_problems` finds what must not appear on a page; tests run it on every
page of a report.
"""

from __future__ import annotations

import html
import os
import re
from html.parser import HTMLParser
from pathlib import Path

from analysis import paths
from analysis.provenance import RUN_INFO_MIMETYPE

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
TEXT_TYPES = ("text/plain", "text/html", "text/markdown")

#: (pattern, what it is) of text a reader must not see on a page.
PAGE_PROBLEMS = [
    (re.compile(r"\b(?:Posix|Windows)Path\("), "a path object's repr"),
    (re.compile(r"\bnp\.(?:float|int|uint|bool|str)_?\d*\("), "a NumPy scalar repr"),
    (re.compile(r"<[A-Za-z_][\w.]* object at 0x[0-9a-f]+>"), "an object repr"),
    (re.compile(r"Traceback \(most recent call last\)"), "a traceback"),
    (re.compile(r"\b[A-Z][A-Za-z]*Warning: "), "a warning"),
    (re.compile(r"\.building-"), "a build folder"),
    (re.compile(r"(?<![\w.])/(?:tmp|home|root|Users|work|private|var/folders)/[\w.\-]+"), "a machine path"),
]


def _scrub(text: str, replacements: list[tuple[str, str]]) -> str:
    for old, new in replacements:
        text = text.replace(old, new)
    return text


def _replacements(folder: Path) -> list[tuple[str, str]]:
    """Absolute paths to strip from a page, longest first: run folder, project, home."""
    pairs = [(str(folder) + os.sep, ""), (str(folder), "."), (str(paths.PROJECT_ROOT) + os.sep, ""),
             (str(paths.PROJECT_ROOT), "."), (str(Path.home()) + os.sep, "~/")]
    return sorted({p for p in pairs if len(p[0]) > 2}, key=lambda p: -len(p[0]))


def clean_for_page(nb, folder: Path) -> tuple[object, str]:
    """Clean an executed notebook (an ``nbformat`` node, changed in place) for its page.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook.
    folder : pathlib.Path
        The run's output folder (its absolute path is removed from outputs).

    Returns
    -------
    tuple
        ``(nb, footer)``: the cleaned notebook and the footer's HTML.
    """
    replacements = _replacements(Path(folder))
    records, warnings = [], 0
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            if kind == "stream":
                if output.get("name") == "stderr":
                    warnings += 1
                    continue
                output["text"] = _scrub(ANSI.sub("", output.get("text", "")), replacements)
            elif kind == "error":
                output["traceback"] = [f"{output.get('ename', 'Error')}: {ANSI.sub('', output.get('evalue', ''))}"]
            elif kind in ("display_data", "execute_result"):
                data = output.get("data", {})
                if RUN_INFO_MIMETYPE in data:
                    records.append(data[RUN_INFO_MIMETYPE])
                    continue
                for mime in TEXT_TYPES:
                    if mime in data:
                        value = data[mime]
                        value = "".join(value) if isinstance(value, list) else value
                        data[mime] = _scrub(value, replacements)
            kept.append(output)
        cell["outputs"] = kept
    return nb, footer_html(records[-1] if records else None, warnings)


def footer_html(record: dict | None, warnings: int = 0) -> str:
    """The collapsed provenance footer of a page."""
    if record is None and not warnings:
        return ""
    parts = ["<footer class='provenance' style='margin:2rem 0 1rem;font-size:.85rem;color:#555'>"]
    if record is not None:
        commit = record.get("git_commit") or "unknown"
        packages = ", ".join(f"{k} {v}" for k, v in (record.get("packages") or {}).items() if v)
        data = record.get("data_sha256") or {}
        parts.append(f"<details><summary>Provenance: commit <code>{html.escape(str(commit))}</code>, "
                     f"Python {html.escape(str(record.get('python')))}, {len(data)} data files</summary>")
        parts.append(f"<p>Packages: {html.escape(packages)}.</p><table>")
        parts.extend(f"<tr><td><code>{html.escape(name)}</code></td><td><code>{html.escape(str(digest)[:16])}"
                     f"</code></td></tr>" for name, digest in data.items())
        parts.append("</table>")
        cached = record.get("cached_results") or []
        if cached:
            parts.append("<p>Fitted results: " + "; ".join(
                f"{html.escape(e['name'])} {'reused from the cache' if e.get('reused') else 'computed in this run'}"
                + (f" (key <code>{html.escape(str(e['key']))}</code>, computed {html.escape(str(e['computed_at']))})"
                   if e.get("key") else " (cache off)") for e in cached) + ".</p>")
        parts.append("</details>")
    if warnings:
        parts.append(f"<p>{warnings} output{'s' if warnings != 1 else ''} written to stderr (warnings) left out of "
                     "this page; they are in the executed notebook.</p>")
    parts.append("</footer>")
    return "".join(parts)


def render_page(executed: Path, target: Path) -> None:
    """Render an executed notebook to a standalone, cleaned HTML page with code cells hidden."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(executed), as_version=4)
    nb, footer = clean_for_page(nb, executed.parent)
    exporter = HTMLExporter(exclude_input=True, exclude_output_prompt=True, exclude_input_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    if footer:
        at = body.rfind("</body>")
        body = body[:at] + footer + body[at:] if at >= 0 else body + footer
    target.write_text(body, encoding="utf-8")


class _Text(HTMLParser):
    """The visible text of a page (scripts and styles skipped)."""

    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def visible_text(page: str) -> str:
    """The text a reader sees on an HTML page."""
    parser = _Text()
    parser.feed(page)
    return "\n".join(parser.text)


def page_problems(page: str) -> list[str]:
    """What must not appear on a report page, one line per finding (empty when clean).

    Looks at the visible text only: machine paths, object and NumPy reprs, warnings and
    tracebacks.
    """
    text = visible_text(page)
    found = []
    for pattern, what in PAGE_PROBLEMS:
        for match in pattern.finditer(text):
            start = max(0, match.start() - 40)
            found.append(f"{what}: ...{' '.join(text[start:match.end() + 40].split())}...")
    return found

