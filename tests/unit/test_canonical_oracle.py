"""The canonical encoder gives the same bytes as the plain recursive one it speeds up: event
signatures and payload hashes depend on these bytes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import types
from collections.abc import Mapping
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from notify import canonical


def _oracle_jsonable(value: Any) -> Any:
    """The encoder's conversion before exact-type dispatch, kept verbatim as the oracle."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _oracle_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {_oracle_key(k): _oracle_jsonable(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted((_oracle_jsonable(v) for v in value), key=_oracle_sort_key)
    if isinstance(value, tuple | list):
        return [_oracle_jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _oracle_key(key: Any) -> str:
    return "@".join(str(k) for k in key) if isinstance(key, tuple) else str(key)


def _oracle_sort_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _oracle_dumps(value: Any) -> bytes:
    text = json.dumps(
        _oracle_jsonable(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return text.encode("utf-8")


class Label(str):
    """A str subclass, as a key and as a value."""

    def __str__(self) -> str:
        return "label:" + super().__str__()


class Kind(str, enum.Enum):  # noqa: UP042 - str() of a member is "Kind.A", not its value
    A = "a"
    B = "b"


class Rank(enum.IntEnum):
    LOW = 1
    HIGH = 2


@dataclasses.dataclass(frozen=True)
class Point:
    x: Any
    y: Any


class Counted(dict[Any, Any]):
    """A dict subclass (not the exact type)."""


class Pair(tuple[Any, ...]):
    """A tuple subclass."""


_texts = st.text(max_size=6)
_scalars = (
    _texts
    | st.integers()
    | st.floats(allow_nan=False)
    | st.booleans()
    | st.none()
    | st.dates()
    | st.datetimes(timezones=st.none() | st.timezones())
    | _texts.map(Label)
    | st.sampled_from(Kind)
    | st.sampled_from(Rank)
)
_keys = (
    _texts
    | _texts.map(Label)
    | st.sampled_from(Kind)
    | st.integers(-20, 20)
    | st.booleans()
    | st.none()
    | st.tuples(_texts, st.integers(0, 3))
)


def _containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return (
        st.dictionaries(_texts, inner, max_size=4)
        | st.dictionaries(_keys, inner, max_size=3)
        | st.dictionaries(_texts, inner, max_size=3).map(Counted)
        | st.dictionaries(_texts, inner, max_size=3).map(types.MappingProxyType)
        | st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.lists(inner, max_size=3).map(Pair)
        | st.frozensets(_texts | st.integers(), max_size=4)
        | st.sets(st.integers(), max_size=4)
        | st.builds(Point, inner, inner)
    )


values = st.recursive(_scalars, _containers, max_leaves=25)


def _outcome(encode: Any, value: Any) -> bytes | type[BaseException]:
    try:
        result: bytes = encode(value)
    except (TypeError, ValueError) as error:
        return type(error)
    return result


@settings(max_examples=500)
@given(values)
def test_dumps_gives_the_bytes_of_the_plain_recursive_encoder(value: Any) -> None:
    assert _outcome(canonical.dumps, value) == _outcome(_oracle_dumps, value)


@settings(max_examples=200)
@given(values)
def test_jsonable_equals_the_plain_recursive_conversion(value: Any) -> None:
    try:
        expected = _oracle_jsonable(value)
    except TypeError:
        return
    assert canonical.jsonable(value) == expected


def test_the_envelope_shape_is_encoded_as_before() -> None:
    """A body like the ones signed: nested dicts, lists, None and non-ASCII text."""
    body = {
        "id": "d1",
        "data": {"person": {"given_name": "Siân", "family_name": "Ó Briain"}, "fields": ["A"]},
        "n": [1, 2.5, None, True],
    }
    raw = canonical.dumps(body)
    assert raw == _oracle_dumps(body)
    assert raw.startswith(b'{"data":{"fields":["A"],"person":{"family_name":')
    assert "Siân".encode() in raw
