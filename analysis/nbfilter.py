"""A git "clean" filter for notebooks: outputs never reach git, whatever the Lab saved.

Git runs ``python -m analysis.nbfilter`` on every ``*.ipynb`` it reads from the
working tree (``git add``, ``git status``, ``git diff``), feeding the file on stdin
and storing what comes out. The filter keeps sources, cell ids and tags and drops
everything a run or a Lab session adds: outputs, execution counts, widget state,
timing and view metadata, and the kernel's display name and language version (the
kernelspec becomes the collection's ``python3``). Its output is written exactly as
the committed notebooks are (``nbformat``'s layout: one-space indent, sorted keys),
so a notebook run and saved in the Lab is byte-for-byte the committed one once
cleaned, and ``git status`` shows nothing.

Set-up (done by ``make``; ``python -m analysis.nbfilter --install`` by hand)::

    git config filter.strip-notebook.clean ".venv/bin/python -m analysis.nbfilter"

with ``*.ipynb filter=strip-notebook`` in ``.gitattributes`` (committed).

One git detail needs help: ``git status`` trusts a file whose size differs from the
size recorded in the index to be modified, without running the filter (``git diff``
does run it and shows nothing). ``python -m analysis lab`` therefore registers
:func:`post_save_hook`: after the Lab saves a tracked notebook whose cleaned form is
what git already has, the hook re-adds it, which only refreshes the index's record of
the file (no content is staged); a real edit is left alone and shows as modified.
"""

from __future__ import annotations

import json
import subprocess
import sys

FILTER_NAME = "strip-notebook"
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python"}
#: Notebook-level metadata written by runs and front ends, never committed.
VOLATILE_NOTEBOOK_KEYS = ("widgets", "papermill", "signature", "vscode", "colab", "toc", "varInspector",
                          "execution", "jupytext")
#: Cell-level metadata written by runs and front ends (tags and anything else are kept).
VOLATILE_CELL_KEYS = ("execution", "ExecuteTime", "collapsed", "scrolled", "trusted", "papermill", "jupyter",
                      "pycharm", "editable", "deletable")


def strip_notebook(nb: dict) -> dict:
    """Return ``nb`` (a notebook as parsed JSON) with outputs and volatile metadata removed, in place.

    Parameters
    ----------
    nb : dict
        The notebook.

    Returns
    -------
    dict
        The same object, cleaned.
    """
    metadata = nb.setdefault("metadata", {})
    for key in VOLATILE_NOTEBOOK_KEYS:
        metadata.pop(key, None)
    metadata["kernelspec"] = dict(KERNELSPEC)
    metadata["language_info"] = dict(LANGUAGE_INFO)
    for cell in nb.get("cells", []):
        cell_meta = cell.setdefault("metadata", {})
        for key in VOLATILE_CELL_KEYS:
            cell_meta.pop(key, None)
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        else:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
        if cell.get("cell_type") == "markdown" and not cell.get("attachments"):
            cell.pop("attachments", None)
    return nb


def dumps(nb: dict) -> str:
    """Serialise a notebook exactly as ``nbformat.write`` does (what the committed files look like)."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def clean(text: str) -> str:
    """The cleaned form of a notebook's text; text that is not a notebook is returned unchanged."""
    try:
        nb = json.loads(text)
    except ValueError:
        return text
    if not isinstance(nb, dict) or "cells" not in nb:
        return text
    return dumps(strip_notebook(nb))


def filter_command(python: str = ".venv/bin/python") -> str:
    """The ``filter.strip-notebook.clean`` command (git runs it from the top of the work tree)."""
    return f"{python} -m analysis.nbfilter"


def install(python: str = ".venv/bin/python") -> int:
    """Register the filter in this checkout's git configuration; 0 on success, 1 outside git."""
    try:
        subprocess.run(["git", "config", f"filter.{FILTER_NAME}.clean", filter_command(python)], check=True,
                       capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"notebook filter not installed (not a git checkout?): {exc}", file=sys.stderr)
        return 1
    print(f"git filter {FILTER_NAME} installed: notebook outputs are stripped on the way into git")
    return 0


def _git(folder: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, timeout=30)


def refresh_index(path: str) -> bool:
    """Re-record a tracked notebook's file size in git's index when its cleaned content is unchanged.

    Parameters
    ----------
    path : str
        A notebook on disk.

    Returns
    -------
    bool
        True when the index entry was refreshed; False for an untracked file, a real
        change, a file outside git, or when git is missing.
    """
    import os

    folder, name = os.path.split(os.path.abspath(path))
    try:
        if _git(folder, "ls-files", "--error-unmatch", "--", name).returncode != 0:
            return False                       # untracked (or not in a repository): never add it
        if _git(folder, "diff", "--quiet", "--", name).returncode != 0:
            return False                       # a real change (or no filter configured): leave it to the user
        return _git(folder, "add", "--", name).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def post_save_hook(model=None, os_path: str = "", contents_manager=None, **kwargs) -> None:
    """Jupyter server hook (``ContentsManager.post_save_hook``): :func:`refresh_index` after a notebook is saved."""
    if os_path.endswith(".ipynb"):
        refresh_index(os_path)


def main(argv: list[str] | None = None) -> int:
    """Filter stdin to stdout, or ``--install`` the filter into git's configuration."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--install"]:
        return install(*argv[1:2])
    data = sys.stdin.buffer.read().decode("utf-8")
    sys.stdout.buffer.write(clean(data).encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
