"""The pages an analyst opens, drawn in headless Chromium over a real server: the graph
explorer. Assertions on what is drawn (counts, the focus, the legend)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from links_fixture import DOCS, write

from api.app import create_app
from api.assets import missing_assets
from graph.derived import rebuild_links
from graph.oxigraph_store import OxigraphStore
from policykg.settings import get_settings


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    path = tmp_path_factory.mktemp("viewers") / "store"
    store = OxigraphStore(path)
    write(store, DOCS)
    rebuild_links(store)
    return store


def status_of(dom: str) -> dict[str, str]:
    match = re.search(r'<span id="status"([^>]*)>', dom)
    assert match, dom[:2000]
    return dict(re.findall(r'data-([a-z]+)="([^"]*)"', match.group(1)))


def drawn(dom: str) -> list[tuple[str, bool]]:
    block = re.search(r'<ul id="drawn"[^>]*>(.*?)</ul>', dom, re.DOTALL)
    assert block
    return [(re.sub(r"<[^>]+>", "", body).strip(), "data-focus" in attrs)
            for attrs, body in re.findall(r"<li([^>]*)>(.*?)</li>", block.group(1), re.DOTALL)]


@pytest.mark.chromium
def test_explorer_opened_on_an_initiative_draws_its_neighbourhood(
    store: OxigraphStore, live_server: Any, chromium_dom: Callable[[str], str]
) -> None:
    assert "/viewer/graph" not in missing_assets(), "run make setup: the explorer needs cytoscape"
    base = live_server(create_app(get_settings(store=str(Path(store.path))), store=store))
    dom = chromium_dom(f"{base}/viewer/graph?entity=Global%20Data%20Security%20Initiative")
    status = status_of(dom)
    assert status["state"] == "drawn", dom[-3000:]
    assert 2 <= int(status["nodes"]) <= 60 and int(status["edges"]) >= 1
    assert status["focus"] == "Global Initiative on Data Security"
    items = drawn(dom)
    assert ("Global Initiative on Data Security", True) in items
    assert sum(focus for _, focus in items) == 1
    assert "China" in {label for label, _ in items}
    legend = re.search(r'<ul id="legend-items">(.*?)</ul>', dom, re.DOTALL)
    assert legend and "opposes" in legend.group(1) and "Initiative" in legend.group(1)
    assert '<input id="entity"' in dom  # the search box


@pytest.mark.chromium
def test_explorer_without_an_entity_prompts_for_one(
    store: OxigraphStore, live_server: Any, chromium_dom: Callable[[str], str]
) -> None:
    base = live_server(create_app(get_settings(store=str(Path(store.path))), store=store))
    dom = chromium_dom(f"{base}/viewer/graph")
    assert status_of(dom)["state"] == "prompt"
    assert "Search for an entity to start from" in dom


@pytest.mark.chromium
def test_stance_view_shows_holders_by_years_with_marks(
    store: OxigraphStore, live_server: Any, chromium_dom: Callable[[str], str]
) -> None:
    base = live_server(create_app(get_settings(store=str(Path(store.path))), store=store))
    dom = chromium_dom(f"{base}/viewer/stances?topic=outer-space")
    match = re.search(r'<span id="status"([^>]*)>', dom)
    assert match
    status = dict(re.findall(r'data-([a-z]+)="([^"]*)"', match.group(1)))
    assert status["state"] == "drawn", dom[-3000:]
    assert int(status["holders"]) >= 2 and int(status["years"]) >= 2
    assert int(status["cells"]) >= 3
    assert int(status["shifts"]) >= 1  # Russia first supports, later opposes a target
    assert 'class="support">▲' in dom and 'class="oppose">▼' in dom
