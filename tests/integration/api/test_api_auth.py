"""Authentication, roles and the per-request unit of work through the real app, on both engines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated

import fastapi
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import orm

from api import app as api_app
from api import deps
from api.keys import domain, service
from core import clock as clocks
from core.errors import Conflict
from core.settings import Settings

Role = domain.Role
START = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def _add_probe_routes(app: fastapi.FastAPI) -> None:
    """Routes that exist only in these tests: one per kind of guard, and two that write."""

    @app.get("/probe/admin")
    def admin_only(
        principal: Annotated[deps.Principal, deps.require_roles(Role.ADMIN, Role.DPO)],
    ) -> dict[str, str | None]:
        return {"role": principal.role, "key_id": principal.key_id}

    @app.get("/probe/partner")
    def partner_only(
        principal: Annotated[deps.Principal, deps.require_roles(Role.PARTNER)],
    ) -> dict[str, str | None]:
        return {"partner_id": principal.partner_id}

    @app.post("/probe/write")
    def write(
        session: deps.SessionDep, settings: deps.SettingsDep, clock: deps.ClockDep, fail: bool
    ) -> dict[str, str]:
        issued = service.create_key(
            session=session, settings=settings, clock=clock, role=Role.AGENT, label="probe"
        )
        if fail:
            raise Conflict("the write is refused after it was flushed")
        return {"id": issued.key.id}


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    app = api_app.create_app(settings)
    _add_probe_routes(app)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _key(session: orm.Session, settings: Settings, role: Role, **bound: str) -> str:
    issued = service.create_key(
        session=session, settings=settings, clock=clocks.SystemClock(), role=role, **bound
    )
    session.commit()
    return issued.plaintext


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_no_key_is_401_with_a_challenge(client: TestClient) -> None:
    response = client.get("/probe/admin")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["code"] == "unauthenticated"


BAD_CREDENTIALS = [
    {"Authorization": "Bearer ah_nonsense"},
    {"X-API-Key": "ah_" + "0" * 12 + "_" + "0" * 64},
    {"Authorization": "Basic dXNlcjpwYXNz"},
]


def test_bad_keys_are_401(client: TestClient) -> None:
    for headers in BAD_CREDENTIALS:
        response = client.get("/probe/admin", headers=headers)
        assert response.status_code == 401, headers
        assert response.json()["code"] in {"invalid_api_key", "unauthenticated"}
        assert "www-authenticate" in response.headers


def test_the_right_role_passes_by_either_header(
    client: TestClient, session: orm.Session, settings: Settings
) -> None:
    key = _key(session, settings, Role.DPO)
    by_bearer = client.get("/probe/admin", headers=_bearer(key))
    by_header = client.get("/probe/admin", headers={"X-API-Key": key})
    assert by_bearer.status_code == by_header.status_code == 200
    assert by_bearer.json()["role"] == "dpo"


def test_the_wrong_role_is_403(
    client: TestClient, session: orm.Session, settings: Settings
) -> None:
    for role in (Role.CUSTODIAN, Role.AGENT, Role.CITIZEN):
        bound = {"submission_ref": "MOVE-9"} if role is Role.CITIZEN else {}
        key = _key(session, settings, role, **bound)
        response = client.get("/probe/admin", headers=_bearer(key))
        assert response.status_code == 403, role
        assert response.json()["code"] == "forbidden"
        assert "www-authenticate" not in response.headers


def test_a_partner_key_carries_its_partner(
    client: TestClient, session: orm.Session, settings: Settings
) -> None:
    key = _key(session, settings, Role.PARTNER, partner_id="council-tax-exeter")
    response = client.get("/probe/partner", headers=_bearer(key))
    assert response.json() == {"partner_id": "council-tax-exeter"}


def test_a_revoked_key_is_refused_at_once_without_the_cache(
    session: orm.Session, settings: Settings
) -> None:
    app = api_app.create_app(settings.model_copy(update={"api_key_cache_seconds": 0.0}))
    _add_probe_routes(app)
    key = _key(session, settings, Role.ADMIN)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/probe/admin", headers=_bearer(key)).status_code == 200
        _revoke(session, key)
        response = client.get("/probe/admin", headers=_bearer(key))
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_api_key"


def test_a_revoked_key_stops_within_the_cache_seconds(
    session: orm.Session, settings: Settings
) -> None:
    app = api_app.create_app(settings.model_copy(update={"api_key_cache_seconds": 5.0}))
    _add_probe_routes(app)
    clock = clocks.FixedClock(START)
    app.state.clock = clock
    key, other = _key(session, settings, Role.ADMIN), _key(session, settings, Role.ADMIN)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/probe/admin", headers=_bearer(key)).status_code == 200
        _revoke(session, key)
        _revoke(session, other)  # never verified, so never cached: refused at once
        clock.advance(dt.timedelta(seconds=4.9))
        cached = client.get("/probe/admin", headers=_bearer(key))
        uncached = client.get("/probe/admin", headers=_bearer(other))
        clock.advance(dt.timedelta(seconds=0.1))
        expired = client.get("/probe/admin", headers=_bearer(key))
    assert (cached.status_code, uncached.status_code, expired.status_code) == (200, 401, 401)


def test_a_wrong_secret_with_a_cached_prefix_is_refused(
    client: TestClient, session: orm.Session, settings: Settings
) -> None:
    key = _key(session, settings, Role.ADMIN)
    assert client.get("/probe/admin", headers=_bearer(key)).status_code == 200
    forged = key[:-4] + ("0000" if not key.endswith("0000") else "1111")
    response = client.get("/probe/admin", headers=_bearer(forged))
    assert response.status_code == 401


def _revoke(session: orm.Session, key: str) -> None:
    service.revoke_key(session=session, clock=clocks.SystemClock(), key_ref=key.split("_")[1])
    session.commit()


def test_a_request_commits_on_success_and_rolls_back_on_error(
    client: TestClient, session: orm.Session
) -> None:
    kept = client.post("/probe/write", params={"fail": "false"})
    refused = client.post("/probe/write", params={"fail": "true"})
    assert kept.status_code == 200
    assert refused.status_code == 409
    assert refused.json()["code"] == "conflict"
    labelled = [key for key in service.list_keys(session=session) if key.label == "probe"]
    assert [key.id for key in labelled] == [kept.json()["id"]]
