"""API keys as pure values: roles, principals, the key format and its keyed hash.

A key reads ``ah_<prefix>_<secret>``: the prefix (12 hex characters) is public, shown in
listings and used to find the stored row; the secret is 32 random bytes in hex. Only an
HMAC-SHA256 of the whole key is stored, keyed with the deployment's ``secret_key`` as a pepper.
A fast keyed hash is the right tool here: the key has 256 bits of entropy, so there is nothing
for a slow password hash to protect against, and the pepper means a stolen table alone cannot
even be checked against a guess.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Final

from api.keys.errors import InvalidKeyBinding
from core import ids

KEY_SCHEME: Final = "ah"
PREFIX_BYTES: Final = 6
SECRET_BYTES: Final = 32
# last_used_at is written at most this often per key, so reads do not each become a write.
LAST_USED_RESOLUTION: Final = dt.timedelta(minutes=1)

_KEY_PATTERN: Final = re.compile(
    rf"{KEY_SCHEME}_(?P<prefix>[0-9a-f]{{{PREFIX_BYTES * 2}}})"
    rf"_(?P<secret>[0-9a-f]{{{SECRET_BYTES * 2}}})"
)


class Role(enum.StrEnum):
    """What a key may do. A partner key is bound to one partner, a citizen key to one submission."""

    ADMIN = "admin"
    DPO = "dpo"
    CUSTODIAN = "custodian"
    AGENT = "agent"
    PARTNER = "partner"
    CITIZEN = "citizen"


ALL_ROLES: Final = frozenset(Role)


@dataclass(frozen=True, kw_only=True, slots=True)
class Principal:
    """Who is calling: the role of the key presented and what that key is bound to."""

    role: Role
    key_id: str
    partner_id: str | None = None
    submission_id: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class ApiKey:
    """A stored key as shown to administrators (never the secret or its hash)."""

    id: str
    prefix: str
    role: Role
    partner_id: str | None
    submission_ref: str | None
    label: str | None
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def principal(self) -> Principal:
        return Principal(
            role=self.role,
            key_id=self.id,
            partner_id=self.partner_id,
            submission_id=self.submission_ref,
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class IssuedKey:
    """A newly created key: ``plaintext`` exists only here and is never stored."""

    key: ApiKey
    plaintext: str


@dataclass(frozen=True, kw_only=True, slots=True)
class KeyParts:
    prefix: str
    secret: str


def new_key_parts() -> KeyParts:
    return KeyParts(prefix=ids.new_token(PREFIX_BYTES), secret=ids.new_token(SECRET_BYTES))


def format_key(parts: KeyParts) -> str:
    return f"{KEY_SCHEME}_{parts.prefix}_{parts.secret}"


def parse_key(text: str) -> KeyParts | None:
    """The parts of a well-formed key, or ``None``."""
    match = _KEY_PATTERN.fullmatch(text)
    if match is None:
        return None
    return KeyParts(prefix=match["prefix"], secret=match["secret"])


def hash_key(plaintext: str, *, pepper: bytes) -> str:
    """HMAC-SHA256 of the whole key, keyed with the pepper, in hex."""
    return hmac.new(pepper, plaintext.encode("utf-8"), hashlib.sha256).hexdigest()


def key_matches(plaintext: str, stored_hash: str, *, pepper: bytes) -> bool:
    """Constant-time comparison of the presented key's hash with the stored one."""
    return hmac.compare_digest(hash_key(plaintext, pepper=pepper), stored_hash)


def check_binding(*, role: Role, partner_id: str | None, submission_ref: str | None) -> None:
    """A partner key names exactly one partner, a citizen key one submission; no other key does."""
    if role is Role.PARTNER and not partner_id:
        raise InvalidKeyBinding("a partner key must name its partner")
    if role is not Role.PARTNER and partner_id is not None:
        raise InvalidKeyBinding(f"only a partner key names a partner, not a {role} key")
    if role is Role.CITIZEN and not submission_ref:
        raise InvalidKeyBinding("a citizen key must name its submission")
    if role is not Role.CITIZEN and submission_ref is not None:
        raise InvalidKeyBinding(f"only a citizen key names a submission, not a {role} key")


def should_record_use(*, last_used_at: dt.datetime | None, now: dt.datetime) -> bool:
    return last_used_at is None or now - last_used_at >= LAST_USED_RESOLUTION
