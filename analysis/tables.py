"""One table formatter for the collection: units, rounding, no meaningless index, blanks for missing.

Every table a notebook shows goes through :func:`format_frame`: :func:`analysis.plotting.use_style`
registers it with IPython for DataFrames and Series, so ``tornado.round(3)`` or a Monte Carlo
summary displays as a readable table without a change to the notebook. :func:`show` takes
explicit units (``show(tornado, units={"low": "USD billion"})``).

* Units come from the result catalog (:mod:`analysis.result_catalog`) when a column is a
  result key, from an explicit ``units`` mapping, or from the column name's suffix
  (``_usd_b`` is USD billion, ``_usd_per_mtok`` USD per M tokens, ``_usd`` USD).
* Numbers get 4 significant digits with thousands separators (``749.5``, ``70,833``), never
  ``7.495225e+02``; very large ones are compact (``12.3B``); whole-number columns stay whole.
* Money reads ``$1.2B`` and ``-$15B`` (never ``$-15B``); shares of 0-1 read ``12.3%``; years
  read ``2028.6``.
* A default 0..n-1 index is left out; a named or labelled index is kept as the first column.
* Missing values are blank.
"""

from __future__ import annotations

import math

#: Column-name suffix -> unit (first match wins).
SUFFIX_UNITS = (("_usd_b", "USD billion"), ("_usd_m", "USD million"), ("_usd_per_mtok", "USD per M tokens"),
                ("_usd_per_mtok_output", "USD per M output tokens"), ("_usd_per_kwh", "USD per kWh"),
                ("_usd_per_hour", "USD per hour"), ("_usd", "USD"))

_SCALE = {"USD billion": "B", "USD billion per year": "B", "USD million": "M", "USD trillion": "T"}


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value)) if not isinstance(value, (list, tuple, dict)) else False
    except (TypeError, ValueError):
        return False


def significant(value: float, digits: int = 4) -> str:
    """A number with ``digits`` significant digits, thousands separators, no trailing zeros.

    ``749.5225`` -> ``749.5``, ``70833.33`` -> ``70,833``, ``2.5e10`` -> ``25B``,
    ``0.000123`` -> ``0.000123``, ``-3.0`` -> ``-3``.
    """
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    size = abs(value)
    if size >= 1e6:
        for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
            if size >= scale:
                scaled = value / scale
                return significant(scaled, 3) + suffix if abs(scaled) < 1e4 else f"{value:.3g}"
    if size < 1e-4:
        return f"{value:.3g}"
    decimals = max(0, digits - 1 - math.floor(math.log10(size)))
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def money(value: float, unit: str = "USD", digits: int = 3) -> str:
    """Money with the sign first: ``-$15B``, ``$0.123``, ``$70,833``.

    ``unit`` is the catalog's unit: ``USD billion`` adds ``B`` (``USD million`` ``M``); any
    other ``USD ...`` unit (per M tokens, per kWh) is written as dollars.
    """
    sign = "-" if value < 0 else ""
    size = abs(value)
    suffix = next((s for u, s in _SCALE.items() if unit.startswith(u)), "")
    if suffix:
        body = f"{size:,.0f}" if size >= 100 else significant(size, digits)
        return f"{sign}${body}{suffix}"
    if size >= 1e6:
        return f"{sign}${significant(size, digits)}"
    body = f"{size:,.0f}" if size >= 1000 else f"{size:.{max(2, digits - 1 - math.floor(math.log10(size)))}f}" \
        if size >= 1e-4 else f"{size:.2g}"
    return f"{sign}${body}"


def unit_kind(unit: str) -> str:
    """The kind of a unit: money, share, year, date or quantity (see :data:`analysis.result_catalog.KINDS`)."""
    if unit.startswith("USD"):
        return "money"
    if unit == "fraction":
        return "share"
    if unit in ("year", "date"):
        return unit
    return "quantity"


def format_value(value, unit: str = "", kind: str | None = None) -> str:
    """One cell: blank when missing, money, shares, years and plain numbers as the module says."""
    if _missing(value):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    try:
        import numpy as np

        if isinstance(value, np.generic):
            value = value.item()
    except ImportError:  # pragma: no cover - numpy is a dependency
        pass
    if not isinstance(value, (int, float)):
        return str(value)
    kind = kind or unit_kind(unit)
    if kind == "money":
        return money(float(value), unit)
    if kind == "share" and abs(value) <= 1.5:
        return f"{value:.1%}"
    if kind == "year":
        return str(value) if isinstance(value, int) or float(value).is_integer() else f"{value:.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return significant(float(value))


def column_unit(name, stem: str = "", units: dict | None = None) -> str:
    """A column's unit: from ``units``, else the result catalog, else its name's suffix; "" when none."""
    from analysis.result_catalog import describe

    if units and name in units:
        return units[name]
    text = str(name)
    entry = describe(text, stem)
    if entry is not None and entry[0]:
        return entry[0]
    lowered = text.lower()
    for suffix, unit in SUFFIX_UNITS:
        if lowered.endswith(suffix):
            return unit
    if lowered in ("year", "horizon"):
        return "year"
    return ""


def _meaningful_index(frame) -> bool:
    import pandas as pd

    index = frame.index
    if isinstance(index, pd.RangeIndex) and index.name is None and index.start == 0 and index.step == 1:
        return False
    if index.name is None and all(n is None for n in index.names) and pd.api.types.is_integer_dtype(index) \
            and list(index) == list(range(len(index))):
        return False
    return True


def format_frame(table, units: dict | None = None, stem: str = "", index: bool | None = None,
                 max_rows: int | None = None):
    """The table as strings, ready to show (see the module docstring).

    Parameters
    ----------
    table : pandas.DataFrame or pandas.Series
        A Series becomes a two-column table (its index, its values under its name).
    units : dict, optional
        ``{column: unit}`` overriding the catalog and the column names.
    stem : str
        The notebook (for catalog entries of one notebook).
    index : bool, optional
        Keep the index as the first column; default: only when it is meaningful (named,
        labelled, not 0..n-1).
    max_rows : int, optional
        Longer tables keep their first and last rows around a row of ``...``.

    Returns
    -------
    pandas.DataFrame
        Every cell a string; a default index.
    """
    import pandas as pd

    if isinstance(table, pd.Series):
        name = table.name if table.name is not None else "value"
        table = table.to_frame(name=name)
    frame = table.copy()
    keep = _meaningful_index(frame) if index is None else index
    if keep:
        names = [n if n is not None else ("" if frame.index.nlevels == 1 else f"level {i}")
                 for i, n in enumerate(frame.index.names)]
        frame.index = frame.index.set_names(names)
        frame = frame.reset_index()
    else:
        frame = frame.reset_index(drop=True)
    if isinstance(frame.columns, pd.MultiIndex):
        frame.columns = [" ".join(str(p) for p in c if str(p)) for c in frame.columns]
    out = pd.DataFrame(index=frame.index)
    for position, column in enumerate(frame.columns):
        series = frame.iloc[:, position]
        unit = column_unit(column, stem, units)
        if not unit and "year" in str(column).lower() and pd.api.types.is_numeric_dtype(series) \
                and not pd.api.types.is_bool_dtype(series) and series.dropna().between(1900, 2200).all():
            unit = "year"           # "year the price reaches the floor": 2028.6, not 2,029
        whole = pd.api.types.is_float_dtype(series) and series.dropna().map(float.is_integer).all() \
            and series.abs().max() < 1e15 and not unit.startswith("USD") and unit != "fraction"
        values = [format_value(int(v) if whole and not _missing(v) else v, unit) for v in series]
        label = str(column)
        out[label if label not in out.columns else f"{label} ({position})"] = values
    if max_rows is not None and len(out) > max_rows:
        head, tail = out.iloc[: max_rows * 2 // 3], out.iloc[-(max_rows // 3):]
        gap = pd.DataFrame([["..."] * len(out.columns)], columns=out.columns)
        out = pd.concat([head, gap, tail], ignore_index=True)
    return out


class Table:
    """A formatted table: HTML in notebooks and pages, aligned text elsewhere."""

    def __init__(self, frame, caption: str = ""):
        self.frame = frame
        self.caption = caption

    def _repr_html_(self) -> str:
        styler = self.frame.style.hide(axis="index")
        numeric = [c for c in self.frame.columns
                   if self.frame[c].str.fullmatch(r"-?\$?[0-9][0-9,.]*[%kMBT]?|").all()
                   and self.frame[c].str.len().gt(0).any()]
        styler = styler.set_properties(subset=numeric, **{"text-align": "right"})
        if self.caption:
            styler = styler.set_caption(self.caption)
        return styler.to_html()

    def __repr__(self) -> str:
        text = self.frame.to_string(index=False)
        return f"{self.caption}\n{text}" if self.caption else text


def show(table, units: dict | None = None, stem: str = "", index: bool | None = None, caption: str = "",
         max_rows: int | None = 60) -> Table:
    """A table for display: :func:`format_frame` wrapped so the notebook shows it as HTML.

    Parameters
    ----------
    table : pandas.DataFrame or pandas.Series
    units, stem, index
        See :func:`format_frame`.
    caption : str
        A line above the table.
    max_rows : int, optional
        Longer tables show their first and last rows (default 60; None for every row).
    """
    rows = len(table)
    if max_rows is not None and rows > max_rows:
        caption = (caption + " " if caption else "") + f"({rows:,} rows; first and last shown)"
    return Table(format_frame(table, units, stem, index, max_rows), caption)


def install(shell=None) -> bool:
    """Make IPython display every DataFrame and Series through :func:`show` (HTML and text).

    Returns False outside IPython. Called by :func:`analysis.plotting.use_style`.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = shell or get_ipython()
    if shell is None:
        return False
    import pandas as pd

    def html(obj):
        try:
            return show(obj)._repr_html_()
        except Exception:  # never hide a table: fall back to pandas' own HTML
            return obj.to_frame().to_html() if isinstance(obj, pd.Series) else obj.to_html()

    def plain(obj, printer, cycle):
        try:
            printer.text(repr(show(obj)))
        except Exception:
            printer.text(obj.to_string())

    formatters = shell.display_formatter.formatters
    for kind in (pd.DataFrame, pd.Series):
        formatters["text/html"].for_type(kind, html)
        formatters["text/plain"].for_type(kind, plain)
    return True
