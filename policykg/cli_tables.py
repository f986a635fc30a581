"""CLI commands over the flat tables: ``events`` and ``stances`` (CSV, TSV, JSON or a
terminal table), the same rows as ``GET /events`` and ``GET /stances`` give."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from policykg.cli_common import CliState, open_store, pass_state, read_catalogue

if TYPE_CHECKING:
    from graph.read.catalogue import Catalogue

FORMATS = ("table", "csv", "tsv", "json")
SORT_KEYS = ("date", "actor", "subject", "type")


def _resolve(catalogue: Catalogue, name: str | None, what: str) -> str | None:
    if not name:
        return None
    try:
        return catalogue.resolve_entity(name.strip())
    except LookupError as exc:
        raise click.BadParameter(str(exc.args[0]) if exc.args else str(exc), param_hint=f"--{what}") from exc


def _document(catalogue: Catalogue, doc_id: str | None) -> str | None:
    if not doc_id:
        return None
    found = catalogue.by_doc_id.get(doc_id)
    if found is None:
        raise click.BadParameter(f"no document has the id {doc_id!r}", param_hint="--document")
    return found


def _print(rows: Sequence[Any], columns: Sequence[str], fmt: str, shown: Sequence[str]) -> None:
    from graph.read.tables import delimited

    if fmt == "json":
        click.echo(json.dumps([r.to_json() for r in rows], ensure_ascii=False, indent=1))
    elif fmt in ("csv", "tsv"):
        sys.stdout.write(delimited(rows, columns, "," if fmt == "csv" else "\t"))
    else:
        for row in rows:
            record = row.to_json()
            click.echo("  ".join(str(record[c] if record[c] is not None else "-") for c in shown))
            if record.get("quote"):
                click.echo(f"    \"{' '.join(str(record['quote']).split())}\"")
    click.echo(f"{len(rows)} rows", err=True)


_COMMON = [
    click.option("--forum", help="Forum where the document was delivered."),
    click.option("--document", "doc_id", metavar="ID", help="A document id."),
    click.option("--from", "start", metavar="DATE", help="First date (YYYY, YYYY-MM or YYYY-MM-DD)."),
    click.option("--to", "end", metavar="DATE", help="Last date."),
    click.option("-q", "query", metavar="TEXT", help="Text the row contains (quote, names, title)."),
    click.option("--sort", default="date", show_default=True, help="Row order; a leading - reverses it.",
                 type=click.Choice([*SORT_KEYS, *(f"-{k}" for k in SORT_KEYS)])),
    click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True),
]


def _with_common(command: Any) -> Any:
    for option in reversed(_COMMON):
        command = option(command)
    return command


@click.command()
@click.option("--actor", help="Who acted (id, label, alias or acronym).")
@click.option("--subject", help="What the event is about.")
@click.option("--type", "event_type", metavar="TYPE", help="launch, adopt, sign, convene, ...")
@_with_common
@pass_state
def events(state: CliState, actor: str | None, subject: str | None, event_type: str | None, forum: str | None,
           doc_id: str | None, start: str | None, end: str | None, query: str | None, sort: str,
           fmt: str) -> None:
    """Real events as a table: date (at its precision), actor, type, subject, forum,
    document, quote, and how many documents report it. Example: ``--actor China --format csv``."""
    from graph.read.tables import EVENT_COLUMNS, event_rows, matching, sorted_rows

    with open_store(state, read_only=True) as store:
        catalogue = read_catalogue(state, store)
        rows = event_rows(
            store, catalogue, actor=_resolve(catalogue, actor, "actor"),
            subject=_resolve(catalogue, subject, "subject"), event_type=event_type,
            forum=_resolve(catalogue, forum, "forum"), document=_document(catalogue, doc_id),
            start=start, end=end,
        )
    rows = sorted_rows(matching(rows, query), sort)
    _print(rows, EVENT_COLUMNS, fmt, ("date", "actor", "event_type", "subject", "doc_id", "sources"))


@click.command()
@click.option("--holder", help="Who holds the stance (id, label, alias or acronym).")
@click.option("--topic", help="A topic (id such as outer-space, or label).")
@click.option("--polarity", type=click.Choice(["support", "oppose"]))
@click.option("--target", help="An entity the stance is about.")
@_with_common
@pass_state
def stances(state: CliState, holder: str | None, topic: str | None, polarity: str | None, target: str | None,
            forum: str | None, doc_id: str | None, start: str | None, end: str | None, query: str | None,
            sort: str, fmt: str) -> None:
    """Stances as a table: date, holder, polarity, target, topic, document, quote.
    Example: ``--holder China --topic outer-space --format csv``."""
    from graph.read.tables import STANCE_COLUMNS, matching, sorted_rows, stance_rows

    with open_store(state, read_only=True) as store:
        catalogue = read_catalogue(state, store)
        topic_iri = catalogue.resolve_topic(topic) if topic else None
        if topic and topic_iri is None:
            raise click.BadParameter(f"no topic is called {topic!r}", param_hint="--topic")
        rows = stance_rows(
            store, catalogue, holder=_resolve(catalogue, holder, "holder"), topic=topic_iri,
            polarity=polarity, target=_resolve(catalogue, target, "target"),
            forum=_resolve(catalogue, forum, "forum"),
            document=_document(catalogue, doc_id), start=start, end=end,
        )
    rows = sorted_rows(matching(rows, query), sort)
    _print(rows, STANCE_COLUMNS, fmt, ("date", "holder", "polarity", "target", "doc_id"))


COMMANDS = (events, stances)
