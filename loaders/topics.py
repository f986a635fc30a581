"""Topic assignment: which SKOS concept of ``ontology/topics.ttl`` a phrase is about.

Each concept's keywords are its ``skos:hiddenLabel`` values; a text gets the topic with the
most keyword hits. The stance stage asks for the topic of a target phrase, then of its
sentence, then of the heading above it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

_HIDDEN_LABEL = "http://www.w3.org/2004/02/skos/core#hiddenLabel"


@lru_cache(maxsize=1)
def topic_keywords() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(topic local name, keyword pattern) for every concept of ``ontology/topics.ttl``."""
    import pyoxigraph as ox

    by_topic: dict[str, list[str]] = {}
    with resources.files("ontology").joinpath("topics.ttl").open("rb") as handle:
        for triple in ox.parse(handle, format=ox.RdfFormat.TURTLE):
            if triple.predicate.value == _HIDDEN_LABEL:
                name = triple.subject.value.rsplit("/", 1)[-1]
                by_topic.setdefault(name, []).append(triple.object.value)
    out = []
    for name, words in by_topic.items():
        pattern = re.compile(
            r"\b(?:" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) + r")", re.IGNORECASE
        )
        out.append((name, pattern))
    return tuple(out)


@lru_cache(maxsize=1)
def _any_keyword() -> re.Pattern[str]:
    """Every keyword of every topic in one pattern: most texts have none, and one scan
    tells so."""
    return re.compile("|".join(f"(?:{pattern.pattern})" for _, pattern in topic_keywords()), re.IGNORECASE)


def classify_topic(*texts: str) -> str | None:
    """The topic of the first of ``texts`` (most specific first) that has one.

    >>> classify_topic("arms race in outer space")
    'outer-space'
    >>> classify_topic("", "a treaty on export control lists")
    'export-controls'
    """
    for text in texts:
        if text:
            topic = _topic_of(text)
            if topic:
                return topic
    return None


@lru_cache(maxsize=4096)
def _topic_of(text: str) -> str | None:
    """The topic with the most keyword hits in ``text`` (the first on a tie). Cached: a
    sentence is classified once for each stance it holds."""
    if not _any_keyword().search(text):
        return None
    best: tuple[int, str] | None = None
    for name, pattern in topic_keywords():
        hits = len(pattern.findall(text))
        if hits and (best is None or hits > best[0]):
            best = (hits, name)
    return best[1] if best else None
