"""The report runner: ``python -m analysis report|sweep|lab|checksums``.

Kept for existing imports; the code lives in :mod:`analysis.runner` (one module per job).
"""

from analysis.runner import *  # noqa: F401,F403
from analysis.runner import __all__  # noqa: F401
