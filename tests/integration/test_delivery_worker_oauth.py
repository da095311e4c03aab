"""The delivery worker with OAuth2 client credentials, against a real local token endpoint and
receivers that verify with ``standardwebhooks`` and refuse requests without a current token,
on both engines."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from core import db, sealing
from notify import delivery_tables as dt_tables
from notify.tables import registry
from tests.integration.test_delivery_worker import _attempts, _deliveries, _now, _run_until, _world
from tests.support import receivers, token_server

SECRET = "gw-client-secret-0123456789"


@pytest.fixture
def tokens() -> Iterator[token_server.TokenServer]:
    with token_server.TokenServer(client_id="hub-P0", client_secret=SECRET) as server:
        yield server


@pytest.fixture
def gateway(tokens: token_server.TokenServer) -> Iterator[receivers.Receiver]:
    """A receiver behind a gateway: 401 without a token the token endpoint issued."""
    with receivers.Receiver([]) as receiver:
        receiver.require_token = tokens.valid
        yield receiver


def _use_oauth(
    session_factory: db.SessionFactory, endpoint_id: str, tokens: token_server.TokenServer
) -> None:
    with db.unit_of_work(session_factory) as session:
        endpoint = session.get(registry.Endpoint, endpoint_id)
        assert endpoint is not None
        endpoint.oauth_token_url, endpoint.oauth_client_id = tokens.url, "hub-P0"
        endpoint.oauth_client_secret, endpoint.oauth_scope = SECRET, "events"


def test_deliveries_carry_one_shared_token_the_gateway_takes_and_verify(
    engine: sa.Engine,
    session_factory: db.SessionFactory,
    tokens: token_server.TokenServer,
    gateway: receivers.Receiver,
) -> None:
    world = _world(session_factory, [gateway.url])
    gateway.rotate([world.secrets["P0"]])
    _use_oauth(session_factory, world.endpoints["P0"], tokens)
    with db.unit_of_work(session_factory) as session:
        for n in range(12):
            world.enqueue(session, partner="P0", subject_id=f"s{n % 4}", now=_now())
    _run_until(engine, lambda: len(gateway.unique_ids()) == 12)
    assert gateway.rejected == gateway.unauthorised == 0  # signed, and with a valid token
    assert tokens.requests == 1 and tokens.scopes == ["events"]
    (token,) = tokens.issued()
    assert {r.authorization for r in gateway.requests()} == {f"Bearer {token}"}
    with db.unit_of_work(session_factory) as session:
        assert {d.state for d in _deliveries(session)} == {"delivered"}
        stored = session.execute(sa.text("SELECT oauth_client_secret FROM endpoint")).scalar()
        assert stored is not None and sealing.is_sealed(stored) and SECRET not in stored


def test_a_failing_token_endpoint_records_auth_failed_and_deliveries_go_once_it_recovers(
    engine: sa.Engine,
    session_factory: db.SessionFactory,
    tokens: token_server.TokenServer,
    gateway: receivers.Receiver,
) -> None:
    world = _world(session_factory, [gateway.url])
    gateway.rotate([world.secrets["P0"]])
    _use_oauth(session_factory, world.endpoints["P0"], tokens)
    tokens.fail(503)
    with db.unit_of_work(session_factory) as session:
        ids = [world.enqueue(session, partner="P0", subject_id="s1", now=_now()).id for _ in "ab"]
    _run_until(engine, lambda: tokens.requests >= 3)
    assert gateway.requests() == []  # nothing went without a token
    tokens.recover()
    _run_until(engine, lambda: len(gateway.unique_ids()) == 2)
    assert gateway.unauthorised == 0
    with db.unit_of_work(session_factory) as session:
        first = _attempts(session, ids[0])
        failed = [a for a in first if a.error_kind is not None]
        assert len(failed) >= 2 and {a.error_kind for a in failed} == {"auth_failed"}
        assert {a.response_excerpt for a in failed} == {
            "token endpoint answered 503 (temporarily_unavailable)"
        }
        assert not any(a.possibly_received for a in failed)
        assert first[-1].http_status == 204
        assert {d.state for d in _deliveries(session)} == {"delivered"}
        excerpts = session.scalars(sa.select(dt_tables.DeliveryAttempt.response_excerpt)).all()
        assert not any(SECRET in (e or "") for e in excerpts)


def _then(
    first_done: Callable[[], bool], action: Callable[[], None], done: Callable[[], bool]
) -> Callable[[], bool]:
    """A ``done`` for one worker run (one sender, one token cache): once ``first_done``,
    ``action`` runs once; the run ends when ``done``."""
    acted: list[bool] = []

    def check() -> bool:
        if not acted and first_done():
            acted.append(True)
            action()
        return bool(acted) and done()

    return check


def test_a_token_the_gateway_refuses_is_dropped_and_the_retry_gets_a_fresh_one(
    engine: sa.Engine,
    session_factory: db.SessionFactory,
    tokens: token_server.TokenServer,
    gateway: receivers.Receiver,
) -> None:
    world = _world(session_factory, [gateway.url])
    gateway.rotate([world.secrets["P0"]])
    _use_oauth(session_factory, world.endpoints["P0"], tokens)
    with db.unit_of_work(session_factory) as session:
        first = world.enqueue(session, partner="P0", subject_id="s1", now=_now()).id
    later: list[str] = []

    def revoke_and_send_another() -> None:
        tokens.revoke()  # the gateway forgets it (a key rotation on its side)
        with db.unit_of_work(session_factory) as session:
            later.append(world.enqueue(session, partner="P0", subject_id="s2", now=_now()).id)

    _run_until(engine, _then(lambda: len(gateway.unique_ids()) == 1, revoke_and_send_another,
                             lambda: len(gateway.unique_ids()) == 2))  # fmt: skip
    assert gateway.unauthorised == 1 and tokens.requests == 2
    with db.unit_of_work(session_factory) as session:
        kinds = [(a.http_status, a.error_kind) for a in _attempts(session, later[0])]
        assert kinds == [(401, "http_4xx"), (204, None)]
        assert [a.http_status for a in _attempts(session, first)] == [204]


def test_an_expired_token_is_replaced_before_it_is_sent(
    engine: sa.Engine,
    session_factory: db.SessionFactory,
    tokens: token_server.TokenServer,
    gateway: receivers.Receiver,
) -> None:
    tokens.expires_in = 1.0  # used for 0.9 s; the gateway refuses it after 1 s
    world = _world(session_factory, [gateway.url])
    gateway.rotate([world.secrets["P0"]])
    _use_oauth(session_factory, world.endpoints["P0"], tokens)
    with db.unit_of_work(session_factory) as session:
        world.enqueue(session, partner="P0", subject_id="s1", now=_now())
    started = time.monotonic()

    def send_another() -> None:
        with db.unit_of_work(session_factory) as session:
            world.enqueue(session, partner="P0", subject_id="s2", now=_now())

    def expired() -> bool:
        return len(gateway.unique_ids()) == 1 and time.monotonic() > started + 1.2

    _run_until(engine, _then(expired, send_another, lambda: len(gateway.unique_ids()) == 2))
    assert gateway.unauthorised == 0 and tokens.requests == 2
    assert len({r.authorization for r in gateway.accepted()}) == 2
