"""``policykg migrate``: bring a store written by an older version to the current layout."""

from __future__ import annotations

import json

import click

from policykg.cli_common import CliState, open_store, pass_state


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def migrate(state: CliState, as_json: bool) -> None:
    """Move entity descriptions into the entities graph.

    Stores written before https://w3id.org/policykg/graph/entities existed repeat each
    entity's description in every document graph that names it, and keep the gazetteer's
    in the ontology graph. This moves them (the next ingest does the same on its own);
    on a current store it changes nothing."""
    from graph.entities_graph import migrate_descriptions
    from graph.ingest import ensure_ontology
    from graph.stats import distinct_triples

    with open_store(state) as store:
        quads_before = store.quad_count()
        reloaded = ensure_ontology(store)
        report = migrate_descriptions(store)
        figures = {
            "ontology_reloaded": reloaded,
            **report.to_json(),
            "quads_before": quads_before,
            "quads_after": store.quad_count(),
            "distinct_triples": distinct_triples(store),
        }
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    for key, value in figures.items():
        click.echo(f"{key:<24} {value}")
