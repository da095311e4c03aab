"""The outbox world with partner P0 taking a channel that has no endpoint (pull feed or file
drop), shared by the feed, file-drop and housekeeping tests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import orm

from core import ids
from notify.tables import outbox, registry
from tests.support import outbox_world


def build(session: orm.Session, *, channel: str, now: dt.datetime) -> outbox_world.World:
    """An outbox world whose partner P0 takes ``channel``."""
    world = outbox_world.build(session, ["https://p0.example/h"], now=now)
    subscribe(session, world, channel=channel, now=now)
    return world


def subscribe(
    session: orm.Session, world: outbox_world.World, *, channel: str, now: dt.datetime
) -> None:
    """P0's service subscribed on ``channel`` (no endpoint); later deliveries use it."""
    subscription = registry.Subscription(
        id=ids.new_id(), partner_service_id="P0/COUNCIL_TAX", channel=channel,
        endpoint_id=None, event_types=[], status="active", created_at=now,
    )  # fmt: skip
    session.add(subscription)
    session.flush()
    world.subscriptions["P0"] = subscription.id


def queued(
    session: orm.Session, world: outbox_world.World, n: int, *, now: dt.datetime
) -> list[outbox.Delivery]:
    """``n`` deliveries to P0, each for a new person, with no endpoint (committed)."""
    found = [
        world.enqueue(session, partner="P0", subject_id=ids.new_id(), now=now) for _ in range(n)
    ]
    for delivery in found:
        delivery.endpoint_id = None
    session.commit()
    return found
