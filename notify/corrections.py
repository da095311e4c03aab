"""Withdrawing a whole submission ("I reported this by mistake", sharing-and-delivery §3.8).

Queued deliveries of every version of the move are cancelled (bodies purged) and each earlier
recipient that was (or may have been) sent something gets one ``change_of_address.withdrawn``
notice (Art. 19), in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import orm

from core.settings import Settings
from notify import codes, errors, outbox
from notify import repository as repo
from notify.tables import moves as m
from notify.tables import outbox as o

WITHDRAWABLE = ("draft", "submitted", "scheduled", "releasing", "completed")


@dataclass(frozen=True, kw_only=True, slots=True)
class SubmissionWithdrawal:
    reference: str
    already_withdrawn: bool
    cancelled: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()


def _keys(settings: Settings) -> outbox.Keys:
    return outbox.Keys(
        secret=settings.secret_key.get_secret_value().encode(),
        namespace=settings.event_namespace,
        hub_host=settings.public_host,
    )


def _versions(session: orm.Session, reference: str) -> list[m.ChangeSubmission]:
    query = (
        sa.select(m.ChangeSubmission)
        .where(m.ChangeSubmission.reference == reference)
        .order_by(m.ChangeSubmission.version)
        .with_for_update()
    )
    found = list(session.scalars(query))
    if not found:
        raise errors.MoveNotFound("no move has this reference", details={"reference": reference})
    return found


def withdraw_submission(
    *, session: orm.Session, reference: str, settings: Settings, now: dt.datetime,
    reason: str = "citizen_withdrew",
) -> SubmissionWithdrawal:  # fmt: skip
    """Idempotent: a second call reports ``already_withdrawn`` and changes nothing."""
    versions = _versions(session, reference)
    latest = versions[-1]
    if latest.status == "withdrawn":
        return SubmissionWithdrawal(reference=reference, already_withdrawn=True)
    latest.status, latest.withdrawn_at = "withdrawn", now
    session.flush()
    submission_ids = [v.id for v in versions]
    cancelled = _cancel_queued(session, submission_ids, reason="SUBMISSION_WITHDRAWN", now=now)
    notices = tell_earlier_recipients(
        session, submission_ids, reason=reason, keys=_keys(settings), now=now
    )
    return SubmissionWithdrawal(
        reference=reference,
        already_withdrawn=False,
        cancelled=tuple(cancelled),
        notices=tuple(notices),
    )


def _cancel_queued(
    session: orm.Session, submission_ids: list[str], *, reason: str, now: dt.datetime
) -> list[str]:
    queued = repo.deliveries_where(
        session,
        o.Delivery.submission_id.in_(submission_ids),
        o.Delivery.state.in_(repo.NON_TERMINAL),
        o.Delivery.rule_id != outbox.NOTICE_RULE,
    )
    for delivery in queued:
        outbox.cancel(session, delivery, reason=reason, now=now)
    return [d.id for d in queued]


def tell_earlier_recipients(
    session: orm.Session,
    submission_ids: list[str],
    *,
    reason: str,
    keys: outbox.Keys,
    now: dt.datetime,
    only_services: frozenset[str] | None = None,
) -> list[str]:
    """One ``withdrawn`` notice per line that was disclosed or possibly disclosed."""
    lines = repo.ledger_where(
        session,
        o.Disclosure.submission_id.in_(submission_ids),
        o.Disclosure.notice_of.is_(None),
        o.Disclosure.outcome.in_(("disclosed", "possibly_disclosed")),
    )
    notices = []
    for line in lines:
        if only_services is not None and line.partner_service_id not in only_services:
            continue
        notice = outbox.enqueue_notice(
            session, line=line, kind=codes.WITHDRAWN, data={"reason": reason}, keys=keys, now=now
        )
        notices += [notice] if notice else []
    return notices
