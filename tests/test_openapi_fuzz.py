"""A bounded schemathesis run over the OpenAPI description: generated requests for every
operation, against the real app over a real store on disk; no answer may be a server
error, and every status returned must be one the description documents."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from links_fixture import DOCS, write
from schemathesis.checks import not_a_server_error, status_code_conformance
from starlette.testclient import TestClient

from api.app import create_app
from graph.derived import rebuild_links
from graph.oxigraph_store import OxigraphStore
from policykg.settings import get_settings

#: Generated cases per operation (bounded: the run is part of every CI run).
EXAMPLES = 25


def _app(root: Path):  # type: ignore[no-untyped-def]
    path = root / "store"
    store = OxigraphStore(path)
    write(store, DOCS)
    rebuild_links(store)
    return create_app(get_settings(store=str(path), query_timeout_s=5), store=store)


_ROOT = Path(__import__("tempfile").mkdtemp(prefix="policykg-fuzz-"))
APP = _app(_ROOT)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def running_app():  # type: ignore[no-untyped-def]
    # The lifespan opens the app context (caches, runner) the routes need.
    with TestClient(APP):
        yield


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_no_server_error_and_every_status_documented(case: schemathesis.Case) -> None:
    response = case.call()
    case.validate_response(response, checks=[not_a_server_error, status_code_conformance])
