"""Schema of the event lexicon ``ontology/event_triggers.toml`` and its ties to the vocabulary.

The lexicon is hand-written data: these tests are its type checker. Every event type it
declares must be a ``pkg:EventType`` of ``ontology/policykg.ttl`` and allowed by the SHACL
shape of events (``ontology/shapes.ttl``), or ``policykg validate`` would reject the events.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pyoxigraph as ox
import pytest

from loaders.event_lexicon import EventLexiconError, compile_lexicon, lexicon_types, load_event_lexicon

ONTOLOGY = Path(__file__).resolve().parents[1] / "ontology"
PKG = "https://w3id.org/policykg/ontology#"


def lexicon_data() -> dict:
    return tomllib.loads((ONTOLOGY / "event_triggers.toml").read_text(encoding="utf-8"))


def test_the_shipped_lexicon_compiles():
    lexicon = load_event_lexicon()
    assert [s.type for s in lexicon.specs] == lexicon_types(lexicon_data())
    assert lexicon.dated_subject_type in {s.type for s in lexicon.specs}


def test_every_event_type_is_declared_in_the_vocabulary_and_allowed_by_the_shapes():
    vocabulary = ox.Store()
    vocabulary.load(path=str(ONTOLOGY / "policykg.ttl"), format=ox.RdfFormat.TURTLE)
    declared = {
        str(q.subject.value)[len(PKG) :]
        for q in vocabulary.quads_for_pattern(
            None,
            ox.NamedNode("http://www.w3.org/2004/02/skos/core#inScheme"),
            ox.NamedNode(PKG + "EventTypes"),
        )
    }
    shapes = ox.Store()
    shapes.load(path=str(ONTOLOGY / "shapes.ttl"), format=ox.RdfFormat.TURTLE)
    allowed = {
        str(row["t"].value)[len(PKG) :]
        for row in shapes.query(
            "PREFIX sh: <http://www.w3.org/ns/shacl#> "
            "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
            "PREFIX pkg: <https://w3id.org/policykg/ontology#> "
            "SELECT ?t WHERE { ?p sh:path pkg:eventType ; sh:in/rdf:rest*/rdf:first ?t }"
        )
    }
    types = set(lexicon_types(lexicon_data()))
    assert types <= declared, types - declared
    assert types <= allowed, types - allowed


def test_each_trigger_finds_its_own_type():
    lexicon = load_event_lexicon()
    samples = {
        "launch": "was launched",
        "adopt": "the adoption of",
        "convene": "to be held",
        "veto": "vetoed",
        "enter_into_force": "entered into force",
        "expire": "expired",
        "meet": "met",
    }
    for kind, phrase in samples.items():
        match = lexicon.triggers.search(phrase)
        assert match is not None, phrase
        assert lexicon.trigger_of(match)[0].type == kind


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["trigger"][0].update(type="Launch!"), "lowercase name"),
        (lambda d: d["trigger"][1].update(type=d["trigger"][0]["type"]), "declared twice"),
        (lambda d: d["trigger"][0].update(past=[]), "'past' must be a non-empty list"),
        (lambda d: d["trigger"][0].update(past=["launch(ed"]), "bad pattern"),
        (lambda d: d["trigger"][0].update(subjects=["State"]), "subjects must be among"),
        (lambda d: d["trigger"][0].update(subject="patient"), "'subject' must be one of"),
        (lambda d: d["trigger"][0].pop("passive_subject_before"), "passive_subject_before"),
        (lambda d: d["dated_subject"].update(type="party"), "must be a trigger type"),
        (lambda d: d["dated_subject"].update(max_gap=0), "max_gap"),
        (lambda d: d.pop("now"), "missing [now]"),
        (lambda d: d.pop("grammar"), "missing [grammar]"),
        (lambda d: d["grammar"].update(clause_break="which"), "'clause_break' must be a non-empty list"),
    ],
)
def test_a_broken_lexicon_is_refused_with_a_message_naming_the_field(edit, message):
    data = copy.deepcopy(lexicon_data())
    edit(data)
    with pytest.raises(EventLexiconError, match=message.replace("[", r"\[").replace("]", r"\]")):
        compile_lexicon(data)
