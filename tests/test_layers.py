"""The package's layers (CONVENTIONS.md): imports go down, never in a cycle.

Read statically from the source (``import hotfuse.frontends`` at run time always loads
``hotfuse/__init__`` and with it the whole engine, so a run-time probe would prove
nothing). Module-level imports must point to a lower layer; an import inside a function
may reach up (``fuse()`` asks the frontend registry lazily, ``Lexicon.load`` calls the
TOML reader), except that frontends and formats never reach the engine at all.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "hotfuse"

# bottom up; a module may import at module level only from a lower rank (or its own
# sub-package). Sub-packages take the rank of their top name.
RANKS = {
    "errors": 0,
    "_tables": 0,  # the compact tables: no hotfuse import at module level (phonetics reads them)
    "_scan_kernel": 0,  # the compiled scan's loops and arrays: numpy only (numba lazily)
    "_files": 1,
    "_scan": 1,  # which pinyin scan runs (imports the kernel module only when it is chosen)
    "_data": 1,
    "transcript": 1,
    "phonetics": 1,
    "english": 2,
    "config": 2,
    "lexicon": 2,
    "simulate": 2,
    "match": 3,
    "metrics": 3,
    "calibration": 3,
    "learn": 3,
    "_progress": 1,
    "result": 3,
    "fuser": 4,
    "formats": 5,
    "frontends": 5,
    "stream": 5,
    "runners": 5,
    "tune": 6,
    "report": 6,
    "demo": 6,
    "lexicon_cache": 6,
    "cli_lexicon": 7,
    "cli_eval": 7,
    "cli_transcribe": 7,
    "webui": 7,
    "scale": 7,
    "cli": 8,
    "__main__": 9,
}
ENGINE = {"hotfuse.fuser", "hotfuse.match"}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PKG.rglob("*.py")):
        parts = path.relative_to(PKG.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """(module-level hotfuse imports, imports inside functions), TYPE_CHECKING blocks left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top: set[str] = set()
    lazy: set[str] = set()

    def visit(node: ast.AST, inside: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            nested = inside or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            names: list[str] = []
            if isinstance(child, ast.Import):
                names = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                names = [child.module] + [f"{child.module}.{a.name}" for a in child.names]
            for n in names:
                if n.split(".")[0] == "hotfuse":
                    (lazy if nested else top).add(n)
            visit(child, nested)

    visit(tree, False)
    return top, lazy


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def _rank(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1:  # the package's __init__: the public surface, on top
        return 10
    return RANKS[parts[1]]


MODULES = _modules()


def test_every_module_has_a_layer() -> None:
    missing = sorted(m for m in MODULES if m != "hotfuse" and m.split(".")[1] not in RANKS)
    assert missing == [], f"add these modules to RANKS: {missing}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m != "hotfuse"))
def test_module_level_imports_go_down(module: str) -> None:
    top, _ = _imports(MODULES[module])
    upward = []
    for name in top:
        target = _resolve(name, MODULES)
        if target is None or target in ("hotfuse", module):
            continue
        same_package = target.split(".")[:2] == module.split(".")[:2]
        if not same_package and _rank(target) >= _rank(module):
            upward.append(target)
    assert sorted(set(upward)) == []


@pytest.mark.parametrize(
    "module", sorted(m for m in MODULES if m.startswith(("hotfuse.frontends", "hotfuse.formats")))
)
def test_frontends_and_formats_never_import_the_engine(module: str) -> None:
    top, lazy = _imports(MODULES[module])
    reached = {_resolve(n, MODULES) for n in top | lazy}
    assert reached & ENGINE == set()


def test_no_import_cycle_at_module_level() -> None:
    graph = {
        m: {t for n in _imports(p)[0] if (t := _resolve(n, MODULES)) not in (None, m, "hotfuse")}
        for m, p in MODULES.items()
        if m != "hotfuse"
    }
    state: dict[str, int] = {}
    cycle: list[str] = []

    def walk(node: str, stack: list[str]) -> bool:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycle.extend([*stack[stack.index(nxt) :], nxt] if nxt in stack else [nxt])
                return True
            if nxt not in state and walk(nxt, [*stack, nxt]):
                return True
        state[node] = 2
        return False

    for m in sorted(graph):
        if m not in state and walk(m, [m]):
            break
    assert cycle == []


def test_the_check_sees_a_real_import() -> None:
    """Not vacuous: the frontends' base module does import the result types."""
    top, _ = _imports(MODULES["hotfuse.frontends._base"])
    assert "hotfuse.result" in top
