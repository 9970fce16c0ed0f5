"""Checking notebook parameters against the notebook's ``parameters`` cell.

Papermill only warns about unknown names and passes every ``-p`` value as a string
or a bare number. Here each value is checked against the type declared in the
notebook (``name: type = literal  # help``) before any kernel starts, and every
problem becomes a :class:`ParameterError` with a one-line message.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

#: Parameters the runner sets itself; users may not pass them.
RUNNER_PARAMETERS = ("output_dir",)


class ParameterError(ValueError):
    """A parameter, grid or notebook name the runner cannot accept (one-line message)."""


def did_you_mean(name: str, candidates) -> str:
    """``" (did you mean 'x'?)"`` naming the closest candidate(s) to a mistyped ``name``, else ``""``.

    A candidate that starts with ``name`` (``05`` for ``05_edge_vs_cloud``) counts as close.
    """
    import difflib

    candidates = [str(c) for c in candidates]
    close = [c for c in candidates if name and c.startswith(name)]
    close = close if len(close) == 1 else difflib.get_close_matches(name, candidates, n=2, cutoff=0.6)
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, plus YAML 1.2 floats such as ``1e7`` and ``1.0e7``.

    PyYAML follows YAML 1.1, where a float needs a dot and a signed exponent
    (``1.0e+7``); anything else in scientific notation stays a string.
    """


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"""^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"""),
    list("-+0123456789."),
)


def load_yaml_text(text: str):
    """Parse YAML text as the runner does: safe types, and ``1e7`` read as a float.

    Parameters
    ----------
    text : str
        YAML source.

    Returns
    -------
    object
        The parsed value.
    """
    return yaml.load(text, Loader=_Loader)


def declared_parameters(notebook: Path) -> dict[str, dict]:
    """``{name: {"type": ..., "default": ..., "help": ...}}`` from the notebook's parameters cell."""
    import papermill

    try:
        inspected = papermill.inspect_notebook(str(notebook))
    except Exception as exc:  # papermill raises several types for unreadable notebooks
        raise ParameterError(f"{notebook.name}: cannot read its parameters cell ({exc})") from None
    return {name: {"type": info["inferred_type_name"], "default": info["default"], "help": info["help"]}
            for name, info in inspected.items()}


def _base_type(declared: str) -> str:
    return declared.split("[", 1)[0].strip().lower()


_BOOL_TEXT = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def parse_text(name: str, text: str, declared: str):
    """Parse a command-line ``-p name=value`` text as the declared type.

    Parameters
    ----------
    name : str
        Parameter name (for messages).
    text : str
        The text after ``=``.
    declared : str
        Type name from the parameters cell: ``str``, ``int``, ``float``, ``bool``,
        ``list``, ``dict`` or ``None`` (undeclared; parsed as YAML).
    """
    kind = _base_type(declared)
    if kind == "str":
        return text
    if kind == "bool":
        if text.strip().lower() not in _BOOL_TEXT:
            raise ParameterError(f"parameter {name}: {text!r} is not a bool (use true or false)")
        return _BOOL_TEXT[text.strip().lower()]
    if kind in ("int", "float"):
        try:
            return int(text) if kind == "int" else float(text)
        except ValueError:
            raise ParameterError(f"parameter {name}: {text!r} is not a valid {kind}") from None
    try:
        value = load_yaml_text(text)
    except yaml.YAMLError:
        raise ParameterError(f"parameter {name}: {text!r} does not parse as YAML for type {declared}") from None
    return check_value(name, value, declared)


def check_value(name: str, value, declared: str):
    """Check an already-typed value (from YAML) against the declared type; return it, normalised."""
    kind = _base_type(declared)
    ok = {
        "str": lambda v: isinstance(v, str),
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "bool": lambda v: isinstance(v, bool),
        "list": lambda v: isinstance(v, list),
        "dict": lambda v: isinstance(v, dict),
    }.get(kind)
    if ok is not None and not ok(value):
        raise ParameterError(f"parameter {name}: {value!r} is not a valid {declared}")
    if kind == "float":
        value = float(value)
    if not _json_safe(value):
        raise ParameterError(f"parameter {name}: {value!r} holds a value that is not a number, string, "
                             f"bool, list or mapping (write dates as text, e.g. '2024-01-31')")
    return value


def _json_safe(value) -> bool:
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, list):
        return all(_json_safe(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_safe(v) for k, v in value.items())
    return False


def read_yaml(path: str | Path) -> dict:
    """Read a YAML mapping; any problem becomes a one-line :class:`ParameterError`."""
    path = Path(path)
    try:
        value = load_yaml_text(path.read_text())
    except OSError as exc:
        raise ParameterError(f"cannot read {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ParameterError(f"{path}:{where}: {problem}") from None
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ParameterError(f"{path}: expected a mapping of parameter names to values, got {type(value).__name__}")
    return value


def refuse_conflicting_types(name: str, types: dict[str, str], origin: str) -> None:
    """Refuse an unqualified parameter that the notebooks declare with different types.

    One name set in several notebooks must mean one thing; a name declared as, say, ``float``
    in one notebook and ``str`` in another means two, so it has to be qualified
    (``STEM.NAME=VALUE``).

    Parameters
    ----------
    name : str
        The parameter.
    types : dict
        ``{stem: declared type}`` of the notebooks the value would go to.
    origin : str
        Where the value came from (for the message).
    """
    kinds = {stem: _base_type(kind or "none") for stem, kind in types.items()}
    if len(set(kinds.values())) > 1:
        listed = ", ".join(f"{kind} in {stem}" for stem, kind in sorted(kinds.items()))
        raise ParameterError(f"{origin}: parameter {name} is declared with different types ({listed}); "
                             f"set it per notebook as STEM.{name}=VALUE")


def resolve(stems: list[str], declared: dict[str, dict[str, dict]], cli: list[str], file_values: dict) -> dict:
    """Build the checked parameters for each notebook.

    Parameters
    ----------
    stems : list of str
        Notebooks to run.
    declared : dict
        ``{stem: declared_parameters(...)}``.
    cli : list of str
        ``name=value`` or ``stem.name=value`` texts from ``-p``.
    file_values : dict
        Mapping from ``--params``: ``{name: value}`` for every notebook that declares
        ``name``, or ``{stem: {name: value}}`` for one notebook.

    Returns
    -------
    dict
        ``{stem: {name: value}}``. A name no selected notebook declares is an error, and so is
        an unqualified name that the selected notebooks declare with different types.
    """
    out: dict[str, dict] = {stem: {} for stem in stems}

    def assign(target: str | None, name: str, value, from_text: bool, origin: str) -> None:
        if name in RUNNER_PARAMETERS:
            raise ParameterError(f"{origin}: parameter {name} is set by the runner and cannot be given")
        targets = [target] if target else [s for s in stems if name in declared[s]]
        if target and target not in out:
            raise ParameterError(f"{origin}: notebook {target!r} is not among those being run ({', '.join(stems)})")
        if not targets or (target and name not in declared[target]):
            where = target or ", ".join(stems)
            known = sorted({n for s in ([target] if target else stems) for n in declared[s]} - set(RUNNER_PARAMETERS))
            raise ParameterError(f"{origin}: unknown parameter {name!r} for {where}{did_you_mean(name, known)} "
                                 f"(known: {', '.join(known)})")
        if not target:
            refuse_conflicting_types(name, {stem: declared[stem][name]["type"] for stem in targets}, origin)
        for stem in targets:
            kind = declared[stem][name]["type"]
            out[stem][name] = parse_text(name, value, kind) if from_text else check_value(name, value, kind)

    for name, value in file_values.items():
        if name in declared and name in stems and isinstance(value, dict):
            for inner, inner_value in value.items():
                assign(name, str(inner), inner_value, False, "--params")
        else:
            assign(None, str(name), value, False, "--params")
    for item in cli:
        if "=" not in item:
            raise ParameterError(f"-p {item!r}: expected name=value")
        name, text = item.split("=", 1)
        target = None
        if "." in name:
            target, name = name.split(".", 1)
        assign(target, name.strip(), text, True, f"-p {item}")
    return out
