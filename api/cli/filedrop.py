"""Delivery extras on the command line: file drop, test events and operational notices.

* ``addresshub filedrop run [--service S] [--directory D]``: write every file-drop
  subscription's due deliveries now, one CSV (and manifest) per partner service, with an
  atomic rename into the drop directory (``ADDRESSHUB_FILE_DROP_DIRECTORY`` by default).
  Workers do the same on the ``file_drop_interval_seconds`` schedule.
* ``addresshub filedrop collected BATCH [--by NAME]``: the drop directory's consumer confirms
  it has the batch (collected, recorded on the ledger lines); ``filedrop batches`` lists them.
* ``addresshub endpoints test ID``: send a signed test event to an endpoint now and show the
  answer (status, latency, excerpt); no ledger line.
* ``addresshub endpoints rotate-ack-secret ID``: a new secret the partner signs its
  acknowledgements with (printed once); from then on its acks must be signed.
* ``addresshub ops-notices list`` and ``ops-notices send``: the operational notices, and
  sending the unsent ones now (workers do it every few seconds).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from api.cli import common
from api.cli.worker import endpoints_app
from core.errors import InvalidInput
from core.settings import Settings
from notify import paging

if TYPE_CHECKING:  # imported by each command: other commands start without them
    from notify import ops_notices, test_event
    from notify.transports import webhook


filedrop_app = typer.Typer(help="File drop: CSV batches for legacy back offices.",
                           no_args_is_help=True)  # fmt: skip
ops_app = typer.Typer(help="Operational notices (endpoint.disabled, ...).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(filedrop_app, name="filedrop")
    app.add_typer(ops_app, name="ops-notices")
    endpoints_app.command("test")(send_test)
    endpoints_app.command("rotate-ack-secret")(rotate_ack_secret)


@filedrop_app.command("run")
def run(
    service: Annotated[
        str | None, typer.Option(help="Only this partner service (e.g. NEWTOWN-DC/COUNCIL_TAX).")
    ] = None,
    directory: Annotated[
        Path | None, typer.Option(help="The drop directory (default: settings).")
    ] = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Write the due deliveries of file-drop subscriptions now, one CSV per partner service."""
    from core import db
    from notify import delivery_gate, file_drop, registry_repository

    settings = common.settings_for(database_url)
    target = directory or settings.file_drop_directory
    if target is None:
        raise InvalidInput("name a drop directory (--directory or ADDRESSHUB_FILE_DROP_DIRECTORY)")
    engine = _engine(settings)
    try:
        written = file_drop.run(sessions=db.session_factory(engine), directory=target,
                                gate=delivery_gate.RegistryGate(registry_repository.load),
                                now=common.now(), service=service)  # fmt: skip
    finally:
        engine.dispose()
    lines = [f"{w.file_name}: {w.rows} rows ({w.partner_service_id})" for w in written]
    document = {"directory": str(target), "batches": [dataclasses.asdict(w) for w in written]}
    common.emit("\n".join(lines) or "Nothing due.", document, as_json)


@filedrop_app.command("collected")
def collected(
    batch_id: Annotated[str, typer.Argument(help="The batch id (from filedrop run or batches).")],
    by: Annotated[str | None, typer.Option(help="Who collected it (default: you).")] = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Confirm a batch was collected: the partner has the file (the transport acknowledgement)."""
    from notify import file_drop_collection

    settings = common.settings_for(database_url)
    with common.session_scope(settings) as session:
        done = file_drop_collection.collect(
            session, batch_id=batch_id, actor=by or getpass.getuser(), via="command_line",
            now=common.now(),
        )  # fmt: skip
        row = _batch(done.batch)
    said = "was already collected" if done.already else "is now collected"
    common.emit(f"File batch {batch_id} {said} ({row['collected_at']}).",
                row | {"already_collected": done.already}, as_json)  # fmt: skip


@filedrop_app.command("batches")
def batches(
    partner: Annotated[str | None, typer.Option(help="Only this partner's batches.")] = None,
    state: Annotated[
        str | None, typer.Option(help="built, collected, withdrawn or expired.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=paging.MAX_PAGE)] = 100,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """File-drop batches, oldest first, with their state."""
    from notify import file_drop_collection

    settings = common.settings_for(database_url)
    with common.session_scope(settings) as session:
        found = file_drop_collection.listing(session, partner_id=partner, state=state, limit=limit)
        rows = [_batch(b) for b in found]
    lines = [f"{r['id']}  {r['state']}  {r['rows']} rows  {r['file_name']}" for r in rows]
    common.emit("\n".join(lines) or "No batches.", {"batches": rows}, as_json)


def _batch(batch: Any) -> dict[str, Any]:
    names = ("id", "subscription_id", "partner_service_id", "state", "file_name", "rows",
             "sha256", "built_at", "written_at", "collected_at", "collected_by",
             "collected_via")  # fmt: skip
    return _jsonable({name: getattr(batch, name) for name in names})


def send_test(
    endpoint_id: Annotated[str, typer.Argument(help="The endpoint's id.")],
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Send a signed test event to an endpoint now and show its answer (no ledger line)."""
    import asyncio

    from notify import test_event

    settings = common.settings_for(database_url)
    with common.session_scope(settings) as session:
        target = test_event.target(
            session=session, endpoint_id=endpoint_id, partner_id=None, now=common.now()
        )
    result = asyncio.run(_send_test(settings, target))
    answer = result.http_status or result.error_kind
    common.emit(
        f"Test event {result.webhook_id} to {endpoint_id}: {answer} in {result.latency_ms} ms.",
        _jsonable(dataclasses.asdict(result)),
        as_json,
    )


async def _send_test(settings: Settings, target: test_event.Target) -> test_event.Outcome:
    from notify import test_event

    sender = _sender(settings)
    try:
        return await test_event.send(
            sender=sender,
            target=target,
            namespace=settings.event_namespace,
            hub_host=settings.public_host,
            now=common.now(),
        )
    finally:
        await sender.close()


def rotate_ack_secret(
    endpoint_id: Annotated[str, typer.Argument(help="The endpoint's id.")],
    overlap_hours: Annotated[
        float, typer.Option(min=0, max=168, help="How long the old secret stays valid.")
    ] = 24,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Issue a new acknowledgement-signing secret (shown once); acks must then be signed."""
    from notify import ack_signing, endpoints

    settings = common.settings_for(database_url)
    with common.session_scope(settings) as session:
        endpoints.owned(session=session, endpoint_id=endpoint_id, partner_id=None)
        overlap = dt.timedelta(hours=overlap_hours)
        secret = ack_signing.rotate(session, endpoint_id=endpoint_id, actor=getpass.getuser(),
                                    now=common.now(), overlap=overlap)  # fmt: skip
    common.emit(
        f"New acknowledgement secret for {endpoint_id} (shown once): {secret}",
        {"endpoint_id": endpoint_id, "secret": secret},
        as_json,
    )


@ops_app.command("list")
def list_notices(
    partner: Annotated[str | None, typer.Option(help="Only this partner's notices.")] = None,
    kind: Annotated[str | None, typer.Option(help="Only this kind (endpoint.disabled…).")] = None,
    limit: Annotated[int, typer.Option(min=1, max=paging.MAX_PAGE)] = 100,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Operational notices, oldest first, with when each was sent."""
    from notify import ops_notices

    settings = common.settings_for(database_url)
    with common.session_scope(settings) as session:
        page = ops_notices.listing(session=session, partner_id=partner, kind=kind, limit=limit)
        rows = [_notice(n) for n in page.items]
    lines = [
        f"{r['id']}  {r['kind']}  {r['partner_id'] or '-'}  {r['endpoint_id'] or '-'}  "
        f"sent {r['sent_at'] or 'not yet'}"
        for r in rows
    ]
    common.emit("\n".join(lines) or "No notices.", {"notices": rows}, as_json)


@ops_app.command("send")
def send_notices(
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Send every unsent operational notice to its targets now."""
    import asyncio

    settings = common.settings_for(database_url)
    sent = asyncio.run(_send_notices(settings))
    common.emit(
        f"{sent.tried} sends tried, {sent.delivered} answered 2xx, {sent.closed} notices closed.",
        dataclasses.asdict(sent),
        as_json,
    )


async def _send_notices(settings: Settings) -> ops_notices.Sent:
    from core import db
    from notify import ops_notices

    engine, sender = _engine(settings), _sender(settings)
    try:
        return await ops_notices.send_pending(sessions=db.session_factory(engine), sender=sender,
                                              settings=settings, now=common.now())  # fmt: skip
    finally:
        await sender.close()
        engine.dispose()


def _notice(notice: Any) -> dict[str, Any]:
    return _jsonable(
        {
            "id": notice.id,
            "kind": notice.kind,
            "partner_id": notice.partner_id,
            "endpoint_id": notice.endpoint_id,
            "delivery_id": notice.delivery_id,
            "detail": notice.detail,
            "created_at": notice.created_at,
            "sent_at": notice.sent_at,
        }
    )


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in values.items()}


def _engine(settings: Settings) -> Any:
    from core import db

    return db.create_engine(settings.database_url, spatialite_library=settings.spatialite_library)


def _sender(settings: Settings) -> webhook.AiohttpSender:
    from notify import ssrf
    from notify.transports import webhook

    policy = ssrf.TargetPolicy.for_deployment(
        allow_private_targets=settings.allow_private_webhook_targets
    )
    return webhook.AiohttpSender(policy=policy)
