"""API key errors: branches of the one tree in :mod:`core.errors`."""

from __future__ import annotations

from core.errors import InvalidInput, NotFound, Unauthenticated


class InvalidApiKey(Unauthenticated):
    """Unknown, malformed or revoked: the caller is not told which."""

    code = "invalid_api_key"
    title = "Invalid API key"


class InvalidKeyBinding(InvalidInput):
    """A partner key without its partner, a citizen key without its submission, or the reverse."""

    code = "invalid_key_binding"
    title = "Invalid key binding"


class ApiKeyNotFound(NotFound):
    code = "api_key_not_found"
    title = "API key not found"
