"""OAuth2 client credentials, the pure parts: the token answer, expiry and the cache."""

from __future__ import annotations

import asyncio
import base64
import json
import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notify.transports import oauth

CLIENT = oauth.OAuthClient(
    token_url="https://login.example.org/token", client_id="hub", client_secret="s3cr3t:&+ x"
)


def _answer(**fields: object) -> bytes:
    return json.dumps(fields).encode()


def test_a_token_answer_gives_the_token_and_its_expiry_less_the_margin() -> None:
    token = oauth.parse_token(
        200, _answer(access_token="abc.DEF-123", token_type="Bearer", expires_in=3600), now=10.0
    )
    assert token.value == "abc.DEF-123"
    assert token.expires_at == 10.0 + 3600 - 60


@pytest.mark.parametrize(
    ("status", "raw", "reason"),
    [
        (503, _answer(error="temporarily_unavailable"), "answered 503 (temporarily_unavailable)"),
        (401, b"<html>no</html>", "answered 401"),
        (200, _answer(token_type="Bearer"), "without a usable access_token"),
        (200, _answer(access_token="a b\r\nx: y"), "without a usable access_token"),
        (200, _answer(access_token="abc", token_type="mac"), "token type not bearer"),
        (200, b"[1, 2]", "without a usable access_token"),
    ],
)
def test_an_unusable_answer_names_only_the_status(status: int, raw: bytes, reason: str) -> None:
    with pytest.raises(oauth.TokenUnavailable) as caught:
        oauth.parse_token(status, raw, now=0.0)
    assert str(caught.value).endswith(reason)
    assert "abc" not in str(caught.value)


def test_an_error_code_that_is_not_a_plain_code_is_left_out() -> None:
    raw = _answer(error="invalid_client: secret s3cr3t is wrong")
    with pytest.raises(oauth.TokenUnavailable, match=r"^token endpoint answered 401$"):
        oauth.parse_token(401, raw, now=0.0)


@given(st.floats(min_value=0, max_value=10**7, allow_nan=False))
def test_a_token_is_used_for_less_than_its_life_and_never_a_negative_time(life: float) -> None:
    used = oauth.lifetime(life)
    assert 0 <= used <= life
    assert life - used == pytest.approx(min(60.0, life * 0.1))


def test_without_expires_in_a_default_life_and_odd_values_count_as_missing() -> None:
    assert oauth.lifetime(None) == 300 - 30
    assert oauth.lifetime(-5) == 0
    raw = _answer(access_token="t", expires_in="120")
    assert oauth.parse_token(200, raw, now=0.0).expires_at == 108
    raw = _answer(access_token="t", expires_in=True)
    assert oauth.parse_token(200, raw, now=0.0).expires_at == 270
    raw = b'{"access_token": "t", "expires_in": NaN}'
    assert oauth.parse_token(200, raw, now=0.0).expires_at == 270


def test_the_client_authenticates_with_form_encoded_basic_and_asks_for_the_grant() -> None:
    scheme, _, encoded = oauth.basic_auth(CLIENT).partition(" ")
    given_id, _, secret = base64.b64decode(encoded).decode().partition(":")
    assert scheme == "Basic"
    assert (given_id, urllib.parse.unquote_plus(secret)) == ("hub", "s3cr3t:&+ x")
    assert urllib.parse.parse_qs(oauth.form_body(CLIENT).decode()) == {
        "grant_type": ["client_credentials"]
    }
    scoped = oauth.OAuthClient(token_url="u", client_id="c", client_secret="s", scope="a b")
    assert urllib.parse.parse_qs(oauth.form_body(scoped).decode())["scope"] == ["a b"]


def test_the_secret_is_not_in_the_repr() -> None:
    assert "s3cr3t" not in repr(CLIENT)
    assert "tok" not in repr(oauth.Token(value="tok", expires_at=1.0))


def test_an_endpoint_without_all_three_credentials_has_no_client() -> None:
    assert oauth.client(None, None, None, None) is None
    assert oauth.client("https://t", "id", None, None) is None
    assert oauth.client("https://t", "id", "s", "x") == oauth.OAuthClient(
        token_url="https://t", client_id="id", client_secret="s", scope="x"
    )


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_cache_fetches_once_for_concurrent_sends_then_again_after_expiry_or_a_drop() -> None:
    clock, fetched = _Clock(), []

    async def fetch(client: oauth.OAuthClient) -> oauth.Token:
        await asyncio.sleep(0.01)
        fetched.append(client.key)
        return oauth.Token(value=f"t{len(fetched)}", expires_at=clock.now + 100)

    async def run() -> list[str]:
        cache = oauth.TokenCache(clock)
        first = await asyncio.gather(*(cache.token(CLIENT, fetch) for _ in range(20)))
        clock.now = 99.0
        still = await cache.token(CLIENT, fetch)
        clock.now = 100.0
        expired = await cache.token(CLIENT, fetch)
        cache.drop(CLIENT, "t1")  # an old token refused: the newer one stays
        kept = await cache.token(CLIENT, fetch)
        cache.drop(CLIENT, kept)
        return [*set(first), still, expired, kept, await cache.token(CLIENT, fetch)]

    assert asyncio.run(run()) == ["t1", "t1", "t2", "t2", "t3"]
    assert len(fetched) == 3


def test_a_client_naming_anothers_id_with_another_secret_never_gets_its_token() -> None:
    impostor = oauth.OAuthClient(
        token_url=CLIENT.token_url, client_id=CLIENT.client_id, client_secret="guess"
    )

    async def fetch(client: oauth.OAuthClient) -> oauth.Token:
        if client.client_secret != CLIENT.client_secret:
            raise oauth.TokenUnavailable("token endpoint answered 401 (invalid_client)")
        return oauth.Token(value="real", expires_at=100.0)

    async def run() -> str:
        cache = oauth.TokenCache(_Clock())
        assert await cache.token(CLIENT, fetch) == "real"
        return await cache.token(impostor, fetch)

    with pytest.raises(oauth.TokenUnavailable):
        asyncio.run(run())
