"""HTTP behaviour shared by every route: HEAD, validators and cache headers.

- :class:`HeadMiddleware`: ``HEAD`` is answered as ``GET`` without the body (RFC 9110
  9.3.2), for every route that answers ``GET``.
- :class:`ConditionalGetMiddleware`: ``GET`` answers carry a weak ``ETag`` keyed to the
  request (path, query, ``Accept``) and the store generation, with ``Cache-Control:
  no-cache`` (clients keep the answer and revalidate it); ``If-None-Match`` with the current
  tag is answered ``304 Not Modified`` before any work is done. The generation changes
  whenever the store does (:attr:`api.context.AppContext.generation`), and an epoch drawn
  at start-up keeps the tags of an earlier server process (which may have served another
  state of the store) from ever matching.

Compression is Starlette's ``GZipMiddleware`` (see :func:`api.app.create_app`).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Paths whose answers must not be validated by the store generation: they change without
#: the store changing (health) or carry validators of their own (static files).
UNVALIDATED_PREFIXES = ("/healthz", "/static/")


class HeadMiddleware:
    """Serve ``HEAD`` as ``GET`` and drop the body, keeping every header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)


def request_tag(scope: Scope, epoch: str, generation: int) -> str:
    """The weak entity tag of a ``GET`` request's answer in one store generation.

    Examples
    --------
    >>> scope = {"path": "/timeline", "query_string": b"entity=x", "headers": []}
    >>> request_tag(scope, "e1", 3) == request_tag(scope, "e1", 3)
    True
    >>> request_tag(scope, "e1", 3) == request_tag(scope, "e1", 4)
    False
    """
    headers = Headers(scope=scope)
    key = "\n".join(
        (scope["path"], scope.get("query_string", b"").decode("latin-1"), headers.get("accept", ""),
         headers.get("authorization", ""))
    )
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=10).hexdigest()
    return f'W/"{epoch}-{generation}-{digest}"'


def _matches(if_none_match: str, tag: str) -> bool:
    """Weak comparison (RFC 9110 13.1.2) of an ``If-None-Match`` list with ``tag``."""
    if if_none_match.strip() == "*":
        return True
    opaque = tag.removeprefix("W/")
    return any(candidate.strip().removeprefix("W/") == opaque for candidate in if_none_match.split(","))


class ConditionalGetMiddleware:
    """``ETag``/``Cache-Control`` on ``GET`` answers and ``304`` for ``If-None-Match``.

    ``generation`` returns the current store generation, or ``None`` while the app has no
    store (start-up, shut-down), when nothing is tagged.
    """

    def __init__(self, app: ASGIApp, generation: Callable[[Scope], int | None]) -> None:
        self.app = app
        self.generation = generation
        self.epoch = secrets.token_hex(4)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or scope["path"].startswith(UNVALIDATED_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        generation = self.generation(scope)
        if generation is None:
            await self.app(scope, receive, send)
            return
        tag = request_tag(scope, self.epoch, generation)
        if_none_match = Headers(scope=scope).get("if-none-match")
        if if_none_match and _matches(if_none_match, tag):
            await send({
                "type": "http.response.start",
                "status": 304,
                "headers": [(b"etag", tag.encode()), (b"cache-control", b"no-cache"), (b"vary", b"Accept")],
            })
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return

        async def send_tagged(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = MutableHeaders(scope=message)
                if "etag" not in headers:
                    headers["ETag"] = tag
                if "cache-control" not in headers:
                    headers["Cache-Control"] = "no-cache"
                vary = headers.get("vary", "")
                if "accept" not in vary.lower():
                    headers["Vary"] = f"{vary}, Accept" if vary else "Accept"
            await send(message)

        await self.app(scope, receive, send_tagged)
