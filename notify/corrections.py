"""Withdrawing and correcting a whole submission (sharing-and-delivery §3.8, Art. 19).

Withdrawal ("I reported this by mistake"): queued deliveries of every version of the move are
cancelled (bodies purged) and each earlier recipient that was (or may have been) sent something
gets one ``change_of_address.withdrawn`` notice, in the caller's transaction.

Correction (rectification): the stored version is rebuilt as a :class:`notify.move_domain.Move`,
corrected (:mod:`notify.correction`), checked like a new move and written as version + 1 with the
same reference; the older version becomes ``superseded``. The new version is planned again in
the same transaction: queued deliveries of earlier versions are cancelled, earlier recipients
still permitted get a ``corrected`` event (their permitted groups, new values, and the id of the
event it corrects), those no longer permitted a ``withdrawn`` notice with references only, and
services that never saw the move the normal ``submitted`` event. Every delivery has its ledger
line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from core import ids
from core.errors import Conflict, Forbidden, InvalidInput
from core.settings import Settings
from notify import (
    address_resolution,
    checks,
    citizen_status,
    codes,
    correction,
    decision,
    errors,
    explain,
    holds,
    intake,
    move_domain,
    move_reviews,
    outbox,
    receipts,
    registry_reads,
    service,
    stored_move,
)
from notify import correction_repository as store
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
        session, submission_ids, reason=reason, keys=outbox.Keys.from_settings(settings), now=now
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


# Correcting a move (rectification, §3.8 ``correct``) ------------------------------------------

CORRECTABLE = WITHDRAWABLE


class MoveNotCorrectable(Conflict):
    code = "move_not_correctable"
    title = "Move cannot be corrected"


class NothingToCorrect(InvalidInput):
    code = "nothing_to_correct"
    title = "Nothing to correct"


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    title = "Idempotency-Key already used"


@dataclass(frozen=True, kw_only=True, slots=True)
class Corrected:
    reference: str
    submission_id: str
    version: int
    plan: decision.Plan | None
    document: dict[str, Any]
    submitted: tuple[str, ...] = ()
    corrected: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()
    cancelled: tuple[str, ...] = ()
    receipt_id: str | None = None
    replayed: bool = False


def correct_move(
    *,
    session: orm.Session,
    reference: str,
    change: correction.Correction,
    settings: Settings,
    now: dt.datetime,
    acting_key: str | None = None,
    by: correction.Corrector | None = None,
) -> Corrected:
    """Version + 1 of the move, planned again in this transaction; earlier recipients told.

    ``acting_key``: an agent's or partner system's key, which corrects only the moves it
    reported. ``by``: who corrects (kept on the new version; a pending review of the version
    replaced is closed as ``superseded`` in their name). The same Idempotency-Key on the same
    move returns the first correction."""
    versions = _versions(session, reference)
    latest = versions[-1]
    if acting_key is not None and versions[0].actor_ref != acting_key:
        raise Forbidden("an agent or partner key corrects only the moves it reported")
    replay = _replay(session, versions, change.idempotency_key, now)
    if replay is not None:
        return replay
    if latest.status not in CORRECTABLE or latest.person is None:
        state = "erased" if latest.person is None else latest.status
        raise MoveNotCorrectable(
            f"a {state} move cannot be corrected", details={"reference": reference}
        )
    if change.empty:
        raise NothingToCorrect("the correction changes nothing", details={"reference": reference})
    return _correct(session, versions, change=change, settings=settings, now=now, by=by)


def _replay(
    session: orm.Session, versions: list[m.ChangeSubmission], key: str | None, now: dt.datetime
) -> Corrected | None:
    if key is None:
        return None
    found = next((v for v in versions if v.idempotency_key == key and v.version > 1), None)
    if found is None:
        if any(v.idempotency_key == key for v in versions):
            raise IdempotencyKeyReused("this Idempotency-Key reported the move itself")
        return None
    return Corrected(
        reference=found.reference,
        submission_id=found.id,
        version=found.version,
        plan=None,
        document=citizen_status.move_status(session=session, reference=found.reference, now=now),
        replayed=True,
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class _Version:
    """The corrected version as planned, before it is written."""

    before: move_domain.Move
    request: intake.MoveRequest
    addressing: address_resolution.Addressing
    situation: decision.Situation
    new_consents: tuple[move_domain.Consent, ...]
    found: tuple[holds.Finding, ...]
    plan: decision.Plan


def _correct(
    session: orm.Session,
    versions: list[m.ChangeSubmission],
    *,
    change: correction.Correction,
    settings: Settings,
    now: dt.datetime,
    by: correction.Corrector | None,
) -> Corrected:
    latest = versions[-1]
    planned = _plan(session, latest, change=change, settings=settings, now=now)
    latest.status = "superseded"
    session.flush()
    store.close_reviews(session, submission_ids=[v.id for v in versions],
                        version=latest.version + 1, actor=_actor(by), now=now)  # fmt: skip
    submission_id, decision_ids = store.add_version(
        session,
        latest,
        move=planned.situation.move,
        known=planned.before.subject_ids(),
        request=planned.request,
        consents=planned.new_consents,
        plan=planned.plan,
        now=now,
        by=by,
    )
    address_resolution.record(
        session,
        submission_id=submission_id,
        request=planned.request,
        addressing=planned.addressing,
        now=now,
    )
    move_reviews.open_review(session, submission_id=submission_id, found=planned.found, now=now)
    earlier = [v.id for v in versions]
    cancelled = _cancel_queued(session, earlier, reason="SUBMISSION_SUPERSEDED", now=now)
    after, situation = planned.situation.move, planned.situation
    steps = correction.reconcile(
        planned.plan,
        store.priors(session, earlier),
        lambda s: correction.changed_groups(planned.before, after, s),
    )
    ctx = outbox.Context(
        submission_id=submission_id,
        move=after,
        facts=situation.facts,
        registry=situation.registry,
        keys=outbox.Keys.from_settings(settings),
        now=now,
    )
    sent = _carry_out(session, ctx, steps, decision_ids)
    last_receipt = repo.receipts_of(session, latest.id)
    return Corrected(
        reference=after.reference,
        submission_id=submission_id,
        version=after.version,
        plan=planned.plan,
        document=explain.document(
            planned.plan, move=after, registry=situation.registry, language=after.language
        ),
        submitted=tuple(sent["submitted"]),
        corrected=tuple(sent["corrected"]),
        notices=tuple(sent["withdrawn"]),
        cancelled=tuple(cancelled),
        receipt_id=receipts.issue(
            session,
            submission_id=submission_id,
            move=after,
            plan=planned.plan,
            now=now,
            supersedes=last_receipt[-1].receipt_id if last_receipt else None,
        ),
    )


def _actor(by: correction.Corrector | None) -> str:
    if by is None:
        return "correction"
    return f"{by.kind}:{by.ref}" if by.ref else by.kind


def _plan(
    session: orm.Session,
    latest: m.ChangeSubmission,
    *,
    change: correction.Correction,
    settings: Settings,
    now: dt.datetime,
) -> _Version:
    """The corrected move, checked like a new one, and its plan (consents given so far count)."""
    before = stored_move.move_of(session, latest)
    request = correction.corrected_request(
        correction.request_of(before, declaration_version=latest.declaration_version), change
    )
    window = service.Options.from_settings(settings).window
    intake.check(request, today=checks.today(now), window=window)
    service.check_answers(session, request)
    request, addressing = address_resolution.resolve_request(
        session=session, request=request, settings=settings
    )
    after = correction.apply(before, request, new_id=ids.new_id)
    situation = stored_move.situation(
        session, after, registry=registry_reads.load_registry(session), settings=settings, now=now
    )
    found = store.review_findings(session, after, settings=settings, now=now)
    fresh = correction.new_consents(request, situation, new_id=ids.new_id)
    situation = dataclasses.replace(
        situation,
        consents=(*situation.consents, *fresh),
        move_holds=holds.hold_codes(found),
        phase="plan",
    )
    plan = decision.plan(situation)
    return _Version(
        before=before,
        request=request,
        addressing=addressing,
        situation=situation,
        new_consents=fresh,
        found=found,
        plan=plan,
    )


def _carry_out(
    session: orm.Session,
    ctx: outbox.Context,
    steps: tuple[correction.Step, ...],
    decision_ids: dict[str, str],
) -> dict[str, list[str]]:
    """The deliveries and notices the steps call for; their ids by step kind."""
    done: dict[str, list[str]] = {"submitted": [], "corrected": [], "withdrawn": []}
    events_of: dict[str, str] = {}
    for step in steps:
        if step.kind == "withdrawn":
            done["withdrawn"] += store.withdrawn_notices(session, ctx, step)
        elif step.kind != "wait" and step.decision is not None:
            kind = codes.CORRECTED if step.kind == "corrected" else codes.SUBMITTED
            if kind not in events_of:
                events_of[kind] = outbox.add_event(session, ctx, kind=kind)
            done[step.kind] += outbox.enqueue_decision(
                session,
                ctx,
                step.decision,
                event_id=events_of[kind],
                decision_id=decision_ids.get(step.partner_service_id),
                follow_up=store.follow_up(session, step),
            )
    return done
