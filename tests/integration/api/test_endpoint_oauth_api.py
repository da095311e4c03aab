"""OAuth2 client credentials on ``/v1/endpoints``: set, shown without the secret, guarded,
replaced, removed, and used for test events and the validation handshake (real servers)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import orm

from api import app as api_app
from api.keys import domain as key_domain
from core import sealing
from core.settings import Settings
from notify.tables import registry
from tests.integration.api import http_world
from tests.support import outbox_world, receivers, token_server

Role = key_domain.Role
NOW = dt.datetime.now(dt.UTC)
SECRET = "Sup3r-secret-value-for-the-gateway"
OAUTH2 = {"token_url": "https://login.example.org/oauth2/token", "client_id": "hub",
          "client_secret": SECRET, "scope": "events.write"}  # fmt: skip

world = outbox_world.two_partners_fixture(NOW)
_key = http_world.auth


def _client(db_url: str, *, private: bool) -> Iterator[TestClient]:
    settings = Settings(database_url=db_url, allow_private_webhook_targets=private)
    with TestClient(api_app.create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def client(db_url: str, world: outbox_world.World) -> Iterator[TestClient]:
    yield from _client(db_url, private=False)


@pytest.fixture
def local_client(db_url: str, world: outbox_world.World) -> Iterator[TestClient]:
    yield from _client(db_url, private=True)


def _stored_secret(session: orm.Session, endpoint_id: str) -> str | None:
    query = sa.text("SELECT oauth_client_secret FROM endpoint WHERE id = :id")
    return session.execute(query, {"id": endpoint_id}).scalar()


def test_oauth2_is_set_at_create_shown_without_its_secret_and_stored_sealed(
    client: TestClient, session: orm.Session
) -> None:
    partner = _key(session, Role.PARTNER, partner_id="P0")
    body = {"url": "https://hooks.example.org/h", "oauth2": OAUTH2}
    created = client.post("/v1/endpoints", json=body, headers=partner)
    assert created.status_code == 201, created.text
    view = created.json()["endpoint"]
    assert view["auth"] == "oauth2_cc"
    assert view["oauth2"] == {k: v for k, v in OAUTH2.items() if k != "client_secret"}
    listed = client.get("/v1/endpoints", headers=partner)
    assert SECRET not in created.text and SECRET not in listed.text
    stored = _stored_secret(session, view["endpoint_id"])
    assert stored is not None and sealing.is_sealed(stored) and SECRET not in stored
    endpoint = session.get(registry.Endpoint, view["endpoint_id"])
    assert endpoint is not None and endpoint.oauth_client_secret == SECRET


def test_both_kinds_at_once_a_private_token_url_and_a_partial_oauth2_are_refused(
    client: TestClient, session: orm.Session
) -> None:
    partner = _key(session, Role.PARTNER, partner_id="P0")
    url = "https://hooks.example.org/h"
    given = {"url": url, "oauth2": OAUTH2, "bearer_token": "gw.Token-42"}
    both = client.post("/v1/endpoints", json=given, headers=partner)
    assert (both.status_code, both.json()["code"]) == (422, "auth_conflict")
    for token_url in ("https://10.0.0.5/token", "http://login.example.org/token",
                      "https://127.0.0.1/token"):  # fmt: skip
        private = client.post("/v1/endpoints", json={"url": url, "oauth2": {**OAUTH2,
                              "token_url": token_url}}, headers=partner)  # fmt: skip
        assert (private.status_code, private.json()["code"]) == (422, "target_not_allowed")
    partial = client.post("/v1/endpoints", json={"url": url, "oauth2": {"token_url": url}},
                          headers=partner)  # fmt: skip
    assert partial.status_code == 422
    assert {e["field"] for e in partial.json()["errors"]} >= {"oauth2.client_id"}
    assert SECRET not in both.text + private.text


def test_patch_replaces_one_kind_with_the_other_keeps_it_when_absent_and_null_removes_it(
    client: TestClient, session: orm.Session, world: outbox_world.World
) -> None:
    partner = _key(session, Role.PARTNER, partner_id="P0")
    path = f"/v1/endpoints/{world.endpoints['P0']}"
    bearer = client.patch(path, json={"bearer_token": "gw.Token-42"}, headers=partner)
    assert bearer.json()["auth"] == "bearer"
    set_ = client.patch(path, json={"oauth2": OAUTH2}, headers=partner)
    assert (set_.status_code, set_.json()["auth"]) == (200, "oauth2_cc")
    assert SECRET not in set_.text
    session.expire_all()
    endpoint = session.get(registry.Endpoint, world.endpoints["P0"])
    assert endpoint is not None and endpoint.bearer_token is None
    kept = client.patch(path, json={"description": "gateway"}, headers=partner)
    assert kept.json()["oauth2"]["client_id"] == "hub"
    private = {**OAUTH2, "token_url": "https://192.168.1.1/t"}
    refused = client.patch(path, json={"oauth2": private}, headers=partner)
    assert (refused.status_code, refused.json()["code"]) == (422, "target_not_allowed")
    bearer = client.patch(path, json={"bearer_token": "gw.Token-43"}, headers=partner).json()
    assert (bearer["auth"], bearer["oauth2"]) == ("bearer", None)
    client.patch(path, json={"oauth2": OAUTH2}, headers=partner)
    removed = client.patch(path, json={"oauth2": None}, headers=partner)
    assert (removed.json()["auth"], removed.json()["oauth2"]) == ("none", None)
    session.rollback()
    assert _stored_secret(session, world.endpoints["P0"]) is None


def _point_at(session: orm.Session, endpoint_id: str, url: str, status: str) -> None:
    endpoint = session.get(registry.Endpoint, endpoint_id)
    assert endpoint is not None
    endpoint.url, endpoint.status = url, status
    session.commit()


def test_test_events_and_the_validation_carry_a_token_and_a_failing_token_endpoint_says_so(
    local_client: TestClient, session: orm.Session, world: outbox_world.World
) -> None:
    partner = _key(session, Role.PARTNER, partner_id="P0")
    endpoint_id = world.endpoints["P0"]
    path = f"/v1/endpoints/{endpoint_id}"
    with (
        token_server.TokenServer(client_id="hub", client_secret=SECRET) as tokens,
        receivers.Receiver([world.secrets["P0"]]) as receiver,
    ):
        receiver.require_token = tokens.valid
        _point_at(session, endpoint_id, receiver.url, "pending_validation")
        oauth2 = {**OAUTH2, "token_url": tokens.url}
        assert local_client.patch(path, json={"oauth2": oauth2}, headers=partner).status_code == 200
        validated = local_client.post(f"{path}/validate", headers=partner)
        assert (validated.status_code, validated.json()["status"]) == (200, "active")
        tested = local_client.post(f"{path}/test", headers=partner)
        assert tested.json()["delivered"] is True
        tokens.fail(500)
        failed = local_client.post(f"{path}/test", headers=partner).json()
    assert receiver.handshakes == 1 and receiver.rejected == receiver.unauthorised == 0
    assert [r.answered for r in receiver.requests()] == [204, 204]
    # one token for the validation (handshake and its test event), one for the test event
    assert tokens.requests == 3 and len({r.authorization for r in receiver.requests()}) == 2
    assert (failed["delivered"], failed["error_kind"]) == (False, "auth_failed")
    assert failed["response_excerpt"] == "token endpoint answered 500 (temporarily_unavailable)"
    assert SECRET not in str(failed)
