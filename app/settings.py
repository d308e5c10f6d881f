"""All settings in one place, read from environment variables (and an optional `.env` file).

Why one module: the README's settings table is generated from reading this file, and every other module
takes a `Settings` object instead of reading the environment itself.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """CBSI Graph settings. Neo4j variables use Neo4j's own names; the rest start with `CBSI_`."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # An external Neo4j (server, Docker, Aura, cluster). Unset: the project runs its own local Neo4j.
    neo4j_uri: str | None = Field(default=None, validation_alias="NEO4J_URI")
    neo4j_user: str = Field(default="neo4j", validation_alias="NEO4J_USER")
    neo4j_password: SecretStr | None = Field(default=None, validation_alias="NEO4J_PASSWORD")
    neo4j_database: str = Field(default="neo4j", validation_alias="NEO4J_DATABASE")

    # The managed local Neo4j.
    data_dir: Path = Field(default=Path("var"), validation_alias="CBSI_DATA_DIR")
    neo4j_port: int = Field(default=7687, ge=1, le=65535, validation_alias="CBSI_NEO4J_PORT")
    neo4j_heap: str = Field(default="2g", pattern=r"^\d+[kmg]$", validation_alias="CBSI_NEO4J_HEAP")
    neo4j_pagecache: str = Field(default="1g", pattern=r"^\d+[kmg]$", validation_alias="CBSI_NEO4J_PAGECACHE")
    neo4j_start_timeout: float = Field(default=180.0, gt=0, validation_alias="CBSI_NEO4J_START_TIMEOUT")

    # The HTTP server.
    host: str = Field(default="127.0.0.1", validation_alias="CBSI_HOST")
    port: int = Field(default=8000, ge=0, le=65535, validation_alias="CBSI_PORT")
    auto_seed: bool = Field(default=True, validation_alias="CBSI_AUTO_SEED")
    log_level: str = Field(default="info", validation_alias="CBSI_LOG_LEVEL")

    # GraphQL limits.
    max_page_size: int = Field(default=100, ge=1, validation_alias="CBSI_MAX_PAGE_SIZE")
    max_query_depth: int = Field(default=15, ge=1, validation_alias="CBSI_MAX_QUERY_DEPTH")
    max_aliases: int = Field(default=30, ge=1, validation_alias="CBSI_MAX_ALIASES")
    max_tokens: int = Field(default=2000, ge=1, validation_alias="CBSI_MAX_TOKENS")
    max_query_cost: int = Field(default=50_000, ge=1, validation_alias="CBSI_MAX_QUERY_COST")
    query_timeout: float = Field(default=10.0, gt=0, validation_alias="CBSI_QUERY_TIMEOUT")
    network_timeout: float = Field(default=600.0, gt=0, validation_alias="CBSI_NETWORK_TIMEOUT")
    # seconds the graph version must stay unchanged before the network projection is read again (also the least
    # time between two reads); the last complete one is served meanwhile, marked stale (`resolvers/network.py`)
    network_settle: float = Field(default=30.0, ge=0, validation_alias="CBSI_NETWORK_SETTLE")
    response_cache: bool = Field(default=True, validation_alias="CBSI_RESPONSE_CACHE")
    compiled_queries: bool = Field(default=True, validation_alias="CBSI_COMPILED_QUERIES")
    warm_up: bool = Field(default=True, validation_alias="CBSI_WARM_UP")  # plan the cookbook before /ready
    # then replay its statements until Neo4j's compiled code settles, for at most this long (`app/warm_neo4j.py`)
    warm_up_neo4j_seconds: float = Field(default=30.0, ge=0, le=600, validation_alias="CBSI_WARM_UP_NEO4J_SECONDS")
    memory_trace: Path | None = Field(default=None, validation_alias="CBSI_MEMORY_TRACE")
    # hand freed malloc memory back to the system every 30 s (`resolvers/release_memory.py`)
    release_memory: bool = Field(default=True, validation_alias="CBSI_RELEASE_MEMORY")

    # Bounded work per request (`app/guard.py`, `schema/document_limits.py`).
    max_body_bytes: int = Field(default=1_000_000, ge=1, validation_alias="CBSI_MAX_BODY_BYTES")
    max_json_depth: int = Field(default=32, ge=1, validation_alias="CBSI_MAX_JSON_DEPTH")
    max_query_length: int = Field(default=20_000, ge=1, validation_alias="CBSI_MAX_QUERY_LENGTH")
    max_selections: int = Field(default=5_000, ge=1, validation_alias="CBSI_MAX_SELECTIONS")
    validation_budget: float = Field(default=1.0, gt=0, validation_alias="CBSI_VALIDATION_BUDGET")

    # Access control (`app/access.py`, docs/security.md).
    tokens_file: Path | None = Field(default=None, validation_alias="CBSI_TOKENS_FILE")
    rate_limit: int = Field(default=600, ge=1, validation_alias="CBSI_RATE_LIMIT")
    allowed_hosts: str = Field(default="localhost,127.0.0.1", validation_alias="CBSI_ALLOWED_HOSTS")
    cors_origins: str | None = Field(default=None, validation_alias="CBSI_CORS_ORIGINS")

    @property
    def tokens_path(self) -> Path:
        """The bearer tokens file: CBSI_TOKENS_FILE, or tokens.json in the data folder."""
        return self.tokens_file or self.data_dir.resolve() / "tokens.json"

    @property
    def uses_local_neo4j(self) -> bool:
        """True when no external Neo4j is configured and the project runs its own."""
        return not self.neo4j_uri

    @property
    def neo4j_home(self) -> Path:
        """Folder of the managed local Neo4j: its store, logs, password file and pid file."""
        return self.data_dir.resolve() / "neo4j"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
