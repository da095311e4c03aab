"""``addresshub moves correct REFERENCE [options]``: correct a move (§3.8), added to the
``moves`` group by :func:`register`.

Only the fields given change: the move date, the new or old UPRN (``--no-old-uprn`` removes
the old one), the mover's names and date of birth, the contact, and per-service choices
(``--select``, ``--deselect``, ``--consent``). The new version is planned again at once:
services told for the first time, earlier recipients sent the corrected details, and those no
longer permitted told by notice. The sharing modules are imported by the command itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer

from api.cli import common

if TYPE_CHECKING:  # imported by the command: other commands start without them
    from notify import correction, corrections

Services = Annotated[list[str] | None, typer.Option(help="PARTNER/SERVICE; may repeat.")]


def register(moves_app: typer.Typer) -> None:
    moves_app.command("correct")(correct)


def _recipients(select: list[str], deselect: list[str], consent: list[str]) -> tuple[Any, ...]:
    from notify import intake

    chosen = {s: True for s in select} | {s: True for s in consent} | {s: False for s in deselect}
    return tuple(
        intake.RecipientAnswer(partner_service_id=s, selected=v, consent=s in consent)
        for s, v in chosen.items()
    )


def _document(result: corrections.Corrected) -> dict[str, Any]:
    return {
        "reference": result.reference,
        "version": result.version,
        "replayed": result.replayed,
        "receipt_id": result.receipt_id,
        "submitted": len(result.submitted),
        "corrected": len(result.corrected),
        "notices": len(result.notices),
        "cancelled": len(result.cancelled),
        "plan": result.document if result.plan else None,
    }


def correct(
    reference: Annotated[str, typer.Argument(help="The move's reference (COA-XXXX-XXXX).")],
    *,
    move_date: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"])] = None,
    new_uprn: Annotated[int | None, typer.Option(min=1)] = None,
    old_uprn: Annotated[int | None, typer.Option(min=1)] = None,
    no_old_uprn: Annotated[
        bool, typer.Option("--no-old-uprn", help="Remove the old UPRN.")
    ] = False,
    given_name: Annotated[str | None, typer.Option()] = None,
    family_name: Annotated[str | None, typer.Option()] = None,
    date_of_birth: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"])] = None,
    email: Annotated[str | None, typer.Option(help="The new contact email.")] = None,
    select: Services = None,
    deselect: Services = None,
    consent: Services = None,
    idempotency_key: Annotated[str | None, typer.Option(help="A retry returns the first.")] = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Correct a move: a new version, planned again; earlier recipients are told."""
    from notify import correction, corrections, move_domain

    values: dict[str, Any] = {"move_date": move_date.date()} if move_date else {}
    values |= {"new_uprn": new_uprn} if new_uprn else {}
    values |= {"old_uprn": None} if no_old_uprn else ({"old_uprn": old_uprn} if old_uprn else {})
    values |= {"contact": move_domain.Contact(email=email)} if email else {}
    change = correction.Correction(
        **values,
        recipients=_recipients(select or [], deselect or [], consent or []),
        idempotency_key=idempotency_key,
    )
    settings = common.settings_for(database_url)
    with common.session_scope(settings) as session:
        if given_name or family_name or date_of_birth:
            change = _named(
                session,
                reference,
                change=change,
                given=given_name,
                family=family_name,
                dob=date_of_birth,
            )
        result = corrections.correct_move(
            session=session,
            reference=reference,
            change=change,
            settings=settings,
            now=common.now(),
            by=correction.Corrector(kind="admin", ref=common.actor_or_login(None)),
        )
    human = (
        f"{result.reference}: version {result.version}"
        + (" (already made)" if result.replayed else "")
        + f". {len(result.submitted)} service(s) told for the first time, "
        f"{len(result.corrected)} sent the correction, {len(result.notices)} notice(s), "
        f"{len(result.cancelled)} queued delivery(ies) replaced."
    )
    common.emit(human, _document(result), as_json)


def _named(
    session: Any,
    reference: str,
    *,
    change: correction.Correction,
    given: str | None,
    family: str | None,
    dob: dt.datetime | None,
) -> correction.Correction:
    """The mover's details with only the parts given on the command line changed."""
    from notify import intake, stored_move
    from notify import repository as repo

    row = repo.latest_submission(session, reference)
    person = stored_move.move_of(session, row).person if row else None
    return dataclasses.replace(
        change,
        person=intake.PersonDetails(
            given_name=given or (person.given_name if person else ""),
            family_name=family or (person.family_name if person else ""),
            date_of_birth=dob.date() if dob else (person.date_of_birth if person else None),
        ),
    )
