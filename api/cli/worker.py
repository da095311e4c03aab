"""Delivery commands: ``worker``, ``deliveries resend|recover|reroute|abandon``, ``endpoints``.

The worker claims and delivers outbox rows until SIGTERM or SIGINT (then finishes what is in
flight), or with ``--once`` until nothing is due. Several may run at once on PostgreSQL; on
SQLite a second one refuses to start. The ``deliveries`` commands are the operator's actions on
dead letters (sharing-and-delivery §6.7), each recorded with who did it and why. The
``endpoints`` commands show endpoint health, rotate a signing secret (printed once; the old one
stays valid for the overlap) and enable an endpoint once it passes the validation handshake.
Beside the worker run the periodic jobs of :mod:`notify.delivery_jobs` (operational webhooks,
due file-drop batches); with ``--once`` they run once after it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli import common
from core.errors import InvalidInput
from core.settings import Settings

if TYPE_CHECKING:  # imported by each command: other commands start without them
    from notify import acks

deliveries_app = typer.Typer(
    help="The delivery log, and dead letters: resend, recover, reroute or abandon.",
    no_args_is_help=True,
)
endpoints_app = typer.Typer(
    help="Webhook endpoints: health, secrets, re-enabling.", no_args_is_help=True
)

ActorOption = Annotated[
    str | None, typer.Option("--actor", help="Who is acting (default: the login name).")
]
ReasonOption = Annotated[str | None, typer.Option("--reason", help="Why, for the audit trail.")]


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
    app.add_typer(deliveries_app, name="deliveries")
    app.add_typer(endpoints_app, name="endpoints")


def worker(
    concurrency: Annotated[
        int, typer.Option(min=1, max=4096, help="Requests in flight at most.")
    ] = 64,
    once: Annotated[
        bool, typer.Option("--once", help="Deliver what is due now, then exit.")
    ] = False,
    processes: Annotated[
        int,
        typer.Option(
            min=1, max=64, help="Worker processes sharing the queue (PostgreSQL); one uses a core."
        ),
    ] = 1,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Claim and deliver outbox rows: signed webhooks with retries (SIGTERM stops gracefully)."""
    import asyncio
    import logging

    from notify import delivery_jobs
    from notify import worker as worker_

    settings = common.settings_for(database_url)
    if processes > 1:
        _pool(settings, processes=processes, concurrency=concurrency, once=once, as_json=as_json)
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    running = worker_.from_settings(settings, concurrency=concurrency, once=once)
    # operational webhooks and due file-drop batches run beside the worker (notify.delivery_jobs)
    beside = delivery_jobs.run_beside(worker_.run_until_signalled(running), settings, once=once)
    tally, jobs = asyncio.run(beside)
    summary = tally.as_dict() | jobs.as_dict() | {"worker_id": running.worker_id}
    common.emit(
        f"Worker {running.worker_id} stopped: {tally.sent} attempts sent, "
        f"{tally.delivered} delivered, {tally.failed} failed.",
        summary,
        as_json,
    )


def _pool(
    settings: Settings, *, processes: int, concurrency: int, once: bool, as_json: bool
) -> None:
    from api.cli import worker_pool

    worker_pool.check(settings, processes)
    args = ["--concurrency", str(concurrency), *(["--once"] if once else [])]
    code, summary = worker_pool.run(settings=settings, processes=processes, args=args)
    if code != 0:  # a negative code: the child was killed by that signal
        common.fail(f"a worker process exited with {code}", code if code > 0 else 1)
    common.emit(
        f"{processes} workers stopped: {summary.get('sent', 0)} attempts sent, "
        f"{summary.get('delivered', 0)} delivered, {summary.get('failed', 0)} failed.",
        summary,
        as_json,
    )


@deliveries_app.command("list")
def list_deliveries(
    *,
    state: Annotated[
        str | None, typer.Option(help="Only deliveries in this state (dead, held, ...).")
    ] = None,
    partner: Annotated[str | None, typer.Option(help="Only this partner's.")] = None,
    endpoint: Annotated[str | None, typer.Option(help="Only those for this endpoint.")] = None,
    since: Annotated[dt.datetime | None, typer.Option(help="Created at or after.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 100,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """The delivery log, oldest first: state, attempts, last answer, the partner's ack."""
    from notify import acks
    from notify.tables import outbox

    if state is not None and state not in outbox.DELIVERY_STATES:
        raise InvalidInput(f"--state is one of {', '.join(outbox.DELIVERY_STATES)}")
    settings = common.settings_for(database_url)
    when = since.replace(tzinfo=since.tzinfo or dt.UTC) if since else None
    with common.session_scope(settings) as session:
        page = acks.delivery_log(session=session, partner_id=partner, state=state, since=when,
                                 endpoint_id=endpoint, limit=limit)  # fmt: skip
        rows = [_logged(entry) for entry in page.items]
    lines = [
        f"{r['id']}  {r['partner_service_id']}  {r['state']}  attempts {r['attempt_count']}  "
        f"last {r['last_http_status'] or r['last_error_kind'] or '-'}  ack {r['ack'] or '-'}"
        for r in rows
    ]
    more = f"\n(more: --since or a narrower filter; {limit} shown)" if page.next_cursor else ""
    common.emit("\n".join(lines) + more if lines else "No deliveries.", {"deliveries": rows},
                as_json)  # fmt: skip


def _logged(entry: acks.LogEntry) -> dict[str, object]:
    d = entry.delivery
    return {
        "id": d.id, "partner_id": d.partner_id, "partner_service_id": d.partner_service_id,
        "endpoint_id": d.endpoint_id, "event_type": d.event_type, "state": d.state,
        "attempt_count": d.attempt_count, "last_http_status": d.last_http_status,
        "last_error_kind": d.last_error_kind, "close_reason": d.close_reason,
        "created_at": d.created_at.isoformat(), "updated_at": d.updated_at.isoformat(),
        "ack": entry.ack.outcome if entry.ack else None,
    }  # fmt: skip


@deliveries_app.command("resend")
def resend(
    delivery_id: Annotated[str, typer.Argument(help="The dead delivery's id.")],
    actor: ActorOption = None,
    reason: ReasonOption = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Resend one dead delivery from attempt 1 (same id, webhook-id and sequence)."""
    from notify import delivery_service

    settings = common.settings_for(database_url)
    with common.session_scope(settings) as session:
        delivery_service.resend(
            session=session,
            delivery_id=delivery_id,
            actor=common.actor_or_login(actor),
            reason=reason,
            now=common.now(),
        )
    common.emit(f"Delivery {delivery_id} will be sent again.", {"resent": [delivery_id]}, as_json)


@deliveries_app.command("recover")
def recover(
    endpoint_id: Annotated[str, typer.Option("--endpoint", help="The endpoint's id.")],
    *,
    since: Annotated[
        dt.datetime | None, typer.Option(help="Only deliveries that died at or after this time.")
    ] = None,
    actor: ActorOption = None,
    reason: ReasonOption = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Resend every dead delivery of an endpoint (since a time, or all), in lane order."""
    from notify import delivery_service

    settings = common.settings_for(database_url)
    when = since.replace(tzinfo=since.tzinfo or dt.UTC) if since else None
    with common.session_scope(settings) as session:
        resent = delivery_service.recover(
            session=session,
            endpoint_id=endpoint_id,
            since=when,
            actor=common.actor_or_login(actor),
            reason=reason,
            now=common.now(),
        )
    common.emit(f"{len(resent)} dead deliveries will be sent again.", {"resent": resent}, as_json)


@deliveries_app.command("reroute")
def reroute(
    delivery_id: Annotated[str, typer.Argument(help="The dead or held delivery's id.")],
    *,
    subscription: Annotated[
        str | None,
        typer.Option(
            help="The pull or file-drop subscription to move it to (default: the service's "
            "only one for the event type)."
        ),
    ] = None,
    actor: ActorOption = None,
    reason: ReasonOption = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Move a dead or held delivery to its service's pull feed or file drop (same id)."""
    from notify import delivery_service

    settings = common.settings_for(database_url)
    with common.session_scope(settings) as session:
        target = delivery_service.reroute(
            session=session,
            delivery_id=delivery_id,
            subscription_id=subscription,
            actor=common.actor_or_login(actor),
            reason=reason,
            now=common.now(),
        )
        moved = {"rerouted": [delivery_id], "subscription_id": target.id,
                 "channel": target.channel}  # fmt: skip
    common.emit(
        f"Delivery {delivery_id} moved to {target.channel} subscription {target.id}.",
        moved,
        as_json,
    )


@deliveries_app.command("abandon")
def abandon(
    delivery_id: Annotated[str, typer.Argument(help="The dead or held delivery's id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why, for the audit trail.")],
    actor: ActorOption = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Give a delivery up for good; its lane moves on."""
    from notify import delivery_service

    settings = common.settings_for(database_url)
    with common.session_scope(settings) as session:
        delivery_service.abandon(
            session=session,
            delivery_id=delivery_id,
            actor=common.actor_or_login(actor),
            reason=reason,
            now=common.now(),
        )
    common.emit(f"Delivery {delivery_id} abandoned.", {"abandoned": [delivery_id]}, as_json)


@endpoints_app.command("list")
def list_endpoints(
    partner: Annotated[str | None, typer.Option(help="Only this partner's endpoints.")] = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Endpoints with their status, circuit and deliveries per state."""
    from notify import delivery_service

    settings = common.settings_for(database_url)
    with common.session_scope(settings) as session:
        rows = delivery_service.endpoint_overview(session=session, partner_id=partner)
    lines = [
        f"{r['endpoint_id']}  {r['partner_id']}  {r['status']}  circuit {r['circuit_state']}  "
        f"{r['url']}  {r['deliveries']}"
        for r in rows
    ]
    common.emit("\n".join(lines) or "No endpoints.", {"endpoints": rows}, as_json)


@endpoints_app.command("rotate-secret")
def rotate_secret(
    endpoint_id: Annotated[str, typer.Argument(help="The endpoint's id.")],
    overlap_hours: Annotated[
        float, typer.Option(min=0, max=168, help="How long the old secret stays valid.")
    ] = 24,
    actor: ActorOption = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Issue a new signing secret (shown once); the old one verifies until the overlap ends."""
    from notify import delivery_service

    settings = common.settings_for(database_url)
    with common.session_scope(settings) as session:
        secret = delivery_service.rotate_secret(
            session=session,
            endpoint_id=endpoint_id,
            actor=common.actor_or_login(actor),
            now=common.now(),
            overlap=dt.timedelta(hours=overlap_hours),
        )
    common.emit(
        f"New signing secret for {endpoint_id} (shown once): {secret}",
        {"endpoint_id": endpoint_id, "secret": secret},
        as_json,
    )


@endpoints_app.command("enable")
def enable(
    endpoint_id: Annotated[str, typer.Argument(help="The endpoint's id.")],
    actor: ActorOption = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Validate an endpoint (handshake and a signed test event), then make it active."""
    import asyncio

    from notify import delivery_service, endpoint_activation

    settings = common.settings_for(database_url)
    with common.session_scope(settings) as session:
        target = endpoint_activation.target(
            session=session, endpoint_id=endpoint_id, now=common.now()
        )
    validation = asyncio.run(endpoint_activation.run(target, settings=settings, now=common.now()))
    with common.session_scope(settings) as session:
        delivery_service.record_validation(
            session=session,
            endpoint_id=endpoint_id,
            validation=validation,
            actor=common.actor_or_login(actor),
            now=common.now(),
        )
    common.emit(
        f"Endpoint {endpoint_id} passed validation and is active.",
        {"endpoint_id": endpoint_id, "allowed_rate_per_s": validation.allowed_rate},
        as_json,
    )
