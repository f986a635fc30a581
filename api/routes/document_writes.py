"""Updates through the running service: ``POST /documents``, ``PUT /documents/{id}``,
``DELETE /documents/{ref}``, all with the update token (``Authorization: Bearer <token>``).

A write goes through the same code as ``policykg ingest`` and ``remove``
(:func:`graph.ingest.ingest_documents`, :func:`graph.ingest.remove_documents`): the upload
is read with :func:`loaders.readers.read_bytes` (the ``metadata`` part playing the sidecar),
extracted, and its graph committed in one transaction, then the derived links are
refreshed for that document only. It runs off the event loop and alone
(:meth:`api.context.AppContext.write`); readers keep answering from the state before it,
and every route answers from the new state once the response is sent.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Annotated, Any, Literal
from urllib.parse import quote

import pyoxigraph as ox
from fastapi import APIRouter, Depends, File, Form, HTTPException, Path, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api import models
from api.context import AppContext, context, require_update_token
from graph.ingest import IngestReport, ingest_documents, remove_documents, resolve_document_id
from graph.ingest_report import FileOutcome
from graph.network import ENTITY_TYPES, local_name
from graph.solutions import text
from loaders.readers import MEDIA_TYPES, LoaderError, read_bytes
from loaders.records import Document
from ontology.namespace import ENTITY, PKG, doc_graph_iri, doc_iri, sparql_prefixes

router = APIRouter(tags=["updates"], dependencies=[Depends(require_update_token)])

_AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "No bearer token was sent."},
    403: {"description": "The token is wrong, or the service runs without an update token."},
}

#: What an upload can answer besides its success (both write routes that take a file).
_UPLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    413: {"description": "The file is larger than the service reads (POLICYKG_MAX_DOCUMENT_CHARS)."},
    422: {"description": "The file or its metadata cannot be read or extracted (the store is unchanged)."},
}

_SUMMARY = """
SELECT ?title ?date ?sort ?genre ?actor ?speaker ?forum WHERE {{
  GRAPH {graph} {{ {doc} a pkg:Document .
    OPTIONAL {{ {doc} dcterms:title ?title }} OPTIONAL {{ {doc} dcterms:date ?date }}
    OPTIONAL {{ {doc} pkg:sortDate ?sort }} OPTIONAL {{ {doc} pkg:genre ?genre }}
    OPTIONAL {{ {doc} pkg:actor ?actor }} OPTIONAL {{ {doc} pkg:speaker ?speaker }}
    OPTIONAL {{ {doc} pkg:forum ?forum }} }}
}} LIMIT 1
"""

_NAMES = """
SELECT ?e ?label ?type WHERE {{
  VALUES ?e {{ {entities} }}
  OPTIONAL {{ ?e skos:prefLabel ?label }} OPTIONAL {{ ?e a ?type }}
}}
"""


class StoredDocument(models.DocumentSummary):
    """A document as a write left it: its summary and what the ingest did."""

    status: Literal["stored", "replaced", "unchanged"]
    entities: int = 0
    events: int = 0
    stances: int = 0
    triples: int = 0
    warnings: list[str] = Field(default_factory=list)
    links_error: str | None = None


class RemovedDocument(BaseModel):
    id: str
    iri: str
    status: Literal["removed"] = "removed"
    links_error: str | None = None


FileUpload = Annotated[
    UploadFile, File(description="The document: .txt, .md, .html or .pdf (the name's suffix gives the type).")
]
Metadata = Annotated[
    str | None,
    Form(
        description='Sidecar fields as a JSON object: {"title", "date", "genre", "actor", "speaker", '
        '"forum", "id", "url", "publisher", "language"}; they win over what the text says.',
        examples=['{"title": "Statement on outer space", "date": "2024-03-01", "genre": "statement"}'],
    ),
]
Source = Annotated[
    str | None,
    Form(description="What to record as the document's source (default: the uploaded file's name)."),
]
Force = Annotated[bool, Form(description="Re-extract even when the stored content is the same.")]


def _sidecar(metadata: str | None) -> dict[str, Any] | None:
    if metadata is None or not metadata.strip():
        return None
    try:
        value = json.loads(metadata)
    except json.JSONDecodeError as exc:
        raise HTTPException(422, f"metadata: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    if not isinstance(value, dict):
        raise HTTPException(422, f"metadata: must be a JSON object, not {type(value).__name__}")
    return value


def _media_type(upload: UploadFile, name: str) -> str | None:
    """The upload's declared type when the file name says nothing the readers know."""
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix in MEDIA_TYPES:
        return None
    declared = (upload.content_type or "").strip()
    return declared if declared and not declared.startswith("application/octet-stream") else None


#: Bytes of file per character of text a document may have (as ingest refuses files unread).
BYTES_PER_CHAR = 8
#: Uploads of up to this many characters of text are extracted in the server's own thread
#: (a 20 KB statement: about 2 s, where starting a worker process adds about 6 s); larger
#: ones in a worker process, which the extraction time limit (``extract_timeout_s``) can
#: stop and which leaves the server's interpreter to the readers meanwhile.
IN_THREAD_CHARS = 100_000


async def _read_upload(
    ctx: AppContext, upload: UploadFile, metadata: str | None, source: str | None, doc_id: str | None
) -> Document:
    """The uploaded document, read as ``policykg ingest`` reads a file (422 when it cannot
    be, 413 when the file is too large to be read at all)."""
    largest = BYTES_PER_CHAR * ctx.settings.max_document_chars
    if upload.size is not None and upload.size > largest:
        raise HTTPException(
            413,
            f"{upload.filename}: {upload.size:,} bytes is more than this service reads ({largest:,} "
            f"bytes: POLICYKG_MAX_DOCUMENT_CHARS={ctx.settings.max_document_chars:,} characters)",
        )
    sidecar = _sidecar(metadata)
    if doc_id is not None and sidecar is not None and sidecar.get("id") not in (None, doc_id):
        raise HTTPException(
            422, f"metadata: id {sidecar['id']!r} differs from the id in the path, {doc_id!r}"
        )
    name = upload.filename or "upload.txt"
    data = await upload.read()
    try:
        document = await run_in_threadpool(
            read_bytes, data, source or name, _media_type(upload, name), sidecar, doc_id
        )
    except LoaderError as exc:
        raise HTTPException(422, str(exc)) from exc
    if doc_id is not None and document.doc_id != doc_id:
        raise HTTPException(
            422, f"{doc_id!r} is not a document id: ids are lower-case slugs such as {document.doc_id!r}"
        )
    return document


def _ingest(ctx: AppContext, document: Document, force: bool) -> IngestReport:
    # workers=1: extraction in this thread; 2: a process pool (one document: one process).
    workers = 1 if len(document.text) <= IN_THREAD_CHARS else 2
    options = dataclasses.replace(ctx.settings.ingest_options(), workers=workers)

    def committed(outcome: FileOutcome) -> None:
        # Reported once the document's graph is committed, before the links refresh: every
        # route shows the document from here on (as /sparql, reading the store, does), and
        # the generation moves again when the links are done.
        if outcome.status in ("stored", "replaced"):
            ctx.changed()

    return ctx.write(
        lambda: ingest_documents(ctx.store, [document], options, committed, force=force),
        lambda report: bool(report.changed_ids or report.ontology_loaded),
    )


def stored_summary(ctx: AppContext, doc_id: str) -> models.DocumentSummary:
    """The summary of one stored document, read from its graph (no catalogue rebuild)."""
    doc, graph = ox.NamedNode(doc_iri(doc_id)), ox.NamedNode(doc_graph_iri(doc_id))
    rows = list(ctx.store.query(sparql_prefixes() + _SUMMARY.format(graph=graph, doc=doc)))
    if not rows:
        raise HTTPException(404, f"no document has the id {doc_id!r}")
    row = rows[0]
    roles = {role: text(row[role]) for role in ("actor", "speaker", "forum")}
    names: dict[str, tuple[str, str | None]] = {}
    entities = sorted({iri for iri in roles.values() if iri})
    if entities:
        values = " ".join(str(ox.NamedNode(iri)) for iri in entities)
        labels: dict[str, list[str]] = {}
        types: dict[str, set[str]] = {}
        for found in ctx.store.query(sparql_prefixes() + _NAMES.format(entities=values)):
            iri = str(found["e"].value)
            if found["label"] is not None:
                labels.setdefault(iri, []).append(str(found["label"].value))
            if found["type"] is not None and str(found["type"].value).startswith(str(PKG)):
                types.setdefault(iri, set()).add(local_name(str(found["type"].value)))
        for iri in entities:
            kind = next((t for t in ENTITY_TYPES if t in types.get(iri, ())), None)
            names[iri] = (min(labels[iri]) if labels.get(iri) else local_name(iri), kind)

    def ref(iri: str | None) -> models.EntityRef | None:
        if not iri:
            return None
        label, kind = names[iri]
        return models.EntityRef(id=iri.removeprefix(str(ENTITY)), iri=iri, label=label, type=kind)

    return models.DocumentSummary(
        id=doc_id,
        iri=doc.value,
        title=text(row["title"]),
        date=text(row["date"]) or text(row["sort"]),
        sort_date=text(row["sort"]),
        genre=text(row["genre"]),
        actor=ref(roles["actor"]),
        speaker=ref(roles["speaker"]),
        forum=ref(roles["forum"]),
    )


def _answer(ctx: AppContext, report: IngestReport, *, created_status: int) -> JSONResponse:
    outcome = report.outcomes[0]
    if outcome.status == "failed" or outcome.doc_id is None:
        raise HTTPException(422, outcome.message or f"{outcome.source}: not stored")
    summary = stored_summary(ctx, outcome.doc_id)
    body = StoredDocument(
        **summary.model_dump(),
        status=outcome.status,  # type: ignore[arg-type]
        entities=outcome.entities,
        events=outcome.events,
        stances=outcome.stances,
        triples=outcome.quads,
        warnings=[w for w in outcome.message.split("; ") if w],
        links_error=report.links_error,
    )
    status = created_status if outcome.status == "stored" else 200
    return JSONResponse(
        body.model_dump(mode="json"),
        status_code=status,
        headers={"Location": f"/documents/{quote(outcome.doc_id, safe='')}"},
    )


@router.post(
    "/documents",
    status_code=201,
    response_model=StoredDocument,
    summary="Add a document (or update the one with the same id)",
    responses={
        **_AUTH_RESPONSES,
        200: {"model": StoredDocument, "description": "A document with that id was replaced or unchanged."},
        **_UPLOAD_RESPONSES,
    },
)
async def create_document(
    ctx: Annotated[AppContext, Depends(context)],
    file: FileUpload,
    metadata: Metadata = None,
    source: Source = None,
    force: Force = False,
) -> JSONResponse:
    """Read, extract and store an uploaded document as ``policykg ingest`` does: ``201``
    with ``Location`` when it is new; ``200`` when it replaced the stored document with the
    same id (``status: replaced``) or had the same content (``status: unchanged``). The
    derived links are refreshed before the answer, and every route shows the document from
    then on."""
    document = await _read_upload(ctx, file, metadata, source, None)
    report = await run_in_threadpool(_ingest, ctx, document, force)
    return await run_in_threadpool(_answer, ctx, report, created_status=201)


@router.put(
    "/documents/{doc_id}",
    status_code=200,
    response_model=StoredDocument,
    summary="Store a document under this id (create or replace)",
    responses={
        **_AUTH_RESPONSES,
        201: {"model": StoredDocument, "description": "No document had that id: it was created."},
        **_UPLOAD_RESPONSES,
    },
)
async def replace_document(
    doc_id: Annotated[str, Path(description="The document's id.", examples=["statement-outer-space"])],
    ctx: Annotated[AppContext, Depends(context)],
    file: FileUpload,
    metadata: Metadata = None,
    source: Source = None,
) -> JSONResponse:
    """Replace the document ``doc_id`` with the upload (always re-extracted): ``200``, or
    ``201`` with ``Location`` when no document had that id."""
    document = await _read_upload(ctx, file, metadata, source, doc_id)
    report = await run_in_threadpool(_ingest, ctx, document, True)
    return await run_in_threadpool(_answer, ctx, report, created_status=201)


@router.delete(
    "/documents/{ref:path}",
    response_model=RemovedDocument,
    summary="Remove a document",
    responses={**_AUTH_RESPONSES, 404: {"description": "No stored document is named so."}},
)
async def delete_document(
    ref: Annotated[
        str, Path(description="The document's id, IRI or the source it was read from.", examples=["note-1"])
    ],
    ctx: Annotated[AppContext, Depends(context)],
) -> RemovedDocument:
    """Remove the document's named graph (and nothing else), then refresh the derived links."""

    def remove() -> IngestReport | None:
        doc_id = resolve_document_id(ctx.store, ref)
        if doc_id is None:
            return None
        return remove_documents(ctx.store, [doc_id], ctx.settings.ingest_options())

    def removed(report: IngestReport | None) -> bool:
        return report is not None and any(o.status == "removed" for o in report.outcomes)

    report = await run_in_threadpool(ctx.write, remove, removed)
    if report is None:
        raise HTTPException(404, f"no stored document is named {ref!r}")
    outcome = report.outcomes[0]
    if outcome.status != "removed" or outcome.doc_id is None:
        raise HTTPException(404, outcome.message or f"no stored document is named {ref!r}")
    return RemovedDocument(id=outcome.doc_id, iri=doc_iri(outcome.doc_id), links_error=report.links_error)
