"""Standard Webhooks signing: sign here, verify with the reference ``standardwebhooks`` library."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
from collections.abc import Iterator
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from standardwebhooks import webhooks as reference

from notify import delivery_errors, signing
from tests import delivery_strategies as ds


@contextlib.contextmanager
def reference_clock(at: dt.datetime) -> Iterator[None]:
    """Make the reference verifier's "now" equal ``at`` (its ±5 min window moves with it)."""

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> Frozen:
            return cls.fromtimestamp(at.timestamp(), tz)

    with mock.patch.object(reference, "datetime", Frozen):
        yield


def reference_verify(secret: str, body: bytes, headers: dict[str, str], at: dt.datetime) -> None:
    with reference_clock(at):
        reference.Webhook(secret).verify(body, headers, json_parse=False)


@settings(max_examples=200)
@given(secret=ds.whsec_secrets, delivery_id=ds.delivery_ids, body=ds.bodies, at=ds.attempt_times)
def test_every_signature_verifies_with_the_reference_library(
    secret: str, delivery_id: str, body: bytes, at: dt.datetime
) -> None:
    msg_id = signing.message_id(delivery_id)
    headers = signing.headers(msg_id=msg_id, body=body, at=at, secrets_=[secret])
    assert headers["webhook-id"] == "msg_" + delivery_id
    assert headers["webhook-timestamp"] == str(int(at.timestamp()))
    reference_verify(secret, body, headers, at)
    assert signing.verify(body=body, headers_=headers, secrets_=[secret], now=at) == msg_id


@settings(max_examples=100)
@given(
    current=ds.whsec_secrets,
    previous=ds.whsec_secrets,
    body=ds.bodies,
    at=ds.attempt_times,
)
def test_during_rotation_either_secret_verifies(
    current: str, previous: str, body: bytes, at: dt.datetime
) -> None:
    headers = signing.headers(msg_id="msg_1", body=body, at=at, secrets_=[current, previous])
    entries = headers["webhook-signature"].split(" ")
    assert len(entries) == 2
    assert all(e.startswith("v1,") for e in entries)
    reference_verify(current, body, headers, at)
    reference_verify(previous, body, headers, at)


@settings(max_examples=100)
@given(secret=ds.whsec_secrets, body=ds.bodies, at=ds.attempt_times, data=st.data())
def test_a_flipped_body_byte_fails_verification(
    secret: str, body: bytes, at: dt.datetime, data: st.DataObject
) -> None:
    body = body or b"{}"
    headers = signing.headers(msg_id="msg_x", body=body, at=at, secrets_=[secret])
    index = data.draw(st.integers(0, len(body) - 1))
    tampered = body[:index] + bytes([body[index] ^ 0x01]) + body[index + 1 :]
    with pytest.raises(delivery_errors.SignatureMismatch):
        signing.verify(body=tampered, headers_=headers, secrets_=[secret], now=at)


@settings(max_examples=50)
@given(
    secret=ds.whsec_secrets,
    at=ds.attempt_times,
    skew=st.integers(301, 10**6),
    sign=st.sampled_from((-1, 1)),
)
def test_a_timestamp_outside_five_minutes_fails_both_verifiers(
    secret: str, at: dt.datetime, skew: int, sign: int
) -> None:
    headers = signing.headers(msg_id="msg_x", body=b"{}", at=at, secrets_=[secret])
    later = at + dt.timedelta(seconds=sign * skew)
    with pytest.raises(delivery_errors.SignatureMismatch):
        signing.verify(body=b"{}", headers_=headers, secrets_=[secret], now=later)
    with pytest.raises(reference.WebhookVerificationError):
        reference_verify(secret, b"{}", headers, later)


def test_a_secret_not_among_the_active_ones_fails() -> None:
    at = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    old, new = signing.new_secret(), signing.new_secret()
    headers = signing.headers(msg_id="msg_a", body=b"{}", at=at, secrets_=[old])
    with pytest.raises(delivery_errors.SignatureMismatch):
        signing.verify(body=b"{}", headers_=headers, secrets_=[new], now=at)


def test_the_signature_matches_the_specification_formula() -> None:
    # §6.3 worked by hand: base64(HMAC-SHA256(key, "msg_1.1700000000.{}")).
    import hashlib
    import hmac

    key = bytes(range(32))
    secret = "whsec_" + base64.b64encode(key).decode()
    at = dt.datetime.fromtimestamp(1_700_000_000.9, dt.UTC)
    headers = signing.headers(msg_id="msg_1", body=b"{}", at=at, secrets_=[secret])
    mac = hmac.new(key, b"msg_1.1700000000.{}", hashlib.sha256).digest()
    assert headers["webhook-signature"] == "v1," + base64.b64encode(mac).decode()


def test_new_secrets_are_32_random_bytes() -> None:
    first, second = signing.new_secret(), signing.new_secret()
    assert first != second
    assert len(signing.secret_key(first)) == 32


@pytest.mark.parametrize(
    "bad",
    [
        "sk_" + base64.b64encode(bytes(32)).decode(),
        "whsec_" + base64.b64encode(bytes(16)).decode(),
        "whsec_" + base64.b64encode(bytes(65)).decode(),
        "whsec_not*base64",
    ],
)
def test_unusable_secrets_are_refused(bad: str) -> None:
    with pytest.raises(delivery_errors.InvalidSecret):
        signing.secret_key(bad)


def test_no_secret_no_signature_and_no_dot_in_ids() -> None:
    at = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    with pytest.raises(delivery_errors.InvalidSecret):
        signing.headers(msg_id="msg_1", body=b"{}", at=at, secrets_=[])
    with pytest.raises(ValueError, match="has no"):
        signing.message_id("a.b")
