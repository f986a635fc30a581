"""Whether the links graph agrees with the stored documents (``policykg validate``).

The marks an interrupted run leaves and the fingerprint of the documents recorded at
the last refresh (:mod:`graph.links_state`) are always checked; on small stores the
whole links graph is also recomputed in memory (:mod:`graph.derived`) and compared
quad by quad.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph.derived import compute_links, link_quads, load_link_network
from graph.links_state import documents_fingerprint, fingerprint_quads, links_state
from graph.store import Store
from ontology.namespace import LINKS_GRAPH

#: `validate` recomputes the whole links graph and compares it quad by quad up to this
#: many documents (beyond, the fingerprint and the marks are checked).
RECOMPUTE_MAX_DOCUMENTS = 300


@dataclass(slots=True)
class LinksCheck:
    """Whether the links graph agrees with the documents (``policykg validate``)."""

    agrees: bool
    checked: str
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"agrees": self.agrees, "checked": self.checked, "problems": self.problems}


def check_links(store: Store, *, recompute_max: int = RECOMPUTE_MAX_DOCUMENTS) -> LinksCheck:
    """Check that the links graph agrees with the stored documents.

    The marks of interrupted runs and the fingerprint recorded at the last refresh are
    always checked; on stores of up to ``recompute_max`` documents the whole links graph
    is also recomputed in memory and compared quad by quad.

    Examples
    --------
    >>> from graph.derived import rebuild_links
    >>> from graph.oxigraph_store import OxigraphStore
    >>> store = OxigraphStore(None)
    >>> check_links(store).checked         # never built: nothing derived to disagree
    'absent'
    >>> _ = rebuild_links(store)
    >>> check_links(store).checked
    'recomputed'
    """
    state = links_state(store)
    fingerprint, count = documents_fingerprint(store)
    problems: list[str] = []
    if not state.built:
        # Never built (ingests ran without links): nothing derived, nothing to disagree,
        # unless an interrupted run left its marks.
        if state.rebuilding:
            problems.append("the first build of the links graph was interrupted: the graph is partial; "
                            "run `policykg rebuild-links` to build it")
        elif state.pending:
            problems.append(f"an ingest of {len(state.pending)} document(s) was interrupted before the "
                            "links graph was first built; run `policykg rebuild-links` to build it")
        return LinksCheck(not problems, "absent", problems)
    if state.rebuilding:
        problems.append("a rebuild of the links graph was interrupted: the graph is partial")
    if state.pending:
        shown = ", ".join(d.rsplit("/", 1)[-1] for d in state.pending[:5])
        more = f" and {len(state.pending) - 5} more" if len(state.pending) > 5 else ""
        problems.append(f"{len(state.pending)} document(s) changed since the last refresh: {shown}{more}")
    if state.fingerprint is None:
        problems.append("the links graph records no fingerprint of the documents it was built from "
                        "(built by an older version)")
    elif state.fingerprint != fingerprint:
        problems.append(
            f"the documents changed since the links graph was refreshed ({count} stored now, "
            f"{state.document_count} then)"
        )
    checked = "marks and fingerprint"
    if not problems and count <= recompute_max:
        checked = "recomputed"
        expected = {str(q) for q in link_quads(compute_links(load_link_network(store)))}
        expected |= {str(q) for q in fingerprint_quads(fingerprint, count)}
        actual = {str(q) for q in store.graph_quads(str(LINKS_GRAPH))}
        missing, extra = len(expected - actual), len(actual - expected)
        if missing or extra:
            problems.append(f"the links graph differs from a fresh rebuild ({missing} quads missing, "
                            f"{extra} extra)")
    if problems:
        problems.append("run `policykg rebuild-links` to rebuild it")
    return LinksCheck(not problems, checked, problems)
