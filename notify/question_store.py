"""Reading and setting a partner service's extra questions (``partner_service.questions``).

Repositories flush; the caller commits. Applying a registry file keeps a service's questions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from notify import errors, questions
from notify.tables import registry as t


def questions_of(
    session: orm.Session, service_ids: Iterable[str]
) -> dict[str, tuple[questions.Question, ...]]:
    """The questions of each of ``service_ids`` that exists (checked as they are read)."""
    wanted = sorted(set(service_ids))
    if not wanted:
        return {}
    query = sa.select(t.PartnerService.id, t.PartnerService.questions).where(
        t.PartnerService.id.in_(wanted)
    )
    return {
        row.id: questions.parse(row.questions or [], f"services.{row.id}.questions")
        for row in session.execute(query)
    }


def _service(session: orm.Session, service_id: str) -> t.PartnerService:
    row = session.get(t.PartnerService, service_id)
    if row is None:
        raise errors.UnknownRegistryItem(
            "no partner service has this id", details={"service": service_id}
        )
    return row


def get(*, session: orm.Session, service_id: str) -> tuple[questions.Question, ...]:
    return questions.parse(_service(session, service_id).questions or [])


def save(
    *, session: orm.Session, service_id: str, raw: Any, now: dt.datetime
) -> tuple[questions.Question, ...]:
    """Replace the service's questions with ``raw`` (checked first; stored normalised)."""
    row = _service(session, service_id)
    parsed = questions.parse(raw)
    row.questions = [q.as_json() for q in parsed]
    row.updated_at = now
    session.flush()
    return parsed
