"""``addresshub events publish``: gazetteer changes become partner events."""

from __future__ import annotations

import datetime as dt

import typer

from api.cli import common

events_app = typer.Typer(help="Gazetteer change events for partners.", no_args_is_help=True)


@events_app.command("publish")
def publish(
    database_url: common.DatabaseUrlOption = None, as_json: common.JsonOption = False
) -> None:
    """Turn every gazetteer change not yet published into deliveries (idempotent)."""
    from notify import gazetteer_events

    settings = common.settings_for(database_url)
    with common.session_scope(settings) as session:
        waiting = gazetteer_events.pending_count(session)
        created = gazetteer_events.enqueue_pending(
            session, dt.datetime.now(dt.UTC), settings=settings
        )
    summary = f"Published {waiting} gazetteer change(s) as {created} delivery(ies)."
    common.emit(summary, {"changes": waiting, "deliveries": created}, as_json)
