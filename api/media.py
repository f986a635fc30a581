"""Media types of the endpoint and HTTP content negotiation.

One table per kind of answer: SPARQL results (SELECT, ASK), RDF graphs (CONSTRUCT,
DESCRIBE, the service description, exports) and RDF datasets (exports). Each entry
names the pyoxigraph format that writes it, the media types that select it in an
``Accept`` header, and the short names accepted by the ``format`` query parameter
(``?format=json``), which overrides ``Accept`` as Fuseki's ``output=`` does.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True, slots=True)
class MediaFormat:
    """One serialisation: its canonical media type, aliases and the pyoxigraph format."""

    name: str
    media_type: str
    aliases: tuple[str, ...]
    results: ox.QueryResultsFormat | None = None
    rdf: ox.RdfFormat | None = None

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header value (text types say they are UTF-8)."""
        textual = self.media_type.startswith("text/") or self.media_type.endswith(("+json", "+xml", "/json"))
        return f"{self.media_type}; charset=utf-8" if textual else self.media_type

    def matches(self, media_type: str) -> bool:
        return media_type == self.media_type or media_type in self.aliases


RESULTS_JSON = MediaFormat(
    "json",
    "application/sparql-results+json",
    ("application/json", "text/javascript", "application/javascript"),
    results=ox.QueryResultsFormat.JSON,
)
RESULTS_XML = MediaFormat(
    "xml",
    "application/sparql-results+xml",
    ("application/xml", "text/xml"),
    results=ox.QueryResultsFormat.XML,
)
RESULTS_CSV = MediaFormat("csv", "text/csv", (), results=ox.QueryResultsFormat.CSV)
RESULTS_TSV = MediaFormat("tsv", "text/tab-separated-values", (), results=ox.QueryResultsFormat.TSV)

#: Formats of SELECT results, the default first.
SELECT_FORMATS = (RESULTS_JSON, RESULTS_XML, RESULTS_CSV, RESULTS_TSV)
#: Formats of ASK results (CSV and TSV have no boolean form).
BOOLEAN_FORMATS = (RESULTS_JSON, RESULTS_XML)

TURTLE = MediaFormat(
    "turtle",
    "text/turtle",
    # N3 is a superset of Turtle: a client asking for N3 reads Turtle (SPARQLWrapper asks so).
    ("application/x-turtle", "application/turtle", "ttl", "text/n3", "text/rdf+n3", "application/n3"),
    rdf=ox.RdfFormat.TURTLE,
)
N_TRIPLES = MediaFormat("ntriples", "application/n-triples", ("text/plain", "nt"), rdf=ox.RdfFormat.N_TRIPLES)
JSON_LD = MediaFormat(
    "jsonld", "application/ld+json", ("json-ld", "application/x-json+ld"), rdf=ox.RdfFormat.JSON_LD
)
RDF_XML = MediaFormat(
    "rdfxml", "application/rdf+xml", ("application/xml", "text/xml", "rdf"), rdf=ox.RdfFormat.RDF_XML
)
N_QUADS = MediaFormat("nquads", "application/n-quads", ("nq",), rdf=ox.RdfFormat.N_QUADS)
TRIG = MediaFormat("trig", "application/trig", (), rdf=ox.RdfFormat.TRIG)

#: Formats of CONSTRUCT/DESCRIBE answers and of the service description, default first.
GRAPH_FORMATS = (TURTLE, N_TRIPLES, JSON_LD, RDF_XML)
#: Every RDF format, for exports of whole named graphs (datasets first).
DATASET_FORMATS = (TRIG, N_QUADS)

HTML = MediaFormat("html", "text/html", ("application/xhtml+xml",))

_SHORT_NAMES = {
    "json": "json",
    "srj": "json",
    "xml": "xml",
    "srx": "xml",
    "csv": "csv",
    "tsv": "tsv",
    "turtle": "turtle",
    "ttl": "turtle",
    "ntriples": "ntriples",
    "nt": "ntriples",
    "n-triples": "ntriples",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
    "rdfxml": "rdfxml",
    "rdf": "rdfxml",
    "rdf/xml": "rdfxml",
    "nquads": "nquads",
    "nq": "nquads",
    "trig": "trig",
}


#: Short names of the ``format``/``output``/``results`` request parameters, per kind of
#: answer, as Fuseki reads them: ``xml`` is SPARQL XML for results and RDF/XML for graphs,
#: ``json`` SPARQL JSON for results and JSON-LD for graphs.
_RESULT_PARAMETER_NAMES = {
    "json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv",
}  # fmt: skip
_GRAPH_PARAMETER_NAMES = {
    "turtle": "turtle", "ttl": "turtle", "n3": "turtle", "ntriples": "ntriples", "nt": "ntriples",
    "n-triples": "ntriples", "jsonld": "jsonld", "json-ld": "jsonld", "json": "jsonld",
    "rdfxml": "rdfxml", "rdf": "rdfxml", "rdf+xml": "rdfxml", "rdf/xml": "rdfxml", "xml": "rdfxml",
}  # fmt: skip
#: The request parameters that name a result format (SPARQLWrapper sends all three).
FORMAT_PARAMETERS = ("format", "output", "results")


def parameter_items(values: list[str]) -> list[str]:
    """The items a client named in ``format``/``output``/``results`` parameters, in order:
    each value may be a short name, a media type or a comma-separated list of them.

    >>> parameter_items(["json-ld", "application/ld+json,application/x-json+ld;q=0.9"])
    ['json-ld', 'application/ld+json', 'application/x-json+ld']
    """
    items = []
    for value in values:
        for part in value.split(","):
            item = part.split(";")[0].strip().lower()
            if item:
                items.append(item)
    return items


def by_parameter(items: list[str], offered: tuple[MediaFormat, ...]) -> MediaFormat | None:
    """The first offered format the parameter items name (a short name of this kind of
    answer, or a media type); None when they name none (unknown names are ignored).

    >>> by_parameter(["xml"], GRAPH_FORMATS).name, by_parameter(["xml"], SELECT_FORMATS).name
    ('rdfxml', 'xml')
    >>> by_parameter(["n3", "text/turtle"], SELECT_FORMATS) is None
    True
    """
    names = _GRAPH_PARAMETER_NAMES if offered[0].rdf is not None else _RESULT_PARAMETER_NAMES
    for item in items:
        short = names.get(item)
        for fmt in offered:
            if fmt.name == short or fmt.matches(item):
                return fmt
    return None


def choose(
    parameters: list[str], accept: str | None, offered: tuple[MediaFormat, ...]
) -> tuple[MediaFormat | None, bool]:
    """The format of an answer: what the ``format``/``output``/``results`` parameters name
    for this kind of answer, else what ``Accept`` prefers. The flag says whether the
    parameters named a known format at all (of this kind or another).

    >>> choose(["json-ld", "application/ld+json,application/x-json+ld"], "*/*", GRAPH_FORMATS)[0].name
    'jsonld'
    >>> choose(["bogus"], "text/csv", SELECT_FORMATS)[0].name
    'csv'
    """
    items = parameter_items(parameters)
    chosen = by_parameter(items, offered) if items else None
    if chosen is not None:
        return chosen, True
    known = any(by_parameter(items, kind) is not None for kind in (SELECT_FORMATS, GRAPH_FORMATS))
    return negotiate(accept, offered), known


@dataclass(frozen=True, slots=True)
class AcceptItem:
    media_type: str
    quality: float
    order: int

    @property
    def specificity(self) -> int:
        if self.media_type == "*/*":
            return 0
        return 1 if self.media_type.endswith("/*") else 2


def parse_accept(header: str | None) -> list[AcceptItem]:
    """The media ranges of an ``Accept`` header, best first (q, then specificity, then order).

    >>> [i.media_type for i in parse_accept("text/html, application/json;q=0.9, */*;q=0.1")]
    ['text/html', 'application/json', '*/*']
    >>> parse_accept(None)[0].media_type
    '*/*'
    """
    if not header or not header.strip():
        return [AcceptItem("*/*", 1.0, 0)]
    items = []
    for order, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media_type = fields[0].lower()
        if not media_type:
            continue
        if media_type == "*":
            media_type = "*/*"
        quality = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        items.append(AcceptItem(media_type, quality, order))
    items.sort(key=lambda i: (-i.quality, -i.specificity, i.order))
    return items


def _covers(item: AcceptItem, fmt: MediaFormat) -> bool:
    if item.media_type == "*/*":
        return True
    if item.media_type.endswith("/*"):
        return fmt.media_type.startswith(item.media_type[:-1])
    return fmt.matches(item.media_type)


def negotiate(accept: str | None, offered: tuple[MediaFormat, ...]) -> MediaFormat | None:
    """The offered format the ``Accept`` header prefers (the first offered on ties), or
    None when it accepts none of them.

    >>> negotiate("text/csv", SELECT_FORMATS).name
    'csv'
    >>> negotiate(None, GRAPH_FORMATS).name
    'turtle'
    >>> negotiate("application/sparql-results+xml;q=0.5, application/json", SELECT_FORMATS).name
    'json'
    >>> negotiate("image/png", SELECT_FORMATS) is None
    True
    """
    best: tuple[float, int, int, int] | None = None
    chosen: MediaFormat | None = None
    items = parse_accept(accept)
    for index, fmt in enumerate(offered):
        for item in items:
            if item.quality > 0 and _covers(item, fmt):
                # Higher q, then a more specific range, then the server's preference.
                key = (-item.quality, -item.specificity, item.order, index)
                if best is None or key < best:
                    best, chosen = key, fmt
                break
    return chosen


def by_name(name: str, offered: tuple[MediaFormat, ...]) -> MediaFormat | None:
    """The offered format a ``format`` parameter names (short name or media type).

    >>> by_name("ttl", GRAPH_FORMATS).media_type
    'text/turtle'
    >>> by_name("application/sparql-results+xml", SELECT_FORMATS).name
    'xml'
    """
    wanted = name.strip().lower()
    short = _SHORT_NAMES.get(wanted, wanted)
    for fmt in offered:
        if fmt.name == short or fmt.matches(wanted):
            return fmt
    return None


def format_named(name: str) -> MediaFormat:
    """The result or graph format whose :attr:`MediaFormat.name` is ``name`` (how query
    workers name the negotiated formats to each other).

    >>> format_named("rdfxml").media_type
    'application/rdf+xml'
    """
    for fmt in (*SELECT_FORMATS, *GRAPH_FORMATS, *DATASET_FORMATS):
        if fmt.name == name:
            return fmt
    raise KeyError(name)


def prefers_html(accept: str | None) -> bool:
    """True when a browser asks: ``text/html`` ranks above every non-HTML type it names.

    >>> prefers_html("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    True
    >>> prefers_html("application/sparql-results+json") or prefers_html(None)
    False
    """
    items = parse_accept(accept)
    return bool(items) and items[0].media_type in ("text/html", "application/xhtml+xml")
