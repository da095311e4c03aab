"""``addresshub moves unresolved | resolve | reject``: the custodian's queue of moves whose new
address has no UPRN yet (typed text with no confident match, or not listed).

* ``moves unresolved [--limit N --offset N]``: the open entries, oldest first.
* ``moves resolve REFERENCE --uprn N``: give the move its new UPRN (checked against the
  gazetteer); the services that waited are planned again and their outbox rows written.
* ``moves reject REFERENCE --reason TEXT``: the address cannot be found; nothing is sent.

The sharing modules are imported by the commands themselves, so that every other command
starts without them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from api.cli import common

if TYPE_CHECKING:  # imported by each command: other commands start without them
    from notify import unresolved

moves_app = typer.Typer(
    help="Moves: the custodian's queue of unresolved moves.", no_args_is_help=True
)

ActorOption = Annotated[
    str | None, typer.Option(help="Who settles it, for the record (default: the OS user).")
]


def _entry_json(entry: unresolved.Unresolved) -> dict[str, Any]:
    return {
        "reference": entry.reference,
        "version": entry.version,
        "interim_id": entry.interim_id,
        "origin": entry.origin,
        "status": entry.status,
        "address_text": entry.address_text,
        "postcode": entry.postcode,
        "latitude": entry.latitude,
        "longitude": entry.longitude,
        "move_date": entry.move_date.isoformat(),
        "submitted_at": entry.submitted_at.isoformat(),
        "candidates": list(entry.candidates),
        "resolved_uprn": entry.resolved_uprn,
        "reason": entry.reason,
    }


def _entry_line(entry: unresolved.Unresolved) -> str:
    best = entry.candidates[0] if entry.candidates else None
    guess = f"best guess {best['uprn']} {best['label']} ({best['score']})" if best else "no guess"
    return (
        f"{entry.reference}  {entry.origin:<18}  {entry.address_text or '-'}  "
        f"[moves {entry.move_date.isoformat()}; {guess}]"
    )


@moves_app.command("unresolved")
def list_unresolved(
    *,
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many.")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many.")] = 0,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Moves whose new address waits for a custodian, oldest first."""
    from notify import unresolved

    settings = common.settings_for(database_url)
    with common.session_scope(settings) as session:
        page = unresolved.list_unresolved(session=session, limit=limit, offset=offset)
    lines = [f"{page.total} unresolved move(s)."] + [_entry_line(e) for e in page.items]
    document = {
        "total": page.total,
        "limit": limit,
        "offset": offset,
        "items": [_entry_json(e) for e in page.items],
    }
    common.emit("\n".join(lines), document, as_json)


def _settled(settled: unresolved.Settled, verb: str, as_json: bool) -> None:
    entry = settled.entry
    document = {
        "move": _entry_json(entry),
        "planned": list(settled.planned),
        "deliveries": len(settled.delivery_ids),
    }
    human = f"{entry.reference}: new address {verb}."
    if settled.planned:
        human += (
            f" Planned again: {len(settled.planned)} service(s),"
            f" {len(settled.delivery_ids)} delivery(ies) queued."
        )
    common.emit(human, document, as_json)


@moves_app.command("resolve")
def resolve(
    reference: Annotated[str, typer.Argument(help="The move's reference (COA-XXXX-XXXX).")],
    *,
    uprn: Annotated[int, typer.Option("--uprn", help="The new address's UPRN.", min=1)],
    actor: ActorOption = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Give a move its new UPRN; the services that waited for it are planned again."""
    from notify import unresolved

    settings = common.settings_for(database_url)
    with common.session_scope(settings) as session:
        settled = unresolved.resolve(
            session=session,
            reference=reference,
            uprn=uprn,
            actor=common.actor_or_login(actor),
            settings=settings,
            now=common.now(),
        )
    _settled(settled, f"resolved to UPRN {uprn}", as_json)


@moves_app.command("reject")
def reject(
    reference: Annotated[str, typer.Argument(help="The move's reference (COA-XXXX-XXXX).")],
    *,
    reason: Annotated[str, typer.Option("--reason", help="Why it cannot be found.")],
    actor: ActorOption = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Close a move's entry: its new address cannot be found, and nothing is sent."""
    from notify import unresolved

    settings = common.settings_for(database_url)
    with common.session_scope(settings) as session:
        settled = unresolved.reject(
            session=session,
            reference=reference,
            reason=reason,
            actor=common.actor_or_login(actor),
            now=common.now(),
        )
    _settled(settled, "rejected", as_json)
