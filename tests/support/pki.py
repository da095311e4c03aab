"""A throwaway PKI for mutual TLS tests, made with ``cryptography``.

:func:`authority` makes a self-signed CA; :meth:`Authority.server` a server certificate for
127.0.0.1 (an IP subjectAltName, so host name checking passes on the loopback address);
:meth:`Authority.client` a client certificate (``clientAuth``), optionally already expired or
signed for a key other than its own. Every certificate comes as a :class:`Issued`: the PEM
chain (leaf first), the unencrypted PKCS#8 key and, for files a server needs, :meth:`files`.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import tempfile
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

Key = ec.EllipticCurvePrivateKey


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_key() -> Key:
    return ec.generate_private_key(ec.SECP256R1())


def key_pem(key: Key, password: bytes | None = None) -> str:
    crypt: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             crypt).decode("ascii")  # fmt: skip


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test Council"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class Issued:
    certificate: str
    private_key: str = field(repr=False)
    cert: x509.Certificate

    def files(self, folder: str) -> tuple[str, str]:
        """The chain and key written to ``folder`` (for a server's ``load_cert_chain``)."""
        chain, key = os.path.join(folder, "chain.pem"), os.path.join(folder, "key.pem")
        for path, text in ((chain, self.certificate), (key, self.private_key)):
            with open(path, "w", encoding="ascii") as out:
                out.write(text)
        return chain, key


@dataclass(frozen=True, kw_only=True)
class Authority:
    name: x509.Name
    key: Key = field(repr=False)
    cert: x509.Certificate

    @property
    def pem(self) -> str:
        return self.cert.public_bytes(serialization.Encoding.PEM).decode("ascii")

    def _issue(self, builder: x509.CertificateBuilder, key: Key, public: Key) -> Issued:
        cert = builder.issuer_name(self.name).public_key(public.public_key()).serial_number(
            x509.random_serial_number()).sign(self.key, hashes.SHA256())  # fmt: skip
        pem = cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
        return Issued(certificate=pem, private_key=key_pem(key), cert=cert)

    def server(self, host: str = "127.0.0.1") -> Issued:
        key = new_key()
        builder = _leaf(host, _now() - dt.timedelta(days=1), _now() + dt.timedelta(days=30))
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]), False
        ).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        return self._issue(builder, key, key)

    def client(
        self, name: str = "hub.example.org", *, expired: bool = False, other_key: bool = False
    ) -> Issued:
        """A client certificate; ``expired`` ended yesterday; ``other_key`` certifies another
        key than the one returned with it."""
        key = new_key()
        ends = _now() - dt.timedelta(days=1) if expired else _now() + dt.timedelta(days=30)
        builder = _leaf(name, _now() - dt.timedelta(days=10), ends).add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False
        )
        return self._issue(builder, key, new_key() if other_key else key)


def _leaf(common_name: str, begins: dt.datetime, ends: dt.datetime) -> x509.CertificateBuilder:
    return x509.CertificateBuilder().subject_name(_name(common_name)).not_valid_before(
        begins).not_valid_after(ends)  # fmt: skip


def authority(name: str = "Test Council Root CA") -> Authority:
    key, subject = new_key(), _name(name)
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(_now() - dt.timedelta(days=1))
        .not_valid_after(_now() + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    return Authority(name=subject, key=key, cert=cert)


def private_folder() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="pki-")
