"""A claim reads lane heads as plain rows (:mod:`notify.dispatch.heads`); they must be the
heads the ORM query finds (:func:`notify.delivery_repository.heads`), with the same columns,
on both engines."""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa

from core import db
from notify import delivery_repository as repo
from notify import events
from notify.dispatch import heads
from notify.tables import outbox
from tests.support import outbox_world

URLS = ["http://127.0.0.1:9/a", "http://127.0.0.1:9/b"]


def test_plain_heads_are_the_orm_heads_with_their_lines(
    session_factory: db.SessionFactory,
) -> None:
    now = dt.datetime.now(dt.UTC)
    with db.unit_of_work(session_factory) as session:
        world = outbox_world.build(session, URLS, now=now)
        for _ in range(3):  # three deliveries in each lane of s1 (P0 and P1)
            world.enqueue(session, partner="P0", subject_id="s1", now=now)
            world.enqueue(session, partner="P1", subject_id="s1", now=now)
        world.enqueue(session, partner="P0", subject_id="s2", now=now)
    pairs = (("s1", "P0"), ("s1", "P1"), ("s2", "P0"))
    moved_on, dead, emptied = (events.ordering_key(subject, partner) for subject, partner in pairs)
    lanes = [moved_on, dead, emptied]
    with db.unit_of_work(session_factory) as session:
        query = sa.select(outbox.Delivery).where(outbox.Delivery.seq == 1)
        first = {d.ordering_key: d for d in session.scalars(query)}
        first[moved_on].state = "delivered"  # the lane's head moves on to its second delivery
        first[dead].state = "dead"  # a dead head stays the head
        first[emptied].state = "delivered"  # the lane has no head left
    with db.unit_of_work(session_factory) as session:
        orm_heads = repo.heads(session, lanes)
        plain = {item.ordering_key: item for item in heads.lane_heads(session, lanes)}
        lines = {line.delivery_id: line for line in session.scalars(sa.select(outbox.Disclosure))}
    assert set(plain) == set(lanes)
    assert set(orm_heads) == set(lanes) - {emptied}
    assert plain[emptied].head is None
    for key, expected in orm_heads.items():
        head = plain[key].head
        assert head is not None
        for field in dataclasses.fields(heads.Head):
            assert getattr(head, field.name) == getattr(expected, field.name), field.name
        line = lines[expected.id]
        assert plain[key].line == (line.rule_version, line.dsa_id, line.dsa_version, line.fields)
        assert plain[key].channel == "webhook"
    assert orm_heads[moved_on].seq == 2
    assert orm_heads[dead].seq == 1


def test_terminal_and_waiting_states_split_every_delivery_state() -> None:
    """PostgreSQL finds a head as ``state NOT IN`` the terminal states, SQLite as ``state IN``
    the others: the same deliveries only while the two split the checked states exactly."""
    waiting, terminal = set(heads._NOT_TERMINAL), set(heads._TERMINAL)
    assert not waiting & terminal
    assert waiting | terminal == set(outbox.DELIVERY_STATES)
    assert terminal == set(outbox.TERMINAL_STATES)
