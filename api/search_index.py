"""Full-text search over documents and evidence quotes: a SQLite FTS5 index.

SPARQL ``CONTAINS``/``REGEX`` over ``pkg:text`` scans every text of the store on every
search; this index answers in milliseconds whatever the size of the corpus. It lives in
``search.sqlite3`` inside the store folder (in memory for a remote store) and mirrors
the store: :meth:`SearchIndex.sync` compares each document's fingerprint (its text hash
and extraction time) with what it indexed and re-indexes only what changed, so it is
cheap to call after every ingest. Ingest may call :func:`sync_search_index` at its end;
the API also syncs on first use and after every SPARQL Update. A sync given the store's
fingerprint (:func:`graph.read.saved.store_fingerprint`) that matches the last complete
one returns at once: a server starting on an unchanged store does not scan it.

Each row is a document's whole text (``kind`` ``document``) or an evidence quote of an
event or a stance (``kind`` ``event``/``stance`` with its offsets). Words are stemmed
(Porter), so ``launch`` finds ``launched``.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.solutions import chunks, text
from graph.store import Store
from ontology.namespace import DOC, sparql_prefixes

if TYPE_CHECKING:
    from policykg.settings import Settings

#: Bumped when the layout changes: an index of another version is rebuilt from scratch.
SCHEMA_VERSION = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS indexed (doc TEXT PRIMARY KEY, fingerprint TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS synced (store TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS passage_doc (id INTEGER PRIMARY KEY, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS passage_doc_by_doc ON passage_doc (doc);
CREATE VIRTUAL TABLE IF NOT EXISTS passages USING fts5(
    body, doc UNINDEXED, doc_id UNINDEXED, kind UNINDEXED, node UNINDEXED,
    start UNINDEXED, title UNINDEXED, date UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
"""

_FINGERPRINTS = """
SELECT ?d ?g (SAMPLE(?sha_) AS ?sha) (SAMPLE(?gen_) AS ?gen) WHERE {
  GRAPH ?g { ?d a pkg:Document . OPTIONAL { ?d pkg:sha256 ?sha_ } OPTIONAL { ?d prov:generatedAtTime ?gen_ } }
} GROUP BY ?d ?g
"""

_TEXTS = """
SELECT ?d (SAMPLE(?id_) AS ?id) (SAMPLE(?title_) AS ?title) (SAMPLE(?date_) AS ?date)
       (SAMPLE(?text_) AS ?text)
WHERE {{
  VALUES ?d {{ {docs} }}
  GRAPH ?g {{ ?d a pkg:Document . OPTIONAL {{ ?d dcterms:identifier ?id_ }}
             OPTIONAL {{ ?d dcterms:title ?title_ }} OPTIONAL {{ ?d dcterms:date ?date_ }}
             OPTIONAL {{ ?d pkg:text ?text_ }} }}
}} GROUP BY ?d
"""

# One document's graph at a time: a fixed GRAPH is ~25x faster than joining on ?d.
_EVIDENCE = """
SELECT DISTINCT ?node ?type ?s ?x WHERE {{
  GRAPH <{graph}> {{
    ?node pkg:evidence ?ann ; a ?type ; prov:wasDerivedFrom <{doc}> .
    ?ann oa:hasTarget ?t . ?t oa:hasSelector ?p, ?q . ?p oa:start ?s . ?q oa:exact ?x .
    FILTER(?type IN (pkg:Event, pkg:Stance))
  }}
}}
"""

_WORD = re.compile(r"\w+", re.UNICODE)
_PHRASE = re.compile(r'"([^"]+)"')


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One match: a document (``start``/``end`` of its first matching passage) or an
    evidence quote (its offsets in the document)."""

    kind: str
    doc: str
    doc_id: str
    title: str | None
    date: str | None
    node: str | None
    start: int
    end: int
    snippet: str
    score: float


def match_expression(q: str) -> str:
    """An FTS5 query from what a user typed: every word must occur; ``"..."`` is a phrase.

    >>> match_expression('data security "Global Initiative"')
    '"Global Initiative" "data" "security"'
    >>> match_expression("  ")
    ''
    """
    phrases = [p for p in _PHRASE.findall(q) if _WORD.search(p)]
    rest = _PHRASE.sub(" ", q)
    words = _WORD.findall(rest)
    parts = [" ".join(_WORD.findall(p)) for p in phrases] + words
    return " ".join('"' + part + '"' for part in parts)


class SearchIndex:
    """An FTS5 index in ``path`` (``None``: in memory)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            target = ":memory:"
            if self.path is not None and self.path.parent.is_dir():
                target = str(self.path)
            try:
                db = sqlite3.connect(target, check_same_thread=False)
                if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                    db.executescript(
                        "DROP TABLE IF EXISTS passages; DROP TABLE IF EXISTS passage_doc; "
                        "DROP TABLE IF EXISTS indexed; DROP TABLE IF EXISTS synced;"
                    )
                    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                db.executescript(_SCHEMA)
            except sqlite3.Error:
                # A store folder we may not write to: keep the index in memory instead.
                db = sqlite3.connect(":memory:", check_same_thread=False)
                db.executescript(_SCHEMA)
            self._db = db
        return self._db

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def sync(self, store: Store, *, fingerprint: str | None = None) -> tuple[int, int]:
        """Re-index documents whose fingerprint changed; drop those the store lost.

        ``fingerprint`` is the store's (:func:`graph.read.saved.store_fingerprint`), when
        it has one: a sync of a store with the fingerprint of the last complete sync has
        nothing to do and returns at once, without reading every document's fingerprint
        (a scan of the whole store).

        Returns (documents re-indexed, documents dropped).
        """
        if fingerprint is not None and fingerprint == self.synced_fingerprint():
            return 0, 0
        changes = self._sync(store)
        if fingerprint is not None:
            with self._lock:
                db = self._connection()
                with db:
                    db.execute("DELETE FROM synced")
                    db.execute("INSERT INTO synced (store) VALUES (?)", (fingerprint,))
        return changes

    def synced_fingerprint(self) -> str | None:
        """The store fingerprint of the last complete :meth:`sync` given one."""
        with self._lock:
            row = self._connection().execute("SELECT store FROM synced").fetchone()
        return str(row[0]) if row else None

    def _sync(self, store: Store) -> tuple[int, int]:
        current = {}
        graph_of = {}
        for row in store.query(sparql_prefixes() + _FINGERPRINTS):
            doc = str(row["d"].value)
            current[doc] = f"{text(row['sha'])}|{text(row['gen'])}"
            graph_of[doc] = str(row["g"].value)
        with self._lock:
            db = self._connection()
            indexed = dict(db.execute("SELECT doc, fingerprint FROM indexed").fetchall())
            gone = [d for d in indexed if d not in current]
            stale = sorted(d for d, fp in current.items() if indexed.get(d) != fp)
            if not gone and not stale:
                return 0, 0
        with self._lock:
            db = self._connection()
            with db:
                for doc in gone:
                    _forget(db, doc)
        # One transaction per chunk: memory stays bounded (texts are large) and a sync
        # cut short keeps what it finished.
        for chunk in chunks(stale):
            rows = self._passages(store, chunk, graph_of)
            with self._lock:
                db = self._connection()
                with db:
                    for doc in chunk:
                        _forget(db, doc)
                    for row in rows:
                        cursor = db.execute("INSERT INTO passage_doc (doc) VALUES (?)", (row[1],))
                        db.execute(
                            "INSERT INTO passages (rowid, body, doc, doc_id, kind, node, start, title, date) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (cursor.lastrowid, *row),
                        )
                    db.executemany(
                        "INSERT INTO indexed (doc, fingerprint) VALUES (?, ?)",
                        [(d, current[d]) for d in chunk],
                    )
        return len(stale), len(gone)

    @staticmethod
    def _passages(store: Store, chunk: Sequence[str], graph_of: dict[str, str]) -> list[tuple[Any, ...]]:
        """Index rows of some documents: their texts, then their evidence quotes."""
        rows: list[tuple[Any, ...]] = []
        values = " ".join(f"<{d}>" for d in chunk)
        meta: dict[str, tuple[str, str | None, str | None]] = {}
        for row in store.query(sparql_prefixes() + _TEXTS.format(docs=values)):
            doc = str(row["d"].value)
            doc_id = text(row["id"]) or doc.removeprefix(str(DOC))
            title, date = text(row["title"]), text(row["date"])
            meta[doc] = (doc_id, title, date)
            rows.append((text(row["text"]) or "", doc, doc_id, "document", doc, 0, title, date))
        for doc in chunk:
            doc_id, title, date = meta.get(doc, (doc.removeprefix(str(DOC)), None, None))
            for row in store.query(sparql_prefixes() + _EVIDENCE.format(graph=graph_of[doc], doc=doc)):
                kind = "event" if str(row["type"].value).endswith("#Event") else "stance"
                start = int(str(row["s"].value))
                rows.append((text(row["x"]) or "", doc, doc_id, kind, text(row["node"]), start, title, date))
        return rows

    def search(
        self, q: str, *, kind: str | None = None, limit: int = 20, offset: int = 0
    ) -> tuple[int, list[SearchHit]]:
        """Matches of ``q`` (best first) and their total number.

        Raises
        ------
        ValueError
            ``q`` has no word to search for.
        """
        expression = match_expression(q)
        if not expression:
            raise ValueError(f"nothing to search for in {q!r}: give at least one word")
        where = "passages MATCH ?" + (" AND kind = ?" if kind else "")
        params: list[Any] = [expression] + ([kind] if kind else [])
        with self._lock:
            db = self._connection()
            total = db.execute(f"SELECT COUNT(*) FROM passages WHERE {where}", params).fetchone()[0]
            found = db.execute(
                "SELECT kind, doc, doc_id, title, date, node, start, body, "
                "highlight(passages, 0, char(2), char(3)), bm25(passages) "
                f"FROM passages WHERE {where} ORDER BY bm25(passages), doc_id, start LIMIT ? OFFSET ?",
                [*params, limit, offset],
            ).fetchall()
        hits = []
        for kind_, doc, doc_id, title, date, node, start, body, marked, score in found:
            first, last = _first_match(marked)
            if kind_ == "document":
                begin, end = first, last
                snippet = _snippet(body, first, last)
            else:
                begin, end = int(start), int(start) + len(body)
                snippet = body
            hits.append(
                SearchHit(
                    kind_,
                    doc,
                    doc_id,
                    title,
                    date,
                    None if kind_ == "document" else node,
                    begin,
                    end,
                    snippet,
                    -float(score),
                )
            )
        return total, hits


def _forget(db: sqlite3.Connection, doc: str) -> None:
    """Remove a document's passages (by rowid: FTS5 cannot look up an unindexed column)."""
    db.execute("DELETE FROM passages WHERE rowid IN (SELECT id FROM passage_doc WHERE doc = ?)", (doc,))
    db.execute("DELETE FROM passage_doc WHERE doc = ?", (doc,))
    db.execute("DELETE FROM indexed WHERE doc = ?", (doc,))


def _first_match(marked: str) -> tuple[int, int]:
    """Offsets in the unmarked text of the first highlighted match."""
    start = marked.find("\x02")
    if start < 0:
        return 0, 0
    end = marked.find("\x03", start)
    return start, end - 1


def _snippet(text: str, start: int, end: int, width: int = 120) -> str:
    lo = max(0, start - width)
    hi = min(len(text), end + width)
    return ("…" if lo else "") + " ".join(text[lo:hi].split()) + ("…" if hi < len(text) else "")


def sync_search_index(store: Store, settings: Settings) -> tuple[int, int]:
    """Bring the store folder's search index up to date (what ingest may call at its end).

    Returns (documents re-indexed, documents dropped); a remote store has no folder and
    keeps its index in the API's memory, so nothing is done for it.
    """
    if settings.is_remote:
        return 0, 0
    index = SearchIndex(Path(settings.store) / "search.sqlite3")
    try:
        return index.sync(store)
    finally:
        index.close()
