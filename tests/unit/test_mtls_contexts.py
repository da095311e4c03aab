"""Client TLS contexts: built once per material, rebuilt on rotation, bounded, the key never
left on disk, and never in a repr; stored material that cannot load is refused plainly."""

from __future__ import annotations

import dataclasses
import os
import ssl
import tempfile

import pytest

from notify.transports import mtls
from tests.support import pki


@pytest.fixture(scope="module")
def ca() -> pki.Authority:
    return pki.authority()


def _tls(issued: pki.Issued, ca: pki.Authority | None = None) -> mtls.ClientTLS:
    return mtls.ClientTLS(certificate=issued.certificate, private_key=issued.private_key,
                          ca_certificates=ca.pem if ca else None)  # fmt: skip


def test_one_context_per_material_and_a_rotation_builds_a_new_one(ca: pki.Authority) -> None:
    built: list[str] = []

    def build(tls: mtls.ClientTLS) -> ssl.SSLContext:
        built.append(tls.certificate)
        return mtls.context(tls)

    cache = mtls.ContextCache(build)
    first, second = _tls(ca.client(), ca), _tls(ca.client(), ca)
    one = cache.get(first)
    assert cache.get(dataclasses.replace(first)) is one  # equal material: no rebuild
    rotated = cache.get(second)
    assert rotated is not one and built == [first.certificate, second.certificate]
    assert cache.get(first) is one and len(built) == 2
    assert cache.get(dataclasses.replace(first, ca_certificates=None)) is not one


def test_the_least_recently_used_context_goes_beyond_the_size(ca: pki.Authority) -> None:
    cache = mtls.ContextCache(size=2)
    a, b, c = (_tls(ca.client(), ca) for _ in range(3))
    kept_a = cache.get(a)
    cache.get(b)
    cache.get(a)  # a used again: b is now the oldest
    cache.get(c)
    assert len(cache) == 2 and cache.get(a) is kept_a


def test_a_context_presents_the_chain_verifies_the_receiver_and_checks_host_names(
    ca: pki.Authority,
) -> None:
    made = mtls.context(_tls(ca.client(), ca))
    assert made.verify_mode == ssl.CERT_REQUIRED and made.check_hostname
    assert [c["subject"] for c in made.get_ca_certs()] == [
        ((("organizationName", "Test Council"),), (("commonName", "Test Council Root CA"),))
    ]


def test_no_key_file_is_left_behind(ca: pki.Authority, monkeypatch: pytest.MonkeyPatch) -> None:
    with tempfile.TemporaryDirectory() as parent:
        monkeypatch.setattr(mtls, "_private_parent", lambda: parent)
        mtls.context(_tls(ca.client(), ca))
        with pytest.raises(mtls.ClientCertificateUnusable):
            mtls.context(_tls(ca.client(other_key=True), ca))
        assert os.listdir(parent) == []


def test_key_files_are_private_while_they_exist(
    ca: pki.Authority, monkeypatch: pytest.MonkeyPatch
) -> None:
    modes: list[int] = []
    real = mtls._write

    def spy(path: str, text: str) -> str:
        written = real(path, text)
        modes.extend(
            [os.stat(os.path.dirname(path)).st_mode & 0o777, os.stat(path).st_mode & 0o777]
        )
        return written

    monkeypatch.setattr(mtls, "_write", spy)
    mtls.context(_tls(ca.client(), ca))
    assert modes == [0o700, 0o600, 0o700, 0o600]


def test_unusable_material_and_the_repr_never_show_the_key(ca: pki.Authority) -> None:
    issued = ca.client()
    tls = _tls(issued)
    assert issued.private_key not in repr(tls)
    broken = mtls.ClientTLS(certificate=issued.certificate, private_key="garbage")
    with pytest.raises(mtls.ClientCertificateUnusable) as caught:
        mtls.context(broken)
    assert "garbage" not in str(caught.value)
    assert mtls.client_tls(issued.certificate, None, None) is None
    assert mtls.client_tls(issued.certificate, issued.private_key, "") == tls
