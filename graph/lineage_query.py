"""The SPARQL query that reads an initiative's lineage from the links graph in ONE query.

What SPARQL clients send (the text ontology/README.md shows; ``policykg lineage NAME
--sparql`` prints it): the steps :mod:`graph.derived` stored, with their documents,
labels and quotes, in the order :attr:`graph.link_records.LineageStep.order_key` gives.
"""

from __future__ import annotations

from ontology.namespace import ENTITIES_GRAPH, LINKS_GRAPH, sparql_prefixes

_LINKS = f"<{LINKS_GRAPH}>"
_ENTITIES = f"<{ENTITIES_GRAPH}>"  # entity labels (graph.entities_graph)


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
