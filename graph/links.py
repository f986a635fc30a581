"""Views over a networkx graph: initiative lineage, document links, and the records
timelines are made of (:class:`TimelineEntry`, read by :mod:`graph.read.timeline`).

Every function here is pure: it reads a graph built by :func:`graph.network.load_network`
for the few documents a question concerns (or by hand, as in the examples) and returns
frozen records. :mod:`graph.derived` writes the results back into the store as RDF.
Stance evolution lives in :mod:`graph.stance_links`; co-mention, evidence paths,
centrality and communities in :mod:`graph.connectivity`.

Dates are ISO 8601 strings at their true precision (``2020``, ``2020-09``,
``2020-09-08``); two dates are *compatible* when one is a prefix of the other (``2020``
and ``2020-09-08`` may name the same day). Order is by ``sort_date`` (first day of the
period), then by a fixed tie-break, so every result has one exact order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date as Date
from datetime import timedelta
from typing import Any

import networkx as nx

from graph.event_identity import (
    EventReport,
    Precision,
    dates_agree,
    identify_events,
    precision_name,
    precision_of,
)
from graph.network import Evidence, first, label, local_name, nodes_of_kind, sources, targets
from ontology.namespace import ENTITY

ENTITY_BASE = str(ENTITY)

#: Event types that bring an initiative or instrument into being: the origin of a lineage
#: and what a later document "follows up" on.
ORIGIN_EVENT_TYPES = ("launch", "propose", "submit", "release", "establish", "adopt", "sign")
#: Entity types that have a lineage in the derived graph.
LINEAGE_TYPES = ("Initiative", "Instrument")
NEWS_GENRE = "news_report"

ROLE_ORIGIN = "origin"
ROLE_EVENT = "event"
ROLE_INVOCATION = "invocation"
_ROLE_RANK = {ROLE_ORIGIN: 0, ROLE_EVENT: 1, ROLE_INVOCATION: 2}


# -- dates ------------------------------------------------------------------------------


#: Two ISO dates at any precision may name the same moment (:func:`graph.event_identity.dates_agree`).
compatible = dates_agree
#: 3 for a day, 2 for a month, 1 for a year, 0 for nothing.
precision = precision_of


def period_bounds(start: str | None, end: str | None) -> tuple[str, str]:
    """The first and last day (``YYYY-MM-DD``) covered by two partial ISO dates.

    >>> period_bounds("2021", "2022-02")
    ('2021-01-01', '2022-02-31')
    >>> period_bounds(None, None)
    ('0000-00-00', '9999-99-99')
    """
    low = "0000-00-00" if not start else (start + "-01-01")[:10] if len(start) == 4 else (start + "-01")[:10]
    high = "9999-99-99" if not end else (end + "-12-31")[:10] if len(end) == 4 else (end + "-31")[:10]
    return low, high


def _day(value: str | None) -> Date | None:
    if precision(value) != 3:
        return None
    try:
        return Date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


# -- records ----------------------------------------------------------------------------


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
        return (self.sort_date or "9999", _ROLE_RANK[self.role], news, self.document.doc_id)

    def to_json(self, graph: nx.MultiDiGraph | None = None) -> dict[str, Any]:
        return {
            "role": self.role,
            "event_type": self.event_type,
            "date": self.date,
            "actor": label(graph, self.actor) if graph is not None else self.actor,
            **self.document.to_json(graph),
            "evidence": self.evidence.to_json() if self.evidence else None,
            "reported_in": list(self.reported_in),
        }


@dataclass(frozen=True, slots=True)
class Lineage:
    entity: str
    label: str
    steps: tuple[LineageStep, ...]

    def to_json(self, graph: nx.MultiDiGraph | None = None) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "label": self.label,
            "steps": [s.to_json(graph) for s in self.steps],
        }


# -- entity lookup ------------------------------------------------------------------------


def resolve_entity(graph: nx.MultiDiGraph, name: str) -> str:
    """The entity node a name designates: IRI, key, label, alias or acronym (any case).

    Raises
    ------
    LookupError
        No entity, or several equally good ones, carry the name (the message lists them).

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("https://w3id.org/policykg/entity/gids", kind="entity", type="Initiative",
    ...            label="Global Initiative on Data Security",
    ...            aliases=("Global Data Security Initiative",), acronyms=("GDSI",))
    >>> resolve_entity(g, "global data security initiative")
    'https://w3id.org/policykg/entity/gids'
    >>> resolve_entity(g, "gids") == resolve_entity(g, "GDSI")
    True
    """
    wanted = name.strip().casefold()
    if name in graph and graph.nodes[name].get("kind") == "entity":
        return name
    # An exact key (what API clients send) needs no scan of every node.
    iri = ENTITY_BASE + name.strip()
    if iri in graph and graph.nodes[iri].get("kind") == "entity":
        return iri
    tiers: list[list[str]] = [[], [], [], []]
    for node, attrs in graph.nodes(data=True):
        if attrs.get("kind") != "entity":
            continue
        if local_name(node).casefold() == wanted:
            tiers[0].append(node)
        elif str(attrs.get("label") or "").casefold() == wanted:
            tiers[1].append(node)
        elif any(a.casefold() == wanted for a in attrs.get("aliases", ())):
            tiers[2].append(node)
        elif any(a.casefold() == wanted for a in attrs.get("acronyms", ())):
            tiers[3].append(node)
    for tier in tiers:
        if len(tier) == 1:
            return tier[0]
        if tier:
            names = ", ".join(f"{label(graph, n)} <{n}>" for n in sorted(tier))
            raise LookupError(f"{name!r} names several entities: {names}")
    raise LookupError(f"no entity is called {name!r}")


# -- lineage ------------------------------------------------------------------------------


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
        *sorted(stances, key=lambda s: _start(graph.nodes[s].get("evidence"))),
        *sorted(events, key=lambda e: _start(graph.nodes[e].get("evidence"))),
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


def _start(evidence: Evidence | None) -> int:
    return evidence.start if evidence is not None else 1 << 62


def lineage(graph: nx.MultiDiGraph, entity: str) -> Lineage:
    """The history of an initiative or instrument in date order.

    Its origin event and later events (each once, however many documents report it),
    then every document that invokes it; each step carries the document, date, forum,
    speaker and the quote with its offsets.

    Examples
    --------
    >>> from graph.network import Evidence
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


def lineage_entities(graph: nx.MultiDiGraph) -> list[str]:
    """Entities that have a lineage: initiatives and instruments, sorted."""
    return [n for n in nodes_of_kind(graph, "entity") if graph.nodes[n].get("type") in LINEAGE_TYPES]


# -- document links ---------------------------------------------------------------------


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


FOLLOWS_UP = "follows_up"
REPORTS_ON = "reports_on"


def _reports(graph: nx.MultiDiGraph, news: str, statement: str) -> bool:
    """True when document ``news`` is a news report of document ``statement``."""
    n, s = graph.nodes[news], graph.nodes[statement]
    if news == statement or n.get("genre") != NEWS_GENRE or s.get("genre") == NEWS_GENRE:
        return False
    day_n, day_s = _day(n.get("date")), _day(s.get("date"))
    if day_n is None or day_s is None or not timedelta(0) <= day_n - day_s <= timedelta(days=1):
        return False
    if n.get("speaker") and n.get("speaker") == s.get("speaker"):
        return True
    same_actor = not n.get("actor") or not s.get("actor") or n.get("actor") == s.get("actor")
    return bool(n.get("forum")) and n.get("forum") == s.get("forum") and same_actor


def report_links(graph: nx.MultiDiGraph, docs: Iterable[str] | None = None) -> list[DocumentLink]:
    """News reports and the statements they report, as ``reports_on`` links.

    With ``docs``, only links that have one of them at either end.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("urn:speech", kind="document", genre="speech", date="2022-05-23", speaker="urn:zj")
    >>> g.add_node("urn:news", kind="document", genre="news_report", date="2022-05-24", speaker="urn:zj")
    >>> [(l.source, l.target) for l in report_links(g)]
    [('urn:news', 'urn:speech')]
    """
    by_day: dict[Date, list[str]] = defaultdict(list)
    for doc in nodes_of_kind(graph, "document"):
        day = _day(graph.nodes[doc].get("date"))
        if day is not None:
            by_day[day].append(doc)
    wanted = None if docs is None else set(docs)
    links: set[tuple[str, str]] = set()
    for day, day_docs in by_day.items():
        for news in day_docs:
            if graph.nodes[news].get("genre") != NEWS_GENRE:
                continue
            for other in (*day_docs, *by_day.get(day - timedelta(days=1), ())):
                if (wanted is None or news in wanted or other in wanted) and _reports(graph, news, other):
                    links.add((news, other))
    return [DocumentLink(REPORTS_ON, s, t) for s, t in sorted(links)]


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


def follow_up_links(
    graph: nx.MultiDiGraph,
    docs: Iterable[str] | None = None,
    *,
    via: Iterable[str] | None = None,
) -> list[DocumentLink]:
    """``follows_up`` links: B follows up on A when B, dated after A, invokes an
    initiative or instrument that A launched (see :func:`origin_documents`). A news
    report of A (see :func:`report_links`) is not a follow-up.

    With ``docs``, only links that have one of them at either end; with ``via``, also
    every link through one of these entities (the union of both).

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("urn:a", kind="document", date="2020-09-08", sort_date="2020-09-08")
    >>> g.add_node("urn:b", kind="document", date="2022-05-23", sort_date="2022-05-23")
    >>> g.add_node("urn:x", kind="entity", label="X", type="Initiative")
    >>> g.add_node("urn:ev", kind="event", event_type="launch", date="2020-09", document="urn:a")
    >>> _ = g.add_edge("urn:ev", "urn:x", key="subject"); _ = g.add_edge("urn:b", "urn:x", key="mentions")
    >>> [(l.source, l.target, l.via) for l in follow_up_links(g)]
    [('urn:b', 'urn:a', ('urn:x',))]
    """
    wanted = None if docs is None and via is None else set(docs or ())
    through = set(via or ())
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for entity in nodes_of_kind(graph, "entity"):
        if graph.nodes[entity].get("type") not in LINEAGE_TYPES:
            continue
        origins = origin_documents(graph, entity)
        if not origins:
            continue
        for later in sources(graph, entity, "mentions"):
            for origin in origins:
                if (
                    wanted is not None
                    and entity not in through
                    and later not in wanted
                    and origin not in wanted
                ):
                    continue
                a, b = graph.nodes[origin], graph.nodes[later]
                if (
                    later != origin
                    and (b.get("sort_date") or "") > (a.get("sort_date") or "9999")
                    and not compatible(b.get("date"), a.get("date"))
                    and not _reports(graph, later, origin)
                ):
                    found[(later, origin)].add(entity)
    return [DocumentLink(FOLLOWS_UP, s, t, tuple(sorted(v))) for (s, t), v in sorted(found.items())]


def document_links(graph: nx.MultiDiGraph, docs: Iterable[str] | None = None) -> list[DocumentLink]:
    """Report links then follow-up links (all, or those touching ``docs``)."""
    wanted = None if docs is None else list(docs)
    return report_links(graph, wanted) + follow_up_links(graph, wanted)


def reporting_documents(graph: nx.MultiDiGraph) -> dict[str, str]:
    """News reports that report another document of the graph -> the earliest such document."""
    out: dict[str, str] = {}
    for link in report_links(graph):
        out.setdefault(link.source, link.target)
    return out


# -- timelines ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventSource:
    """One document's report of a timeline event (see :mod:`graph.event_identity`)."""

    node: str
    document: DocumentInfo
    date: str | None
    evidence: Evidence | None

    def to_json(self, graph: nx.MultiDiGraph | None = None) -> dict[str, Any]:
        return {
            "node": self.node,
            **self.document.to_json(graph),
            "reported_date": self.date,
            "evidence": self.evidence.to_json() if self.evidence else None,
        }


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One dated item of a timeline.

    ``kind`` is ``document`` (``what`` says how it relates: mentions, forum, actor,
    speaker), ``event`` (``what`` is the event type; dated by the event) or ``stance``
    (``what`` is ``support: target`` / ``oppose: target``). ``reports_on`` names the
    statement a news report covers (it repeats that statement, it is not a new one).
    An event is one real event however many documents report it: ``document`` and
    ``evidence`` are its most precise report, ``sources`` every report (that one first).

    ``date`` keeps its precision (``precision``: day, month or year) and is shown so;
    items are ordered by the first day of their period, then by precision (a year before
    the months and days inside it), then news reports after statements, events before
    documents before stances.
    """

    kind: str
    date: str | None
    sort_date: str | None
    what: str
    node: str
    document: DocumentInfo
    evidence: Evidence | None
    subject: str | None = None
    topic: str | None = None
    reports_on: str | None = None
    sources: tuple[EventSource, ...] = ()
    actor: str | None = None  # events: the actor a report names

    @property
    def precision(self) -> Precision | None:
        return precision_name(self.date)

    @property
    def order_key(self) -> tuple[str, int, int, int, str, int]:
        kind_rank = {"event": 0, "document": 1, "stance": 2}[self.kind]
        news = 1 if self.document.genre == NEWS_GENRE else 0
        return (
            self.sort_date or "9999", precision_of(self.date), news, kind_rank, self.document.doc_id,
            _start(self.evidence),
        )

    def to_json(self, graph: nx.MultiDiGraph | None = None) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "date": self.date,
            "precision": self.precision,
            "what": self.what,
            "node": self.node,
            "subject": label(graph, self.subject) if graph is not None else self.subject,
            "topic": label(graph, self.topic) if graph is not None else self.topic,
            **self.document.to_json(graph),
            "evidence": self.evidence.to_json() if self.evidence else None,
            "reports_on": self.reports_on,
            "sources": [source.to_json(graph) for source in self.sources],
        }


def event_entries(
    reports: list[EventReport],
    subject: str,
    *,
    sort_date: Callable[[EventReport], str | None],
    document: Callable[[str], DocumentInfo],
    evidence: Callable[[str], Evidence | None],
    reports_on: Callable[[str], str | None],
) -> list[TimelineEntry]:
    """One timeline entry per real event of ``subject`` (:func:`identify_events`): dated
    and quoted by its most precise report, with every report (that one first) as a source."""
    out = []
    for real in identify_events(reports):
        best = real.best
        out.append(
            TimelineEntry(
                "event",
                best.date,
                sort_date(best),
                real.event_type,
                best.node,
                document(best.document),
                evidence(best.node),
                subject=subject,
                reports_on=reports_on(best.document),
                actor=real.actor,
                sources=tuple(
                    EventSource(other.node, document(other.document), other.date, evidence(other.node))
                    for other in real.reports
                ),
            )
        )
    return out
