"""snnzoo's layers (docs/design.md): each folder of the package is a layer, a module imports only
modules of its own layer or of layers below it, and no modules import each other in a circle.
Imports inside functions and under ``TYPE_CHECKING`` count: they are dependencies all the same."""

import ast
from pathlib import Path

import snnzoo

PACKAGE = Path(snnzoo.__file__).resolve().parent

LAYERS = [
    {"units", "errors", "safe_write", "cache_folder", "time_steps", "lazy", "version", "pint_import"},
    {"language"},
    {"engine", "plugins"},
    {"results"},
    {"network"},
    {"catalog"},
    {"sweeps", "testing"},
    {"cli"},
    {"__init__", "__main__"},
]
"""From the bottom up: the top-level modules and folders of snnzoo/ in each layer."""


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Every snnzoo module -> the snnzoo modules it imports (a package's names resolved to its modules)."""
    files = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    found: dict[str, set[str]] = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[:len(parts) - node.level + 1] + ([node.module] if node.module else []))
                targets |= {base} | {f"{base}.{alias.name}" for alias in node.names}
        found[name] = {target for target in targets if target in files and target != name}
    return found


def _layer(module: str) -> int:
    top = module.split(".")[1] if "." in module else "__init__"
    return next(rank for rank, members in enumerate(LAYERS) if top in members)


def test_every_module_of_snnzoo_has_a_layer():
    assert all(isinstance(_layer(name), int) for name in _imports())


def test_no_module_imports_one_of_a_higher_layer():
    upward = sorted(f"{name} imports {target}" for name, targets in _imports().items() for target in targets
                    if _layer(target) > _layer(name))
    assert upward == []


def test_no_modules_import_each_other_in_a_circle():
    graph = _imports()
    circles = []
    for start in graph:
        seen, stack = set(), [(start, [start])]
        while stack:
            node, route = stack.pop()
            for target in graph[node]:
                if target == start:
                    circles.append(" -> ".join(route + [start]))
                elif target not in seen:
                    seen.add(target)
                    stack.append((target, route + [target]))
    assert circles == []
