"""API key use cases: create (the plaintext is returned once), verify, revoke, list."""

from __future__ import annotations

from sqlalchemy import orm

from api import tables
from api.keys import domain, repository
from api.keys.errors import ApiKeyNotFound, InvalidApiKey
from core import clock as clocks
from core import ids
from core.settings import Settings


def create_key(
    *,
    session: orm.Session,
    settings: Settings,
    clock: clocks.Clock,
    role: domain.Role,
    partner_id: str | None = None,
    submission_ref: str | None = None,
    label: str | None = None,
) -> domain.IssuedKey:
    """Store a new key for ``role`` and return it with its plaintext, which is not kept."""
    domain.check_binding(role=role, partner_id=partner_id, submission_ref=submission_ref)
    parts = domain.new_key_parts()
    plaintext = domain.format_key(parts)
    row = tables.ApiKey(
        id=ids.new_id(),
        prefix=parts.prefix,
        secret_hash=domain.hash_key(plaintext, pepper=_pepper(settings)),
        role=role.value,
        partner_id=partner_id,
        submission_ref=submission_ref,
        label=label,
        created_at=clock.now(),
    )
    repository.add(session, row)
    return domain.IssuedKey(key=_record(row), plaintext=plaintext)


def verify_key(
    *, session: orm.Session, settings: Settings, clock: clocks.Clock, presented: str
) -> domain.Principal:
    """The principal a presented key stands for, or :class:`InvalidApiKey`.

    Unknown, malformed and revoked keys are refused alike, so the answer says nothing about
    which keys exist. The use is recorded at most once a minute per key.
    """
    parts = domain.parse_key(presented.strip())
    row = repository.by_prefix(session, parts.prefix) if parts else None
    if row is None or row.revoked_at is not None:
        raise InvalidApiKey("the API key is not valid")
    if not domain.key_matches(presented.strip(), row.secret_hash, pepper=_pepper(settings)):
        raise InvalidApiKey("the API key is not valid")
    now = clock.now()
    if domain.should_record_use(last_used_at=row.last_used_at, now=now):
        row.last_used_at = now
        session.flush()
    return _record(row).principal()


def revoke_key(*, session: orm.Session, clock: clocks.Clock, key_ref: str) -> domain.ApiKey:
    """Revoke a key, named by id or prefix, from now on.

    Revoking a revoked key keeps the first revocation time.
    """
    row = repository.by_id(session, key_ref) or repository.by_prefix(session, key_ref)
    if row is None:
        raise ApiKeyNotFound(f"no API key has id or prefix {key_ref!r}")
    if row.revoked_at is None:
        row.revoked_at = clock.now()
        session.flush()
    return _record(row)


def list_keys(*, session: orm.Session) -> list[domain.ApiKey]:
    return [_record(row) for row in repository.all_keys(session)]


def _pepper(settings: Settings) -> bytes:
    return settings.secret_key.get_secret_value().encode("utf-8")


def _record(row: tables.ApiKey) -> domain.ApiKey:
    return domain.ApiKey(
        id=row.id,
        prefix=row.prefix,
        role=domain.Role(row.role),
        partner_id=row.partner_id,
        submission_ref=row.submission_ref,
        label=row.label,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )
