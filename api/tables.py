"""Flat tables over HTTP: JSON by default, CSV or TSV by ``Accept`` or ``format=``.

A table answer is a page of rows (:mod:`graph.read.tables`): JSON as ``{"total", "limit",
"offset", "items"}``, CSV (RFC 4180, ``text/csv; charset=utf-8; header=present``) or TSV
(``text/tab-separated-values``) as the same rows with a header line. ``format`` (json, csv,
tsv) wins over ``Accept``; an ``Accept`` that allows none of the three is a 406.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, Literal

from fastapi import HTTPException, Request
from fastapi.responses import Response

from api.cache import CACHE_HEADER
from api.context import AppContext
from graph.read.tables import delimited

TableFormat = Literal["json", "csv", "tsv"]

#: Media type -> table format, and the media type each format is sent as.
ACCEPTED: dict[str, TableFormat] = {
    "application/json": "json",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
SENT_AS: dict[TableFormat, str] = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8; header=present",
    "tsv": "text/tab-separated-values; charset=utf-8",
}


def table_format(request: Request, explicit: TableFormat | None) -> TableFormat:
    """The format to answer in: ``format=`` if given, else the best ``Accept`` entry."""
    if explicit is not None:
        return explicit
    accept = request.headers.get("accept", "")
    if not accept.strip():
        return "json"
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept.split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, media.lower()))
    for _, _, media in sorted(ranked):
        if media in ACCEPTED:
            return ACCEPTED[media]
        if media in ("*/*", "application/*"):
            return "json"
        if media == "text/*":
            return "csv"
    raise HTTPException(406, "a table is sent as application/json, text/csv or text/tab-separated-values")


def table_response(
    ctx: AppContext,
    request: Request,
    fmt: TableFormat,
    columns: Sequence[str],
    build: Callable[[], tuple[int, list[Any]]],
    *,
    limit: int,
    offset: int,
) -> Response:
    """The page ``build()`` gives (``(total, rows of the page)``) in ``fmt``, cached per
    route, parameters, format and store generation."""
    key = (request.url.path, tuple(sorted(request.query_params.multi_items())), fmt, ctx.generation)

    def compute() -> bytes:
        total, rows = build()
        if fmt == "json":
            page = {"total": total, "limit": limit, "offset": offset, "items": [r.to_json() for r in rows]}
            return json.dumps(page, ensure_ascii=False).encode("utf-8")
        return delimited(rows, columns, "," if fmt == "csv" else "\t").encode("utf-8")

    body, hit = ctx.answers.get_or_compute(key, compute)
    headers = {CACHE_HEADER: "hit" if hit else "miss", "Vary": "Accept"}
    if fmt != "json":
        headers["Content-Disposition"] = f'inline; filename="{request.url.path.strip("/") or "table"}.{fmt}"'
    return Response(body, media_type=SENT_AS[fmt], headers=headers)
