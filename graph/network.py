"""The store projected into networkx: the one graph every networkx view reads.

:func:`load_network` fetches what the views need with a handful of aggregating SPARQL
SELECTs (one per kind of node; nothing pulls ``pkg:text``) and builds a
:class:`networkx.MultiDiGraph` whose nodes are IRIs (strings) with a ``kind`` attribute:

``document``
    ``doc_id``, ``title``, ``date`` (ISO at its true precision), ``sort_date``
    (``YYYY-MM-DD``), ``genre``, ``actor``, ``speaker``, ``forum`` (entity IRIs or None).
``entity``
    ``label``, ``type`` (``Initiative``, ``Instrument``, ``Forum``, ``State``, ...),
    ``aliases`` and ``acronyms`` (tuples).
``topic``
    ``label``.
``event``
    ``event_type`` (``launch``, ``propose``, ...), ``date``, ``sort_date``, ``document``,
    ``evidence`` (:class:`Evidence` or None).
``stance``
    ``polarity``, ``target``, ``cue``, ``date``, ``sort_date``, ``document``, ``evidence``.

Edges carry the relation as their key (and as ``rel``):
``document -mentions-> entity`` (``count``, ``evidence``: the first mention),
``document -actor|speaker|forum-> entity``, ``document -has_event-> event``,
``event -subject|event_actor-> entity``, ``document -has_stance-> stance``,
``stance -holder|target_entity-> entity``, ``stance -topic-> topic``.

Loading can be restricted to some documents (``docs``), to the events of some subjects,
the stances of some holders and the mentions of some entities: :mod:`graph.derived` loads
only what one changed document touches, the CLI and API load everything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import networkx as nx

from graph.evidence import Evidence, evidence_of
from graph.solutions import chunks, integer, select, select_for, text
from graph.store import Store
from ontology.namespace import DOC, ENTITY, PKG, TOPIC

#: Separator of values packed into one aggregated string (ASCII unit separator).
_SEP = "\x1f"
#: Zero padding that makes a character offset sort as a string (documents < 10^12 chars).
_PAD = "000000000000"

ENTITY_TYPES = ("Initiative", "Instrument", "Forum", "State", "Person", "Organization")


def local_name(iri: str) -> str:
    """The part of an IRI after its last ``/`` or ``#``.

    >>> local_name("https://w3id.org/policykg/ontology#launch")
    'launch'
    """
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


_DOCS = """
SELECT ?d (SAMPLE(?id_) AS ?id) (SAMPLE(?title_) AS ?title) (SAMPLE(?date_) AS ?date)
       (SAMPLE(?sort_) AS ?sort) (SAMPLE(?genre_) AS ?genre) (SAMPLE(?actor_) AS ?actor)
       (SAMPLE(?speaker_) AS ?speaker) (SAMPLE(?forum_) AS ?forum)
WHERE {{
  {values}
  GRAPH ?g {{
    ?d a pkg:Document .
    OPTIONAL {{ ?d dcterms:identifier ?id_ }}
    OPTIONAL {{ ?d dcterms:title ?title_ }}
    OPTIONAL {{ ?d dcterms:date ?date_ }}
    OPTIONAL {{ ?d pkg:sortDate ?sort_ }}
    OPTIONAL {{ ?d pkg:genre ?genre_ }}
    OPTIONAL {{ ?d pkg:actor ?actor_ }}
    OPTIONAL {{ ?d pkg:speaker ?speaker_ }}
    OPTIONAL {{ ?d pkg:forum ?forum_ }}
  }}
}} GROUP BY ?d
"""

# One pattern per predicate (not ``VALUES ?p {...} ?e ?p ?o``): Oxigraph then looks each
# entity up by subject and predicate, ~35x faster on 1,000 UN speeches (0.18 s vs 6.4 s
# per 500 entities).
_ENTITY_TERMS = """
SELECT DISTINCT ?e ?p ?o WHERE {{
  {values}
  {{ ?e rdf:type ?o BIND(rdf:type AS ?p) }}
  UNION {{ ?e skos:prefLabel ?o BIND(skos:prefLabel AS ?p) }}
  UNION {{ ?e skos:altLabel ?o BIND(skos:altLabel AS ?p) }}
  UNION {{ ?e pkg:acronym ?o BIND(pkg:acronym AS ?p) }}
  FILTER(STRSTARTS(STR(?e), "{entity_base}"))
}}
"""

_MENTION_LINKS = """
SELECT DISTINCT ?d ?e WHERE {{ {values} GRAPH ?g {{ ?d a pkg:Document ; schema:mentions ?e }} }}
"""

_MENTION_EVIDENCE = """
SELECT ?d ?e (COUNT(?a) AS ?n) (MIN(?key) AS ?first) WHERE {{
  {values}
  GRAPH ?g {{
    ?a oa:hasBody ?e ; oa:motivatedBy oa:identifying ; oa:hasTarget ?t .
    ?t oa:hasSource ?d ; oa:hasSelector ?p, ?q .
    ?p oa:start ?s ; oa:end ?en .
    ?q oa:exact ?x .
  }}
  BIND(CONCAT(SUBSTR(CONCAT("{pad}", STR(?s)), STRLEN(STR(?s)) + 1), "{sep}", STR(?en), "{sep}", ?x) AS ?key)
}} GROUP BY ?d ?e
"""

_EVIDENCE_PATTERN = """
    OPTIONAL {{
      ?{node} pkg:evidence ?ann . ?ann oa:hasTarget ?t .
      ?t oa:hasSelector ?p, ?q . ?p oa:start ?s ; oa:end ?en . ?q oa:exact ?x .
    }}"""

_EVENTS = """
SELECT ?ev ?d ?type ?subject ?actor ?date ?sort ?s ?en ?x WHERE {{
  {values}
  GRAPH ?g {{
    ?ev a pkg:Event ; pkg:eventType ?type ; pkg:subject ?subject ; prov:wasDerivedFrom ?d .
    OPTIONAL {{ ?ev sem:hasActor ?actor }}
    OPTIONAL {{ ?ev dcterms:date ?date }}
    OPTIONAL {{ ?ev pkg:sortDate ?sort }}
    {evidence}
  }}
}}
"""

_STANCES = """
SELECT ?st ?d ?holder ?polarity ?target ?topic ?cue ?date ?sort ?s ?en ?x
       (GROUP_CONCAT(DISTINCT STR(?te); separator="{sep}") AS ?targets) WHERE {{
  {values}
  GRAPH ?g {{
    ?st a pkg:Stance ; prov:wasAttributedTo ?holder ; pkg:polarity ?polarity ; prov:wasDerivedFrom ?d .
    OPTIONAL {{ ?st pkg:target ?target }}
    OPTIONAL {{ ?st dcterms:subject ?topic }}
    OPTIONAL {{ ?st pkg:cue ?cue }}
    OPTIONAL {{ ?st dcterms:date ?date }}
    OPTIONAL {{ ?st pkg:sortDate ?sort }}
    OPTIONAL {{ ?st pkg:targetEntity ?te }}
    {evidence}
  }}
}} GROUP BY ?st ?d ?holder ?polarity ?target ?topic ?cue ?date ?sort ?s ?en ?x
"""

_TOPIC_LABELS = """
SELECT ?c (SAMPLE(STR(?l)) AS ?label) WHERE {{
  {values} ?c skos:prefLabel ?l . FILTER(STRSTARTS(STR(?c), "{topic_base}"))
}} GROUP BY ?c
"""


def _evidence(doc: str | None, row: Any) -> Evidence | None:
    start, end, quote = integer(row["s"]), integer(row["en"]), text(row["x"])
    if doc is None or start is None or end is None or quote is None:
        return None
    return Evidence(doc, start, end, quote)


def _with_evidence(template: str, node: str, inline: bool) -> str:
    """``template`` with its ``{evidence}`` slot filled: the OPTIONAL evidence pattern when
    loading the whole store (one hash join is then the cheapest plan), else nothing (the
    caller asks :func:`evidence_of` for the few nodes found)."""
    pattern = _EVIDENCE_PATTERN.replace("{node}", node) if inline else ""
    return template.replace("{evidence}", pattern)


class NetworkBuilder:
    """Fills one :class:`networkx.MultiDiGraph` from a store, one kind of node at a time.

    Every ``add_*`` method may be called several times (with other restrictions); nodes
    are merged by IRI. :meth:`finish` fills in the labels of the entities and topics
    that edges reached but whose descriptions were not loaded yet.
    """

    def __init__(self, store: Store, graph: nx.MultiDiGraph | None = None) -> None:
        self.store = store
        self.graph = graph if graph is not None else nx.MultiDiGraph()

    # -- nodes ---------------------------------------------------------------------------

    def _edge(self, source: str, target: str, rel: str, **attrs: Any) -> None:
        self.graph.add_edge(source, target, key=rel, rel=rel, **attrs)

    def _touch(self, node: str, kind: str) -> None:
        if node not in self.graph:
            self.graph.add_node(node, kind=kind)

    def add_documents(self, docs: Sequence[str] | None = None) -> list[str]:
        """Add document nodes (all, or the IRIs in ``docs``); returns the IRIs found."""
        found = []
        for row in select_for(self.store, _DOCS, "d", docs):
            doc = text(row["d"])
            assert doc is not None
            sort_date = text(row["sort"])
            date = text(row["date"]) or sort_date
            attrs = {
                "kind": "document",
                "doc_id": text(row["id"]) or doc.removeprefix(str(DOC)),
                "title": text(row["title"]),
                "date": date,
                "sort_date": sort_date,
                "genre": text(row["genre"]),
                "actor": text(row["actor"]),
                "speaker": text(row["speaker"]),
                "forum": text(row["forum"]),
            }
            self.graph.add_node(doc, **attrs)
            for rel in ("actor", "speaker", "forum"):
                if attrs[rel]:
                    self._touch(str(attrs[rel]), "entity")
                    self._edge(doc, str(attrs[rel]), rel)
            found.append(doc)
        return found

    def add_documents_on_days(self, days: Iterable[str]) -> list[str]:
        """Add the documents whose ``pkg:sortDate`` is one of ``days`` (``YYYY-MM-DD``)."""
        wanted = sorted(set(days))
        found: set[str] = set()
        for chunk in chunks(wanted):
            values = " ".join(f'"{day}"^^xsd:date' for day in chunk)
            query = (
                f"SELECT DISTINCT ?d WHERE {{ VALUES ?day {{ {values} }} "
                "GRAPH ?g { ?d a pkg:Document ; pkg:sortDate ?day } }"
            )
            found.update(str(text(row["d"])) for row in select(self.store, query))
        new = sorted(d for d in found if self.graph.nodes.get(d, {}).get("doc_id") is None)
        return self.add_documents(new) if new else []

    def add_mentions(
        self,
        docs: Sequence[str] | None = None,
        *,
        entities: Sequence[str] | None = None,
        evidence: bool = True,
    ) -> None:
        """Add ``document -mentions-> entity`` edges of ``docs`` (or of ``entities``).

        With ``evidence`` each edge also gets ``count`` (mentions in the document) and
        ``evidence`` (its first mention, as :class:`Evidence`); without it only the
        ``schema:mentions`` links are read, which is much cheaper on large stores.
        """
        var, iris = ("d", docs) if entities is None else ("e", entities)
        for row in select_for(self.store, _MENTION_LINKS, var, iris, one_by_one=False):
            doc, entity = str(text(row["d"])), str(text(row["e"]))
            self._touch(doc, "document")
            self._touch(entity, "entity")
            if not self.graph.has_edge(doc, entity, key="mentions"):
                self._edge(doc, entity, "mentions")
        if evidence:
            self.add_mention_evidence(docs, entities=entities)

    def add_mention_evidence(
        self, docs: Sequence[str] | None = None, *, entities: Sequence[str] | None = None
    ) -> None:
        """Attach ``count`` and ``evidence`` (the first mention) to ``mentions`` edges of
        ``docs`` (or of ``entities``; with both, of the pairs in both)."""
        var, iris = ("d", docs) if entities is None else ("e", entities)
        template = _MENTION_EVIDENCE.replace("{pad}", _PAD).replace("{sep}", _SEP)
        wanted_docs = None if docs is None else set(docs)
        for row in select_for(self.store, template, var, iris):
            doc, entity = str(text(row["d"])), str(text(row["e"]))
            if wanted_docs is not None and doc not in wanted_docs:
                continue
            start, end, quote = str(row["first"].value).split(_SEP, 2)
            attrs = {"count": integer(row["n"]), "evidence": Evidence(doc, int(start), int(end), quote)}
            self._touch(doc, "document")
            self._touch(entity, "entity")
            if self.graph.has_edge(doc, entity, key="mentions"):
                self.graph.edges[doc, entity, "mentions"].update(attrs)
            else:
                self._edge(doc, entity, "mentions", **attrs)

    def add_events(self, docs: Sequence[str] | None = None, *, subjects: Sequence[str] | None = None) -> None:
        """Add event nodes of ``docs`` (or every event whose subject is in ``subjects``)."""
        var, iris = ("d", docs) if subjects is None else ("subject", subjects)
        inline = iris is None
        rows = list(select_for(self.store, _with_evidence(_EVENTS, "ev", inline), var, iris))
        quotes = {} if inline else evidence_of(self.store, (str(text(r["ev"])) for r in rows))
        for row in rows:
            event, doc, subject = text(row["ev"]), text(row["d"]), text(row["subject"])
            assert event is not None and doc is not None and subject is not None
            self._touch(doc, "document")
            self._touch(subject, "entity")
            self.graph.add_node(
                event,
                kind="event",
                event_type=local_name(str(text(row["type"]))),
                date=text(row["date"]) or text(row["sort"]),
                sort_date=text(row["sort"]),
                document=doc,
                evidence=_evidence(doc, row) if inline else quotes.get(event),
            )
            self._edge(doc, event, "has_event")
            self._edge(event, subject, "subject")
            actor = text(row["actor"])
            if actor:
                self._touch(actor, "entity")
                self._edge(event, actor, "event_actor")

    def add_stances(self, docs: Sequence[str] | None = None, *, holders: Sequence[str] | None = None) -> None:
        """Add stance nodes of ``docs`` (or every stance held by one of ``holders``)."""
        var, iris = ("d", docs) if holders is None else ("holder", holders)
        inline = iris is None
        template = _with_evidence(_STANCES, "st", inline).replace("{sep}", _SEP)
        rows = list(select_for(self.store, template, var, iris))
        quotes = {} if inline else evidence_of(self.store, (str(text(r["st"])) for r in rows))
        for row in rows:
            stance, doc, holder = text(row["st"]), text(row["d"]), text(row["holder"])
            assert stance is not None and doc is not None and holder is not None
            self._touch(doc, "document")
            self._touch(holder, "entity")
            self.graph.add_node(
                stance,
                kind="stance",
                polarity=local_name(str(text(row["polarity"]))),
                target=text(row["target"]),
                cue=text(row["cue"]),
                date=text(row["date"]) or text(row["sort"]),
                sort_date=text(row["sort"]),
                document=doc,
                evidence=_evidence(doc, row) if inline else quotes.get(stance),
            )
            self._edge(doc, stance, "has_stance")
            self._edge(stance, holder, "holder")
            topic = text(row["topic"])
            if topic:
                self._touch(topic, "topic")
                self._edge(stance, topic, "topic")
            for target in filter(None, str(text(row["targets"]) or "").split(_SEP)):
                self._touch(target, "entity")
                self._edge(stance, target, "target_entity")

    def add_entity_descriptions(self, entities: Sequence[str] | None = None) -> None:
        """Set ``label``, ``type``, ``aliases`` and ``acronyms`` of entity nodes."""
        template = _ENTITY_TERMS.replace("{entity_base}", str(ENTITY))
        terms: dict[str, dict[str, set[str]]] = {}
        for row in select_for(self.store, template, "e", entities, one_by_one=False):
            entity, prop, value = text(row["e"]), text(row["p"]), text(row["o"])
            assert entity is not None and prop is not None and value is not None
            terms.setdefault(entity, {}).setdefault(local_name(prop), set()).add(value)
        for entity, props in terms.items():
            types = sorted(t for t in (local_name(v) for v in props.get("type", ())) if t in ENTITY_TYPES)
            labels = sorted(props.get("prefLabel", ()))
            label = labels[0] if labels else local_name(entity)
            self.graph.add_node(
                entity,
                kind="entity",
                label=label,
                type=types[0] if types else None,
                aliases=tuple(sorted(set(props.get("altLabel", ())) | set(labels[1:]))),
                acronyms=tuple(sorted(props.get("acronym", ()))),
            )

    def finish(self) -> nx.MultiDiGraph:
        """Describe the entities and topics edges reached; return the graph."""
        graph = self.graph
        missing = [n for n, a in graph.nodes(data=True) if a.get("kind") == "entity" and "label" not in a]
        if missing:
            self.add_entity_descriptions(missing)
        for node in missing:
            attrs = graph.nodes[node]
            attrs.setdefault("label", local_name(node))
            attrs.setdefault("type", None)
            attrs.setdefault("aliases", ())
            attrs.setdefault("acronyms", ())
        topics = [n for n, a in graph.nodes(data=True) if a.get("kind") == "topic" and "label" not in a]
        labels: dict[str, str] = {}
        if topics:
            template = _TOPIC_LABELS.replace("{topic_base}", str(TOPIC))
            for row in select_for(self.store, template, "c", topics, one_by_one=False):
                labels[str(text(row["c"]))] = str(text(row["label"]))
        for node in topics:
            graph.nodes[node]["label"] = labels.get(node, local_name(node))
        return graph


def load_network(
    store: Store, *, docs: Sequence[str] | None = None, mention_evidence: bool = True
) -> nx.MultiDiGraph:
    """Project the store (or the documents ``docs``) into a networkx graph.

    Parameters
    ----------
    store
        Any :class:`graph.store.Store`.
    docs
        Document IRIs to load with everything they contain; ``None`` loads every document.
    mention_evidence
        Attach the first mention of each entity in each document (``evidence``) and the
        number of mentions (``count``) to ``mentions`` edges.

    Examples
    --------
    >>> from graph.oxigraph_store import OxigraphStore
    >>> from graph.network import load_network
    >>> store = OxigraphStore(None)
    >>> store.update('''PREFIX pkg: <https://w3id.org/policykg/ontology#>
    ... PREFIX schema: <https://schema.org/>
    ... PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    ... PREFIX dcterms: <http://purl.org/dc/terms/>
    ... PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
    ... INSERT DATA { GRAPH <https://w3id.org/policykg/graph/doc/d1> {
    ...   <https://w3id.org/policykg/doc/d1> a pkg:Document ; dcterms:identifier "d1" ;
    ...     dcterms:date "2020-09"^^xsd:gYearMonth ; pkg:sortDate "2020-09-01"^^xsd:date ;
    ...     schema:mentions <https://w3id.org/policykg/entity/cd> .
    ...   <https://w3id.org/policykg/entity/cd> a pkg:Forum ;
    ...     skos:prefLabel "Conference on Disarmament" ; pkg:acronym "CD" . } }''')
    >>> g = load_network(store)
    >>> g.nodes["https://w3id.org/policykg/doc/d1"]["date"]
    '2020-09'
    >>> cd = g.nodes["https://w3id.org/policykg/entity/cd"]
    >>> cd["label"], cd["type"], cd["acronyms"]
    ('Conference on Disarmament', 'Forum', ('CD',))
    """
    builder = NetworkBuilder(store)
    found = builder.add_documents(docs)
    scope = None if docs is None else found
    if scope is not None and not scope:
        return builder.finish()
    builder.add_mentions(scope, evidence=mention_evidence)
    builder.add_events(scope)
    builder.add_stances(scope)
    return builder.finish()


# -- small accessors the views share -------------------------------------------------------


def nodes_of_kind(graph: nx.MultiDiGraph, kind: str) -> list[str]:
    """IRIs of every node of one kind, sorted."""
    return sorted(n for n, a in graph.nodes(data=True) if a.get("kind") == kind)


def targets(graph: nx.MultiDiGraph, node: str, rel: str) -> list[str]:
    """Nodes reached from ``node`` by edges of relation ``rel``, sorted."""
    return sorted({v for _, v, k in graph.out_edges(node, keys=True) if k == rel})


def sources(graph: nx.MultiDiGraph, node: str, rel: str) -> list[str]:
    """Nodes reaching ``node`` by edges of relation ``rel``, sorted."""
    return sorted({u for u, _, k in graph.in_edges(node, keys=True) if k == rel})


def first(graph: nx.MultiDiGraph, node: str, rel: str) -> str | None:
    found = targets(graph, node, rel)
    return found[0] if found else None


def label(graph: nx.MultiDiGraph, node: str | None) -> str | None:
    """The label of an entity or topic node (its IRI's local name when unknown)."""
    if node is None:
        return None
    if node in graph:
        return graph.nodes[node].get("label") or local_name(node)
    return local_name(node)


__all__ = [
    "ENTITY_TYPES",
    "PKG",
    "NetworkBuilder",
    "first",
    "label",
    "load_network",
    "local_name",
    "nodes_of_kind",
    "sources",
    "targets",
]
