"""Links between documents from a networkx view: follow-ups and news reports.

A news report of a statement (same day or the next, same speaker or same forum) is
``reports_on`` it: it repeats that statement, it is not a second one. A later document
``follows_up`` on the one that launched an initiative or instrument it invokes
(:func:`graph.lineage_rules.origin_documents`). Pure functions over a graph built by
:func:`graph.network.load_network`; :mod:`graph.derived` stores the links in the links
graph.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date as Date
from datetime import timedelta

import networkx as nx

from graph.dates import compatible, day_of
from graph.lineage_rules import LINEAGE_TYPES, origin_documents
from graph.link_records import FOLLOWS_UP, NEWS_GENRE, REPORTS_ON, DocumentLink
from graph.network import nodes_of_kind, sources


def _reports(graph: nx.MultiDiGraph, news: str, statement: str) -> bool:
    """True when document ``news`` is a news report of document ``statement``."""
    n, s = graph.nodes[news], graph.nodes[statement]
    if news == statement or n.get("genre") != NEWS_GENRE or s.get("genre") == NEWS_GENRE:
        return False
    day_n, day_s = day_of(n.get("date")), day_of(s.get("date"))
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
        day = day_of(graph.nodes[doc].get("date"))
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


def reporting_documents(graph: nx.MultiDiGraph) -> dict[str, str]:
    """News reports that report another document of the graph -> the earliest such document."""
    out: dict[str, str] = {}
    for link in report_links(graph):
        out.setdefault(link.source, link.target)
    return out
