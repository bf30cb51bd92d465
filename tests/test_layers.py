"""The layer map: no kbctl module imports from a layer above its own.

Layers, bottom to top (see the architecture section of the README):
config and plain values -> the outside systems (articles, history, ownership, search) ->
policy and rules -> workspace -> render -> cli. A module may import from its own layer and
from the layers below. Every import counts, also one inside a function or under
``TYPE_CHECKING``: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kbctl"

# Module (or package) name -> layer number; the longest matching name decides.
LAYERS: dict[str, int] = {
    # 0: plain data, configuration, helpers every layer may use
    "kbctl": 0,  # the package itself: __version__ only
    "kbctl.model": 0,
    "kbctl.errors": 0,
    "kbctl.values": 0,
    "kbctl.textsafe": 0,
    "kbctl.cachefile": 0,
    "kbctl.config": 0,
    "kbctl.settings": 0,
    # 1: the outside systems: article files, git, ownership files, the search index
    "kbctl.articles": 1,
    "kbctl.history": 1,
    "kbctl.ownership": 1,
    "kbctl.search": 1,
    "kbctl.selection": 1,
    "kbctl.init": 1,
    "kbctl.usage": 1,
    # 2: policy over the facts
    "kbctl.policy": 2,
    "kbctl.rules": 2,
    "kbctl.export": 2,
    "kbctl.capture": 2,
    "kbctl.duplicates": 2,
    "kbctl.report": 2,
    # 3: the application layer
    "kbctl.workspace": 3,
    # 4: output
    "kbctl.render": 4,
    "kbctl.mcp": 4,  # a surface beside the renderers: the MCP server (no Typer, no Rich)
    # 5: the command line
    "kbctl.cli": 5,
    "kbctl.interactive": 5,
    "kbctl.__main__": 5,
}

# Imports that still run upwards, as (importer, imported module). The list may only shrink:
# a listed edge that no longer exists fails the test, so remove it here when it goes.
KNOWN_VIOLATIONS: frozenset[tuple[str, str]] = frozenset()


def module_name(path: Path) -> str:
    """The dotted name of the module in ``path`` (a package is named by its folder)."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(name: str) -> bool:
    """Whether ``name`` is a module or package inside kbctl."""
    relative = Path(*name.split("."))
    base = PACKAGE.parent / relative
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def imported_modules(path: Path) -> set[str]:
    """Every kbctl module that the file at ``path`` imports, wherever the import stands."""
    return imports_in(path.read_text(encoding="utf-8"), module_name(path), path.name)


def imports_in(source: str, name: str, file_name: str = "module.py") -> set[str]:
    """The kbctl modules imported by ``source``, the code of module ``name``."""
    package = name if file_name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                source_module = ".".join([*anchor, *([node.module] if node.module else [])])
            else:
                source_module = node.module or ""
            for alias in node.names:
                # ``from kbctl import owners`` imports the module kbctl.owners
                candidate = f"{source_module}.{alias.name}"
                found.add(candidate if is_module(candidate) else source_module)
    return {module for module in found if module == "kbctl" or module.startswith("kbctl.")}


def layer_of(module: str) -> int:
    """The layer of ``module``: that of the longest name in LAYERS that contains it."""
    parts = module.split(".")
    for size in range(len(parts), 0, -1):
        prefix = ".".join(parts[:size])
        if prefix in LAYERS:
            return LAYERS[prefix]
    raise KeyError(module)


def import_edges() -> set[tuple[str, str]]:
    """(importer, imported) for every kbctl import inside the package."""
    edges: set[tuple[str, str]] = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        importer = module_name(path)
        edges.update((importer, imported) for imported in imported_modules(path))
    return edges


def upward_edges() -> set[tuple[str, str]]:
    """The imports that go from a lower layer to a higher one."""
    return {(a, b) for a, b in import_edges() if layer_of(a) < layer_of(b)}


def test_every_module_has_a_layer() -> None:
    modules = {module_name(path) for path in PACKAGE.rglob("*.py")}
    unplaced = sorted(module for module in modules if _unplaced(module))
    assert not unplaced, f"add these modules to LAYERS in tests/test_layers.py: {unplaced}"


def _unplaced(module: str) -> bool:
    try:
        layer_of(module)
    except KeyError:
        return True
    return False


def test_no_import_runs_up_the_layers() -> None:
    new = sorted(upward_edges() - KNOWN_VIOLATIONS)
    assert not new, "imports from a lower layer to a higher one:\n" + "\n".join(
        f"  {a} (layer {layer_of(a)}) imports {b} (layer {layer_of(b)})" for a, b in new
    )


def test_known_violations_still_exist() -> None:
    """The list stays true: a fixed violation must be removed from KNOWN_VIOLATIONS."""
    gone = sorted(KNOWN_VIOLATIONS - upward_edges())
    assert not gone, f"no longer violations, remove them from KNOWN_VIOLATIONS: {gone}"


@pytest.mark.parametrize("lower", ["kbctl.policy", "kbctl.rules"])
def test_history_imports_no_policy(lower: str) -> None:
    """The history reads git; what is due or overdue is decided above it, in policy."""
    history = {(a, b) for a, b in import_edges() if a.startswith("kbctl.history")}
    assert not [(a, b) for a, b in history if b == lower or b.startswith(lower + ".")]


def test_the_checker_sees_every_kind_of_import() -> None:
    """Imports inside functions, under TYPE_CHECKING and relative ones all count."""
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from kbctl.render.table import print_stale\n"
        "def later():\n"
        "    import kbctl.cli.app\n"
        "    from kbctl import ownership\n"
        "    from . import walk\n"
        "    from ..policy import review\n"
        "import json\n"
    )
    assert imports_in(source, "kbctl.history.read") == {
        "kbctl.render.table",
        "kbctl.cli.app",
        "kbctl.ownership",
        "kbctl.history.walk",
        "kbctl.policy.review",
    }


def readme_layers() -> dict[str, int]:
    """Module -> layer, as the table in the README's "How it is built" section says."""
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How it is built", 1)[1].split("\n## ", 1)[0]
    found: dict[str, int] = {}
    for line in section.splitlines():
        cells = line.split("|")
        if len(cells) > 3 and cells[1].strip().isdigit():
            for name in re.findall(r"`([\w.]+/?)`", cells[2]):
                module = "kbctl." + name.rstrip("/").removesuffix(".py")
                found[module] = int(cells[1])
    return found


def test_the_readme_layer_map_matches_the_code() -> None:
    documented = readme_layers()
    placed = {name: layer for name, layer in LAYERS.items() if name.count(".") == 1}
    placed.pop("kbctl.__main__")
    assert documented == placed
    for module in documented:
        path = PACKAGE / module.split(".", 1)[1]
        assert path.is_dir() or path.with_suffix(".py").is_file(), module
