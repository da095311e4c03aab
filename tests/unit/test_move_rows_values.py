"""A plan decision's row values are the decision's own, written out afresh (the JSON values of
equal tuples are kept as one object, so a batch sends them once)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from notify import decision, move_rows

codes = st.sampled_from(["OUT_OF_AREA", "NO_MATCHING_RULE", "MOVE_BLOCKED", "x"])
reasons = st.lists(
    st.builds(
        decision.Reason,
        code=codes,
        effect=st.sampled_from(["refuse", "hold", "warn"]),
        detail=st.none() | st.text(max_size=5),
    ),
    max_size=3,
).map(tuple)
groups = st.lists(st.sampled_from(["NAMES", "OLD_ADDRESS", "MOVE_DATE"]), max_size=3).map(tuple)
decisions = st.builds(
    decision.Decision,
    partner_service_id=st.sampled_from(["P/A", "P/B"]),
    partner_id=st.just("P"),
    role=st.sampled_from(["joining", "leaving", "none"]),
    outcome=st.sampled_from(["send", "refuse", "hold"]),
    reasons=reasons,
    warnings=reasons,
    fields=groups,
    fields_dropped=st.lists(st.tuples(codes, codes), max_size=2).map(tuple),
    not_before=st.none() | st.just(dt.datetime(2025, 3, 1, tzinfo=dt.UTC)),
)


def _plain(d: decision.Decision) -> dict[str, Any]:
    """The values as they were written before equal tuples shared their JSON value."""
    return {
        "fields": list(d.fields),
        "fields_dropped": [{"group": g, "reason": r} for g, r in d.fields_dropped],
        "reasons": [{"code": r.code, "effect": r.effect, "detail": r.detail} for r in d.reasons],
        "warnings": [{"code": r.code, "effect": r.effect, "detail": r.detail} for r in d.warnings],
    }


@given(first=decisions, second=decisions)
def test_decision_values_equal_the_plain_conversion(
    first: decision.Decision, second: decision.Decision
) -> None:
    a, b = move_rows.decision_values(first), move_rows.decision_values(second)
    assert {k: a[k] for k in _plain(first)} == _plain(first)
    assert {k: b[k] for k in _plain(second)} == _plain(second)
    assert a["id"] != b["id"] and a["partner_service_id"] == first.partner_service_id
    if first.reasons == second.reasons:
        assert a["reasons"] is b["reasons"]


@given(first=decisions, second=decisions)
def test_a_refusal_met_again_has_the_values_written_afresh_and_a_new_id(
    first: decision.Decision, second: decision.Decision
) -> None:
    """Kept values serve the same decision object only: each row equals the values written
    afresh but for its own id."""
    rows = [move_rows.refused_values(d, f"id-{n}") for n, d in enumerate((first, second) * 2)]
    for row, d in zip(rows, (first, second, first, second), strict=True):
        fresh = move_rows.decision_values(d)
        assert {k: v for k, v in row.items() if k != "id"} == {
            k: v for k, v in fresh.items() if k != "id"
        }
    assert [row["id"] for row in rows] == ["id-0", "id-1", "id-2", "id-3"]
