"""The lineage rules: an initiative's or instrument's history from a networkx view.

Pure functions over a graph built by :func:`graph.network.load_network` for the few
documents a question concerns (or by hand, as in the examples): its origin event and
later events (one step per real event however many documents report it,
:mod:`graph.event_identity`), then every document that invokes it. :mod:`graph.derived`
stores the steps in the links graph; :mod:`graph.read.lineage` runs the same rules on a
bounded load when the store has none. Order is by ``sort_date`` (first day of the
period), then by a fixed tie-break (:attr:`graph.link_records.LineageStep.order_key`).
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from graph.dates import compatible
from graph.event_identity import EventReport, identify_events
from graph.evidence import Evidence
from graph.link_records import (
    ROLE_EVENT,
    ROLE_INVOCATION,
    ROLE_ORIGIN,
    Lineage,
    LineageStep,
    document_info,
    evidence_start,
)
from graph.network import first, label, nodes_of_kind, sources, targets

#: Event types that bring an initiative or instrument into being: the origin of a lineage
#: and what a later document "follows up" on.
ORIGIN_EVENT_TYPES = ("launch", "propose", "submit", "release", "establish", "adopt", "sign")
#: Entity types that have a lineage in the derived graph.
LINEAGE_TYPES = ("Initiative", "Instrument")


def _events_of(graph: nx.MultiDiGraph, entity: str) -> list[str]:
    return [e for e in sources(graph, entity, "subject") if graph.nodes[e].get("kind") == "event"]


def _contemporaneous(graph: nx.MultiDiGraph, event: str) -> bool:
    """The event's document dates from the event itself (reports it as it happens)."""
    attrs = graph.nodes[event]
    doc_date = graph.nodes[attrs["document"]].get("date")
    return compatible(attrs.get("date"), doc_date)


def _event_report(graph: nx.MultiDiGraph, event: str) -> EventReport:
    attrs = graph.nodes[event]
    doc = graph.nodes[attrs["document"]]
    return EventReport(
        node=event,
        event_type=attrs["event_type"],
        date=attrs.get("date"),
        document=attrs["document"],
        doc_id=str(doc.get("doc_id") or ""),
        doc_sort_date=doc.get("sort_date"),
        actor=first(graph, event, "event_actor"),
        contemporaneous=_contemporaneous(graph, event),
    )


def event_steps(graph: nx.MultiDiGraph, entity: str) -> list[LineageStep]:
    """The events of an entity, one step per real event however many documents report it.

    Reports of one event type with compatible dates are one event (``launched in 2020``,
    ``launched in September 2020``, ``launched on 8 September 2020``). Each step takes
    its date and quote from the most precise report (ties: the report dated from the
    event, then the earliest document), and lists the other reports in ``reported_in``.
    The earliest origin-type step (launch, propose, submit, release, establish, adopt,
    sign) has role ``origin``.
    """
    reports = [_event_report(graph, event) for event in _events_of(graph, entity)]
    steps: list[LineageStep] = []
    for real in identify_events(reports):
        best = real.best
        attrs = graph.nodes[best.node]
        doc = document_info(graph, best.document)
        steps.append(
            LineageStep(
                entity=entity,
                role=ROLE_EVENT,
                event_type=real.event_type,
                date=best.date,
                sort_date=attrs.get("sort_date") or doc.sort_date,
                document=doc,
                evidence=attrs.get("evidence"),
                actor=real.actor,
                reported_in=tuple(sorted(set(real.documents) - {doc.iri})),
            )
        )
    steps.sort(key=lambda s: s.order_key)
    origin = next((s for s in steps if s.event_type in ORIGIN_EVENT_TYPES), None)
    return [LineageStep(**{**_fields(s), "role": ROLE_ORIGIN}) if s is origin else s for s in steps]


def _fields(step: LineageStep) -> dict[str, Any]:
    return {name: getattr(step, name) for name in LineageStep.__slots__}


def invocation_step(graph: nx.MultiDiGraph, entity: str, doc: str) -> LineageStep | None:
    """The step of a document that names an entity, or None.

    None when the document does not mention the entity, or when it reports an event of
    the entity as it happens (its own date is compatible with the event's): that
    document is the event's step already. The quote is the best the document offers:
    the evidence of an event it recalls, else of a stance targeting the entity, else its
    first mention.
    """
    if not graph.has_edge(doc, entity, key="mentions"):
        return None
    by_subject, by_target = _facts_about(graph, doc)
    events = by_subject.get(entity, [])
    if any(_contemporaneous(graph, e) for e in events):
        return None
    stances = by_target.get(entity, [])
    evidence: Evidence | None = None
    for node in (
        *sorted(stances, key=lambda s: evidence_start(graph.nodes[s].get("evidence"))),
        *sorted(events, key=lambda e: evidence_start(graph.nodes[e].get("evidence"))),
    ):
        evidence = evidence or graph.nodes[node].get("evidence")
    if evidence is None:
        evidence = graph.edges[doc, entity, "mentions"].get("evidence")
    info = document_info(graph, doc)
    return LineageStep(
        entity=entity,
        role=ROLE_INVOCATION,
        event_type="invoke",
        date=info.date,
        sort_date=info.sort_date,
        document=info,
        evidence=evidence,
        actor=info.actor,
    )


def _facts_about(graph: nx.MultiDiGraph, doc: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """A document's events by subject and stances by target entity, in sorted order.

    Built in one pass over the document's edges and kept on the graph while its node
    count stays the same (views ask once the graph is loaded): asking per entity scanned
    every event and stance of the document for each entity it names, quadratic in the
    document's length (a 5 MB document: 50 s of a 64 s links rebuild).
    """
    cache = graph.graph.setdefault("_facts_about", {})
    if cache.get("for") != (id(graph), len(graph)):  # a copy shares graph.graph: not its cache
        cache.clear()
        cache["for"] = (id(graph), len(graph))
    found = cache.get(doc)
    if found is None:
        by_subject: dict[str, list[str]] = {}
        by_target: dict[str, list[str]] = {}
        for event in targets(graph, doc, "has_event"):
            for subject in targets(graph, event, "subject"):
                by_subject.setdefault(subject, []).append(event)
        for stance in targets(graph, doc, "has_stance"):
            for target in targets(graph, stance, "target_entity"):
                by_target.setdefault(target, []).append(stance)
        found = cache[doc] = (by_subject, by_target)
    return found


def lineage(graph: nx.MultiDiGraph, entity: str) -> Lineage:
    """The history of an initiative or instrument in date order.

    Its origin event and later events (each once, however many documents report it),
    then every document that invokes it; each step carries the document, date, forum,
    speaker and the quote with its offsets.

    Examples
    --------
    >>> from graph.evidence import Evidence
    >>> g = nx.MultiDiGraph()
    >>> x, a, b = "urn:e:gids", "urn:d:cd-2020", "urn:d:unsc-2022"
    >>> g.add_node(x, kind="entity", label="GIDS", type="Initiative")
    >>> g.add_node(a, kind="document", doc_id="cd-2020", date="2020-09-08", sort_date="2020-09-08")
    >>> g.add_node(b, kind="document", doc_id="unsc-2022", date="2022-05-23", sort_date="2022-05-23")
    >>> g.add_node("urn:ev:1", kind="event", event_type="launch", date="2020-09-08",
    ...            sort_date="2020-09-08", document=a, evidence=Evidence(a, 10, 40, "launched GIDS"))
    >>> g.add_edge(a, "urn:ev:1", key="has_event"); g.add_edge("urn:ev:1", x, key="subject")
    'has_event'
    'subject'
    >>> g.add_edge(a, x, key="mentions", evidence=Evidence(a, 19, 23, "GIDS"))
    'mentions'
    >>> g.add_edge(b, x, key="mentions", evidence=Evidence(b, 5, 9, "GIDS"))
    'mentions'
    >>> [(s.role, s.event_type, s.date, s.document.doc_id, s.evidence.quote)
    ...  for s in lineage(g, x).steps]  # doctest: +NORMALIZE_WHITESPACE
    [('origin', 'launch', '2020-09-08', 'cd-2020', 'launched GIDS'),
     ('invocation', 'invoke', '2022-05-23', 'unsc-2022', 'GIDS')]
    """
    steps = event_steps(graph, entity)
    for doc in sources(graph, entity, "mentions"):
        step = invocation_step(graph, entity, doc)
        if step is not None:
            steps.append(step)
    steps.sort(key=lambda s: s.order_key)
    return Lineage(entity, label(graph, entity) or entity, tuple(steps))


def origin_documents(graph: nx.MultiDiGraph, entity: str) -> list[str]:
    """The documents that launched (proposed, submitted, ...) an entity: those that report
    its earliest origin-type event as it happens (usually one; a statement and its
    same-day report are two). Later reports of a launch in the same year ("we adopted X
    this year", said in dozens of speeches) are not origins: they invoke it.

    >>> g = nx.MultiDiGraph()
    >>> for d, day in (("urn:a", "2020-09-08"), ("urn:b", "2020-11-02")):
    ...     g.add_node(d, kind="document", date=day, sort_date=day)
    ...     g.add_node(d + "#ev", kind="event", event_type="launch", date="2020", document=d)
    ...     _ = g.add_edge(d + "#ev", "urn:x", key="subject")
    >>> origin_documents(g, "urn:x")
    ['urn:a']
    """
    docs = {
        graph.nodes[e]["document"]
        for e in _events_of(graph, entity)
        if graph.nodes[e]["event_type"] in ORIGIN_EVENT_TYPES and _contemporaneous(graph, e)
    }
    if not docs:
        return []
    earliest = min(graph.nodes[d].get("sort_date") or "9999" for d in docs)
    return sorted(d for d in docs if (graph.nodes[d].get("sort_date") or "9999") == earliest)


def lineage_entities(graph: nx.MultiDiGraph) -> list[str]:
    """Entities that have a lineage: initiatives and instruments, sorted."""
    return [n for n in nodes_of_kind(graph, "entity") if graph.nodes[n].get("type") in LINEAGE_TYPES]
