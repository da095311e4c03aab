"""Use cases of the sharing hub: submit a move, explain one, withdraw a consent, show status.

Each takes the caller's session and writes nothing outside it: the submission, its consents,
the plan, the outbox rows and the ledger lines are written in the one transaction the caller
commits (§3.2, §6.1). The decision itself is :func:`notify.decision.plan`, pure.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import orm

from core import ids
from core.settings import Settings
from notify import (
    address_resolution,
    checks,
    citizen_status,
    codes,
    decision,
    domain,
    errors,
    events,
    explain,
    gazetteer_facts,
    holds,
    intake,
    intake_reads,
    move_domain,
    move_review_reads,
    move_reviews,
    move_rows,
    outbox,
    question_store,
    questions,
    receipts,
    registry_reads,
    row_batch,
)
from notify import repository as repo
from notify.tables import moves as m
from notify.tables import outbox as o


@dataclass(frozen=True, kw_only=True, slots=True)
class Options:
    namespace: str = "uk.gov.example.addresshub"
    hub_host: str = "localhost"
    window: intake.Window = field(default_factory=intake.Window)

    @classmethod
    def from_settings(cls, settings: Settings) -> Options:
        return cls(
            namespace=settings.event_namespace,
            hub_host=settings.public_host,
            window=intake.Window(
                past_days=settings.move_window_past_days,
                future_days=settings.move_window_future_days,
            ),
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class Submitted:
    reference: str
    submission_id: str
    version: int
    plan: decision.Plan | None
    document: dict[str, Any]
    delivery_ids: tuple[str, ...] = ()
    consent_ids: tuple[str, ...] = ()
    receipt_id: str | None = None
    replayed: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class Withdrawal:
    consent_id: str
    already_withdrawn: bool
    cancelled: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()
    receipt_id: str | None = None


def _keys(settings: Settings, options: Options) -> outbox.Keys:
    secret = settings.secret_key.get_secret_value().encode()
    return outbox.Keys(secret=secret, namespace=options.namespace, hub_host=options.hub_host)


def _source_restrictions(registry: domain.Registry, request: intake.MoveRequest) -> frozenset[str]:
    if request.submitter.kind != "partner":
        return frozenset()
    source = registry.services.get(request.submitter.source_partner_service_id or "")
    if source is None:
        raise errors.InvalidMove(
            "a partner submission names its own service", details={"field": "submitter"}
        )
    return source.originates_restrictions


# Submitting --------------------------------------------------------------------------------


def submit_move(
    *,
    session: orm.Session,
    request: intake.MoveRequest,
    settings: Settings,
    now: dt.datetime,
    options: Options | None = None,
) -> Submitted:
    """Record a move and, in the same transaction, its consents, plan and outbox rows."""
    options = options or Options.from_settings(settings)
    intake.check(request, today=checks.today(now), window=options.window)
    replay = _replay(session, request, now)
    if replay is not None:
        return replay
    check_answers(session, request)
    request, addressing, reads = _resolve(session, request, settings=settings, now=now)
    registry = registry_reads.load_registry(session, mark=reads.registry_mark)
    situation, found = _situation(
        session, request=request, registry=registry, settings=settings, now=now, reads=reads
    )
    situation = dataclasses.replace(situation, move_holds=holds.hold_codes(found))
    consents = _consents_given(request, situation, now)
    move, submission_id, keys = situation.move, ids.new_id(), _keys(settings, options)
    plan = decision.plan(dataclasses.replace(situation, consents=tuple(consents), phase="plan"))
    with row_batch.pipelined(session) as send:  # the explain document made while it inserts
        rows = _write_rows(send, situation=situation, request=request, consents=consents,
                           plan=plan, submission_id=submission_id, keys=keys, now=now)  # fmt: skip
        document = explain.document(plan, move=move, registry=registry, language=move.language)
    if addressing.new is not None or addressing.old is not None:  # typed or not held
        address_resolution.record(
            session, submission_id=submission_id, request=request, addressing=addressing, now=now
        )
    move_reviews.open_review(session, submission_id=submission_id, found=found, now=now)
    return Submitted(
        reference=move.reference,
        submission_id=submission_id,
        version=move.version,
        plan=plan,
        document=document,
        delivery_ids=tuple(rows.delivery_ids),
        consent_ids=tuple(c.id for c in consents),
        receipt_id=rows.receipt_id,
    )


def _resolve(
    session: orm.Session, request: intake.MoveRequest, *, settings: Settings, now: dt.datetime
) -> tuple[intake.MoveRequest, address_resolution.Addressing, move_review_reads.IntakeReads]:
    """The request with its addresses resolved to UPRNs, how they were, and the move's first
    reads (on PostgreSQL read ahead with the transaction's first round trip)."""
    window_days = settings.move_review_window_days
    ahead = intake_reads.prefetch(session, request=request, now=now, window_days=window_days)
    request, addressing = address_resolution.resolve_request(
        session=session, request=request, settings=settings
    )
    reads = intake_reads.review_reads(
        session, request=request, prefetched=ahead, now=now, window_days=window_days
    )
    return request, addressing, reads


def _consents_given(
    request: intake.MoveRequest, situation: decision.Situation, now: dt.datetime
) -> list[move_domain.Consent]:
    """The consents to record: a dry run finds each one's rule, only if a consent is given."""
    if not any(r.consent and r.selected for r in request.recipients):
        return []
    preview = decision.plan(situation)
    return intake.consents_to_record(
        request=request, move=situation.move, preview=preview, now=now, new_id=ids.new_id
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class _Written:
    receipt_id: str
    delivery_ids: list[str]


def _write_rows(
    send: Callable[[row_batch.Batch], None],
    *,
    situation: decision.Situation,
    request: intake.MoveRequest,
    consents: list[move_domain.Consent],
    plan: decision.Plan,
    submission_id: str,
    keys: outbox.Keys,
    now: dt.datetime,
) -> _Written:
    """Every new row of the move, in two batches (one statement each on PostgreSQL): the
    subjects, submission and plan decisions are sent while the receipt, consents, outbox
    events, deliveries, ledger lines and lanes are composed."""
    move = situation.move
    batch = row_batch.Batch()
    move_rows.add_subjects(batch, move.subject_ids(), now)
    move_rows.add_submission(batch, submission_id=submission_id, move=move, request=request,
                             registry_digest=plan.registry_digest, now=now)  # fmt: skip
    decision_ids = move_rows.add_decisions(batch, plan, submission_id=submission_id)
    send(batch)
    outbox_batch = row_batch.Batch()
    receipt = receipts.new_row(submission_id=submission_id, move=move, plan=plan, now=now)
    move_rows.add_consents(outbox_batch, consents, submission_id=submission_id, move=move,
                           receipt_id=receipt["receipt_id"])  # fmt: skip
    outbox_batch.add(m.ConsentReceipt, receipt)
    ctx = outbox.Context(submission_id=submission_id, move=move, facts=situation.facts,
                         registry=situation.registry, keys=keys, now=now)  # fmt: skip
    delivery_ids = outbox.enqueue_new_move(outbox_batch, ctx, plan, decision_ids)
    send(outbox_batch)
    return _Written(receipt_id=receipt["receipt_id"], delivery_ids=list(delivery_ids))


def check_answers(session: orm.Session, request: intake.MoveRequest) -> None:
    """J6: every answer fits its service's questions (the error names the field)."""
    services = [r.partner_service_id for r in request.recipients]
    questions.check_answers(request, question_store.questions_of(session, services))


def _situation(
    session: orm.Session,
    *,
    request: intake.MoveRequest,
    registry: domain.Registry,
    settings: Settings,
    now: dt.datetime,
    reads: move_review_reads.IntakeReads,
) -> tuple[decision.Situation, tuple[holds.Finding, ...]]:
    """The move with new subject ids and reference, its gazetteer facts, as a dry run; and
    the review check's findings (from ``reads``, with the facts' areas)."""
    subject_ids = [ids.new_id() for _ in range(1 + len(request.household))]
    move = intake.to_move(
        request,
        reference=intake.new_reference(os.urandom(5)),
        subject_ids=subject_ids,
        source_restrictions=_source_restrictions(registry, request),
    )
    same_uprn = settings.move_review_same_uprn
    found = holds.findings(move, blocks=reads.blocks, earlier=reads.earlier, same_uprn=same_uprn)
    situation = decision.Situation(
        move=move,
        facts=gazetteer_facts.facts(session, move=move, settings=settings, codes=reads.codes),
        registry=registry,
        relationships=repo.relationships_of(
            session, subject_ids=subject_ids, uprns=[u for u in (move.old_uprn,) if u]
        )
        if decision.reads_relationships(registry)
        else (),
        now=now,
        phase="explain",
    )
    return situation, found


def _replay(
    session: orm.Session, request: intake.MoveRequest, now: dt.datetime
) -> Submitted | None:
    """The same idempotency key (per channel and actor) returns the first submission."""
    if request.idempotency_key is None:
        return None
    found = repo.find_by_idempotency(
        session,
        channel=request.submitter.channel,
        actor_ref=request.submitter.ref,
        key=request.idempotency_key,
    )
    if found is None:
        return None
    return Submitted(
        reference=found.reference,
        submission_id=found.id,
        version=found.version,
        plan=None,
        document=citizen_status.move_status(session=session, reference=found.reference, now=now),
        replayed=True,
    )


def explain_move(
    *,
    session: orm.Session,
    request: intake.MoveRequest,
    settings: Settings,
    now: dt.datetime,
    options: Options | None = None,
) -> dict[str, Any]:
    """The dry run (§3.6): who would get which fields and why not; nothing is written."""
    options = options or Options.from_settings(settings)
    intake.check(request, today=checks.today(now), window=options.window)
    request, _ = address_resolution.resolve_request(
        session=session, request=request, settings=settings
    )
    check_answers(session, request)
    registry = registry_reads.load_registry(session)
    move = intake.to_move(
        request,
        reference="COA-DRYR-UN00",
        subject_ids=[f"dry-run-{i}" for i in range(1 + len(request.household))],
        source_restrictions=_source_restrictions(registry, request),
    )
    situation = decision.Situation(
        move=move,
        facts=gazetteer_facts.facts(session, move=move, settings=settings),
        registry=registry,
        now=now,
        phase="explain",
    )
    plan = decision.plan(situation)
    return explain.document(plan, move=move, registry=registry, language=move.language)


# Withdrawing consent -------------------------------------------------------------------------


def withdraw_consent(
    *,
    session: orm.Session,
    consent_id: str,
    channel: str,
    settings: Settings,
    now: dt.datetime,
    options: Options | None = None,
    reference: str | None = None,
) -> Withdrawal:
    """§3.8: immediate, idempotent; queued rows cancelled, earlier recipients told (Art. 7(3)).

    With ``reference``, the consent must belong to that move (a citizen's receipt token)."""
    row = repo.lock_consent(session, consent_id)
    submission = session.get(m.ChangeSubmission, row.submission_id) if row else None
    if row is None or (reference and (submission is None or submission.reference != reference)):
        raise errors.ConsentNotFound("no such consent", details={"consent_id": consent_id})
    if row.status != "given":
        return Withdrawal(consent_id=consent_id, already_withdrawn=True)
    row.status, row.withdrawn_at, row.withdrawal_channel = "withdrawn", now, channel
    session.flush()
    cancelled = []
    for delivery in repo.deliveries_where(
        session, o.Delivery.consent_record_id == consent_id, o.Delivery.state.in_(repo.NON_TERMINAL)
    ):
        outbox.cancel(session, delivery, reason="CONSENT_WITHDRAWN", now=now)
        cancelled.append(delivery.id)
    notices = []
    disclosed = repo.ledger_where(
        session,
        o.Disclosure.consent_record_id == consent_id,
        o.Disclosure.outcome.in_(("disclosed", "possibly_disclosed")),
    )
    for line in disclosed:
        data = {"purpose": row.purpose_code, "withdrawn_at": events.rfc3339(now)}
        notice = outbox.enqueue_notice(
            session,
            line=line,
            kind=codes.CONSENT_WITHDRAWN,
            data=data,
            keys=_keys(settings, options or Options.from_settings(settings)),
            now=now,
        )
        notices += [notice] if notice else []
    return Withdrawal(
        consent_id=consent_id,
        already_withdrawn=False,
        cancelled=tuple(cancelled),
        notices=tuple(notices),
        receipt_id=receipts.reissue(session, row.submission_id, now),
    )


# Status --------------------------------------------------------------------------------------
