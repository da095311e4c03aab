"""A move given a new UPRN the gazetteer does not hold, over HTTP on both engines: accepted
(202) with every service waiting, listed in the custodian's queue, resolved to the right UPRN,
and then planned; the citizen's status follows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import orm

from api.keys import domain as key_domain
from tests.integration import sharing_world as w
from tests.integration.api import http_world

Role = key_domain.Role
MISTYPED = 10091234999  # not in the gazetteer


client = pytest.fixture(http_world.seeded_client, name="client")
_key = http_world.auth


def _move(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "person": {"given_name": "Ada", "family_name": "Lovelace"},
        "old_uprn": w.OLD_UPRN,
        "new_uprn": MISTYPED,
        "move_date": dt.date.today().isoformat(),
        "recipients": [{"service": "NEWTOWN-DC/COUNCIL_TAX", "answers": {"adults": 2}}],
    }
    return body | changes


def test_a_new_uprn_the_gazetteer_lacks_is_queued_then_resolved(
    client: TestClient, session: orm.Session
) -> None:
    admin, custodian = _key(session, Role.ADMIN), _key(session, Role.CUSTODIAN)
    accepted = client.post("/v1/moves", json=_move(), headers=admin)
    assert accepted.status_code == 202, accepted.text
    reference = accepted.json()["reference"]
    plan = accepted.json()["plan"]["candidates"]
    assert plan and {c["decision"] for c in plan} == {"hold"}
    queue = client.get("/v1/unresolved-moves", headers=custodian)
    assert queue.status_code == 200, queue.text
    [entry] = queue.json()["items"]
    assert (entry["reference"], entry["origin"], entry["status"]) == (
        reference,
        "not_listed",
        "open",
    )
    assert entry["address_text"] == f"UPRN {MISTYPED} not in the gazetteer"
    waiting = client.get(f"/v1/moves/{reference}", headers=admin)
    assert waiting.status_code == 200, waiting.text
    assert waiting.json()["new_address"] == "pending"
    settled = client.post(
        f"/v1/unresolved-moves/{reference}/resolve", json={"uprn": w.NEW_UPRN}, headers=custodian
    )
    assert settled.status_code == 200, settled.text
    assert "NEWTOWN-DC/COUNCIL_TAX" in settled.json()["planned"]
    assert settled.json()["deliveries"] >= 1
    known = client.get(f"/v1/moves/{reference}", headers=admin).json()
    assert known["new_address"] == "known"
    by_service = {r["partner_service_id"]: r for r in known["recipients"]}
    assert by_service["NEWTOWN-DC/COUNCIL_TAX"]["status"] == "planned"
    assert client.get("/v1/unresolved-moves", headers=custodian).json()["total"] == 0
