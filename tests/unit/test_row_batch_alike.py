"""The batch's test of values alike in every row equals the plain per-row comparison."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from notify import row_batch

SHARED_LIST: list[str] = ["NAMES"]
_ZONES = st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=1)), None])
_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 2),
    st.sampled_from(["", "a", "1"]),
    st.sampled_from([dt.date(2020, 1, 1), dt.date(2020, 1, 2)]),
    st.builds(
        lambda hour, zone: dt.datetime(2020, 1, 1, hour, tzinfo=zone),
        st.integers(0, 1),
        _ZONES,
    ),
    st.just(SHARED_LIST),
    st.builds(list, st.just(SHARED_LIST)),  # equal, not the same object
)


def _plain(value: Any, key: str, rows: list[dict[str, Any]]) -> bool:
    """The comparison as first written, row by row."""
    kind = type(value)
    if kind not in row_batch._SCALARS:
        return all(row[key] is value for row in rows)
    if kind is dt.datetime:
        offset = value.utcoffset()
        return all(
            type(row[key]) is kind and row[key] == value and row[key].utcoffset() == offset
            for row in rows
        )
    return all(type(row[key]) is kind and row[key] == value for row in rows)


@settings(max_examples=200)
@given(first=_VALUES, others=st.lists(_VALUES, max_size=6), copies=st.integers(0, 6))
def test_alike_equals_the_plain_comparison(first: Any, others: list[Any], copies: int) -> None:
    rows = [{"k": v} for v in [first, *[first] * copies, *others]]
    assert row_batch._alike(first, "k", rows) == _plain(first, "k", rows)


def test_alike_tells_types_offsets_and_objects_apart() -> None:
    utc = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    one = utc.astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert row_batch._alike(1, "k", [{"k": 1}, {"k": 1}])
    assert not row_batch._alike(1, "k", [{"k": 1}, {"k": True}])
    assert not row_batch._alike(utc, "k", [{"k": utc}, {"k": one}])
    assert not row_batch._alike(SHARED_LIST, "k", [{"k": SHARED_LIST}, {"k": list(SHARED_LIST)}])
    assert row_batch._alike(SHARED_LIST, "k", [{"k": SHARED_LIST}, {"k": SHARED_LIST}])
