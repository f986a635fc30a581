"""The architecture holds: ARCHITECTURE.md lists every module of the architecture's packages
(a new module that the table does not name fails here, so the map a newcomer reads stays
whole), and imports go one way.

Layers, lowest first: ``ontology`` (data and names), ``loaders`` (extraction), ``graph``
(store, ingest, reads), then the edges ``api`` and ``policykg`` (CLI, settings). The import
graph is read from the source with :mod:`ast`: module-level imports, those under
``if TYPE_CHECKING:``, imports inside functions and those of doctest examples. Below the
edges a module imports nothing of a layer above it (so no ``policykg.settings``: settings
are read in the CLI and in ``create_app``, and what they say is passed down as arguments),
and no import cycle joins modules of a lower layer, whatever kind the imports are; at the
edges no module-level cycle.
"""

from __future__ import annotations

import ast
import doctest
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("loaders", "ontology", "graph", "api", "policykg")


def modules() -> list[str]:
    """Every Python module of the packages, as a path relative to the repository."""
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.name == "__init__.py" or "node_modules" in path.parts:
                continue
            found.append(path.relative_to(ROOT).as_posix())
    return found


def named_in_architecture() -> set[str]:
    """The module names ARCHITECTURE.md's text gives in backquotes (``x.py`` or ``pkg/x.py``)."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    return set(re.findall(r"`([\w/]+\.py)`", text))


@pytest.mark.parametrize("module", modules())
def test_module_is_in_architecture(module: str) -> None:
    named = named_in_architecture()
    name = Path(module).name
    package_relative = module.split("/", 1)[1]
    assert module in named or package_relative in named or name in named, (
        f"{module} is missing from ARCHITECTURE.md (name it in the table of its package)"
    )


def test_the_table_names_no_module_that_is_gone() -> None:
    existing = set(modules())
    names = {Path(m).name for m in existing} | {m.split("/", 1)[1] for m in existing} | existing
    stale = sorted(n for n in named_in_architecture() if n not in names and not n.startswith(("tests/", "bench")))
    assert not stale, f"ARCHITECTURE.md names modules that do not exist: {stale}"


# -- imports go one way ---------------------------------------------------------------------

#: Layer of each package: a module may import its own layer and those below.
LAYERS = {"ontology": 0, "loaders": 1, "graph": 2, "api": 3, "policykg": 3}
#: Packages below the edges: no upward import and no import cycle of any kind.
BELOW_THE_EDGES = ("ontology", "loaders", "graph")


@dataclass(frozen=True)
class Import:
    """One import of a project module by another, and how it is made."""

    source: str  # the importing module, dotted
    target: str  # the imported module, dotted
    line: int
    #: "module" (runs on import), "type-checking" (``if TYPE_CHECKING:``), "function"
    #: (inside a function body) or "doctest" (in a docstring example).
    kind: str

    def __str__(self) -> str:
        return f"{self.source} imports {self.target} (line {self.line}, {self.kind})"


def dotted(module: str) -> str:
    """``graph/read/paths.py`` -> ``graph.read.paths``."""
    return module.removesuffix(".py").replace("/", ".")


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(node: ast.AST, package: str, known: set[str]) -> Iterator[str]:
    """The project modules an import statement names (``from graph import rdf`` names the
    module ``graph.rdf``; a name defined in a package's ``__init__`` names the package)."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:  # relative: resolved against the importing module's package
            parts = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*parts, base] if base else parts)
        for alias in node.names:
            candidate = f"{base}.{alias.name}"
            yield candidate if candidate in known else base


def _statements(tree: ast.AST) -> Iterator[tuple[ast.AST, str]]:
    """Every import statement of a module with its kind."""

    def walk(node: ast.AST, kind: str) -> Iterator[tuple[ast.AST, str]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                yield child, kind
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                yield from walk(child, "function" if kind == "module" else kind)
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                for statement in child.body:
                    yield from walk(ast.Module(body=[statement], type_ignores=[]), "type-checking")
                for statement in child.orelse:
                    yield from walk(ast.Module(body=[statement], type_ignores=[]), kind)
            else:
                yield from walk(child, kind)

    yield from walk(tree, "module")


def _doctest_imports(tree: ast.AST) -> Iterator[tuple[ast.AST, int]]:
    """Import statements of the doctest examples of every docstring, with the line of
    the docstring."""
    parser = doctest.DocTestParser()
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        docstring = ast.get_docstring(node, clean=False)
        if not docstring or ">>>" not in docstring:
            continue
        line = node.body[0].lineno if node.body else 1
        for example in parser.get_examples(docstring):
            try:
                code = ast.parse(example.source)
            except SyntaxError:
                continue
            for statement in ast.walk(code):
                if isinstance(statement, (ast.Import, ast.ImportFrom)):
                    yield statement, line + example.lineno


def project_imports() -> list[Import]:
    """Every import of one project module by another (the packages of ``PACKAGES``)."""
    paths = {dotted(m): ROOT / m for m in modules()}
    packages = {
        dotted(p.parent.relative_to(ROOT).as_posix())
        for package in PACKAGES
        for p in (ROOT / package).rglob("__init__.py")
        if "node_modules" not in p.parts
    }
    known = set(paths) | packages
    found: list[Import] = []
    for source, path in paths.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        package = source.rsplit(".", 1)[0]
        statements = [(node, kind, getattr(node, "lineno", 0)) for node, kind in _statements(tree)]
        statements += [(node, "doctest", line) for node, line in _doctest_imports(tree)]
        for node, kind, line in statements:
            for target in _imported(node, package, known):
                if target in known and target != source:
                    found.append(Import(source, target, line, kind))
    return found


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the directed graph ``edges`` (module -> modules it imports), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def _layer(module: str) -> int:
    return LAYERS[module.split(".")[0]]


def test_imports_are_read_from_the_source() -> None:
    # The reader finds imports of every kind (a reader that finds none would pass the tests below).
    imports = project_imports()
    assert any(i.source == "graph.oxigraph_store" and i.target == "graph.store" and i.kind == "module"
               for i in imports)
    assert {i.kind for i in imports} == {"module", "type-checking", "function", "doctest"}
    assert any(i.source == "api.app" and i.target == "policykg.settings" for i in imports)


def test_no_module_below_the_edges_imports_a_layer_above() -> None:
    upward = [
        str(i) for i in project_imports()
        if i.source.split(".")[0] in BELOW_THE_EDGES and _layer(i.target) > _layer(i.source)
    ]
    assert not upward, "imports go one way (ontology < loaders < graph < api, policykg):\n" + "\n".join(upward)


def test_no_import_cycle_below_the_edges() -> None:
    edges: dict[str, set[str]] = {}
    for i in project_imports():
        if i.source.split(".")[0] in BELOW_THE_EDGES and i.target.split(".")[0] in BELOW_THE_EDGES:
            edges.setdefault(i.source, set()).add(i.target)
    cycle = _cycle(edges)
    assert cycle is None, f"import cycle: {' -> '.join(cycle or [])}"


def test_no_import_cycle_at_import_time() -> None:
    edges: dict[str, set[str]] = {}
    for i in project_imports():
        if i.kind in ("module", "type-checking"):
            edges.setdefault(i.source, set()).add(i.target)
    cycle = _cycle(edges)
    assert cycle is None, f"import cycle between modules: {' -> '.join(cycle or [])}"


def test_the_cycle_finder_finds_cycles() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b", "c"}, "b": {"c"}}) is None


def test_data_files_are_read_as_package_resources() -> None:
    # Ontology data go through importlib.resources (they load from an installed wheel or a
    # zip too), never through a path built from a module's __file__.
    found = []
    for module in modules():
        if module.split("/")[0] not in ("loaders", "graph"):
            continue
        tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
            alias = {a.name for a in node.names} if isinstance(node, ast.ImportFrom) else set()
            if name in ("__file__", "ONTOLOGY_DIR") or "ONTOLOGY_DIR" in alias:
                found.append(f"{module}:{getattr(node, 'lineno', 0)}")
    assert not found, "read ontology data with importlib.resources.files('ontology'): " + ", ".join(found)
