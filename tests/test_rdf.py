"""Records -> quads (graph.rdf): the RDF model of ARCHITECTURE.md, term by term."""

from __future__ import annotations

import hashlib

import pyoxigraph as ox
import pytest

from graph.entities_graph import add_descriptions
from graph.entity_descriptions import gazetteer_quads
from graph.oxigraph_store import OxigraphStore
from graph.rdf import RdfError, document_quads, document_rdf
from graph.rdf_terms import date_terms, datetime_term, wikidata_node
from graph.validation import validate_nquads
from loaders.gazetteer import Gazetteer, GazetteerEntry
from loaders.records import (
    Document,
    DocumentMeta,
    Entity,
    Event,
    ExtractionResult,
    Span,
    Stance,
)
from ontology.namespace import sparql_prefixes

TEXT = (
    "Statement of Ruritania at the Conference on Disarmament, 14 March 2023.\n"
    "In 2021, Ruritania launched the Lakeside Space Safety Initiative. "
    "Ruritania opposes an arms race in outer space."
)


def val(term: object) -> str:
    """The lexical value of a term (IRI, literal), as a string."""
    return str(getattr(term, "value", term))


def span(phrase: str, occurrence: int = 0) -> Span:
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(phrase, start + 1)
    return Span(start, start + len(phrase), phrase)


def sentence(first_words: str) -> Span:
    start = TEXT.index(first_words)
    end = TEXT.index(".", start) + 1
    return Span(start, end, TEXT[start:end])


GAZ = Gazetteer(
    [
        GazetteerEntry("ruritania", "Ruritania", "State", aliases=("Republic of Ruritania",), iso3="RUR"),
        GazetteerEntry(
            "conference-on-disarmament", "Conference on Disarmament", "Forum", acronyms=("CD",),
            wikidata="Q1128526",
        ),
        GazetteerEntry("ambassador-k", "Ambassador K", "Person"),
    ]
)


def make_result() -> ExtractionResult:
    document = Document(
        doc_id="ruritania-cd-2023",
        source="inbox/ruritania.txt",
        text=TEXT,
        body=TEXT,
        media_type="text/plain",
        sha256=hashlib.sha256(TEXT.encode()).hexdigest(),
        warnings=("line 3: replaced 1 undecodable byte",),
    )
    meta = DocumentMeta(
        title="Statement of Ruritania at the Conference on Disarmament",
        date="2023-03-14",
        datetime="2023-03-14T10:30",
        genre="statement",
        actor="Ruritania",
        speaker="Ambassador K",
        forum="Conference on Disarmament",
    )
    ruritania = Entity(
        "ruritania", "Ruritania", "State",
        (span("Ruritania"), span("Ruritania", 1), span("Ruritania", 2)), in_gazetteer=True,
    )
    cd = Entity(
        "conference-on-disarmament", "Conference on Disarmament", "Forum",
        (span("Conference on Disarmament"),), acronyms=("CD",), wikidata="Q1128526", in_gazetteer=True,
    )
    lssi = Entity(
        "initiative-lakeside-safety-space", "Lakeside Space Safety Initiative", "Initiative",
        (span("Lakeside Space Safety Initiative"),), aliases=("Lakeside Initiative",),
    )
    launch = Event(
        type="launch",
        subject_key=lssi.key,
        subject=lssi.label,
        evidence=sentence("In 2021"),
        actor="Ruritania",
        actor_key="ruritania",
        date="2021",
        date_span=span("2021"),
    )
    stance = Stance(
        holder="Ruritania",
        holder_key="ruritania",
        polarity="oppose",
        target="an arms race in outer space",
        evidence=sentence("Ruritania opposes"),
        target_span=span("an arms race in outer space"),
        topic="outer-space",
        cue="opposes",
    )
    return ExtractionResult(document, meta, (ruritania, cd, lssi), (), (launch,), (stance,))


@pytest.fixture(scope="module")
def store() -> OxigraphStore:
    result = make_result()
    store = OxigraphStore(None)
    stamp = ox.Literal("2026-01-02T03:04:05Z", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime"))
    rdf = document_rdf(result, gazetteer=GAZ, generated_at=stamp)
    store.replace_graph("https://w3id.org/policykg/graph/doc/ruritania-cd-2023", rdf.quads)
    add_descriptions(store, rdf.descriptions)
    return store


def rows(store: OxigraphStore, body: str) -> list[dict[str, str]]:
    result = store.query(sparql_prefixes() + body)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]


def test_every_quad_lives_in_the_document_graph_or_the_entities_graph() -> None:
    rdf = document_rdf(make_result(), gazetteer=GAZ)
    assert {val(q.graph_name) for q in rdf.quads} == {"https://w3id.org/policykg/graph/doc/ruritania-cd-2023"}
    assert {val(q.graph_name) for q in rdf.descriptions} == {"https://w3id.org/policykg/graph/entities"}
    assert len(rdf.quads) == len(set(rdf.quads)), "no quad is written twice"
    # The document graph says what the document says; no entity is described in it.
    entity_base = "https://w3id.org/policykg/entity/"
    assert not [q for q in rdf.quads if val(q.subject).startswith(entity_base)]
    described = {val(q.subject) for q in rdf.descriptions}
    named = {val(q.object) for q in rdf.quads if val(q.object).startswith(entity_base)}
    assert named == described  # every entity the graph names is described
    assert document_quads(make_result(), gazetteer=GAZ) == rdf.quads


def test_document_node(store: OxigraphStore) -> None:
    doc = rows(
        store,
        """SELECT * WHERE { doc:ruritania-cd-2023 a pkg:Document, prov:Entity ; dcterms:identifier ?id ;
           dcterms:title ?title ; dcterms:date ?date ; pkg:sortDate ?sort ; pkg:dateTime ?time ;
           pkg:genre ?genre ; pkg:actor ?actor ; pkg:speaker ?speaker ; pkg:forum ?forum ;
           dcterms:source ?source ; pkg:sha256 ?sha ; dcterms:format ?format ; pkg:text ?text ;
           prov:generatedAtTime ?at ; pkg:warning ?warning .
           BIND(DATATYPE(?date) AS ?dt) }""",
    )
    assert len(doc) == 1
    row = doc[0]
    assert row["id"] == "ruritania-cd-2023"
    assert row["date"] == "2023-03-14" and row["dt"].endswith("#date")
    assert row["sort"] == "2023-03-14"
    assert row["time"] == "2023-03-14T10:30:00"
    assert row["genre"] == "statement"
    assert row["actor"] == "https://w3id.org/policykg/entity/ruritania"
    assert row["speaker"] == "https://w3id.org/policykg/entity/ambassador-k"
    assert row["forum"] == "https://w3id.org/policykg/entity/conference-on-disarmament"
    assert row["source"] == "inbox/ruritania.txt"
    assert row["sha"] == hashlib.sha256(TEXT.encode()).hexdigest()
    assert row["format"] == "text/plain"
    assert row["text"] == TEXT
    assert row["at"] == "2026-01-02T03:04:05Z"
    assert row["warning"] == "line 3: replaced 1 undecodable byte"
    mentioned = rows(store, "SELECT ?e WHERE { doc:ruritania-cd-2023 schema:mentions ?e } ORDER BY ?e")
    assert [r["e"].rsplit("/", 1)[1] for r in mentioned] == [
        "conference-on-disarmament", "initiative-lakeside-safety-space", "ruritania",
    ]


def test_entity_descriptions(store: OxigraphStore) -> None:
    cd = rows(
        store,
        """SELECT * WHERE { entity:conference-on-disarmament a pkg:Forum ; skos:prefLabel ?pref ;
           rdfs:label ?label ; pkg:acronym ?acr ; skos:exactMatch ?wd }""",
    )
    assert cd == [{"pref": "Conference on Disarmament", "label": "Conference on Disarmament", "acr": "CD",
                   "wd": "http://www.wikidata.org/entity/Q1128526"}]
    initiative = rows(
        store,
        "SELECT ?alt WHERE { entity:initiative-lakeside-safety-space a pkg:Initiative ; skos:altLabel ?alt }",
    )
    assert initiative == [{"alt": "Lakeside Initiative"}]
    # The speaker is not mentioned in the text, but the graph describes what it points to.
    speaker = rows(store, "SELECT ?l WHERE { entity:ambassador-k a pkg:Person ; skos:prefLabel ?l }")
    assert speaker == [{"l": "Ambassador K"}]


def test_mentions_carry_position_and_quote_selectors(store: OxigraphStore) -> None:
    found = rows(
        store,
        """SELECT ?m ?start ?end ?exact WHERE {
             ?m a oa:Annotation ; oa:motivatedBy oa:identifying ;
                oa:hasBody entity:conference-on-disarmament ; oa:hasTarget ?t .
             ?t a oa:SpecificResource ; oa:hasSource doc:ruritania-cd-2023 ; oa:hasSelector ?p, ?q .
             ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
             ?q a oa:TextQuoteSelector ; oa:exact ?exact }""",
    )
    start = TEXT.index("Conference on Disarmament")
    end = start + len("Conference on Disarmament")
    assert found == [{
        "m": f"https://w3id.org/policykg/doc/ruritania-cd-2023#m-{start}-{end}",
        "start": str(start), "end": str(end), "exact": "Conference on Disarmament",
    }]
    ruritania = rows(store, "SELECT (COUNT(?m) AS ?n) WHERE { ?m oa:hasBody entity:ruritania }")
    assert ruritania == [{"n": "3"}]


def test_event(store: OxigraphStore) -> None:
    event = rows(
        store,
        """SELECT * WHERE { ?ev a pkg:Event, sem:Event ; pkg:eventType pkg:launch ;
             pkg:subject entity:initiative-lakeside-safety-space ; sem:hasActor entity:ruritania ;
             dcterms:date ?date ; pkg:sortDate ?sort ; prov:wasDerivedFrom doc:ruritania-cd-2023 ;
             pkg:evidence ?e ; pkg:dateEvidence ?de .
             ?e oa:motivatedBy oa:describing ; oa:hasTarget/oa:hasSelector/oa:exact ?quote .
             ?de oa:hasTarget/oa:hasSelector/oa:exact ?dateQuote .
             BIND(DATATYPE(?date) AS ?dt) }""",
    )
    assert len(event) == 1
    row = event[0]
    assert row["ev"] == "https://w3id.org/policykg/doc/ruritania-cd-2023#event-1"
    assert (row["date"], row["sort"]) == ("2021", "2021-01-01")
    assert row["dt"] == "http://www.w3.org/2001/XMLSchema#gYear"
    assert row["quote"] == "In 2021, Ruritania launched the Lakeside Space Safety Initiative."
    assert row["dateQuote"] == "2021"


def test_stance(store: OxigraphStore) -> None:
    stance = rows(
        store,
        """SELECT * WHERE { ?s a pkg:Stance, prov:Entity ; prov:wasAttributedTo entity:ruritania ;
             pkg:polarity ?polarity ; pkg:target ?target ; dcterms:subject ?topic ; pkg:cue ?cue ;
             dcterms:date ?date ; pkg:sortDate ?sort ; prov:wasDerivedFrom doc:ruritania-cd-2023 ;
             pkg:evidence/oa:hasTarget/oa:hasSelector ?p . ?p oa:start ?start ; oa:end ?end }""",
    )
    evidence = sentence("Ruritania opposes")
    assert stance == [{
        "s": "https://w3id.org/policykg/doc/ruritania-cd-2023#stance-1",
        "polarity": "https://w3id.org/policykg/ontology#oppose",
        "target": "an arms race in outer space",
        "topic": "https://w3id.org/policykg/topic/outer-space",
        "cue": "opposes",
        "date": "2023-03-14",  # the document's date
        "sort": "2023-03-14",
        "p": f"https://w3id.org/policykg/doc/ruritania-cd-2023#p-{evidence.start}-{evidence.end}",
        "start": str(evidence.start),
        "end": str(evidence.end),
    }]


def test_the_graph_conforms_to_the_shapes() -> None:
    rdf = document_rdf(make_result(), gazetteer=GAZ)
    # validated as `policykg validate` does: the document graph with its descriptions
    graph = rdf.quads[0].graph_name
    quads = rdf.quads + [ox.Quad(q.subject, q.predicate, q.object, graph) for q in rdf.descriptions]
    conforms, violations = validate_nquads(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
    assert violations == []
    assert conforms


def test_the_shapes_catch_a_broken_graph() -> None:
    rdf = document_rdf(make_result(), gazetteer=GAZ)
    graph = rdf.quads[0].graph_name
    quads = rdf.quads + [
        ox.Quad(q.subject, q.predicate, q.object, graph) for q in rdf.descriptions
        if not (val(q.subject).endswith("/ruritania") and q.predicate.value.endswith("prefLabel"))
    ]
    stance = ox.NamedNode("https://w3id.org/policykg/doc/ruritania-cd-2023#stance-1")
    quads.append(ox.Quad(stance, ox.NamedNode("https://w3id.org/policykg/ontology#polarity"),
                         ox.NamedNode("https://w3id.org/policykg/ontology#maybe"), graph))
    conforms, violations = validate_nquads(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
    assert not conforms
    assert any("entity/ruritania" in v and "prefLabel" in v for v in violations)
    assert any("stance-1" in v and "polarity" in v for v in violations)


def test_span_outside_the_text_is_refused() -> None:
    result = make_result()
    bad = Entity("x", "X", "Forum", (Span(len(TEXT) - 2, len(TEXT) + 5, "??"),))
    broken = ExtractionResult(result.document, result.meta, (*result.entities, bad))
    with pytest.raises(RdfError, match="ruritania-cd-2023: mention of x span"):
        document_quads(broken)


def test_labels_resolve_without_a_gazetteer() -> None:
    result = make_result()
    quads = document_quads(ExtractionResult(result.document, result.meta, result.entities))
    actor = [val(q.object) for q in quads if q.predicate.value.endswith("#actor")]
    speaker = [val(q.object) for q in quads if q.predicate.value.endswith("#speaker")]
    assert actor == ["https://w3id.org/policykg/entity/ruritania"]  # found among the entities
    assert speaker == ["https://w3id.org/policykg/entity/ambassador-k"]  # slug of the label


@pytest.mark.parametrize(
    ("value", "literal", "datatype", "sort"),
    [
        ("2020-09-08", "2020-09-08", "date", "2020-09-08"),
        ("2020-09", "2020-09", "gYearMonth", "2020-09-01"),
        ("2020", "2020", "gYear", "2020-01-01"),
        (" 1999-12 ", "1999-12", "gYearMonth", "1999-12-01"),
    ],
)
def test_date_terms(value: str, literal: str, datatype: str, sort: str) -> None:
    terms = date_terms(value)
    assert terms is not None
    assert terms[0].value == literal
    assert terms[0].datatype.value == f"http://www.w3.org/2001/XMLSchema#{datatype}"
    assert terms[1].value == sort


@pytest.mark.parametrize("value", [None, "", "2020-13", "2021-02-30", "spring 2020", "20"])
def test_date_terms_refuse_what_is_not_an_iso_date(value: str | None) -> None:
    assert date_terms(value) is None


def test_datetime_and_wikidata_terms() -> None:
    term = datetime_term("2022-05-23 13:25")
    assert term is not None and term.value == "2022-05-23T13:25:00"
    assert datetime_term("2022-05-23T25:00") is None
    node = wikidata_node("https://www.wikidata.org/wiki/Q37470")
    assert node is not None and node.value == "http://www.wikidata.org/entity/Q37470"
    assert wikidata_node("not-an-id") is None


def test_gazetteer_quads_describe_every_entry() -> None:
    quads = gazetteer_quads(GAZ, "https://w3id.org/policykg/graph/ontology")
    labels = sorted(val(q.object) for q in quads if q.predicate.value.endswith("prefLabel"))
    assert labels == ["Ambassador K", "Conference on Disarmament", "Ruritania"]
    iso = [val(q.object) for q in quads if q.predicate.value.endswith("#iso3")]
    assert iso == ["RUR"]
