"""The delivery worker with mutual TLS, against a real local HTTPS receiver that requires a
client certificate from its own CA and verifies every request with ``standardwebhooks``, on
both engines."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from core import db
from notify import endpoint_auth, ssrf
from notify import endpoints as endpoint_service
from notify.tables import registry
from notify.transports import mtls
from tests.integration.test_delivery_worker import _attempts, _deliveries, _now, _run_until, _world
from tests.support import pki, receivers, tls_receiver

Served = tuple[receivers.Receiver, tls_receiver.TLSFront, str]


@pytest.fixture(scope="module")
def ca() -> pki.Authority:
    return pki.authority()


@pytest.fixture
def served(ca: pki.Authority) -> Iterator[Served]:
    with tls_receiver.mutual_tls([], ca) as served:
        yield served


def _configure(
    session_factory: db.SessionFactory, endpoint_id: str, given: mtls.ClientTLS | None
) -> None:
    """Set the endpoint's client certificate through the service the API uses."""
    with db.unit_of_work(session_factory) as session:
        endpoint = session.get(registry.Endpoint, endpoint_id)
        assert endpoint is not None
        endpoint_service.update(session=session, endpoint=endpoint, url=None, event_types=None,
                                policy=ssrf.TargetPolicy(allow_private=True), now=_now(),
                                oauth2=endpoint_auth.KEEP, mtls=given)  # fmt: skip


def _settings(issued: pki.Issued, ca: pki.Authority) -> mtls.ClientTLS:
    return mtls.ClientTLS(
        certificate=issued.certificate, private_key=issued.private_key, ca_certificates=ca.pem
    )


def test_an_endpoint_with_its_client_certificate_is_delivered_to_and_the_key_is_sealed(
    engine: sa.Engine, session_factory: db.SessionFactory, ca: pki.Authority, served: Served
) -> None:
    receiver, front, url = served
    world = _world(session_factory, [url])
    receiver.rotate([world.secrets["P0"]])
    client = ca.client("hub-P0.example.org")
    _configure(session_factory, world.endpoints["P0"], _settings(client, ca))
    with db.unit_of_work(session_factory) as session:
        for n in range(6):
            world.enqueue(session, partner="P0", subject_id=f"s{n % 2}", now=_now())
    _run_until(engine, lambda: len(receiver.unique_ids()) == 6)
    assert receiver.rejected == 0 and front.refused == 0
    assert front.peers and all("hub-P0.example.org" in p for p in front.peers)
    with db.unit_of_work(session_factory) as session:
        assert {d.state for d in _deliveries(session)} == {"delivered"}
        stored = session.execute(sa.text("SELECT mtls_private_key FROM endpoint")).scalar()
        assert stored is not None and stored.startswith("sealed:v1:")
        assert "PRIVATE KEY" not in stored


def test_a_refused_certificate_is_a_tls_attempt_and_the_right_one_delivers_on_retry(
    engine: sa.Engine, session_factory: db.SessionFactory, ca: pki.Authority, served: Served
) -> None:
    receiver, front, url = served
    world = _world(session_factory, [url])
    receiver.rotate([world.secrets["P0"]])
    stranger = pki.authority("Another Council CA").client()
    _configure(session_factory, world.endpoints["P0"], _settings(stranger, ca))
    with db.unit_of_work(session_factory) as session:
        delivery_id = world.enqueue(session, partner="P0", subject_id="s1", now=_now()).id
    _run_until(engine, lambda: front.refused >= 2)
    assert receiver.requests() == []  # nothing reached the receiver without its CA's cert
    _configure(session_factory, world.endpoints["P0"], _settings(ca.client(), ca))
    _run_until(engine, lambda: len(receiver.unique_ids()) == 1)
    with db.unit_of_work(session_factory) as session:
        attempts = _attempts(session, delivery_id)
        failed = [a for a in attempts if a.error_kind is not None]
        # TLS 1.3 reports a refused client certificate after the client's half of the
        # handshake: the receiver's alert (tls) or, when its close overtakes the alert, a reset.
        assert len(failed) >= 2 and {a.error_kind for a in failed} <= {"tls", "reset"}
        assert not any(a.possibly_received for a in failed if a.error_kind == "tls")
        assert attempts[-1].http_status == 204 and attempts[-1].error_kind is None
        assert {d.state for d in _deliveries(session)} == {"delivered"}


def test_without_a_client_certificate_the_receiver_refuses_the_handshake(
    engine: sa.Engine, session_factory: db.SessionFactory, ca: pki.Authority, served: Served
) -> None:
    """Removing the certificate (``mtls: null``) leaves the endpoint on the system trust
    store and without a certificate: the handshake fails and nothing is delivered."""
    receiver, _front, url = served
    world = _world(session_factory, [url])
    receiver.rotate([world.secrets["P0"]])
    _configure(session_factory, world.endpoints["P0"], _settings(ca.client(), ca))
    _configure(session_factory, world.endpoints["P0"], None)
    with db.unit_of_work(session_factory) as session:
        delivery_id = world.enqueue(session, partner="P0", subject_id="s1", now=_now()).id
    _run_until(engine, lambda: _failures(session_factory, delivery_id) >= 1)
    assert receiver.requests() == []
    with db.unit_of_work(session_factory) as session:
        assert {a.error_kind for a in _attempts(session, delivery_id)} <= {"tls", None}
        assert session.execute(sa.text("SELECT mtls_private_key FROM endpoint")).scalar() is None


def _failures(session_factory: db.SessionFactory, delivery_id: str) -> int:
    with db.unit_of_work(session_factory) as session:
        return sum(a.error_kind == "tls" for a in _attempts(session, delivery_id))
