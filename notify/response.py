"""What a webhook attempt's result means for the delivery (sharing-and-delivery §6.4), pure.

* 2xx: delivered.
* 410 Gone: the endpoint is disabled at once (``gone_410``); the delivery is held, not dead.
* 429, 502, 504: failure, and the endpoint is throttled; ``Retry-After`` is honoured.
* any other status: failure (3xx counts as ``redirect``: redirects are never followed), with
  ``Retry-After`` honoured when present (typically 503), capped at 24 hours.
* timeout or reset after connecting: failure, possibly received.
* DNS, connect refused, TLS, no OAuth2 access token (``auth_failed``): failure before
  sending. An SSRF block also disables the endpoint (``validation_failed``).

Any HTTP answer other than 2xx also counts as possibly received: the receiver had the bytes.
"""

from __future__ import annotations

import codecs
import datetime as dt
import email.utils
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

ErrorKind = Literal[
    "dns",
    "connect",
    "tls",
    "ssrf_block",
    "auth_failed",
    "timeout",
    "reset",
    "redirect",
    "http_4xx",
    "http_5xx",
]
Outcome = Literal["delivered", "retry", "disable"]
DisableReason = Literal["gone_410", "sustained_failure", "manual", "validation_failed"]

RETRY_AFTER_CAP: Final = dt.timedelta(hours=24)
_CONTROLS: Final = {c: "\ufffd" for c in [*range(0x20), 0x7F] if chr(c) not in "\t\n\r"}
THROTTLE_STATUSES: Final = frozenset({429, 502, 504})
BEFORE_SENDING: Final[frozenset[ErrorKind]] = frozenset(
    {"dns", "connect", "tls", "ssrf_block", "auth_failed"}
)
#: Kinds that count towards the circuit breaker's "5 consecutive" rule (§6.6).
CONNECTIVITY: Final[frozenset[ErrorKind]] = frozenset({"timeout", "connect", "dns", "reset"})


@dataclass(frozen=True, kw_only=True, slots=True)
class Verdict:
    outcome: Outcome
    http_status: int | None = None
    error_kind: ErrorKind | None = None
    possibly_received: bool = False
    retry_after: dt.timedelta | None = None
    throttle: bool = False
    disable_reason: DisableReason | None = None

    @property
    def delivered(self) -> bool:
        return self.outcome == "delivered"

    @property
    def connectivity_failure(self) -> bool:
        return self.error_kind in CONNECTIVITY


DELIVERED_VERDICT: Final = Verdict(outcome="delivered")


def classify_status(status: int, headers: Mapping[str, str], now: dt.datetime) -> Verdict:
    """The verdict on an HTTP answer (headers looked up case-insensitively)."""
    if 200 <= status < 300:
        return Verdict(outcome="delivered", http_status=status)
    if status == 410:
        return Verdict(
            outcome="disable",
            http_status=status,
            error_kind="http_4xx",
            possibly_received=True,
            disable_reason="gone_410",
        )
    return Verdict(
        outcome="retry",
        http_status=status,
        error_kind=_status_kind(status),
        possibly_received=True,
        retry_after=retry_after(_header(headers, "retry-after"), now),
        throttle=status in THROTTLE_STATUSES,
    )


def classify_error(kind: ErrorKind) -> Verdict:
    """The verdict on an attempt that got no HTTP answer."""
    if kind == "ssrf_block":
        return Verdict(outcome="disable", error_kind=kind, disable_reason="validation_failed")
    return Verdict(outcome="retry", error_kind=kind, possibly_received=kind not in BEFORE_SENDING)


def _status_kind(status: int) -> ErrorKind:
    if 300 <= status < 400:
        return "redirect"
    return "http_5xx" if status >= 500 else "http_4xx"


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name), None)


def retry_after(value: str | None, now: dt.datetime) -> dt.timedelta | None:
    """``Retry-After`` as delta-seconds or an HTTP-date, clamped to [0, 24 h]; None if absent."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    wait: dt.timedelta | None
    if text.isascii() and text.isdigit():
        cap = int(RETRY_AFTER_CAP.total_seconds())
        wait = dt.timedelta(seconds=min(int(text), cap) if len(text) <= 12 else cap)
    else:
        wait = _until_date(text, now)
    if wait is None:
        return None
    return min(max(wait, dt.timedelta(0)), RETRY_AFTER_CAP)


def _until_date(text: str, now: dt.datetime) -> dt.timedelta | None:
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when - now


def excerpt(raw: bytes, limit: int = 1024) -> str:
    """At most ``limit`` UTF-8 bytes of a non-2xx response body, as text safe to store and
    show (§6.15): bytes that are not UTF-8 and control characters (NUL included; tab and line
    breaks stay) become U+FFFD, and a character cut off at the limit is dropped."""
    text = codecs.getincrementaldecoder("utf-8")("replace").decode(raw[:limit], final=False)
    safe = text.translate(_CONTROLS)
    return safe.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
