"""Parameter parsing and checking against declared types."""

from __future__ import annotations

import pytest

from analysis.params import ParameterError, check_value, parse_text, read_yaml, resolve

DECLARED = {"nb": {"n": {"type": "int"}, "w": {"type": "float"}, "flag": {"type": "bool"},
                   "names": {"type": "list"}, "label": {"type": "str"}, "output_dir": {"type": "str"}},
            "other": {"n": {"type": "int"}, "z": {"type": "str"}}}


@pytest.mark.parametrize("text, kind, expected", [
    ("3", "int", 3), ("3", "float", 3.0), ("2.5", "float", 2.5), ("true", "bool", True), ("No", "bool", False),
    ("[a, b]", "list", ["a", "b"]), ('["mmlu"]', "list", ["mmlu"]), ("2024-01-01", "str", "2024-01-01"),
    ("{a: 1}", "dict", {"a": 1}), ("7", "None", 7),
])
def test_parse_text(text, kind, expected):
    assert parse_text("p", text, kind) == expected


@pytest.mark.parametrize("text, kind", [("3.5", "int"), ("x", "float"), ("maybe", "bool"), ("3", "list"),
                                        ("[unclosed", "list")])
def test_parse_text_rejects(text, kind):
    with pytest.raises(ParameterError, match="parameter p"):
        parse_text("p", text, kind)


def test_check_value_types():
    assert check_value("p", 3, "float") == 3.0 and isinstance(check_value("p", 3, "float"), float)
    for value, kind in [(True, "int"), ("3", "int"), (1, "bool"), ("a", "list")]:
        with pytest.raises(ParameterError):
            check_value("p", value, kind)
    import datetime
    with pytest.raises(ParameterError, match="write dates as text"):
        check_value("p", datetime.date(2024, 1, 1), "None")


def test_resolve_routes_names_to_notebooks_that_declare_them():
    out = resolve(["nb", "other"], DECLARED, ["n=4", "other.z=hi", "w=0.5"], {"flag": True})
    assert out == {"nb": {"n": 4, "w": 0.5, "flag": True}, "other": {"n": 4, "z": "hi"}}
    per_notebook = resolve(["nb", "other"], DECLARED, [], {"nb": {"n": 9}})
    assert per_notebook == {"nb": {"n": 9}, "other": {}}


@pytest.mark.parametrize("cli, match", [
    (["nope=1"], "unknown parameter 'nope'"),
    (["n=x"], "not a valid int"),
    (["output_dir=/tmp"], "set by the runner"),
    (["missing_equals"], "expected name=value"),
    (["other.w=1"], "unknown parameter 'w' for other"),
    (["ghost.n=1"], "not among those being run"),
])
def test_resolve_rejects(cli, match):
    with pytest.raises(ParameterError, match=match):
        resolve(["nb", "other"], DECLARED, cli, {})


def test_read_yaml_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1, 2\nb: 3\n")
    with pytest.raises(ParameterError, match="bad.yaml: line"):
        read_yaml(bad)
    with pytest.raises(ParameterError, match="cannot read"):
        read_yaml(tmp_path / "absent.yaml")
    scalar = tmp_path / "scalar.yaml"
    scalar.write_text("42\n")
    with pytest.raises(ParameterError, match="expected a mapping"):
        read_yaml(scalar)


@pytest.mark.parametrize("text, expected", [("1e7", 1e7), ("1.0e7", 1e7), ("-2.5E-3", -0.0025), ("1.0e+9", 1e9),
                                            (".5e3", 500.0), ("[1e8, 2.0e9]", [1e8, 2e9])])
def test_yaml_scientific_notation_is_a_number(tmp_path, text, expected):
    path = tmp_path / "p.yaml"
    path.write_text(f"w: {text}\n")
    assert read_yaml(path) == {"w": expected}
    assert parse_text("names", text, "None") == expected
    if not isinstance(expected, list):
        assert resolve(["nb"], DECLARED, [], read_yaml(path)) == {"nb": {"w": expected}}


def test_yaml_quoted_scientific_notation_stays_text(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("label: '1e7'\nw: 1e7\n")
    assert resolve(["nb"], DECLARED, [], read_yaml(path)) == {"nb": {"label": "1e7", "w": 1e7}}


def test_resolve_refuses_a_name_declared_with_different_types():
    declared = {"a": {"rate": {"type": "float"}, "x": {"type": "int"}},
                "b": {"rate": {"type": "str"}, "x": {"type": "int"}}}
    with pytest.raises(ParameterError, match=r"rate is declared with different types \(float in a, str in b\)"):
        resolve(["a", "b"], declared, ["rate=0.1"], {})
    with pytest.raises(ParameterError, match="--params: parameter rate"):
        resolve(["a", "b"], declared, [], {"rate": 0.1})
    # qualified, or with one notebook selected, it is one parameter with one type
    assert resolve(["a", "b"], declared, ["a.rate=0.1", "b.rate=x"], {}) == {"a": {"rate": 0.1}, "b": {"rate": "x"}}
    assert resolve(["a"], {"a": declared["a"]}, ["rate=0.1"], {}) == {"a": {"rate": 0.1}}
    assert resolve(["a", "b"], declared, ["x=3"], {}) == {"a": {"x": 3}, "b": {"x": 3}}


def test_shipped_notebooks_give_each_shared_name_one_type_and_one_rate_meaning():
    """Across the collection a name has one declared type, and the rates that differ in meaning have different names."""
    from analysis.params import declared_parameters
    from analysis.runner.execution import discover_notebooks

    declared = {stem: declared_parameters(path) for stem, path in discover_notebooks().items()}
    types: dict[str, set] = {}
    for params in declared.values():
        for name, info in params.items():
            types.setdefault(name, set()).add(info["type"])
    assert {name: kinds for name, kinds in types.items() if len(kinds) > 1} == {}
    # the providers' cost of capital and the buyer's discount rate are two parameters, never one name
    names = set().union(*map(set, declared.values()))
    assert "cost_of_capital" not in names and "discount_rate" not in names
    assert {"provider_cost_of_capital", "buyer_discount_rate"} <= names
