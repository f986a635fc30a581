"""ARCHITECTURE.md lists every module of the architecture's packages: a new module that the
table does not name fails here, so the map a newcomer reads stays whole."""

from __future__ import annotations

import re
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
