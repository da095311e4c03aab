"""Every answer says it must not be stored unless its route says otherwise, and that its
content type is not to be sniffed: moves, problems and the public schemas, on both engines."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import orm

from notify import codes
from tests.integration.api.test_moves_api import Role, _body, _key, client
from tests.support import event_contract

__all__ = ["client"]


def test_personal_answers_and_problems_are_not_stored(
    client: TestClient, session: orm.Session
) -> None:
    admin = _key(session, Role.ADMIN)
    accepted = client.post("/v1/moves", json=_body(), headers=admin)
    token = {"Authorization": f"Bearer {accepted.json()['receipt_token']}"}
    status = client.get(f"/v1/moves/{accepted.json()['reference']}", headers=token)
    missing = client.get("/v1/moves/COA-0000-0000", headers=admin)
    anonymous = client.get("/v1/moves/COA-0000-0000")
    assert (accepted.status_code, status.status_code, missing.status_code) == (202, 200, 404)
    assert anonymous.status_code == 401
    for answer in (accepted, status, missing, anonymous):
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["x-content-type-options"] == "nosniff"


def test_a_route_that_may_be_cached_says_so_itself(client: TestClient) -> None:
    schema = client.get(f"/schemas/{event_contract.NAMESPACE}.{codes.GAZ_CREATED}/1.json")
    assert schema.status_code == 200
    assert schema.headers["cache-control"] == "public, max-age=3600"
    assert schema.headers["x-content-type-options"] == "nosniff"
