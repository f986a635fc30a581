"""The incremental refresh of the links graph: only what changed and removed documents touch.

:func:`refresh_links` is what ingest and removal call after each run (and, for what an
interrupted run left marked, :mod:`graph.links_state`). It writes the same units a full
:func:`graph.derived.rebuild_links` writes, with the same pure functions.

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

import networkx as nx
import pyoxigraph as ox

from graph.derived import (
    DerivedLinks,
    LinkStats,
    document_holders,
    has_lineage,
    holder_shifts,
    link_quads,
    link_stats,
    rebuild_links,
)
from graph.document_links import follow_up_links, report_links
from graph.lineage_rules import event_steps, invocation_step
from graph.links_state import document_ref, documents_fingerprint, links_state, state_request
from graph.network import NetworkBuilder, nodes_of_kind, targets
from graph.solutions import select, values_clause
from graph.store import Store
from ontology.namespace import LINKS_GRAPH, sparql_prefixes

_LINKS = f"<{LINKS_GRAPH}>"


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
    scope = {document_ref(d) for d in (*changed, *removed)}
    if not scope:
        return link_stats(False, 0, DerivedLinks(), 0, started)
    fingerprint, count = documents_fingerprint(store)
    old = _old_state(store, scope)
    builder = NetworkBuilder(store)
    graph = builder.graph
    present = builder.add_documents(sorted({document_ref(d) for d in changed}))
    if present:
        builder.add_mentions(present, evidence=True)
        builder.add_events(present)
        builder.add_stances(present)
    builder.finish()  # entity types: only initiatives and instruments have lineages
    new_entities = {e for d in present for e in targets(graph, d, "mentions") if has_lineage(graph, e)}
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
    via = sorted(x for x in subjects if x in graph and has_lineage(graph, x))
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
            if has_lineage(graph, entity):
                step = invocation_step(graph, entity, doc)
                if step is not None:
                    links.steps.append(step)
    links.shifts = holder_shifts(graph, holders, reporters)
    links.holders = {d: document_holders(graph, d) for d in present}

    quads = link_quads(links, with_rules=False)
    request = _delete_request(scope, subjects, via, _follow_up_pairs(store, via), holders)
    state_part = state_request(state.pending, fingerprint, count)
    store.update(request + _insert_request(quads) + state_part)
    return link_stats(False, len(scope), links, len(quads), started)
