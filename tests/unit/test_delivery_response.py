"""Response handling (§6.4): what each answer or failure means for the delivery."""

from __future__ import annotations

import datetime as dt
import email.utils

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notify import response

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


@settings(max_examples=100)
@given(status=st.integers(200, 299))
def test_any_2xx_is_delivered(status: int) -> None:
    verdict = response.classify_status(status, {}, NOW)
    assert verdict.delivered
    assert verdict.error_kind is None
    assert not verdict.possibly_received


def test_410_disables_the_endpoint_at_once() -> None:
    verdict = response.classify_status(410, {}, NOW)
    assert verdict.outcome == "disable"
    assert verdict.disable_reason == "gone_410"


@pytest.mark.parametrize("status", [429, 502, 504])
def test_throttling_statuses_retry_and_throttle(status: int) -> None:
    verdict = response.classify_status(status, {"Retry-After": "7"}, NOW)
    assert verdict.outcome == "retry"
    assert verdict.throttle
    assert verdict.retry_after == dt.timedelta(seconds=7)


@pytest.mark.parametrize(
    ("status", "kind"), [(301, "redirect"), (308, "redirect"), (400, "http_4xx"), (500, "http_5xx")]
)
def test_other_statuses_retry_with_their_kind(status: int, kind: str) -> None:
    verdict = response.classify_status(status, {}, NOW)
    assert verdict.outcome == "retry"
    assert verdict.error_kind == kind
    assert not verdict.throttle
    assert verdict.retry_after is None
    assert verdict.possibly_received


def test_503_honours_an_http_date_retry_after() -> None:
    later = email.utils.format_datetime(NOW + dt.timedelta(minutes=3), usegmt=True)
    verdict = response.classify_status(503, {"retry-after": later}, NOW)
    assert verdict.retry_after == dt.timedelta(minutes=3)
    assert not verdict.throttle


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("0", dt.timedelta(0)),
        ("120", dt.timedelta(minutes=2)),
        ("999999999999999999999", dt.timedelta(hours=24)),
        ("200000", dt.timedelta(hours=24)),
        ("Sun, 01 Mar 2026 08:00:00 GMT", dt.timedelta(0)),
        ("Sun, 01 Mar 2026 09:00:30 GMT", dt.timedelta(seconds=30)),
        ("Sunday, 01-Mar-26 09:01:00 GMT", dt.timedelta(minutes=1)),
        ("Sun Mar  1 09:02:00 2026", dt.timedelta(minutes=2)),
        ("Fri, 31 Dec 9999 23:59:59 GMT", dt.timedelta(hours=24)),
        ("soon", None),
        ("-5", None),
    ],
)
def test_retry_after_parsing(value: str | None, expected: dt.timedelta | None) -> None:
    assert response.retry_after(value, NOW) == expected


@pytest.mark.parametrize(
    ("kind", "possibly"),
    [("dns", False), ("connect", False), ("tls", False), ("timeout", True), ("reset", True)],
)
def test_failures_without_an_answer(kind: response.ErrorKind, possibly: bool) -> None:
    verdict = response.classify_error(kind)
    assert verdict.outcome == "retry"
    assert verdict.possibly_received is possibly
    assert verdict.connectivity_failure is (kind != "tls")


def test_an_ssrf_block_disables_the_endpoint_before_sending() -> None:
    verdict = response.classify_error("ssrf_block")
    assert verdict.outcome == "disable"
    assert verdict.disable_reason == "validation_failed"
    assert not verdict.possibly_received


@settings(max_examples=200)
@given(raw=st.binary(max_size=4096))
def test_excerpts_never_exceed_one_kibibyte_and_hold_no_control_characters(raw: bytes) -> None:
    text = response.excerpt(raw)
    assert len(text.encode("utf-8")) <= 1024
    assert not any(ord(c) < 0x20 and c not in "\t\n\r" for c in text)
    assert "\x7f" not in text


@settings(max_examples=200)
@given(text=st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=1500))
def test_a_printable_utf8_body_is_kept_as_is_up_to_the_last_whole_character(text: str) -> None:
    raw = text.encode("utf-8")
    kept = response.excerpt(raw)
    assert raw.startswith(kept.encode("utf-8"))
    assert len(raw[:1024]) - len(kept.encode("utf-8")) < 4


def test_a_binary_body_shows_replacement_characters_not_nul() -> None:
    raw = b"\x00\xff\xfe\x1b[31mPK\x03\x04ok\tline\n"
    assert response.excerpt(raw) == "\ufffd\ufffd\ufffd\ufffd[31mPK\ufffd\ufffdok\tline\n"


@settings(max_examples=300)
@given(value=st.text(max_size=40))
def test_any_retry_after_value_is_absent_or_within_the_cap(value: str) -> None:
    """Receivers send anything: unicode digits ("²", "١٢"), signs, dates out of range."""
    wait = response.retry_after(value, NOW)
    assert wait is None or dt.timedelta(0) <= wait <= response.RETRY_AFTER_CAP


@pytest.mark.parametrize("value", ["\u00b2", "\u0661\u0662", "\uff11\uff12", "1e3", "+5"])
def test_retry_after_is_ascii_delta_seconds_or_a_date(value: str) -> None:
    assert response.retry_after(value, NOW) is None
