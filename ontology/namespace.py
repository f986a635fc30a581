"""IRIs of the policykg vocabulary and of the graphs and resources it names.

The vocabulary itself is described in ``ontology/policykg.ttl``; this module only gives
Python names to its IRIs and builds resource IRIs, so that every module mints them the
same way.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

BASE = "https://w3id.org/policykg/"
PKG = Namespace(BASE + "ontology#")
TOPIC = Namespace(BASE + "topic/")
ENTITY = Namespace(BASE + "entity/")
DOC = Namespace(BASE + "doc/")
GRAPH = Namespace(BASE + "graph/")
OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("https://schema.org/")
TIME = Namespace("http://www.w3.org/2006/time#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
ORG = Namespace("http://www.w3.org/ns/org#")
WD = Namespace("http://www.wikidata.org/entity/")

#: Named graph holding links derived across documents by ``graph.derived``.
LINKS_GRAPH = GRAPH["links"]
#: Named graph holding the vocabulary and the topic scheme.
ONTOLOGY_GRAPH = GRAPH["ontology"]
#: Named graph holding every entity description (type, labels, acronyms, Wikidata match),
#: once: the gazetteer's and those of the entities documents name (``graph.entities_graph``).
ENTITIES_GRAPH = GRAPH["entities"]

ONTOLOGY_DIR = Path(__file__).resolve().parent

PREFIXES = {
    "pkg": str(PKG),
    "topic": str(TOPIC),
    "entity": str(ENTITY),
    "doc": str(DOC),
    "prov": str(PROV),
    "dcterms": str(DCTERMS),
    "skos": str(SKOS),
    "oa": str(OA),
    "schema": str(SCHEMA),
    "time": str(TIME),
    "sem": str(SEM),
    "org": str(ORG),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "wd": str(WD),
}


def sparql_prefixes() -> str:
    """PREFIX lines for every namespace above, to prepend to a SPARQL query."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def slug(text: str) -> str:
    """A lower-case ASCII slug, stable across runs: ``"Global Initiative on Data Security"``
    -> ``"global-initiative-on-data-security"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:120] or "x"


def entity_iri(key: str) -> str:
    return str(ENTITY[key])


def doc_iri(doc_id: str) -> str:
    return str(DOC[doc_id])


def rule_iri(name: str) -> str:
    """The extraction rule that produced a fact (``prov:wasGeneratedBy``):
    ``"stance.cue_verb"`` -> ``https://w3id.org/policykg/rule/stance.cue_verb``."""
    return BASE + "rule/" + re.sub(r"[^A-Za-z0-9._-]+", "-", name)


def doc_graph_iri(doc_id: str) -> str:
    """The named graph holding everything extracted from one document."""
    return str(GRAPH["doc/" + doc_id])


def topic_iri(topic: str) -> str:
    return str(TOPIC[topic])
