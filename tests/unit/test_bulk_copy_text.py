"""The fast path's ``COPY`` text block against ``COPY`` text format's own escaping."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from loaders import bulk

SPECIAL = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
FIELD = st.text(alphabet=st.sampled_from(["A", "1", " ", ",", '"', "é", "-", *SPECIAL]), max_size=6)


def _escaped_row(row: list[str]) -> str:
    """A row as PostgreSQL's COPY text format spells it (what ``write_row`` sends)."""
    return "\t".join("".join(SPECIAL.get(c, c) for c in field) for field in row) + "\n"


@settings(max_examples=200)
@given(
    st.integers(1, 5).flatmap(
        lambda n: st.lists(st.lists(FIELD, min_size=n, max_size=n), min_size=1, max_size=5)
    )
)
def test_a_block_is_the_escaped_rows_or_none(rows: list[list[str]]) -> None:
    block = bulk.copy_text(rows, columns=len(rows[0]))
    plain = not any(c in SPECIAL for row in rows for field in row for c in field)
    if plain:
        assert block == "".join(_escaped_row(row) for row in rows)
    else:
        assert block is None


def test_empty_fields_stay_empty_strings() -> None:
    assert bulk.copy_text([["21", "", "3"], ["", "", ""]], columns=3) == "21\t\t3\n\t\t\n"


def test_a_tab_or_newline_inside_a_field_is_never_sent_raw() -> None:
    assert bulk.copy_text([["a\tb", "c"]], columns=2) is None
    assert bulk.copy_text([["a", "b\nc"]], columns=2) is None
    assert bulk.copy_text([["a\\.", "c"]], columns=2) is None
