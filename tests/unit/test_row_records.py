"""Records built from rows (gazetteer.row_records) equal what their keyword constructor builds."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gazetteer import facts_query, row_records
from tests import strategies

SHAPES = [
    facts_query.BLPU,
    facts_query.LPI,
    facts_query.DESCRIPTOR,
    facts_query.CROSS_REFERENCE,
    facts_query.DELIVERY_POINT,
]
dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
values = st.none() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12) | dates


def _by_constructor(shape: Any, row: list[Any]) -> Any:
    """The record as the keyword constructor builds it (dates parsed from ISO text)."""
    fields = dict(zip(shape.names, row, strict=True))
    for name in shape.dates:
        if isinstance(fields[name], str):
            fields[name] = dt.date.fromisoformat(fields[name])
    return shape.record_type(**fields)


@st.composite
def rows(draw: st.DrawFn) -> tuple[Any, list[Any]]:
    """A shape and a row for it: any values, its dates as dates, ISO text or ``None``."""
    shape = draw(st.sampled_from(SHAPES))
    row: list[Any] = []
    for name in shape.names:
        if name in shape.dates:
            date = draw(st.none() | dates)
            row.append(date.isoformat() if date and draw(st.booleans()) else date)
        else:
            row.append(draw(values))
    return shape, row


def _same(built: Any, expected: Any) -> None:
    assert built == expected
    assert type(built) is type(expected)
    for field in dataclasses.fields(expected):
        value, wanted = getattr(built, field.name), getattr(expected, field.name)
        assert type(value) is type(wanted) and value == wanted, field.name


@settings(max_examples=200)
@given(rows())
def test_a_row_builds_the_record_its_constructor_builds(shaped: tuple[Any, list[Any]]) -> None:
    shape, row = shaped
    _same(shape.record(row), _by_constructor(shape, row))
    assert hash(shape.record(row)) == hash(_by_constructor(shape, row))


@settings(max_examples=50)
@given(
    st.one_of(
        strategies.valid_blpus().map(lambda r: (facts_query.BLPU, r)),
        strategies.valid_lpis().map(lambda r: (facts_query.LPI, r)),
        strategies.valid_descriptors().map(lambda r: (facts_query.DESCRIPTOR, r)),
        strategies.valid_delivery_points().map(lambda r: (facts_query.DELIVERY_POINT, r)),
    ),
    st.booleans(),
)
def test_a_record_read_back_from_its_json_row_is_itself(shaped: Any, as_text: bool) -> None:
    shape, record = shaped
    row = [getattr(record, name) for name in shape.names]
    if as_text:
        row = [v.isoformat() if isinstance(v, dt.date) else v for v in row]
    expected = dataclasses.replace(
        record,
        **{f.name: f.default for f in dataclasses.fields(record) if f.name not in shape.names},
    )
    _same(shape.record(row), expected)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class _Plain:
    uprn: int
    name: str | None = None
    note: str = "n/a"


def test_fields_left_out_take_their_defaults_and_a_short_row_is_refused() -> None:
    build = row_records.builder(_Plain, ["uprn", "name"])
    record = build([1, "A"])
    assert record == _Plain(uprn=1, name="A")
    assert record.note == "n/a"
    with pytest.raises(ValueError):
        build([1])
    with pytest.raises(ValueError):
        row_records.builder(_Plain, ["name"])  # uprn has no default
    with pytest.raises(ValueError):
        row_records.builder(_Plain, ["uprn", "colour"])


def test_a_constructor_that_does_more_than_assign_is_refused() -> None:
    @dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
    class Checked:
        uprn: int

        def __post_init__(self) -> None:
            if self.uprn < 1:
                raise ValueError("no")

    @dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
    class Factory:
        tags: list[str] = dataclasses.field(default_factory=list)

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Unslotted:
        uprn: int

    for record_type in (Checked, Factory, Unslotted):
        with pytest.raises(TypeError):
            row_records.builder(record_type, ["uprn"])


def test_slot_setters_must_name_every_field_once() -> None:
    set_uprn, set_name, set_note = row_records.slot_setters(_Plain, ["uprn", "name", "note"])
    record = object.__new__(_Plain)
    set_uprn(record, 7)
    set_name(record, None)
    set_note(record, "x")
    assert record == _Plain(uprn=7, note="x")
    for names in (["uprn", "name"], ["uprn", "name", "note", "note"], ["uprn", "name", "colour"]):
        with pytest.raises(ValueError):
            row_records.slot_setters(_Plain, names)
