"""The dataset described in VoID and DCAT (``GET /.well-known/void``, RFC 5785 and the
VoID guide's well-known location).

``void:triples`` is the number of distinct triples of the union default graph (what a
SPARQL query without ``GRAPH`` sees; ``policykg stats`` prints it as ``triples``, beside
``quads``). Each named graph other than the document graphs is a ``void:subset`` with its
own count (quads of that graph, named by ``sd:name``). The description is computed once
per store generation (counting distinct triples reads the whole store).
"""

from __future__ import annotations

import pyoxigraph as ox

from api.context import AppContext
from graph.entities_graph import ENTITIES
from graph.stats import distinct_triples
from ontology.namespace import BASE, ENTITY, GRAPH, PREFIXES, TOPIC, doc_iri

_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_VOID = "http://rdfs.org/ns/void#"
_DCAT = "http://www.w3.org/ns/dcat#"
_DCT = "http://purl.org/dc/terms/"
_SD = "http://www.w3.org/ns/sparql-service-description#"
_XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
_DOC_GRAPHS = str(GRAPH) + "doc/"
#: Vocabularies the graph's classes and properties come from (ontology/README.md).
VOCABULARIES = ("pkg", "dcterms", "prov", "skos", "schema", "oa", "sem", "rdfs", "owl")


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _count(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_XSD_INTEGER)


def void_triples(ctx: AppContext, base: str) -> list[ox.Triple]:
    """The VoID/DCAT description for a server at ``base`` (``http://host:port/``), from the
    answer cache when this store generation was described already."""
    key = ("/.well-known/void", base, ctx.generation)
    body, _ = ctx.answers.get_or_compute(
        key, lambda: ox.serialize(describe(ctx, base), format=ox.RdfFormat.N_TRIPLES) or b""
    )
    return list(ox.parse(body, ox.RdfFormat.N_TRIPLES))


def _first(ctx: AppContext, sparql: str) -> ox.NamedNode | None:
    for row in ctx.store.query(sparql, union_default_graph=False):
        value = row[0]
        if isinstance(value, ox.NamedNode):
            return value
    return None


def describe(ctx: AppContext, base: str) -> list[ox.Triple]:
    """The VoID and DCAT triples of the dataset the store holds."""
    store = ctx.store
    dataset = _n(base + ".well-known/void#dataset")
    service = _n(base + ".well-known/void#sparql-service")
    endpoint = _n(base + "sparql")
    graphs = store.graphs()
    documents = [g for g in graphs if g.startswith(_DOC_GRAPHS)]

    def void(local: str) -> ox.NamedNode:
        return _n(_VOID + local)

    def dcat(local: str) -> ox.NamedNode:
        return _n(_DCAT + local)

    def dct(local: str) -> ox.NamedNode:
        return _n(_DCT + local)

    out = [
        ox.Triple(dataset, _RDF_TYPE, void("Dataset")),
        ox.Triple(dataset, _RDF_TYPE, dcat("Dataset")),
        ox.Triple(dataset, dct("title"), ox.Literal("policykg")),
        ox.Triple(
            dataset,
            dct("description"),
            ox.Literal(
                "Policy documents (speeches, statements, readouts, news, papers) as RDF: one named "
                "graph per document with its entity mentions, events and stances, each pointing to "
                "the quote it was read from; entity descriptions in one entities graph; links "
                "derived across documents."
            ),
        ),
        ox.Triple(dataset, void("triples"), _count(distinct_triples(store))),
        ox.Triple(dataset, void("documents"), _count(len(documents))),
        ox.Triple(dataset, void("uriSpace"), ox.Literal(BASE)),
        ox.Triple(dataset, void("sparqlEndpoint"), endpoint),
        ox.Triple(dataset, void("dataDump"), _n(base + "export?format=nquads")),
        ox.Triple(dataset, void("feature"), _n("http://www.w3.org/ns/formats/N-Quads")),
        ox.Triple(dataset, void("feature"), _n("http://www.w3.org/ns/formats/Turtle")),
        ox.Triple(dataset, void("feature"), _n("http://www.w3.org/ns/formats/JSON-LD")),
    ]
    for prefix in VOCABULARIES:
        out.append(ox.Triple(dataset, void("vocabulary"), _n(PREFIXES[prefix])))
    for row in store.query(
        f"SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ GRAPH {ENTITIES} {{ ?e {_RDF_TYPE} ?t }} }}",
        union_default_graph=False,
    ):
        out.append(ox.Triple(dataset, void("entities"), _count(int(row["n"].value))))
    # Example resources: a document, the entity most documents mention, a topic.
    if documents:
        out.append(
            ox.Triple(dataset, void("exampleResource"), _n(doc_iri(sorted(documents)[0][len(_DOC_GRAPHS) :])))
        )
    entity = _first(
        ctx,
        "SELECT ?e WHERE { GRAPH ?g { ?d <https://schema.org/mentions> ?e } "
        f'FILTER(STRSTARTS(STR(?e), "{ENTITY}")) }} GROUP BY ?e ORDER BY DESC(COUNT(?d)) ?e LIMIT 1',
    )
    topic = _first(
        ctx,
        f"SELECT ?t WHERE {{ GRAPH ?g {{ ?t {_RDF_TYPE} <http://www.w3.org/2004/02/skos/core#Concept> }} "
        f'FILTER(STRSTARTS(STR(?t), "{TOPIC}")) }} ORDER BY ?t LIMIT 1',
    )
    for example in (entity, topic):
        if example is not None:
            out.append(ox.Triple(dataset, void("exampleResource"), example))
    # The graphs that are not document graphs, each a subset with its own size.
    for graph in graphs:
        if graph.startswith(_DOC_GRAPHS):
            continue
        subset = _n(base + ".well-known/void#graph-" + graph.rsplit("/", 1)[-1])
        out += [
            ox.Triple(dataset, void("subset"), subset),
            ox.Triple(subset, _RDF_TYPE, void("Dataset")),
            ox.Triple(subset, _n(_SD + "name"), _n(graph)),
            ox.Triple(subset, void("triples"), _count(store.quad_count(graph))),
        ]
    # DCAT: the dumps and the SPARQL service that serve the dataset.
    for name, media_type in (
        ("nquads", "application/n-quads"),
        ("trig", "application/trig"),
        ("jsonld", "application/ld+json"),
    ):
        distribution = _n(base + ".well-known/void#distribution-" + name)
        out += [
            ox.Triple(dataset, dcat("distribution"), distribution),
            ox.Triple(distribution, _RDF_TYPE, dcat("Distribution")),
            ox.Triple(distribution, dcat("downloadURL"), _n(f"{base}export?format={name}")),
            ox.Triple(
                distribution,
                dcat("mediaType"),
                _n("https://www.iana.org/assignments/media-types/" + media_type),
            ),
        ]
    out += [
        ox.Triple(dataset, dcat("accessService"), service),
        ox.Triple(service, _RDF_TYPE, dcat("DataService")),
        ox.Triple(service, dcat("endpointURL"), endpoint),
        ox.Triple(service, dcat("servesDataset"), dataset),
        ox.Triple(service, dct("conformsTo"), _n("https://www.w3.org/TR/sparql11-protocol/")),
    ]
    return out
