"""A partner service's register of the UPRNs it holds (sharing-and-delivery §5.2, §2.1).

A service that keeps records by property (council tax, electoral registration, waste) says
which UPRNs it holds; each is a ``relationship`` row of kind ``holds_uprn`` with evidence
``partner_uprn_register`` and no person (UPRNs alone are not personal data). Gazetteer events
for those UPRNs then reach the service wherever its coverage lies
(:mod:`notify.gazetteer_events`), and a rule that requires the service to hold someone at a
mover's old address is met there (:func:`notify.checks.relationship_ok`).

:func:`replace` takes the whole register as it stands: UPRNs new to it are added, UPRNs left
out end now (their rows are kept, closed, as the record of what was held when), the rest stay
as they are; each replacement is audited with who made it. The caller commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

import sqlalchemy as sa
from sqlalchemy import orm

from core import errors, ids
from notify import registry_repository
from notify.tables import moves as m
from notify.tables import registry

KIND: Final = "holds_uprn"
EVIDENCE: Final = "partner_uprn_register"
MAX_UPRN: Final = 999_999_999_999  # twelve digits
CHUNK: Final = 500


class ServiceNotFound(errors.NotFound):
    code = "partner_service_not_found"
    title = "Partner service not found"


@dataclass(frozen=True, kw_only=True, slots=True)
class Replaced:
    held: int
    added: int
    ended: int


def replace(
    session: orm.Session,
    *,
    partner_service_id: str,
    uprns: Iterable[int],
    actor: str,
    now: dt.datetime,
) -> Replaced:
    """Make the service's open register exactly ``uprns``; who did it, when and the counts go
    to the registry's audit trail (``registry_change``, kind ``uprn_register``)."""
    service_of(session, partner_service_id)
    wanted = set(uprns)
    bad = sorted(u for u in wanted if not 0 < u <= MAX_UPRN)
    if bad:
        raise errors.InvalidInput("a UPRN is a whole number of up to 12 digits",
                                  details={"uprns": bad[:20]})  # fmt: skip
    query = sa.select(m.Relationship.uprn).where(_open(partner_service_id))
    held = {u for u in session.scalars(query) if u is not None}
    added, ended = sorted(wanted - held), sorted(held - wanted)
    _end(session, partner_service_id, ended, now)
    _add(session, partner_service_id, added, now)
    done = Replaced(held=len(wanted), added=len(added), ended=len(ended))
    registry_repository.record_change(
        session, at=now, actor=actor, action="replace", item_kind="uprn_register",
        item_key=partner_service_id, item_version=None, file_sha256=None,
        detail={"held": done.held, "added": done.added, "ended": done.ended},
    )  # fmt: skip
    return done


def held(
    session: orm.Session, *, partner_service_id: str, after: int = 0, limit: int = 1000
) -> list[int]:
    """The service's open register in UPRN order, ``limit`` UPRNs after ``after``."""
    service_of(session, partner_service_id)
    query = (
        sa.select(m.Relationship.uprn)
        .where(_open(partner_service_id), m.Relationship.uprn > after)
        .order_by(m.Relationship.uprn)
        .limit(limit)
    )
    return [u for u in session.scalars(query) if u is not None]


def service_of(session: orm.Session, partner_service_id: str) -> registry.PartnerService:
    service = session.get(registry.PartnerService, partner_service_id)
    if service is None:
        raise ServiceNotFound(f"no partner service {partner_service_id}")
    return service


def _open(partner_service_id: str) -> sa.ColumnElement[bool]:
    r = m.Relationship
    return sa.and_(
        r.partner_service_id == partner_service_id,
        r.kind == KIND,
        r.evidence == EVIDENCE,
        r.valid_to.is_(None),
    )


def _end(session: orm.Session, service_id: str, uprns: list[int], now: dt.datetime) -> None:
    for start in range(0, len(uprns), CHUNK):
        chunk = uprns[start : start + CHUNK]
        session.execute(
            sa.update(m.Relationship)
            .where(_open(service_id), m.Relationship.uprn.in_(chunk))
            .values(valid_to=now)
        )


def _add(session: orm.Session, service_id: str, uprns: list[int], now: dt.datetime) -> None:
    if not uprns:
        return
    rows = [
        {"id": ids.new_id(), "partner_service_id": service_id, "subject_id": None, "uprn": u,
         "kind": KIND, "evidence": EVIDENCE, "valid_from": now, "valid_to": None}
        for u in uprns
    ]  # fmt: skip
    session.execute(sa.insert(m.Relationship), rows)
