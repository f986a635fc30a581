"""Whole-store reads saved beside an embedded store, for as long as the store is unchanged.

Some answers need a read of the whole store first (the catalogue of documents, entities
and topics: four SELECTs over every document, about 2 s on the UN General Debate corpus).
A server that starts on an unchanged store need not read it again: what was read is
saved as a JSON file in the store folder (``<folder>/<name>.json``, as the full-text
index keeps ``search.sqlite3`` there) together with the store's fingerprint, and is used
only while the fingerprint is the same.

The fingerprint is the names, sizes and modification times of the database's files
(RocksDB: ``CURRENT``, ``MANIFEST-*``, ``OPTIONS-*``, ``*.sst``, ``*.log``, ``*.blob``):
every committed write appends to the write-ahead log or adds table files, so a store
that changed has another fingerprint; opening a store read-only changes none of them. A
store only opened for writing may get another fingerprint without any change of content
(RocksDB rewrites its options and manifest on open): that costs one more read, never a
stale answer. Files of ours in the folder (the lock, the search index, saved reads) are
not part of it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

logger = logging.getLogger("policykg.graph")

T = TypeVar("T")

#: The database's own files (RocksDB); the info log (``LOG``) changes on every open.
_DATABASE_FILE = re.compile(r"^(CURRENT|IDENTITY|MANIFEST-\d+|OPTIONS-\d+|\d+\.(sst|log|blob))$")


def store_fingerprint(folder: Path | None) -> str | None:
    """The fingerprint of the embedded store in ``folder`` (see the module docstring);
    None when there is no folder or it holds no database.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     folder = Path(tmp)
    ...     empty = store_fingerprint(folder)
    ...     _ = (folder / "000001.log").write_bytes(b"a write")
    ...     one = store_fingerprint(folder)
    ...     _ = (folder / "search.sqlite3").write_bytes(b"not the database")
    ...     (empty, one == store_fingerprint(folder), len(one))
    (None, True, 64)
    """
    if folder is None:
        return None
    entries = []
    try:
        with os.scandir(folder) as found:
            for entry in found:
                if _DATABASE_FILE.match(entry.name):
                    stat = entry.stat()
                    entries.append(f"{entry.name}\t{stat.st_size}\t{stat.st_mtime_ns}")
    except OSError:
        return None
    if not entries:
        return None
    return hashlib.sha256("\n".join(sorted(entries)).encode()).hexdigest()


def saved_path(folder: Path, name: str) -> Path:
    """Where the read called ``name`` is saved in a store folder."""
    return folder / f"{name}.json"


def read_saved(path: Path, version: int, fingerprint: str) -> Any | None:
    """The payload saved in ``path`` for this ``version`` of its layout and this store
    ``fingerprint``; None when there is none, it is of another store state or layout, or
    it cannot be read."""
    try:
        with path.open("rb") as file:
            saved = json.load(file)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        logger.warning("ignoring %s: %s", path, exc)
        return None
    if not isinstance(saved, dict):
        return None
    if saved.get("version") != version or saved.get("fingerprint") != fingerprint:
        return None
    return saved.get("payload")


_HEAD = re.compile(rb'^\{\s*"version"\s*:\s*(\d+)\s*,\s*"fingerprint"\s*:\s*"([0-9a-f]{64})"')


def is_current(folder: Path | None, name: str, version: int) -> bool:
    """True when ``folder`` holds a saved ``name`` of this layout ``version`` for the
    store as it is now, judged from the file's first bytes (:func:`write_saved` writes
    the version and the fingerprint first), without reading the rest."""
    fingerprint = store_fingerprint(folder)
    if folder is None or fingerprint is None:
        return False
    try:
        with saved_path(folder, name).open("rb") as file:
            head = _HEAD.match(file.read(128))
    except OSError:
        return False
    return head is not None and int(head.group(1)) == version and head.group(2).decode() == fingerprint


def write_saved(path: Path, version: int, fingerprint: str, payload: Any) -> bool:
    """Save ``payload`` (JSON values) for this store ``fingerprint``, atomically (a reader
    sees the old file or the new one); False when the folder cannot be written (a store
    folder of another user: the read is then simply not kept)."""
    try:
        handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        logger.info("cannot save %s: %s", path, exc)
        return False
    try:
        os.fchmod(handle, 0o644)  # readable like the store's files (mkstemp makes 0600)
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(
                {"version": version, "fingerprint": fingerprint, "payload": payload},
                file,
                separators=(",", ":"),
                ensure_ascii=False,
            )
        os.replace(tmp, path)
    except (OSError, TypeError, ValueError) as exc:
        logger.warning("cannot save %s: %s", path, exc)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return False
    return True


def kept(
    folder: Path | None,
    name: str,
    version: int,
    build: Callable[[], T],
    encode: Callable[[T], Any],
    decode: Callable[[Any], T],
) -> T:
    """``build()``, or what it gave when the store in ``folder`` was as it is now.

    The fingerprint is taken before building, so a store that changes meanwhile leaves a
    file that its next state does not use. Without a folder (a store in memory, a remote
    store) this is ``build()``.
    """
    fingerprint = store_fingerprint(folder)
    if folder is None or fingerprint is None:
        return build()
    path = saved_path(folder, name)
    payload = read_saved(path, version, fingerprint)
    if payload is not None:
        try:
            return decode(payload)
        except (KeyError, TypeError, ValueError) as exc:
            logger.warning("ignoring %s: %s", path, exc)
    value = build()
    write_saved(path, version, fingerprint, encode(value))
    return value


__all__ = ["is_current", "kept", "read_saved", "saved_path", "store_fingerprint", "write_saved"]
