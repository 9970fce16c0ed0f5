"""Derived results cached on disk by content: fits, cross-validations, the ablation.

A cached computation is stored with :mod:`joblib`'s ``Memory`` under a key made of

* the sha256 of the source files of the modules that compute it (``code``),
* the sha256 of every data file it reads (``data``, names in the data folder), and
* the arguments' content (:func:`content_hash`: DataFrames by their values, index and dtypes),

so a forker who edits one measurement row, or the fitting code, gets a fresh computation at
once and nothing stale is ever served. Notebooks, report runs, sweep workers, warm kernels
and Dask workers on this machine share one folder: ``reports/.cache/`` under the project,
or ``ANALYSIS_CACHE_DIR`` (``ANALYSIS_CACHE_DIR=off`` computes everything afresh). Two
processes that miss the same key at once take a lock on it: one computes, the other waits
and reads. Every call is recorded (:func:`events`); the provenance footer of a report page
lists what was reused, with its key and the date it was computed.

``python -m analysis cache info`` lists what is stored; ``python -m analysis cache clear``
empties it.
"""

from __future__ import annotations

import datetime as _dt
import fcntl
import hashlib
import os
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Callable, Iterable

from analysis import paths

ENV = "ANALYSIS_CACHE_DIR"
_EVENTS: list[dict] = []


def cache_dir() -> Path | None:
    """The cache folder (``ANALYSIS_CACHE_DIR``, else ``reports/.cache`` under the project); None when off."""
    value = os.environ.get(ENV, "")
    if value.strip().lower() in ("off", "none", "0"):
        return None
    return Path(value).expanduser().resolve() if value else paths.PROJECT_ROOT / "reports" / ".cache"


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def code_key(modules: Iterable[ModuleType]) -> str:
    """sha256 over the source files of ``modules`` (any edit to them changes the key)."""
    digest = hashlib.sha256()
    for module in modules:
        source = Path(module.__file__)
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def data_key(names: Iterable[str]) -> str:
    """sha256 over the named files of the data folder (their bytes, whatever folder is selected)."""
    folder = paths.data_dir()
    digest = hashlib.sha256()
    for name in sorted(names):
        digest.update(name.encode() + b"\0" + file_sha256(folder / name).encode())
    return digest.hexdigest()


def content_hash(value) -> str:
    """A hash of a value's content. DataFrames and Series are hashed by their values, index, column names and
    dtypes (pickled bytes would change with pandas' internal block layout while the content stays the same);
    anything else by :func:`joblib.hash`."""
    import joblib
    import pandas as pd

    if isinstance(value, (pd.DataFrame, pd.Series)):
        digest = hashlib.sha256()
        frame = value.to_frame() if isinstance(value, pd.Series) else value
        digest.update(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
        digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
        return digest.hexdigest()
    if isinstance(value, (tuple, list)):
        return joblib.hash([type(value).__name__] + [content_hash(v) for v in value])
    if isinstance(value, dict):
        return joblib.hash(sorted((str(k), content_hash(v)) for k, v in value.items()))
    return joblib.hash(value)


def _stamped(func: Callable, version: str, content: str, args: tuple, kwargs: dict) -> dict:
    """What is stored: the value and when it was computed (the key is ``func``, ``version`` and ``content``)."""
    value = func(*args, **kwargs)
    return {"value": value, "computed_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")}


@contextmanager
def _lock(folder: Path, key: str):
    """An exclusive lock on one key across processes (released when the holder exits, even on a crash)."""
    locks = folder / "locks"
    locks.mkdir(parents=True, exist_ok=True)
    with open(locks / f"{key}.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def cached(name: str, func: Callable, *args, code: Iterable[ModuleType] = (), data: Iterable[str] = (), **kwargs):
    """``func(*args, **kwargs)``, read from the cache when the same content was computed before.

    Parameters
    ----------
    name : str
        What is computed (``cross_validate``, ``ablation``...): the cache's sub-folder and the
        label in :func:`events` and the page footer.
    func : callable
        A module-level function (joblib names it by module and qualified name).
    *args, **kwargs
        Its arguments; their content is part of the key.
    code : iterable of modules
        The modules whose source decides the result (edit one and the key changes).
    data : iterable of str
        Data files (names in the data folder) read inside ``func`` rather than passed in.

    Returns
    -------
    The value ``func`` returns (computed now or read back).
    """
    import joblib

    folder = cache_dir()
    version = code_key(code) + ":" + data_key(data)
    if folder is None:
        value = func(*args, **kwargs)
        _record(name, None, None, reused=False)
        return value
    memory = joblib.Memory(str(folder / name), verbose=0)
    stored = memory.cache(_stamped, ignore=["args", "kwargs"])
    content = content_hash((list(args), kwargs))
    key = joblib.hash((func.__module__, func.__qualname__, version, content))
    call = (func, version, content, args, kwargs)
    reused = stored.check_call_in_cache(*call)
    if not reused:
        with _lock(folder, key):          # one process computes; one waiting here then reads its result
            reused = stored.check_call_in_cache(*call)
            out = stored(*call)
    else:
        out = stored(*call)
    _record(name, key, out["computed_at"], reused)
    return out["value"]


def _record(name: str, key: str | None, computed_at: str | None, reused: bool) -> None:
    _EVENTS.append({"name": name, "key": key[:12] if key else None, "computed_at": computed_at, "reused": reused})


def events() -> list[dict]:
    """Every cached computation this process asked for: ``name``, ``key``, ``computed_at``, ``reused``."""
    return [dict(e) for e in _EVENTS]


def info(folder: Path | None = None) -> list[dict]:
    """One record per cached computation kind: ``name``, ``entries``, ``bytes``, ``newest`` (ISO time)."""
    folder = folder or cache_dir()
    if folder is None or not folder.exists():
        return []
    out = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and p.name != "locks"):
        outputs = list(sub.rglob("output.pkl"))
        size = sum(f.stat().st_size for f in sub.rglob("*") if f.is_file())
        newest = max((f.stat().st_mtime for f in outputs), default=None)
        out.append({"name": sub.name, "entries": len(outputs), "bytes": size,
                    "newest": (_dt.datetime.fromtimestamp(newest, _dt.timezone.utc).isoformat(timespec="seconds")
                               if newest else None)})
    return out


def clear(folder: Path | None = None) -> int:
    """Remove every cached result; returns the number of entries removed."""
    folder = folder or cache_dir()
    if folder is None or not folder.exists():
        return 0
    count = sum(e["entries"] for e in info(folder))
    shutil.rmtree(folder)
    return count


def command(action: str) -> int:
    """``python -m analysis cache info|clear``: print what is stored, or empty the cache."""
    folder = cache_dir()
    if folder is None:
        print(f"the cache is off ({ENV}={os.environ.get(ENV)})")
        return 0
    if action == "clear":
        print(f"removed {clear(folder)} cached results from {folder}")
        return 0
    records = info(folder)
    if not records:
        print(f"no cached results in {folder}")
        return 0
    print(f"cache folder: {folder}")
    for r in records:
        print(f"  {r['name']:<22} {r['entries']:>3} entries  {r['bytes'] / 1e6:7.1f} MB  newest {r['newest']}")
    total = sum(r["bytes"] for r in records)
    print(f"  total {total / 1e6:.1f} MB; 'python -m analysis cache clear' empties it", file=sys.stdout)
    return 0
