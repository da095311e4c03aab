"""The pull feed (sharing-and-delivery §6.12) for partners that cannot receive webhooks.

The feed of a partner is its deliveries on ``pull`` subscriptions. A delivery gets its
``feed_seq`` (the partner's next number) the first time a fetch finds it fetchable (not held,
``not_before`` passed) and nothing earlier in its lane waits before it, in creation order, so
order per person and partner is kept across channels: an item waits while an earlier delivery
for the same person and partner (a webhook, a file-drop row) is not yet terminal. The cursor
is opaque (base64url of a ``feed_seq``). Each item carries the exact body bytes a webhook would
carry and the Standard Webhooks ``webhook-id``/``timestamp``/``signature`` values, signed with
the partner's endpoint secrets (unsigned when it has none; the API key authenticates the
fetch anyway). An item cancelled after numbering comes back as a tombstone, without data.

Every item is rechecked when it is fetched (§3.7, the worker's gate): one no longer permitted
(withdrawn consent, lapsed agreement, erased person…) is cancelled with its reason and comes
back as a tombstone; one the recheck holds (an agreement suspended) ends the page, so nothing
behind it overtakes it.

It shares the ledger with webhooks: the first fetch that returns an item records the
disclosure, and :func:`commit` marks every item up to the cursor ``delivered`` through the same
step and ledger functions the worker uses. Items not committed are served again.

A partner's services are often separate systems: given a ``subscription_id`` (one of the
partner's pull subscriptions), fetch and commit read and move that subscription's own cursor
over its own items, leaving the others' place alone. The numbers are the partner's either way
(cursors are opaque), and any fetch counts against the feed going stale. A partner uses one
form or the other: items committed through one are not marked in the other's cursor.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import orm

from core import errors
from notify import delivery_errors, delivery_gate, lifecycle, registry_repository, signing
from notify import delivery_repository as repo
from notify import delivery_tables as dt_tables
from notify import partner_tables as pt
from notify.tables import outbox, registry

MAX_LIMIT = 500
ACTOR = "pull-feed"
_DELIVERED = lifecycle.Step(
    state="delivered", lane="advance", close_reason="delivered", ledger="disclosed"
)


class InvalidCursor(errors.InvalidInput):
    code = "invalid_cursor"
    title = "Invalid feed cursor"


@dataclass(frozen=True, kw_only=True, slots=True)
class Item:
    cursor: str
    webhook_id: str
    webhook_timestamp: str
    webhook_signature: str | None
    body: str
    tombstone: bool
    reason: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Page:
    items: list[Item]
    next_cursor: str | None
    has_more: bool


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(str(seq).encode("ascii")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidCursor("the cursor is not one this feed returned") from exc
    if not (text.isascii() and text.isdigit()):
        raise InvalidCursor("the cursor is not one this feed returned")
    return int(text)


def fetch(
    *,
    session: orm.Session,
    partner_id: str,
    after: str | None,
    limit: int,
    now: dt.datetime,
    gate: delivery_gate.Gate | None = None,
    subscription_id: str | None = None,
) -> Page:
    """Up to ``limit`` items after ``after`` (default: the committed cursor), in order: the
    partner's, or with ``subscription_id`` that pull subscription's only."""
    if not 1 <= limit <= MAX_LIMIT:
        raise errors.InvalidInput(f"limit lies between 1 and {MAX_LIMIT}")
    scope, cursor = _scope(session, partner_id, subscription_id)
    _number(session, partner_id, now)
    start = decode_cursor(after) if after is not None else cursor.committed_seq
    rows = _numbered(session, scope, start, limit + 1)
    page = _rechecked(session, rows[:limit], gate or _registry_gate(), now)
    has_more = len(rows) > len(page)  # beyond the limit, or held back by the recheck
    secrets_ = _secrets(session, partner_id, now)
    items = [_item(session, d, secrets_, now) for d in page]
    _touch(session, partner_id, cursor, now)
    last = encode_cursor(page[-1].feed_seq or 0) if page else after
    return Page(items=items, next_cursor=last, has_more=has_more)


def commit(
    *,
    session: orm.Session,
    partner_id: str,
    cursor: str,
    now: dt.datetime,
    subscription_id: str | None = None,
) -> int:
    """Mark every item up to ``cursor`` delivered (in the partner's feed, or with
    ``subscription_id`` in that subscription's); returns how many moved to ``delivered``."""
    seq = decode_cursor(cursor)
    scope, row = _scope(session, partner_id, subscription_id)
    if seq > _highest(session, scope):
        raise InvalidCursor("the cursor lies beyond anything this feed returned")
    _lock_lanes(session, scope, row.committed_seq, seq)
    done = 0
    for delivery in _numbered(session, scope, row.committed_seq, None, seq):
        if delivery.state in lifecycle.TERMINAL or delivery.state == "dead":
            continue
        repo.apply_step(delivery, _DELIVERED, now)
        repo.record_disclosure(session, delivery=delivery, outcome="disclosed",
                               close_reason="delivered", now=now, actor=ACTOR)  # fmt: skip
        done += 1
    row.committed_seq = max(row.committed_seq, seq)
    session.flush()
    return done


def _lock_lanes(session: orm.Session, scope: sa.ColumnElement[bool], after: int, upto: int) -> None:
    """Wait for any worker step on these items' lanes, so it cannot undo what commit marks."""
    keys = sa.select(outbox.Delivery.ordering_key).where(
        scope, outbox.Delivery.feed_seq > after, outbox.Delivery.feed_seq <= upto
    )
    query = (
        sa.select(outbox.DeliveryLane.ordering_key)
        .where(outbox.DeliveryLane.ordering_key.in_(keys))
        .with_for_update()
    )
    session.execute(query).all()


def _registry_gate() -> delivery_gate.Gate:
    return delivery_gate.RegistryGate(registry_repository.load)


def _rechecked(
    session: orm.Session, page: list[outbox.Delivery], gate: delivery_gate.Gate, now: dt.datetime
) -> list[outbox.Delivery]:
    """Run the send-time recheck on the page: cancel what is refused, stop at a hold."""
    live = [d for d in page if d.body is not None and d.state not in lifecycle.TERMINAL]
    verdicts = gate.check(session, live, now)
    for index, delivery in enumerate(page):
        verdict = verdicts.get(delivery.id)
        if verdict is None or verdict.action == "proceed":
            continue
        if verdict.action == "hold":
            return page[:index]
        step = lifecycle.cancelled(verdict.reason or "CANCELLED",
                                   possibly_received=delivery.possibly_received)  # fmt: skip
        repo.apply_step(delivery, step, now)
        repo.record_disclosure(session, delivery=delivery, outcome=step.ledger,
                               close_reason=step.close_reason, now=now, actor=ACTOR)  # fmt: skip
    return page


def _pull(partner_id: str) -> sa.ColumnElement[bool]:
    pull = sa.select(registry.Subscription.id).where(registry.Subscription.channel == "pull")
    return sa.and_(
        outbox.Delivery.partner_id == partner_id, outbox.Delivery.subscription_id.in_(pull)
    )


Cursor = pt.PartnerFeedCursor | pt.SubscriptionFeedCursor


def _scope(
    session: orm.Session, partner_id: str, subscription_id: str | None
) -> tuple[sa.ColumnElement[bool], Cursor]:
    """Which items the feed holds and its cursor row. The partner's row is locked either way:
    numbering is the partner's, so fetches of its feeds take turns."""
    partner = _cursor(session, partner_id)
    if subscription_id is None:
        return _pull(partner_id), partner
    _check_subscription(session, partner_id, subscription_id)
    scope = sa.and_(_pull(partner_id), outbox.Delivery.subscription_id == subscription_id)
    return scope, _subscription_cursor(session, subscription_id)


def _check_subscription(session: orm.Session, partner_id: str, subscription_id: str) -> None:
    query = (
        sa.select(registry.Subscription.id)
        .join(registry.PartnerService)
        .where(
            registry.Subscription.id == subscription_id,
            registry.Subscription.channel == "pull",
            registry.PartnerService.partner_id == partner_id,
        )
    )
    if session.scalar(query) is None:
        raise delivery_errors.SubscriptionNotFound(
            f"partner {partner_id} has no pull subscription {subscription_id}"
        )


def _subscription_cursor(session: orm.Session, subscription_id: str) -> pt.SubscriptionFeedCursor:
    row = session.get(pt.SubscriptionFeedCursor, subscription_id, with_for_update=True)
    if row is None:
        row = pt.SubscriptionFeedCursor(subscription_id=subscription_id, committed_seq=0)
        session.add(row)
        session.flush()
    return row


def _touch(session: orm.Session, partner_id: str, cursor: Cursor, now: dt.datetime) -> None:
    """A fetch of either feed: the partner's feed is read (not stale), and so is this one."""
    cursor.last_fetch_at = now
    partner = session.get(pt.PartnerFeedCursor, partner_id)  # locked by _scope, held in the session
    if partner is not None:
        partner.last_fetch_at = now
    session.flush()


def _cursor(session: orm.Session, partner_id: str) -> pt.PartnerFeedCursor:
    query = (
        sa.select(pt.PartnerFeedCursor)
        .where(pt.PartnerFeedCursor.partner_id == partner_id)
        .with_for_update()
    )
    row = session.scalars(query).first()
    if row is None:
        row = pt.PartnerFeedCursor(partner_id=partner_id, committed_seq=0, last_fetch_at=None)
        session.add(row)
        session.flush()
    return row


def _highest(session: orm.Session, scope: sa.ColumnElement[bool]) -> int:
    query = sa.select(sa.func.max(outbox.Delivery.feed_seq)).where(scope)
    return session.scalar(query) or 0


def _number(session: orm.Session, partner_id: str, now: dt.datetime) -> None:
    """Number the fetchable items nothing earlier in their lane waits before, in order."""
    wanted = sa.and_(
        _pull(partner_id),
        outbox.Delivery.feed_seq.is_(None),
        repo.fetchable_without_endpoint(),
        outbox.Delivery.not_before <= now,
    )
    query = (
        sa.select(outbox.Delivery)
        .where(wanted)
        .order_by(outbox.Delivery.created_at, outbox.Delivery.id)
    )
    found = list(session.scalars(query))
    if not found:
        return
    open_ = _open_in_lane(session, {d.id for d in found}, wanted)
    next_seq = _highest(session, _pull(partner_id))
    for delivery in (d for d in found if d.id in open_):
        next_seq += 1
        delivery.feed_seq = next_seq
    session.flush()


def _open_in_lane(
    session: orm.Session, candidates: set[str], wanted: sa.ColumnElement[bool]
) -> set[str]:
    """The candidates that only numbered feed items, or other candidates, precede in their
    lane: an earlier delivery on another channel (a webhook, a file drop) not yet terminal,
    or an earlier feed item not yet fetchable, holds back the rest (order per person and
    partner, §6.9, as the worker and the file drop keep it)."""
    lanes = sa.select(outbox.Delivery.ordering_key).where(wanted)
    query = (
        sa.select(outbox.Delivery.ordering_key, outbox.Delivery.id, outbox.Delivery.feed_seq)
        .where(
            outbox.Delivery.ordering_key.in_(lanes),
            outbox.Delivery.state.not_in(sorted(lifecycle.TERMINAL)),
        )
        .order_by(outbox.Delivery.ordering_key, outbox.Delivery.seq)
    )
    open_: set[str] = set()
    blocked: set[str] = set()
    for key, delivery_id, feed_seq in session.execute(query):
        if key in blocked:
            continue
        if delivery_id in candidates:
            open_.add(delivery_id)
        elif feed_seq is None:
            blocked.add(key)
    return open_


def _numbered(
    session: orm.Session,
    scope: sa.ColumnElement[bool],
    start: int,
    limit: int | None,
    upto: int | None = None,
) -> list[outbox.Delivery]:
    query = (
        sa.select(outbox.Delivery)
        .where(scope, outbox.Delivery.feed_seq > start)
        .order_by(outbox.Delivery.feed_seq)
        .limit(limit)
    )
    if upto is not None:
        query = query.where(outbox.Delivery.feed_seq <= upto)
    return list(session.scalars(query))


def _secrets(session: orm.Session, partner_id: str, now: dt.datetime) -> list[str]:
    endpoints = sa.select(registry.Endpoint.id).where(registry.Endpoint.partner_id == partner_id)
    query = sa.select(dt_tables.EndpointSecret).where(
        dt_tables.EndpointSecret.endpoint_id.in_(endpoints),
        dt_tables.EndpointSecret.direction == "outbound",
        dt_tables.EndpointSecret.scheme == "v1",
        dt_tables.EndpointSecret.state.in_(["current", "previous"]),
    )
    live = [s for s in session.scalars(query) if s.expires_at is None or s.expires_at > now]
    live.sort(key=lambda s: (s.state != "current", s.id))
    return [s.secret for s in live]


def _item(
    session: orm.Session, delivery: outbox.Delivery, secrets_: list[str], now: dt.datetime
) -> Item:
    msg_id = signing.message_id(delivery.id)
    ts = signing.timestamp(now)
    cursor = encode_cursor(delivery.feed_seq or 0)
    if delivery.body is None or delivery.state in ("cancelled", "expired", "abandoned"):
        reason = "expired" if delivery.state == "expired" else "cancelled"
        return Item(cursor=cursor, webhook_id=msg_id, webhook_timestamp=ts,
                    webhook_signature=None, body="", tombstone=True, reason=reason)  # fmt: skip
    repo.record_disclosure(session, delivery=delivery, outcome="disclosed", close_reason=None,
                           now=now, actor=ACTOR)  # fmt: skip
    signature = _sign(msg_id, delivery.body, secrets_, now)
    body = delivery.body.decode("utf-8")
    return Item(cursor=cursor, webhook_id=msg_id, webhook_timestamp=ts,
                webhook_signature=signature, body=body, tombstone=False)  # fmt: skip


def _sign(msg_id: str, body: bytes, secrets_: list[str], now: dt.datetime) -> str | None:
    if not secrets_:
        return None
    signed = signing.headers(msg_id=msg_id, body=body, at=now, secrets_=secrets_)
    return signed[signing.SIGNATURE_HEADER]
