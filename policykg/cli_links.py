"""CLI commands over the link views: ``lineage``, ``timeline``, ``path``, ``rebuild-links``.

``lineage``, ``timeline`` and ``path`` read through the read layer (:mod:`graph.read`), the
same functions the REST API answers with, so both give the same items in the same order
(``path``: the bounded search of ``/paths``, within the same query time limit). Each
prints text or JSON.
Registered on the ``policykg`` group in :mod:`policykg.cli`.
"""

from __future__ import annotations

import json
import textwrap
from typing import TYPE_CHECKING, Any

import click

from policykg.cli_common import CliState, open_store, pass_state, read_catalogue

if TYPE_CHECKING:
    from graph.connectivity import EvidencePath
    from graph.evidence import Evidence
    from graph.link_records import DocumentInfo, LineageStep
    from graph.read.catalogue import Catalogue
    from graph.timeline_records import TimelineEntry


def _quote(evidence: Evidence | None, indent: str = "    ") -> str:
    if evidence is None:
        return f"{indent}(no quote)"
    body = textwrap.fill(
        f"\u201c{evidence.quote}\u201d [{evidence.start}-{evidence.end}]",
        width=100,
        initial_indent=indent,
        subsequent_indent=indent,
    )
    return body


def _where(catalogue: Catalogue, doc: DocumentInfo) -> str:
    parts = [catalogue.entity_label(p) for p in (doc.speaker, doc.forum) if p]
    return " at ".join(parts)


def _named(catalogue: Catalogue, name: str) -> str:
    try:
        return catalogue.resolve_entity(name.strip())
    except LookupError as exc:
        raise click.ClickException(str(exc.args[0]) if exc.args else str(exc)) from exc


def _topic_named(catalogue: Catalogue, name: str) -> str:
    found = catalogue.resolve_topic(name)
    if found is None:
        known = ", ".join(sorted(t.rsplit("/", 1)[-1] for t in catalogue.topics)) or "none in the store"
        raise click.ClickException(f"no topic is called {name!r} (topics: {known})")
    return found


def _evidence_json(evidence: Evidence | None) -> dict[str, Any] | None:
    return evidence.to_json() if evidence is not None else None


def _document_json(catalogue: Catalogue, doc: DocumentInfo) -> dict[str, Any]:
    """The document's fields, flat beside the item's own (its date and actor renamed)."""
    return {
        "doc_id": doc.doc_id, "title": doc.title, "document_date": doc.date, "genre": doc.genre,
        "document_actor": catalogue.entity_label(doc.actor) if doc.actor else None,
        "speaker": catalogue.entity_label(doc.speaker) if doc.speaker else None,
        "forum": catalogue.entity_label(doc.forum) if doc.forum else None,
    }


def _step_json(catalogue: Catalogue, step: LineageStep) -> dict[str, Any]:
    return {
        "role": step.role, "event_type": step.event_type, "date": step.date,
        "actor": catalogue.entity_label(step.actor) if step.actor else None,
        **_document_json(catalogue, step.document), "evidence": _evidence_json(step.evidence),
        "reported_in": [catalogue.document(d).doc_id for d in step.reported_in],
    }


def _entry_json(catalogue: Catalogue, entry: TimelineEntry) -> dict[str, Any]:
    def name(iri: str | None) -> str | None:
        if not iri:
            return None
        return catalogue.topic_label(iri) if iri in catalogue.topics else catalogue.entity_label(iri)

    return {
        "kind": entry.kind, "date": entry.date, "precision": entry.precision, "what": entry.what,
        "node": entry.node, "subject": name(entry.subject), "topic": name(entry.topic),
        **_document_json(catalogue, entry.document), "evidence": _evidence_json(entry.evidence),
        "reports_on": catalogue.document(entry.reports_on).doc_id if entry.reports_on else None,
        "sources": [
            {**_document_json(catalogue, s.document), "reported_date": s.date,
             "evidence": _evidence_json(s.evidence)}
            for s in entry.sources
        ],
    }


def _path_json(catalogue: Catalogue, found: EvidencePath) -> dict[str, Any]:
    """A path: its entities and labels, each hop with its document (named) and quotes."""

    def document(doc: DocumentInfo) -> dict[str, Any]:
        fields = doc.to_json()
        for role in ("actor", "speaker", "forum"):
            fields[role] = catalogue.entity_label(fields[role]) if fields[role] else None
        return fields

    return {
        "entities": list(found.entities),
        "labels": [catalogue.entity_label(e) for e in found.entities],
        "hops": [
            {
                "source": hop.source, "target": hop.target,
                "source_label": catalogue.entity_label(hop.source),
                "target_label": catalogue.entity_label(hop.target),
                **document(hop.document),
                "source_evidence": _evidence_json(hop.source_evidence),
                "target_evidence": _evidence_json(hop.target_evidence),
                "documents": list(hop.documents),
            }
            for hop in found.hops
        ],
    }


def _dump(payload: Any) -> None:
    click.echo(json.dumps(payload, indent=2, ensure_ascii=False))


def _lineage_from_links(state: CliState, name: str, as_json: bool) -> None:
    """The chain as ONE SPARQL query over the derived links graph returns it."""
    from graph.lineage_query import lineage_query

    query = lineage_query(name)
    with open_store(state, read_only=True) as store:
        result = store.query(query)
        names = [v.value for v in result.variables]
        rows = [{n: (s[n].value if s[n] is not None else None) for n in names} for s in result]
    if as_json:
        _dump({"query": query, "rows": rows})
        return
    if not rows:
        raise click.ClickException(
            f"the links graph has no lineage for {name!r} (an exact label, alias or acronym; "
            "run `policykg rebuild-links` if the store was filled without links)"
        )
    for row in rows:
        where = " at ".join(p for p in (row["speaker"], row["forum"]) if p)
        click.echo(
            f"{row['date'] or '?':<10}  {row['role']}/{row['eventType']} -- {row['docId']} "
            f"({row['genre'] or 'document'}){' -- ' + where if where else ''}"
        )
        if row["quote"]:
            click.echo(
                textwrap.fill(
                    f"\u201c{row['quote']}\u201d [{row['start']}-{row['end']}]",
                    width=100,
                    initial_indent="    ",
                    subsequent_indent="    ",
                )
            )


@click.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--sparql",
    "from_links",
    is_flag=True,
    help="Read the chain from the derived links graph with one SPARQL query (fast on any store).",
)
@pass_state
def lineage(state: CliState, name: str, as_json: bool, from_links: bool) -> None:
    """The history of an initiative or instrument: its origin event, later events and
    every document that invokes it, in date order, with quotes.

    NAME is a label, alias, acronym, key or IRI (any case); with --sparql, a label, alias
    or acronym."""
    from graph.read.lineage import lineage_steps

    if from_links:
        _lineage_from_links(state, name, as_json)
        return
    with open_store(state, read_only=True) as store:
        catalogue = read_catalogue(state, store)
        entity = _named(catalogue, name)
        steps = lineage_steps(store, catalogue, entity)
    info = catalogue.entities.get(entity)
    if as_json:
        _dump({"entity": entity, "label": catalogue.entity_label(entity),
               "steps": [_step_json(catalogue, step) for step in steps]})
        return
    click.echo(f"{catalogue.entity_label(entity)} ({(info.type if info else None) or 'entity'}) <{entity}>")
    if not steps:
        click.echo("  no document mentions it")
    for step in steps:
        what = step.event_type if step.role != "invocation" else "invoked"
        if step.role == "origin":
            what += " (origin)"
        doc = step.document
        where = _where(catalogue, doc)
        by_actor = step.actor and step.role != "invocation"
        actor = f" by {catalogue.entity_label(step.actor)}" if by_actor and step.actor else ""
        click.echo(
            f"{step.date or '?':<10}  {what}{actor} -- {doc.doc_id} ({doc.genre or 'document'}"
            f"{', ' + doc.date if doc.date and doc.date != step.date else ''})"
            f"{' -- ' + where if where else ''}"
        )
        click.echo(_quote(step.evidence))
        if step.reported_in:
            also = ", ".join(catalogue.document(d).doc_id for d in step.reported_in)
            click.echo(f"    also reported in: {also}")


@click.command()
@click.option("--entity", "entity_name", metavar="NAME", help="An initiative, forum, state, person...")
@click.option("--topic", "topic_name", metavar="NAME", help="A topic (e.g. outer-space): its stances.")
@click.option("--holder", "holder_name", metavar="NAME", help="Stances held by this actor.")
@click.option("--from", "start", metavar="DATE", help="Earliest date (2021, 2021-05, 2021-05-23).")
@click.option("--to", "end", metavar="DATE", help="Latest date (inclusive).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def timeline(
    state: CliState,
    entity_name: str | None,
    topic_name: str | None,
    holder_name: str | None,
    start: str | None,
    end: str | None,
    as_json: bool,
) -> None:
    """Dated documents, events and stances about an entity, a topic or an actor.

    Examples: ``--entity "Security Council"``; ``--holder China --topic outer-space``."""
    from graph.read.timeline import timeline_entries

    if not (entity_name or topic_name or holder_name):
        raise click.UsageError("give --entity, --topic or --holder")
    with open_store(state, read_only=True) as store:
        catalogue = read_catalogue(state, store)
        entity = _named(catalogue, entity_name) if entity_name else None
        holder = _named(catalogue, holder_name) if holder_name else None
        topic = _topic_named(catalogue, topic_name) if topic_name else None
        entries = timeline_entries(
            store, catalogue, entity=entity, topic=topic, actor=holder, forum=None, start=start, end=end
        )
    if as_json:
        _dump([_entry_json(catalogue, e) for e in entries])
        return
    for entry in entries:
        doc = entry.document
        where = _where(catalogue, doc)
        note = f" (news report of {catalogue.document(entry.reports_on).doc_id})" if entry.reports_on else ""
        click.echo(
            f"{entry.date or '?':<10}  {entry.kind:<8} {entry.what} -- {doc.doc_id}"
            f"{' -- ' + where if where else ''}{note}"
        )
        if entry.evidence is not None:
            click.echo(_quote(entry.evidence))
        for source in entry.sources[1:]:
            click.echo(f"{'':<10}  {'':<8} also reported by {source.document.doc_id} "
                       f"(as {source.date or 'undated'})")
    click.echo(f"{len(entries)} entries", err=True)


@click.command()
@click.argument("source")
@click.argument("target")
@click.option("--max-paths", default=3, show_default=True, type=click.IntRange(min=1))
@click.option("--max-hops", default=4, show_default=True, type=click.IntRange(min=1))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def path(state: CliState, source: str, target: str, max_paths: int, max_hops: int, as_json: bool) -> None:
    """The shortest evidence paths between two entities, each hop justified by a document
    that mentions both (with both quotes): the bounded search of ``GET /paths``, within the
    query time limit (``--query-timeout``)."""
    from graph.read.paths import SearchLimit, evidence_paths

    limit = state.settings.query_timeout_s
    with open_store(state, read_only=True) as store:
        catalogue = read_catalogue(state, store)
        a, b = _named(catalogue, source), _named(catalogue, target)
        if a == b:
            raise click.UsageError("the two entities are the same")
        try:
            paths = evidence_paths(
                store, catalogue, a, b, max_paths=max_paths, max_hops=max_hops, time_limit_s=limit
            )
        except SearchLimit as exc:
            raise click.ClickException(f"{exc} (limit {limit:g} s): ask for fewer hops") from exc
    if as_json:
        _dump([_path_json(catalogue, p) for p in paths])
        return
    label = catalogue.entity_label
    if not paths:
        click.echo(f"no path of at most {max_hops} hops between {label(a)} and {label(b)}")
        return
    for number, found in enumerate(paths, 1):
        click.echo(f"{number}. " + " -> ".join(label(e) for e in found.entities))
        for hop in found.hops:
            doc = hop.document
            others = len(hop.documents) - 1
            click.echo(
                f"   {label(hop.source)} -- {label(hop.target)}: {doc.doc_id} "
                f"({doc.date or 'undated'}){f', +{others} more documents' if others else ''}"
            )
            click.echo(_quote(hop.source_evidence, "      "))
            click.echo(_quote(hop.target_evidence, "      "))


@click.command("rebuild-links")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def rebuild_links(state: CliState, as_json: bool) -> None:
    """Recompute the derived links graph from the whole store."""
    from graph.derived import rebuild_links as rebuild

    with open_store(state) as store:
        stats = rebuild(store)
    if as_json:
        _dump(stats.to_json())
        return
    click.echo(
        f"{stats.steps} lineage steps, {stats.document_links} document links, "
        f"{stats.shifts} stance shifts ({stats.quads} triples) in {stats.seconds:.2f} s"
    )


COMMANDS = (lineage, timeline, path, rebuild_links)
