"""The query editor a browser gets at /sparql: YASGUI from the local npm install, drawn in
headless Chromium, running a query against the endpoint itself."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from api.app import create_app
from graph.oxigraph_store import OxigraphStore
from policykg.settings import get_settings

YASGUI = Path(__file__).parents[1] / "api" / "static" / "node_modules" / "@zazuko" / "yasgui" / "build"


@pytest.mark.chromium
def test_yasgui_editor_is_served_locally_and_drawn(
    tmp_path: Path, live_server: Any, chromium_dom: Callable[[str], str]
) -> None:
    assert (YASGUI / "yasgui.min.js").is_file(), "run `npm ci --prefix api/static` (make setup does)"
    store = OxigraphStore(tmp_path / "store")
    base = live_server(create_app(get_settings(store=str(tmp_path / "store")), store=store))
    dom = chromium_dom(base + "/sparql")
    # The editor (YASQE, a CodeMirror) and the results pane (YASR) were built by the script.
    assert re.search(r'class="[^"]*\byasqe\b', dom), dom[:3000]
    assert re.search(r'class="[^"]*\byasr\b', dom)
    assert "CodeMirror" in dom
    assert "pkg:Initiative" in dom  # the example query was put in the editor
