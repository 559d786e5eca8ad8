"""The package's import graph, read from the source with ``ast`` (nothing is imported).

Every ``import`` statement counts, wherever it is: at module level, inside a function (the
composition root's lazy imports) or under ``TYPE_CHECKING`` (an annotation still couples the
modules). Relative imports are resolved against the importing module.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1] / "shared"
PACKAGE = "gamification"


@dataclass(frozen=True, slots=True)
class Import:
    module: str
    """The importing module (``gamification.services.export``)."""
    target: str
    """The module imported, or for ``from package import name`` the submodule when ``name`` is
    one (``gamification.adapters.keys``)."""
    lazy: bool
    """Inside a function or under ``if TYPE_CHECKING``: not run when the module is imported."""


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its ``__init__``)."""
    found: dict[str, Path] = {}
    for path in sorted((SHARED / PACKAGE).rglob("*.py")):
        parts = path.relative_to(SHARED).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports(known: dict[str, Path] | None = None) -> Iterator[Import]:
    """Every import of every module of the package."""
    known = modules() if known is None else known
    for module, path in known.items():
        yield from imports_in(
            path.read_text(), module, known, is_package=path.name == "__init__.py"
        )


def imports_in(
    source: str, module: str, known: Collection[str], *, is_package: bool = False
) -> list[Import]:
    """The imports of one module's ``source`` (``known``: the package's module names)."""
    return list(_visit(ast.parse(source), module, is_package, known, lazy=False))


def _visit(
    node: ast.AST, module: str, is_package: bool, known: Collection[str], *, lazy: bool
) -> Iterator[Import]:
    for child in ast.iter_child_nodes(node):
        child_lazy = lazy or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            child_lazy = True
        if isinstance(child, ast.Import):
            for alias in child.names:
                yield Import(module, alias.name, lazy)
        elif isinstance(child, ast.ImportFrom):
            base = _absolute(child, module, is_package)
            for alias in child.names:
                candidate = f"{base}.{alias.name}"
                yield Import(module, candidate if candidate in known else base, lazy)
        else:
            yield from _visit(child, module, is_package, known, lazy=child_lazy)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    if not is_package:
        parts = parts[:-1]
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join([*parts, node.module] if node.module else parts)


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found
