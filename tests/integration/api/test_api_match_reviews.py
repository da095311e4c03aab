"""Clerical review through the API: queue, list, decide, and the decision reused, both engines."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import orm

from api import app as api_app
from api.keys import domain, service
from core import clock as clocks
from core.settings import Settings
from tests.integration import find_seed


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url)


def _key(session: orm.Session, settings: Settings, role: domain.Role) -> dict[str, str]:
    issued = service.create_key(
        session=session, settings=settings, clock=clocks.SystemClock(), role=role
    )
    return {"Authorization": f"Bearer {issued.plaintext}"}


@pytest.fixture
def keys(settings: Settings, session: orm.Session) -> dict[str, dict[str, str]]:
    find_seed.seed(session)
    made = {
        "agent": _key(session, settings, domain.Role.AGENT),
        "custodian": _key(session, settings, domain.Role.CUSTODIAN),
    }
    session.commit()
    return made


@pytest.fixture
def client(settings: Settings, keys: dict[str, dict[str, str]]) -> Iterator[TestClient]:
    with TestClient(api_app.create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


def test_queue_decide_and_reuse(client: TestClient, keys: dict[str, dict[str, str]]) -> None:
    agent, custodian = keys["agent"], keys["custodian"]
    before = client.post("/v1/addresses/match", json={"text": "10 High Street"}, headers=agent)
    assert (before.json()["status"], before.json()["uprn"]) == ("review", None)

    queued = client.post("/v1/match-reviews", json={"text": "10 High Street"}, headers=agent)
    assert queued.status_code == 201, queued.text
    review = queued.json()
    assert review["status"] == "open"
    assert {c["uprn"] for c in review["candidates"][:2]} == {110, 201}
    again = client.post("/v1/match-reviews", json={"text": "10, HIGH ST."}, headers=agent)
    assert again.json()["id"] == review["id"]  # same canonical input, same open review

    assert client.get("/v1/match-reviews", headers=agent).status_code == 403
    listed = client.get("/v1/match-reviews", headers=custodian).json()
    assert [r["id"] for r in listed["reviews"]] == [review["id"]]

    decided = client.post(
        f"/v1/match-reviews/{review['id']}/decision", json={"uprn": 201}, headers=custodian
    )
    assert decided.status_code == 200, decided.text
    assert (decided.json()["status"], decided.json()["uprn"]) == ("confirmed", 201)
    twice = client.post(
        f"/v1/match-reviews/{review['id']}/decision", json={"uprn": 110}, headers=custodian
    )
    assert (twice.status_code, twice.json()["code"]) == (409, "match_review_decided")

    after = client.post("/v1/addresses/match", json={"text": "10 high st"}, headers=agent).json()
    assert (after["status"], after["uprn"], after["match_reason"]) == (
        "matched", 201, "confirmed by review",
    )  # fmt: skip
    other = client.post("/v1/addresses/match", json={"text": "12 High Street"}, headers=agent)
    assert other.json()["match_reason"] != "confirmed by review"


def test_rejection_makes_the_input_unmatched(
    client: TestClient, keys: dict[str, dict[str, str]]
) -> None:
    text = {"text": "flat 3, 12 high st, newtown nt1 1ab"}
    review = client.post("/v1/match-reviews", json=text, headers=keys["agent"]).json()
    client.post(
        f"/v1/match-reviews/{review['id']}/decision", json={"uprn": None}, headers=keys["custodian"]
    )
    after = client.post("/v1/addresses/match", json=text, headers=keys["agent"]).json()
    assert (after["status"], after["uprn"], after["match_reason"]) == (
        "unmatched", None, "rejected by review",
    )  # fmt: skip


def test_a_matched_address_is_not_queued_and_unknown_reviews_are_404(
    client: TestClient, keys: dict[str, dict[str, str]]
) -> None:
    matched = client.post(
        "/v1/match-reviews", json={"text": "10 high st newtown nt1 1aa"}, headers=keys["agent"]
    )
    assert matched.status_code == 409
    missing = client.get("/v1/match-reviews/nope", headers=keys["custodian"])
    assert (missing.status_code, missing.json()["code"]) == (404, "match_review_not_found")


def test_batch_job_matches_in_the_background_and_keeps_columns(
    client: TestClient, keys: dict[str, dict[str, str]]
) -> None:
    rows = [
        {"ref": "a", "address": "flat 2, 12 high st, newtown nt1 1ab"},
        {"ref": "b", "address": "10 High Street", "status": "keep me"},
        {"ref": "c", "address": "1 Nowhere Lane, ZZ9 9ZZ"},
    ]
    started = client.post("/v1/addresses/match/batch", json={"rows": rows}, headers=keys["agent"])
    assert started.status_code == 202, started.text
    assert (started.json()["status"], started.json()["total"]) == ("queued", 3)
    job = client.get(f"/v1/addresses/match/batch/{started.json()['id']}", headers=keys["agent"])
    body = job.json()
    assert (body["status"], body["processed"]) == ("done", 3)
    assert body["counts"] == {"matched": 1, "review": 1, "unmatched": 1}
    first, second, _third = body["results"]
    assert (first["ref"], first["uprn"], first["status"]) == ("a", 132, "matched")
    assert (second["status"], second["match_status"], second["uprn"]) == ("keep me", "review", None)
    bad = client.post(
        "/v1/addresses/match/batch",
        json={"rows": [{"text": "x"}], "address_column": "address"},
        headers=keys["agent"],
    )
    assert bad.status_code == 422
    missing = client.get("/v1/addresses/match/batch/nope", headers=keys["agent"])
    assert (missing.status_code, missing.json()["code"]) == (404, "match_job_not_found")
