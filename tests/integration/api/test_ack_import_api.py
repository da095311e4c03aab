"""Acknowledgements uploaded as a CSV, on both engines: every row applied as the per-delivery
call would (a repeat is no change); a file with any failing row is refused whole, each failure
named by line, and nothing of it kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import orm

from api import app as api_app
from api.keys import domain as key_domain
from core import ids
from core.settings import Settings
from notify import partner_tables as pt
from tests.integration.api import http_world
from tests.support import outbox_world

NOW = dt.datetime.now(dt.UTC)
world = outbox_world.two_partners_fixture(NOW)
URL = "/v1/acks/import"


@pytest.fixture
def client(db_url: str, world: outbox_world.World) -> Iterator[TestClient]:
    with TestClient(api_app.create_app(Settings(database_url=db_url)),
                    raise_server_exceptions=False) as test_client:  # fmt: skip
        yield test_client


def _sent(session: orm.Session, world: outbox_world.World) -> str:
    delivery = world.enqueue(session, partner="P0", subject_id=ids.new_id(), now=NOW)
    delivery.state = "delivered"
    session.commit()
    return delivery.id


def _acks(session: orm.Session) -> list[tuple[str, str]]:
    session.expire_all()
    rows = session.execute(sa.select(pt.PartnerAck.delivery_id, pt.PartnerAck.outcome))
    return sorted((d, o) for d, o in rows)


def test_a_file_of_acks_is_applied_and_a_repeat_changes_nothing(
    client: TestClient, session: orm.Session, world: outbox_world.World
) -> None:
    first, second = _sent(session, world), _sent(session, world)
    partner = http_world.auth(session, key_domain.Role.PARTNER, partner_id="P0")
    text = (
        "\ufeffEvent_ID,outcome,reason_code,message,partner_case_ref,our_note\r\n"
        f"{first},applied,,,CT-1,ok\r\n"
        f'{second},rejected,NOT_A_RESIDENT,"Not known here, sorry",CT-2,\r\n'
    )
    done = client.post(URL, content=text.encode(), headers=partner | {"content-type": "text/csv"})
    assert (done.status_code, done.json()) == (200, {"created": 2, "unchanged": 0}), done.text
    assert _acks(session) == sorted([(first, "applied"), (second, "rejected")])
    again = client.post(URL, content=text.encode(), headers=partner | {"content-type": "text/csv"})
    assert again.json() == {"created": 0, "unchanged": 2}
    admin = http_world.auth(session, key_domain.Role.ADMIN)
    assert client.post(URL, content=text.encode(), headers=admin).status_code == 403


def test_a_file_with_a_failing_row_is_refused_whole_naming_each_line(
    client: TestClient, session: orm.Session, world: outbox_world.World
) -> None:
    good = _sent(session, world)
    partner = http_world.auth(session, key_domain.Role.PARTNER, partner_id="P0")
    text = f"event_id,outcome\n{good},applied\nno-such-event,applied\n{good},maybe\n"
    refused = client.post(URL, content=text.encode(), headers=partner)
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["code"] == "ack_file_refused"
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [
        ("line 3", "delivery_not_found"),
        ("line 4", "invalid_input"),
    ]
    assert _acks(session) == []  # the good row was not kept either
    headless = client.post(URL, content=b"id,outcome\nx,applied\n", headers=partner)
    assert [e["field"] for e in headless.json()["errors"]] == ["header"]
