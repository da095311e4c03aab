"""Reading the disclosure ledger (sharing-and-delivery §2.5): who got what, when, and why.

* :func:`person_disclosures`: everything disclosed, or planned to be, about one person, as the
  mover or as a household member named in someone's move (UK GDPR Art. 15(1)(c)).
* :func:`move_recipients`: every recipient that was sent (or may have received) data from a
  move, across its versions, with the Art. 19 notices each has been sent, and whether a notice
  is still possible (an offboarded partner cannot be told).
* :func:`processing_record`: the record of processing under one agreement (Art. 30), built
  from the registry and the ledger's counts by :mod:`notify.processing_record`.

Ledger lines carry field-group codes, never values. Reads only; nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import orm

from notify import errors, outbox, privacy, privacy_errors
from notify import processing_record as ropa
from notify import registry_repository as registry_repo
from notify.tables import moves as m
from notify.tables import outbox as o
from notify.tables import registry as r

DISCLOSED: Final = ("disclosed", "possibly_disclosed")


@dataclass(frozen=True, kw_only=True, slots=True)
class PersonDisclosures:
    subject_id: str
    erased_at: dt.datetime | None
    entries: tuple[privacy.LedgerEntry, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "subject_id": self.subject_id,
            "erased_at": privacy.iso(self.erased_at),
            "disclosures": [e.as_json() for e in self.entries],
        }


# Art. 15 --------------------------------------------------------------------------------------


def person_disclosures(*, session: orm.Session, subject_id: str) -> PersonDisclosures:
    """Every ledger line about the person, oldest first, with their role in it."""
    subject = session.get(m.Subject, subject_id)
    if subject is None:
        raise privacy_errors.PersonNotFound(
            "no person has this id", details={"subject_id": subject_id}
        )
    roles: dict[str, tuple[o.Disclosure, str]] = {}
    for line in session.scalars(
        sa.select(o.Disclosure).where(o.Disclosure.subject_id == subject_id)
    ):
        roles[line.id] = (line, "primary")
    household = (
        sa.select(o.Disclosure)
        .join(o.DeliverySubject, o.DeliverySubject.delivery_id == o.Disclosure.delivery_id)
        .where(o.DeliverySubject.subject_id == subject_id, o.DeliverySubject.role == "household")
    )
    for line in session.scalars(household):
        roles.setdefault(line.id, (line, "household"))
    ordered = sorted(roles.values(), key=lambda pair: (pair[0].planned_at, pair[0].id))
    return PersonDisclosures(
        subject_id=subject_id, erased_at=subject.erased_at, entries=entries(session, ordered)
    )


def entries(
    session: orm.Session, lines: Sequence[tuple[o.Disclosure, str | None]]
) -> tuple[privacy.LedgerEntry, ...]:
    """Ledger lines with partner, service and purpose names and the move's reference."""
    names = _Names.load(session, [line for line, _ in lines])
    return tuple(names.entry(line, role) for line, role in lines)


@dataclass(frozen=True, kw_only=True, slots=True)
class _Names:
    partners: dict[str, str]
    services: dict[str, str]
    purposes: dict[str, str]
    references: dict[str, str]

    @classmethod
    def load(cls, session: orm.Session, lines: Iterable[o.Disclosure]) -> _Names:
        rows = list(lines)
        return cls(
            partners=_lookup(
                session, r.Partner.id, r.Partner.name_en, {x.partner_id for x in rows}
            ),
            services=_lookup(
                session,
                r.PartnerService.id,
                r.PartnerService.name_en,
                {x.partner_service_id for x in rows},
            ),
            purposes=_lookup(
                session, r.Purpose.code, r.Purpose.label_en, {x.purpose_code for x in rows}
            ),
            references=_lookup(
                session,
                m.ChangeSubmission.id,
                m.ChangeSubmission.reference,
                {x.submission_id for x in rows},
            ),
        )

    def entry(self, line: o.Disclosure, role: str | None) -> privacy.LedgerEntry:
        return privacy.LedgerEntry(
            disclosure_id=line.id,
            delivery_id=line.delivery_id,
            event_id=line.event_id,
            event_type=line.event_type,
            role=role,
            submission_reference=self.references.get(line.submission_id or ""),
            partner_id=line.partner_id,
            partner_name=self.partners.get(line.partner_id),
            partner_service_id=line.partner_service_id,
            service_name=self.services.get(line.partner_service_id),
            channel=line.channel,
            purpose_code=line.purpose_code,
            purpose_label=self.purposes.get(line.purpose_code or ""),
            lawful_basis=line.lawful_basis,
            art9_condition=line.art9_condition,
            rule=f"{line.rule_id}@{line.rule_version}",
            agreement=f"{line.dsa_id}@{line.dsa_version}" if line.dsa_id else None,
            consent_record_id=line.consent_record_id,
            receipt_id=line.receipt_id,
            fields=tuple(line.fields),
            outcome=line.outcome,
            close_reason=line.close_reason,
            planned_at=line.planned_at,
            disclosed_at=line.disclosed_at,
            closed_at=line.closed_at,
            notice_of=line.notice_of,
            art19_status=line.art19_status,
            payload_digest=line.payload_digest,
            erased_at=line.erased_at,
            erasure_ref=line.erasure_ref,
        )


def _lookup(
    session: orm.Session, key: Any, value: Any, wanted: Iterable[str | None]
) -> dict[str, str]:
    keys = sorted({k for k in wanted if k})
    if not keys:
        return {}
    return {row[0]: row[1] for row in session.execute(sa.select(key, value).where(key.in_(keys)))}


# Art. 19 --------------------------------------------------------------------------------------


def move_recipients(*, session: orm.Session, reference: str) -> dict[str, Any]:
    """Who must be told of a correction or erasure of this move, and what they were told."""
    versions = list(
        session.scalars(
            sa.select(m.ChangeSubmission)
            .where(m.ChangeSubmission.reference == reference)
            .order_by(m.ChangeSubmission.version)
        )
    )
    if not versions:
        raise errors.MoveNotFound("no move has this reference", details={"reference": reference})
    lines = _disclosed_lines(session, [v.id for v in versions])
    return {
        "reference": reference,
        "versions": [{"version": v.version, "status": v.status} for v in versions],
        "subjects": _subjects(session, versions),
        "recipients": _recipients(session, lines, {v.id: v.version for v in versions}),
    }


def _disclosed_lines(session: orm.Session, submission_ids: list[str]) -> list[o.Disclosure]:
    query = sa.select(o.Disclosure).where(
        o.Disclosure.submission_id.in_(submission_ids),
        o.Disclosure.outcome.in_(DISCLOSED),
        o.Disclosure.rule_id != outbox.NOTICE_RULE,
    )
    return list(session.scalars(query.order_by(o.Disclosure.planned_at, o.Disclosure.id)))


def _subjects(session: orm.Session, versions: list[m.ChangeSubmission]) -> list[dict[str, str]]:
    found = {v.subject_id: "primary" for v in versions}
    members = sa.select(m.HouseholdMember.subject_id).where(
        m.HouseholdMember.submission_id.in_([v.id for v in versions])
    )
    for subject_id in session.scalars(members):
        found.setdefault(subject_id, "household")
    return [{"subject_id": s, "role": role} for s, role in found.items()]


def _recipients(
    session: orm.Session, lines: list[o.Disclosure], versions: dict[str, int]
) -> list[dict[str, Any]]:
    notices: dict[str, list[o.Disclosure]] = {}
    if lines:
        query = sa.select(o.Disclosure).where(o.Disclosure.notice_of.in_([x.id for x in lines]))
        for notice in session.scalars(query.order_by(o.Disclosure.planned_at)):
            notices.setdefault(notice.notice_of or "", []).append(notice)
    partners = {
        p.id: p
        for p in session.scalars(
            sa.select(r.Partner).where(r.Partner.id.in_({x.partner_id for x in lines}))
        )
    }
    names = _Names.load(session, lines)
    grouped: dict[str, dict[str, Any]] = {}
    for line in lines:
        partner = partners.get(line.partner_id)
        status = partner.status if partner else "offboarded"
        recipient = grouped.setdefault(
            line.partner_service_id,
            {
                "partner_id": line.partner_id,
                "partner_name": names.partners.get(line.partner_id),
                "partner_status": status,
                "partner_service_id": line.partner_service_id,
                "service_name": names.services.get(line.partner_service_id),
                "can_notify": status != "offboarded",
                "events": [],
            },
        )
        recipient["events"].append(_event(line, versions, notices.get(line.id, [])))
    return list(grouped.values())


def _event(
    line: o.Disclosure, versions: dict[str, int], notices: list[o.Disclosure]
) -> dict[str, Any]:
    return {
        "event_id": line.event_id,
        "event_type": line.event_type,
        "version": versions.get(line.submission_id or ""),
        "outcome": line.outcome,
        "disclosed_at": privacy.iso(line.disclosed_at),
        "fields": list(line.fields),
        "art19_status": line.art19_status,
        "art19_note": line.art19_note,
        "notices": [
            {"event_id": n.event_id, "event_type": n.event_type, "outcome": n.outcome}
            for n in notices
        ],
    }


# Art. 30 --------------------------------------------------------------------------------------


def processing_record(
    *, session: orm.Session, agreement_id: str, periods: privacy.Periods
) -> dict[str, Any]:
    """The record of processing under every version of one agreement."""
    registry = registry_repo.load(session)
    if not any(key[0] == agreement_id for key in registry.agreements):
        raise privacy_errors.AgreementNotFound(
            "no agreement has this id", details={"agreement_id": agreement_id}
        )
    return ropa.build(
        registry=registry,
        agreement_id=agreement_id,
        payload_days=_payload_days(session, agreement_id),
        counts=_counts(session, agreement_id),
        periods=periods,
    )


def _payload_days(session: orm.Session, agreement_id: str) -> dict[int, dict[str, int]]:
    query = sa.select(r.Agreement.version, r.Agreement.payload_retention_days).where(
        r.Agreement.id == agreement_id
    )
    return {version: dict(days or {}) for version, days in session.execute(query)}


def _counts(session: orm.Session, agreement_id: str) -> dict[tuple[str, int, str], int]:
    query = (
        sa.select(
            o.Disclosure.rule_id, o.Disclosure.rule_version, o.Disclosure.outcome, sa.func.count()
        )
        .where(o.Disclosure.dsa_id == agreement_id)
        .group_by(o.Disclosure.rule_id, o.Disclosure.rule_version, o.Disclosure.outcome)
    )
    return {(rule, version, outcome): n for rule, version, outcome, n in session.execute(query)}
