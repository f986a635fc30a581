"""Lineages a page at a time (graph.read.lineage.lineage_page, ``/lineage/{entity}?limit=&offset=``):
the pages of a lineage are its steps in order, each with its quote, on real stores on disk
(with the links graph's steps, and computed where the store has none)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from links_fixture import DOCS, E, write

from api.app import create_app
from graph.derived import rebuild_links
from graph.oxigraph_store import OxigraphStore
from graph.read.catalogue import load_catalogue
from graph.read.lineage import lineage_page, lineage_steps
from policykg.settings import get_settings

TEXTS = {d: doc.text for d, doc in DOCS.items()}


@pytest.fixture(scope="module", params=["links graph", "computed"])
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OxigraphStore]:
    opened = OxigraphStore(tmp_path_factory.mktemp("lineage") / "store")
    write(opened, DOCS)
    if request.param == "links graph":
        rebuild_links(opened)
    yield opened
    opened.close()


def _key(step: object) -> tuple[object, ...]:
    return (step.role, step.event_type, step.date, step.document.doc_id)  # type: ignore[attr-defined]


def test_pages_are_the_lineage_in_order_with_quotes(store: OxigraphStore) -> None:
    catalogue = load_catalogue(store)
    gids = E("gids")
    everything = lineage_steps(store, catalogue, gids)
    assert len(everything) == 3
    pages = [lineage_page(store, catalogue, gids, limit=2, offset=offset) for offset in (0, 2, 4)]
    assert [total for total, _ in pages] == [3, 3, 3]
    assert [[_key(s) for s in steps] for _, steps in pages] == [
        [_key(s) for s in everything[:2]],
        [_key(everything[2])],
        [],
    ]
    for _, steps in pages:
        for step in steps:
            assert step.evidence is not None
            quote = step.evidence
            assert TEXTS[step.document.doc_id][quote.start : quote.end] == quote.quote


def test_rest_lineage_pages(store: OxigraphStore) -> None:
    with TestClient(create_app(get_settings(store=str(store.path)), store=store)) as client:
        whole = client.get("/lineage/GDSI").json()
        assert (whole["total"], whole["limit"], whole["offset"], len(whole["steps"])) == (3, 100, 0, 3)
        second = client.get("/lineage/GDSI", params={"limit": 1, "offset": 1}).json()
        assert (second["total"], second["steps"]) == (3, whole["steps"][1:2])
        assert second["steps"][0]["evidence"]["quote"]
        assert client.get("/lineage/GDSI", params={"limit": 0}).status_code == 422


def test_no_store_path_is_needed(tmp_path: Path) -> None:
    # an in-memory store pages the same way (no folder involved)
    store = OxigraphStore(None)
    write(store, DOCS)
    rebuild_links(store)
    total, steps = lineage_page(store, load_catalogue(store), E("gids"), limit=1, offset=0)
    assert (total, [s.event_type for s in steps]) == (3, ["launch"])
