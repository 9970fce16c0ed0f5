"""Shared analysis package for the economics-of-AI-inference notebook collection.

Importing this package performs no I/O. Submodules:

* :mod:`analysis.paths` -- project folders (overridable by environment variables)
* :mod:`analysis.data` -- validated loaders for the curated CSVs in ``data/``
* :mod:`analysis.sources` -- origin records and checksums (``data/sources.yml``)
* :mod:`analysis.prices` -- LLM price-decline curves (Epoch AI and a16z methods)
* :mod:`analysis.results` / :mod:`analysis.plotting` -- what notebooks write
* :mod:`analysis.run` -- the papermill report runner (``python -m analysis``)
"""

__version__ = "0.1.0"
