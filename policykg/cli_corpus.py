"""CLI command for whole published corpora: ``policykg ingest-ungdc``.

The UN General Debate Corpus (10,953 speeches, 1946-2024) is read straight from its
tarball (or unpacked folder), each speech with its metadata from the file name and the
speaker table, and ingested like any other documents: extraction in worker processes,
batched writes, unchanged speeches skipped, so an interrupted run resumes where it
stopped. Registered on the ``policykg`` group in :mod:`policykg.cli`.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import click

from policykg.cli_common import CliState, open_store, outcome_line, pass_state, print_counts


def _year_range(_ctx: click.Context, _param: click.Parameter, value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    match = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?", value)
    if match is None:
        raise click.BadParameter(f"{value!r} is not a year or a range of years such as 1990-2024")
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if last < first:
        raise click.BadParameter(f"{value!r}: the range ends before it starts")
    return first, last


@click.command("ingest-ungdc")
@click.argument("archive", type=click.Path(exists=True, path_type=Path))
@click.option("--limit", type=click.IntRange(min=1), help="Ingest at most this many speeches.")
@click.option("--years", callback=_year_range, metavar="YEAR[-YEAR]",
              help="Only speeches of these years, e.g. 1990-2024.")
@click.option("--force", is_flag=True, help="Re-extract speeches even when already stored unchanged.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.option("--list", "list_all", is_flag=True, help="Print one line per speech (default: failures only).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@pass_state
def ingest_ungdc(
    state: CliState,
    archive: Path,
    limit: int | None,
    years: tuple[int, int] | None,
    force: bool,
    as_json: bool,
    list_all: bool,
    quiet: bool,
) -> None:
    """Ingest the UN General Debate Corpus from ARCHIVE (its .tar.gz or unpacked folder).

    Metadata come from the file names (ISO3_SESSION_YEAR.txt) and Speakers_by_session.xlsx:
    the speaking state, the session's year, the speaker, forum "United Nations General
    Assembly". Speeches already stored unchanged are skipped, so rerunning after an
    interruption resumes the ingest. Exits with status 1 when some speech failed."""
    from graph.ingest import ingest_documents, stored_documents
    from loaders.ungdc import UngdcCorpus, UngdcError

    try:
        corpus = UngdcCorpus(archive, limit=limit, years=years, workers=1)
        total = len(corpus)
    except UngdcError as exc:
        raise click.ClickException(str(exc)) from exc
    if total == 0:
        raise click.ClickException(f"{archive}: no speech files named ISO3_SESSION_YEAR.txt"
                                   + (f" of {years[0]}-{years[1]}" if years else ""))
    options = state.settings.ingest_options()
    with open_store(state) as store:
        if not force:
            corpus.known_sha256 = {doc_id: sha for doc_id, (sha, _) in stored_documents(store).items()}
        if quiet or as_json:
            report = ingest_documents(store, corpus, options, force=force)
        else:
            with click.progressbar(length=total, label="ingesting speeches", file=sys.stderr,
                                   show_pos=True, show_eta=True, item_show_func=lambda s: s) as bar:
                report = ingest_documents(
                    store, corpus, options,
                    progress=lambda outcome: bar.update(1, outcome.doc_id or outcome.source),
                    force=force,
                )
    if as_json:
        payload = report.to_json()
        payload["skipped"] = [{"source": name, "reason": why} for name, why in corpus.skipped]
        payload["warnings"] = corpus.warnings
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        for outcome in report.outcomes:
            if list_all or outcome.status == "failed":
                click.echo(outcome_line(outcome))
        for name, why in corpus.skipped:
            click.echo(f"skipped   {name}  [{why}]", err=True)
        for warning in corpus.warnings:
            click.echo(f"warning: {warning}", err=True)
    if not quiet:
        print_counts(report)
    if not report.ok:
        sys.exit(1)
