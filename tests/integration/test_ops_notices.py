"""Operational webhooks on both engines (§6.6, §6.15): a disabled endpoint's notice reaches the
operations endpoint of the settings and the partner's other active endpoints that take
operational events, signed the Standard Webhooks way (real receivers verify them with the
``standardwebhooks`` library); never the disabled endpoint itself, nor one that did not ask.
A target that failed is tried again later; a notice is sent once per target."""

from __future__ import annotations

import asyncio
import datetime as dt

import pydantic
import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from core import db, ids
from core.settings import Settings
from notify import delivery_service, endpoint_repository, ops_notices, signing, ssrf
from notify import delivery_tables as dt_tables
from notify.tables import registry
from notify.transports import webhook
from tests.support import event_contract, outbox_world, receivers, token_server

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


@pytest.fixture(autouse=True)
def _now_is_when_the_test_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Receivers check the signature's timestamp against their clock (five minutes either way),
    so the notices must be stamped when the test runs, not when the module was collected."""
    monkeypatch.setitem(globals(), "NOW", dt.datetime.now(dt.UTC).replace(microsecond=0))


def _second_endpoint(
    session: orm.Session, url: str, *, operational_events: bool
) -> tuple[str, str]:
    endpoint = registry.Endpoint(
        id=ids.new_id(), partner_id="P0", url=url, status="active", disabled_reason=None,
        max_data_category="standard", timeout_s=15, allow_private_network=True, created_at=NOW,
        updated_at=NOW, description="ops desk", operational_events=operational_events,
    )  # fmt: skip
    session.add(endpoint)
    session.flush()
    return endpoint.id, outbox_world.add_secret(session, endpoint.id, NOW)


def _send(factory: db.SessionFactory, settings: Settings, now: dt.datetime) -> ops_notices.Sent:
    async def go() -> ops_notices.Sent:
        sender = webhook.AiohttpSender(policy=ssrf.TargetPolicy(allow_private=True))
        try:
            return await ops_notices.send_pending(
                sessions=factory, sender=sender, settings=settings, now=now
            )
        finally:
            await sender.close()

    return asyncio.run(go())


def test_a_disabled_endpoint_is_announced_to_operations_and_the_partners_other_endpoints(
    session: orm.Session, session_factory: db.SessionFactory, db_url: str
) -> None:
    ops_secret = signing.new_secret()
    with receivers.receivers([ops_secret]) as (ops,):
        world = outbox_world.build(session, [ops.url + "-unused", "https://p1.example/h"], now=NOW)
        with receivers.receivers([], []) as (desk, quiet):
            desk_id, desk_secret = _second_endpoint(session, desk.url, operational_events=True)
            quiet_id, quiet_secret = _second_endpoint(session, quiet.url, operational_events=False)
            desk.rotate([desk_secret])
            quiet.rotate([quiet_secret])
            broken = session.get(registry.Endpoint, world.endpoints["P0"])
            assert broken is not None
            endpoint_repository.disable_endpoint(
                session, endpoint=broken, reason="gone_410", now=NOW
            )
            session.commit()
            settings = Settings(
                database_url=db_url,
                ops_webhook_url=ops.url,
                ops_webhook_secret=pydantic.SecretStr(ops_secret),
            )
            ops.answer(receivers.status(503))
            first = _send(session_factory, settings, NOW)
            assert (first.tried, first.delivered, first.closed) == (2, 1, 0)
            ops.answer(receivers.ok())
            second = _send(session_factory, settings, NOW + dt.timedelta(seconds=5))
            assert (second.tried, second.delivered, second.closed) == (1, 1, 1)
            assert _send(session_factory, settings, NOW + dt.timedelta(seconds=10)).tried == 0
            assert quiet.requests() == [] and quiet.rejected == 0
            (got,) = desk.accepted()
            assert desk.rejected == 0 and ops.rejected == 0
            assert [r.webhook_id for r in ops.accepted()] == [got.webhook_id]
            assert len(ops.requests()) == 2  # the 503, then the retry with the same webhook-id
            assert got.event["type"] == "uk.gov.example.addresshub.endpoint.disabled"
            assert got.event["data"]["endpoint_id"] == broken.id
            assert got.event["data"]["detail"] == {"reason": "gone_410"}
            assert got.event["data"]["partner_id"] == "P0"
            event_contract.check(got.event)
        session.expire_all()
        notice = session.scalars(sa.select(dt_tables.OpsNotice)).one()
        assert notice.sent_at is not None and got.webhook_id == f"msg_{notice.id}"
        assert quiet_id != desk_id


def test_a_re_enabled_endpoint_is_announced_as_recovered(
    session: orm.Session, session_factory: db.SessionFactory, db_url: str
) -> None:
    ops_secret = signing.new_secret()
    with receivers.receivers([ops_secret]) as (ops,):
        world = outbox_world.build(session, ["https://p0.example/h"], now=NOW)
        endpoint = session.get(registry.Endpoint, world.endpoints["P0"])
        assert endpoint is not None
        endpoint_repository.disable_endpoint(
            session, endpoint=endpoint, reason="sustained_failure", now=NOW
        )
        delivery_service.reenable_endpoint(
            session=session, endpoint_id=endpoint.id, actor="operator", now=NOW
        )
        session.commit()
        settings = Settings(database_url=db_url, ops_webhook_url=ops.url,
                            ops_webhook_secret=pydantic.SecretStr(ops_secret))  # fmt: skip
        sent = _send(session_factory, settings, NOW)
        assert (sent.tried, sent.delivered) == (2, 2)
        kinds = sorted(r.event["type"].rsplit(".", 2)[-2] + "." + r.event["type"].rsplit(".", 1)[-1]
                       for r in ops.accepted())  # fmt: skip
        assert kinds == ["endpoint.disabled", "endpoint.recovered"]
        for request in ops.accepted():
            event_contract.check(request.event)
        recovered = next(r for r in ops.accepted() if r.event["type"].endswith("recovered"))
        assert recovered.event["data"]["detail"] == {"disabled_reason": "sustained_failure"}


def test_without_targets_a_notice_is_closed_and_still_listed(
    session: orm.Session, session_factory: db.SessionFactory, db_url: str
) -> None:
    world = outbox_world.build(session, ["https://p0.example/h"], now=NOW)
    endpoint = session.get(registry.Endpoint, world.endpoints["P0"])
    assert endpoint is not None
    endpoint_repository.disable_endpoint(session, endpoint=endpoint, reason="gone_410", now=NOW)
    session.commit()
    sent = _send(session_factory, Settings(database_url=db_url), NOW)
    assert (sent.tried, sent.closed) == (0, 0)
    session.expire_all()
    page = ops_notices.listing(session=session, partner_id="P0")
    assert [(n.kind, n.sent_at is not None) for n in page.items] == [("endpoint.disabled", True)]
    assert ops_notices.listing(session=session, partner_id="P1").items == []


def test_an_operational_event_to_an_endpoint_with_oauth2_carries_its_access_token(
    session: orm.Session, session_factory: db.SessionFactory, db_url: str
) -> None:
    world = outbox_world.build(session, ["https://p0.example/h"], now=NOW)
    with (
        token_server.TokenServer(client_id="desk", client_secret="desk-secret-1") as tokens,
        receivers.receivers([]) as (desk,),
    ):
        desk.require_token = tokens.valid
        desk_id, desk_secret = _second_endpoint(session, desk.url, operational_events=True)
        desk.rotate([desk_secret])
        target = session.get(registry.Endpoint, desk_id)
        broken = session.get(registry.Endpoint, world.endpoints["P0"])
        assert target is not None and broken is not None
        target.oauth_token_url, target.oauth_client_id = tokens.url, "desk"
        target.oauth_client_secret = "desk-secret-1"
        endpoint_repository.disable_endpoint(session, endpoint=broken, reason="gone_410", now=NOW)
        session.commit()
        sent = _send(session_factory, Settings(database_url=db_url), NOW)
        assert (sent.tried, sent.delivered) == (1, 1)
        (got,) = desk.accepted()
        assert desk.unauthorised == desk.rejected == 0
        assert got.authorization == f"Bearer {tokens.issued()[0]}"
