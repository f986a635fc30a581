"""The sample corpus (../shared/corpus) ingested for real, for the test modules that read
it: one store per module (a module may not see another's writes), made the same way."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.ingest import IngestOptions, ingest_paths
from graph.oxigraph_store import OxigraphStore
from policykg.settings import get_settings

CORPUS = Path(__file__).parents[1] / ".." / "shared" / "corpus"

#: Mark a module that needs the sample corpus: it is skipped where ../shared is absent.
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the sample corpus is not at {CORPUS}")


def ingest_sample(path: Path) -> OxigraphStore:
    """A store at ``path`` holding the sample corpus (links included)."""
    store = OxigraphStore(path)
    report = ingest_paths(store, [CORPUS], IngestOptions(workers=1))
    assert report.ok, report.to_json()
    return store


def serve(store: OxigraphStore) -> Iterator[TestClient]:
    """The app over ``store``, running (its lifespan started) while the client is used."""
    with TestClient(create_app(get_settings(store=str(store.path)), store=store)) as client:
        yield client
