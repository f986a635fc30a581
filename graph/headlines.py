"""One-sentence headlines built from the facts: "China launches the Global Initiative on
Data Security", "United States opposes destructive anti-satellite missile tests".

The sentences are data (``ontology/headlines.toml``: a template per event type, per
stance polarity and for documents); this module only fills them in.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

_ARTICLES = ("the ", "a ", "an ")


@cache
def templates() -> dict[str, Any]:
    """The headline templates of ``ontology/headlines.toml``."""
    data = resources.files("ontology").joinpath("headlines.toml").read_text(encoding="utf-8")
    return tomllib.loads(data)


def _phrase(label: str, entity_type: str | None) -> str:
    """A name as it stands in a sentence: "the" before an initiative, instrument, forum or
    organisation that does not carry an article already.

    >>> _phrase("Global Initiative on Data Security", "Initiative"), _phrase("China", "State")
    ('the Global Initiative on Data Security', 'China')
    """
    if entity_type in templates()["articles"]["types"] and not label.lower().startswith(_ARTICLES):
        return "the " + label
    return label


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def event_headline(event_type: str, subject: str, *, subject_type: str | None = None,
                   actor: str | None = None) -> str:
    """The headline of an event.

    >>> event_headline("launch", "Global Initiative on Data Security", subject_type="Initiative",
    ...                actor="China")
    'China launches the Global Initiative on Data Security'
    >>> event_headline("adopt", "Pact for the Future", subject_type="Instrument")
    'The Pact for the Future is adopted'
    >>> event_headline("teleport", "Moon Base", actor="Atlantis")
    'Atlantis: teleport, Moon Base'
    """
    chosen = templates()["event"].get(event_type)
    if chosen is None:
        return f"{actor}: {event_type}, {subject}" if actor else f"{subject}: {event_type}"
    phrase = _phrase(subject, subject_type)
    template = chosen["actor"] if actor else chosen["no_actor"]
    return _capitalised(template.format(actor=actor or "", subject=phrase, Subject=_capitalised(phrase)))


def stance_headline(holder: str, polarity: str, target: str) -> str:
    """The headline of a stance.

    >>> stance_headline("United States", "oppose", "destructive anti-satellite missile tests")
    'United States opposes destructive anti-satellite missile tests'
    """
    template = templates()["stance"].get(polarity, "{holder} " + polarity + "s {target}")
    return _capitalised(template.format(holder=holder, target=" ".join(target.split())))


def document_headline(title: str | None, who: str | None = None) -> str:
    """The headline of a document slide: who speaks and the title.

    >>> document_headline("Remarks at the Conference on Disarmament", "Li Song")
    'Li Song: Remarks at the Conference on Disarmament'
    """
    shown = " ".join((title or "untitled").split())
    document = templates()["document"]
    if who and who.casefold() not in shown.casefold():
        return document["who"].format(who=who, title=shown)
    return document["no_who"].format(title=shown)
