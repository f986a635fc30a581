"""The one settings object, fed by CLI options and ``POLICYKG_*`` environment variables.

Create it with :func:`get_settings`; nothing reads the environment at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    store_auth: str = "digest"  # or "basic"

    #: SPARQL Update through /sparql is refused unless this token is set and sent as
    #: ``Authorization: Bearer <token>``.
    update_token: SecretStr | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    #: Per-query timeout and result-row cap of the SPARQL endpoint.
    query_timeout_s: float = 10.0
    max_result_rows: int = 100_000
    query_workers: int = 4
    #: Extraction worker processes for ingest (0: one per core).
    workers: int = 0
    #: Recompute the derived links graph after each ingest or removal.
    auto_links: bool = True

    @property
    def is_remote(self) -> bool:
        return self.store.startswith(("http://", "https://"))

    @property
    def store_path(self) -> Path:
        return Path(self.store)


def get_settings(**overrides: Any) -> Settings:
    """Build settings from the environment, with explicit overrides (CLI options) on top.
    ``None`` values in ``overrides`` mean "not given" and are dropped."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
