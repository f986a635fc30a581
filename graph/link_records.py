"""The records the link views return, and the one that reads a document node.

:class:`DocumentInfo` is what a step, an entry or a position says about its document
(read from a ``document`` node of the networkx view by :func:`document_info`, or from
the store by :mod:`graph.read.catalogue`); :class:`LineageStep` and :class:`Lineage` are
an initiative's history (:mod:`graph.lineage_rules`); :class:`DocumentLink` is a
follow-up or a news report of a statement (:mod:`graph.document_links`).
:mod:`graph.links_rdf` writes them into the links graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx

from graph.evidence import Evidence
from graph.network import label, local_name

NEWS_GENRE = "news_report"

ROLE_ORIGIN = "origin"
ROLE_EVENT = "event"
ROLE_INVOCATION = "invocation"
#: Steps of one date: the origin first, then later events, then invocations.
ROLE_RANK = {ROLE_ORIGIN: 0, ROLE_EVENT: 1, ROLE_INVOCATION: 2}

FOLLOWS_UP = "follows_up"
REPORTS_ON = "reports_on"


def evidence_start(evidence: Evidence | None) -> int:
    """Where a quote starts in its document, for ordering (no quote: last)."""
    return evidence.start if evidence is not None else 1 << 62


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """What a step or an entry says about its document."""

    iri: str
    doc_id: str
    title: str | None
    date: str | None
    sort_date: str | None
    genre: str | None
    actor: str | None
    speaker: str | None
    forum: str | None

    def node_attributes(self) -> dict[str, Any]:
        """The attributes of its ``document`` node in the networkx view
        (:mod:`graph.network`); :func:`document_info` reads them back."""
        return {
            "kind": "document",
            "doc_id": self.doc_id,
            "title": self.title,
            "date": self.date,
            "sort_date": self.sort_date,
            "genre": self.genre,
            "actor": self.actor,
            "speaker": self.speaker,
            "forum": self.forum,
        }

    def to_json(self, graph: nx.MultiDiGraph | None = None) -> dict[str, Any]:
        def name(node: str | None) -> str | None:
            return label(graph, node) if graph is not None else node

        return {
            "document": self.iri,
            "doc_id": self.doc_id,
            "title": self.title,
            "date": self.date,
            "genre": self.genre,
            "actor": name(self.actor),
            "speaker": name(self.speaker),
            "forum": name(self.forum),
        }


def document_info(graph: nx.MultiDiGraph, doc: str) -> DocumentInfo:
    """The :class:`DocumentInfo` of a document node."""
    attrs = graph.nodes[doc]
    return DocumentInfo(
        iri=doc,
        doc_id=attrs.get("doc_id") or local_name(doc),
        title=attrs.get("title"),
        date=attrs.get("date"),
        sort_date=attrs.get("sort_date"),
        genre=attrs.get("genre"),
        actor=attrs.get("actor"),
        speaker=attrs.get("speaker"),
        forum=attrs.get("forum"),
    )


@dataclass(frozen=True, slots=True)
class LineageStep:
    """One step of an initiative's history.

    ``role`` is ``origin`` (the earliest launch/proposal/submission/...), ``event`` (a later
    event: update, adoption, ...) or ``invocation`` (a later document naming it).
    ``event_type`` is the event's type, ``invoke`` for invocations. For events, ``date``
    is the event's own date (which may be years before the reporting document's) and
    ``reported_in`` lists the other documents that report the same event.
    """

    entity: str
    role: str
    event_type: str
    date: str | None
    sort_date: str | None
    document: DocumentInfo
    evidence: Evidence | None
    actor: str | None = None
    reported_in: tuple[str, ...] = ()

    @property
    def order_key(self) -> tuple[str, int, int, str]:
        news = 1 if self.document.genre == NEWS_GENRE else 0
        return (self.sort_date or "9999", ROLE_RANK[self.role], news, self.document.doc_id)


@dataclass(frozen=True, slots=True)
class Lineage:
    """An entity's history: its label and its steps in order (:attr:`LineageStep.order_key`)."""

    entity: str
    label: str
    steps: tuple[LineageStep, ...]


@dataclass(frozen=True, slots=True)
class DocumentLink:
    """``source`` follows up on / reports on ``target``.

    ``kind`` is ``follows_up`` (source invokes what target launched; ``via`` lists those
    initiatives) or ``reports_on`` (source is a news report of the statement target:
    same day or the next, same speaker or same forum; it is not a second independent
    statement).
    """

    kind: str
    source: str
    target: str
    via: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "source": self.source, "target": self.target, "via": list(self.via)}
