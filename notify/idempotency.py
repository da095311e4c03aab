"""Inbound idempotency (sharing-and-delivery §6.8): ``Idempotency-Key`` on partner requests.

A request that carries a key is stored with the SHA-256 of its content and the response it
got, for 24 hours, per actor. The same key with the same content gets the stored response
again (the work is not repeated); the same key with different content is refused
(:class:`IdempotencyKeyMismatch`, 422 as §6.8 and the IETF Idempotency-Key draft say). Only
successful responses are stored: a request that failed may be retried with its key. Two
requests with one key at the same time: the second to finish is refused (409) and undone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import orm

from core import errors
from notify import canonical
from notify import delivery_extras_tables as xt

TTL: Final = dt.timedelta(hours=24)


class IdempotencyKeyMismatch(errors.InvalidInput):
    code = "idempotency_key_mismatch"
    title = "Idempotency-Key already used for a different request"


class IdempotencyKeyInFlight(errors.Conflict):
    code = "idempotency_key_in_flight"
    title = "Another request with this Idempotency-Key is being handled"


@dataclass(frozen=True, kw_only=True, slots=True)
class Stored:
    status_code: int
    response: dict[str, Any]


def fingerprint(content: Any) -> str:
    """The SHA-256 of the request's content in canonical JSON (key order does not matter)."""
    return canonical.digest(content).removeprefix("sha256:")


def replay(
    session: orm.Session, *, actor: str, key: str, request_sha256: str, now: dt.datetime
) -> Stored | None:
    """The stored response for this key, None if there is none (or it expired)."""
    record = session.get(xt.IdempotencyRecord, (actor, key))
    if record is None or _aware(record.expires_at) <= now:
        return None
    if record.request_sha256 != request_sha256:
        raise IdempotencyKeyMismatch(
            "this Idempotency-Key was used for a different request in the last 24 hours",
            details={"idempotency_key": key},
        )
    return Stored(status_code=record.status_code, response=dict(record.response))


def store(
    session: orm.Session,
    *,
    actor: str,
    key: str,
    request_sha256: str,
    stored: Stored,
    now: dt.datetime,
) -> None:
    """Keep the response for 24 hours (only an expired record of the key is replaced).

    A live record that :func:`replay` did not see was written by a concurrent request with the
    same key: this one is refused (409) and its transaction rolls back.
    """
    record = session.get(xt.IdempotencyRecord, (actor, key))
    if record is not None and _aware(record.expires_at) > now:
        raise IdempotencyKeyInFlight("a request with this Idempotency-Key was handled meanwhile")
    values = {"request_sha256": request_sha256, "status_code": stored.status_code,
              "response": stored.response, "created_at": now, "expires_at": now + TTL}  # fmt: skip
    if record is None:
        session.add(xt.IdempotencyRecord(actor=actor, key=key, **values))
    else:
        for name, value in values.items():
            setattr(record, name, value)
    try:
        session.flush()
    except sa.exc.IntegrityError as exc:
        raise IdempotencyKeyInFlight(
            "a request with this Idempotency-Key was handled meanwhile"
        ) from exc


def _aware(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)
