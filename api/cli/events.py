"""``addresshub events publish``: gazetteer changes become partner events.

``addresshub events types``: the event types the hub sends and the schema of each one's data.
"""

from __future__ import annotations

import datetime as dt

import typer

from api.cli import common

events_app = typer.Typer(
    help="Partner events: gazetteer changes, and the event types.", no_args_is_help=True
)


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


@events_app.command("types")
def types(as_json: common.JsonOption = False) -> None:
    """List the event types the hub sends, with their lane and dataschema URL."""
    from notify import event_catalog

    settings = common.settings_for(None)
    namespace, host = settings.event_namespace, settings.public_host
    rows = [
        {"type": f"{namespace}.{t.kind}", "lane": t.lane, "personal_data": t.personal_data,
         "dataschema": event_catalog.dataschema(namespace=namespace, hub_host=host, kind=t.kind)}
        for t in event_catalog.TYPES.values()
    ]  # fmt: skip
    lines = [f"{r['type']}  {r['lane']}  {r['dataschema']}" for r in rows]
    common.emit("\n".join(lines), {"items": rows}, as_json)
