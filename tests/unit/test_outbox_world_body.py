"""The event body the outbox fixtures enqueue is one the event contract accepts, so tests that
deliver it exercise what partners are really sent."""

from __future__ import annotations

import datetime as dt
import json

from notify.tables import moves
from tests.support import event_contract, outbox_world


def test_the_fixture_body_meets_the_contract() -> None:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    submission = moves.ChangeSubmission(reference="COA-1234-5678", subject_id="01J9SUBJECT")
    body = outbox_world._body("01J9DELIVERY", "P0", submission, 1, now)
    event_contract.check(body, outbox_world.NAMESPACE)
    assert json.loads(body)["data"]["new_address"]["uprn"] == "100040212345"
