"""Sharing errors: branches of the one tree in :mod:`core.errors`.

::

    InvalidInput
    ├── InvalidMove              invalid_move            a submission that cannot be planned
    ├── InvalidEvent             invalid_event           an event that cannot be built
    ├── PayloadTooLarge          payload_too_large       an event body over the 64 KiB limit
    ├── InvalidRegistryFile      invalid_registry_file   a rules file that cannot be read
    └── InvalidRecord
        └── InvalidRule          invalid_rule            registry validation (RV1–RV11) failed
    NotFound
    ├── MoveNotFound             move_not_found
    ├── ConsentNotFound          consent_not_found
    ├── EventSchemaNotFound      event_schema_not_found  no such event type or schema version
    └── UnknownRegistryItem      unknown_registry_item   a rule names an unknown partner or DSA
    Conflict
    └── ImmutableVersion         immutable_version       a non-draft version may not change
"""

from __future__ import annotations

from core.errors import Conflict, InvalidInput, InvalidRecord, NotFound


class InvalidMove(InvalidInput):
    code = "invalid_move"
    title = "Invalid move"


class InvalidEvent(InvalidInput):
    code = "invalid_event"
    title = "Invalid event"


class PayloadTooLarge(InvalidInput):
    code = "payload_too_large"
    title = "Event body too large"


class InvalidRegistryFile(InvalidInput):
    code = "invalid_registry_file"
    title = "Invalid rules file"


class InvalidRule(InvalidRecord):
    code = "invalid_rule"
    title = "Invalid sharing rule"


class MoveNotFound(NotFound):
    code = "move_not_found"
    title = "Move not found"


class ConsentNotFound(NotFound):
    code = "consent_not_found"
    title = "Consent not found"


class EventSchemaNotFound(NotFound):
    code = "event_schema_not_found"
    title = "Event schema not found"


class UnknownRegistryItem(NotFound):
    code = "unknown_registry_item"
    title = "Unknown registry item"


class ImmutableVersion(Conflict):
    code = "immutable_version"
    title = "Version is immutable"
