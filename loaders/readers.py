"""TEMPORARY minimal reader (helper 'extraction-entities' replaces this file)."""
from __future__ import annotations

import hashlib
from pathlib import Path

from loaders.records import Document
from ontology.namespace import slug


class LoaderError(Exception):
    """A file could not be read; the message names the file and the problem."""


def read_document(path: Path) -> Document:
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    return Document(doc_id=slug(path.stem), source=str(path), text=text, body=text,
                    media_type="text/plain", sha256=hashlib.sha256(raw).hexdigest())
