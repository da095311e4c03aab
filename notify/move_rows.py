"""The rows a submitted move version writes, as dicts for a :class:`notify.row_batch.Batch`.

Its new subjects, the submission with its declarations, household members and recipient
choices, its consents and its plan decisions. Pure: building them reads and writes nothing.
Personal values go only to the erasable JSON columns (``person``, ``answers``,
``partner_reference``).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from core import ids
from notify import decision, intake, move_domain, row_batch
from notify.tables import moves as m
from notify.tables import outbox as o


def add_subjects(batch: row_batch.Batch, subject_ids: Iterable[str], now: dt.datetime) -> None:
    batch.add(m.Subject, *({"id": s, "move_block": False, "created_at": now} for s in subject_ids))


def person_json(
    person: move_domain.Person, contact: move_domain.Contact | None = None
) -> dict[str, Any]:
    dob = person.date_of_birth
    values: dict[str, Any] = {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": dob.isoformat() if dob else None,
    }
    if contact is not None:
        values["contact"] = {"email": contact.email, "phone": contact.phone}
    return values


def add_submission(
    batch: row_batch.Batch,
    *,
    submission_id: str,
    move: move_domain.Move,
    request: intake.MoveRequest,
    registry_digest: str,
    now: dt.datetime,
    overrides: Mapping[str, Any] | None = None,
) -> None:
    """The submission, its declarations, household members and recipient choices;
    ``overrides`` replaces or adds submission columns (a correction's version links)."""
    submitter = move.submitter
    batch.add(
        m.ChangeSubmission,
        {
            "id": submission_id,
            "reference": move.reference,
            "version": move.version,
            "subject_id": move.person.id,
            "channel": move.channel,
            "actor_kind": submitter.kind,
            "actor_ref": submitter.ref,
            "assurance_level": submitter.assurance_level,
            "source_partner_service_id": submitter.source_partner_service_id,
            "source_restrictions": sorted(move.source_restrictions),
            "old_uprn": move.old_uprn,
            "new_uprn": move.new_uprn,
            "old_address_text": move.old_address_text,
            "move_date": move.move_date,
            "move_date_kind": move.move_date_kind,
            "person": person_json(move.person, move.contact),
            "language": move.language,
            "status": move.status,
            "declaration_version": request.declaration_version,
            "registry_digest": registry_digest,
            "submitted_at": now,
            "idempotency_key": request.idempotency_key,
        }
        | dict(overrides or {}),
    )
    _add_household(batch, submission_id, move, now)
    batch.add(
        m.RecipientChoice,
        *(
            {
                "submission_id": submission_id,
                "partner_service_id": choice.partner_service_id,
                "selected": choice.selected,
                "answers": dict(choice.answers),
                "partner_reference": choice.partner_reference,
                "chosen_at": now,
            }
            for choice in move.choices
        ),
    )


def _add_household(
    batch: row_batch.Batch, submission_id: str, move: move_domain.Move, now: dt.datetime
) -> None:
    for position, member in enumerate(move.household):
        declaration_id = None
        if member.declaration is not None:
            declaration_id = ids.new_id()
            batch.add(
                m.ThirdPartyDeclaration,
                {
                    "id": declaration_id,
                    "submission_id": submission_id,
                    "declarant_subject_id": move.person.id,
                    "authority": member.declaration.authority,
                    "statement_version": member.declaration.statement_version,
                    "language": move.language,
                    "accepted_at": now,
                },
            )
        batch.add(
            m.HouseholdMember,
            {
                "id": ids.new_id(),
                "submission_id": submission_id,
                "subject_id": member.person.id,
                "position": position,
                "role": member.role,
                "relationship_to_submitter": member.relationship,
                "person": person_json(member.person),
                "moving": member.moving,
                "declaration_id": declaration_id,
            },
        )


def add_consents(
    batch: row_batch.Batch,
    consents: Sequence[move_domain.Consent],
    *,
    submission_id: str,
    move: move_domain.Move,
    receipt_id: str | None = None,
) -> None:
    """The consent records, pointing to the move's receipt when it is known already."""
    method = "web_form" if move.channel == "citizen_web" else "agent_phone"
    for consent in consents:
        actor = "self" if consent.subject_id == move.person.id else "third_party_declarant"
        if move.channel == "agent" and actor == "self":
            actor = "agent_on_behalf"
        batch.add(
            m.ConsentRecord,
            {
                "id": consent.id,
                "subject_id": consent.subject_id,
                "submission_id": submission_id,
                "partner_service_id": consent.partner_service_id,
                "purpose_code": consent.purpose_code,
                "rule_id": consent.rule_id,
                "rule_version": consent.rule_version,
                "status": consent.status,
                "given_at": consent.given_at,
                "expires_at": consent.expires_at,
                "collection_method": method,
                "actor_kind": actor,
                "actor_ref": move.submitter.ref,
                "language": move.language,
                "receipt_id": receipt_id,
            },
        )


class RefusedDecision:
    """The ``plan_decision`` rows of refused decisions, added to a batch apart from the others
    so that what they have alike (most of their columns) is sent once per batch."""

    __table__ = o.PlanDecision.__table__


def add_decisions(
    batch: row_batch.Batch, plan: decision.Plan, *, submission_id: str
) -> dict[str, str]:
    """Every decision of the plan (``plan_decision``); the row id per service. The columns
    that are the plan's own are given once (``shared``)."""
    shared = decision_shared(plan, submission_id)
    rows = [decision_values(d) for d in plan.decisions if d.outcome != "refuse"]
    refusals = [d for d in plan.decisions if d.outcome == "refuse"]
    refused = list(map(refused_values, refusals, ids.new_ids(len(refusals))))
    batch.add(o.PlanDecision, *rows, shared=shared)
    batch.add(RefusedDecision, *refused, shared=shared)
    return {row["partner_service_id"]: row["id"] for part in (rows, refused) for row in part}


def decision_shared(plan: decision.Plan, submission_id: str) -> dict[str, Any]:
    """The columns every decision row of ``plan`` has in common."""
    return {
        "submission_id": submission_id,
        "submission_version": plan.version,
        "phase": plan.phase,
        "registry_digest": plan.registry_digest,
        "evaluated_at": plan.evaluated_at,
    }


#: Refused decisions whose row values are kept (then the store starts afresh). Each is kept
#: beside its values, so that no other object can take its id while they are kept.
KEPT_REFUSALS: Final = 4096
_refusals: dict[int, tuple[decision.Decision, dict[str, Any]]] = {}


def refused_values(d: decision.Decision, row_id: str) -> dict[str, Any]:
    """:func:`decision_values` of a refused decision with the id ``row_id``, its values kept
    with the decision object: most refusals of a plan are objects kept from plan to plan
    (:func:`notify.decision.plan`), and each of their rows differs only by its id."""
    kept = _refusals.get(id(d))
    if kept is None:
        if len(_refusals) >= KEPT_REFUSALS:
            _refusals.clear()
        values = decision_values(d)
        del values["id"]
        kept = _refusals[id(d)] = (d, values)
    return {"id": row_id, **kept[1]}


def decision_values(d: decision.Decision) -> dict[str, Any]:
    """The columns of ``d``'s row that are the decision's own (and a new id)."""
    return {
        "id": ids.new_id(),
        "partner_service_id": d.partner_service_id,
        "role": d.role,
        "decision": d.outcome,
        "rule_id": d.rule_id,
        "rule_version": d.rule_version,
        "dsa_id": d.dsa_id,
        "dsa_version": d.dsa_version,
        "lawful_basis": d.lawful_basis,
        "purpose_code": d.purpose_code,
        "consent_record_id": d.consent_id,
        "fields": _fields(d.fields),
        "fields_dropped": _dropped(d.fields_dropped),
        "data_category": d.data_category,
        "channel": d.targets[0].channel if d.targets else None,
        "not_before": d.not_before,
        "reasons": _reasons(d.reasons),
        "warnings": _reasons(d.warnings),
    }


# The JSON values of equal tuples are one object (read only), so that a batch sees them alike
# in many rows without comparing them (:func:`notify.row_batch.write`).


@functools.lru_cache(maxsize=1024)
def _fields(fields: tuple[str, ...]) -> list[str]:
    return list(fields)


@functools.lru_cache(maxsize=1024)
def _dropped(dropped: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
    return [{"group": g, "reason": r} for g, r in dropped]


@functools.lru_cache(maxsize=1024)
def _reasons(reasons: tuple[decision.Reason, ...]) -> list[dict[str, Any]]:
    return [{"code": r.code, "effect": r.effect, "detail": r.detail} for r in reasons]
