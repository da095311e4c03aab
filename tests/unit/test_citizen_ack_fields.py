"""What of a service's acknowledgement the citizen's move status shows: the outcome and reason
always, the service's own words only when it rejected the change or needs more."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from notify import citizen_status
from notify import partner_tables as pt

OUTCOMES = st.sampled_from(["applied", "not_known", "rejected", "needs_info"])
WORDS = st.none() | st.text(min_size=1, max_size=20)


@given(outcome=OUTCOMES, english=WORDS, welsh=WORDS)
def test_the_services_words_reach_the_citizen_only_on_rejected_or_needs_info(
    outcome: str, english: str | None, welsh: str | None
) -> None:
    ack = pt.PartnerAck(outcome=outcome, reason_code="R1", message=english, message_cy=welsh)
    shown = citizen_status.citizen_ack_fields(ack)
    assert (shown["partner_ack"], shown["partner_ack_reason"]) == (outcome, "R1")
    told = outcome in {"rejected", "needs_info"}
    assert shown["partner_ack_message"] == (english if told else None)
    assert shown["partner_ack_message_cy"] == (welsh if told else None)


def test_no_acknowledgement_shows_nothing() -> None:
    assert set(citizen_status.citizen_ack_fields(None).values()) == {None}
