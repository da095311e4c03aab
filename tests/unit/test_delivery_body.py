"""Narrowing a body at send time keeps only the permitted groups' paths (V2)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from notify import canonical, delivery_body, projection

DATA = {
    "submission_ref": "M-1",
    "role": "joining",
    "fields": ["MOVE_DATE", "NEW_ADDRESS", "PERSON_NAME"],
    "person": {"given_name": "Ada", "family_name": "Lovelace"},
    "new_address": {"uprn": 1, "postcode": "EX1 1AE"},
    "move_date": "2026-03-01",
    "move_date_kind": "actual",
}
BODY = canonical.dumps({"id": "d1", "specversion": "1.0", "data": DATA})
GROUPS = ["MOVE_DATE", "NEW_ADDRESS", "PERSON_NAME"]


@settings(max_examples=50)
@given(kept=st.lists(st.sampled_from(GROUPS), unique=True))
def test_narrowing_leaves_only_paths_of_the_kept_groups(kept: list[str]) -> None:
    narrowed = json.loads(delivery_body.narrow(BODY, kept))
    assert narrowed["id"] == "d1"
    assert narrowed["data"]["fields"] == sorted(kept)
    assert projection.stray_paths(narrowed["data"], kept) == frozenset()
    if "PERSON_NAME" in kept:
        assert narrowed["data"]["person"] == DATA["person"]
    else:
        assert "person" not in narrowed["data"]


def test_narrowing_to_every_group_changes_nothing_but_canonical_form() -> None:
    assert delivery_body.narrow(BODY, GROUPS) == BODY
