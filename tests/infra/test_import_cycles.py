"""No import cycle among the project's own modules: infra/ and src/payments_tracker/.

The graph is built from the source with `ast` (nothing is imported), over every module of the
packages in `PACKAGES`. Every `import` counts, wherever it is written: one inside a function or
under `if TYPE_CHECKING:` still ties the two modules together (a reader, a type checker and the
next refactoring all meet the cycle), so a lazy import is no way out of a cycle. An import of a
package's `__init__` that pulls in its submodules is an edge like any other.

`ACYCLIC` names the packages that must have no cycle; a new top-level package joins `PACKAGES`
and `ACYCLIC`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGES: dict[str, Path] = {
    "infra": REPO_ROOT / "infra",
    "payments_tracker": REPO_ROOT / "src" / "payments_tracker",
}
"""Top-level package → its directory: the modules the graph is built over."""
ACYCLIC: tuple[str, ...] = ("infra", "payments_tracker")
"""The packages none of whose modules may sit on an import cycle."""

Graph = dict[str, set[str]]


def package_modules(package: str, directory: Path) -> dict[str, Path]:
    """Module name → file, for every .py file under `directory` (`__init__` is the package)."""
    modules: dict[str, Path] = {}
    for path in sorted(directory.rglob("*.py")):
        relative = path.relative_to(directory)
        if any(part in {"__pycache__", "cdk.out", "node_modules"} for part in relative.parts):
            continue
        parts = [package, *relative.with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """`name` if it is one of ours, else its longest prefix that is (an attribute of a module)."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def _imported_names(module: str, path: Path) -> Iterator[str]:
    """Every dotted name `module` imports: `import a.b` gives a.b, `from a import b` gives a.b."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                anchor = package[: len(package) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                yield f"{base}.{alias.name}" if alias.name != "*" else base


def import_graph(packages: dict[str, Path] = PACKAGES) -> Graph:
    """Module → the modules of `packages` it imports (itself excluded)."""
    modules: dict[str, Path] = {}
    for package, directory in packages.items():
        modules.update(package_modules(package, directory))
    graph: Graph = {}
    for module, path in modules.items():
        targets = {_known(name, modules) for name in _imported_names(module, path)}
        graph[module] = {target for target in targets if target and target != module}
    return graph


def cycles(graph: Graph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = lowlink[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(graph.get(module, ())):
            if target not in index:
                visit(target)
                lowlink[module] = min(lowlink[module], lowlink[target])
            elif target in on_stack:
                lowlink[module] = min(lowlink[module], index[target])
        if lowlink[module] == index[module]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(found)


def test_the_cycle_finder_finds_a_cycle_and_nothing_else() -> None:
    graph: Graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]


def test_the_graph_sees_type_checking_function_level_and_relative_imports(
    tmp_path: Path,
) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("from . import c\n")
    (package / "a.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.b import B\n"
    )
    (package / "b.py").write_text("def load():\n    from .a import A\n")
    (package / "sub" / "c.py").write_text("from ..a import A\nimport os\n")
    graph = import_graph({"pkg": package})
    assert graph == {
        "pkg": set(),
        "pkg.a": {"pkg.b"},
        "pkg.b": {"pkg.a"},
        "pkg.sub": {"pkg.sub.c"},
        "pkg.sub.c": {"pkg.a"},
    }
    assert cycles(graph) == [["pkg.a", "pkg.b"]]


@pytest.mark.parametrize("package", ACYCLIC)
def test_no_import_cycle(package: str) -> None:
    offending = [
        component
        for component in cycles(import_graph())
        if any(module.split(".")[0] == package for module in component)
    ]
    assert not offending, f"import cycles in {package}: {offending}"
