"""The ``policykg`` command: ingest, extract, query, serve, export, stats, validate, remove.

Global options (``--store``, ``--workers``, ...) override ``POLICYKG_*`` environment
variables; both end up in :func:`policykg.settings.get_settings`. Heavy modules (the
extraction pipeline, the store, rdflib, the web app) are imported inside the commands, so
``policykg extract`` -- which the evaluation runs once per file -- starts quickly.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from policykg.cli_common import CliState, open_store, outcome_line, pass_state, print_counts


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--store", "store", metavar="PATH|URL",
              help="Store folder (embedded Oxigraph) or SPARQL endpoint URL [env POLICYKG_STORE; "
                   "default data/store].")
@click.option("--update-endpoint", help="Remote store: SPARQL Update endpoint.")
@click.option("--graph-store-endpoint", help="Remote store: Graph Store Protocol endpoint.")
@click.option("--store-user", help="Remote store: user name.")
@click.option("--store-password", help="Remote store: password (prefer POLICYKG_STORE_PASSWORD).")
@click.option("--workers", type=click.IntRange(min=0), help="Extraction processes (0: one per core).")
@click.option("--query-timeout", "query_timeout_s", type=click.FloatRange(min=0, min_open=True),
              help="Per-query time limit in seconds.")
@click.option("--auto-links/--no-auto-links", default=None,
              help="Recompute derived links after ingest and removal.")
@click.option("-v", "--verbose", count=True, help="More log output (-vv: debug).")
@click.version_option(package_name="policykg")
@click.pass_context
def main(ctx: click.Context, verbose: int, **overrides: Any) -> None:
    """policykg: a policy-position knowledge graph with provenance to the quote."""
    import logging

    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = CliState(overrides)


# -- ingest / remove ---------------------------------------------------------------------------

_SERVER_OPTION = click.option(
    "--server", metavar="URL",
    help="Send to this running `policykg serve` (default: the server announced in the store "
         "folder, when one writes to it; else the store is written directly).")
_TOKEN_OPTION = click.option(
    "--update-token", help="The server's update token (prefer POLICYKG_UPDATE_TOKEN).")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--force", is_flag=True,
              help="Re-extract documents even when their file is unchanged (after editing a sidecar "
                   "or upgrading policykg).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no per-file lines.")
@_SERVER_OPTION
@_TOKEN_OPTION
@pass_state
def ingest(state: CliState, paths: tuple[Path, ...], force: bool, as_json: bool, quiet: bool,
           server: str | None, update_token: str | None) -> None:
    """Read, extract and store documents: files or folders (walked recursively).

    Each document becomes one named graph; unchanged documents are skipped, changed ones
    replaced. While a `policykg serve` writes to the store, the files are sent to it
    (with the update token) instead. Exits with status 1 when some file failed (the
    others are stored)."""
    from graph.ingest import collect_files, ingest_paths
    from policykg.cli_server import send_files, server_for

    files = collect_files(paths)
    if not files:
        raise click.ClickException("no document files found in " + ", ".join(map(str, paths)))
    if update_token is not None:
        state.overrides["update_token"] = update_token
    url = server_for(state.settings, server)
    show_lines = not quiet and not as_json

    def run(progress: Any = None) -> Any:
        if url is not None:
            return send_files(url, files, state.settings, progress, force=force)
        with open_store(state) as store:
            return ingest_paths(store, files, state.settings.ingest_options(), progress, force=force)

    if quiet or as_json or len(files) < 2:
        report = run()
    else:
        label = f"sending to {url}" if url is not None else "ingesting"
        with click.progressbar(length=len(files), label=label, file=sys.stderr,
                               show_pos=True, item_show_func=lambda s: s) as bar:
            report = run(lambda outcome: bar.update(1, outcome.doc_id or outcome.source))
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    elif show_lines:
        for outcome in report.outcomes:
            click.echo(outcome_line(outcome))
    if not quiet:
        print_counts(report)
    if not report.ok:
        sys.exit(1)


@main.command()
@click.argument("documents", nargs=-1, required=True)
@_SERVER_OPTION
@_TOKEN_OPTION
@pass_state
def remove(state: CliState, documents: tuple[str, ...], server: str | None, update_token: str | None) -> None:
    """Delete documents (by id, IRI or source path): their named graphs and nothing else
    (through the running `policykg serve` that writes to the store, if there is one)."""
    from graph.ingest import remove_documents
    from policykg.cli_server import remove_through, server_for

    if update_token is not None:
        state.overrides["update_token"] = update_token
    url = server_for(state.settings, server)
    if url is not None:
        report = remove_through(url, list(documents), state.settings)
    else:
        with open_store(state) as store:
            report = remove_documents(store, list(documents), state.settings.ingest_options())
    for outcome in report.outcomes:
        click.echo(outcome_line(outcome))
    if report.links_error:
        click.echo(f"error: {report.links_error}", err=True)
    if not report.ok:
        sys.exit(1)


# -- extract -----------------------------------------------------------------------------------


@main.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["json", "turtle", "nquads"]), default="json",
              show_default=True, help="json: the extraction record; turtle/nquads: the document graph "
              "and the descriptions of the entities it names (graph:entities in N-Quads).")
@click.option("--explain", is_flag=True,
              help="Print each fact with the rule that produced it and its quote, instead of --format.")
def extract(path: Path, fmt: str, explain: bool) -> None:
    """Extract one file and print the result; the store is not touched."""
    from loaders.pipeline import extract_path

    try:
        result = extract_path(path)
    except Exception as exc:  # a clear one-line error naming the file, exit 1
        message = str(exc)
        raise click.ClickException(message if str(path) in message else f"{path}: {message}") from exc
    if explain:
        from loaders.explain import explain_lines

        for line in explain_lines(result):
            click.echo(line)
        return
    if fmt == "json":
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
        return
    import pyoxigraph as ox

    from graph.rdf import document_rdf
    from loaders.gazetteer import load_gazetteer
    from ontology.namespace import PREFIXES

    rdf = document_rdf(result, gazetteer=load_gazetteer())
    quads = rdf.quads + rdf.descriptions
    if fmt == "turtle":
        # Grouped by subject (a stable sort keeps each node's triples in model order).
        triples = sorted((q.triple for q in quads), key=lambda t: str(t.subject))
        data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    else:
        data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    sys.stdout.buffer.write(data or b"")


# -- query -------------------------------------------------------------------------------------


@main.command()
@click.argument("sparql", required=False)
@click.option("-f", "--file", "query_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read the query from a file (.rq).")
@click.option("--format", "fmt",
              type=click.Choice(["table", "json", "csv", "tsv", "xml", "turtle", "nquads"]),
              default="table", show_default=True,
              help="Results format (turtle/nquads for CONSTRUCT and DESCRIBE).")
@click.option("--graph", "default_graphs", multiple=True, metavar="IRI",
              help="Default graph of the query (repeatable); default: union of all graphs.")
@click.option("--prefixes/--no-prefixes", default=True, show_default=True,
              help="Prepend the policykg PREFIX declarations (pkg:, doc:, entity:, ...).")
@pass_state
def query(state: CliState, sparql: str | None, query_file: Path | None, fmt: str,
          default_graphs: tuple[str, ...], prefixes: bool) -> None:
    """Run a SPARQL query over the store and print the results."""
    import pyoxigraph as ox

    from graph.store import QueryTimeout, StoreError
    from ontology.namespace import sparql_prefixes

    if (sparql is None) == (query_file is None):
        raise click.UsageError("give the query as an argument or with -f FILE (one of them)")
    text = query_file.read_text(encoding="utf-8") if query_file is not None else str(sparql)
    if prefixes:
        text = sparql_prefixes() + text
    with open_store(state, read_only=True) as store:
        try:
            result = store.query(text, default_graph=list(default_graphs) or None,
                                 timeout_s=state.settings.query_timeout_s)
        except SyntaxError as exc:
            raise click.ClickException(f"SPARQL syntax error: {exc}") from exc
        except (QueryTimeout, StoreError) as exc:
            raise click.ClickException(str(exc)) from exc
        out = sys.stdout.buffer
        if isinstance(result, (ox.QueryBoolean, bool)):
            if fmt == "table":
                click.echo("true" if bool(result) else "false")
            else:
                _boolean_results(bool(result), fmt)
            return
        if isinstance(result, ox.QuerySolutions):
            if fmt == "table":
                _print_table(result)
            elif fmt in ("turtle", "nquads"):
                raise click.UsageError(f"--format {fmt} is for CONSTRUCT/DESCRIBE queries")
            else:
                result.serialize(out, _results_format(fmt))
            return
        triples = [t if isinstance(t, ox.Triple) else t.triple for t in result]
        if fmt == "nquads":
            out.write(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")
        else:
            from ontology.namespace import PREFIXES

            out.write(ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b"")


def _results_format(fmt: str) -> Any:
    import pyoxigraph as ox

    return {"json": ox.QueryResultsFormat.JSON, "csv": ox.QueryResultsFormat.CSV,
            "tsv": ox.QueryResultsFormat.TSV, "xml": ox.QueryResultsFormat.XML}[fmt]


def _boolean_results(value: bool, fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps({"head": {}, "boolean": value}))
    elif fmt == "xml":
        click.echo('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                   f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>")
    else:
        click.echo("true" if value else "false")


def compact_term(term: Any) -> str:
    """A short display form of an RDF term: prefixed IRIs, bare literal values.

    >>> import pyoxigraph as ox
    >>> compact_term(ox.NamedNode("https://w3id.org/policykg/entity/china"))
    'entity:china'
    >>> compact_term(ox.Literal("2020", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")))
    '2020'
    """
    import pyoxigraph as ox

    from ontology.namespace import PREFIXES

    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        best = max((iri for iri in PREFIXES.values() if term.value.startswith(iri)), key=len, default=None)
        if best is not None:
            prefix = next(p for p, iri in PREFIXES.items() if iri == best)
            local = term.value[len(best):]
            if local and all(c.isalnum() or c in "-_." for c in local):
                return f"{prefix}:{local}"
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def _print_table(result: Any, max_width: int = 80) -> None:
    names = [v.value for v in result.variables]
    rows = [[compact_term(solution[name]) for name in names] for solution in result]
    cells = [[(c if len(c) <= max_width else c[: max_width - 1] + "…").replace("\n", " ") for c in row]
             for row in rows]
    widths = [max([len(n), *(len(r[i]) for r in cells)]) for i, n in enumerate(names)]
    click.echo("  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)))
    click.echo("  ".join("-" * w for w in widths))
    for row in cells:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    click.echo(f"({len(rows)} row{'s' if len(rows) != 1 else ''})", err=True)


# -- export ------------------------------------------------------------------------------------

_EXPORT_FORMATS = {"turtle": "TURTLE", "trig": "TRIG", "nquads": "N_QUADS", "ntriples": "N_TRIPLES",
                   "jsonld": "JSON_LD"}


@main.command()
@click.option("--format", "fmt", type=click.Choice(list(_EXPORT_FORMATS)), default="trig",
              show_default=True,
              help="turtle/ntriples merge the chosen graphs; trig/nquads/jsonld keep them.")
@click.option("--graph", "graphs", multiple=True, metavar="IRI|DOC_ID",
              help="Export only this graph (repeatable); a document id names its graph.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write to this file instead of stdout.")
@pass_state
def export(state: CliState, fmt: str, graphs: tuple[str, ...], output: Path | None) -> None:
    """Export the store (or some graphs) as RDF."""
    import pyoxigraph as ox

    from ontology.namespace import PREFIXES, doc_graph_iri

    rdf_format = getattr(ox.RdfFormat, _EXPORT_FORMATS[fmt])
    with open_store(state, read_only=True) as store:
        available = store.graphs()
        chosen: list[str] = []
        for name in graphs:
            iri = name if name.startswith(("http://", "https://", "urn:")) else doc_graph_iri(name)
            if iri not in available:
                raise click.ClickException(f"no graph {iri} in the store")
            chosen.append(iri)
        selected = chosen or available
        quads = (q for g in selected for q in store.graph_quads(g))
        data: Any = quads
        if fmt in ("turtle", "ntriples"):
            # One graph: the union of the chosen graphs, duplicates merged, grouped by subject.
            data = sorted(dict.fromkeys(q.triple for q in quads), key=lambda t: str(t.subject))
        kwargs: dict[str, Any] = {"format": rdf_format}
        if fmt in ("turtle", "trig"):
            kwargs["prefixes"] = PREFIXES
        if output is not None:
            with output.open("wb") as handle:
                ox.serialize(data, handle, **kwargs)
        else:
            ox.serialize(data, sys.stdout.buffer, **kwargs)
            sys.stdout.buffer.flush()


# -- stats -------------------------------------------------------------------------------------


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def stats(state: CliState, as_json: bool) -> None:
    """Counts: documents, entities by type, mentions, events, stances, graphs, triples."""
    from graph.stats import store_stats

    with open_store(state, read_only=True) as store:
        figures = store_stats(store)
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    for key, value in figures.items():
        if isinstance(value, dict):
            click.echo(f"{key}:")
            for sub, n in value.items():
                click.echo(f"  {sub:<22} {n}")
        else:
            click.echo(f"{key:<24} {value}")


# -- validate ----------------------------------------------------------------------------------


@main.command()
@click.option("--graph", "graphs", multiple=True, metavar="IRI|DOC_ID",
              help="Validate only this graph (repeatable); default: every graph.")
@click.option("--sample", type=click.IntRange(min=1), metavar="N",
              help="Validate N document graphs drawn at random (plus the ontology and links graphs).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--max-results", default=20, show_default=True, help="Violations shown per graph.")
@pass_state
def validate(state: CliState, graphs: tuple[str, ...], sample: int | None, as_json: bool,
             max_results: int) -> None:
    """Check the store against the SHACL shapes (ontology/shapes.ttl), graph by graph.

    Exits with status 1 and names each non-conforming document when the store does not conform."""
    from graph.validation import sample_graphs, validate_store
    from ontology.namespace import doc_graph_iri

    selected = [g if g.startswith(("http://", "https://", "urn:")) else doc_graph_iri(g) for g in graphs]
    with open_store(state, read_only=True) as store:
        missing = [g for g in selected if g not in set(store.graphs())]
        if missing:
            raise click.ClickException("no such graph: " + ", ".join(missing))
        if sample is not None:
            selected = sorted(set(selected) | set(sample_graphs(store, sample)))
        report = validate_store(store, graphs=selected or None, workers=state.settings.workers)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        for failure in report.failures:
            click.echo(f"NOT CONFORMING {failure.graph} ({len(failure.results)} violations)")
            for line in failure.results[:max_results]:
                click.echo(f"  - {line}")
        if report.links is not None:
            agrees = "agrees with" if report.links.agrees else "does NOT agree with"
            if report.links.agrees and report.links.checked == "absent":
                click.echo("links graph: not built (run `policykg rebuild-links` to derive it)")
            else:
                click.echo(f"links graph ({report.links.checked}): {agrees} the documents")
            for problem in report.links.problems:
                click.echo(f"  - {problem}")
        verdict = "conforms" if report.conforms else "does NOT conform"
        click.echo(f"{report.checked} graphs checked ({report.triples} triples): the store {verdict}")
    if not report.conforms:
        sys.exit(1)


# -- serve -------------------------------------------------------------------------------------


@main.command()
@click.option("--host", help="Interface to listen on [env POLICYKG_HOST; default 127.0.0.1].")
@click.option("--port", type=click.IntRange(1, 65535), help="Port [env POLICYKG_PORT; default 8000].")
@click.option("--update-token", help="Bearer token that allows SPARQL Update (prefer POLICYKG_UPDATE_TOKEN).")
@pass_state
def serve(state: CliState, host: str | None, port: int | None, update_token: str | None) -> None:
    """Serve the SPARQL endpoint, REST API and exports over HTTP."""
    import uvicorn

    from api.app import create_app

    for key, value in (("host", host), ("port", port), ("update_token", update_token)):
        if value is not None:
            state.overrides[key] = value
    settings = state.settings
    app = create_app(settings)
    click.echo(f"policykg serving {settings.store} on http://{settings.host}:{settings.port}/", err=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")


# -- commands contributed by other modules (one import + add_command line each) -----------------
from policykg.cli_links import lineage, path, rebuild_links, timeline  # noqa: E402

main.add_command(lineage)
main.add_command(timeline)
main.add_command(path)
main.add_command(rebuild_links)
from policykg.cli_tables import events, stances  # noqa: E402

main.add_command(events)
main.add_command(stances)
from policykg.cli_corpus import ingest_ungdc  # noqa: E402

main.add_command(ingest_ungdc)
from policykg.cli_migrate import migrate  # noqa: E402

main.add_command(migrate)
