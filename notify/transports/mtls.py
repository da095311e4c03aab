"""Mutual TLS: the client certificate the hub presents to a receiver (sharing-and-delivery §6.3).

An endpoint may keep a client certificate chain (PEM, leaf first), its private key (PEM,
unencrypted, stored sealed) and CA certificates (PEM) that the receiver's server certificate
must chain to instead of the system trust store (private PKIs such as PSN or HSCN). The sender
gives each request for such an endpoint an :class:`ssl.SSLContext` of its own: the chain and key
loaded, the receiver's certificate verified and its host name checked, as for any other send.

:class:`ContextCache` keeps one context per digest of the material (certificate, key and CA
certificates), so the key is not read again on every send and a rotated certificate is used
from the next send on. ``SSLContext.load_cert_chain`` reads files only: the chain and key are
written to a fresh private directory (0700, files 0600; in memory under ``/dev/shm`` where the
system has it) and removed as soon as they are loaded, whether loading worked or not.

Nothing here ever puts the private key into an error, a log or a repr.
"""

from __future__ import annotations

import hashlib
import os
import ssl
import tempfile
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from core.errors import AddressHubError

#: Contexts kept at once (one per endpoint's material; the least recently used goes first).
CACHE_SIZE: Final = 256
_MEMORY_DIR: Final = "/dev/shm"  # noqa: S108 - mkdtemp makes a fresh 0700 folder there


class ClientCertificateUnusable(AddressHubError):
    """The stored certificate and key could not be loaded; the message names no material."""

    code = "client_certificate_unusable"
    title = "Client certificate unusable"


@dataclass(frozen=True, kw_only=True, slots=True)
class ClientTLS:
    """An endpoint's client certificate chain, key and optional CA certificates."""

    certificate: str
    private_key: str = field(repr=False)
    ca_certificates: str | None = None

    @property
    def digest(self) -> str:
        """What a cached context belongs to: a SHA-256 of all the material."""
        parts = (self.certificate, self.private_key, self.ca_certificates or "")
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def client_tls(
    certificate: str | None, private_key: str | None, ca_certificates: str | None
) -> ClientTLS | None:
    """The client TLS an endpoint's stored fields describe; None when it has none."""
    if not (certificate and private_key):
        return None
    return ClientTLS(certificate=certificate, private_key=private_key,
                     ca_certificates=ca_certificates or None)  # fmt: skip


def context(tls: ClientTLS) -> ssl.SSLContext:
    """A client context presenting the chain and key; the receiver verified against the CA
    certificates when given (else the system store), its host name checked."""
    try:
        made = ssl.create_default_context(cadata=tls.ca_certificates or None)
        _load_chain(made, tls)
    except (ssl.SSLError, ValueError, OSError) as exc:
        raise ClientCertificateUnusable(
            "the client certificate or key could not be loaded"
        ) from exc
    return made


def _load_chain(made: ssl.SSLContext, tls: ClientTLS) -> None:
    with tempfile.TemporaryDirectory(prefix="addresshub-tls-", dir=_private_parent()) as folder:
        chain = _write(os.path.join(folder, "chain.pem"), tls.certificate)
        key = _write(os.path.join(folder, "key.pem"), tls.private_key)
        made.load_cert_chain(chain, key)


def _private_parent() -> str | None:
    """``/dev/shm`` (memory) when it is there to write in; else the system's temp directory."""
    usable = os.path.isdir(_MEMORY_DIR) and os.access(_MEMORY_DIR, os.W_OK | os.X_OK)
    return _MEMORY_DIR if usable else None


def _write(path: str, text: str) -> str:
    """A new file only the owner may read (the directory, from mkdtemp, is 0700 already)."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "w", encoding="ascii") as file:
        file.write(text)
    return path


class ContextCache:
    """One context per material digest, the least recently used dropped beyond ``size``."""

    def __init__(
        self, build: Callable[[ClientTLS], ssl.SSLContext] = context, size: int = CACHE_SIZE
    ) -> None:
        self._build = build
        self._size = size
        self._contexts: OrderedDict[str, ssl.SSLContext] = OrderedDict()

    def get(self, tls: ClientTLS) -> ssl.SSLContext:
        digest = tls.digest
        found = self._contexts.get(digest)
        if found is None:
            found = self._contexts[digest] = self._build(tls)
            while len(self._contexts) > self._size:
                self._contexts.popitem(last=False)
        self._contexts.move_to_end(digest)
        return found

    def __len__(self) -> int:
        return len(self._contexts)
