"""Layers that only point down (issue [12]).

The rule is the ```layers block of docs/architecture.md ("Layers and moves"): one line
per layer, top to bottom, each naming packages or modules. This test walks every
module's imports with `ast` (nothing is imported, so no database, no Streamlit) and
fails on an import that points up or sideways, on an import cycle, and on a module
that belongs to no layer.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARCHITECTURE = ROOT / "docs" / "architecture.md"
# Not part of the app's layers: the test suites, and what is not our source.
SKIPPED_DIRS = {"tests", "test-artifacts", "build", "dist", "node_modules"}


@cache
def layers() -> list[list[str]]:
    """The layers, top first, from docs/architecture.md."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = text.split("## Layers and moves", 1)
    assert len(section) == 2, "docs/architecture.md has no '## Layers and moves' section"
    block = re.search(r"```layers\n(.*?)```", section[1], re.DOTALL)
    assert block, "the 'Layers and moves' section has no ```layers block"
    return [line.split() for line in block.group(1).splitlines() if line.strip()]


def rank_of_names() -> dict[str, int]:
    """name -> rank; the bottom layer is 0."""
    table = layers()
    ranks: dict[str, int] = {}
    for index, names in enumerate(table):
        for name in names:
            assert name not in ranks, f"{name} is in two layers"
            ranks[name] = len(table) - 1 - index
    return ranks


def _is_python_script(path: Path) -> bool:
    if path.suffix or not path.is_file():
        return False
    with path.open("rb") as handle:
        return b"python" in handle.readline()


@cache
def modules() -> dict[str, Path]:
    """Every first-party module: dotted name -> file (scripts/ by their file name)."""
    found: dict[str, Path] = {}
    for path in sorted(ROOT.rglob("*")):
        parts = path.relative_to(ROOT).parts
        if any(part.startswith(".") or part in SKIPPED_DIRS for part in parts):
            continue
        if any(part.endswith(".egg-info") for part in parts):
            continue
        if path.suffix == ".py":
            dotted = list(parts[:-1]) + [path.stem]
        elif parts[0] == "scripts" and _is_python_script(path):
            dotted = list(parts)
        else:
            continue
        if dotted[-1] == "__init__":
            dotted = dotted[:-1]
        found[".".join(dotted)] = path
    return found


def _target(name: str, known: dict[str, Path]) -> str | None:
    """The first-party module an imported name lives in (None: not ours)."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return None


@cache
def imports() -> dict[str, set[str]]:
    """module -> the first-party modules it imports, anywhere in its body."""
    known = modules()
    top_levels = {name.split(".")[0] for name in known}
    graph: dict[str, set[str]] = {}
    for module, path in known.items():
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names: list[str] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    package = module.split(".")
                    package = package[: len(package) - node.level + (1 if is_package else 0)]
                    base = ".".join(package + ([node.module] if node.module else []))
                else:
                    base = node.module or ""
                # `from package import name`: the submodule if there is one, else the package
                names += [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                    for alias in node.names
                ]
        # A module's own packages are always loaded before it: not a dependency to check.
        ancestors = {".".join(module.split(".")[:n]) for n in range(1, module.count(".") + 1)}
        targets = set()
        for name in names:
            if name.split(".")[0] not in top_levels:
                continue
            target = _target(name, known)
            if target and target != module and target not in ancestors:
                targets.add(target)
        graph[module] = targets
    return graph


def unit_of(module: str, ranks: dict[str, int]) -> str | None:
    """The longest layer-table name that is the module or a package above it."""
    parts = module.split(".")
    for length in range(len(parts), 0, -1):
        candidate = ".".join(parts[:length])
        if candidate in ranks:
            return candidate
    return None


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_walk_sees_the_app():
    graph = imports()
    assert "data_access.runner" in graph and "pages.overview" in graph
    assert "data_access.runner" in graph["data_access.figures"]
    assert "ui.i18n" in graph["app"]


def test_every_module_is_in_a_layer():
    ranks = rank_of_names()
    homeless = sorted(module for module in modules() if unit_of(module, ranks) is None)
    assert not homeless, f"modules in no layer of docs/architecture.md: {homeless}"
    unused = sorted(set(ranks) - {unit_of(module, ranks) for module in modules()})
    assert not unused, f"layer names that match no module: {unused}"


def test_imports_point_down():
    ranks = rank_of_names()
    wrong = []
    for module, targets in sorted(imports().items()):
        own = unit_of(module, ranks)
        for target in sorted(targets):
            other = unit_of(target, ranks)
            if own is None or other is None or own == other:
                continue
            if ranks[other] > ranks[own]:
                wrong.append(f"{module} imports {target}: up from {own} to {other}")
            elif ranks[other] == ranks[own]:
                wrong.append(f"{module} imports {target}: sideways, {own} beside {other}")
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_no_import_cycles_between_modules():
    cycles = _cycles(imports())
    assert not cycles, "modules that import each other: " + "; ".join(
        " <-> ".join(cycle) for cycle in cycles
    )


def test_no_import_cycles_between_layer_names():
    ranks = rank_of_names()
    graph: dict[str, set[str]] = {}
    for module, targets in imports().items():
        own = unit_of(module, ranks)
        for target in targets:
            other = unit_of(target, ranks)
            if own and other and own != other:
                graph.setdefault(own, set()).add(other)
    cycles = _cycles(graph)
    assert not cycles, "packages that import each other: " + "; ".join(
        " <-> ".join(cycle) for cycle in cycles
    )


def test_the_cycle_finder_finds_one():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
