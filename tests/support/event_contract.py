"""Checking a sent event against the contract of its type (:mod:`notify.event_schemas`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from notify import event_schemas

NAMESPACE = "uk.gov.example.addresshub"


def kind_of(event: Mapping[str, Any], namespace: str = NAMESPACE) -> str:
    type_ = str(event["type"])
    assert type_.startswith(f"{namespace}."), type_
    return type_.removeprefix(f"{namespace}.")


def check(event: Mapping[str, Any] | bytes, namespace: str = NAMESPACE) -> BaseModel:
    """The event's ``data``, validated by the model of its type (raises if it does not fit);
    the event names that type's schema in ``dataschema``."""
    parsed = json.loads(event) if isinstance(event, bytes) else event
    assert str(parsed.get("dataschema", "")).endswith(f"/schemas/{parsed['type']}/1.json"), parsed
    return event_schemas.model_of(kind_of(parsed, namespace)).model_validate(parsed["data"])
