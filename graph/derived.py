"""The derived links graph: cross-document links written back into the store as RDF.

:func:`rebuild_links` computes every link from the whole store; :func:`refresh_links`
(what ingest calls after each ingest or removal) recomputes only what the changed and
removed documents touch. Both write the named graph ``graph:links``
(:data:`ontology.namespace.LINKS_GRAPH`) through :mod:`graph.links_rdf`; each derived
resource names its rule with ``prov:wasGeneratedBy`` and its documents with
``prov:wasDerivedFrom``. SPARQL clients read it like any other graph; for instance
:data:`LINEAGE_QUERY` returns an initiative's lineage in ONE query.

What is derived, and what it depends on
---------------------------------------
Each kind of link is split into *units* whose inputs are few and known, so that a
document change rewrites only the units that can have changed:

=====================  ==========================================  ==========================
unit                   depends on                                  recomputed when D changes
=====================  ==========================================  ==========================
invocation step (X,D)  D alone (its mentions, events, stances)     for every X of D
event steps of X       every event whose subject is X              X subject of an event of D
                                                                   (before or after)
news report (B,A)      B and A alone (dates, genre, speaker,       every link with D at an
                       forum, actor)                               end, against the documents
                                                                   of the day before/of/after
follow-up (B,A,X)      B mentions X; A reports X's earliest        every link with D at an end;
                       origin-type event (every event of X)        every link through X when X
                                                                   is the subject of an event
                                                                   of D (before or after)
stance shifts of H     H's stances; which of their documents are   H holds a stance in D, or
                       news reports of another                     in a report partner of D
=====================  ==========================================  ==========================

"Before" comes from the links graph itself: each document leaves a snapshot of the
holders of its stances (``pkg:linkHolder``); event steps and document links carry
``prov:wasDerivedFrom``.

Co-mention weights are a view (:func:`graph.connectivity.co_mentions`), not written back:
SPARQL computes them in one aggregate over ``schema:mentions`` (ontology/README.md), and
materialising every pair did not scale (3,000 UN speeches: 333,504 pairs, 2.0M of the
2.3M derived quads, a 10 GiB rebuild; every added speech rewrote the weights of the
~800 pairs of its entities, each needing all mentions of both ends).

A refresh therefore: (1) reads the old snapshot of the changed/removed documents;
(2) loads from the store only the changed documents, the events of the affected
subjects, the documents that mention what a changed document launched, the documents
dated the day before/of/after a changed document (news-report candidates) and the
stances of the affected holders; (3) runs the same pure functions the full build runs
(:mod:`graph.lineage_rules`, :mod:`graph.document_links`, :mod:`graph.stance_links`,
:mod:`graph.connectivity`) on that partial graph, restricted to the affected units; (4)
deletes the old units and inserts the new ones in ONE SPARQL Update request (one
transaction on Oxigraph). The cost grows with what one document touches (the events of
its entities, its holders' stances), not with the size of the corpus, and the result
equals a full rebuild (the tests check this).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import timedelta
from typing import Any

import networkx as nx
import pyoxigraph as ox

from graph import links_rdf
from graph.document_links import follow_up_links, report_links
from graph.lineage_rules import LINEAGE_TYPES, event_steps, invocation_step, lineage_entities
from graph.link_records import DocumentLink, LineageStep
from graph.network import NetworkBuilder, load_network, nodes_of_kind, sources, targets
from graph.rdf import pkg
from graph.solutions import select, values_clause
from graph.stance_links import StanceShift, positions, shifts_of
from graph.store import Store
from ontology.namespace import DOC, ENTITIES_GRAPH, GRAPH, LINKS_GRAPH, doc_iri, sparql_prefixes

_LINKS = f"<{LINKS_GRAPH}>"
_ENTITIES = f"<{ENTITIES_GRAPH}>"  # entity labels (graph.entities_graph)
#: A full rebuild replaces the links graph in one transaction up to this many quads; a
#: larger graph (the UN General Debate corpus gives 1.7M) is dropped and bulk-loaded.
_ATOMIC_REWRITE_MAX = 200_000


def lineage_query(name: str) -> str:
    """The SPARQL query that returns the lineage of the initiative or instrument called
    ``name`` (label, alias or acronym, any case) from the links graph, in date order.

    One row per step: ``role`` (origin, laterEvent, invocation), ``eventType`` (launch,
    ..., invoke), ``date``, ``doc``, ``docId``, ``title``, ``genre``, ``forum``,
    ``speaker``, ``actor`` (labels), ``quote``, ``start``, ``end``.

    >>> "GRAPH <https://w3id.org/policykg/graph/links>" in lineage_query("GIDS")
    True
    """
    literal = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return (
        sparql_prefixes()
        + f"""SELECT ?role ?eventType ?date ?doc ?docId ?title ?genre ?forum ?speaker ?actor
       ?quote ?start ?end
WHERE {{
  {{ SELECT DISTINCT ?entity WHERE {{
      ?entity skos:prefLabel|skos:altLabel|pkg:acronym ?name .
      FILTER(LCASE(STR(?name)) = LCASE({literal}))
  }} }}
  GRAPH {_LINKS} {{
    ?step a pkg:LineageStep ; pkg:lineageOf ?entity ; pkg:stepRole ?roleIri ;
          pkg:eventType ?typeIri ; pkg:document ?doc ; pkg:sortDate ?sortDate .
    OPTIONAL {{ ?step dcterms:date ?date }}
    OPTIONAL {{
      ?step pkg:evidence/oa:hasTarget ?target .
      ?target oa:hasSelector ?position, ?selector .
      ?position oa:start ?start ; oa:end ?end .
      ?selector oa:exact ?quote .
    }}
  }}
  GRAPH ?docGraph {{ ?doc a pkg:Document ; dcterms:identifier ?docId . }}
  OPTIONAL {{ GRAPH ?docGraph {{ ?doc dcterms:title ?title }} }}
  OPTIONAL {{ GRAPH ?docGraph {{ ?doc pkg:genre ?genre }} }}
  OPTIONAL {{ GRAPH {_LINKS} {{ ?step pkg:forum ?f }} GRAPH {_ENTITIES} {{ ?f skos:prefLabel ?forum }} }}
  OPTIONAL {{ GRAPH {_LINKS} {{ ?step pkg:speaker ?s }} GRAPH {_ENTITIES} {{ ?s skos:prefLabel ?speaker }} }}
  OPTIONAL {{ GRAPH {_LINKS} {{ ?step sem:hasActor ?a }} GRAPH {_ENTITIES} {{ ?a skos:prefLabel ?actor }} }}
  BIND(STRAFTER(STR(?roleIri), "#") AS ?role)
  BIND(STRAFTER(STR(?typeIri), "#") AS ?eventType)
  BIND(IF(?role = "origin", 0, IF(?role = "laterEvent", 1, 2)) AS ?roleRank)
  BIND(IF(COALESCE(?genre, "") = "news_report", 1, 0) AS ?newsRank)
}}
ORDER BY ?sortDate ?roleRank ?newsRank ?docId
"""
    )


#: The lineage of the Global Initiative on Data Security (any alias works), in ONE SPARQL
#: query over the links graph: the text ontology/README.md shows.
LINEAGE_QUERY = lineage_query("Global Data Security Initiative")


@dataclass
class DerivedLinks:
    """Everything derived, as records (what :func:`link_quads` writes)."""

    steps: list[LineageStep] = field(default_factory=list)
    document_links: list[DocumentLink] = field(default_factory=list)
    shifts: list[StanceShift] = field(default_factory=list)
    holders: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LinkStats:
    """What a build or refresh did (counts of written resources) and how long it took."""

    full: bool
    documents: int
    steps: int
    document_links: int
    shifts: int
    quads: int
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


def link_quads(links: DerivedLinks, *, with_rules: bool = True) -> list[ox.Quad]:
    """Quads of the links graph for ``links`` (plus the rule activities)."""
    quads: list[ox.Quad] = links_rdf.rule_quads() if with_rules else []
    quads.extend(links_rdf.step_quads(links.steps))
    quads.extend(links_rdf.document_link_quads(links.document_links))
    quads.extend(links_rdf.shift_quads(links.shifts))
    quads.extend(links_rdf.holder_quads(links.holders))
    return quads


# -- the pure part ------------------------------------------------------------------------


def _holders(graph: nx.MultiDiGraph, doc: str) -> tuple[str, ...]:
    return tuple(sorted({h for s in targets(graph, doc, "has_stance") for h in targets(graph, s, "holder")}))


def _shifts(graph: nx.MultiDiGraph, holders: Iterable[str], reports: dict[str, str]) -> list[StanceShift]:
    out: list[StanceShift] = []
    for holder in sorted(holders):
        by_topic: dict[str | None, list[Any]] = {}
        for position in positions(graph, holder=holder, reports=reports):
            by_topic.setdefault(position.topic, []).append(position)
        for history in by_topic.values():
            out.extend(shifts_of(history))
    return out


def _is_lineage_entity(graph: nx.MultiDiGraph, entity: str) -> bool:
    return graph.nodes[entity].get("type") in LINEAGE_TYPES


def compute_links(graph: nx.MultiDiGraph) -> DerivedLinks:
    """Every derived link of a complete graph (what :func:`rebuild_links` writes).

    >>> g = nx.MultiDiGraph()
    >>> for d, day in (("urn:d1", "2021-01-05"), ("urn:d2", "2022-03-01")):
    ...     g.add_node(d, kind="document", doc_id=d[4:], date=day, sort_date=day)
    ...     for e in ("urn:x", "urn:y"):
    ...         g.add_node(e, kind="entity", type="Instrument"); _ = g.add_edge(d, e, key="mentions")
    >>> links = compute_links(g)
    >>> [(s.entity, s.role, s.document.doc_id) for s in links.steps if s.entity == "urn:x"]
    [('urn:x', 'invocation', 'd1'), ('urn:x', 'invocation', 'd2')]
    """
    out = DerivedLinks()
    reports = report_links(graph)
    out.document_links = reports + follow_up_links(graph)
    # One step per real event of every subject (graph.event_identity), so that SPARQL sees
    # each event once with every report; invocations only for initiatives and instruments.
    lineage_of = lineage_entities(graph)
    subjects = {s for event in nodes_of_kind(graph, "event") for s in targets(graph, event, "subject")}
    for entity in sorted(set(lineage_of) | subjects):
        out.steps.extend(event_steps(graph, entity))
    for entity in lineage_of:
        for doc in sources(graph, entity, "mentions"):
            step = invocation_step(graph, entity, doc)
            if step is not None:
                out.steps.append(step)
    reporters = {link.source: link.target for link in reports}
    holders = {h for s in nodes_of_kind(graph, "stance") for h in targets(graph, s, "holder")}
    out.shifts = _shifts(graph, holders, reporters)
    out.holders = {d: _holders(graph, d) for d in nodes_of_kind(graph, "document")}
    return out


# -- the store side -----------------------------------------------------------------------


def _doc_ref(value: str) -> str:
    return value if value.startswith(("http://", "https://")) else doc_iri(value)


# -- the state of the links graph ---------------------------------------------------------
#
# The links graph describes itself (subject: the graph's IRI), so that no crash can leave
# it silently out of date:
#
# - ``pkg:pendingDocument <doc>``: written BEFORE a document graph is written or removed
#   (ingest, removal), cleared by the refresh that takes the document into account. A
#   process killed between the two leaves the mark, and the next refresh includes it.
# - ``pkg:rebuildStarted``: written in the same transaction that drops the graph for a
#   large non-atomic rebuild, cleared after the last chunk is loaded. Found later, it
#   means the graph is partial: the next refresh rebuilds it in full.
# - ``pkg:documentsFingerprint`` and ``pkg:documentCount``: SHA-256 of the stored
#   ``(document id, content sha256)`` pairs at the last refresh, written in the same
#   transaction as the refreshed links; `policykg validate` compares it with the store.

_LINKS_NODE = ox.NamedNode(str(LINKS_GRAPH))
PKG_PENDING_DOCUMENT = pkg("pendingDocument")
PKG_REBUILD_STARTED = pkg("rebuildStarted")
PKG_DOCUMENTS_FINGERPRINT = pkg("documentsFingerprint")
PKG_DOCUMENT_COUNT = pkg("documentCount")
_XSD_DATETIME = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
_XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
_DOC_GRAPHS = str(GRAPH) + "doc/"
#: `validate` recomputes the whole links graph and compares it quad by quad up to this
#: many documents (beyond, the fingerprint and the marks are checked).
RECOMPUTE_MAX_DOCUMENTS = 300


@dataclass(frozen=True, slots=True)
class LinksState:
    """What the links graph says about itself (see the comment above)."""

    built: bool
    rebuilding: bool
    pending: tuple[str, ...]
    fingerprint: str | None
    document_count: int | None

    @property
    def stale(self) -> bool:
        """True when a refresh has work left over from an interrupted run."""
        return self.rebuilding or bool(self.pending)


def links_state(store: Store) -> LinksState:
    """Read the links graph's own description (two small queries)."""
    built = bool(store.query(
        f"ASK {{ GRAPH {_LINKS} {{ {{ {_LINKS_NODE} <{PKG_DOCUMENTS_FINGERPRINT.value}> ?f }}"
        f" UNION {{ ?rule a <http://www.w3.org/ns/prov#Activity> }} }} }}"
    ))
    rebuilding = False
    pending: list[str] = []
    fingerprint: str | None = None
    count: int | None = None
    query = f"SELECT ?p ?o WHERE {{ GRAPH {_LINKS} {{ {_LINKS_NODE} ?p ?o }} }}"
    for row in store.query(query):
        predicate, value = row["p"], row["o"]
        if predicate == PKG_PENDING_DOCUMENT:
            pending.append(str(value.value))
        elif predicate == PKG_REBUILD_STARTED:
            rebuilding = True
        elif predicate == PKG_DOCUMENTS_FINGERPRINT:
            fingerprint = str(value.value)
        elif predicate == PKG_DOCUMENT_COUNT:
            count = int(value.value)
    return LinksState(built, rebuilding, tuple(sorted(pending)), fingerprint, count)


def documents_fingerprint(store: Store) -> tuple[str, int]:
    """SHA-256 over the sorted ``(document id, content sha256)`` pairs of every document
    graph, and the number of documents."""
    import hashlib

    query = sparql_prefixes() + (
        "SELECT ?g ?id ?sha WHERE { GRAPH ?g { ?d a pkg:Document ; dcterms:identifier ?id ."
        " OPTIONAL { ?d pkg:sha256 ?sha } } }"
    )
    pairs = sorted(
        (str(row["id"].value), str(row["sha"].value) if row["sha"] is not None else "")
        for row in store.query(query, union_default_graph=False)
        if str(row["g"].value).startswith(_DOC_GRAPHS)
    )
    digest = hashlib.sha256()
    for doc_id, sha in pairs:
        digest.update(f"{doc_id}\t{sha}\n".encode())
    return digest.hexdigest(), len(pairs)


def _fingerprint_quads(fingerprint: str, count: int) -> list[ox.Quad]:
    return [
        ox.Quad(_LINKS_NODE, PKG_DOCUMENTS_FINGERPRINT, ox.Literal(fingerprint), _LINKS_NODE),
        ox.Quad(_LINKS_NODE, PKG_DOCUMENT_COUNT, ox.Literal(str(count), datatype=_XSD_INTEGER), _LINKS_NODE),
    ]


def _triples(quads: Iterable[ox.Quad]) -> str:
    return "".join(f"{q.triple} .\n" for q in quads)


def mark_pending(store: Store, doc_ids: Iterable[str]) -> None:
    """Record, before documents are written or removed, that the links graph has not
    taken them into account yet (one small transaction)."""
    quads = [
        ox.Quad(_LINKS_NODE, PKG_PENDING_DOCUMENT, ox.NamedNode(_doc_ref(d)), _LINKS_NODE) for d in doc_ids
    ]
    if quads:
        store.update(f"INSERT DATA {{ GRAPH {_LINKS} {{ {_triples(quads)} }} }}")


def _state_request(pending: Iterable[str], fingerprint: str, count: int) -> str:
    """SPARQL Update parts that clear the pending marks read and record the fingerprint."""
    marks = [ox.Quad(_LINKS_NODE, PKG_PENDING_DOCUMENT, ox.NamedNode(d), _LINKS_NODE) for d in pending]
    parts = [
        f"DELETE WHERE {{ GRAPH {_LINKS} {{ {_LINKS_NODE} <{PKG_DOCUMENTS_FINGERPRINT.value}> ?f }} }}",
        f"DELETE WHERE {{ GRAPH {_LINKS} {{ {_LINKS_NODE} <{PKG_DOCUMENT_COUNT.value}> ?n }} }}",
        f"INSERT DATA {{ GRAPH {_LINKS} {{ {_triples(_fingerprint_quads(fingerprint, count))} }} }}",
    ]
    if marks:
        parts.insert(0, f"DELETE DATA {{ GRAPH {_LINKS} {{ {_triples(marks)} }} }}")
    return " ;\n" + " ;\n".join(parts)


@dataclass(slots=True)
class LinksCheck:
    """Whether the links graph agrees with the documents (``policykg validate``)."""

    agrees: bool
    checked: str
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"agrees": self.agrees, "checked": self.checked, "problems": self.problems}


def check_links(store: Store, *, recompute_max: int = RECOMPUTE_MAX_DOCUMENTS) -> LinksCheck:
    """Check that the links graph agrees with the stored documents.

    The marks of interrupted runs and the fingerprint recorded at the last refresh are
    always checked; on stores of up to ``recompute_max`` documents the whole links graph
    is also recomputed in memory and compared quad by quad.

    Examples
    --------
    >>> from graph.oxigraph_store import OxigraphStore
    >>> store = OxigraphStore(None)
    >>> check_links(store).checked         # never built: nothing derived to disagree
    'absent'
    >>> _ = rebuild_links(store)
    >>> check_links(store).checked
    'recomputed'
    """
    state = links_state(store)
    fingerprint, count = documents_fingerprint(store)
    problems: list[str] = []
    if not state.built:
        # Never built (ingests ran without links): nothing derived, nothing to disagree,
        # unless an interrupted run left its marks.
        if state.rebuilding:
            problems.append("the first build of the links graph was interrupted: the graph is partial; "
                            "run `policykg rebuild-links` to build it")
        elif state.pending:
            problems.append(f"an ingest of {len(state.pending)} document(s) was interrupted before the "
                            "links graph was first built; run `policykg rebuild-links` to build it")
        return LinksCheck(not problems, "absent", problems)
    if state.rebuilding:
        problems.append("a rebuild of the links graph was interrupted: the graph is partial")
    if state.pending:
        shown = ", ".join(d.rsplit("/", 1)[-1] for d in state.pending[:5])
        more = f" and {len(state.pending) - 5} more" if len(state.pending) > 5 else ""
        problems.append(f"{len(state.pending)} document(s) changed since the last refresh: {shown}{more}")
    if state.fingerprint is None:
        problems.append("the links graph records no fingerprint of the documents it was built from "
                        "(built by an older version)")
    elif state.fingerprint != fingerprint:
        problems.append(
            f"the documents changed since the links graph was refreshed ({count} stored now, "
            f"{state.document_count} then)"
        )
    checked = "marks and fingerprint"
    if not problems and count <= recompute_max:
        checked = "recomputed"
        expected = {str(q) for q in link_quads(compute_links(load_link_network(store)))}
        expected |= {str(q) for q in _fingerprint_quads(fingerprint, count)}
        actual = {str(q) for q in store.graph_quads(str(LINKS_GRAPH))}
        missing, extra = len(expected - actual), len(actual - expected)
        if missing or extra:
            problems.append(f"the links graph differs from a fresh rebuild ({missing} quads missing, "
                            f"{extra} extra)")
    if problems:
        problems.append("run `policykg rebuild-links` to rebuild it")
    return LinksCheck(not problems, checked, problems)


def _links_built(store: Store) -> bool:
    return links_state(store).built


def load_link_network(store: Store) -> nx.MultiDiGraph:
    """The full network as the link rules need it: mention evidence only for
    initiatives and instruments (the quotes of invocation steps), which keeps the
    mention query small on large stores."""
    graph = load_network(store, mention_evidence=False)
    wanted = lineage_entities(graph)
    if wanted:
        NetworkBuilder(store, graph).add_mention_evidence(entities=wanted)
    return graph


def rebuild_links(store: Store) -> LinkStats:
    """Recompute the whole links graph from the store and replace it (one transaction).

    Examples
    --------
    >>> from graph.oxigraph_store import OxigraphStore
    >>> store = OxigraphStore(None)
    >>> rebuild_links(store).quads > 0   # the rule activities, even for an empty store
    True
    """
    started = time.perf_counter()
    fingerprint, count = documents_fingerprint(store)
    graph = load_link_network(store)
    links = compute_links(graph)
    quads = link_quads(links)
    quads.extend(_fingerprint_quads(fingerprint, count))
    rewrite = getattr(store, "rewrite_graph", None)
    if callable(rewrite) and len(quads) > _ATOMIC_REWRITE_MAX:
        # Too large for one transaction (see rewrite_graph): the drop writes a mark that
        # only the end of the load removes, so a crash in between is found and repaired.
        stamp = ox.Literal(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), datatype=_XSD_DATETIME)
        mark = ox.Quad(_LINKS_NODE, PKG_REBUILD_STARTED, stamp, _LINKS_NODE)
        rewrite(str(LINKS_GRAPH), quads, first=[mark])
        store.update(f"DELETE DATA {{ GRAPH {_LINKS} {{ {_triples([mark])} }} }}")
    else:
        store.replace_graph(str(LINKS_GRAPH), quads)
    return _stats(True, len(links.holders), links, len(quads), started)


def _stats(full: bool, documents: int, links: DerivedLinks, quads: int, started: float) -> LinkStats:
    return LinkStats(
        full=full,
        documents=documents,
        steps=len(links.steps),
        document_links=len(links.document_links),
        shifts=len(links.shifts),
        quads=quads,
        seconds=round(time.perf_counter() - started, 4),
    )


@dataclass
class _OldState:
    holders: set[str] = field(default_factory=set)
    subjects: set[str] = field(default_factory=set)
    partners: set[str] = field(default_factory=set)


def _old_state(store: Store, scope: set[str]) -> _OldState:
    """What the links graph remembers of the documents in ``scope``.

    One small query per document with its IRI written in: every pattern then starts from
    a constant, which Oxigraph answers from an index (a ``VALUES`` block joined to a
    ``UNION`` was evaluated over the whole links graph: 3.5 s a document on 1,500 speeches).
    """
    old = _OldState()
    for doc in sorted(scope):
        d = f"<{doc}>"
        query = (
            sparql_prefixes()
            + f"""
SELECT ?kind ?x WHERE {{ GRAPH {_LINKS} {{
  {{ {d} pkg:linkHolder ?x BIND("holder" AS ?kind) }}
  UNION {{ ?n prov:wasDerivedFrom {d} . ?n pkg:stepRole ?role . FILTER(?role != pkg:invocation)
           ?n pkg:lineageOf ?x BIND("subject" AS ?kind) }}
  UNION {{ {d} pkg:reportsOn ?x BIND("partner" AS ?kind) }}
  UNION {{ ?x pkg:reportsOn {d} BIND("partner" AS ?kind) }}
}} }}"""
        )
        for row in store.query(query):
            kind, value = str(row["kind"].value), str(row["x"].value)
            if kind == "holder":
                old.holders.add(value)
            elif kind == "subject":
                old.subjects.add(value)
            else:
                old.partners.add(value)
    return old


def _stored_reporters(store: Store, docs: set[str], scope: set[str]) -> dict[str, str]:
    """News reports among ``docs`` (outside ``scope``) that report a document outside
    ``scope``, according to the links graph."""
    docs = docs - scope
    if not docs:
        return {}
    query = (
        sparql_prefixes()
        + f"""
SELECT ?b ?a WHERE {{ {values_clause("b", docs)} GRAPH {_LINKS} {{ ?b pkg:reportsOn ?a }} }} ORDER BY ?b ?a"""
    )
    out: dict[str, str] = {}
    for row in store.query(query):
        target = str(row["a"].value)
        if target not in scope:
            out.setdefault(str(row["b"].value), target)
    return out


def _near_days(graph: nx.MultiDiGraph, docs: Iterable[str]) -> set[str]:
    days: set[str] = set()
    for doc in docs:
        value = graph.nodes[doc].get("date") or ""
        if len(value) == 10:
            try:
                day = Date.fromisoformat(value)
            except ValueError:
                continue
            days.update(str(day + timedelta(days=k)) for k in (-1, 0, 1))
    return days


def _unloaded(graph: nx.MultiDiGraph, docs: Iterable[str]) -> list[str]:
    return sorted(d for d in docs if d not in graph or graph.nodes[d].get("doc_id") is None)


def _follow_up_pairs(store: Store, via: Sequence[str]) -> list[tuple[str, str]]:
    """The (follower, followed) document pairs of the follow-ups through ``via``."""
    if not via:
        return []
    query = f"""SELECT DISTINCT ?b ?a WHERE {{ {values_clause("x", via)} GRAPH {_LINKS} {{
  ?n pkg:via ?x ; a pkg:FollowUp ; pkg:fromDocument ?b ; pkg:toDocument ?a }} }}"""
    return sorted((str(r["b"].value), str(r["a"].value)) for r in select(store, query))


def _delete_request(
    scope: set[str],
    subjects: set[str],
    via: Sequence[str],
    via_pairs: Sequence[tuple[str, str]],
    holders: set[str],
) -> str:
    """ONE SPARQL Update part removing every unit the refresh rewrites."""
    # A derived node and the nodes hanging off it (its evidence annotation and selectors).
    subtree = "?n (pkg:evidence|oa:hasTarget|oa:hasSelector)* ?m . ?m ?p ?o ."
    parts = [
        f"""DELETE {{ GRAPH {_LINKS} {{ ?m ?p ?o }} }} WHERE {{ {values_clause("d", scope)}
  GRAPH {_LINKS} {{ ?n pkg:stepRole pkg:invocation ; prov:wasDerivedFrom ?d . {subtree} }} }}""",
        f"""DELETE {{ GRAPH {_LINKS} {{ ?n ?p ?o . ?b ?rel ?a }} }} WHERE {{ {values_clause("d", scope)}
  GRAPH {_LINKS} {{ ?n a pkg:DocumentLink ; prov:wasDerivedFrom ?d ; pkg:fromDocument ?b ; pkg:toDocument ?a .
    ?n ?p ?o . ?b ?rel ?a . FILTER(?rel IN (pkg:followsUp, pkg:reportsOn)) }} }}""",
        f"""DELETE {{ GRAPH {_LINKS} {{ ?d ?p ?x }} }} WHERE {{ {values_clause("d", scope)}
  GRAPH {_LINKS} {{ ?d pkg:linkHolder ?x BIND(pkg:linkHolder AS ?p) }} }}""",
    ]
    if subjects:
        parts.append(
            f"""DELETE {{ GRAPH {_LINKS} {{ ?m ?p ?o }} }} WHERE {{ {values_clause("x", subjects)}
  GRAPH {_LINKS} {{ ?n pkg:lineageOf ?x ; pkg:stepRole ?role .
    FILTER(?role != pkg:invocation) {subtree} }} }}"""
        )
    if via:
        parts.append(
            f"""DELETE {{ GRAPH {_LINKS} {{ ?n ?p ?o }} }} WHERE {{ {values_clause("x", via)}
  GRAPH {_LINKS} {{ ?n a pkg:FollowUp ; pkg:via ?x ; ?p ?o }} }}"""
        )
    if via_pairs:
        # Then the plain triples of those pairs that no follow-up holds up any more. MINUS,
        # not FILTER NOT EXISTS: Oxigraph 0.5 took 1.1 s for the NOT EXISTS of 76 pairs in
        # 300 speeches, 0.03 s for the MINUS.
        pairs = " ".join(f"(<{b}> <{a}>)" for b, a in via_pairs)
        parts.append(
            f"""DELETE {{ GRAPH {_LINKS} {{ ?b pkg:followsUp ?a }} }} WHERE {{ VALUES (?b ?a) {{ {pairs} }}
  GRAPH {_LINKS} {{ ?b pkg:followsUp ?a
    MINUS {{ ?n pkg:fromDocument ?b ; pkg:toDocument ?a ; a pkg:FollowUp }} }} }}"""
        )
    if holders:
        parts.append(
            f"""DELETE {{ GRAPH {_LINKS} {{ ?n ?p ?o }} }} WHERE {{ {values_clause("h", holders)}
  GRAPH {_LINKS} {{ ?n a pkg:StanceShift ; pkg:holder ?h ; ?p ?o }} }}"""
        )
    return sparql_prefixes() + " ;\n".join(parts)


def _insert_request(quads: Sequence[ox.Quad]) -> str:
    if not quads:
        return ""
    body = "".join(f"{q.triple} .\n" for q in quads)
    return f" ;\nINSERT DATA {{ GRAPH {_LINKS} {{\n{body}}} }}"


def refresh_links(store: Store, changed: Sequence[str], removed: Sequence[str]) -> LinkStats:
    """Bring the links graph up to date after documents were (re)ingested or removed.

    Parameters
    ----------
    store
        The store, whose document graphs already hold the new state.
    changed
        Document ids (or IRIs) ingested or re-ingested since the last refresh.
    removed
        Document ids (or IRIs) removed since the last refresh.

    Only the units the documents touch are recomputed (see the module docstring); when
    the links graph was never built, this is a full :func:`rebuild_links`.

    Examples
    --------
    >>> from graph.oxigraph_store import OxigraphStore
    >>> store = OxigraphStore(None)
    >>> refresh_links(store, ["d1"], []).full     # nothing built yet: a full build
    True
    >>> refresh_links(store, [], ["d1"]).full
    False
    """
    started = time.perf_counter()
    state = links_state(store)
    if not state.built or state.rebuilding:
        return rebuild_links(store)
    # Documents an interrupted run wrote or removed without refreshing the links.
    changed = [*changed, *state.pending]
    scope = {_doc_ref(d) for d in (*changed, *removed)}
    if not scope:
        return _stats(False, 0, DerivedLinks(), 0, started)
    fingerprint, count = documents_fingerprint(store)
    old = _old_state(store, scope)
    builder = NetworkBuilder(store)
    graph = builder.graph
    present = builder.add_documents(sorted({_doc_ref(d) for d in changed}))
    if present:
        builder.add_mentions(present, evidence=True)
        builder.add_events(present)
        builder.add_stances(present)
    builder.finish()  # entity types: only initiatives and instruments have lineages
    new_entities = {e for d in present for e in targets(graph, d, "mentions") if _is_lineage_entity(graph, e)}
    new_subjects = {
        s for d in present for ev in targets(graph, d, "has_event") for s in targets(graph, ev, "subject")
    }
    new_holders = {
        h for d in present for s in targets(graph, d, "has_stance") for h in targets(graph, s, "holder")
    }

    # Event steps of the subjects; the origins the mentioned entities may follow up on.
    subjects = old.subjects | new_subjects
    if subjects | new_entities:
        builder.add_events(subjects=sorted(subjects | new_entities))
    event_docs = {graph.nodes[e]["document"] for e in nodes_of_kind(graph, "event")}
    builder.add_documents(_unloaded(graph, event_docs))
    builder.finish()
    # A subject's origin may have moved: every document that invokes it is revisited.
    via = sorted(x for x in subjects if x in graph and _is_lineage_entity(graph, x))
    if via:
        builder.add_mentions(entities=via, evidence=False)
    # News-report candidates: documents dated the day before, of, or after.
    builder.add_documents_on_days(_near_days(graph, present))
    builder.add_documents(_unloaded(graph, nodes_of_kind(graph, "document")))

    reports = report_links(graph, present)
    follow_ups = follow_up_links(graph, present, via=via)
    # Stance shifts: holders of the changed documents and of their report partners.
    partners = old.partners | {d for link in reports for d in (link.source, link.target)}
    holders = old.holders | new_holders
    partner_docs = sorted(partners - scope)
    if partner_docs:
        builder.add_documents(_unloaded(graph, partner_docs))
        builder.add_stances(partner_docs)
        holders |= {
            h
            for d in partner_docs
            for s in targets(graph, d, "has_stance")
            for h in targets(graph, s, "holder")
        }
    if holders:
        builder.add_stances(holders=sorted(holders))
    builder.add_documents(_unloaded(graph, nodes_of_kind(graph, "document")))
    builder.finish()
    stance_docs = {graph.nodes[s]["document"] for s in nodes_of_kind(graph, "stance")}
    reporters = _stored_reporters(store, stance_docs, scope)
    for link in reports:  # every report link touching a changed document, as it now stands
        reporters.setdefault(link.source, link.target)

    links = DerivedLinks()
    links.document_links = reports + follow_ups
    for subject in sorted(subjects):
        if subject in graph:
            links.steps.extend(event_steps(graph, subject))
    for doc in present:
        for entity in targets(graph, doc, "mentions"):
            if _is_lineage_entity(graph, entity):
                step = invocation_step(graph, entity, doc)
                if step is not None:
                    links.steps.append(step)
    links.shifts = _shifts(graph, holders, reporters)
    links.holders = {d: _holders(graph, d) for d in present}

    quads = link_quads(links, with_rules=False)
    request = _delete_request(scope, subjects, via, _follow_up_pairs(store, via), holders)
    state_part = _state_request(state.pending, fingerprint, count)
    store.update(request + _insert_request(quads) + state_part)
    return _stats(False, len(scope), links, len(quads), started)


def document_iri(doc_id: str) -> str:
    """The IRI of a document id (ids and IRIs are both accepted by :func:`refresh_links`)."""
    return _doc_ref(doc_id)


__all__ = [
    "DOC",
    "LINEAGE_QUERY",
    "DerivedLinks",
    "LinkStats",
    "LinksCheck",
    "LinksState",
    "check_links",
    "compute_links",
    "document_iri",
    "documents_fingerprint",
    "lineage_query",
    "link_quads",
    "links_state",
    "load_link_network",
    "mark_pending",
    "rebuild_links",
    "refresh_links",
]
