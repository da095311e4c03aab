"""Batch rows as one JSON document (the worker's steps, a move's batches): the values
PostgreSQL reads back, aware timestamps only."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notify import row_batch

ZONES = st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=1)), dt.timezone.min])
AWARE = st.datetimes(timezones=ZONES)
VALUE = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**53), 2**53), st.text(max_size=8), AWARE,
    st.lists(st.text(max_size=4), max_size=3),
    st.dictionaries(st.text(max_size=4), st.one_of(st.none(), st.text(max_size=4)), max_size=3),
)  # fmt: skip


def _stdlib(rows: list[dict[str, Any]]) -> str:
    """The document as the standard library writes it, timestamps in ISO 8601."""
    return json.dumps(rows, default=lambda value: value.isoformat())


@settings(max_examples=200)
@given(st.lists(st.dictionaries(st.sampled_from("abcd"), VALUE, min_size=1), max_size=5))
def test_a_document_reads_back_as_the_standard_librarys(batch: list[dict[str, Any]]) -> None:
    assert json.loads(row_batch.json_document(batch)) == json.loads(_stdlib(batch))


def test_rows_sharing_a_time_carry_it_each() -> None:
    now = dt.datetime(2026, 11, 23, 1, 2, 3, 456789, tzinfo=dt.UTC)
    read = json.loads(row_batch.json_document([{"at": now}, {"at": now, "n": 1}]))
    assert [row["at"] for row in read] == ["2026-11-23T01:02:03.456789+00:00"] * 2


def test_a_naive_timestamp_is_refused() -> None:
    with pytest.raises(TypeError) as refused:
        row_batch.json_document([{"at": dt.datetime(2026, 11, 23, 1, 2, 3)}])
    assert "timestamps must be aware" in str(refused.value.__cause__)
