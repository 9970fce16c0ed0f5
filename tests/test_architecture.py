"""The package's layers point one way: no import cycle among analysis/'s modules, imports inside functions
included (an import moved into a function to dodge a cycle is still a cycle)."""

from __future__ import annotations

import ast

from conftest import PROJECT


def import_graph() -> dict[str, set[str]]:
    """``{module: modules of analysis/ it imports}``, from the source (every import statement, at any depth)."""
    root = PROJECT / "analysis"
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(PROJECT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    graph = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                graph[name] |= {a.name for a in node.names if a.name in modules}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    kept = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(kept + ([base] if base else []))
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    graph[name].add(full if full in modules else base)
        graph[name] = {m for m in graph[name] if m in modules and m != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_in_the_package():
    assert cycles(import_graph()) == []


def test_models_never_import_the_runner():
    graph = import_graph()
    runner = {m for m in graph if m.startswith("analysis.runner") or m == "analysis.run"}
    models = {"analysis.prices", "analysis.market", "analysis.compute_split", "analysis.throughput",
              "analysis.throughput_cv", "analysis.capex", "analysis.payback", "analysis.edge", "analysis.data"}
    assert {m: sorted(graph[m] & runner) for m in models if graph.get(m, set()) & runner} == {}
