"""A partner service's UPRN register on both engines: replacing it adds and ends rows (ended
ones kept), a rule needing the service to hold someone at a mover's old address is met by it,
bad UPRNs and unknown services are refused with nothing changed; and over HTTP a partner key
reaches only its own services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import orm

from api import app as api_app
from api.keys import domain as key_domain
from core import errors
from core.settings import Settings
from notify import checks, move_domain, repository, uprn_register
from notify.tables import moves as m
from notify.tables import registry as reg
from tests.integration.api import http_world
from tests.support import outbox_world

NOW = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
SERVICE = "P0/COUNCIL_TAX"
world = outbox_world.two_partners_fixture(NOW)


def _rows(session: orm.Session) -> list[tuple[int | None, bool]]:
    r = m.Relationship
    query = sa.select(r.uprn, r.valid_to).where(r.partner_service_id == SERVICE).order_by(r.uprn)
    return [(uprn, until is None) for uprn, until in session.execute(query)]


def _replace(
    session: orm.Session, service: str, *, uprns: list[int], now: dt.datetime
) -> uprn_register.Replaced:
    return uprn_register.replace(session, partner_service_id=service, uprns=uprns, actor="ops",
                                 now=now)  # fmt: skip


def _holds_someone_at(session: orm.Session, uprn: int, at: dt.datetime) -> bool:
    move = move_domain.Move(
        reference="COA-0000-0002", person=move_domain.Person(id="s1", given_name="A",
        family_name="B"), old_uprn=uprn, new_uprn=1, move_date=at.date(),
        submitter=move_domain.Submitter(kind="citizen"),
    )  # fmt: skip
    found = repository.relationships_of(session, subject_ids=["s1"], uprns=[uprn])
    return checks.relationship_ok(move=move, relationships=found, service_id=SERVICE,
                                  requirement="holds_subject_at_old_uprn", now=at)  # fmt: skip


def test_replacing_the_register_adds_and_ends_and_the_rules_see_it(
    session: orm.Session, world: outbox_world.World
) -> None:
    first = _replace(session, SERVICE, uprns=[3, 1, 2, 2], now=NOW)
    assert (first.held, first.added, first.ended) == (3, 3, 0)
    later = NOW + dt.timedelta(days=1)
    second = _replace(session, SERVICE, uprns=[2, 3, 4], now=later)
    session.commit()
    assert (second.held, second.added, second.ended) == (3, 1, 1)
    assert _rows(session) == [(1, False), (2, True), (3, True), (4, True)]
    assert uprn_register.held(session, partner_service_id=SERVICE) == [2, 3, 4]
    change = reg.RegistryChange
    query = sa.select(change).where(change.item_kind == "uprn_register").order_by(change.at)
    audit = session.scalars(query).all()
    assert [(a.item_kind, a.item_key, a.actor, a.detail) for a in audit] == [
        ("uprn_register", SERVICE, "ops", {"held": 3, "added": 3, "ended": 0}),
        ("uprn_register", SERVICE, "ops", {"held": 3, "added": 1, "ended": 1}),
    ]
    assert uprn_register.held(session, partner_service_id=SERVICE, after=2, limit=1) == [3]
    soon = later + dt.timedelta(hours=1)
    assert _holds_someone_at(session, 4, soon) and not _holds_someone_at(session, 1, soon)


def test_a_bad_uprn_or_an_unknown_service_changes_nothing(
    session: orm.Session, world: outbox_world.World
) -> None:
    _replace(session, SERVICE, uprns=[5], now=NOW)
    session.commit()
    with pytest.raises(errors.InvalidInput) as refused:
        _replace(session, SERVICE, uprns=[6, 0, 10**12], now=NOW)
    assert refused.value.details == {"uprns": [0, 10**12]}
    with pytest.raises(uprn_register.ServiceNotFound):
        _replace(session, "P9/NONE", uprns=[6], now=NOW)
    session.rollback()
    assert _rows(session) == [(5, True)]


@pytest.fixture
def client(db_url: str, world: outbox_world.World) -> Iterator[TestClient]:
    with TestClient(api_app.create_app(Settings(database_url=db_url)),
                    raise_server_exceptions=False) as test_client:  # fmt: skip
        yield test_client


def test_a_partner_replaces_and_reads_its_own_register_over_http(
    client: TestClient, session: orm.Session
) -> None:
    mine = http_world.auth(session, key_domain.Role.PARTNER, partner_id="P0")
    url = f"/v1/services/{SERVICE}/uprns"
    put = client.put(url, json={"uprns": [30, 10, 20]}, headers=mine)
    assert put.status_code == 200, put.text
    assert put.json() == {"partner_service_id": SERVICE, "held": 3, "added": 3, "ended": 0}
    first = client.get(url, params={"limit": 2}, headers=mine).json()
    assert (first["uprns"], first["next_after"]) == ([10, 20], 20)
    rest = client.get(url, params={"after": 20}, headers=mine).json()
    assert (rest["uprns"], rest["next_after"]) == ([30], None)
    theirs = http_world.auth(session, key_domain.Role.PARTNER, partner_id="P1")
    assert client.get(url, headers=theirs).status_code == 404
    assert client.put(url, json={"uprns": []}, headers=theirs).status_code == 404
    bad = client.put(url, json={"uprns": [-1]}, headers=mine)
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_input")
    agent = http_world.auth(session, key_domain.Role.AGENT)
    assert client.get(url, headers=agent).status_code == 403
