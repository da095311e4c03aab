"""An endpoint's client certificate for mutual TLS, checked before it is stored (§6.3).

A partner gives a certificate chain (PEM, leaf first), the leaf's private key (PEM,
unencrypted: the hub seals it at rest and has no passphrase to keep) and, optionally, CA
certificates its receiver's server certificate chains to. Refused, each a 422 naming the field:

* ``invalid_client_certificate``: no PEM certificate, a leaf not yet valid, or one whose
  extended key usage leaves out client authentication;
* ``expired_client_certificate``: the leaf has expired;
* ``encrypted_client_key`` and ``invalid_client_key``: a key with a passphrase, or none that
  reads as a private key;
* ``client_key_mismatch``: the key is not the one the leaf certifies;
* ``invalid_ca_certificates``: CA certificates given but none read.

mTLS is a layer below the ``authorization`` header, so it goes with a bearer token or OAuth2
client credentials, or alone. The view shows the leaf's subject, issuer, expiry and SHA-256
fingerprint, never the key. Pure: no I/O.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

from core import errors
from notify.tables import registry
from notify.transports.mtls import ClientTLS

_SPKI = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


class InvalidClientCertificate(errors.InvalidInput):
    code = "invalid_client_certificate"
    title = "Client certificate not usable"


class ExpiredClientCertificate(errors.InvalidInput):
    code = "expired_client_certificate"
    title = "Client certificate expired"


class EncryptedClientKey(errors.InvalidInput):
    code = "encrypted_client_key"
    title = "Client key has a passphrase"


class InvalidClientKey(errors.InvalidInput):
    code = "invalid_client_key"
    title = "Client key not readable"


class ClientKeyMismatch(errors.InvalidInput):
    code = "client_key_mismatch"
    title = "Client key does not match the certificate"


class InvalidCaCertificates(errors.InvalidInput):
    code = "invalid_ca_certificates"
    title = "CA certificates not readable"


def _refuse(kind: type[errors.InvalidInput], name: str, message: str) -> errors.InvalidInput:
    return kind(f"mtls.{name}: {message}", details={"field": f"mtls.{name}"})


def certificates(pem: str, name: str, kind: type[errors.InvalidInput]) -> list[x509.Certificate]:
    """Every PEM certificate in ``pem``; none is refused as ``kind`` naming the field."""
    try:
        found = x509.load_pem_x509_certificates(pem.encode())
    except ValueError:
        found = []
    if not found:
        raise _refuse(kind, name, "no PEM certificate could be read")
    return found


def private_key(pem: str) -> Any:
    """The unencrypted private key in ``pem``."""
    try:
        return serialization.load_pem_private_key(pem.encode(), password=None)
    except TypeError:
        raise _refuse(EncryptedClientKey, "private_key",
                      "give the key without a passphrase (the hub seals it)") from None  # fmt: skip
    except (ValueError, UnsupportedAlgorithm):
        raise _refuse(InvalidClientKey, "private_key",
                      "no PEM private key could be read") from None  # fmt: skip


def check_current(leaf: x509.Certificate, now: dt.datetime) -> None:
    if leaf.not_valid_after_utc <= now:
        raise _refuse(ExpiredClientCertificate, "certificate",
                      f"expired {leaf.not_valid_after_utc.isoformat()}")  # fmt: skip
    if leaf.not_valid_before_utc > now:
        raise _refuse(InvalidClientCertificate, "certificate",
                      f"not valid until {leaf.not_valid_before_utc.isoformat()}")  # fmt: skip


def check_usage(leaf: x509.Certificate) -> None:
    """A leaf that lists extended key usages must list client authentication."""
    try:
        usage = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return
    if ExtendedKeyUsageOID.CLIENT_AUTH not in usage:
        raise _refuse(InvalidClientCertificate, "certificate",
                      "its extended key usage leaves out client authentication")  # fmt: skip


def check_pair(leaf: x509.Certificate, key: Any) -> None:
    if key.public_key().public_bytes(*_SPKI) != leaf.public_key().public_bytes(*_SPKI):
        raise _refuse(ClientKeyMismatch, "private_key",
                      "the key is not the one the certificate certifies")  # fmt: skip


def check(settings: ClientTLS, now: dt.datetime) -> None:
    """Refuse material the hub could not present (the first problem found)."""
    leaf = certificates(settings.certificate, "certificate", InvalidClientCertificate)[0]
    check_current(leaf, now)
    check_usage(leaf)
    check_pair(leaf, private_key(settings.private_key))
    if settings.ca_certificates:
        certificates(settings.ca_certificates, "ca_certificates", InvalidCaCertificates)


def set_mtls(endpoint: registry.Endpoint, settings: ClientTLS | None, now: dt.datetime) -> None:
    """Store checked material (None removes it); any bearer token or OAuth2 stays."""
    if settings is not None:
        check(settings, now)
    endpoint.mtls_certificate = settings.certificate if settings else None
    endpoint.mtls_private_key = settings.private_key if settings else None
    endpoint.mtls_ca_certificates = (settings.ca_certificates or None) if settings else None


def _leaf(certificate: str) -> x509.Certificate:
    return x509.load_pem_x509_certificates(certificate.encode())[0]


def not_after(certificate: str) -> dt.datetime:
    """When the chain's leaf certificate expires (UTC)."""
    return _leaf(certificate).not_valid_after_utc


def view(certificate: str | None) -> dict[str, Any]:
    """The mTLS part of an endpoint's view: the leaf's names, expiry and fingerprint."""
    if not certificate:
        return {"mtls": None}
    leaf = _leaf(certificate)
    return {"mtls": {"subject": leaf.subject.rfc4514_string(),
                     "issuer": leaf.issuer.rfc4514_string(),
                     "not_after": leaf.not_valid_after_utc,
                     "fingerprint_sha256": leaf.fingerprint(hashes.SHA256()).hex()}}  # fmt: skip
