"""Headlines from facts (graph.headlines) and the schema of their data file."""

from __future__ import annotations

import re

import pyoxigraph as ox

from graph.headlines import document_headline, event_headline, stance_headline, templates
from ontology.namespace import ONTOLOGY_DIR

PKG = "https://w3id.org/policykg/ontology#"


def event_types() -> set[str]:
    store = ox.Store()
    store.load(path=str(ONTOLOGY_DIR / "policykg.ttl"), format=ox.RdfFormat.TURTLE)
    rows = store.query(f"SELECT ?t WHERE {{ ?t a <{PKG}EventType> }}")
    return {row["t"].value.removeprefix(PKG) for row in rows}


def test_every_event_type_has_both_templates_with_known_slots() -> None:
    events = templates()["event"]
    assert event_types() <= set(events), sorted(event_types() - set(events))
    for name, forms in events.items():
        assert set(forms) == {"actor", "no_actor"}, name
        for form, template in forms.items():
            slots = set(re.findall(r"\{(\w+)\}", template))
            assert slots <= {"actor", "subject", "Subject"}, (name, form)
            assert slots & {"subject", "Subject"}, (name, form)
            assert ("actor" in slots) <= (form == "actor"), (name, form)


def test_event_headlines_read_as_sentences() -> None:
    assert event_headline("sign", "Artemis Accords", subject_type="Instrument", actor="Norway") == (
        "Norway signs the Artemis Accords"
    )
    assert event_headline("enter_into_force", "Treaty of Pelindaba", subject_type="Instrument") == (
        "The Treaty of Pelindaba enters into force"
    )
    assert event_headline("convene", "the Summit of the Future", subject_type="Forum") == (
        "The Summit of the Future convenes"
    )
    assert event_headline("veto", "draft resolution S/2099/1", subject_type="Instrument", actor="Ruritania") == (
        "Ruritania vetoes the draft resolution S/2099/1"
    )


def test_stance_and_document_headlines() -> None:
    assert stance_headline("Chile", "support", "a  ban on\nautonomous weapons") == (
        "Chile supports a ban on autonomous weapons"
    )
    assert document_headline("Statement by Chile on outer space", "Chile") == "Statement by Chile on outer space"
    assert document_headline(None) == "untitled"
