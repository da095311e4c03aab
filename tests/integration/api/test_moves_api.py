"""The moves API on both engines: 202 with reference, plan and receipt token; status for the
citizen's own move only; explain; consent withdrawal; idempotency for agents and partners."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import orm

from api import app as api_app
from api.keys import domain as key_domain
from api.keys import service as keys
from core import clock as clocks
from core.settings import Settings
from tests.integration import sharing_world as w

Role = key_domain.Role


@pytest.fixture
def client(db_url: str, session: orm.Session) -> Iterator[TestClient]:
    w.seed(session)
    app = api_app.create_app(Settings(database_url=db_url))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _key(session: orm.Session, role: Role, **binding: str) -> dict[str, str]:
    issued = keys.create_key(
        session=session,
        settings=Settings(),
        clock=clocks.SystemClock(),
        role=role,
        **binding,
    )
    session.commit()
    return {"Authorization": f"Bearer {issued.plaintext}"}


def _body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "person": {"given_name": "Ada", "family_name": "Lovelace"},
        "household": [
            {
                "person": {"given_name": "Bo", "family_name": "Lovelace"},
                "authority": "permission_obtained",
                "statement_version": "decl-1",
            }
        ],
        "old_uprn": w.OLD_UPRN,
        "new_uprn": w.NEW_UPRN,
        "move_date": dt.date.today().isoformat(),
        "recipients": [
            {"service": "NEWTOWN-DC/LIBRARIES", "selected": True, "consent": True},
            {"service": "NEWTOWN-DC/COUNCIL_TAX", "answers": {"adults": 2}},
        ],
    }
    return body | changes


def test_report_a_move_then_read_and_withdraw_with_the_receipt_token(
    client: TestClient, session: orm.Session
) -> None:
    answer = client.post("/v1/moves", json=_body(), headers=_key(session, Role.ADMIN))
    assert answer.status_code == 202, answer.text
    accepted = answer.json()
    reference, token = accepted["reference"], accepted["receipt_token"]
    plan = {c["partner_service_id"]: c["decision"] for c in accepted["plan"]["candidates"]}
    assert plan["NEWTOWN-DC/LIBRARIES"] == "send" and plan["OLDTOWN-BC/COUNCIL_TAX"] == "send"
    citizen = {"Authorization": f"Bearer {token}"}
    status = client.get(f"/v1/moves/{reference}", headers=citizen)
    assert status.status_code == 200
    recipients = {r["partner_service_id"]: r for r in status.json()["recipients"]}
    library = recipients["NEWTOWN-DC/LIBRARIES"]
    assert library["status"] == "planned" and library["consent_id"]
    withdrawn = client.post(
        f"/v1/moves/{reference}/consents/{library['consent_id']}/withdraw", headers=citizen
    )
    assert withdrawn.status_code == 200
    assert withdrawn.json()["cancelled"] == 1
    after = client.get(f"/v1/moves/{reference}", headers=citizen).json()
    statuses = {r["partner_service_id"]: r["status"] for r in after["recipients"]}
    assert statuses["NEWTOWN-DC/LIBRARIES"] == "not_sent"
    assert statuses["NEWTOWN-DC/COUNCIL_TAX"] == "planned"


def test_a_receipt_token_reads_only_its_own_move(client: TestClient, session: orm.Session) -> None:
    admin = _key(session, Role.ADMIN)
    first = client.post("/v1/moves", json=_body(), headers=admin).json()
    second = client.post("/v1/moves", json=_body(), headers=admin).json()
    citizen = {"Authorization": f"Bearer {first['receipt_token']}"}
    assert client.get(f"/v1/moves/{second['reference']}", headers=citizen).status_code == 403
    assert client.get("/v1/moves/COA-0000-0000", headers=admin).status_code == 404
    assert client.post("/v1/moves", json=_body(), headers=citizen).status_code == 403


def test_agents_need_an_idempotency_key_and_replays_are_one_submission(
    client: TestClient, session: orm.Session
) -> None:
    agent = _key(session, Role.AGENT)
    missing = client.post("/v1/moves", json=_body(), headers=agent)
    assert missing.status_code == 422
    assert missing.json()["code"] == "idempotency_key_required"
    headers = agent | {"Idempotency-Key": "call-42"}
    first = client.post("/v1/moves", json=_body(), headers=headers).json()
    again = client.post("/v1/moves", json=_body(), headers=headers)
    assert again.status_code == 202
    assert again.json()["reference"] == first["reference"]
    assert again.json()["plan"] is None and again.json()["receipt_token"] is None


def test_partners_report_only_for_their_own_services(
    client: TestClient, session: orm.Session
) -> None:
    partner = _key(session, Role.PARTNER, partner_id="OLDTOWN-BC") | {"Idempotency-Key": "p-1"}
    other = client.post(
        "/v1/moves", json=_body(source_service="NEWTOWN-DC/COUNCIL_TAX"), headers=partner
    )
    assert other.status_code == 403
    own = client.post(
        "/v1/moves",
        json=_body(source_service="OLDTOWN-BC/COUNCIL_TAX", household=[]),
        headers=partner,
    )
    assert own.status_code == 202, own.text
    reasons = {
        c["partner_service_id"]: [r["code"] for r in c["reasons"]]
        for c in own.json()["plan"]["candidates"]
    }
    assert reasons["NEWTOWN-DC/COUNCIL_TAX"] == ["SOURCE_RESTRICTED"]


def test_explain_is_a_dry_run_for_the_dpo(client: TestClient, session: orm.Session) -> None:
    dpo = _key(session, Role.DPO)
    answer = client.post("/v1/moves/explain", json=_body(recipients=[]), headers=dpo)
    assert answer.status_code == 200, answer.text
    plan = answer.json()
    assert plan["format"] == "explain/1" and plan["phase"] == "explain"
    library = next(c for c in plan["candidates"] if c["service"] == "LIBRARIES")
    assert library["decision"] == "ask"
    assert client.post("/v1/moves", json=_body(), headers=dpo).status_code == 403


def test_invalid_moves_are_problems(client: TestClient, session: orm.Session) -> None:
    admin = _key(session, Role.ADMIN)
    same = client.post("/v1/moves", json=_body(old_uprn=w.NEW_UPRN), headers=admin)
    assert (same.status_code, same.json()["code"]) == (422, "invalid_move")
    bad_uprn = client.post("/v1/moves", json=_body(new_uprn=0), headers=admin)
    assert bad_uprn.status_code == 422
