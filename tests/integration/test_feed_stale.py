"""Stale pull feeds on both engines (§6.12, §6.15): a partner with a pull subscription that has
not fetched its feed for ``feed_stale_days`` gets one ``feed.stale`` operational notice per
stale period (times and counts only); fetching starts a new period; partners on other channels
never get one."""

from __future__ import annotations

import asyncio
import datetime as dt

import sqlalchemy as sa
from sqlalchemy import orm

from core import db
from core.settings import Settings
from notify import delivery_tables as dt_tables
from notify import events, feed, feed_stale, ops_notices, ssrf
from notify.transports import webhook
from tests.integration import channel_world

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
DAY = dt.timedelta(days=1)
FIVE_DAYS = 5 * DAY


def _notices(session: orm.Session) -> list[dt_tables.OpsNotice]:
    query = sa.select(dt_tables.OpsNotice).where(dt_tables.OpsNotice.kind == "feed.stale")
    return list(session.scalars(query.order_by(dt_tables.OpsNotice.created_at)))


def _record(session: orm.Session, at: dt.datetime) -> list[str]:
    found = feed_stale.record(session, now=at, stale_after=FIVE_DAYS)
    session.commit()
    return found


def test_a_feed_not_fetched_for_the_period_is_told_once_per_stale_period(
    session: orm.Session,
) -> None:
    world = channel_world.build(session, channel="pull", now=NOW)
    channel_world.queued(session, world, 2, now=NOW)
    assert _record(session, NOW + 4 * DAY) == []
    assert _record(session, NOW + FIVE_DAYS) == ["P0"]
    assert _record(session, NOW + 6 * DAY) == []  # the same stale period
    (notice,) = _notices(session)
    assert (notice.partner_id, notice.created_at) == ("P0", NOW + FIVE_DAYS)
    assert notice.detail == {"last_fetch_at": None, "stale_after_days": 5.0, "waiting": 2}
    fetched_at = NOW + 7 * DAY
    feed.fetch(session=session, partner_id="P0", after=None, limit=10, now=fetched_at)
    session.commit()
    assert _record(session, fetched_at + 4 * DAY) == []
    assert _record(session, fetched_at + FIVE_DAYS) == ["P0"]
    latest = _notices(session)[-1]
    assert len(_notices(session)) == 2
    assert latest.detail["last_fetch_at"] == events.rfc3339(fetched_at)


def test_only_pull_subscribers_are_told(session: orm.Session) -> None:
    channel_world.build(session, channel="file_drop", now=NOW)
    session.commit()
    assert _record(session, NOW + 30 * DAY) == [] and _notices(session) == []


def test_sending_notices_records_a_stale_feed_first(
    session: orm.Session, session_factory: db.SessionFactory, db_url: str
) -> None:
    channel_world.build(session, channel="pull", now=NOW)
    session.commit()
    settings = Settings(database_url=db_url, feed_stale_days=2)

    async def go(at: dt.datetime) -> ops_notices.Sent:
        sender = webhook.AiohttpSender(policy=ssrf.TargetPolicy(allow_private=True))
        try:
            return await ops_notices.send_pending(
                sessions=session_factory, sender=sender, settings=settings, now=at
            )
        finally:
            await sender.close()

    asyncio.run(go(NOW + DAY))
    assert _notices(session) == []
    session.rollback()
    asyncio.run(go(NOW + 2 * DAY))
    session.rollback()
    (notice,) = _notices(session)
    assert notice.partner_id == "P0" and notice.sent_at == NOW + 2 * DAY  # no target: closed
