"""graph.read.saved: whole-store reads kept beside an embedded store while it is unchanged
(the catalogue; the search index's last sync), on real stores on disk."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from links_fixture import D, write

from api.app import create_app
from api.search_index import SearchIndex
from graph.oxigraph_store import OxigraphStore
from graph.read.catalogue import (
    catalogue_from_json,
    catalogue_json,
    load_catalogue,
    saved_catalogue,
    saved_catalogue_current,
)
from graph.read.saved import saved_path, store_fingerprint
from policykg.settings import get_settings


def _store(folder: Path, doc_ids: list[str]) -> None:
    store = OxigraphStore(folder)
    try:
        write(store, doc_ids)
    finally:
        store.close()


def _retitle(folder: Path, doc: str, title: str) -> None:
    """Change a title in the saved catalogue only (the store still says the old one)."""
    path = saved_path(folder, "catalogue")
    saved = json.loads(path.read_text())
    for row in saved["payload"]["documents"]:
        if row[0] == doc:
            row[2] = title
    path.write_text(json.dumps(saved))


def test_catalogue_survives_the_json_round_trip(tmp_path: Path) -> None:
    _store(tmp_path / "store", ["cd-2020", "unsc-2022", "news-2022", "unga-2021", "wp-2025"])
    store = OxigraphStore(tmp_path / "store", read_only=True)
    try:
        catalogue = load_catalogue(store)
    finally:
        store.close()
    again = catalogue_from_json(json.loads(json.dumps(catalogue_json(catalogue))))
    assert again == catalogue
    assert again.reports  # the news report of the Security Council speech
    assert again.resolve_entity("unsc") == again.resolve_entity("security council")


def test_saved_catalogue_is_reused_while_the_store_is_unchanged(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    _store(folder, ["cd-2020", "unsc-2022"])
    store = OxigraphStore(folder, read_only=True)
    try:
        assert not saved_catalogue_current(folder)
        first = saved_catalogue(store, folder)
        assert saved_path(folder, "catalogue").is_file()
        assert saved_catalogue_current(folder)
        _retitle(folder, D("cd-2020"), "Read from the saved file")
        assert saved_catalogue(store, folder).document(D("cd-2020")).title == "Read from the saved file"
        assert first.document(D("cd-2020")).title != "Read from the saved file"
        assert saved_catalogue(store, None) == first  # no folder: read from the store
    finally:
        store.close()


def test_saved_catalogue_is_read_again_when_the_store_changed(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    _store(folder, ["cd-2020"])
    store = OxigraphStore(folder, read_only=True)
    try:
        saved_catalogue(store, folder)
    finally:
        store.close()
    before = store_fingerprint(folder)
    _retitle(folder, D("cd-2020"), "Stale")
    _store(folder, ["unga-2021"])
    assert store_fingerprint(folder) != before
    assert not saved_catalogue_current(folder)
    store = OxigraphStore(folder, read_only=True)
    try:
        catalogue = saved_catalogue(store, folder)
        assert set(catalogue.by_doc_id) == {"cd-2020", "unga-2021"}
        assert catalogue.document(D("cd-2020")).title != "Stale"
        # ... and saved again for the new state
        _retitle(folder, D("unga-2021"), "Saved for the new state")
        assert saved_catalogue(store, folder).document(D("unga-2021")).title == "Saved for the new state"
    finally:
        store.close()


def test_a_corrupt_saved_catalogue_is_ignored(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    _store(folder, ["cd-2020"])
    store = OxigraphStore(folder, read_only=True)
    try:
        saved_catalogue(store, folder)
        saved_path(folder, "catalogue").write_text("{not json")
        assert set(saved_catalogue(store, folder).by_doc_id) == {"cd-2020"}
        saved = json.loads(saved_path(folder, "catalogue").read_text())  # written anew
        saved["payload"]["documents"] = [["too", "short"]]
        saved_path(folder, "catalogue").write_text(json.dumps(saved))
        assert set(saved_catalogue(store, folder).by_doc_id) == {"cd-2020"}
    finally:
        store.close()


def test_search_index_skips_the_scan_of_an_unchanged_store(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    _store(folder, ["cd-2020"])
    index = SearchIndex(folder / "search.sqlite3")
    store = OxigraphStore(folder)
    try:
        fingerprint = store_fingerprint(folder)
        assert index.sync(store, fingerprint=fingerprint) == (1, 0)
        assert index.synced_fingerprint() == fingerprint
        write(store, ["unga-2021"])
        # the same fingerprint: taken as the state already indexed, nothing read
        assert index.sync(store, fingerprint=fingerprint) == (0, 0)
        changed = store_fingerprint(folder)
        assert changed != fingerprint
        assert index.sync(store, fingerprint=changed) == (1, 0)
        assert index.sync(store) == (0, 0)  # without one: compared document by document
        assert [h.doc_id for h in index.search("Russia", kind="document")[1]] == ["unga-2021"]
    finally:
        store.close()
        index.close()


def test_a_fresh_server_answers_from_the_saved_catalogue(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    _store(folder, ["cd-2020", "unga-2021"])
    settings = get_settings(store=str(folder))

    def titles() -> dict[str, str]:
        with TestClient(create_app(settings)) as client:  # read-only: no update token
            response = client.get("/documents")
            assert response.status_code == 200
            return {item["id"]: item["title"] for item in response.json()["items"]}

    first = titles()
    assert saved_path(folder, "catalogue").is_file()
    _retitle(folder, D("cd-2020"), "From the saved catalogue")
    assert titles()["cd-2020"] == "From the saved catalogue"
    _store(folder, ["wp-2025"])
    assert titles() == {**first, "wp-2025": titles()["wp-2025"]}
