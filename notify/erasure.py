"""Erasing one person (UK GDPR Art. 17; sharing-and-delivery §3.9).

An authorised officer triggers it once the request has been assessed: whether an Art. 17(3)
exemption applies is a human decision. Once triggered, :func:`erase_subject` does all of it in
the caller's one transaction, holding the person's row (``FOR UPDATE`` on PostgreSQL, the
single writer on SQLite) so a concurrent send-time recheck either sees the erasure or has
already recorded its attempt as started:

1. every delivery carrying the person's data: a queued one that carries them as a household
   member is rebuilt without them and goes ahead; their own queued ones are cancelled
   (``SUBJECT_ERASED``); every body of theirs, queued, dead or delivered, is purged; attempt
   excerpts (partners sometimes echo data back) and operators' free-text notes are cleared;
2. every recipient that was sent (or may have received) their data gets a
   ``personal_data.erased`` notice (Art. 19), or, if the partner is offboarded, its line says
   ``impossible``;
3. their ledger lines are redacted: the link to the person goes, the accountability record
   stays (rule, agreement and consent versions, field groups, outcome, payload digest);
4. the personal columns of their submissions (with the household and choices given in them),
   their household entries in others' submissions, their consents' free text and their
   relationships go; the person's row keeps only ``erased_at``;
5. one ``erasure_register`` row records who authorised it, when, and what was done, as counts.
   It holds no identifier of the person.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import orm

from core import db, ids
from core.settings import Settings
from notify import address_resolution, codes, events, outbox, privacy, privacy_errors, service
from notify import delivery_repository as delivery_repo
from notify import delivery_tables as dt_tables
from notify import privacy_tables as p
from notify import repository as repo
from notify.tables import moves as m
from notify.tables import outbox as o
from notify.tables import registry as r

CASE_REF: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,63}")
CANCEL_REASON: Final = "SUBJECT_ERASED"
COUNT_ORDER: Final = (
    "deliveries_cancelled", "bodies_purged", "bodies_rebuilt", "excerpts_cleared",
    "notes_cleared", "notices_enqueued", "notices_impossible", "ledger_lines_redacted",
    "submissions_cleared", "household_entries_cleared", "choices_cleared", "consents_cleared",
    "relationships_deleted",
)  # fmt: skip


def erase_subject(
    *,
    session: orm.Session,
    subject_id: str,
    authorised_by: str,
    now: dt.datetime,
    settings: Settings,
    case_ref: str | None = None,
    options: service.Options | None = None,
) -> privacy.ErasureReport:
    """Erase the person ``subject_id``; a second call changes nothing and says so."""
    if case_ref is not None and not CASE_REF.fullmatch(case_ref):
        raise privacy_errors.InvalidCaseRef(
            "a case reference is a code of letters, digits and . _ / - (at most 64)"
        )
    subject = _lock_subject(session, subject_id)
    if subject.erased_at is not None:
        return privacy.ErasureReport(
            subject_id=subject_id,
            erasure_ref=None,
            already_erased=True,
            executed_at=subject.erased_at,
        )
    options = options or service.Options()
    keys = outbox.Keys(
        secret=settings.secret_key.get_secret_value().encode(),
        namespace=options.namespace,
        hub_host=options.hub_host,
    )
    job = _Job(session=session, subject_id=subject_id, keys=keys, now=now)
    return _erase(job, subject, who=authorised_by, case_ref=case_ref)


def _lock_subject(session: orm.Session, subject_id: str) -> m.Subject:
    query = sa.select(m.Subject).where(m.Subject.id == subject_id)
    if not db.is_sqlite(session):
        query = query.with_for_update()
    subject = session.scalars(query).first()
    if subject is None:
        raise privacy_errors.PersonNotFound(
            "no person has this id", details={"subject_id": subject_id}
        )
    return subject


@dataclass(frozen=True, kw_only=True, slots=True)
class _Job:
    """One erasure in progress: where, whom, when, and the counts so far."""

    session: orm.Session
    subject_id: str
    keys: outbox.Keys
    now: dt.datetime
    counts: Counter[str] = field(default_factory=Counter)


def _erase(
    job: _Job, subject: m.Subject, *, who: str, case_ref: str | None
) -> privacy.ErasureReport:
    session, subject_id, now, counts = job.session, job.subject_id, job.now, job.counts
    carrying = _deliveries_carrying(session, subject_id)
    for delivery, role in carrying:
        _erase_from_delivery(job, delivery, role)
        _clear_logs(job, delivery.id)
    notices, impossible = _tell_recipients(job)
    counts.update(notices_enqueued=len(notices), notices_impossible=len(impossible))
    session.execute(sa.delete(o.DeliverySubject).where(o.DeliverySubject.subject_id == subject_id))
    erasure_ref = ids.new_id()
    _redact_ledger(job, erasure_ref)
    _clear_personal_columns(job)
    subject.erased_at = now
    delivery_repo.wake_lanes(session, ordering_keys={d.ordering_key for d, _ in carrying}, now=now)
    report = privacy.ErasureReport(
        subject_id=subject_id,
        erasure_ref=erasure_ref,
        already_erased=False,
        executed_at=now,
        counts={name: counts.get(name, 0) for name in COUNT_ORDER},
        notices=tuple(notices),
        impossible=tuple(impossible),
    )
    _register(session, report, who=who, case_ref=case_ref)
    session.expire_all()  # the bulk updates above bypassed the objects already loaded
    return report


def _register(
    session: orm.Session, report: privacy.ErasureReport, *, who: str, case_ref: str | None
) -> None:
    """The erasure register's entry: who, when, what was done; nothing naming the person."""
    session.add(
        p.ErasureRegister(
            id=report.erasure_ref,
            scope="subject",
            authorised_by=who,
            case_ref=case_ref,
            requested_at=report.executed_at,
            executed_at=report.executed_at,
            notices_enqueued=len(report.notices),
            impossible=[dict(i) for i in report.impossible],
            counts=dict(report.counts),
        )
    )
    session.flush()


# 1. deliveries ------------------------------------------------------------------------------


def _deliveries_carrying(session: orm.Session, subject_id: str) -> list[tuple[o.Delivery, str]]:
    query = (
        sa.select(o.Delivery, o.DeliverySubject.role)
        .join(o.DeliverySubject, o.DeliverySubject.delivery_id == o.Delivery.id)
        .where(o.DeliverySubject.subject_id == subject_id)
        .order_by(o.Delivery.ordering_key, o.Delivery.seq)
    )
    return [(delivery, role) for delivery, role in session.execute(query)]


def _erase_from_delivery(job: _Job, delivery: o.Delivery, role: str) -> None:
    session, now, counts = job.session, job.now, job.counts
    if delivery.state == "in_flight" or delivery.possibly_received:
        # An attempt has started: the recipient may hold these bytes already (§3.7).
        delivery_repo.record_disclosure(session, delivery=delivery, outcome="possibly_disclosed",
                                        close_reason=None, now=now, actor="erasure")  # fmt: skip
    action = privacy.erasure_action(state=delivery.state, role=role)
    if action == "rebuild":
        _rebuild_without(job, delivery)
        return
    had_body = delivery.body is not None
    if action == "cancel":
        outbox.cancel(session, delivery, reason=CANCEL_REASON, now=now)
        counts["deliveries_cancelled"] += 1
    if had_body:
        delivery.body, delivery.body_purged_at = None, now
        delivery.body_purge_reason, delivery.updated_at = "erasure", now
        counts["bodies_purged"] += 1


def _rebuild_without(job: _Job, delivery: o.Delivery) -> None:
    """Drop a household member from a queued body; the ledger line follows (§3.9)."""
    session = job.session
    index = _member_index(session, delivery, job.subject_id)
    if delivery.body is None or index is None:
        return
    body, fields = privacy.drop_member(delivery.body, index)
    delivery.body, delivery.fields_planned, delivery.updated_at = body, fields, job.now
    line = repo.disclosure_of(session, delivery.id)
    if line is not None:
        line.fields, line.payload_digest = fields, job.keys.payload_digest(body)
    job.counts["bodies_rebuilt"] += 1


def _member_index(session: orm.Session, delivery: o.Delivery, subject_id: str) -> int | None:
    """The person's place in the body's household list (members in submission order)."""
    in_body = set(
        session.scalars(
            sa.select(o.DeliverySubject.subject_id).where(
                o.DeliverySubject.delivery_id == delivery.id,
                o.DeliverySubject.role == "household",
            )
        )
    )
    members = session.scalars(
        sa.select(m.HouseholdMember.subject_id)
        .where(m.HouseholdMember.submission_id == delivery.submission_id)
        .order_by(m.HouseholdMember.position)
    )
    listed = [s for s in members if s in in_body]
    return listed.index(subject_id) if subject_id in listed else None


def _clear_logs(job: _Job, delivery_id: str) -> None:
    session, counts = job.session, job.counts
    attempts = dt_tables.DeliveryAttempt
    actions = dt_tables.DeliveryAction
    counts["excerpts_cleared"] += _update(
        session,
        sa.update(attempts)
        .where(attempts.delivery_id == delivery_id, attempts.response_excerpt.is_not(None))
        .values(response_excerpt=None),
    )
    counts["notes_cleared"] += _update(
        session,
        sa.update(actions)
        .where(actions.delivery_id == delivery_id, actions.reason.is_not(None))
        .values(reason=None),
    )


def _update(session: orm.Session, statement: Any) -> int:
    result = session.execute(statement, execution_options={"synchronize_session": False})
    return int(getattr(result, "rowcount", 0) or 0)


# 2. Art. 19 notices ------------------------------------------------------------------------


def _tell_recipients(job: _Job) -> tuple[list[str], list[dict[str, str]]]:
    session, subject_id = job.session, job.subject_id
    carried = sa.select(o.DeliverySubject.delivery_id).where(
        o.DeliverySubject.subject_id == subject_id
    )
    lines = repo.ledger_where(
        session,
        sa.or_(o.Disclosure.subject_id == subject_id, o.Disclosure.delivery_id.in_(carried)),
        o.Disclosure.outcome.in_(("disclosed", "possibly_disclosed")),
        o.Disclosure.rule_id != outbox.NOTICE_RULE,
    )
    gone = _offboarded(session, {line.partner_id for line in lines})
    notices: list[str] = []
    impossible: list[dict[str, str]] = []
    data = {"erased_at": events.rfc3339(job.now)}
    for line in lines:
        if line.partner_id in gone:
            line.art19_status = "impossible"
            line.art19_note = "the partner is offboarded: there is no one to tell"
            impossible.append({"disclosure_id": line.id, "partner_id": line.partner_id,
                               "reason": "partner_offboarded"})  # fmt: skip
            continue
        notice = outbox.enqueue_notice(
            session, line=line, kind=codes.ERASED, data=data, keys=job.keys, now=job.now
        )
        notices += [notice] if notice else []
    return notices, impossible


def _offboarded(session: orm.Session, partner_ids: Iterable[str]) -> set[str]:
    wanted = sorted(set(partner_ids))
    if not wanted:
        return set()
    known = {
        row.id: row.status
        for row in session.execute(
            sa.select(r.Partner.id, r.Partner.status).where(r.Partner.id.in_(wanted))
        )
    }
    return {pid for pid in wanted if known.get(pid, "offboarded") == "offboarded"}


# 3. the ledger -----------------------------------------------------------------------------


def _redact_ledger(job: _Job, erasure_ref: str) -> None:
    job.session.flush()
    job.counts["ledger_lines_redacted"] += _update(
        job.session,
        sa.update(o.Disclosure)
        .where(o.Disclosure.subject_id == job.subject_id)
        .values(subject_id=None, erased_at=job.now, erasure_ref=erasure_ref),
    )


# 4. personal columns ------------------------------------------------------------------------


def _clear_personal_columns(job: _Job) -> None:
    session, subject_id, counts = job.session, job.subject_id, job.counts
    own = list(
        session.scalars(
            sa.select(m.ChangeSubmission.id).where(m.ChangeSubmission.subject_id == subject_id)
        )
    )
    counts.update(clear_submissions(session, own, job.now, erase=True))
    member = m.HouseholdMember
    counts["household_entries_cleared"] += _update(
        session,
        sa.update(member)
        .where(member.subject_id == subject_id, member.person.is_not(None))
        .values(person=sa.null(), relationship_to_submitter=None),
    )
    consent = m.ConsentRecord
    counts["consents_cleared"] += _update(
        session,
        sa.update(consent)
        .where(consent.subject_id == subject_id, consent.actor_kind != "agent_on_behalf")
        .values(actor_ref=None),
    )
    counts["relationships_deleted"] += _update(
        session, sa.delete(m.Relationship).where(m.Relationship.subject_id == subject_id)
    )


def clear_submissions(
    session: orm.Session, submission_ids: list[str], now: dt.datetime, *, erase: bool
) -> Counter[str]:
    """Null the personal columns of these submissions, their household entries and choices.

    The reference, status, dates and codes stay (the status page and the ledger need them).
    An erasure also drops the UPRNs, the idempotency key and a citizen's own account reference.
    """
    counts: Counter[str] = Counter()
    if not submission_ids:
        return counts
    sub = m.ChangeSubmission
    values: dict[str, Any] = {"person": sa.null(), "old_address_text": None,
                              "old_match": sa.null(), "new_match": sa.null(),
                              "pii_erased_at": now}  # fmt: skip
    if erase:
        values |= {"old_uprn": None, "new_uprn": None, "idempotency_key": None}
    counts["submissions_cleared"] = _update(
        session, sa.update(sub).where(sub.id.in_(submission_ids)).values(**values)
    )
    if erase:
        citizen = sub.id.in_(submission_ids), sub.actor_kind == "citizen"
        _update(session, sa.update(sub).where(*citizen).values(actor_ref=None))
    counts.update(_clear_given_with(session, submission_ids))
    address_resolution.clear_interim(session, submission_ids)  # a typed new address
    return counts


def _clear_given_with(session: orm.Session, submission_ids: list[str]) -> dict[str, int]:
    """The household entries and the per-service answers and references of these submissions."""
    member, choice = m.HouseholdMember, m.RecipientChoice
    members = sa.update(member).where(member.submission_id.in_(submission_ids))
    choices = sa.update(choice).where(choice.submission_id.in_(submission_ids))
    return {
        "household_entries_cleared": _update(
            session, members.values(person=sa.null(), relationship_to_submitter=None)
        ),
        "choices_cleared": _update(
            session, choices.values(answers=sa.null(), partner_reference=None)
        ),
    }
