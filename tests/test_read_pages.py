"""Pages read with the quotes of the page only (graph.read.stances.position_page,
graph.read.timeline.timeline_page) are the same items, in the same order, with the same
quotes as the whole list read with every quote and then cut: on a real store on disk."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from links_fixture import DOCS, E, write

from graph.oxigraph_store import OxigraphStore
from graph.read.catalogue import Catalogue, load_catalogue
from graph.read.stances import position_page, stance_records
from graph.read.tables import event_rows, sorted_rows, stance_rows, stance_rows_page
from graph.read.timeline import timeline_entries, timeline_page

PAGES = [(limit, offset) for limit in (1, 2, 3, 50) for offset in range(0, 12)]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[OxigraphStore, Catalogue]]:
    opened = OxigraphStore(tmp_path_factory.mktemp("pages") / "store")
    write(opened, DOCS)
    yield opened, load_catalogue(opened)
    opened.close()


@pytest.mark.parametrize("holder", ["china", "russia"])
def test_stance_pages_match_the_quoted_list(store: tuple[OxigraphStore, Catalogue], holder: str) -> None:
    db, catalogue = store
    whole = sorted(stance_records(db, catalogue, holder=E(holder)), key=lambda r: r.position_key)
    assert len(whole) >= 3 and all(r.evidence is not None for r in whole)
    bare = stance_records(db, catalogue, holder=E(holder), quotes=False)
    assert all(r.evidence is None for r in bare)
    for limit, offset in PAGES:
        assert position_page(db, bare, limit, offset) == whole[offset : offset + limit], (limit, offset)


@pytest.mark.parametrize(
    "filters",
    [{"actor": E("china")}, {"entity": E("gids")}, {"actor": E("russia")}],
)
def test_timeline_pages_match_the_quoted_list(
    store: tuple[OxigraphStore, Catalogue], filters: dict[str, str]
) -> None:
    db, catalogue = store
    asked = {
        "entity": None,
        "topic": None,
        "actor": None,
        "forum": None,
        "start": None,
        "end": None,
        **filters,
    }
    whole = timeline_entries(db, catalogue, **asked)  # type: ignore[arg-type]
    assert len(whole) >= 3 and all(e.evidence is not None for e in whole if e.kind == "stance")
    bare = timeline_entries(db, catalogue, **asked, quotes=False)  # type: ignore[arg-type]
    subject = filters.get("entity")
    for limit, offset in PAGES:
        shown = timeline_page(db, bare, limit, offset, entity=subject, forum=None)
        assert shown == whole[offset : offset + limit], (limit, offset)


@pytest.mark.parametrize("actor", ["china", "russia"])
def test_events_of_an_actor_are_those_of_the_whole_table(
    store: tuple[OxigraphStore, Catalogue], actor: str
) -> None:
    # event_rows reads only the (subject, type) pairs the actor has a report of
    db, catalogue = store
    label = catalogue.entity_label(E(actor))
    mine = event_rows(db, catalogue, actor=E(actor))
    assert mine and mine == [r for r in event_rows(db, catalogue) if r.actor == label]


@pytest.mark.parametrize("holder", ["china", "russia", None])
def test_stance_table_pages_match_the_whole_table(
    store: tuple[OxigraphStore, Catalogue], holder: str | None
) -> None:
    db, catalogue = store
    filters = {"holder": E(holder) if holder else None}
    whole = sorted_rows(stance_rows(db, catalogue, **filters), "date")
    assert len(whole) >= 3
    for limit, offset in PAGES:
        total, rows = stance_rows_page(db, catalogue, limit=limit, offset=offset, **filters)
        assert (total, rows) == (len(whole), whole[offset : offset + limit]), (limit, offset)
