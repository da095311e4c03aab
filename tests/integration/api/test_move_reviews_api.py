"""Move blocks, the review queue and service questions over HTTP, on both engines: roles,
audit fields, problem+json errors naming the field, and each service's answers kept to it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import orm

from api.keys import domain as key_domain
from notify.tables import outbox as o
from tests.integration import sharing_world as w
from tests.integration.api import http_world

Role = key_domain.Role
PROBLEM = "application/problem+json"
CARD = {
    "id": "card",
    "label_en": "Library card number",
    "label_cy": "Rhif cerdyn llyfrgell",
    "type": "text",
    "required": True,
    "validation": {"pattern": "[0-9]{4}"},
}


client = pytest.fixture(http_world.seeded_client, name="client")
_key = http_world.auth


def _move(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "person": {"given_name": "Ada", "family_name": "Lovelace"},
        "old_uprn": w.OLD_UPRN,
        "new_uprn": w.NEW_UPRN,
        "move_date": dt.date.today().isoformat(),
        "recipients": [
            {"service": "NEWTOWN-DC/LIBRARIES", "selected": True, "consent": True,
             "answers": {"card": "1234"}},
            {"service": "NEWTOWN-DC/COUNCIL_TAX", "answers": {"adults": 2}},
        ],
    }  # fmt: skip
    return body | changes


def test_blocks_hold_moves_and_the_queue_releases_them(
    client: TestClient, session: orm.Session
) -> None:
    admin, custodian = _key(session, Role.ADMIN), _key(session, Role.CUSTODIAN)
    dpo, agent = _key(session, Role.DPO), _key(session, Role.AGENT)
    put = client.put(
        "/v1/services/NEWTOWN-DC/LIBRARIES/questions", json={"questions": [CARD]}, headers=dpo
    )
    assert put.status_code == 200, put.text
    refused = client.post("/v1/move-blocks", json={"uprn": w.NEW_UPRN}, headers=agent)
    assert refused.status_code == 403 and refused.headers["content-type"] == PROBLEM
    placed = client.post(
        "/v1/move-blocks", json={"uprn": w.NEW_UPRN, "reason": "fraud report"}, headers=custodian
    )
    assert placed.status_code == 201, placed.text
    block = placed.json()
    assert block["active"] and block["created_by"] and block["reason"] == "fraud report"

    accepted = client.post("/v1/moves", json=_move(), headers=admin)
    assert accepted.status_code == 202, accepted.text
    plan = {c["partner_service_id"]: c for c in accepted.json()["plan"]["candidates"]}
    assert plan["NEWTOWN-DC/LIBRARIES"]["decision"] == "hold"
    assert plan["NEWTOWN-DC/LIBRARIES"]["reasons"][0] == {
        "code": "MOVE_BLOCKED",
        "text": "We need to check this change before anyone is told.",
        "detail": None,
    }  # no block id or reason for the citizen
    reference, token = accepted.json()["reference"], accepted.json()["receipt_token"]
    citizen = {"Authorization": f"Bearer {token}"}
    assert client.get("/v1/move-reviews", headers=citizen).status_code == 403
    assert client.get("/v1/move-reviews", headers=agent).status_code == 403
    queue = client.get("/v1/move-reviews", headers=dpo).json()
    assert queue["count"] == 1 and queue["reviews"][0]["reference"] == reference
    review = queue["reviews"][0]
    assert review["reasons"] == [
        {"code": "MOVE_BLOCKED", "detail": {"block": block["id"], "side": "new_uprn"}}
    ]
    assert client.post(f"/v1/move-reviews/{review['id']}/release", headers=dpo).status_code == 403

    lifted = client.post(f"/v1/move-blocks/{block['id']}/lift", headers=custodian)
    assert lifted.status_code == 200 and not lifted.json()["active"]
    assert client.post(f"/v1/move-blocks/{block['id']}/lift", headers=custodian).status_code == 409
    assert client.get("/v1/move-blocks", headers=custodian).json()["count"] == 0
    assert client.get("/v1/move-blocks?state=all", headers=admin).json()["count"] == 1
    status = client.get(f"/v1/moves/{reference}", headers=citizen).json()
    libraries = next(r for r in status["recipients"] if r["service"] == "LIBRARIES")
    assert libraries["status"] == "delayed"  # lifting the block does not release a held move

    released = client.post(
        f"/v1/move-reviews/{review['id']}/release", json={"note": "checked"}, headers=custodian
    )
    assert released.status_code == 200, released.text
    assert released.json()["status"] == "released" and released.json()["note"] == "checked"
    again = client.post(f"/v1/move-reviews/{review['id']}/reject", headers=admin)
    assert again.status_code == 409 and again.json()["code"] == "move_review_decided"
    status = client.get(f"/v1/moves/{reference}", headers=citizen).json()
    assert "delayed" not in {r["status"] for r in status["recipients"]}
    unknown = client.post("/v1/move-reviews/nope/release", headers=admin)
    assert unknown.status_code == 404 and unknown.json()["code"] == "move_review_not_found"

    rows = list(session.scalars(sa.select(o.Delivery)))
    for row in rows:  # each service sees its own answers only, and only under SERVICE_ANSWERS
        data = json.loads(row.body or b"{}")["data"]
        own = {"NEWTOWN-DC/LIBRARIES": {"card": "1234"}, "NEWTOWN-DC/COUNCIL_TAX": {"adults": 2}}
        expected = (
            own.get(row.partner_service_id) if "SERVICE_ANSWERS" in row.fields_planned else None
        )
        assert data.get("answers") == expected
    assert {r.partner_service_id for r in rows if "SERVICE_ANSWERS" in r.fields_planned} >= {
        "NEWTOWN-DC/COUNCIL_TAX"
    }


def test_answers_are_checked_against_the_questions(
    client: TestClient, session: orm.Session
) -> None:
    admin, dpo = _key(session, Role.ADMIN), _key(session, Role.DPO)
    bad_question = client.put(
        "/v1/services/NEWTOWN-DC/LIBRARIES/questions",
        json={"questions": [CARD | {"type": "choice"}]},
        headers=dpo,
    )
    assert bad_question.status_code == 422 and bad_question.headers["content-type"] == PROBLEM
    assert "questions[0].validation.choices" in bad_question.json()["detail"]
    assert client.put(
        "/v1/services/NEWTOWN-DC/LIBRARIES/questions", json={"questions": [CARD]}, headers=dpo
    ).status_code == 200  # fmt: skip
    got = client.get("/v1/services/NEWTOWN-DC/LIBRARIES/questions", headers=admin).json()
    assert got["questions"][0]["label_cy"] == "Rhif cerdyn llyfrgell"
    missing = client.get("/v1/services/NOPE/X/questions", headers=admin)
    assert missing.status_code == 404
    special = {**CARD, "id": "needs", "data_category": "special-category"}
    rv6 = client.put(  # council tax's rule sends SERVICE_ANSWERS without an Art. 9 condition
        "/v1/services/NEWTOWN-DC/COUNCIL_TAX/questions", json={"questions": [special]}, headers=dpo
    )
    assert rv6.status_code == 422 and rv6.json()["code"] == "invalid_rule", rv6.text
    assert "RV6" in rv6.json()["detail"]

    recipients = _move()["recipients"]
    wrong = [recipients[0] | {"answers": {"card": "12ab"}}, recipients[1]]
    answer = client.post("/v1/moves", json=_move(recipients=wrong), headers=admin)
    assert answer.status_code == 422 and answer.headers["content-type"] == PROBLEM
    assert answer.json()["code"] == "invalid_move"
    assert answer.json()["detail"].startswith("recipients[0].answers.card:")
    unknown = [recipients[0], recipients[1] | {"answers": {"pets": 1}}]
    answer = client.post("/v1/moves", json=_move(recipients=unknown), headers=admin)
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith("recipients[1].answers.pets:")
    required = [recipients[0] | {"answers": {}}, recipients[1]]
    answer = client.post("/v1/moves/explain", json=_move(recipients=required), headers=admin)
    assert answer.status_code == 422
    assert answer.json()["detail"] == "recipients[0].answers.card: an answer is required"
