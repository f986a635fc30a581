"""Stance evolution over the networkx projection: positions over time and their shifts.

Pure functions over a graph from :func:`graph.network.load_network`. A news report of a
statement (:func:`graph.document_links.report_links`) repeats that statement: its stances are
shown with ``reports_on`` set and are left out of shifts and of per-topic counts, so a
position is not counted twice.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import networkx as nx

from graph.document_links import reporting_documents
from graph.evidence import Evidence
from graph.link_records import document_info
from graph.network import first, label, nodes_of_kind, sources, targets

POLARITY_SHIFT = "polarity"
TARGET_SHIFT = "target"

_ARTICLE = re.compile(r"^(?:the|a|an|any|all)\s+")
_NON_WORD = re.compile(r"[^\w]+")


@lru_cache(maxsize=65536)
def target_key(target: str | None) -> str:
    """A comparison key of a target phrase: case, punctuation and a leading article ignored.

    >>> target_key("The weaponization of outer space."), target_key("weaponization  of Outer-Space")
    ('weaponization of outer space', 'weaponization of outer space')
    """
    text = _NON_WORD.sub(" ", (target or "").casefold()).strip()
    return _ARTICLE.sub("", text)


@dataclass(frozen=True, slots=True)
class Position:
    """One stance: ``holder`` ``polarity`` ``target`` (on ``topic``), said in a document."""

    stance: str
    holder: str
    topic: str | None
    polarity: str
    target: str
    target_entities: tuple[str, ...]
    date: str | None
    sort_date: str | None
    document: str
    doc_id: str
    genre: str | None
    evidence: Evidence | None
    reports_on: str | None = None

    @property
    def order_key(self) -> tuple[str, str, int]:
        start = self.evidence.start if self.evidence is not None else 1 << 62
        return (self.sort_date or "9999", self.doc_id, start)

    def same_target(self, other: Position) -> bool:
        if set(self.target_entities) & set(other.target_entities):
            return True
        return bool(target_key(self.target)) and target_key(self.target) == target_key(other.target)

    def to_json(self, graph: nx.MultiDiGraph | None = None) -> dict[str, Any]:
        return {
            "stance": self.stance,
            "holder": label(graph, self.holder) if graph is not None else self.holder,
            "topic": label(graph, self.topic) if graph is not None else self.topic,
            "polarity": self.polarity,
            "target": self.target,
            "date": self.date,
            "document": self.document,
            "doc_id": self.doc_id,
            "evidence": self.evidence.to_json() if self.evidence else None,
            "reports_on": self.reports_on,
        }


@dataclass(frozen=True, slots=True)
class StanceShift:
    """A change in a holder's position on a topic, with both stances (and their quotes).

    ``kind`` is ``polarity`` (the same target, the other polarity: supported, then
    opposed) or ``target`` (consecutive statements on the topic support, or oppose,
    entirely different targets).
    """

    holder: str
    topic: str | None
    kind: str
    before: Position
    after: Position

    def to_json(self, graph: nx.MultiDiGraph | None = None) -> dict[str, Any]:
        return {
            "holder": label(graph, self.holder) if graph is not None else self.holder,
            "topic": label(graph, self.topic) if graph is not None else self.topic,
            "kind": self.kind,
            "before": self.before.to_json(graph),
            "after": self.after.to_json(graph),
        }


def positions(
    graph: nx.MultiDiGraph,
    *,
    holder: str | None = None,
    topic: str | None = None,
    reports: dict[str, str] | None = None,
) -> list[Position]:
    """Stances (of ``holder``, on ``topic``) in date order.

    ``reports`` maps news reports to the statement they report (default: computed from
    the graph by :func:`graph.document_links.reporting_documents`).
    """
    reports = reporting_documents(graph) if reports is None else reports
    candidates = sources(graph, holder, "holder") if holder is not None else nodes_of_kind(graph, "stance")
    out = []
    for stance in candidates:
        attrs = graph.nodes[stance]
        stance_topic = first(graph, stance, "topic")
        if topic is not None and stance_topic != topic:
            continue
        doc = document_info(graph, attrs["document"])
        out.append(
            Position(
                stance=stance,
                holder=str(first(graph, stance, "holder")),
                topic=stance_topic,
                polarity=attrs["polarity"],
                target=attrs.get("target") or "",
                target_entities=tuple(targets(graph, stance, "target_entity")),
                date=attrs.get("date") or doc.date,
                sort_date=attrs.get("sort_date") or doc.sort_date,
                document=doc.iri,
                doc_id=doc.doc_id,
                genre=doc.genre,
                evidence=attrs.get("evidence"),
                reports_on=reports.get(doc.iri),
            )
        )
    out.sort(key=lambda p: p.order_key)
    return out


def shifts_of(history: list[Position], exclude_docs: Collection[str] = ()) -> list[StanceShift]:
    """Shifts in one holder's history on one topic (``history`` in date order).

    A polarity shift pairs a stance with the latest earlier stance on the same target
    (same phrase, or a shared target entity) that had the other polarity. A target shift
    pairs two consecutive statements (documents) on the topic whose targets of one
    polarity have nothing in common; it gives the first stance of each. Stances from
    ``exclude_docs`` (news reports of other statements) are left out.
    """
    kept = [p for p in history if p.document not in exclude_docs and p.reports_on is None]
    if not kept:
        return []
    holder, topic = kept[0].holder, kept[0].topic
    out: list[StanceShift] = []
    # The latest earlier stance on the same target from another document, found through
    # indexes by target phrase and by target entity (a pairwise scan is quadratic: a
    # state's 70 General Debate speeches hold ~1,000 stances on one topic).
    seen: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, position in enumerate(kept):
        key = target_key(position.target)
        groups = [("entity", e) for e in position.target_entities] + ([("phrase", key)] if key else [])
        latest = -1
        for group in groups:
            indexes = seen[group]
            for j in reversed(indexes):
                if j <= latest:
                    break
                if kept[j].document != position.document:
                    latest = j
                    break
        if latest >= 0 and kept[latest].polarity != position.polarity:
            out.append(StanceShift(holder, topic, POLARITY_SHIFT, kept[latest], position))
        for group in groups:
            seen[group].append(i)
    by_doc: dict[str, list[Position]] = defaultdict(list)
    for position in kept:
        by_doc[position.document].append(position)
    statements = list(by_doc.values())  # documents in date order (kept is sorted)
    for before, after in itertools.pairwise(statements):
        for polarity in ("support", "oppose"):
            old = [p for p in before if p.polarity == polarity]
            new = [p for p in after if p.polarity == polarity]
            if old and new and not any(o.same_target(n) for o in old for n in new):
                out.append(StanceShift(holder, topic, TARGET_SHIFT, old[0], new[0]))
    out.sort(key=lambda s: (s.after.order_key, s.kind, s.before.order_key))
    return out


def stance_shifts(
    graph: nx.MultiDiGraph,
    holder: str,
    topic: str | None = None,
    *,
    reports: dict[str, str] | None = None,
) -> list[StanceShift]:
    """Shifts in a holder's positions, per topic (one topic, or every topic it has).

    Examples
    --------
    >>> from graph.evidence import Evidence
    >>> g = nx.MultiDiGraph()
    >>> for d, day, pol in (("urn:d1", "2020-09-08", "oppose"), ("urn:d2", "2025-11", "support")):
    ...     g.add_node(d, kind="document", doc_id=d[4:], date=day, sort_date=day[:7] + "-01")
    ...     g.add_node(d + "#s", kind="stance", polarity=pol, target="arms control talks",
    ...                document=d, evidence=Evidence(d, 0, 9, pol + " it"))
    ...     for v, k in (("urn:china", "holder"), ("urn:space", "topic")):
    ...         _ = g.add_edge(d + "#s", v, key=k)
    >>> [(s.kind, s.before.polarity, s.after.polarity, s.after.evidence.quote)
    ...  for s in stance_shifts(g, "urn:china")]
    [('polarity', 'oppose', 'support', 'support it')]
    """
    history = positions(graph, holder=holder, topic=topic, reports=reports)
    by_topic: dict[str | None, list[Position]] = defaultdict(list)
    for position in history:
        by_topic[position.topic].append(position)
    out: list[StanceShift] = []
    for topic_history in by_topic.values():
        out.extend(shifts_of(topic_history))
    out.sort(key=lambda s: (s.after.order_key, str(s.topic), s.kind))
    return out


@dataclass(frozen=True, slots=True)
class HolderPositions:
    """What one holder supports and opposes on a topic (targets, oldest first)."""

    holder: str
    support: tuple[Position, ...]
    oppose: tuple[Position, ...]

    def to_json(self, graph: nx.MultiDiGraph | None = None) -> dict[str, Any]:
        return {
            "holder": label(graph, self.holder) if graph is not None else self.holder,
            "support": [p.to_json(graph) for p in self.support],
            "oppose": [p.to_json(graph) for p in self.oppose],
        }


def topic_positions(graph: nx.MultiDiGraph, topic: str) -> list[HolderPositions]:
    """Per holder, the stances on ``topic`` it supports and opposes (news reports of
    statements already counted are left out), holders by label.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("urn:d", kind="document", doc_id="d", date="2021", sort_date="2021-01-01")
    >>> g.add_node("urn:ru", kind="entity", label="Russia")
    >>> g.add_node("urn:s", kind="stance", polarity="oppose", target="space weapons", document="urn:d")
    >>> _ = g.add_edge("urn:s", "urn:ru", key="holder"); _ = g.add_edge("urn:s", "urn:os", key="topic")
    >>> [(h.holder, [p.target for p in h.oppose]) for h in topic_positions(g, "urn:os")]
    [('urn:ru', ['space weapons'])]
    """
    grouped: dict[str, list[Position]] = defaultdict(list)
    for position in positions(graph, topic=topic):
        if position.reports_on is None:
            grouped[position.holder].append(position)
    out = [
        HolderPositions(
            holder,
            tuple(p for p in found if p.polarity == "support"),
            tuple(p for p in found if p.polarity == "oppose"),
        )
        for holder, found in grouped.items()
    ]
    out.sort(key=lambda h: (str(label(graph, h.holder)).casefold(), h.holder))
    return out
