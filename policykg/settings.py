"""The one settings object, fed by CLI options and ``POLICYKG_*`` environment variables.

Create it with :func:`get_settings`; nothing reads the environment at import time. Every
value is checked when the object is made, whatever its source (a positive time limit, a
port in range, a store that is a folder or an http(s) URL, ...): a bad value is a
:class:`SettingsError` whose message names the environment variable and says what is
expected, which the CLI prints as a usage error (exit status 2) and the app refuses to
start with.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from graph.ingest import IngestOptions
    from graph.open_store import StoreLocation

ENV_PREFIX = "POLICYKG_"


class SettingsError(ValueError):
    """Settings with a bad value; the message names each variable and the problem."""


def _check_url(value: str, what: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{what} must be an http:// or https:// URL with a host, not {value!r}")
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="POLICYKG_", extra="ignore")

    #: Where the graph lives: a folder for the embedded Oxigraph store, or the URL of a
    #: SPARQL 1.1 endpoint (http:// or https://) for a remote store.
    store: str = Field(default="data/store")
    #: Remote store only: SPARQL Update endpoint (defaults to ``store``) and Graph Store
    #: Protocol endpoint, with credentials.
    update_endpoint: str | None = None
    graph_store_endpoint: str | None = None
    store_user: str | None = None
    store_password: SecretStr | None = None
    store_auth: Literal["digest", "basic"] = "digest"

    #: SPARQL Update through /sparql is refused unless this token is set and sent as
    #: ``Authorization: Bearer <token>``.
    update_token: SecretStr | None = None
    host: str = Field(default="127.0.0.1", min_length=1)
    port: int = Field(default=8000, ge=1, le=65535)
    #: Per-query time limit (seconds; waiting for a worker counts) and result-row cap of
    #: the SPARQL endpoint.
    query_timeout_s: float = Field(default=10.0, gt=0, le=86_400)
    max_result_rows: int = Field(default=100_000, ge=1)
    #: Most SPARQL queries evaluated at once, each in its own worker process.
    query_workers: int = Field(default=6, ge=1, le=256)
    #: Most SPARQL queries waiting for a worker; beyond, 503 with Retry-After.
    query_queue: int = Field(default=32, ge=0, le=100_000)
    #: Resident memory (MiB) past which a query's worker is killed (the query answers 503).
    query_memory_mb: int = Field(default=2048, ge=64)
    #: Largest SPARQL request body (bytes); larger ones are refused with 413.
    sparql_max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    #: Largest query or update text (UTF-8 bytes; 413), most tokens and deepest nesting of
    #: brackets (400): checked in one linear pass before any parser sees the request.
    max_query_bytes: int = Field(default=256 * 1024, ge=256)
    max_query_tokens: int = Field(default=20_000, ge=16)
    max_query_depth: int = Field(default=64, ge=4, le=1000)
    #: Extraction worker processes for ingest (0: one per core).
    workers: int = Field(default=0, ge=0, le=1024)
    #: Recompute the derived links graph after each ingest or removal.
    auto_links: bool = True
    #: Largest document ingested, in characters of text once read (decoded, markup
    #: removed); a file of more than 8 bytes per allowed character is refused unread. A
    #: larger document fails with a message naming it; the batch goes on.
    max_document_chars: int = Field(default=20_000_000, ge=1_000)
    #: Seconds the extraction of one document may take; past it the document fails with a
    #: message naming it (its worker process is stopped) and the batch goes on.
    extract_timeout_s: float = Field(default=45.0, gt=0, le=86_400)

    @field_validator("store")
    @classmethod
    def _store_is_folder_or_url(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the store must be a folder or an http(s) URL, not empty")
        if "://" in value:
            return _check_url(value, "a remote store")
        if Path(value).exists() and not Path(value).is_dir():
            raise ValueError(f"the store must be a folder; {value} is a file")
        return value

    @field_validator("update_endpoint", "graph_store_endpoint")
    @classmethod
    def _endpoint_is_url(cls, value: str | None) -> str | None:
        return None if value is None else _check_url(value, "an endpoint")

    @field_validator("update_token")
    @classmethod
    def _token_not_blank(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().strip():
            raise ValueError("the update token must not be empty (leave it unset to refuse updates)")
        return value

    @field_validator("query_timeout_s")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("the query time limit must be a finite number of seconds")
        return value

    @property
    def is_remote(self) -> bool:
        return self.store.startswith(("http://", "https://"))

    @property
    def store_path(self) -> Path:
        return Path(self.store)

    # The explicit arguments the layers below take (they never see the settings).

    def store_location(self) -> StoreLocation:
        """Where the store lives, for :func:`graph.open_store.open_store`: the folder, or
        the remote endpoints with their credentials and the query time limit."""
        from graph.open_store import RemoteEndpoints

        if not self.is_remote:
            return self.store_path
        return RemoteEndpoints(
            self.store,
            update=self.update_endpoint,
            graph_store=self.graph_store_endpoint,
            user=self.store_user,
            password=self.store_password.get_secret_value() if self.store_password else None,
            auth=self.store_auth,
            timeout_s=self.query_timeout_s,
        )

    def ingest_options(self) -> IngestOptions:
        """How :mod:`graph.ingest` ingests and removes documents."""
        from graph.ingest import IngestOptions

        return IngestOptions(
            workers=self.workers,
            auto_links=self.auto_links,
            max_document_chars=self.max_document_chars,
            extract_timeout_s=self.extract_timeout_s,
        )


def describe_errors(exc: ValidationError) -> str:
    """One line per bad setting, naming its environment variable.

    >>> try:
    ...     Settings(query_timeout_s=-5)
    ... except ValidationError as exc:
    ...     print(describe_errors(exc))
    POLICYKG_QUERY_TIMEOUT_S (query_timeout_s): Input should be greater than 0 (given: -5)
    """
    lines = []
    for error in exc.errors():
        name = ".".join(str(part) for part in error.get("loc", ()) if not isinstance(part, int))
        name = name.split(".")[0] if name else "settings"
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        given = error.get("input")
        shown = "" if isinstance(given, dict) or given is None else f" (given: {given!r})"
        if "token" in name or "password" in name:
            shown = ""  # never print a secret
        variable = f"{ENV_PREFIX}{name.upper()}"
        lines.append(f"{variable} ({name}): {message}{shown}")
    return "\n".join(lines)


def get_settings(**overrides: Any) -> Settings:
    """Build settings from the environment, with explicit overrides (CLI options) on top.
    ``None`` values in ``overrides`` mean "not given" and are dropped.

    Raises
    ------
    SettingsError
        A value is out of range or malformed; the message names each variable.
    """
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        raise SettingsError(f"invalid settings:\n{describe_errors(exc)}") from None
