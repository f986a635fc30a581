"""Small builders shared by the extraction tests."""

from __future__ import annotations

import hashlib

from loaders.records import Document


def make_document(text: str, doc_id: str = "test-doc", sidecar: dict | None = None) -> Document:
    """A document as a reader would produce it from clean text (no boilerplate to blank)."""
    return Document(
        doc_id=doc_id,
        source=f"{doc_id}.txt",
        text=text,
        body=text,
        media_type="text/plain",
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        sidecar=sidecar or {},
    )
