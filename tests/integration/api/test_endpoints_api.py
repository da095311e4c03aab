"""Partner endpoint self-service on both engines: a partner sees and changes only its own
endpoints (another partner's is 404, an admin sees all), new and changed URLs pass the target
guard, secrets are shown once and a rotation keeps the old secret for its overlap, and pause
and resume move the endpoint's status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import orm

from api import app as api_app
from api.keys import domain as key_domain
from core.settings import Settings
from notify import endpoint_repository
from notify.tables import registry
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


def _secrets(session: orm.Session, endpoint_id: str) -> list[str]:
    session.rollback()  # a fresh read: SQLite keeps a snapshot for the open transaction
    found = endpoint_repository.active_secrets(session, [endpoint_id], dt.datetime.now(dt.UTC))
    return [s.secret for s in found.get(endpoint_id, [])]


def test_a_partner_lists_only_its_own_endpoints_and_an_admin_all(
    client: TestClient, session: orm.Session, world: outbox_world.World
) -> None:
    partner = _key(session, Role.PARTNER, partner_id="P0")
    mine = client.get("/v1/endpoints", headers=partner)
    assert mine.status_code == 200, mine.text
    (item,) = mine.json()["items"]
    assert item["endpoint_id"] == world.endpoints["P0"] and item["url"] == "https://p0.example/h"
    assert item["status"] == "active" and "secret" not in item
    admin = client.get("/v1/endpoints", headers=_key(session, Role.ADMIN)).json()["items"]
    assert {i["endpoint_id"] for i in admin} == set(world.endpoints.values())
    assert client.get("/v1/endpoints", headers=_key(session, Role.AGENT)).status_code == 403
    assert client.get("/v1/endpoints").status_code == 401


def test_a_new_endpoint_passes_the_guard_and_shows_its_secret_once(
    client: TestClient, session: orm.Session, world: outbox_world.World
) -> None:
    partner = _key(session, Role.PARTNER, partner_id="P0")
    refused_urls = (
        "http://new.example/h",
        "https://127.0.0.1/h",
        "https://169.254.169.254/",
        "https://10.1.2.3/h",
        "https://new.example:22/h",
        "https://u:p@new.example/",
        "https://[::ffff:127.0.0.1]/h",
        "https://2130706433/h",
        "https://0x7f.0.0.1/h",
        "https://127。0。0。1/h",
        "https://localhost./h",
        "https://hooks.localhost/h",
    )
    for url in refused_urls:
        refused = client.post("/v1/endpoints", json={"url": url}, headers=partner)
        assert refused.status_code == 422, url
        assert refused.json()["code"] == "target_not_allowed", url
        assert refused.headers["content-type"].startswith("application/problem+json")
    made = client.post("/v1/endpoints", json={"url": "https://new.example/h"}, headers=partner)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["secret"].startswith("whsec_") and body["endpoint"]["partner_id"] == "P0"
    assert body["endpoint"]["status"] == "pending_validation"
    assert _secrets(session, body["endpoint"]["endpoint_id"]) == [body["secret"]]
    listed = client.get("/v1/endpoints", headers=partner).json()["items"]
    assert len(listed) == 2 and body["secret"] not in str(listed)
    other = client.post(
        "/v1/endpoints", json={"url": "https://x.example/", "partner_id": "P1"}, headers=partner
    )
    assert other.status_code == 404
    admin = _key(session, Role.ADMIN)
    for_p1 = client.post(
        "/v1/endpoints", json={"url": "https://x.example/", "partner_id": "P1"}, headers=admin
    )
    assert for_p1.status_code == 201 and for_p1.json()["endpoint"]["partner_id"] == "P1"


def test_patch_changes_url_and_event_types_of_own_endpoints_only(
    client: TestClient, session: orm.Session, world: outbox_world.World
) -> None:
    partner = _key(session, Role.PARTNER, partner_id="P0")
    path = f"/v1/endpoints/{world.endpoints['P0']}"
    kept = client.patch(path, json={"url": "https://p0.example/h", "description": "CT"},
                        headers=partner)  # fmt: skip
    assert (kept.status_code, kept.json()["status"]) == (200, "active")  # the same URL
    changed = client.patch(
        path,
        json={"url": "https://moved.example/h", "event_types": ["move.submitted"]},
        headers=partner,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["url"] == "https://moved.example/h"
    assert changed.json()["event_types"] == ["move.submitted"]
    # the new URL has not agreed to receive events: held until it is validated again
    assert changed.json()["status"] == "pending_validation"
    session.rollback()
    subscription = session.get(registry.Subscription, world.subscriptions["P0"])
    assert subscription is not None and subscription.event_types == ["move.submitted"]
    bad = client.patch(path, json={"url": "https://192.168.0.1/"}, headers=partner)
    assert bad.status_code == 422 and bad.json()["code"] == "target_not_allowed"
    assert client.get("/v1/endpoints", headers=partner).json()["items"][0]["url"] == (
        "https://moved.example/h"
    )
    foreign = client.patch(
        f"/v1/endpoints/{world.endpoints['P1']}",
        json={"url": "https://a.example/"},
        headers=partner,
    )
    assert foreign.status_code == 404 and foreign.json()["code"] == "endpoint_not_found"


def test_rotation_returns_a_new_secret_and_keeps_the_old_for_the_overlap(
    client: TestClient, session: orm.Session, world: outbox_world.World
) -> None:
    partner = _key(session, Role.PARTNER, partner_id="P0")
    endpoint_id = world.endpoints["P0"]
    rotated = client.post(f"/v1/endpoints/{endpoint_id}/rotate-secret", headers=partner)
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["secret"]
    assert new.startswith("whsec_") and new != world.secrets["P0"]
    assert rotated.json()["previous_valid_until"] is not None
    assert _secrets(session, endpoint_id) == [new, world.secrets["P0"]]
    again = client.post(
        f"/v1/endpoints/{endpoint_id}/rotate-secret", params={"overlap_hours": 0}, headers=partner
    )
    # no overlap: the secret it replaces stops at once; the first keeps its own overlap
    assert _secrets(session, endpoint_id) == [again.json()["secret"], world.secrets["P0"]]
    foreign = client.post(f"/v1/endpoints/{world.endpoints['P1']}/rotate-secret", headers=partner)
    assert foreign.status_code == 404
    assert _secrets(session, world.endpoints["P1"]) == [world.secrets["P1"]]


def test_pause_and_resume_move_the_status_of_own_endpoints(
    client: TestClient, session: orm.Session, world: outbox_world.World
) -> None:
    partner = _key(session, Role.PARTNER, partner_id="P0")
    path = f"/v1/endpoints/{world.endpoints['P0']}"
    not_paused = client.post(f"{path}/resume", headers=partner)
    assert not_paused.status_code == 409 and not_paused.json()["code"] == "endpoint_state_conflict"
    paused = client.post(f"{path}/pause", headers=partner)
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    assert client.post(f"{path}/pause", headers=partner).json()["status"] == "paused"
    foreign = client.post(f"/v1/endpoints/{world.endpoints['P1']}/pause", headers=partner)
    assert foreign.status_code == 404
    resumed = client.post(f"{path}/resume", headers=partner)
    assert resumed.status_code == 200 and resumed.json()["status"] == "active"
    fresh = client.post("/v1/endpoints", json={"url": "https://n.example/"}, headers=partner)
    pending = client.post(f"/v1/endpoints/{fresh.json()['endpoint']['endpoint_id']}/pause",
                          headers=partner)  # fmt: skip
    assert pending.status_code == 409


def test_a_retired_endpoint_is_disabled_manually_with_an_operational_notice(
    client: TestClient, session: orm.Session, world: outbox_world.World
) -> None:
    partner = _key(session, Role.PARTNER, partner_id="P0")
    endpoint_id = world.endpoints["P0"]
    foreign = client.delete(f"/v1/endpoints/{world.endpoints['P1']}", headers=partner)
    assert foreign.status_code == 404
    retired = client.delete(f"/v1/endpoints/{endpoint_id}", headers=partner)
    assert retired.status_code == 200, retired.text
    assert (retired.json()["status"], retired.json()["disabled_reason"]) == ("disabled", "manual")
    again = client.delete(f"/v1/endpoints/{endpoint_id}", headers=partner)
    assert again.status_code == 200 and again.json()["status"] == "disabled"
    notices = client.get("/v1/ops-notices", headers=partner).json()["items"]
    assert [(n["kind"], n["detail"]) for n in notices] == [
        ("endpoint.disabled", {"reason": "manual"})
    ]
    resumed = client.post(f"/v1/endpoints/{endpoint_id}/resume", headers=partner)
    assert resumed.status_code == 409  # only an operator re-enables, after validation
