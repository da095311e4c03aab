"""Standard Webhooks signing (sharing-and-delivery §6.3), pure.

The signed content is ``{webhook-id}.{webhook-timestamp}.{body}`` over the exact body bytes,
HMAC-SHA256 under each active ``whsec_`` secret, base64-encoded and prefixed ``v1,``. While a
secret rotates, the ``webhook-signature`` header carries one space-separated entry per active
secret, the current one first. The same rules verify partner acknowledgements (§6.14).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from typing import Final

from notify import delivery_errors

SECRET_PREFIX: Final = "whsec_"  # noqa: S105 - the Standard Webhooks prefix
MESSAGE_PREFIX: Final = "msg_"
VERSION: Final = "v1"
MIN_SECRET_BYTES: Final = 24
MAX_SECRET_BYTES: Final = 64
NEW_SECRET_BYTES: Final = 32
TOLERANCE: Final = dt.timedelta(minutes=5)

ID_HEADER: Final = "webhook-id"
TIMESTAMP_HEADER: Final = "webhook-timestamp"
SIGNATURE_HEADER: Final = "webhook-signature"


def new_secret() -> str:
    """A fresh ``whsec_`` secret of 32 random bytes, shown to the partner once."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(NEW_SECRET_BYTES)).decode("ascii")


def secret_key(whsec: str) -> bytes:
    """The key bytes of a ``whsec_`` secret (24 to 64 bytes, standard base64)."""
    if not whsec.startswith(SECRET_PREFIX):
        raise delivery_errors.InvalidSecret("a signing secret starts with 'whsec_'")
    try:
        key = base64.b64decode(whsec.removeprefix(SECRET_PREFIX), validate=True)
    except binascii.Error as exc:
        raise delivery_errors.InvalidSecret("a signing secret is standard base64") from exc
    if not MIN_SECRET_BYTES <= len(key) <= MAX_SECRET_BYTES:
        raise delivery_errors.InvalidSecret("a signing secret holds 24 to 64 bytes")
    return key


def message_id(delivery_id: str) -> str:
    """``msg_`` + the delivery id: the same on every attempt and replay."""
    if "." in delivery_id or not delivery_id:
        raise ValueError("a delivery id is non-empty and has no '.'")
    return MESSAGE_PREFIX + delivery_id


def timestamp(at: dt.datetime) -> str:
    """Integer epoch seconds of the attempt time."""
    if at.tzinfo is None:
        raise ValueError("signing times must be timezone-aware")
    return str(int(at.timestamp()))


def signature(key: bytes, msg_id: str, ts: str, body: bytes) -> str:
    """One ``v1,<base64>`` entry for the exact body bytes."""
    content = msg_id.encode("utf-8") + b"." + ts.encode("ascii") + b"." + body
    mac = hmac.new(key, content, hashlib.sha256).digest()
    return f"{VERSION},{base64.b64encode(mac).decode('ascii')}"


def headers(
    *, msg_id: str, body: bytes, at: dt.datetime, secrets_: Sequence[str]
) -> dict[str, str]:
    """The three Standard Webhooks headers, one signature per active secret (current first)."""
    if not secrets_:
        raise delivery_errors.InvalidSecret("an endpoint needs at least one active secret")
    ts = timestamp(at)
    entries = (signature(secret_key(s), msg_id, ts, body) for s in secrets_)
    return {ID_HEADER: msg_id, TIMESTAMP_HEADER: ts, SIGNATURE_HEADER: " ".join(entries)}


def verify(
    *, body: bytes, headers_: Mapping[str, str], secrets_: Sequence[str], now: dt.datetime
) -> str:
    """Check a signed request (partner acknowledgements); returns its ``webhook-id``.

    The timestamp must lie within ±5 minutes of ``now`` and one ``v1`` entry must match one
    secret, compared in constant time.
    """
    lowered = {k.lower(): v for k, v in headers_.items()}
    msg_id, ts, sent = (lowered.get(h) for h in (ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER))
    if not (msg_id and ts and sent):
        raise delivery_errors.SignatureMismatch("missing webhook headers")
    _check_timestamp(ts, now)
    offered = [_entry(e) for e in sent.split(" ") if e.startswith(VERSION + ",")]
    for whsec in secrets_:
        expected = _entry(signature(secret_key(whsec), msg_id, ts, body))
        if any(hmac.compare_digest(expected, o) for o in offered):
            return msg_id
    raise delivery_errors.SignatureMismatch("no signature matches")


def _entry(versioned: str) -> bytes:
    return versioned.partition(",")[2].encode("utf-8", errors="surrogateescape")


def _check_timestamp(ts: str, now: dt.datetime) -> None:
    if not (ts.isascii() and ts.isdigit()):
        raise delivery_errors.SignatureMismatch("webhook-timestamp is not epoch seconds")
    if abs(int(ts) - now.timestamp()) > TOLERANCE.total_seconds():
        raise delivery_errors.SignatureMismatch("webhook-timestamp is outside the tolerance")
