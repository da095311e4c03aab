"""``addresshub moves block|unblock|blocks``, ``moves reviews list|release|reject`` and
``moves questions SERVICE [--set FILE]``, added to the ``moves`` group by :func:`register`.

Move blocks hold every move from or to a UPRN for review; the review queue lists held moves and
releases or refuses them; a service's extra questions are shown or replaced from a JSON file.
Each change records who made it (``--actor``, the OS user by default) and when. The sharing
modules are imported by the commands themselves, so that other commands start without them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from api.cli import common
from core.errors import InvalidInput

if TYPE_CHECKING:  # imported by each command: other commands start without them
    from notify import move_blocks, move_reviews

reviews_app = typer.Typer(
    help="Moves held for review: list them, release or refuse one.", no_args_is_help=True
)


def register(moves_app: typer.Typer) -> None:
    """Add the block and question commands and the ``reviews`` group to ``moves``."""
    moves_app.command("block")(block)
    moves_app.command("unblock")(unblock)
    moves_app.command("blocks")(blocks)
    moves_app.command("questions")(service_questions)
    moves_app.add_typer(reviews_app, name="reviews")


ActorOption = Annotated[
    str | None, typer.Option(help="Who does it, for the audit (default: the OS user).")
]
NoteOption = Annotated[str | None, typer.Option(help="Why, for the audit.")]


def _block_json(block: move_blocks.MoveBlock) -> dict[str, Any]:
    return {
        "id": block.id,
        "uprn": block.uprn,
        "reason": block.reason,
        "active": block.active,
        "created_by": block.created_by,
        "created_at": block.created_at.isoformat(),
        "lifted_by": block.lifted_by,
        "lifted_at": block.lifted_at.isoformat() if block.lifted_at else None,
    }


def _block_line(block: move_blocks.MoveBlock) -> str:
    state = "active" if block.active else f"lifted {block.lifted_at:%Y-%m-%d} by {block.lifted_by}"
    placed = f"{block.created_at:%Y-%m-%d} by {block.created_by}"
    return f"{block.id}  UPRN {block.uprn}  {state}  placed {placed}  {block.reason or ''}".rstrip()


def block(
    uprn: Annotated[int, typer.Argument(help="The UPRN to block moves from or to.", min=1)],
    reason: Annotated[str | None, typer.Option(help="Why (for reviewers only).")] = None,
    actor: ActorOption = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Block moves from or to a UPRN: they are held for review."""
    from notify import move_reviews

    with common.session_scope(common.settings_for(database_url)) as session:
        placed, opened = move_reviews.block(
            session=session,
            uprn=uprn,
            reason=reason,
            actor=common.actor_or_login(actor),
            now=common.now(),
        )
    human = f"Blocked moves from or to UPRN {uprn}: {placed.id} ({len(opened)} put in review)"
    common.emit(human, _block_json(placed) | {"reviews_opened": len(opened)}, as_json)


def unblock(
    block_id: Annotated[str, typer.Argument(help="The block's id.")],
    actor: ActorOption = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Lift a move block (moves held already still wait for their review)."""
    from notify import move_blocks

    with common.session_scope(common.settings_for(database_url)) as session:
        lifted = move_blocks.lift(
            session=session, block_id=block_id, actor=common.actor_or_login(actor), now=common.now()
        )
    common.emit(f"Lifted move block {lifted.id} (UPRN {lifted.uprn})", _block_json(lifted), as_json)


def blocks(
    show_all: Annotated[bool, typer.Option("--all", help="Lifted blocks too.")] = False,
    uprn: Annotated[int | None, typer.Option(help="Only this UPRN.")] = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """List move blocks (active ones unless --all)."""
    from notify import move_blocks

    with common.session_scope(common.settings_for(database_url)) as session:
        found = move_blocks.list_blocks(
            session=session, active=None if show_all else True, uprn=uprn, limit=1000
        )
    human = "\n".join(_block_line(b) for b in found) or "No move blocks."
    common.emit(human, {"count": len(found), "blocks": [_block_json(b) for b in found]}, as_json)


def _review_json(review: move_reviews.Review) -> dict[str, Any]:
    return {
        "id": review.id,
        "reference": review.reference,
        "version": review.version,
        "status": review.status,
        "reasons": list(review.reasons),
        "held_at": review.held_at.isoformat(),
        "held_deliveries": review.held_deliveries,
        "decided_by": review.decided_by,
        "decided_at": review.decided_at.isoformat() if review.decided_at else None,
        "note": review.note,
    }


def _review_line(review: move_reviews.Review) -> str:
    reasons = ",".join(str(r.get("code")) for r in review.reasons)
    return (
        f"{review.id}  {review.reference} v{review.version}  {review.status}  {reasons}  "
        f"held {review.held_at:%Y-%m-%d %H:%M}  {review.held_deliveries} held deliveries"
    )


@reviews_app.command("list")
def list_reviews(
    status: Annotated[str, typer.Option(help="pending, released or refused.")] = "pending",
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Moves held for review (pending ones, oldest first, by default)."""
    from notify import move_reviews

    with common.session_scope(common.settings_for(database_url)) as session:
        found = move_reviews.list_reviews(session=session, status=status, limit=1000)
    human = "\n".join(_review_line(r) for r in found) or "No moves held for review."
    common.emit(human, {"count": len(found), "reviews": [_review_json(r) for r in found]}, as_json)


@reviews_app.command("release")
def release(
    review_id: Annotated[str, typer.Argument(help="The review's id (the held submission's).")],
    note: NoteOption = None,
    actor: ActorOption = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Release a held move: its deliveries may go (every send-time check still applies)."""
    _decide("release", review_id=review_id, note=note, actor=actor, database_url=database_url,
            as_json=as_json)  # fmt: skip


@reviews_app.command("reject")
def reject(
    review_id: Annotated[str, typer.Argument(help="The review's id (the held submission's).")],
    note: NoteOption = None,
    actor: ActorOption = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Refuse a held move: its queued deliveries are cancelled; nothing is sent."""
    _decide("reject", review_id=review_id, note=note, actor=actor, database_url=database_url,
            as_json=as_json)  # fmt: skip


_DONE = {"release": "Released", "reject": "Refused"}


def _decide(
    verb: str,
    *,
    review_id: str,
    note: str | None,
    actor: str | None,
    database_url: str | None,
    as_json: bool,
) -> None:
    """Release or refuse a held move (``verb`` names the service function) and say so."""
    from notify import move_reviews

    decide = getattr(move_reviews, verb)
    with common.session_scope(common.settings_for(database_url)) as session:
        done = decide(session=session, review_id=review_id, actor=common.actor_or_login(actor),
                      note=note, now=common.now())  # fmt: skip
    common.emit(f"{_DONE[verb]} {done.reference} v{done.version}", _review_json(done), as_json)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{path} is not JSON: {exc.msg} at line {exc.lineno}") from exc


def service_questions(
    service: Annotated[str, typer.Argument(help="The service: PARTNER-CODE/SERVICE_CODE.")],
    set_from: Annotated[
        Path | None, typer.Option("--set", help="Replace them with this JSON list.")
    ] = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Show a service's extra questions, or replace them (--set FILE)."""
    from notify import question_store

    raw = _read_json(set_from) if set_from else None
    with common.session_scope(common.settings_for(database_url)) as session:
        if set_from is None:
            found = question_store.get(session=session, service_id=service)
        else:
            found = question_store.save(
                session=session, service_id=service, raw=raw, now=common.now()
            )
    document = {"service": service, "questions": [q.as_json() for q in found]}
    human = "\n".join(f"{q.id}  {q.type}  {q.label_en}" for q in found) or "No questions."
    common.emit(human, document, as_json)
