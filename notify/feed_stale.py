"""Stale pull feeds (sharing-and-delivery §6.12, §6.15): the ``feed.stale`` operational notice.

A partner with an active ``pull`` subscription that has not fetched its feed for
``feed_stale_days`` (default 5; counted from its first pull subscription when it never
fetched) is stale. :func:`record` adds one ``feed.stale`` notice per stale period: the time is
kept on the partner's feed cursor (``stale_notified_at``), and a new period starts only after
the partner fetches again. The notice goes out like every operational notice
(:mod:`notify.ops_notices`: the operations endpoint and the partner's endpoints taking
operational events) and carries times and counts only: when the feed was last fetched and
how many events wait in it.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import sqlalchemy as sa
from sqlalchemy import orm

from notify import delivery_repository, events, lifecycle
from notify import partner_tables as pt
from notify.tables import outbox, registry

KIND: Final = "feed.stale"


def record(session: orm.Session, *, now: dt.datetime, stale_after: dt.timedelta) -> list[str]:
    """Add a ``feed.stale`` notice for each partner whose feed went stale; their ids."""
    noticed: list[str] = []
    for partner_id, first in _pull_partners(session):
        if _stale(_cursor(session, partner_id, lock=False), first, now, stale_after):
            cursor = _cursor(session, partner_id, lock=True)  # read again, locked
            if _stale(cursor, first, now, stale_after):
                _notice(session, partner_id, cursor, now, stale_after)
                noticed.append(partner_id)
    session.flush()
    return noticed


def _stale(
    cursor: pt.PartnerFeedCursor | None,
    first: dt.datetime,
    now: dt.datetime,
    stale_after: dt.timedelta,
) -> bool:
    """Not fetched for ``stale_after``, and no notice recorded since the last fetch."""
    last = cursor.last_fetch_at if cursor and cursor.last_fetch_at else _aware(first)
    told = cursor.stale_notified_at if cursor else None
    return last + stale_after <= now and (told is None or told < last)


def _notice(
    session: orm.Session,
    partner_id: str,
    cursor: pt.PartnerFeedCursor | None,
    now: dt.datetime,
    stale_after: dt.timedelta,
) -> None:
    if cursor is None:
        cursor = pt.PartnerFeedCursor(partner_id=partner_id, committed_seq=0, last_fetch_at=None)
        session.add(cursor)
    cursor.stale_notified_at = now
    detail = {
        "last_fetch_at": events.rfc3339(cursor.last_fetch_at) if cursor.last_fetch_at else None,
        "stale_after_days": stale_after / dt.timedelta(days=1),
        "waiting": _waiting(session, partner_id),
    }
    delivery_repository.add_notice(session, kind=KIND, partner_id=partner_id, now=now,
                                   detail=detail)  # fmt: skip


def _pull_partners(session: orm.Session) -> list[tuple[str, dt.datetime]]:
    """Partners with an active pull subscription, and when the first one was created."""
    sub, service = registry.Subscription, registry.PartnerService
    query = (
        sa.select(service.partner_id, sa.func.min(sub.created_at))
        .join(sub, sub.partner_service_id == service.id)
        .where(sub.channel == "pull", sub.status == "active")
        .group_by(service.partner_id)
        .order_by(service.partner_id)
    )
    return [(partner_id, first) for partner_id, first in session.execute(query)]


def _cursor(session: orm.Session, partner_id: str, *, lock: bool) -> pt.PartnerFeedCursor | None:
    """The partner's feed cursor; ``lock``: for update, so two workers never both tell."""
    query = sa.select(pt.PartnerFeedCursor).where(pt.PartnerFeedCursor.partner_id == partner_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalars(query).first()


def _waiting(session: orm.Session, partner_id: str) -> int:
    pull = sa.select(registry.Subscription.id).where(registry.Subscription.channel == "pull")
    query = sa.select(sa.func.count()).where(
        outbox.Delivery.partner_id == partner_id,
        outbox.Delivery.subscription_id.in_(pull),
        outbox.Delivery.state.not_in(sorted(lifecycle.TERMINAL)),
    )
    return int(session.scalar(query) or 0)


def _aware(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)
