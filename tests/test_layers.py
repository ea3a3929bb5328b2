"""The package's layers import one way, and no module imports itself through others.

The order, lowest first, is the one the README's tour gives. Imports are read
from the source (those inside functions too), so a lazy import cannot hide a
wrong direction.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "builder"
LAYERS = ("core", "text", "content", "incremental", "site", "build", "commands")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, modules: set[str]) -> set[str]:
    """The builder modules a file imports, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from builder.site import pages` imports builder.site.pages.
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            names = [name if name in modules else node.module for name in names]
        else:
            continue
        found.update(name for name in names if name.startswith("builder"))
    return found


def import_graph() -> dict[str, set[str]]:
    files = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {name: imported_modules(path, set(files)) for name, path in files.items()}


def layer_of(module: str) -> int | None:
    parts = module.split(".")
    if len(parts) < 2 or parts[1] not in LAYERS:
        return None  # builder itself and builder.__main__
    return LAYERS.index(parts[1])


def test_every_module_is_in_a_layer() -> None:
    loose = [m for m in import_graph() if layer_of(m) is None]
    assert sorted(loose) == ["builder", "builder.__main__"]


def test_no_layer_imports_a_higher_one() -> None:
    wrong = []
    for module, imports in sorted(import_graph().items()):
        own = layer_of(module)
        if own is None:
            continue
        for target in sorted(imports):
            other = layer_of(target)
            if other is not None and other > own:
                wrong.append(f"{module} imports {target} ({LAYERS[other]} is above {LAYERS[own]})")
    assert wrong == []


def test_no_import_cycle() -> None:
    graph = import_graph()
    cycles = []
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            cycles.append(" -> ".join([*path[path.index(module) :], module]))
            return
        if module in done:
            return
        for target in sorted(graph.get(module, ())):
            visit(target, [*path, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
    assert cycles == []


def test_the_package_itself_imports_nothing() -> None:
    """Importing builder (or a layer) must stay cheap: a no-change build imports little."""
    graph = import_graph()
    assert graph["builder"] == set()
    assert all(graph[f"builder.{layer}"] == set() for layer in LAYERS)


@pytest.mark.parametrize("layer", LAYERS)
def test_each_layer_says_what_it_may_import(layer: str) -> None:
    docstring = ast.get_docstring(ast.parse((PACKAGE / layer / "__init__.py").read_text()))
    assert docstring, f"builder/{layer}/__init__.py needs a docstring"
