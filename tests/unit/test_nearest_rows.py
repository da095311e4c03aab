"""Nearest rows of one point each become the placed addresses their constructors build."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from core.tables import BNG_SRID
from gazetteer import find, spatial

_TEXT = st.text(max_size=12)
_ROW = st.tuples(
    st.integers(min_value=1, max_value=10**12),
    _TEXT,
    st.sampled_from(["lpi", "dpa", "listed"]),
    st.none() | _TEXT,
    st.none() | _TEXT,
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(min_value=0, max_value=1e6),
)


def _by_constructors(row: tuple[Any, ...]) -> spatial.PlacedAddress:
    uprn, label, source, postcode, classification, x, y, distance = row
    summary = find.AddressSummary(
        uprn=uprn, label=label, source=source, postcode=postcode, classification=classification
    )
    return spatial.PlacedAddress(
        address=summary, x=x, y=y, srid=BNG_SRID, distance=round(distance, 2)
    )


@given(st.lists(_ROW, max_size=5))
def test_rows_build_what_the_constructors_build(rows: list[tuple[Any, ...]]) -> None:
    placed = spatial._points(rows)
    assert placed == [_by_constructors(row) for row in rows]
    assert [hash(p) for p in placed] == [hash(_by_constructors(row)) for row in rows]
    assert all(p.address.score is None and p.address.highlights == () for p in placed)
