"""Reading and setting a partner service's extra questions (``partner_service.questions``).

Repositories flush; the caller commits. Applying a registry file keeps a service's questions.
Setting them is checked against the service's rules as applying a registry file is (RV6,
sharing-and-delivery §3.1): a question whose ``data_category`` makes the service's answers
special-category (or sensitive) is refused while a rule sending it ``SERVICE_ANSWERS`` has no
Art. 9 (Art. 10) condition.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from notify import canonical, errors, questions, registry_repository, validation
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
    _check_rules(session, service_id, parsed)
    row.questions = [q.as_json() for q in parsed]
    row.updated_at = now
    session.flush()
    return parsed


def _check_rules(
    session: orm.Session, service_id: str, parsed: tuple[questions.Question, ...]
) -> None:
    """RV6: the service's non-draft rules still hold once it asks ``parsed``."""
    current = registry_repository.load(session)
    service = current.services.get(service_id)
    if service is None:
        return
    asked = dataclasses.replace(service, questions=parsed)
    changed = dataclasses.replace(current, services={**current.services, service_id: asked})
    own = {f"rule {r.label}" for r in current.rules if r.partner_service_id == service_id}
    found = [
        f
        for f in validation.blocking(validation.validate(changed))
        if f.code == "RV6" and f.item in own
    ]
    if found:
        raise errors.InvalidRule(
            f"these questions break {len(found)} rule(s), first: "
            f"{found[0].item}: {found[0].code} {found[0].message}",
            details={"findings": [canonical.jsonable(f) for f in found]},
        )
