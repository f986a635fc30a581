"""Stances read from the store: who supports or opposes what, with every filter bound
inside one query (holder, topic, polarity, target, date window)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from graph.dates import period_bounds
from graph.evidence import Evidence, evidence_of
from graph.link_records import DocumentInfo
from graph.network import local_name
from graph.read.catalogue import Catalogue
from graph.read.window import in_window, window_filter
from graph.solutions import select, text
from graph.store import Store
from graph.terms import bound_patterns, iri
from ontology.namespace import PKG

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class StanceRecord:
    """One stance as the REST answers show it (:class:`graph.stance_links.Position` and
    the networkx stance node together)."""

    stance: str
    holder: str
    topic: str | None
    polarity: str
    target: str
    target_entities: tuple[str, ...]
    date: str | None  # the stance's own date, else its pkg:sortDate
    sort_date: str | None  # the stance's pkg:sortDate, else its document's
    document: DocumentInfo
    evidence: Evidence | None

    @property
    def position_key(self) -> tuple[str, str, int]:
        """:attr:`graph.stance_links.Position.order_key`."""
        start = self.evidence.start if self.evidence is not None else 1 << 62
        return (self.sort_date or "9999", self.document.doc_id, start)


_STANCES = """
SELECT ?st ?d ?holder ?polarity ?target ?topic ?te ?date ?sort WHERE {{
  GRAPH ?g {{
    {bound}
    ?st a pkg:Stance ; prov:wasAttributedTo ?holder ; pkg:polarity ?polarity ; prov:wasDerivedFrom ?d .
    OPTIONAL {{ ?st pkg:target ?target }}
    OPTIONAL {{ ?st dcterms:subject ?topic }}
    OPTIONAL {{ ?st dcterms:date ?date }}
    OPTIONAL {{ ?st pkg:sortDate ?sort }}
    OPTIONAL {{ ?st pkg:targetEntity ?te }}
  }}
  {window}
}}
"""


def stance_records(
    store: Store,
    catalogue: Catalogue,
    *,
    holder: str | None = None,
    topic: str | None = None,
    polarity: str | None = None,
    target: str | None = None,
    start: str | None = None,
    end: str | None = None,
    quotes: bool = True,
) -> list[StanceRecord]:
    """Stances matching every given filter (in no particular order).

    ``holder`` and ``topic`` compare with the stance's first holder and topic (by IRI),
    as :func:`graph.stance_links.positions` does; ``target`` is an entity the stance
    targets; the window applies to the stance's date, else its document's. Without
    ``quotes`` the records come without their evidence (:func:`position_page` reads the
    quotes of a page only: half the time of a state's 3,000 stances is their quotes).
    """
    bound = bound_patterns(
        "st",
        [
            ("dcterms:subject", iri(topic) if topic else None),
            ("prov:wasAttributedTo", iri(holder) if holder else None),
            ("pkg:targetEntity", iri(target) if target else None),
            ("pkg:polarity", iri(f"{PKG}{polarity}") if polarity else None),
        ],
    )
    sparql = _STANCES.format(bound=bound, window=window_filter(start, end))
    merged: dict[str, dict[str, Any]] = {}
    for row in select(store, sparql):
        stance = str(text(row["st"]))
        found = merged.get(stance)
        if found is None:
            found = merged[stance] = {"row": row, "holders": set(), "topics": set(), "targets": set()}
        found["holders"].add(str(text(row["holder"])))
        for key, var in (("topics", "topic"), ("targets", "te")):
            value = text(row[var])
            if value:
                found[key].add(value)
    low, high = period_bounds(start, end)
    out = []
    evidence = evidence_of(store, merged) if quotes else {}
    for stance, found in merged.items():
        row = found["row"]
        first_holder = min(found["holders"])
        first_topic = min(found["topics"]) if found["topics"] else None
        if (holder is not None and first_holder != holder) or (topic is not None and first_topic != topic):
            continue
        doc = str(text(row["d"]))
        info = catalogue.document(doc)
        sort_date = text(row["sort"]) or info.sort_date
        if not in_window(sort_date, low, high):
            continue
        out.append(
            StanceRecord(
                stance=stance,
                holder=first_holder,
                topic=first_topic,
                polarity=local_name(str(text(row["polarity"]))),
                target=text(row["target"]) or "",
                target_entities=tuple(sorted(found["targets"])),
                date=text(row["date"]) or text(row["sort"]),
                sort_date=sort_date,
                document=info,
                evidence=evidence.get(stance),
            )
        )
    return out


def with_quotes(store: Store, records: Sequence[StanceRecord]) -> list[StanceRecord]:
    """``records`` with their evidence quotes read (one query per document)."""
    found = evidence_of(store, (r.stance for r in records))
    return [replace(r, evidence=found.get(r.stance)) for r in records]


def page_in_order(
    items: Sequence[T],
    coarse: Callable[[T], Any],
    full: Callable[[T], Any],
    limit: int,
    offset: int,
    fill: Callable[[Sequence[T]], list[T]],
) -> list[T]:
    """Items ``offset`` to ``offset + limit`` in ``full`` order, when ``full`` is
    ``coarse`` refined by what only ``fill`` reads (a quote's offset within its document):
    the items are ordered by ``coarse``, and only the runs of equal ``coarse`` keys the
    page touches are filled and ordered by ``full``.

    >>> words = ["b2", "a9", "b1", "a1", "c5"]
    >>> page_in_order(words, lambda w: w[0], lambda w: w, 2, 1, lambda ws: [w.upper() for w in ws])
    ['A9', 'B1']
    """
    ordered = sorted(items, key=coarse)
    if offset >= len(ordered) or limit <= 0:
        return []
    low, high = offset, min(offset + limit, len(ordered))
    while low > 0 and coarse(ordered[low - 1]) == coarse(ordered[low]):
        low -= 1
    while high < len(ordered) and coarse(ordered[high]) == coarse(ordered[high - 1]):
        high += 1
    window = sorted(fill(ordered[low:high]), key=full)
    return window[offset - low : offset - low + limit]


def position_page(
    store: Store, records: Sequence[StanceRecord], limit: int, offset: int
) -> list[StanceRecord]:
    """Records ``offset`` to ``offset + limit`` in :attr:`StanceRecord.position_key`
    order, with their quotes; ``records`` may come without (``quotes=False``)."""
    return page_in_order(
        records,
        lambda r: r.position_key[:2],
        lambda r: r.position_key,
        limit,
        offset,
        lambda chosen: with_quotes(store, chosen),
    )


__all__ = ["StanceRecord", "page_in_order", "position_page", "stance_records", "with_quotes"]
