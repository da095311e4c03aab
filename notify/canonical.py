"""Canonical JSON for digests and event bodies: sorted keys, no spaces, UTF-8."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any, Final

_AS_IS: Final = frozenset({str, int, float, bool, type(None)})


def jsonable(value: Any) -> Any:
    """Dataclasses, mappings, sets and dates as plain JSON values (sets sorted).

    Values of exactly the built-in JSON types (a body is made of them) are taken first, by
    their exact type; anything else, subclasses included, goes through :func:`_general`."""
    kind = type(value)
    if kind in _AS_IS:
        return value
    if kind is dict:
        return {k if type(k) is str else _key(k): jsonable(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [jsonable(v) for v in value]
    return _general(value)


def _general(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {_key(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted((jsonable(v) for v in value), key=_sort_key)
    if isinstance(value, tuple | list):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _key(key: Any) -> str:
    return "@".join(str(k) for k in key) if isinstance(key, tuple) else str(key)


def _sort_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def dumps(value: Any) -> bytes:
    """The exact bytes that are signed and hashed."""
    text = json.dumps(jsonable(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def digest(value: Any) -> str:
    return "sha256:" + hashlib.sha256(dumps(value)).hexdigest()
