"""One error tree for the whole hub.

Every error addresshub raises on purpose descends from :class:`AddressHubError`. Each class
carries a stable ``code`` (used in problem+json bodies, CLI messages and tests), an HTTP status
and a CLI exit code. Messages are safe to show to the caller: they never carry personal data
or driver internals.

::

    AddressHubError                      addresshub.error             500  exit 1
    ├── InvalidInput                     invalid_input                422  exit 2
    │   ├── InvalidIdentifier            invalid_identifier           422  exit 2
    │   └── InvalidRecord                invalid_record               422  exit 2
    ├── NotFound                         not_found                    404  exit 3
    ├── Conflict                         conflict                     409  exit 4
    ├── Unauthenticated                  unauthenticated              401  exit 5
    ├── Forbidden                        forbidden                    403  exit 5
    ├── SupplyRefused                    supply_refused               422  exit 6
    ├── ConfigurationError               configuration_error          500  exit 7
    └── StorageError                     storage_error                503  exit 8

Driver errors are wrapped at the repository edge (``raise StorageError(...) from exc``).
Packages subclass these for their own cases and give them their own ``code``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar


class AddressHubError(Exception):
    """The root of every error addresshub raises on purpose."""

    code: ClassVar[str] = "addresshub.error"
    title: ClassVar[str] = "Internal error"
    http_status: ClassVar[int] = 500
    exit_code: ClassVar[int] = 1

    def __init__(self, message: str, *, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = dict(details or {})

    def __str__(self) -> str:
        return self.message


class InvalidInput(AddressHubError):
    code = "invalid_input"
    title = "Invalid input"
    http_status = 422
    exit_code = 2


class InvalidIdentifier(InvalidInput):
    code = "invalid_identifier"
    title = "Invalid identifier"


class InvalidRecord(InvalidInput):
    code = "invalid_record"
    title = "Invalid record"


class NotFound(AddressHubError):
    code = "not_found"
    title = "Not found"
    http_status = 404
    exit_code = 3


class Conflict(AddressHubError):
    code = "conflict"
    title = "Conflict"
    http_status = 409
    exit_code = 4


class Unauthenticated(AddressHubError):
    code = "unauthenticated"
    title = "Authentication required"
    http_status = 401
    exit_code = 5


class Forbidden(AddressHubError):
    code = "forbidden"
    title = "Forbidden"
    http_status = 403
    exit_code = 5


class SupplyRefused(AddressHubError):
    code = "supply_refused"
    title = "Supply refused"
    http_status = 422
    exit_code = 6


class ConfigurationError(AddressHubError):
    code = "configuration_error"
    title = "Configuration error"
    http_status = 500
    exit_code = 7


class StorageError(AddressHubError):
    code = "storage_error"
    title = "Storage unavailable"
    http_status = 503
    exit_code = 8
