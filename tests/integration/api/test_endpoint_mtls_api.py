"""Mutual TLS on ``/v1/endpoints``: a client certificate set, checked, shown without its key,
stored sealed, kept beside a bearer token, replaced and removed; and used by test events and
the validation handshake against a real receiver that requires it."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import hashes
from fastapi.testclient import TestClient
from sqlalchemy import orm

from api.keys import domain as key_domain
from notify.tables import registry
from tests.integration.api import http_world
from tests.integration.api.test_endpoint_oauth_api import client, local_client
from tests.support import outbox_world, pki, tls_receiver

Role = key_domain.Role
NOW = dt.datetime.now(dt.UTC)
URL = "https://hooks.example.org/h"

world = outbox_world.two_partners_fixture(NOW)
__all__ = ["client", "local_client"]
_key = http_world.auth


@pytest.fixture(scope="module")
def ca() -> pki.Authority:
    return pki.authority()


@pytest.fixture(scope="module")
def issued(ca: pki.Authority) -> pki.Issued:
    return ca.client("hub.example.org")


def _mtls(issued: pki.Issued, ca: pki.Authority | None = None) -> dict[str, str | None]:
    return {"certificate": issued.certificate, "private_key": issued.private_key,
            "ca_certificates": ca.pem if ca else None}  # fmt: skip


def _stored_key(session: orm.Session, endpoint_id: str) -> str | None:
    query = sa.text("SELECT mtls_private_key FROM endpoint WHERE id = :id")
    return session.execute(query, {"id": endpoint_id}).scalar()


def _key_body(issued: pki.Issued) -> str:
    """The base64 lines of the key, which no answer may carry."""
    return "".join(issued.private_key.splitlines()[1:-1])


def test_a_certificate_is_set_at_create_shown_without_its_key_and_the_key_stored_sealed(
    client: TestClient, session: orm.Session, ca: pki.Authority, issued: pki.Issued
) -> None:
    partner = _key(session, Role.PARTNER, partner_id="P0")
    created = client.post("/v1/endpoints", json={"url": URL, "mtls": _mtls(issued, ca)},
                          headers=partner)  # fmt: skip
    assert created.status_code == 201, created.text
    view = created.json()["endpoint"]
    assert view["auth"] == "mtls"
    assert view["mtls"] == {
        "subject": "CN=hub.example.org,O=Test Council",
        "issuer": "CN=Test Council Root CA,O=Test Council",
        "not_after": issued.cert.not_valid_after_utc.isoformat().replace("+00:00", "Z"),
        "fingerprint_sha256": issued.cert.fingerprint(hashes.SHA256()).hex(),
    }
    listed = client.get("/v1/endpoints", headers=partner)
    assert [e["mtls"] for e in listed.json()["items"] if e["endpoint_id"] == view["endpoint_id"]]
    for answer in (created.text, listed.text):
        assert _key_body(issued) not in answer and "PRIVATE KEY" not in answer
    stored = _stored_key(session, view["endpoint_id"])
    assert stored is not None and stored.startswith("sealed:v1:")
    assert _key_body(issued) not in stored
    endpoint = session.get(registry.Endpoint, view["endpoint_id"])
    assert endpoint is not None and endpoint.mtls_private_key == issued.private_key
    assert endpoint.mtls_ca_certificates == ca.pem


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"certificate": "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"},
         "invalid_client_certificate", "mtls.certificate"),
        ({"private_key": "not a key"}, "invalid_client_key", "mtls.private_key"),
        ({"private_key": pki.key_pem(pki.new_key(), b"passphrase")}, "encrypted_client_key",
         "mtls.private_key"),
        ({"private_key": pki.key_pem(pki.new_key())}, "client_key_mismatch", "mtls.private_key"),
        ({"ca_certificates": "no CA here"}, "invalid_ca_certificates", "mtls.ca_certificates"),
    ],
)  # fmt: skip
def test_material_the_hub_could_not_present_is_refused_naming_the_field(
    client: TestClient,
    session: orm.Session,
    issued: pki.Issued,
    change: dict[str, str],
    code: str,
    field: str,
) -> None:
    partner = _key(session, Role.PARTNER, partner_id="P0")
    body = {"url": URL, "mtls": {**_mtls(issued), **change}}
    refused = client.post("/v1/endpoints", json=body, headers=partner)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == code
    assert field in {e["field"] for e in refused.json()["errors"]}
    assert _key_body(issued) not in refused.text


def test_an_expired_or_mismatched_certificate_is_refused_and_nothing_is_stored(
    client: TestClient, session: orm.Session, ca: pki.Authority, world: outbox_world.World
) -> None:
    partner = _key(session, Role.PARTNER, partner_id="P0")
    path = f"/v1/endpoints/{world.endpoints['P0']}"
    expired = client.patch(path, json={"mtls": _mtls(ca.client(expired=True))}, headers=partner)
    assert (expired.status_code, expired.json()["code"]) == (422, "expired_client_certificate")
    mismatched = client.patch(path, json={"mtls": _mtls(ca.client(other_key=True))},
                              headers=partner)  # fmt: skip
    assert (mismatched.status_code, mismatched.json()["code"]) == (422, "client_key_mismatch")
    session.rollback()
    assert _stored_key(session, world.endpoints["P0"]) is None


def test_mtls_goes_with_a_bearer_token_is_kept_when_absent_replaced_and_null_removes_it(
    client: TestClient, session: orm.Session, ca: pki.Authority, world: outbox_world.World
) -> None:
    partner = _key(session, Role.PARTNER, partner_id="P0")
    path = f"/v1/endpoints/{world.endpoints['P0']}"
    first, second = ca.client("first.example.org"), ca.client("second.example.org")
    both = client.patch(path, json={"bearer_token": "gw.Token-42", "mtls": _mtls(first)},
                        headers=partner).json()  # fmt: skip
    assert (both["auth"], both["mtls"]["subject"]) == (
        "bearer",
        "CN=first.example.org,O=Test Council",
    )
    kept = client.patch(path, json={"description": "psn"}, headers=partner).json()
    assert kept["mtls"] == both["mtls"]
    replaced = client.patch(path, json={"mtls": _mtls(second)}, headers=partner).json()
    assert replaced["mtls"]["subject"] == "CN=second.example.org,O=Test Council"
    assert replaced["auth"] == "bearer"  # the token stays: another layer
    removed = client.patch(path, json={"mtls": None}, headers=partner).json()
    assert (removed["auth"], removed["mtls"]) == ("bearer", None)
    session.rollback()
    assert _stored_key(session, world.endpoints["P0"]) is None


def test_validation_and_test_events_present_the_certificate_to_a_receiver_requiring_it(
    local_client: TestClient,
    session: orm.Session,
    ca: pki.Authority,
    issued: pki.Issued,
    world: outbox_world.World,
) -> None:
    partner = _key(session, Role.PARTNER, partner_id="P0")
    endpoint_id = world.endpoints["P0"]
    path = f"/v1/endpoints/{endpoint_id}"
    with tls_receiver.mutual_tls([world.secrets["P0"]], ca) as (receiver, front, url):
        endpoint = session.get(registry.Endpoint, endpoint_id)
        assert endpoint is not None
        endpoint.url, endpoint.status = url, "pending_validation"
        session.commit()
        stranger = pki.authority("Another CA").client()
        set_ = local_client.patch(path, json={"mtls": _mtls(stranger, ca)}, headers=partner)
        assert set_.status_code == 200, set_.text
        refused = local_client.post(f"{path}/test", headers=partner).json()
        assert local_client.patch(path, json={"mtls": _mtls(issued, ca)},
                                  headers=partner).status_code == 200  # fmt: skip
        validated = local_client.post(f"{path}/validate", headers=partner)
        tested = local_client.post(f"{path}/test", headers=partner).json()
    # TLS 1.3: the receiver's alert (tls), or a reset when its close overtakes the alert
    assert refused["delivered"] is False and refused["error_kind"] in ("tls", "reset")
    assert (validated.status_code, validated.json()["status"]) == (200, "active")
    assert tested["delivered"] is True
    assert receiver.handshakes == 1 and receiver.rejected == 0
    assert [r.answered for r in receiver.requests()] == [204, 204]
    assert front.refused == 1
