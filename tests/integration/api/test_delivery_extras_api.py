"""Delivery extras over HTTP on both engines: the Idempotency-Key on acknowledgements, a test
event sent now to a real receiver that verifies it with ``standardwebhooks``, the endpoint's
description and operational-events flag, and the operational notices (own partner only)."""

from __future__ import annotations

import datetime as dt
import json
import typing
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import orm
from standardwebhooks import webhooks as reference

from api import app as api_app
from api.keys import domain as key_domain
from api.schemas import ops_notices as notice_schemas
from api.schemas import partner as partner_schemas
from core import ids
from core.settings import Settings
from notify import delivery_extras_tables as extras_tables
from notify import delivery_repository, delivery_tables
from notify.tables import outbox, registry
from tests.integration.api import http_world
from tests.support import outbox_world, receivers

Role = key_domain.Role
NOW = dt.datetime.now(dt.UTC)


world = outbox_world.two_partners_fixture(NOW)


@pytest.fixture
def client(db_url: str, world: outbox_world.World) -> Iterator[TestClient]:
    settings = Settings(database_url=db_url, allow_private_webhook_targets=True)
    with TestClient(api_app.create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


_key = http_world.auth


def _sent(session: orm.Session, world: outbox_world.World, partner: str) -> str:
    delivery = world.enqueue(session, partner=partner, subject_id=ids.new_id(), now=NOW)
    delivery.state = "delivered"
    session.commit()
    return delivery.id


def test_an_idempotency_key_replays_the_first_answer_and_refuses_a_different_body(
    client: TestClient, session: orm.Session, world: outbox_world.World
) -> None:
    delivery_id = _sent(session, world, "P0")
    partner = _key(session, Role.PARTNER, partner_id="P0")
    url = f"/v1/deliveries/{delivery_id}/ack"
    ask = {"outcome": "needs_info", "reason_code": "NO_DATE", "message": "Which date?"}
    keyed = partner | {"Idempotency-Key": "ack-1"}
    first = client.post(url, json=ask, headers=keyed)
    assert first.status_code == 201, first.text
    again = client.post(url, json=dict(reversed(list(ask.items()))), headers=keyed)
    assert (again.status_code, again.json()) == (201, first.json())  # the stored answer, as given
    other = client.post(url, json={"outcome": "applied"}, headers=keyed)
    assert other.status_code == 422
    assert other.headers["content-type"].startswith("application/problem+json")
    assert other.json()["code"] == "idempotency_key_mismatch"
    applied = client.post(
        url, json={"outcome": "applied"}, headers=partner | {"Idempotency-Key": "ack-2"}
    )
    assert applied.status_code == 201 and applied.json()["supersedes_ack_id"] == first.json()["id"]
    # a key is the partner's: another partner using the same key is not answered from it
    foreign = client.post(
        url,
        json=ask,
        headers=_key(session, Role.PARTNER, partner_id="P1") | {"Idempotency-Key": "ack-1"},
    )
    assert foreign.status_code == 404
    log = client.get("/v1/deliveries", headers=partner).json()["items"]
    assert [(i["id"], i["ack"]["outcome"]) for i in log] == [(delivery_id, "applied")]


def _point_at(session: orm.Session, endpoint_id: str, url: str) -> None:
    endpoint = session.get(registry.Endpoint, endpoint_id)
    assert endpoint is not None
    endpoint.url = url
    session.commit()


def test_a_test_event_is_signed_sent_now_and_answered_without_a_ledger_line(
    client: TestClient, session: orm.Session, world: outbox_world.World
) -> None:
    partner = _key(session, Role.PARTNER, partner_id="P0")
    endpoint_id = world.endpoints["P0"]
    before = session.scalar(sa.select(sa.func.count()).select_from(outbox.Disclosure))
    with receivers.Receiver([world.secrets["P0"]]) as receiver:
        _point_at(session, endpoint_id, receiver.url)
        answer = client.post(f"/v1/endpoints/{endpoint_id}/test", headers=partner)
        assert answer.status_code == 200, answer.text
        result = answer.json()
        assert (result["delivered"], result["http_status"], result["error_kind"]) == (
            True,
            204,
            None,
        )
        (got,) = receiver.requests()
        assert receiver.rejected == 0 and got.webhook_id == result["webhook_id"]
        assert got.event["type"] == "uk.gov.example.addresshub.endpoint.test"
        assert set(got.event["data"]) == {"nonce"}
        receiver.answer(receivers.status(500, body="receiver is broken"))
        failed = client.post(f"/v1/endpoints/{endpoint_id}/test", headers=partner).json()
        assert (failed["delivered"], failed["http_status"]) == (False, 500)
        assert "receiver is broken" in (failed["response_excerpt"] or "")
        foreign = client.post(
            f"/v1/endpoints/{endpoint_id}/test",
            headers=_key(session, Role.PARTNER, partner_id="P1"),
        )
        assert foreign.status_code == 404 and len(receiver.requests()) == 2
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count()).select_from(outbox.Disclosure)) == before
    endpoint = session.get(registry.Endpoint, endpoint_id)
    assert endpoint is not None and endpoint.status == "active"


def test_an_endpoint_keeps_a_description_and_its_operational_events_choice(
    client: TestClient, session: orm.Session, world: outbox_world.World
) -> None:
    partner = _key(session, Role.PARTNER, partner_id="P0")
    made = client.post(
        "/v1/endpoints",
        json={
            "url": "https://ops.p0.example/h",
            "description": "Ops desk",
            "operational_events": True,
        },
        headers=partner,
    )
    assert made.status_code == 201, made.text
    created = made.json()["endpoint"]
    assert (created["description"], created["operational_events"]) == ("Ops desk", True)
    changed = client.patch(
        f"/v1/endpoints/{created['endpoint_id']}",
        json={"description": "", "operational_events": False},
        headers=partner,
    ).json()
    assert (changed["description"], changed["operational_events"]) == (None, False)
    listed = client.get("/v1/endpoints", headers=partner).json()["items"]
    assert {i["endpoint_id"]: i["operational_events"] for i in listed} == {
        world.endpoints["P0"]: False,
        created["endpoint_id"]: False,
    }


def test_ops_notices_are_shown_to_their_own_partner_and_to_admins(
    client: TestClient, session: orm.Session, world: outbox_world.World
) -> None:
    for partner_id in ("P0", "P1", "P0"):
        delivery_repository.add_notice(session, kind="endpoint.disabled", partner_id=partner_id,
                                       endpoint_id=world.endpoints[partner_id],
                                       detail={"reason": "gone_410"}, now=NOW)  # fmt: skip
    delivery_repository.add_notice(session, kind="endpoint.recovered", partner_id="P0", now=NOW)
    session.commit()
    mine = client.get("/v1/ops-notices", headers=_key(session, Role.PARTNER, partner_id="P0"))
    assert mine.status_code == 200, mine.text
    items = mine.json()["items"]
    assert sorted(i["kind"] for i in items) == [
        "endpoint.disabled",
        "endpoint.disabled",
        "endpoint.recovered",
    ]
    assert {i["partner_id"] for i in items} == {"P0"}
    assert {"reason": "gone_410"} in [i["detail"] for i in items]
    admin = _key(session, Role.ADMIN)
    page = client.get("/v1/ops-notices", params={"limit": 3}, headers=admin).json()
    rest = client.get(
        "/v1/ops-notices", params={"after": page["next_cursor"]}, headers=admin
    ).json()
    assert len(page["items"]) + len(rest["items"]) == 4 and rest["next_cursor"] is None
    kind = client.get("/v1/ops-notices", params={"kind": "endpoint.recovered"}, headers=admin)
    assert [i["partner_id"] for i in kind.json()["items"]] == ["P0"]
    unknown = client.get("/v1/ops-notices", params={"kind": "endpoint.down"}, headers=admin)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "kind"
    assert client.get("/v1/ops-notices", headers=_key(session, Role.AGENT)).status_code == 403
    assert json.loads(json.dumps(items))[0]["sent_at"] is None


def _signed(secret: str, msg_id: str, body: str, at: dt.datetime) -> dict[str, str]:
    signature = reference.Webhook(secret).sign(msg_id, at, body)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
    }


def test_once_a_partner_has_an_ack_secret_its_acks_must_be_signed(
    client: TestClient, session: orm.Session, world: outbox_world.World
) -> None:
    delivery_id = _sent(session, world, "P0")
    partner = _key(session, Role.PARTNER, partner_id="P0")
    url = f"/v1/deliveries/{delivery_id}/ack"
    issued = client.post(f"/v1/endpoints/{world.endpoints['P0']}/ack-secret", headers=partner)
    assert issued.status_code == 200, issued.text
    secret = issued.json()["secret"]
    assert secret.startswith("whsec_") and secret != world.secrets["P0"]
    body = json.dumps({"outcome": "applied", "partner_case_ref": "CT-9"})
    unsigned = client.post(
        url, content=body, headers=partner | {"content-type": "application/json"}
    )
    assert unsigned.status_code == 401 and unsigned.json()["code"] == "signature_mismatch"
    now = dt.datetime.now(dt.UTC)
    wrong = _signed(world.secrets["P0"], "msg_ack1", body, now)  # the outbound secret: not this
    assert client.post(url, content=body, headers=partner | wrong).status_code == 401
    tampered = _signed(secret, "msg_ack1", body.replace("CT-9", "CT-8"), now)
    assert client.post(url, content=body, headers=partner | tampered).status_code == 401
    stale = _signed(secret, "msg_ack1", body, now - dt.timedelta(minutes=10))
    assert client.post(url, content=body, headers=partner | stale).status_code == 401
    good = client.post(url, content=body, headers=partner | _signed(secret, "msg_ack1", body, now))
    assert good.status_code == 201, good.text
    later = now + dt.timedelta(seconds=30)
    again = client.post(
        url, content=body, headers=partner | _signed(secret, "msg_ack1", body, later)
    )
    assert (again.status_code, again.json()) == (201, good.json())
    log = client.get("/v1/deliveries", headers=partner).json()["items"]
    assert [(i["ack"]["outcome"], i["ack"]["partner_case_ref"]) for i in log] == [
        ("applied", "CT-9")
    ]
    other = _sent(session, world, "P1")  # a partner without an ack secret may still ack unsigned
    plain = client.post(
        f"/v1/deliveries/{other}/ack",
        json={"outcome": "not_known"},
        headers=_key(session, Role.PARTNER, partner_id="P1"),
    )
    assert plain.status_code == 201


def test_a_signed_ack_keeps_its_webhook_id_and_a_repeat_after_a_day_is_the_same_ack(
    client: TestClient, session: orm.Session, world: outbox_world.World
) -> None:
    delivery_id = _sent(session, world, "P0")
    partner = _key(session, Role.PARTNER, partner_id="P0")
    url = f"/v1/deliveries/{delivery_id}/ack"
    secret = client.post(
        f"/v1/endpoints/{world.endpoints['P0']}/ack-secret", headers=partner
    ).json()["secret"]
    ask = {
        "outcome": "needs_info",
        "message": {"en": "Which date?", "cy": "Pa ddyddiad?"},
        "fields_applied": [outbox_world.FIELDS[0]],
    }
    body = json.dumps(ask)
    now = dt.datetime.now(dt.UTC)
    first = client.post(url, content=body, headers=partner | _signed(secret, "msg_w1", body, now))
    assert first.status_code == 201, first.text
    shown = first.json()
    assert (shown["ack_webhook_id"], shown["message"], shown["message_cy"]) == (
        "msg_w1",
        "Which date?",
        "Pa ddyddiad?",
    )
    assert shown["fields_applied"] == [outbox_world.FIELDS[0]]
    session.execute(sa.text("DELETE FROM idempotency_record"))  # 24 h later: only the ack is left
    session.commit()
    again = client.post(url, content=body, headers=partner | _signed(secret, "msg_w1", body, now))
    assert (again.status_code, again.json()) == (200, shown)
    count = sa.select(sa.func.count()).select_from(sa.table("partner_ack"))
    assert session.scalar(count) == 1
    session.execute(sa.text("DELETE FROM idempotency_record"))
    session.commit()
    other = json.dumps({"outcome": "applied"})
    reused = client.post(
        url, content=other, headers=partner | _signed(secret, "msg_w1", other, now)
    )
    assert (reused.status_code, reused.json()["code"]) == (422, "idempotency_key_mismatch")
    unknown = json.dumps({"outcome": "applied", "fields_applied": ["NOT_A_GROUP"]})
    refused = client.post(
        url, content=unknown, headers=partner | _signed(secret, "msg_w2", unknown, now)
    )
    assert refused.status_code == 422, refused.text
    final = client.post(url, content=other, headers=partner | _signed(secret, "msg_w3", other, now))
    assert final.status_code == 201 and final.json()["supersedes_ack_id"] == shown["id"]
    assert session.scalar(count) == 2


def test_the_delivery_log_filters_by_state_and_refuses_an_unknown_one(
    client: TestClient, session: orm.Session, world: outbox_world.World
) -> None:
    sent = _sent(session, world, "P0")
    waiting = world.enqueue(session, partner="P0", subject_id=ids.new_id(), now=NOW).id
    session.commit()
    partner = _key(session, Role.PARTNER, partner_id="P0")
    for state, wanted in (("delivered", [sent]), ("pending", [waiting]), ("dead", [])):
        page = client.get("/v1/deliveries", params={"status": state}, headers=partner)
        assert [i["id"] for i in page.json()["items"]] == wanted, state
    refused = client.get("/v1/deliveries", params={"status": "failed"}, headers=partner)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    (problem,) = refused.json()["errors"]
    assert problem["field"] == "status" and "dead" in problem["detail"], problem


def test_the_list_filters_take_exactly_the_tables_values() -> None:
    assert typing.get_args(partner_schemas.DeliveryState) == outbox.DELIVERY_STATES
    assert typing.get_args(partner_schemas.FileBatchState) == extras_tables.BATCH_STATES
    assert typing.get_args(notice_schemas.NoticeKind) == delivery_tables.NOTICE_KINDS


def test_a_bearer_token_is_set_never_shown_sent_with_test_events_and_removed(
    client: TestClient, session: orm.Session, world: outbox_world.World
) -> None:
    partner = _key(session, Role.PARTNER, partner_id="P0")
    endpoint_id = world.endpoints["P0"]
    url = f"/v1/endpoints/{endpoint_id}"
    bad = client.patch(url, json={"bearer_token": "has a space"}, headers=partner)
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "bearer_token")
    with receivers.Receiver([world.secrets["P0"]]) as receiver:
        _point_at(session, endpoint_id, receiver.url)
        set_ = client.patch(url, json={"bearer_token": "gw.Token-42~="}, headers=partner)
        assert set_.status_code == 200 and set_.json()["auth"] == "bearer"
        assert "gw.Token-42" not in set_.text
        listed = client.get("/v1/endpoints", headers=partner).text
        assert '"auth":"bearer"' in listed and "gw.Token-42" not in listed
        assert client.post(f"{url}/test", headers=partner).json()["delivered"] is True
        cleared = client.patch(url, json={"bearer_token": ""}, headers=partner)
        assert cleared.json()["auth"] == "none"
        client.post(f"{url}/test", headers=partner)
        assert [r.authorization for r in receiver.requests()] == ["Bearer gw.Token-42~=", None]


def test_a_partner_validates_its_pending_endpoint_and_it_becomes_active(
    client: TestClient, session: orm.Session, world: outbox_world.World
) -> None:
    partner = _key(session, Role.PARTNER, partner_id="P0")
    endpoint_id = world.endpoints["P0"]
    url = f"/v1/endpoints/{endpoint_id}/validate"
    endpoint = session.get(registry.Endpoint, endpoint_id)
    assert endpoint is not None
    endpoint.status = "pending_validation"
    session.commit()
    with receivers.Receiver([world.secrets["P0"]]) as receiver:
        _point_at(session, endpoint_id, receiver.url)
        receiver.allowed_origin = None  # the receiver does not agree (yet)
        refused = client.post(url, headers=partner)
        assert (refused.status_code, refused.json()["code"]) == (409, "validation_failed")
        assert "handshake answered 403" in refused.json()["detail"]
        assert client.get("/v1/endpoints", headers=partner).json()["items"][0]["status"] == (
            "pending_validation"
        )
        foreign = client.post(url, headers=_key(session, Role.PARTNER, partner_id="P1"))
        assert foreign.status_code == 404
        receiver.allowed_origin, receiver.allowed_rate = "*", "120"
        done = client.post(url, headers=partner)
        assert done.status_code == 200, done.text
        assert done.json()["status"] == "active"
        (test_event,) = receiver.requests()  # signed, and verified by the receiver
        assert receiver.rejected == 0 and test_event.event["type"].endswith(".endpoint.test")
        again = client.post(url, headers=partner)
        assert (again.status_code, again.json()["code"]) == (409, "endpoint_state_conflict")
    session.expire_all()
    state = session.get(delivery_tables.EndpointState, endpoint_id)
    assert state is not None and state.rate_limit_per_s == 2.0  # WebHook-Allowed-Rate 120/min
