"""Errors as RFC 9457 problem details (``application/problem+json``).

Every error the API answers has the members ``type`` (``about:blank``: the status code says
it all), ``title`` (the status phrase), ``status``, ``detail`` (what was wrong, in words) and
``instance`` (the request path); validation errors add ``errors``, the list of failed checks.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"


class Problem(BaseModel):
    """RFC 9457 problem details, as every error of the API is answered."""

    type: str = Field("about:blank", description="a URI naming the kind of problem")
    title: str = Field(description="the HTTP status phrase", examples=["Not Found"])
    status: int = Field(description="the HTTP status code", examples=[404])
    detail: str = Field(description="what was wrong, in words", examples=["no document has the id 'x'"])
    instance: str | None = Field(None, description="the path of the request")
    errors: list[dict[str, Any]] | None = Field(None, description="validation errors (422 only)")


#: Why each error status may come back, for the OpenAPI description of every route.
ERROR_REASONS: dict[int, str] = {
    400: "malformed request (for /sparql: a query or update that does not parse or is refused)",
    401: "an update without the bearer token",
    403: "an update with a wrong token, or on a read-only store",
    404: "a name (document, entity, topic, graph) the store does not know",
    406: "none of the acceptable media types can be produced",
    413: "request body or query too large",
    415: "unsupported request media type",
    422: "a parameter is missing, malformed or ambiguous",
    503: "the query ran out of time, or too many queries are waiting (see Retry-After)",
}

#: Statuses every GET route may answer besides 200, and those only the SPARQL/update routes do.
READ_ERRORS = (404, 406, 422, 503)
PROTOCOL_ERRORS = (400, 401, 403, 406, 413, 415, 503)


def problem(status: int, detail: str, *, instance: str | None = None, **extra: Any) -> dict[str, Any]:
    """The problem details object for ``status``.

    Examples
    --------
    >>> problem(404, "no document has the id 'x'", instance="/documents/x")["title"]
    'Not Found'
    """
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    out: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if instance:
        out["instance"] = instance
    out.update(extra)
    return out


def problem_response(
    status: int, detail: str, *, request: Request | None = None, headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = problem(status, detail, instance=request.url.path if request is not None else None, **extra)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "path", "body"))
        parts.append(f"{where or 'request'}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def jsonable(value: Any) -> Any:
    """Validation error details with anything JSON cannot hold turned into text."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    return problem_response(
        exc.status_code, str(exc.detail), request=request, headers=getattr(exc, "headers", None)
    )


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    return problem_response(422, validation_message(exc), request=request, errors=jsonable(exc.errors()))
