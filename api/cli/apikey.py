"""``addresshub apikey create|list|revoke``: API keys, each carrying one role."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from api.cli import common
from api.keys import domain

if TYPE_CHECKING:  # imported by each command: other commands start without them
    from rich import table as rich_table

    from api.schemas import keys as schemas

apikey_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)


@apikey_app.command("create")
def create(
    *,
    role: Annotated[domain.Role, typer.Option("--role", help="The key's one role.")],
    partner: Annotated[
        str | None, typer.Option("--partner", help="The partner a partner key is bound to.")
    ] = None,
    submission: Annotated[
        str | None,
        typer.Option("--submission", help="The submission a citizen key is bound to."),
    ] = None,
    label: Annotated[str | None, typer.Option("--label", help="A note for humans.")] = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Create a key. It is printed once; only its keyed hash is stored."""
    from api.keys import service
    from api.schemas import keys as schemas
    from core import clock

    settings = common.settings_for(database_url)
    with common.session_scope(settings) as session:
        issued = service.create_key(
            session=session,
            settings=settings,
            clock=clock.SystemClock(),
            role=role,
            partner_id=partner,
            submission_ref=submission,
            label=label,
        )
    created = schemas.ApiKeyCreated.from_issued(issued)
    human = (
        f"Created {created.role} key {created.id} (prefix {created.prefix}).\n"
        f"Store it now; it is not shown again:\n\n  {created.key}\n"
    )
    common.emit(human, created, as_json)


@apikey_app.command("list")
def list_keys(
    database_url: common.DatabaseUrlOption = None, as_json: common.JsonOption = False
) -> None:
    """List every key, revoked ones included (never the keys themselves)."""
    from api.keys import service
    from api.schemas import keys as schemas

    settings = common.settings_for(database_url)
    with common.session_scope(settings) as session:
        keys = [schemas.ApiKeyRead.from_domain(key) for key in service.list_keys(session=session)]
    common.emit(_table(keys), schemas.ApiKeyList(keys=keys), as_json)


@apikey_app.command("revoke")
def revoke(
    key: Annotated[str, typer.Argument(help="The key's id or prefix.")],
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Revoke a key: it is refused from now on."""
    from api.keys import service
    from api.schemas import keys as schemas
    from core import clock

    settings = common.settings_for(database_url)
    with common.session_scope(settings) as session:
        revoked = service.revoke_key(session=session, clock=clock.SystemClock(), key_ref=key)
    read = schemas.ApiKeyRead.from_domain(revoked)
    common.emit(f"Revoked {read.role} key {read.id} (prefix {read.prefix}).", read, as_json)


def _table(keys: list[schemas.ApiKeyRead]) -> rich_table.Table | str:
    from rich import table as rich_table

    if not keys:
        return "No API keys."
    table = rich_table.Table("prefix", "role", "bound to", "label", "created", "state", "id")
    for column in table.columns:
        column.no_wrap = column.header in {"prefix", "id"}
        column.overflow = "fold"
    for key in keys:
        state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
        bound = key.partner_id or key.submission_ref or ""
        created = f"{key.created_at:%Y-%m-%d}"
        table.add_row(key.prefix, key.role, bound, key.label or "", created, state, key.id)
    return table
