"""Withdrawing a whole move through the API on both engines: queued deliveries are cancelled,
an earlier recipient gets exactly one ``withdrawn`` notice, and a second call changes nothing."""

from __future__ import annotations

import json

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import orm

from notify import codes
from notify.tables import outbox as o
from tests.integration.api.test_moves_api import Role, _body, _key, client

__all__ = ["client"]


def _deliver(session: orm.Session, service: str) -> str:
    """What the worker does on a 2xx: the delivery is delivered and its line disclosed."""
    delivery = session.scalars(
        sa.select(o.Delivery).where(o.Delivery.partner_service_id == service)
    ).one()
    delivery.state = "delivered"
    line = session.scalars(
        sa.select(o.Disclosure).where(o.Disclosure.delivery_id == delivery.id)
    ).one()
    line.outcome, line.disclosed_at = "disclosed", delivery.created_at
    session.commit()
    return delivery.id


def test_withdrawing_a_move_cancels_queued_rows_and_tells_earlier_recipients(
    client: TestClient, session: orm.Session
) -> None:
    accepted = client.post("/v1/moves", json=_body(), headers=_key(session, Role.ADMIN)).json()
    reference = accepted["reference"]
    citizen = {"Authorization": f"Bearer {accepted['receipt_token']}"}
    sent_id = _deliver(session, "NEWTOWN-DC/COUNCIL_TAX")
    queued = session.scalar(
        sa.select(sa.func.count()).select_from(o.Delivery).where(o.Delivery.state == "pending")
    )
    answer = client.post(f"/v1/moves/{reference}/withdraw", headers=citizen)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "reference": reference, "already_withdrawn": False, "cancelled": queued, "notices": 1,
    }  # fmt: skip
    session.rollback()  # a fresh snapshot: the API committed in its own session
    states = {r.id: r.state for r in session.execute(sa.select(o.Delivery.id, o.Delivery.state))}
    notices = session.scalars(
        sa.select(o.Delivery).where(o.Delivery.event_type == codes.WITHDRAWN)
    ).all()
    assert [n.partner_service_id for n in notices] == ["NEWTOWN-DC/COUNCIL_TAX"]
    data = json.loads(notices[0].body or b"{}")["data"]
    assert data["prior_events"][0]["id"] == sent_id and data["reason"] == "citizen_withdrew"
    others = {k: v for k, v in states.items() if k not in {sent_id, notices[0].id}}
    assert others and set(others.values()) == {"cancelled"}
    bodies = session.scalars(sa.select(o.Delivery.body).where(o.Delivery.state == "cancelled"))
    assert set(bodies) == {None}
    status = client.get(f"/v1/moves/{reference}", headers=citizen).json()
    assert status["status"] == "withdrawn"
    again = client.post(f"/v1/moves/{reference}/withdraw", headers=citizen).json()
    assert again["already_withdrawn"] is True and again["notices"] == 0


def test_a_receipt_token_withdraws_only_its_own_move(
    client: TestClient, session: orm.Session
) -> None:
    admin = _key(session, Role.ADMIN)
    first = client.post("/v1/moves", json=_body(), headers=admin).json()
    second = client.post("/v1/moves", json=_body(), headers=admin).json()
    other = {"Authorization": f"Bearer {second['receipt_token']}"}
    assert client.post(f"/v1/moves/{first['reference']}/withdraw", headers=other).status_code == 403
    assert client.post("/v1/moves/COA-0000-0000/withdraw", headers=admin).status_code == 404


def test_a_move_the_council_withdraws_was_submitted_in_error(
    client: TestClient, session: orm.Session
) -> None:
    admin = _key(session, Role.ADMIN)
    reference = client.post("/v1/moves", json=_body(), headers=admin).json()["reference"]
    _deliver(session, "NEWTOWN-DC/COUNCIL_TAX")
    assert client.post(f"/v1/moves/{reference}/withdraw", headers=admin).json()["notices"] == 1
    session.rollback()  # a fresh snapshot: the API committed in its own session
    notice = session.scalars(
        sa.select(o.Delivery).where(o.Delivery.event_type == codes.WITHDRAWN)
    ).one()
    assert json.loads(notice.body or b"{}")["data"]["reason"] == "submitted_in_error"
