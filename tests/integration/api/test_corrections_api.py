"""Correcting a move through the API on both engines: the citizen's receipt token corrects its
own move, an earlier recipient gets a ``corrected`` event, agents need an Idempotency-Key and
correct only what they reported, and a replay writes nothing new."""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import orm

from notify import codes
from notify.tables import moves as m
from notify.tables import outbox as o
from tests.integration.api.test_move_withdrawal_api import _deliver
from tests.integration.api.test_moves_api import Role, _body, _key, client

__all__ = ["client"]


def _plain_body() -> dict[str, object]:
    """The moves API test body, without answers to service questions."""
    body = _body()
    body["recipients"] = [
        {k: v for k, v in r.items() if k != "answers"} for r in body["recipients"]
    ]
    return body


def test_the_citizen_corrects_the_move_date_and_the_earlier_recipient_is_told(
    client: TestClient, session: orm.Session
) -> None:
    accepted = client.post("/v1/moves", json=_plain_body(), headers=_key(session, Role.ADMIN))
    assert accepted.status_code == 202, accepted.text
    reference = accepted.json()["reference"]
    citizen = {"Authorization": f"Bearer {accepted.json()['receipt_token']}"}
    sent_id = _deliver(session, "NEWTOWN-DC/COUNCIL_TAX")
    new_date = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    answer = client.post(
        f"/v1/moves/{reference}/corrections", json={"move_date": new_date}, headers=citizen
    )
    assert answer.status_code == 202, answer.text
    result = answer.json()
    assert (result["reference"], result["version"], result["replayed"]) == (reference, 2, False)
    assert result["corrected"] == 1 and result["notices"] == 0 and result["cancelled"] >= 1
    assert result["plan"]["version"] == 2
    session.rollback()
    corrected = session.scalars(
        sa.select(o.Delivery).where(o.Delivery.event_type == codes.CORRECTED)
    ).one()
    assert corrected.partner_service_id == "NEWTOWN-DC/COUNCIL_TAX"
    data = json.loads(corrected.body or b"{}")["data"]
    assert data["corrects"] == sent_id and data["move_date"] == new_date
    status = client.get(f"/v1/moves/{reference}", headers=citizen).json()
    assert status["version"] == 2 and status["move_date"] == new_date
    versions = session.execute(
        sa.select(
            m.ChangeSubmission.status,
            m.ChangeSubmission.corrected_by_kind,
            m.ChangeSubmission.corrected_by.is_not(None),
        )
        .where(m.ChangeSubmission.reference == reference)
        .order_by(m.ChangeSubmission.version)
    ).all()
    assert [tuple(v) for v in versions] == [
        ("superseded", None, False),
        ("submitted", "citizen", True),
    ]


def test_who_may_correct_and_replays(client: TestClient, session: orm.Session) -> None:
    agent = _key(session, Role.AGENT)
    reported = client.post(
        "/v1/moves", json=_plain_body(), headers=agent | {"Idempotency-Key": "call-1"}
    ).json()
    reference = reported["reference"]
    fix = {"contact": None}
    path = f"/v1/moves/{reference}/corrections"
    missing = client.post(path, json=fix, headers=agent)
    assert missing.status_code == 422 and missing.json()["code"] == "idempotency_key_required"
    other_agent = _key(session, Role.AGENT) | {"Idempotency-Key": "fix-1"}
    assert client.post(path, json=fix, headers=other_agent).status_code == 403
    first = client.post(path, json=fix, headers=agent | {"Idempotency-Key": "fix-1"})
    again = client.post(path, json=fix, headers=agent | {"Idempotency-Key": "fix-1"})
    assert first.status_code == again.status_code == 202
    assert first.json()["version"] == again.json()["version"] == 2
    assert again.json()["replayed"] is True and again.json()["plan"] is None
    reused = client.post(path, json=fix, headers=agent | {"Idempotency-Key": "call-1"})
    assert reused.status_code == 409 and reused.json()["code"] == "idempotency_key_reused"
    admin = _key(session, Role.ADMIN)
    assert client.post(path, json={}, headers=admin).json()["code"] == "nothing_to_correct"
    removed = client.post(path, json={"new_uprn": None}, headers=admin)
    assert removed.status_code == 422
    other = client.post("/v1/moves", json=_plain_body(), headers=admin).json()
    citizen = {"Authorization": f"Bearer {other['receipt_token']}"}
    assert client.post(path, json=fix, headers=citizen).status_code == 403
    unknown = client.post("/v1/moves/COA-0000-0000/corrections", json=fix, headers=admin)
    assert unknown.status_code == 404
