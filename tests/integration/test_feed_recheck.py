"""The pull feed runs the send-time recheck on every item it returns (§3.7, §6.12), on both
engines: an item no longer permitted is cancelled with its reason and served as a tombstone
(never its body), and a held item ends the page so nothing behind it overtakes it."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy import orm

from core import ids
from notify import feed
from notify.tables import moves, outbox, registry
from tests.integration import channel_world
from tests.support import outbox_world

NOW = dt.datetime.now(dt.UTC)


def _pull_world(session: orm.Session) -> outbox_world.World:
    return channel_world.build(session, channel="pull", now=NOW)


def _queued(session: orm.Session, world: outbox_world.World, n: int) -> list[outbox.Delivery]:
    return channel_world.queued(session, world, n, now=NOW)


def _line(session: orm.Session, delivery_id: str) -> outbox.Disclosure:
    query = sa.select(outbox.Disclosure).where(outbox.Disclosure.delivery_id == delivery_id)
    return session.scalars(query).one()


def test_an_item_whose_person_was_erased_is_cancelled_and_served_as_a_tombstone(
    session: orm.Session,
) -> None:
    world = _pull_world(session)
    erased, kept, withdrawn = _queued(session, world, 3)
    subject = session.get(moves.Subject, _primary(session, erased.id))
    assert subject is not None
    subject.erased_at = NOW
    submission = session.get(moves.ChangeSubmission, withdrawn.submission_id)
    assert submission is not None
    submission.status = "withdrawn"
    session.commit()
    page = feed.fetch(session=session, partner_id="P0", after=None, limit=10, now=NOW)
    session.commit()
    shown = [(i.webhook_id, i.tombstone, i.reason, i.body == "") for i in page.items]
    assert shown == [
        (f"msg_{erased.id}", True, "cancelled", True),
        (f"msg_{kept.id}", False, None, False),
        (f"msg_{withdrawn.id}", True, "cancelled", True),
    ]
    session.expire_all()
    gone = session.get(outbox.Delivery, erased.id)
    assert gone is not None and gone.state == "cancelled" and gone.body is None
    assert gone.close_reason == "cancelled:SUBJECT_ERASED"
    assert _line(session, erased.id).outcome == "not_disclosed"
    assert _line(session, withdrawn.id).close_reason == "cancelled:SUBMISSION_WITHDRAWN"
    assert _line(session, kept.id).outcome == "disclosed"


def test_an_item_under_a_lapsed_agreement_is_cancelled(session: orm.Session) -> None:
    world = _pull_world(session)
    (only,) = _queued(session, world, 1)
    agreement = session.scalars(sa.select(registry.Agreement)).one()
    agreement.status = "terminated"
    session.commit()
    page = feed.fetch(session=session, partner_id="P0", after=None, limit=10, now=NOW)
    session.commit()
    assert [(i.tombstone, i.body) for i in page.items] == [(True, "")]
    session.expire_all()
    row = session.get(outbox.Delivery, only.id)
    assert row is not None and row.close_reason == "cancelled:DSA_NOT_ACTIVE"
    assert _line(session, only.id).outcome == "not_disclosed"


def test_a_held_item_ends_the_page_until_the_hold_clears(session: orm.Session) -> None:
    world = _pull_world(session)
    first, second = _queued(session, world, 2)
    agreement = session.scalars(sa.select(registry.Agreement)).one()
    agreement.status = "suspended"
    session.commit()
    held = feed.fetch(session=session, partner_id="P0", after=None, limit=10, now=NOW)
    session.commit()
    assert held.items == [] and held.has_more is True
    assert _line(session, first.id).outcome == "planned"
    agreement.status = "active"
    session.commit()
    page = feed.fetch(session=session, partner_id="P0", after=None, limit=10, now=NOW)
    session.commit()
    assert [i.webhook_id for i in page.items] == [f"msg_{first.id}", f"msg_{second.id}"]
    assert not any(i.tombstone for i in page.items) and page.has_more is False


def _primary(session: orm.Session, delivery_id: str) -> str:
    query = sa.select(outbox.DeliverySubject.subject_id).where(
        outbox.DeliverySubject.delivery_id == delivery_id
    )
    return session.scalars(query).one()


def test_an_item_waits_behind_an_earlier_one_for_the_same_person_on_another_channel(
    session: orm.Session,
) -> None:
    world = outbox_world.build(session, ["https://p0.example/h"], now=NOW)
    person = ids.new_id()
    earlier = world.enqueue(session, partner="P0", subject_id=person, now=NOW)  # a webhook
    pull = _pull_world_subscription(session, world)
    later = world.enqueue(session, partner="P0", subject_id=person, now=NOW)
    free = world.enqueue(session, partner="P0", subject_id=ids.new_id(), now=NOW)
    for delivery in (later, free):
        delivery.endpoint_id = None
    session.commit()
    assert later.subscription_id == free.subscription_id == pull
    assert earlier.ordering_key == later.ordering_key and earlier.seq < later.seq
    first = feed.fetch(session=session, partner_id="P0", after=None, limit=10, now=NOW)
    session.commit()
    assert [i.webhook_id for i in first.items] == [f"msg_{free.id}"]
    later_row = session.get(outbox.Delivery, later.id)
    assert later_row is not None and later_row.feed_seq is None
    earlier.state = "delivered"
    session.commit()
    second = feed.fetch(session=session, partner_id="P0", after=None, limit=10, now=NOW)
    session.commit()
    assert [i.webhook_id for i in second.items] == [f"msg_{free.id}", f"msg_{later.id}"]


def _pull_world_subscription(session: orm.Session, world: outbox_world.World) -> str:
    subscription = registry.Subscription(
        id=ids.new_id(), partner_service_id="P0/COUNCIL_TAX", channel="pull",
        endpoint_id=None, event_types=[], status="active", created_at=NOW,
    )  # fmt: skip
    session.add(subscription)
    session.flush()
    world.subscriptions["P0"] = subscription.id
    return subscription.id
