"""Shared pieces of the REST routes: name resolution, conversions to response models,
parameter checks. Unknown names give 404, ambiguous or malformed ones 422."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

import networkx as nx
from fastapi import HTTPException, Query
from pydantic import AfterValidator

from api import models
from graph.entity_lookup import resolve_entity
from graph.event_identity import precision_name
from graph.network import Evidence, local_name
from ontology.namespace import DOC, ENTITY, TOPIC, slug

#: Partial ISO 8601 dates: a year, a month or a day.
DATE_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"

#: The largest offset a page may start at (larger ones are refused as 422, not a 500).
MAX_OFFSET = 10_000_000


def calendar_date(value: str | None) -> str | None:
    """A partial ISO date that exists in the calendar (``2020-02-30`` does not).

    Examples
    --------
    >>> calendar_date("2020-02-29")
    '2020-02-29'
    >>> calendar_date("2021-02-29")
    Traceback (most recent call last):
    ...
    ValueError: 2021-02-29 is not a date in the calendar
    """
    if value is not None and len(value) == 10:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value} is not a date in the calendar") from None
    return value


Limit = Annotated[int, Query(ge=1, le=1000, description="page size", examples=[50])]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="items to skip", examples=[0])]
FromDate = Annotated[
    str | None,
    Query(alias="from", pattern=DATE_PATTERN, description="first date (YYYY, YYYY-MM or YYYY-MM-DD)",
          examples=["2020-09"]),
    AfterValidator(calendar_date),
]
ToDate = Annotated[
    str | None,
    Query(alias="to", pattern=DATE_PATTERN, description="last date (YYYY, YYYY-MM or YYYY-MM-DD)",
          examples=["2025"]),
    AfterValidator(calendar_date),
]


def entity_node(graph: nx.MultiDiGraph, name: str, what: str = "entity") -> str:
    """The entity IRI ``name`` designates (IRI, id, label, alias or acronym, any case)."""
    try:
        return resolve_entity(graph, name.strip())
    except LookupError as exc:
        message = str(exc.args[0]) if exc.args else str(exc)  # KeyError's str() adds quotes
        status = 422 if "several" in message else 404
        raise HTTPException(status, f"{what}: {message}") from exc


def topic_node(graph: nx.MultiDiGraph, name: str) -> str:
    """The topic IRI ``name`` designates (IRI, id such as ``outer-space``, or label)."""
    wanted = name.strip().casefold()
    wanted_slug = slug(name)
    for node, attrs in graph.nodes(data=True):
        if attrs.get("kind") != "topic":
            continue
        names = (node.casefold(), local_name(node).casefold(), str(attrs.get("label") or "").casefold())
        if wanted in names or wanted_slug == local_name(node):
            return str(node)
    raise HTTPException(404, f"topic: no topic is called {name!r}")


def document_node(graph: nx.MultiDiGraph, doc_id: str) -> str:
    iri = doc_id if doc_id.startswith(str(DOC)) else str(DOC) + doc_id
    if iri in graph and graph.nodes[iri].get("kind") == "document" and graph.nodes[iri].get("doc_id"):
        return iri
    for node, attrs in graph.nodes(data=True):
        if attrs.get("kind") == "document" and attrs.get("doc_id") == doc_id:
            return str(node)
    raise HTTPException(404, f"no document has the id {doc_id!r}")


def entity_id(iri: str) -> str:
    return iri.removeprefix(str(ENTITY)) if iri.startswith(str(ENTITY)) else iri


def entity_ref(graph: nx.MultiDiGraph, iri: str | None) -> models.EntityRef | None:
    if not iri:
        return None
    attrs = graph.nodes[iri] if iri in graph else {}
    return models.EntityRef(
        id=entity_id(iri), iri=iri, label=attrs.get("label") or local_name(iri), type=attrs.get("type")
    )


def topic_ref(graph: nx.MultiDiGraph, iri: str | None) -> models.TopicRef | None:
    if not iri:
        return None
    attrs = graph.nodes[iri] if iri in graph else {}
    ident = iri.removeprefix(str(TOPIC)) if iri.startswith(str(TOPIC)) else local_name(iri)
    return models.TopicRef(id=ident, iri=iri, label=attrs.get("label") or ident)


def document_summary(graph: nx.MultiDiGraph, iri: str) -> models.DocumentSummary:
    attrs = graph.nodes[iri]
    return models.DocumentSummary(
        id=attrs.get("doc_id") or local_name(iri),
        iri=iri,
        title=attrs.get("title"),
        date=attrs.get("date"),
        precision=precision_name(attrs.get("date")),
        sort_date=attrs.get("sort_date"),
        genre=attrs.get("genre"),
        actor=entity_ref(graph, attrs.get("actor")),
        speaker=entity_ref(graph, attrs.get("speaker")),
        forum=entity_ref(graph, attrs.get("forum")),
    )


def evidence_model(graph: nx.MultiDiGraph, evidence: Evidence | None) -> models.Evidence | None:
    if evidence is None:
        return None
    doc_id = graph.nodes[evidence.doc].get("doc_id") if evidence.doc in graph else None
    return models.Evidence(
        document=evidence.doc,
        doc_id=doc_id or local_name(evidence.doc),
        start=evidence.start,
        end=evidence.end,
        quote=evidence.quote,
    )


def event_item(graph: nx.MultiDiGraph, event: str) -> models.EventItem:
    attrs = graph.nodes[event]
    subject = next((v for _, v, k in graph.out_edges(event, keys=True) if k == "subject"), None)
    actor = next((v for _, v, k in graph.out_edges(event, keys=True) if k == "event_actor"), None)
    subject_ref = entity_ref(graph, subject)
    assert subject_ref is not None
    return models.EventItem(
        iri=event,
        event_type=attrs.get("event_type", ""),
        date=attrs.get("date"),
        subject=subject_ref,
        actor=entity_ref(graph, actor),
        document=document_summary(graph, attrs["document"]),
        evidence=evidence_model(graph, attrs.get("evidence")),
    )


def stance_item(graph: nx.MultiDiGraph, stance: str, reports: dict[str, str]) -> models.StanceItem:
    attrs = graph.nodes[stance]
    out: dict[str, list[str]] = {}
    for _, v, k in graph.out_edges(stance, keys=True):
        out.setdefault(k, []).append(v)
    holder = entity_ref(graph, sorted(out.get("holder", [""]))[0])
    assert holder is not None
    reported = reports.get(attrs["document"])
    return models.StanceItem(
        iri=stance,
        holder=holder,
        polarity=attrs.get("polarity", ""),
        target=attrs.get("target") or "",
        topic=topic_ref(graph, sorted(out.get("topic", [""]))[0] or None),
        target_entities=[
            r for r in (entity_ref(graph, e) for e in sorted(out.get("target_entity", []))) if r
        ],
        date=attrs.get("date"),
        document=document_summary(graph, attrs["document"]),
        evidence=evidence_model(graph, attrs.get("evidence")),
        reports_on=graph.nodes[reported].get("doc_id") if reported and reported in graph else None,
    )


def in_window(sort_date: str | None, low: str, high: str) -> bool:
    return low <= (sort_date or "9999") <= high


def page(items: list[Any], limit: int, offset: int) -> list[Any]:
    return items[offset : offset + limit]


_SPACE = re.compile(r"\s+")


def casefold_contains(haystack: str | None, needle: str) -> bool:
    return needle in _SPACE.sub(" ", (haystack or "").casefold())
