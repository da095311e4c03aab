"""The retention job (§3.10, V18) on both engines: each item goes when its period is over and
not before; the ledger can be deleted by the job alone."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from notify import delivery_tables as dt_tables
from notify import privacy, retention
from notify import privacy_tables as p
from notify.tables import moves as m
from notify.tables import outbox as o
from notify.transports import webhook
from tests.strategies import Canary
from tests.support import privacy_world as pw

CT, ER, LIB = "NEWTOWN-DC/COUNCIL_TAX", "NEWTOWN-DC/ELECTORAL_REG", "NEWTOWN-DC/LIBRARIES"
DAY = dt.timedelta(days=1)


@pytest.fixture
def world(session: orm.Session) -> orm.Session:
    pw.seed(session)
    return session


def _run(session: orm.Session, at: dt.datetime) -> dict[str, int]:
    report = retention.run(session=session, now=at, periods=privacy.Periods())
    session.commit()
    return dict(report.counts)


def _excerpts(session: orm.Session) -> int:
    query = sa.select(sa.func.count()).where(
        dt_tables.DeliveryAttempt.response_excerpt.is_not(None)
    )
    return int(session.scalar(query) or 0)


def _person(tag: str, digits: int) -> tuple[Canary, Canary]:
    return (
        Canary.of(f"{tag}mover", dt.date(1970, 1, 2), digits),
        Canary.of(f"{tag}membr", dt.date(1971, 3, 4), digits + 1),
    )


def test_each_item_goes_when_its_period_is_over(world: orm.Session) -> None:
    first = pw.submit(world, *_person("first", 111111))
    pw.dispatch(world)
    later_now = pw.RELEASED + 20 * DAY
    second = pw.submit(world, *_person("later", 222222), now=later_now, move_date=later_now.date())
    pw.dispatch(world, now=later_now + dt.timedelta(minutes=1))
    one, two = pw.deliveries(world, first.submission_id), pw.deliveries(world, second.submission_id)
    assert [one[s].state for s in (CT, ER, LIB)] == ["delivered", "dead", "scheduled"]
    assert _excerpts(world) == 2

    assert set(_run(world, pw.RELEASED + 29 * DAY).values()) == {0}
    assert one[CT].body is not None and _excerpts(world) == 2

    counts = _run(world, pw.RELEASED + 31 * DAY)
    assert counts["dead_abandoned"] == 1 and counts["excerpts_cleared"] == 1
    assert counts["bodies_purged"] == 2 and counts["submissions_cleared"] == 0
    one, two = pw.deliveries(world, first.submission_id), pw.deliveries(world, second.submission_id)
    assert (one[CT].body, one[CT].body_purge_reason) == (None, "retention")
    assert (one[ER].state, one[ER].body) == ("abandoned", None)
    assert one[LIB].body is not None  # still queued: never purged while it may go
    assert two[CT].body is not None and two[ER].state == "dead" and _excerpts(world) == 1


def test_submissions_and_the_ledger_go_last(world: orm.Session) -> None:
    submitted = pw.submit(world, *_person("ledger", 333333))
    pw.dispatch(world, respond=lambda _service, _body: _ok())
    sent = pw.deliveries(world, submitted.submission_id)
    assert {d.state for d in sent.values()} == {"delivered"}
    closed = max(d.updated_at for d in sent.values())

    assert _run(world, closed + 89 * DAY)["submissions_cleared"] == 0
    assert _run(world, closed + 91 * DAY)["submissions_cleared"] == 1
    submission = world.get_one(m.ChangeSubmission, submitted.submission_id)
    assert submission.person is None and submission.old_address_text is None
    assert submission.reference == submitted.reference and submission.pii_erased_at
    members = world.scalars(
        sa.select(m.HouseholdMember).where(m.HouseholdMember.submission_id == submission.id)
    )
    assert [member.person for member in members] == [None]

    at_71 = privacy.add_months(closed, 71)
    assert _run(world, at_71)["ledger_lines_deleted"] == 0  # V18: not before 72 months
    counts = _run(world, privacy.add_months(closed, 73))
    assert (counts["ledger_lines_deleted"], counts["deliveries_deleted"]) == (3, 3)
    assert world.scalar(sa.select(sa.func.count()).select_from(o.Disclosure)) == 0
    # The consent record is evidence for as long after it ended (it expires after 90 days).
    assert (counts["consents_deleted"], counts["receipts_deleted"]) == (0, 0)
    consents = world.scalars(sa.select(m.ConsentRecord)).all()  # the mover's and the member's
    ended = max(c.expires_at or c.given_at for c in consents)
    counts = _run(world, privacy.add_months(ended, 73))
    assert (counts["consents_deleted"], counts["receipts_deleted"]) == (len(consents), 1)
    runs = world.scalars(sa.select(p.RetentionRun).order_by(p.RetentionRun.run_at)).all()
    assert [run.counts["ledger_lines_deleted"] for run in runs] == [0, 0, 0, 3, 0]


def test_only_the_retention_job_may_delete_ledger_lines(world: orm.Session) -> None:
    pw.submit(world, *_person("guard", 444444))
    with pytest.raises(sa.exc.DBAPIError, match="deleted only by the retention job"):
        world.execute(sa.delete(o.Disclosure))
    world.rollback()
    assert world.scalar(sa.select(sa.func.count()).select_from(o.Disclosure)) == 3


def _ok() -> webhook.WebhookResult:
    return webhook.WebhookResult(status=200)
