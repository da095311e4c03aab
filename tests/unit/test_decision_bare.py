"""A decision made without a rule is kept and given again: the same value as built afresh."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from hypothesis import given, settings
from hypothesis import strategies as st

from notify import decision, domain

_REASONS = st.lists(
    st.builds(
        decision.Reason,
        code=st.sampled_from(["OUT_OF_AREA", "PARTNER_SUSPENDED", "REPEATED_MOVE"]),
        effect=st.sampled_from(["refuse", "hold"]),
        detail=st.none() | st.just("why"),
    ),
    max_size=3,
)
_WARNINGS = st.lists(st.builds(decision.Reason, code=st.just("W"), effect=st.just("warn")))


class _Service:
    def __init__(self, service_id: str) -> None:
        self.id, self.partner_id = service_id, "P-" + service_id


def _afresh(draft: decision._Draft) -> decision.Decision:
    """What ``finish`` builds without a rule: the plain construction."""
    return decision.Decision(
        partner_service_id=draft.service.id,
        partner_id=draft.service.partner_id,
        role=draft.role,
        outcome=draft.outcome(),
        reasons=tuple(draft.reasons),
        warnings=tuple(draft.warnings),
    )


@settings(max_examples=100)
@given(
    service_id=st.sampled_from(["S1", "S2"]),
    role=st.sampled_from(["none", "pending", "ambiguous", "leaving"]),
    reasons=_REASONS,
    warnings=_WARNINGS,
    asked=st.booleans(),
    chosen=st.booleans(),
)
def test_a_decision_without_a_rule_equals_one_built_afresh(
    service_id: str,
    role: Any,
    reasons: list[decision.Reason],
    warnings: list[decision.Reason],
    asked: bool,
    chosen: bool,
) -> None:
    service = cast(domain.PartnerService, _Service(service_id))
    draft = decision._Draft(service=service, role=role, asked=asked)
    draft.reasons, draft.warnings = list(reasons), list(warnings)
    if chosen:  # values a decision without a projection does not carry
        draft.category, draft.not_before = "standard", dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    first, again = draft.finish(), draft.finish()
    assert first == _afresh(draft)
    assert again is first


def test_a_consent_is_never_left_out() -> None:
    draft = decision._Draft(service=cast(domain.PartnerService, _Service("S3")))
    draft.consent_id = "C1"
    assert draft.finish().consent_id == "C1"
