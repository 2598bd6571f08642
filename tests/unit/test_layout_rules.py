"""Architecture rules of convex_ssot (docs/architecture.md): no import cycle between its
modules, no module over the size limit, and no module reaching into another module's
private names. Imports are read with :mod:`ast` (also those inside functions), so a lazy
import cannot hide a cycle."""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

import convex_ssot

PKG_DIR = Path(convex_ssot.__file__).parent
#: The most lines a module may have (the developers' guide: "no module over ~600 lines").
MAX_LINES = 600


def _module_name(path: Path) -> str:
    rel = path.relative_to(PKG_DIR.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


@lru_cache(maxsize=1)
def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PKG_DIR.rglob("*.py"))}


def _imports(name: str, path: Path, known: dict[str, Path]) -> list[tuple[str, list[str], int]]:
    """(imported module, names taken from it, line) for each import of ``path`` that names
    a module of convex_ssot; ``from pkg import mod`` counts as an import of ``pkg.mod``."""
    is_pkg = path.name == "__init__.py"
    here = name.split(".") if is_pkg else name.split(".")[:-1]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name in known:
                    out.append((a.name, [], node.lineno))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)] if node.level > 1 else here
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [a.name for a in node.names]
            taken = []
            for n in names:
                sub = f"{target}.{n}"
                if sub in known:
                    out.append((sub, [], node.lineno))
                else:
                    taken.append(n)
            if target in known and (taken or not names):
                out.append((target, taken, node.lineno))
    return out


@lru_cache(maxsize=1)
def _graph() -> dict[str, set[str]]:
    known = _modules()
    return {name: {t for t, _, _ in _imports(name, path, known) if not _is_ancestor(t, name)} for name, path in known.items()}


def _is_ancestor(target: str, name: str) -> bool:
    """``name`` is ``target`` or inside it: Python imports a module's packages before the
    module, so ``from .. import __version__`` adds no edge a cycle could run through."""
    return name == target or name.startswith(target + ".")


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` (as a list of modules), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state:
            found = visit(n)
            if found:
                return found
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_the_import_graph_is_read():
    graph = _graph()
    assert "convex_ssot.interp.core" in graph["convex_ssot.resolve.project"]
    assert "convex_ssot.interp.packages" in graph["convex_ssot.packages.convex_values"]


def test_no_import_cycle_between_modules():
    """A module imported by a package's ``__init__`` is no cycle of the package with itself:
    the graph is of modules, and ``pkg/__init__.py`` is the module ``pkg``."""
    assert _cycle(_graph()) is None


def test_the_interpreter_core_imports_no_package_knowledge():
    graph = _graph()
    core = [n for n in graph if n.startswith("convex_ssot.interp")]
    assert core
    for n in core:
        assert not any(m.startswith("convex_ssot.packages") for m in graph[n]), n


def test_no_module_imports_another_modules_private_names():
    known = _modules()
    bad = []
    for name, path in known.items():
        for target, taken, line in _imports(name, path, known):
            bad.extend(f"{path.name}:{line} takes {n} from {target}" for n in taken if n.startswith("_") and not n.startswith("__"))
    assert bad == []


def test_no_module_is_over_the_size_limit():
    over = {name: n for name, p in _modules().items() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert over == {}
