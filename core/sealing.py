"""Secrets kept in the database sealed (AES-256-GCM), readable only with the deployment's key.

Endpoint signing secrets and the bearer tokens partners give for their receivers are stored
sealed (sharing-and-delivery §6.3: "stored encrypted"), so a database dump or backup alone does
not let anyone sign events as the hub or call a partner's system. The key is derived (HKDF-SHA256)
from ``ADDRESSHUB_SECRET_KEY``, which production must set already; a sealed value reads back
only where that key is the same.

A sealed value is text: ``sealed:v1:`` and the base64url of a fresh 12-byte nonce followed by
the ciphertext and its tag. A value without that prefix is read as it is (a row written before
sealing, until the migration that seals them has run).
"""

from __future__ import annotations

import base64
import binascii
import os
from functools import lru_cache
from typing import Final

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from core.errors import ConfigurationError
from core.settings import get_settings

PREFIX: Final = "sealed:v1:"
_INFO: Final = b"addresshub sealed columns v1"
_NONCE_BYTES: Final = 12


class SealedValueUnreadable(ConfigurationError):
    code = "sealed_value_unreadable"
    title = "A sealed secret cannot be read"


def derive_key(secret_key: str) -> bytes:
    """The 256-bit sealing key for a deployment's ``secret_key``."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO)
    return hkdf.derive(secret_key.encode("utf-8"))


def seal(plaintext: str, key: bytes) -> str:
    nonce = os.urandom(_NONCE_BYTES)
    sealed = nonce + AESGCM(key).encrypt(nonce, plaintext.encode("utf-8"), PREFIX.encode())
    return PREFIX + base64.urlsafe_b64encode(sealed).decode("ascii")


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX)


def unseal(value: str, key: bytes) -> str:
    """The plaintext of a sealed value (an unsealed one as it is)."""
    if not is_sealed(value):
        return value
    try:
        raw = base64.urlsafe_b64decode(value[len(PREFIX) :])
        opened = AESGCM(key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], PREFIX.encode())
    except (InvalidTag, binascii.Error, ValueError) as exc:
        raise SealedValueUnreadable(
            "a stored secret cannot be opened: ADDRESSHUB_SECRET_KEY is not the key it was "
            "sealed with, or the value was altered"
        ) from exc
    return opened.decode("utf-8")


@lru_cache(maxsize=4)
def _key_for(secret_key: str) -> bytes:
    return derive_key(secret_key)


def deployment_key() -> bytes:
    """The sealing key of this process's settings (``ADDRESSHUB_SECRET_KEY``)."""
    return _key_for(get_settings().secret_key.get_secret_value())


class Sealed(sa.types.TypeDecorator[str]):
    """A text column stored sealed with :func:`deployment_key`; reads give the plaintext."""

    impl = sa.String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: sa.Dialect) -> str | None:
        # Always sealed, even a value that looks sealed: a partner's secret could begin with
        # the prefix, and stored as it is it would not open again.
        return None if value is None else seal(value, deployment_key())

    def process_result_value(self, value: str | None, dialect: sa.Dialect) -> str | None:
        return None if value is None else unseal(value, deployment_key())
