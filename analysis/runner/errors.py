"""How the runner words a failure: one line, never a traceback wall."""

from __future__ import annotations


def one_line(exc: BaseException, limit: int = 300) -> str:
    """``Type: message`` of an exception on one line, the message cut at ``limit`` characters."""
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:limit]}"
