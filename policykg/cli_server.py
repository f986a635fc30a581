"""``policykg ingest`` and ``remove`` through a running server.

While ``policykg serve`` writes to a store it holds the store's lock, so the commands send
their work to it instead (``POST /documents`` per file, ``DELETE /documents/{ref}``) with
the update token from the settings. The server is the one named with ``--server URL``, or
the one announced in the store folder (:mod:`policykg.server_file`). The answers become the
same :class:`graph.ingest_report.IngestReport` a local run gives, so the commands print
and exit alike.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import click
import httpx

from graph.ingest_report import FileOutcome, IngestReport, Progress
from policykg.server_file import SERVER_FILE, running_server

if TYPE_CHECKING:
    from policykg.settings import Settings

#: Extraction of one large file may take a while; connecting may not.
TIMEOUT = httpx.Timeout(600.0, connect=10.0)


def server_for(settings: Settings, explicit: str | None) -> str | None:
    """The URL of the server to send to: ``explicit``, else the one announced in the
    (embedded) store's folder while its process lives; None to write locally."""
    if explicit:
        return explicit.rstrip("/")
    if settings.is_remote:
        return None
    found = running_server(settings.store_path)
    return found.url.rstrip("/") if found is not None else None


def _token(settings: Settings, url: str) -> str:
    if settings.update_token is None:
        raise click.ClickException(
            f"the store is served by the policykg server at {url}; to send it documents, give its "
            "update token (POLICYKG_UPDATE_TOKEN or --update-token)"
        )
    return settings.update_token.get_secret_value()


def _problem(response: httpx.Response) -> str:
    """What a server error answer says (problem details or the older error shape)."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:500] or response.reason_phrase
    if isinstance(body, dict):
        return str(body.get("detail") or body.get("error") or body)
    return str(body)


def _unreachable(url: str, exc: httpx.HTTPError) -> click.ClickException:
    return click.ClickException(
        f"cannot reach the policykg server at {url} ({exc.__class__.__name__}: {exc}); is it running? "
        f"(a server announces itself in <store>/{SERVER_FILE}; --server URL names one)"
    )


def _refused(url: str, response: httpx.Response) -> click.ClickException:
    return click.ClickException(
        f"the server at {url} refused the update ({response.status_code}): {_problem(response)}"
    )


def _metadata(path: Path) -> str | None:
    """The raw sidecar of ``path`` (the server checks it); OSError/ValueError if unusable."""
    from loaders.sidecar import sidecar_paths

    for candidate in sidecar_paths(path):
        if candidate.is_file():
            raw = candidate.read_bytes().decode("utf-8-sig")
            try:
                json.loads(raw)
            except json.JSONDecodeError as exc:
                raise ValueError(
                    f"{candidate}: sidecar is not valid JSON ({exc.msg}, line {exc.lineno})"
                ) from None
            return raw
    return None


def _printable(name: str | Path) -> str:
    """A file name as text that can be sent: bytes that are not UTF-8 as ``\\xNN`` escapes
    (as ingest records them)."""
    return os.fsencode(name).decode("utf-8", errors="backslashreplace")


def _send_file(client: httpx.Client, path: Path, force: bool) -> tuple[FileOutcome, str | None]:
    source = _printable(path)
    try:
        data = path.read_bytes()
        metadata = _metadata(path)
    except FileNotFoundError:
        return FileOutcome(source, "failed", message=f"{source}: no such file"), None
    except IsADirectoryError:
        return FileOutcome(source, "failed", message=f"{source}: is a directory, not a file"), None
    except OSError as exc:
        return FileOutcome(
            source, "failed", message=f"{source}: cannot be read ({exc.strerror or exc})"
        ), None
    except (ValueError, UnicodeDecodeError) as exc:
        return FileOutcome(source, "failed", message=str(exc)), None
    form: dict[str, Any] = {"source": source, "force": "true" if force else "false"}
    if metadata is not None:
        form["metadata"] = metadata
    response = client.post("/documents", files={"file": (_printable(path.name), data)}, data=form)
    if response.status_code in (401, 403):
        raise _refused(str(client.base_url), response)
    if response.status_code not in (200, 201):
        message = _problem(response)
        return FileOutcome(
            source, "failed", message=message if source in message else f"{source}: {message}"
        ), None
    body = response.json()
    outcome = FileOutcome(
        source,
        body["status"],
        body["id"],
        message="; ".join(body.get("warnings") or []),
        quads=int(body.get("triples") or 0),
        entities=int(body.get("entities") or 0),
        events=int(body.get("events") or 0),
        stances=int(body.get("stances") or 0),
    )
    return outcome, body.get("links_error")


def send_files(
    url: str,
    files: Sequence[Path],
    settings: Settings,
    progress: Progress | None = None,
    *,
    force: bool = False,
) -> IngestReport:
    """Send ``files`` (with their sidecars) to the server at ``url``, one request each;
    a file the server refuses is a ``failed`` outcome and the others go on."""
    started = time.perf_counter()
    report = IngestReport()
    headers = {"Authorization": f"Bearer {_token(settings, url)}"}
    with httpx.Client(base_url=url, headers=headers, timeout=TIMEOUT) as client:
        for order, path in enumerate(files):
            try:
                outcome, links_error = _send_file(client, path, force)
            except httpx.HTTPError as exc:
                raise _unreachable(url, exc) from exc
            outcome.order = order
            report.outcomes.append(outcome)
            if links_error:
                report.links_error = links_error
            if progress is not None:
                progress(outcome)
    report.seconds = time.perf_counter() - started
    return report


def remove_through(url: str, refs: Sequence[str], settings: Settings) -> IngestReport:
    """Remove the documents ``refs`` name (ids, IRIs or sources) through the server."""
    started = time.perf_counter()
    report = IngestReport()
    headers = {"Authorization": f"Bearer {_token(settings, url)}"}
    with httpx.Client(base_url=url, headers=headers, timeout=TIMEOUT) as client:
        for ref in refs:
            try:
                response = client.delete("/documents/" + quote(ref, safe=""))
            except httpx.HTTPError as exc:
                raise _unreachable(url, exc) from exc
            if response.status_code in (401, 403):
                raise _refused(url, response)
            if response.status_code == 200:
                body = response.json()
                report.outcomes.append(FileOutcome(ref, "removed", body["id"]))
                report.links_error = body.get("links_error") or report.links_error
            else:
                report.outcomes.append(FileOutcome(ref, "failed", message=_problem(response)))
    report.seconds = time.perf_counter() - started
    return report
