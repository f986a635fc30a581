"""Ingest under crashes and hostile files: the links graph survives a kill -9, ids never
collide silently, unreadable folders and odd files are reported, characters XML cannot
carry never reach the store, oversized or slow files are refused and the batch goes on.

Every test writes its own small files and uses a real store on disk; crashes are real
SIGKILLs of a child process at a chosen point.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from graph.derived import check_links, links_state, rebuild_links
from graph.ingest import ingest_paths, stored_documents
from graph.oxigraph_store import OxigraphStore
from ontology.namespace import LINKS_GRAPH
from policykg.settings import get_settings

ROOT = Path(__file__).resolve().parents[1]
LINKS = str(LINKS_GRAPH)

# Small texts of our own that give the links graph something to derive: an initiative
# launched, then invoked; stances of one holder.
FIRST = (
    "Remarks at the Conference on Disarmament\n\nGeneva, 8 September 2020\n\n"
    "Today China launched the Global Initiative on Data Security.\n"
    "China firmly supports multilateral talks on data rules.\n"
)
SECOND = (
    "Statement at the United Nations Security Council\n\nNew York, 23 May 2022\n\n"
    "We recall the Global Initiative on Data Security proposed by China.\n"
    "China opposes unilateral sanctions.\n"
)
THIRD = (
    "Statement at the United Nations General Assembly\n\nNew York, 20 September 2023\n\n"
    "China welcomes the Global Initiative on Data Security as a basis for common rules.\n"
)


def write_corpus(folder: Path, count: int = 3) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in list(zip(("first", "second", "third"), (FIRST, SECOND, THIRD), strict=True))[:count]:
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def links_snapshot(store: OxigraphStore) -> set[str]:
    return {str(q) for q in store.graph_quads(LINKS)}


def fresh_rebuild(store: OxigraphStore, where: Path) -> set[str]:
    """The links graph a full rebuild gives for the store's documents, in another store."""
    fresh = OxigraphStore(where)
    for graph in store.graphs():
        if graph != LINKS:
            fresh.replace_graph(graph, list(store.graph_quads(graph)))
    rebuild_links(fresh)
    snapshot = links_snapshot(fresh)
    fresh.close()
    return snapshot


# -- a child process that ingests and kills itself (SIGKILL) at a chosen point ------------

_CHILD = """
import os, signal, sys
from graph.oxigraph_store import OxigraphStore
from graph.ingest import ingest_paths
from policykg.settings import get_settings
import graph.derived as derived

def die(*_args, **_kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

point = sys.argv[3]
store = OxigraphStore(sys.argv[1])
if point == "before-refresh":
    # Documents written, links not refreshed yet.
    derived.refresh_links = die
elif point == "mid-rebuild":
    # A full rebuild too large for one transaction: killed after the drop, during the load.
    derived._ATOMIC_REWRITE_MAX = 0
    class Dying:
        def __init__(self, inner):
            self.inner = inner
        def __getattr__(self, name):
            return die if name == "bulk_extend" else getattr(self.inner, name)
        def __len__(self):
            return len(self.inner)
    store._store = Dying(store._store)
elif point == "mid-refresh":
    # The incremental refresh's one update request, killed as it is sent.
    real_update = store.update
    def update(sparql):
        if "documentsFingerprint" in sparql:
            die()
        return real_update(sparql)
    store.update = update
ingest_paths(store, [sys.argv[2]], get_settings(workers=1, auto_links=True))
print("not killed")
"""


def ingest_and_kill(store_path: Path, corpus: Path, point: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_CHILD), str(store_path), str(corpus), point],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert child.returncode == -signal.SIGKILL, (child.returncode, child.stdout, child.stderr[-2000:])


@pytest.mark.parametrize("point", ["before-refresh", "mid-rebuild"])
def test_links_survive_a_kill_during_the_first_ingest(tmp_path: Path, point: str) -> None:
    corpus = write_corpus(tmp_path / "docs")
    ingest_and_kill(tmp_path / "store", corpus, point)

    store = OxigraphStore(tmp_path / "store")
    assert sorted(stored_documents(store)) == ["first", "second", "third"]  # documents complete
    state = links_state(store)
    assert state.stale  # the kill left its mark ...
    check = check_links(store)
    assert not check.agrees and check.problems  # ... and validate says so
    # The rerun finds every document unchanged, and still repairs the links graph.
    report = ingest_paths(store, [corpus], get_settings(workers=1, auto_links=True))
    assert report.counts() == {"unchanged": 3} and report.ok
    assert not links_state(store).stale
    snapshot = links_snapshot(store)
    assert snapshot == fresh_rebuild(store, tmp_path / "fresh")
    assert any("LineageStep" in quad for quad in snapshot)
    assert check_links(store).agrees
    store.close()


def test_links_survive_a_kill_during_an_incremental_refresh(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "docs", count=2)
    store = OxigraphStore(tmp_path / "store")
    ingest_paths(store, [corpus], get_settings(workers=1, auto_links=True))
    assert check_links(store).agrees
    store.close()

    write_corpus(corpus, count=3)  # one more document
    ingest_and_kill(tmp_path / "store", corpus, "mid-refresh")

    store = OxigraphStore(tmp_path / "store")
    assert sorted(stored_documents(store)) == ["first", "second", "third"]
    assert links_state(store).pending == ("https://w3id.org/policykg/doc/third",)
    assert not check_links(store).agrees
    report = ingest_paths(store, [corpus], get_settings(workers=1, auto_links=True))
    assert report.counts() == {"unchanged": 3}
    assert links_snapshot(store) == fresh_rebuild(store, tmp_path / "fresh")
    assert check_links(store).agrees
    store.close()


def test_validate_sees_documents_written_behind_the_links_graph(tmp_path: Path) -> None:
    """A document graph changed without a refresh (a write outside ingest) is caught by
    the fingerprint; the CLI exits non-zero."""
    from click.testing import CliRunner

    from policykg.cli import main

    corpus = write_corpus(tmp_path / "docs", count=2)
    store = OxigraphStore(tmp_path / "store")
    ingest_paths(store, [corpus], get_settings(workers=1, auto_links=True))
    write_corpus(corpus, count=3)
    ingest_paths(store, [corpus / "third.txt"], get_settings(workers=1, auto_links=False))
    check = check_links(store)
    assert not check.agrees
    assert any("documents changed since the links graph was refreshed" in p for p in check.problems)
    store.close()
    result = CliRunner().invoke(main, ["--store", str(tmp_path / "store"), "validate", "--graph", "first"])
    assert result.exit_code == 1, result.output
    assert "links graph" in result.output and "does NOT agree" in result.output
