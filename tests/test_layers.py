"""The package's shape, read from its source: one-way layers, no import cycles, small modules.

Every import counts, those inside functions included (a lazy import is still a dependency); an
import under ``if TYPE_CHECKING:`` counts too (it never runs, but a type named in both directions
ties two modules together as much as a call does). The layers, bottom up:

* ``cptkg.core``: RDF and SPARQL; imports nothing of the package above it;
* the capabilities (``reasoning``, ``validation``, ``checks``, ``terminology``, ``variants``,
  ``claims``, ``report``, ``serve``): each imports the core, itself, and only the other
  capabilities written down in :data:`CAPABILITY_USES`;
* ``cptkg.api``: the knowledge graph with a door to each capability;
* ``cptkg.cli``: the command line, on top; nothing imports it but ``cptkg.__main__``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .conftest import ROOT

PACKAGE = ROOT / "cptkg"
CAPABILITIES = ("reasoning", "validation", "checks", "terminology", "variants", "claims", "report", "serve")
#: The only imports from one capability into another (ARCHITECTURE.md says why each is there).
CAPABILITY_USES = {
    "checks": {"reasoning"},  # checks run on the closure
    "claims": {"terminology", "variants"},  # ICD-10-CM lineage; the variant column judged by the variant scope
    "serve": {"reasoning"},  # the endpoint serves the closure as one more named graph
}
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[tuple[str, bool]]:
    """``(imported cptkg module, whether only under TYPE_CHECKING)`` for every import of a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    typing_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            typing_only |= {id(child) for statement in node.body for child in ast.walk(statement)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            # "from . import x" names a module when x is one
            targets = [
                f"{base}.{alias.name}" if (_is_module(f"{base}.{alias.name}")) else base for alias in node.names
            ]
        else:
            continue
        found += [(target, id(node) in typing_only) for target in targets if target.split(".")[0] == "cptkg"]
    return found


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def layer(module: str) -> str:
    parts = module.split(".")
    if module in ("cptkg", "cptkg.__main__"):
        return "face"
    if parts[1] in ("core", "api", "cli"):
        return parts[1]
    assert parts[1] in CAPABILITIES, f"{module} is in no layer: add its package to CAPABILITIES or to the core"
    return parts[1]


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}
EDGES = {name: imports_of(path) for name, path in MODULES.items()}


def allowed(source: str, target: str) -> bool:
    """Whether the layers let ``source`` import ``target``."""
    mine, theirs = layer(source), layer(target)
    if theirs == "core" or mine == theirs:
        return True
    if mine == "core":
        return False
    if theirs == "cli":
        return source == "cptkg.__main__"
    if mine in CAPABILITIES:
        return theirs in CAPABILITY_USES.get(mine, set())
    if mine == "api":
        return theirs in CAPABILITIES
    if mine == "cli":
        return theirs in (*CAPABILITIES, "api")
    return theirs == "api"  # the package's face re-exports the API


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_run_one_way(module):
    wrong = sorted({target for target, _ in EDGES[module] if not allowed(module, target)})
    assert not wrong, f"{module} ({layer(module)}) must not import {', '.join(wrong)}"


def test_the_layer_rule_can_fail():
    assert not allowed("cptkg.core.graph", "cptkg.checks")
    assert not allowed("cptkg.claims.rules", "cptkg.checks.run")
    assert not allowed("cptkg.report.docs", "cptkg.cli")
    assert not allowed("cptkg.api", "cptkg.cli.query")
    assert allowed("cptkg.claims.tables", "cptkg.variants")


def test_no_import_cycles():
    graph = {name: {t for t, _ in EDGES[name] if t in MODULES} for name in MODULES}
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycle = path[path.index(target) :] + [target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_and_functions_stay_small(module):
    source = MODULES[module].read_text(encoding="utf-8")
    assert len(source.splitlines()) <= MAX_MODULE_LINES, f"{module} is over {MAX_MODULE_LINES} lines: split it"
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, f"{module}: functions over {MAX_FUNCTION_LINES} lines: {', '.join(long)}"


def test_every_sparql_text_is_a_query_file():
    """Queries live in queries/; Python only runs them (a chain update built from the ontology is the exception)."""
    keywords = ("SELECT ", "INSERT ", "CONSTRUCT ", "ASK {", "DESCRIBE ")
    found = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        for node in ast.walk(tree):
            text = node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""
            if id(node) not in docstrings and "WHERE" in text and any(keyword in text for keyword in keywords):
                found.append(f"{module}: {text[:50]!r}")
    assert found == [], found
