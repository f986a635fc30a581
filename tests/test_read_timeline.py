"""Timelines read from the store (graph.read.timeline, what the CLI and REST both answer
with), over the hand-made corpus of links_fixture written to a real store."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from links_fixture import DOCS, D, E, write

from graph.derived import rebuild_links
from graph.oxigraph_store import OxigraphStore
from graph.read.catalogue import load_catalogue
from graph.read.timeline import timeline_entries
from graph.timeline_records import TimelineEntry

SPACE = "https://w3id.org/policykg/topic/outer-space"
Read = Callable[..., list[TimelineEntry]]


@pytest.fixture(scope="module")
def read(tmp_path_factory: pytest.TempPathFactory) -> Read:
    store = OxigraphStore(tmp_path_factory.mktemp("timeline") / "store")
    write(store, DOCS)
    rebuild_links(store)
    catalogue = load_catalogue(store)

    def entries(**filters: Any) -> list[TimelineEntry]:
        wanted = {"entity": None, "topic": None, "actor": None, "forum": None, "start": None, "end": None}
        return timeline_entries(store, catalogue, **{**wanted, **filters})

    return entries


def test_timeline_of_a_forum(read: Read) -> None:
    entries = read(entity=E("unsc"))
    assert [(e.date, e.document.doc_id, e.what, e.reports_on) for e in entries] == [
        ("2022-05-23", "unsc-2022", "mentions, forum", None),
        ("2022-05-24", "news-2022", "mentions, forum", D("unsc-2022")),
        ("2024-09-28", "unga-2024", "mentions", None),
    ]
    assert entries[2].evidence is not None and entries[2].evidence.quote == "Security Council"
    assert [e.document.doc_id for e in read(entity=E("unsc"), start="2022-05-24", end="2023")] == [
        "news-2022"
    ]


def test_timeline_of_an_initiative_shows_one_launch_with_its_sources(read: Read) -> None:
    # Three documents report the launch as 2020, 2020-09 and 2020-09-08: one real event,
    # dated by its most precise report, all three attached as its sources.
    entries = read(entity=E("gids"), end="2021")
    assert [(e.kind, e.date, e.precision, e.what, e.document.doc_id) for e in entries] == [
        ("event", "2020-09-08", "day", "launch", "cd-2020"),
        ("document", "2020-09-08", "day", "mentions", "cd-2020"),
    ]
    launch = entries[0]
    assert [(s.document.doc_id, s.date) for s in launch.sources] == [
        ("cd-2020", "2020-09-08"), ("wp-2025", "2020-09"), ("unsc-2022", "2020"),
    ]
    assert all(s.evidence is not None and "launch" in s.evidence.quote.lower() for s in launch.sources)
    assert launch.to_json()["sources"][1]["reported_date"] == "2020-09"


def test_timeline_of_a_holders_stances_on_a_topic(read: Read) -> None:
    entries = read(actor=E("china"), topic=SPACE)
    assert [(e.date, e.document.doc_id, e.what, e.reports_on) for e in entries] == [
        ("2020-09-08", "cd-2020", "oppose: weaponization of outer space", None),
        ("2022-05-23", "unsc-2022", "support: peaceful uses of outer space", None),
        ("2022-05-24", "news-2022", "support: peaceful uses of outer space", D("unsc-2022")),
        ("2025-11", "wp-2025", "oppose: weaponization of outer space", None),
        ("2025-11", "wp-2025", "support: Treaty on the Prevention of the Placement of Weapons in Outer Space", None),
    ]
    assert entries[0].evidence is not None
    assert entries[0].evidence.quote == "China opposes the weaponization of outer space."
    with pytest.raises(ValueError, match="needs an entity"):
        read()
