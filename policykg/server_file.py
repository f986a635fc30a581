"""Which server holds a store folder: a small JSON file the server writes beside the store.

A server that opened an embedded store for writing holds the folder's exclusive lock
(:mod:`graph.oxigraph_store`), so ``policykg ingest`` and ``remove`` cannot write there
themselves; instead they send their documents to that server. To find it, the server
writes ``<store>/policykg.server.json`` (``{"url": ..., "pid": ...}``) at start and removes
it at exit; a reader trusts the file only while its process is alive, so a file left by a
killed server is ignored.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

SERVER_FILE = "policykg.server.json"


@dataclass(frozen=True, slots=True)
class ServerAnnouncement:
    """A running server's address and process id."""

    url: str
    pid: int


def server_url(host: str, port: int) -> str:
    """The URL a client on this machine uses to reach a server listening on ``host``.

    >>> server_url("0.0.0.0", 8000), server_url("::1", 8001), server_url("example.org", 80)
    ('http://127.0.0.1:8000', 'http://[::1]:8001', 'http://example.org:80')
    """
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def announce(folder: Path, url: str) -> Path:
    """Write the server file of ``folder`` for this process (atomically: a reader never
    sees half a file); returns its path."""
    path = folder / SERVER_FILE
    partial = folder / f".{SERVER_FILE}.{os.getpid()}"
    partial.write_text(json.dumps({"url": url, "pid": os.getpid()}), encoding="utf-8")
    partial.replace(path)
    return path


def withdraw(folder: Path) -> None:
    """Remove the server file of ``folder`` when this process wrote it."""
    path = folder / SERVER_FILE
    found = read_announcement(path)
    if found is not None and found.pid == os.getpid():
        path.unlink(missing_ok=True)


def read_announcement(path: Path) -> ServerAnnouncement | None:
    """The announcement in ``path``, or None when there is no usable one."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
        return ServerAnnouncement(str(value["url"]), int(value["pid"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def running_server(folder: Path) -> ServerAnnouncement | None:
    """The server announced in the store folder ``folder`` when its process is alive.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> running_server(folder) is None
    True
    >>> _ = announce(folder, "http://127.0.0.1:8123")
    >>> running_server(folder).url
    'http://127.0.0.1:8123'
    >>> withdraw(folder); running_server(folder) is None
    True
    """
    found = read_announcement(folder / SERVER_FILE)
    if found is None or not _alive(found.pid):
        return None
    return found


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user
        return True
    return True
