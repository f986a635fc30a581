"""The read layer: typed records straight from the store, with targeted SPARQL.

Every reader of the store (REST routes, CLI commands, exports, viewers) asks through these
modules: :mod:`graph.read.catalogue` (names of documents, entities and topics),
:mod:`graph.read.lineage`, :mod:`graph.read.timeline`, :mod:`graph.read.stances`,
:mod:`graph.read.tables` (flat tables of events and stances), :mod:`graph.read.neighbourhood`
(an entity's bounded neighbourhood), :mod:`graph.read.selection` (the documents an export's
filters keep), :mod:`graph.read.paths` (evidence paths by a bounded search over co-mentions),
with SPARQL values rendered by :mod:`graph.terms`
and date windows by :mod:`graph.read.window`.
"""
