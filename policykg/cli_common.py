"""What every ``policykg`` command shares: the state the group passes down, the store it
opens, and the lines an ingest report prints. Its own module so that the command modules
(:mod:`policykg.cli`, :mod:`policykg.cli_links`, :mod:`policykg.cli_corpus`) import it
without importing each other."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from graph.read.catalogue import Catalogue
    from graph.store import Store
    from policykg.settings import Settings


class CliState:
    """What the group passes to its commands: the overrides, turned into settings on demand."""

    def __init__(self, overrides: dict[str, Any]) -> None:
        self.overrides = overrides
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from policykg.settings import SettingsError, get_settings

            try:
                self._settings = get_settings(**self.overrides)
            except SettingsError as exc:
                raise click.UsageError(str(exc)) from None
        return self._settings


pass_state = click.make_pass_decorator(CliState)


@contextmanager
def open_store(state: CliState, *, read_only: bool = False) -> Iterator[Store]:
    """The configured store, closed afterwards; open failures become a clear CLI error."""
    from graph.open_store import open_store as open_location
    from graph.store import StoreError

    settings = state.settings
    try:
        store = open_location(settings.store_location(), read_only=read_only)
    except StoreError as exc:
        message = str(exc)
        if "lock" in message.lower():
            message += (
                f"\nThe store at {settings.store} is in use by another process "
                "(a running `policykg serve` or ingest?). Stop it, or use another --store."
            )
        raise click.ClickException(message) from exc
    try:
        yield store
    finally:
        store.close()


def read_catalogue(state: CliState, store: Store) -> Catalogue:
    """The catalogue of ``store``: from the file saved beside an embedded store while it is
    unchanged (as a server reads it: well under a second on the UN corpus, where reading
    the store takes 10 s), else read from the store (and saved beside an embedded one)."""
    from graph.read.catalogue import saved_catalogue

    settings = state.settings
    return saved_catalogue(store, None if settings.is_remote else settings.store_path)


def outcome_line(outcome: Any) -> str:
    name = outcome.doc_id or outcome.source
    if outcome.status in ("stored", "replaced"):
        detail = (
            f"{outcome.entities} entities, {outcome.events} events, {outcome.stances} stances, "
            f"{outcome.quads} triples"
        )
        line = f"{outcome.status:<9} {name}  ({detail})"
    elif outcome.status == "failed":
        line = f"{'failed':<9} {outcome.message or name}"
        return line
    else:
        line = f"{outcome.status:<9} {name}"
    if outcome.message:
        line += f"  [{outcome.message}]"
    return line


def print_counts(report: Any) -> None:
    counts = report.counts()
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing to do"
    click.echo(f"{summary} in {report.seconds:.1f} s", err=True)
    if report.links_error:
        click.echo(f"error: {report.links_error}", err=True)
