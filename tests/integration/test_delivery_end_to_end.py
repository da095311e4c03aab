"""A move submitted through the sharing service reaches real receivers through the worker.

The example registry's endpoints are pointed at local receivers that verify every request
with ``standardwebhooks``; the move fans out, the worker re-runs the decision before each
attempt, and the ledger records what was disclosed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from core import db
from notify import delivery_gate, projection, registry_repository, service, ssrf, worker
from notify.tables import moves, outbox, registry
from notify.transports import webhook
from tests.integration import sharing_world as w
from tests.support import outbox_world, receivers


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@pytest.fixture
def sink() -> Iterator[receivers.Receiver]:
    with receivers.Receiver([]) as receiver:
        yield receiver


@pytest.fixture
def seeded(session_factory: db.SessionFactory, sink: receivers.Receiver) -> db.SessionFactory:
    """The sharing world, every endpoint pointed at ``sink`` with a secret it knows."""
    with db.unit_of_work(session_factory) as session:
        w.seed(session)
    secrets = []
    with db.unit_of_work(session_factory) as session:
        for endpoint in session.scalars(sa.select(registry.Endpoint)):
            endpoint.url = f"{sink.url}?endpoint={endpoint.id}"
            secrets.append(outbox_world.add_secret(session, endpoint.id, _now()))
    sink.rotate(secrets)
    return session_factory


def _submit(factory: db.SessionFactory) -> service.Submitted:
    with db.unit_of_work(factory) as session:
        request = w.request(move_date=_now().date() - dt.timedelta(days=1))
        return service.submit_move(session=session, request=request, settings=w.SETTINGS,
                                   now=_now())  # fmt: skip


def _deliver(engine: sa.Engine) -> worker.Tally:
    running = worker.Worker(
        engine=engine,
        gate=delivery_gate.RegistryGate(registry_repository.load),
        sender=webhook.AiohttpSender(
            policy=ssrf.TargetPolicy.for_deployment(allow_private_targets=True)
        ),
        options=worker.Options(poll_s=0.05, once=True),
    )
    return asyncio.run(running.run())


def test_a_move_fans_out_to_every_permitted_recipient_with_projected_fields_only(
    engine: sa.Engine, seeded: db.SessionFactory, sink: receivers.Receiver
) -> None:
    submitted = _submit(seeded)
    assert len(submitted.delivery_ids) == 4
    tally = _deliver(engine)
    assert tally.delivered == 4
    assert sink.rejected == 0
    assert sink.unique_ids() == {"msg_" + i for i in submitted.delivery_ids}
    for request in sink.accepted():
        event = json.loads(request.body)
        fields = event["data"]["fields"]
        assert projection.stray_paths(event["data"], fields) == frozenset()
        assert "Lovelace" not in json.dumps({k: v for k, v in event.items() if k != "data"})
    with db.unit_of_work(seeded) as session:
        lines = session.scalars(sa.select(outbox.Disclosure)).all()
        assert sorted(line.outcome for line in lines) == ["disclosed"] * 4
        assert all(line.disclosed_at is not None for line in lines)


def test_a_consent_withdrawn_after_planning_stops_the_send(
    engine: sa.Engine, seeded: db.SessionFactory, sink: receivers.Receiver
) -> None:
    submitted = _submit(seeded)
    with db.unit_of_work(seeded) as session:
        # Withdrawn behind the service's back: only the worker's recheck can stop the send.
        session.execute(
            sa.update(moves.ConsentRecord).values(status="withdrawn", withdrawn_at=_now())
        )
    _deliver(engine)
    with db.unit_of_work(seeded) as session:
        rows = session.scalars(sa.select(outbox.Delivery)).all()
        closed = {d.partner_service_id: (d.state, d.close_reason) for d in rows}
    assert closed["NEWTOWN-DC/LIBRARIES"] == ("cancelled", "cancelled:CONSENT_WITHDRAWN")
    library = next(d.id for d in rows if d.partner_service_id == "NEWTOWN-DC/LIBRARIES")
    assert "msg_" + library not in sink.unique_ids(accepted_only=False)
    assert len(sink.unique_ids()) == len(submitted.delivery_ids) - 1
