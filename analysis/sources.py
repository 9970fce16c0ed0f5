"""Origin records of the curated data files (``data/sources.yml``) and their checksums."""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

from analysis import paths

SOURCES_FILE = "sources.yml"
README_FILE = "README.md"
REQUIRED_FIELDS = ("title", "producer", "url", "date_published", "date_accessed", "licence", "sha256", "bytes")


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_sources(data_dir: Path | None = None) -> dict[str, dict]:
    """``{file name: origin record}`` from ``sources.yml``."""
    folder = data_dir or paths.data_dir()
    records = yaml.safe_load((folder / SOURCES_FILE).read_text()) or {}
    if not isinstance(records, dict):
        raise ValueError(f"{folder / SOURCES_FILE}: expected a mapping of file names to origin records")
    return records


def current_checksums(data_dir: Path | None = None) -> dict[str, str]:
    """``{file name: sha256}`` of every CSV in the data folder as it is now."""
    folder = data_dir or paths.data_dir()
    return {p.name: sha256(p) for p in sorted(folder.glob("*.csv"))}


UPDATE_COMMAND = "python -m analysis checksums --update"


def changed_message(name: str, digest: str, size: int, record: dict) -> str:
    """One line saying that ``name`` differs from its origin record and how to record the change."""
    recorded = record.get("sha256")
    was = f"{str(recorded)[:12]}..., {record.get('bytes')} bytes" if recorded else "no checksum"
    return (f"{name}: changed since {SOURCES_FILE} recorded it (now sha256 {digest[:12]}..., {size} bytes; "
            f"recorded {was}). If you changed it on purpose, update its origin record in data/{SOURCES_FILE} "
            f"and record the new checksum with: {UPDATE_COMMAND}")


def verify(data_dir: Path | None = None) -> list[str]:
    """Problems found comparing data files with their origin records (empty when all is well).

    Checks that every CSV has a record, every record names an existing file, each
    record has the required fields, the recorded sha256 and size match, and the data
    README's generated "newest statement" lines match the files.
    """
    folder = data_dir or paths.data_dir()
    records = load_sources(folder)
    problems = []
    for name, digest in current_checksums(folder).items():
        record = records.get(name)
        if record is None:
            problems.append(f"{name}: no origin record in {SOURCES_FILE}")
            continue
        missing = [f for f in REQUIRED_FIELDS if f not in record]
        if missing:
            problems.append(f"{name}: origin record lacks {', '.join(missing)}")
        size = (folder / name).stat().st_size
        if record.get("sha256") != digest or record.get("bytes") != size:
            problems.append(changed_message(name, digest, size, record))
    for name in records:
        if not (folder / name).is_file():
            problems.append(f"{name}: listed in {SOURCES_FILE} but missing from {folder}")
    from analysis.data import readme_newest_problems

    return problems + readme_newest_problems(folder)


def update_checksums(data_dir: Path | None = None) -> list[str]:
    """Rewrite the ``sha256`` and ``bytes`` lines of ``sources.yml`` to match the files (maintainers only).

    The rest of the file (comments, order, wording) is left as it is. The data README's generated
    "newest statement" lines are rewritten too. Returns the names of the records (and README lines)
    that changed. Reports never call this: runs do not modify ``data/``.
    """
    import re

    folder = data_dir or paths.data_dir()
    path = folder / SOURCES_FILE
    lines = path.read_text().splitlines(keepends=True)
    current, changed = None, []
    for i, line in enumerate(lines):
        top = re.match(r"^([^\s#][^:]*):\s*$", line)
        if top:
            current = top.group(1)
            continue
        if current is None or not (folder / current).is_file():
            continue
        field = re.match(r"^(\s+)(sha256|bytes):\s*(\S+)\s*$", line)
        if field:
            indent, key, old = field.groups()
            new = sha256(folder / current) if key == "sha256" else str((folder / current).stat().st_size)
            if old != new:
                lines[i] = f"{indent}{key}: {new}\n"
                if current not in changed:
                    changed.append(current)
    path.write_text("".join(lines))
    from analysis.data import update_readme_newest

    return changed + [f"{README_FILE} (newest statement of {name})" for name in update_readme_newest(folder)]
