"""``POST /v1/moves/{reference}/corrections``: correct a reported move (§3.8, journey J11).

Who may call: the citizen's receipt token for its own move, the agent or partner system that
reported it (with an Idempotency-Key, as for reporting), and admin (the journey's back end).
The answer is the new version's plan and what was done about earlier recipients. The new
version records who corrected it (kind and key id); a pending review of the version replaced
is closed as ``superseded``.
"""

from __future__ import annotations

from typing import Annotated, Any

import fastapi

from api import errors
from api.deps import ClockDep, Principal, Role, SessionDep, SettingsDep, require_roles
from api.routers import moves as move_routes
from api.schemas import corrections as schemas
from api.schemas import moves as move_schemas
from core.errors import Forbidden
from notify import correction, corrections, intake, move_domain

router = fastapi.APIRouter(prefix="/v1/moves", tags=["moves"])
Corrector = Annotated[Principal, require_roles(Role.ADMIN, Role.AGENT, Role.PARTNER, Role.CITIZEN)]


_KINDS: dict[Role, correction.CorrectorKind] = {
    Role.ADMIN: "admin",
    Role.AGENT: "agent",
    Role.PARTNER: "partner",
    Role.CITIZEN: "citizen",
}
_SCALARS = (
    "language",
    "old_uprn",
    "new_uprn",
    "old_address_text",
    "move_date",
    "move_date_kind",
    "declaration_version",
)


def _values(body: schemas.MoveCorrection) -> dict[str, Any]:
    """The corrected fields as the domain spells them (those left out are not here)."""
    given = body.model_fields_set
    values: dict[str, Any] = {name: getattr(body, name) for name in _SCALARS if name in given}
    if body.person is not None:
        values["person"] = intake.PersonDetails(**body.person.model_dump())
    if body.household is not None:
        values["household"] = tuple(move_routes.member_details(m) for m in body.household)
    if "contact" in given:
        values["contact"] = (
            move_domain.Contact(**body.contact.model_dump()) if body.contact else None
        )
    return values


def _correction(body: schemas.MoveCorrection, idempotency_key: str | None) -> correction.Correction:
    return correction.Correction(
        **_values(body),
        new_address=move_routes.typed_address(body.new_address),
        old_address=move_routes.typed_address(body.old_address),
        recipients=move_routes.recipient_answers(body.recipients),
        idempotency_key=idempotency_key,
    )


@router.post(
    "/{reference}/corrections",
    status_code=202,
    response_model=schemas.MoveCorrected,
    summary="Correct a move: a new version, planned again; earlier recipients are told",
    responses=errors.responses_for(401, 403, 404, 409, 422),
)
def post_correction(
    *,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    principal: Corrector,
    reference: str,
    body: schemas.MoveCorrection,
    idempotency_key: move_routes.IdempotencyKey = None,
) -> schemas.MoveCorrected:
    """Version + 1 with the same reference; the corrected one becomes ``superseded``."""
    if principal.role == Role.CITIZEN and principal.submission_id != reference:
        raise Forbidden("this receipt token is for another move")
    reporter = principal.role in (Role.AGENT, Role.PARTNER)
    if reporter and not idempotency_key:
        raise move_routes.IdempotencyKeyRequired(
            "agents and partner systems send an Idempotency-Key"
        )
    result = corrections.correct_move(
        session=session,
        reference=reference,
        change=_correction(body, idempotency_key),
        settings=settings,
        now=clock.now(),
        acting_key=principal.key_id if reporter else None,
        by=correction.Corrector(kind=_KINDS[principal.role], ref=principal.key_id),
    )
    return schemas.MoveCorrected(
        reference=result.reference,
        version=result.version,
        replayed=result.replayed,
        receipt_id=result.receipt_id,
        plan=move_schemas.Plan.model_validate(result.document) if result.plan else None,
        submitted=len(result.submitted),
        corrected=len(result.corrected),
        notices=len(result.notices),
        cancelled=len(result.cancelled),
    )
