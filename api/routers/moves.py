"""Moves: ``POST /v1/moves`` (202: reference, plan, receipt token), ``POST /v1/moves/explain``
(dry run), ``GET /v1/moves/{reference}`` (per-recipient status) and consent withdrawal.

Who may call: admin (the journey's back end, for citizens), agents (on a citizen's behalf) and
partner systems (reporting a move they learnt of) submit; DPO, admin and agents explain;
the citizen's receipt token reads and withdraws for its own move only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

import fastapi

from api import errors
from api.deps import ClockDep, Principal, Role, SessionDep, SettingsDep, require_roles
from api.keys import service as keys
from api.schemas import moves as schemas
from core.errors import Forbidden, InvalidInput
from notify import citizen_status, corrections, intake, move_domain, service
from notify.address_input import AddressInput

router = fastapi.APIRouter(prefix="/v1/moves", tags=["moves"])
Submitter = Annotated[Principal, require_roles(Role.ADMIN, Role.AGENT, Role.PARTNER)]
Explainer = Annotated[Principal, require_roles(Role.ADMIN, Role.DPO, Role.AGENT)]
Reader = Annotated[Principal, require_roles(Role.ADMIN, Role.DPO, Role.AGENT, Role.CITIZEN)]
IdempotencyKey = Annotated[
    str | None,
    fastapi.Header(
        alias="Idempotency-Key",
        max_length=64,
        description="Required for agents and partner systems: a retry with the same key and "
        "body returns the first submission.",
    ),
]


class IdempotencyKeyRequired(InvalidInput):
    code = "idempotency_key_required"
    title = "Idempotency-Key required"


def _submitter(principal: Principal, body: schemas.MoveCreate) -> move_domain.Submitter:
    if principal.role == Role.AGENT:
        return move_domain.Submitter(
            kind="agent", ref=principal.key_id, assurance_level=body.assurance_level
        )
    if principal.role == Role.PARTNER:
        source = body.source_service or ""
        if not source.startswith(f"{principal.partner_id}/"):
            raise Forbidden("a partner key reports moves for its own services only")
        return move_domain.Submitter(
            kind="partner", ref=principal.key_id, source_partner_service_id=source
        )
    return move_domain.Submitter(kind="citizen", assurance_level=body.assurance_level)


def _request(
    body: schemas.MoveCreate, submitter: move_domain.Submitter, idempotency_key: str | None
) -> intake.MoveRequest:
    return intake.MoveRequest(
        submitter=submitter,
        person=intake.PersonDetails(**body.person.model_dump()),
        household=tuple(member_details(m) for m in body.household),
        contact=move_domain.Contact(**body.contact.model_dump()) if body.contact else None,
        language=body.language,
        old_uprn=body.old_uprn,
        new_uprn=body.new_uprn,
        old_address_text=body.old_address_text,
        move_date=body.move_date,
        move_date_kind=body.move_date_kind,
        recipients=recipient_answers(body.recipients),
        declaration_version=body.declaration_version,
        idempotency_key=idempotency_key,
        new_address=typed_address(body.new_address),
        old_address=typed_address(body.old_address),
    )


def member_details(member: schemas.HouseholdMember) -> intake.MemberDetails:
    """A household member as the domain spells it (moves and corrections share it)."""
    return intake.MemberDetails(
        person=intake.PersonDetails(**member.person.model_dump()),
        role=member.role,
        relationship=member.relationship,
        moving=member.moving,
        authority=member.authority,
        statement_version=member.statement_version,
    )


def recipient_answers(
    recipients: Iterable[schemas.Recipient],
) -> tuple[intake.RecipientAnswer, ...]:
    """The chosen recipients as the domain spells them (moves and corrections share it)."""
    return tuple(
        intake.RecipientAnswer(
            partner_service_id=r.service,
            selected=r.selected,
            consent=r.consent,
            answers=r.answers,
            partner_reference=r.partner_reference,
        )
        for r in recipients
    )


def typed_address(address: schemas.TypedAddress | None) -> AddressInput | None:
    """A typed address as the domain spells it (moves and corrections share it)."""
    if address is None:
        return None
    return AddressInput(**address.model_dump(exclude={"lines"}), lines=tuple(address.lines or ()))


@router.post(
    "",
    status_code=202,
    response_model=schemas.MoveAccepted,
    summary="Report a move",
    responses=errors.responses_for(401, 403, 422),
)
def post_move(
    *,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    principal: Submitter,
    body: schemas.MoveCreate,
    idempotency_key: IdempotencyKey = None,
) -> schemas.MoveAccepted:
    """Record the move, its consents and its plan; the outbox rows are written with it."""
    submitter = _submitter(principal, body)
    if submitter.kind != "citizen" and not idempotency_key:
        raise IdempotencyKeyRequired("agents and partner systems send an Idempotency-Key")
    result = service.submit_move(
        session=session,
        request=_request(body, submitter, idempotency_key),
        settings=settings,
        now=clock.now(),
    )
    token = None
    if not result.replayed:
        issued = keys.create_key(
            session=session,
            settings=settings,
            clock=clock,
            role=Role.CITIZEN,
            submission_ref=result.reference,
            label=f"receipt {result.reference}",
        )
        token = issued.plaintext
    return schemas.MoveAccepted(
        reference=result.reference,
        version=result.version,
        receipt_id=result.receipt_id,
        receipt_token=token,
        plan=schemas.Plan.model_validate(result.document) if result.plan else None,
    )


@router.post(
    "/explain",
    response_model=schemas.Plan,
    summary="Who would be told what, and why not (dry run)",
    responses=errors.responses_for(401, 403, 422),
)
def post_explain(
    *,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    principal: Explainer,
    body: schemas.MoveCreate,
) -> schemas.Plan:
    document = service.explain_move(
        session=session,
        request=_request(body, _submitter(principal, body), None),
        settings=settings,
        now=clock.now(),
    )
    return schemas.Plan.model_validate(document)


def _own_move(principal: Principal, reference: str) -> None:
    if principal.role == Role.CITIZEN and principal.submission_id != reference:
        raise Forbidden("this receipt token is for another move")


@router.get(
    "/{reference}",
    response_model=schemas.MoveStatus,
    summary="Per-recipient status of a move",
    responses=errors.responses_for(401, 403, 404),
)
def get_move(
    *, session: SessionDep, clock: ClockDep, principal: Reader, reference: str
) -> schemas.MoveStatus:
    _own_move(principal, reference)
    return schemas.MoveStatus.model_validate(
        citizen_status.move_status(session=session, reference=reference, now=clock.now())
    )


@router.post(
    "/{reference}/consents/{consent_id}/withdraw",
    response_model=schemas.ConsentWithdrawn,
    summary="Withdraw a consent: queued deliveries stop, earlier recipients are told",
    responses=errors.responses_for(401, 403, 404),
)
def withdraw(
    *,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    principal: Reader,
    reference: str,
    consent_id: str,
) -> schemas.ConsentWithdrawn:
    _own_move(principal, reference)
    result = service.withdraw_consent(
        session=session,
        consent_id=consent_id,
        channel="web" if principal.role == Role.CITIZEN else "agent",
        settings=settings,
        now=clock.now(),
        reference=reference,
    )
    return schemas.ConsentWithdrawn(
        consent_id=result.consent_id,
        already_withdrawn=result.already_withdrawn,
        cancelled=len(result.cancelled),
        notices=len(result.notices),
        receipt_id=result.receipt_id,
    )


Amender = Annotated[Principal, require_roles(Role.ADMIN, Role.AGENT, Role.CITIZEN)]


def _withdrawal_reason(principal: Principal) -> str:
    """The council withdrawing a move says it was submitted in error; the citizen (or an agent
    acting for them) that they withdrew it (sharing-and-delivery §5.2)."""
    return "submitted_in_error" if principal.role == Role.ADMIN else "citizen_withdrew"


@router.post(
    "/{reference}/withdraw",
    response_model=schemas.MoveWithdrawn,
    summary="Withdraw a move: queued deliveries stop, earlier recipients are told",
    responses=errors.responses_for(401, 403, 404),
)
def withdraw_move(
    *, session: SessionDep, settings: SettingsDep, clock: ClockDep, principal: Amender,
    reference: str,
) -> schemas.MoveWithdrawn:  # fmt: skip
    """Recipients already told get a ``change_of_address.withdrawn`` notice whose ``reason`` is
    ``citizen_withdrew`` (the citizen's receipt token or an agent) or ``submitted_in_error``
    (an admin: the council withdrew it)."""
    _own_move(principal, reference)
    result = corrections.withdraw_submission(
        session=session, reference=reference, settings=settings, now=clock.now(),
        reason=_withdrawal_reason(principal),
    )  # fmt: skip
    return schemas.MoveWithdrawn(
        reference=result.reference,
        already_withdrawn=result.already_withdrawn,
        cancelled=len(result.cancelled),
        notices=len(result.notices),
    )
