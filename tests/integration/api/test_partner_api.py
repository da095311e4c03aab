"""The partner side on both engines: the delivery log (own partner only, admins see all),
business acknowledgements (stored, idempotent, final outcomes refuse a change, shown in the
citizen's move status) and the pull feed (signed bytes in order, commit marks delivered)."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import orm

from api import app as api_app
from api.keys import domain as key_domain
from core import ids
from core.settings import Settings
from notify import partner_tables as pt
from notify import signing
from notify.tables import outbox, registry
from tests.integration.api import http_world
from tests.support import outbox_world

Role = key_domain.Role
NOW = dt.datetime.now(dt.UTC)


world = outbox_world.two_partners_fixture(NOW)


@pytest.fixture
def client(db_url: str, world: outbox_world.World) -> Iterator[TestClient]:
    app = api_app.create_app(Settings(database_url=db_url))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


_key = http_world.auth


def _sent(session: orm.Session, world: outbox_world.World, partner: str) -> str:
    delivery = world.enqueue(session, partner=partner, subject_id=ids.new_id(), now=NOW)
    delivery.state = "delivered"
    session.commit()
    return delivery.id


def test_the_log_shows_a_partner_only_its_own_deliveries_and_an_admin_all(
    client: TestClient, session: orm.Session, world: outbox_world.World
) -> None:
    mine = [_sent(session, world, "P0") for _ in range(3)]
    theirs = _sent(session, world, "P1")
    partner = _key(session, Role.PARTNER, partner_id="P0")
    first = client.get("/v1/deliveries", params={"limit": 2}, headers=partner)
    assert first.status_code == 200, first.text
    page = first.json()
    rest = client.get("/v1/deliveries", params={"after": page["next_cursor"]}, headers=partner)
    seen = [i["id"] for i in page["items"]] + [i["id"] for i in rest.json()["items"]]
    assert seen == sorted(mine) and rest.json()["next_cursor"] is None
    admin = client.get("/v1/deliveries", headers=_key(session, Role.ADMIN)).json()
    assert {i["id"] for i in admin["items"]} == {*mine, theirs}
    pending = client.get("/v1/deliveries", params={"status": "pending"}, headers=partner)
    assert pending.json()["items"] == []
    later = (NOW + dt.timedelta(hours=1)).isoformat()
    assert (
        client.get("/v1/deliveries", params={"since": later}, headers=partner).json()["items"] == []
    )
    agent = client.get("/v1/deliveries", headers=_key(session, Role.AGENT))
    assert agent.status_code == 403


def test_the_log_is_searched_by_partner_endpoint_and_time(
    client: TestClient, session: orm.Session, world: outbox_world.World
) -> None:
    mine, theirs = _sent(session, world, "P0"), _sent(session, world, "P1")
    admin, partner = _key(session, Role.ADMIN), _key(session, Role.PARTNER, partner_id="P0")

    def ids_of(headers: dict[str, str], **params: str) -> list[str]:
        answer = client.get("/v1/deliveries", params=params, headers=headers)
        assert answer.status_code == 200, answer.text
        return [i["id"] for i in answer.json()["items"]]

    assert ids_of(admin, partner="P1") == [theirs]
    assert ids_of(admin, endpoint=world.endpoints["P0"]) == [mine]
    assert ids_of(partner, endpoint=world.endpoints["P1"]) == []  # never another's
    assert ids_of(partner, partner="P0") == [mine]
    before, after = (NOW - dt.timedelta(seconds=1)).isoformat(), NOW.isoformat()
    assert ids_of(admin, until=before) == []
    assert sorted(ids_of(admin, since=before, until=(NOW + dt.timedelta(1)).isoformat())) == sorted(
        [mine, theirs]
    )
    assert ids_of(admin, until=after) == []  # until is exclusive
    refused = client.get("/v1/deliveries", params={"partner": "P1"}, headers=partner)
    assert refused.status_code == 403, refused.text


def test_an_ack_is_stored_idempotent_final_and_only_for_own_deliveries(
    client: TestClient, session: orm.Session, world: outbox_world.World
) -> None:
    delivery_id = _sent(session, world, "P0")
    partner = _key(session, Role.PARTNER, partner_id="P0")
    ask = {"outcome": "needs_info", "reason_code": "NO_DATE", "message": "Which date?"}
    made = client.post(f"/v1/deliveries/{delivery_id}/ack", json=ask, headers=partner)
    assert made.status_code == 201, made.text
    again = client.post(f"/v1/deliveries/{delivery_id}/ack", json=ask, headers=partner)
    assert again.status_code == 200 and again.json()["id"] == made.json()["id"]
    applied = {"outcome": "applied", "partner_case_ref": "CT-1"}
    final = client.post(f"/v1/deliveries/{delivery_id}/ack", json=applied, headers=partner)
    assert final.status_code == 201 and final.json()["supersedes_ack_id"] == made.json()["id"]
    changed = client.post(
        f"/v1/deliveries/{delivery_id}/ack", json={"outcome": "rejected"}, headers=partner
    )
    assert changed.status_code == 409 and changed.json()["code"] == "ack_final"
    other = _key(session, Role.PARTNER, partner_id="P1")
    foreign = client.post(f"/v1/deliveries/{delivery_id}/ack", json=applied, headers=other)
    assert foreign.status_code == 404
    log = client.get("/v1/deliveries", headers=partner).json()["items"]
    assert log[0]["ack"]["outcome"] == "applied" and log[0]["ack"]["partner_case_ref"] == "CT-1"


def test_an_unsent_delivery_cannot_be_acknowledged(
    client: TestClient, session: orm.Session, world: outbox_world.World
) -> None:
    pending = world.enqueue(session, partner="P0", subject_id=ids.new_id(), now=NOW)
    session.commit()
    partner = _key(session, Role.PARTNER, partner_id="P0")
    answer = client.post(
        f"/v1/deliveries/{pending.id}/ack", json={"outcome": "applied"}, headers=partner
    )
    assert answer.status_code == 404
    bad = client.post(
        f"/v1/deliveries/{pending.id}/ack", json={"outcome": "maybe"}, headers=partner
    )
    assert bad.status_code == 422


def _pull(session: orm.Session, world: outbox_world.World, partner: str) -> None:
    subscription = registry.Subscription(
        id=ids.new_id(), partner_service_id=f"{partner}/COUNCIL_TAX", channel="pull",
        endpoint_id=None, event_types=[], status="active", created_at=NOW,
    )  # fmt: skip
    session.add(subscription)
    session.flush()
    world.subscriptions[partner] = subscription.id


def test_the_feed_serves_signed_bytes_in_order_and_commit_marks_them_delivered(
    client: TestClient, session: orm.Session, world: outbox_world.World
) -> None:
    _sent(session, world, "P0")  # a webhook delivery: not in the feed
    _pull(session, world, "P0")
    queued = [
        world.enqueue(session, partner="P0", subject_id=ids.new_id(), now=NOW) for _ in range(3)
    ]
    for delivery in queued:
        delivery.endpoint_id = None  # a pull subscription has no endpoint
    # what a worker does to a delivery without an endpoint: the feed still serves it
    queued[1].state, queued[1].hold_reason = "held", "ENDPOINT_DISABLED"
    session.commit()
    partner = _key(session, Role.PARTNER, partner_id="P0")
    first = client.get("/v1/feed", params={"limit": 2}, headers=partner)
    assert first.status_code == 200, first.text
    page = first.json()
    assert page["has_more"] is True
    assert [i["webhook_id"] for i in page["items"]] == [f"msg_{d.id}" for d in queued[:2]]
    item = page["items"][0]
    assert item["body"].encode() == queued[0].body
    key = signing.secret_key(world.secrets["P0"])
    assert queued[0].body is not None
    expected = signing.signature(key, item["webhook_id"], item["webhook_timestamp"], queued[0].body)
    assert item["webhook_signature"] == expected
    assert json.loads(item["body"])["id"] == queued[0].id
    # nothing committed yet: the same items come again
    again = client.get("/v1/feed", params={"limit": 2}, headers=partner).json()
    assert [i["webhook_id"] for i in again["items"]] == [i["webhook_id"] for i in page["items"]]
    done = client.post("/v1/feed/ack", json={"cursor": page["next_cursor"]}, headers=partner)
    assert done.status_code == 200 and done.json()["committed"] == 2
    queued[2].state, queued[2].body = "cancelled", None  # withdrawn after it was numbered
    session.commit()
    rest = client.get("/v1/feed", headers=partner).json()
    assert [(i["webhook_id"], i["tombstone"], i["body"]) for i in rest["items"]] == [
        (f"msg_{queued[2].id}", True, "")
    ]
    assert rest["has_more"] is False
    session.expire_all()
    states = [session.get(outbox.Delivery, d.id) for d in queued]
    assert [d.state for d in states if d] == ["delivered", "delivered", "cancelled"]
    ledger = session.scalars(
        sa.select(outbox.Disclosure).where(outbox.Disclosure.delivery_id == queued[0].id)
    ).one()
    assert ledger.outcome == "disclosed" and ledger.close_reason == "delivered"


def _pulled(session: orm.Session, world: outbox_world.World, count: int) -> list[outbox.Delivery]:
    """``count`` deliveries to P0 on a new pull subscription of its own, each in its own lane."""
    _pull(session, world, "P0")
    queued = [
        world.enqueue(session, partner="P0", subject_id=ids.new_id(), now=NOW) for _ in range(count)
    ]
    for delivery in queued:
        delivery.endpoint_id = None
    return queued


def test_each_pull_subscription_reads_and_commits_its_own_feed(
    client: TestClient, session: orm.Session, world: outbox_world.World
) -> None:
    webhook_subscription, foreign = world.subscriptions["P0"], world.subscriptions["P1"]
    first = _pulled(session, world, 2)
    first_id = world.subscriptions["P0"]
    second = _pulled(session, world, 2)
    second_id = world.subscriptions["P0"]
    session.commit()
    partner = _key(session, Role.PARTNER, partner_id="P0")

    def ids_of(subscription: str) -> list[str]:
        page = client.get("/v1/feed", params={"subscription": subscription}, headers=partner)
        assert page.status_code == 200, page.text
        return [item["webhook_id"] for item in page.json()["items"]]

    assert ids_of(first_id) == [f"msg_{d.id}" for d in first]
    page = client.get("/v1/feed", params={"subscription": first_id}, headers=partner).json()
    commit = {"cursor": page["next_cursor"], "subscription": first_id}
    done = client.post("/v1/feed/ack", json=commit, headers=partner)
    assert done.status_code == 200 and done.json()["committed"] == 2
    assert ids_of(first_id) == []
    assert ids_of(second_id) == [f"msg_{d.id}" for d in second]  # its place did not move
    session.expire_all()
    assert [session.get(outbox.Delivery, d.id).state for d in first + second] == [  # type: ignore[union-attr]
        "delivered", "delivered", "pending", "pending",
    ]  # fmt: skip
    fetched = session.get(pt.PartnerFeedCursor, "P0")
    assert fetched is not None and fetched.last_fetch_at is not None  # not stale
    for other in (webhook_subscription, foreign, "no-such-subscription"):
        refused = client.get("/v1/feed", params={"subscription": other}, headers=partner)
        assert (refused.status_code, refused.json()["code"]) == (404, "subscription_not_found")
        commit = {"cursor": page["next_cursor"], "subscription": other}
        refused = client.post("/v1/feed/ack", json=commit, headers=partner)
        assert (refused.status_code, refused.json()["code"]) == (404, "subscription_not_found")


def test_the_feed_refuses_a_foreign_cursor_and_other_roles(
    client: TestClient, session: orm.Session, world: outbox_world.World
) -> None:
    partner = _key(session, Role.PARTNER, partner_id="P0")
    beyond = base64.urlsafe_b64encode(b"99").decode().rstrip("=")
    assert client.post("/v1/feed/ack", json={"cursor": beyond}, headers=partner).status_code == 422
    assert client.get("/v1/feed", params={"after": "!!"}, headers=partner).status_code == 422
    assert client.get("/v1/feed", headers=_key(session, Role.ADMIN)).status_code == 403


class _LaterItem(threading.Thread):
    """While a long poll waits: lock the partner's feed cursor without waiting (PostgreSQL) and
    commit a new pull delivery (on SQLite that takes the write lock): neither may be held."""

    def __init__(self, session: orm.Session, world: outbox_world.World) -> None:
        super().__init__()
        self.session, self.world = session, world
        self.errors: list[BaseException] = []
        self.delivery_id = ""

    def run(self) -> None:
        time.sleep(1.5)
        try:
            if self.session.get_bind().dialect.name == "postgresql":
                cursor = pt.PartnerFeedCursor
                lock = sa.select(cursor).where(cursor.partner_id == "P0")
                assert self.session.scalars(lock.with_for_update(nowait=True)).one()
            delivery = self.world.enqueue(self.session, partner="P0", subject_id="late", now=NOW)
            delivery.endpoint_id, self.delivery_id = None, delivery.id
            self.session.commit()
        except BaseException as exc:  # reported to the test's thread
            self.errors.append(exc)


def test_a_long_poll_returns_an_item_that_arrives_while_it_waits(
    client: TestClient, session: orm.Session, world: outbox_world.World
) -> None:
    _pull(session, world, "P0")
    session.commit()
    partner = _key(session, Role.PARTNER, partner_id="P0")
    assert client.get("/v1/feed", params={"wait": 31}, headers=partner).status_code == 422
    statements: list[str] = []
    with _statements(statements):
        empty = client.get("/v1/feed", headers=partner)  # no wait: at once, empty
    assert empty.status_code == 200 and empty.json()["items"] == []
    if session.get_bind().dialect.name == "sqlite":  # a GET that writes takes the lock first
        assert "BEGIN IMMEDIATE" in statements
    later = _LaterItem(session, world)
    later.start()
    waited = client.get("/v1/feed", params={"wait": 20}, headers=partner)
    later.join(30)
    assert later.errors == []
    assert [i["webhook_id"] for i in waited.json()["items"]] == [f"msg_{later.delivery_id}"]


@contextlib.contextmanager
def _statements(into: list[str]) -> Iterator[None]:
    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        into.append(statement)

    sa.event.listen(sa.Engine, "before_cursor_execute", seen)
    try:
        yield
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", seen)


@contextlib.contextmanager
def _a_move(db_url: str, session: orm.Session) -> Iterator[tuple[TestClient, str, str]]:
    """The sharing world, an API over it and a move reported (the library opted into): the
    client, the move's reference and its receipt token."""
    from tests.integration import sharing_world

    sharing_world.seed(session)
    session.commit()
    app = api_app.create_app(Settings(database_url=db_url))
    with TestClient(app, raise_server_exceptions=False) as http:
        body = {
            "person": {"given_name": "Ada", "family_name": "Lovelace"},
            "old_uprn": sharing_world.OLD_UPRN,
            "new_uprn": sharing_world.NEW_UPRN,
            "move_date": dt.date.today().isoformat(),
            "recipients": [{"service": "NEWTOWN-DC/LIBRARIES", "selected": True, "consent": True}],
        }
        accepted = http.post("/v1/moves", json=body, headers=_key(session, Role.ADMIN))
        assert accepted.status_code == 202, accepted.text
        yield http, accepted.json()["reference"], accepted.json()["receipt_token"]


def test_an_ack_shows_in_the_citizens_move_status(db_url: str, session: orm.Session) -> None:
    with _a_move(db_url, session) as (http, reference, token):
        delivery = session.scalars(
            sa.select(outbox.Delivery).where(
                outbox.Delivery.partner_service_id == "NEWTOWN-DC/LIBRARIES"
            )
        ).one()
        delivery.state = "delivered"
        session.commit()
        partner = _key(session, Role.PARTNER, partner_id=delivery.partner_id)
        ack = {
            "outcome": "rejected",
            "reason_code": "NOT_A_MEMBER",
            "message": {"en": "Please join at the desk.", "cy": "Ymunwch wrth y ddesg."},
        }
        assert (
            http.post(f"/v1/deliveries/{delivery.id}/ack", json=ack, headers=partner).status_code
            == 201
        )
        status = http.get(f"/v1/moves/{reference}", headers={"Authorization": f"Bearer {token}"})
        recipients = {r["partner_service_id"]: r for r in status.json()["recipients"]}
        library = recipients["NEWTOWN-DC/LIBRARIES"]
        assert (library["partner_ack"], library["partner_ack_reason"]) == (
            "rejected",
            "NOT_A_MEMBER",
        )
        assert (library["partner_ack_message"], library["partner_ack_message_cy"]) == (
            "Please join at the desk.",
            "Ymunwch wrth y ddesg.",
        )
        assert all(
            r["partner_ack"] is None for k, r in recipients.items() if k != "NEWTOWN-DC/LIBRARIES"
        )


def test_a_delivery_unacknowledged_past_its_rules_days_shows_no_response_yet(
    db_url: str, session: orm.Session
) -> None:
    with _a_move(db_url, session) as (http, reference, token):
        citizen = {"Authorization": f"Bearer {token}"}
        query = sa.select(outbox.Delivery).where(outbox.Delivery.rule_id.is_not(None))
        deliveries = {d.partner_service_id: d for d in session.scalars(query)}
        library = deliveries["NEWTOWN-DC/LIBRARIES"]
        rule = session.get(registry.SharingRule, (library.rule_id, library.rule_version_planned))
        assert rule is not None
        days = dt.timedelta(days=rule.ack_expected_days)
        now = dt.datetime.now(dt.UTC)
        others = [d for k, d in deliveries.items() if k != "NEWTOWN-DC/LIBRARIES"]
        for delivery, sent in [(library, now - days - dt.timedelta(hours=1))] + [
            (d, now - days + dt.timedelta(hours=1)) for d in others
        ]:
            delivery.state, delivery.updated_at = "delivered", sent
        session.commit()

        def overdue() -> dict[str, bool]:
            got = http.get(f"/v1/moves/{reference}", headers=citizen).json()["recipients"]
            return {r["partner_service_id"]: r["partner_ack_overdue"] for r in got}

        assert overdue()["NEWTOWN-DC/LIBRARIES"] is True
        assert others and not any(overdue()[d.partner_service_id] for d in others)
        partner = _key(session, Role.PARTNER, partner_id=library.partner_id)
        acked = http.post(f"/v1/deliveries/{library.id}/ack", json={"outcome": "applied"},
                          headers=partner)  # fmt: skip
        assert acked.status_code == 201, acked.text
        assert overdue()["NEWTOWN-DC/LIBRARIES"] is False
