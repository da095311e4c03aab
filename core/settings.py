"""One settings object, read from ``ADDRESSHUB_*`` environment variables.

Build it with :func:`get_settings` (cached) and pass it in explicitly; nothing reads the
environment at import time.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///addresshub.db"
_PLACEHOLDERS = frozenset({"", "changeme", "change-me", "secret", "password", "xxx"})
_DEVELOPMENT_SECRET = "development-only-secret-key"  # noqa: S105 - refused in production


class Settings(BaseSettings):
    """Deployment configuration. Every field can be set as ``ADDRESSHUB_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="ADDRESSHUB_", extra="ignore", frozen=True)

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = DEFAULT_DATABASE_URL
    database_echo: bool = False
    # PostgreSQL connections each process keeps open (as many more while busy, then closed).
    database_pool_size: int = Field(default=10, ge=1, le=500)
    # SpatiaLite's module, as the dynamic loader finds it (Debian: libsqlite3-mod-spatialite).
    spatialite_library: str = "mod_spatialite"
    # Bind address for ``addresshub serve``.
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # Webhook targets on loopback or private networks: refused unless explicitly allowed.
    allow_private_webhook_targets: bool = False
    # Key used to sign receipts and pepper API key hashes; required outside development.
    secret_key: SecretStr = SecretStr(_DEVELOPMENT_SECRET)
    # A verified API key is admitted again without reading it for this many seconds per
    # process, so a revoked key stops being accepted at most this long after revocation (0: off).
    api_key_cache_seconds: float = Field(default=5.0, ge=0.0, le=300.0)
    # Print the administrative area on address labels (off by default, per ABP-GSG).
    label_administrative_area: bool = False
    # A bearer token that may read GET /metrics and nothing else (unset: admin keys only).
    metrics_token: SecretStr | None = None
    # The largest request body the API reads (413 beyond it); supply uploads are not limited.
    max_request_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)
    # POST /v1/loads may name server-side files only under this directory (unset: uploads only).
    load_directory: Path | None = None
    # Address matching (gazetteer.matching): a candidate is used automatically only when it has
    # no blocking evidence, scores at least match_auto_threshold and leads the next UPRN by at
    # least match_min_margin; below match_review_threshold a result is "unmatched".
    match_auto_threshold: float = Field(default=0.9, ge=0.0, le=1.0)
    match_review_threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    match_min_margin: float = Field(default=0.05, ge=0.0, le=1.0)
    # Delivery worker (notify.worker): lanes claimed per batch, the lease a claim holds (longer
    # than twice the longest request timeout), the poll interval when no wake-up arrives
    # (unset: 1 s on PostgreSQL, 0.25 s on SQLite), and a factor that compresses the retry
    # schedule, circuit breaker and failure clock (tests and the demo; 1 in production).
    worker_batch_size: int = Field(default=50, ge=1, le=1000)
    worker_lease_seconds: float = Field(default=60.0, gt=0)
    worker_poll_seconds: float | None = Field(default=None, gt=0)
    delivery_time_scale: float = Field(default=1.0, gt=0.0, le=1.0)
    # Retention (notify.retention, sharing-and-delivery §3.10): the defaults per data category.
    # An agreement's payload_retention_days (per category) and ledger_retention_months win.
    retention_body_days: int = Field(default=30, ge=1)
    retention_sensitive_body_days: int = Field(default=7, ge=1)
    retention_dead_body_days: int = Field(default=30, ge=1)
    retention_response_excerpt_days: int = Field(default=30, ge=1)
    retention_submission_days: int = Field(default=90, ge=1)
    retention_ledger_months: int = Field(default=72, ge=1)
    # Days a file-drop batch's files are kept after collection (or, never marked collected,
    # after the batch was written); then the retention run removes them.
    retention_file_batch_days: int = Field(default=7, ge=1)

    # File drop (notify.file_drop, sharing-and-delivery §6.13): the directory CSV batches are
    # written to (unset: file drop is off) and how often a worker writes each file-drop
    # subscription's due deliveries (default daily).
    file_drop_directory: Path | None = None
    file_drop_interval_seconds: float = Field(default=86400.0, gt=0)
    # Operational webhooks (notify.ops_notices): endpoint.disabled, endpoint.recovered, ... go to
    # this URL, signed with this whsec_ secret (Standard Webhooks), besides the partner's own
    # endpoints that take operational events. Unset: only those partner endpoints.
    ops_webhook_url: str | None = None
    ops_webhook_secret: SecretStr | None = None
    # A pull-feed partner that has not fetched its feed for this many days is ``feed.stale``:
    # one operational notice per stale period (sharing-and-delivery §6.12).
    feed_stale_days: float = Field(default=5.0, gt=0)

    # Change-of-address events (notify): the CloudEvents type namespace, the host that names the
    # hub in event sources and schema URLs, and the move-date window citizens may report (J3),
    # in days before and after today.
    event_namespace: str = Field(
        default="uk.gov.example.addresshub", pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)*$"
    )
    public_host: str = "localhost"
    move_window_past_days: int = Field(default=183, ge=0)
    move_window_future_days: int = Field(default=92, ge=0)
    # Moves held for review (notify.holds): another live move for the same person or to the
    # same new UPRN reported within this many days holds a move (0 turns the check off);
    # ``move_review_same_uprn`` false compares people only.
    move_review_window_days: int = Field(default=30, ge=0)
    move_review_same_uprn: bool = True

    @field_validator("secret_key")
    @classmethod
    def _reject_placeholder_secret(cls, value: SecretStr) -> SecretStr:
        if value.get_secret_value().strip().lower() in _PLACEHOLDERS:
            raise ValueError("secret_key must be set to a real secret, not a placeholder")
        return value

    @field_validator("metrics_token")
    @classmethod
    def _guessable_metrics_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value().strip()) < 16:
            raise ValueError("metrics_token must be at least 16 characters (or unset)")
        return value

    @model_validator(mode="after")
    def _production_needs_real_secrets(self) -> Settings:
        if self.environment != "production":
            return self
        if self.secret_key.get_secret_value() == _DEVELOPMENT_SECRET:
            raise ValueError("ADDRESSHUB_SECRET_KEY must be set in production")
        if self.allow_private_webhook_targets:
            raise ValueError("private webhook targets cannot be allowed in production")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, built once on first use."""
    return Settings()
