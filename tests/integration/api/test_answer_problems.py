"""Refused answers over HTTP, on both engines: the problem lists every refused answer under
``errors`` as ``{field, code, detail}``, and a body that does not parse names fields alike."""

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

PROBLEM = "application/problem+json"


@pytest.fixture
def client(db_url: str, session: orm.Session) -> Iterator[TestClient]:
    w.seed(session)
    app = api_app.create_app(Settings(database_url=db_url))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _admin(session: orm.Session) -> dict[str, str]:
    issued = keys.create_key(
        session=session, settings=Settings(), clock=clocks.SystemClock(), role=key_domain.Role.ADMIN
    )
    session.commit()
    return {"Authorization": f"Bearer {issued.plaintext}"}


def _move(council_tax: dict[str, Any], library: dict[str, Any]) -> dict[str, Any]:
    return {
        "person": {"given_name": "Ada", "family_name": "Lovelace"},
        "old_uprn": w.OLD_UPRN,
        "new_uprn": w.NEW_UPRN,
        "move_date": dt.date.today().isoformat(),
        "recipients": [
            {"service": "NEWTOWN-DC/LIBRARIES", "selected": True, "consent": True} | library,
            {"service": "NEWTOWN-DC/COUNCIL_TAX"} | council_tax,
        ],
    }


def test_every_refused_answer_is_listed(client: TestClient, session: orm.Session) -> None:
    admin = _admin(session)
    sent = _move({"answers": {"adults": 0}}, {"answers": {"pets": 2}})
    answer = client.post("/v1/moves", json=sent, headers=admin)
    assert answer.status_code == 422 and answer.headers["content-type"] == PROBLEM
    body = answer.json()
    assert (body["code"], body["title"], body["status"]) == ("invalid_move", "Invalid move", 422)
    assert body["detail"] == "recipients[0].answers.pets: this service asks no such question"
    assert [(e["field"], e["code"], e["detail"]) for e in body["errors"]] == [
        ("recipients[0].answers.pets", "invalid_answer", "this service asks no such question"),
        ("recipients[1].answers.adults", "invalid_answer", "must be at least 1"),
    ]


def test_a_body_that_does_not_parse_names_its_fields(
    client: TestClient, session: orm.Session
) -> None:
    sent = _move({"selected": "perhaps"}, {})
    answer = client.post("/v1/moves", json=sent, headers=_admin(session))
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "invalid_request"
    fields = {e["field"] for e in body["errors"]}
    assert "recipients[1].selected" in fields
    assert all(e["code"] and e["detail"] for e in body["errors"])
