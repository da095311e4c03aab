"""How an endpoint authenticates the hub's requests besides the signature (§6.3).

An endpoint has at most one of a static bearer token and OAuth2 client credentials
(:mod:`notify.transports.oauth`). Asking for both in one request is refused
(:class:`AuthConflict`, 422); setting one later replaces the other. The token URL passes the
same target guard as webhook URLs. Secrets are stored sealed and never shown: the view names
the kind (``none``, ``bearer`` or ``oauth2_cc``) and the token URL, client id and scope. A
client certificate (:mod:`notify.endpoint_mtls`) is another layer and goes with either; the
kind is ``mtls`` only when the certificate is all there is besides the signature.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Final, Literal

from core import errors
from notify import ssrf
from notify.tables import registry

AuthKind = Literal["none", "bearer", "oauth2_cc", "mtls"]


class AuthConflict(errors.InvalidInput):
    code = "auth_conflict"
    title = "Bearer token and OAuth2 both given"


@dataclass(frozen=True, kw_only=True, slots=True)
class OAuthSettings:
    """OAuth2 client credentials as a partner gives them."""

    token_url: str
    client_id: str
    client_secret: str
    scope: str | None = None


class Keep(enum.Enum):
    """``oauth2`` left out of a change: the credentials stay as they are."""

    KEEP = "keep"


KEEP: Final = Keep.KEEP


def refuse_both(bearer_token: str | None, oauth2: OAuthSettings | None) -> None:
    if bearer_token and oauth2 is not None:
        raise AuthConflict("an endpoint takes a bearer token or OAuth2, not both")


def set_oauth(
    endpoint: registry.Endpoint, oauth2: OAuthSettings | None, policy: ssrf.TargetPolicy
) -> None:
    """Store the client credentials (the token URL guarded), clearing any bearer token; None
    removes them."""
    if oauth2 is not None:
        ssrf.check_url(oauth2.token_url, policy)
        endpoint.bearer_token = None
    endpoint.oauth_token_url = oauth2.token_url if oauth2 else None
    endpoint.oauth_client_id = oauth2.client_id if oauth2 else None
    endpoint.oauth_client_secret = oauth2.client_secret if oauth2 else None
    endpoint.oauth_scope = (oauth2.scope or None) if oauth2 else None


def set_bearer(endpoint: registry.Endpoint, bearer_token: str) -> None:
    """A new bearer token (empty: none); a token replaces any OAuth2 credentials."""
    endpoint.bearer_token = bearer_token or None
    if bearer_token:
        endpoint.oauth_token_url = endpoint.oauth_client_id = None
        endpoint.oauth_client_secret = endpoint.oauth_scope = None


def kind(
    bearer_token: str | None, token_url: str | None, certificate: str | None = None
) -> AuthKind:
    """The ``authorization`` header's kind; ``mtls`` when a client certificate is the only
    credential besides the signature."""
    header: AuthKind = "oauth2_cc" if token_url else "bearer" if bearer_token else "none"
    return "mtls" if header == "none" and certificate else header


def view(token_url: str | None, client_id: str | None, scope: str | None) -> dict[str, Any]:
    """The OAuth2 part of an endpoint's view: never the secret."""
    if not token_url:
        return {"oauth2": None}
    return {"oauth2": {"token_url": token_url, "client_id": client_id, "scope": scope}}
