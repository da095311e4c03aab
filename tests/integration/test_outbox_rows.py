"""The plan and delivery rows written in bulk (``COPY`` on PostgreSQL, ``executemany`` on
SQLite) read back exactly as the plan and the delivery bodies that produced them."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy import orm

from notify import service
from notify.tables import outbox as o
from tests.integration import sharing_world as w


def test_bulk_written_rows_read_back_as_planned(session: orm.Session) -> None:
    w.seed(session)
    result = service.submit_move(
        session=session, request=w.request(), settings=w.SETTINGS, now=w.NOW
    )
    session.commit()
    assert result.plan is not None
    rows = {r.partner_service_id: r for r in session.scalars(sa.select(o.PlanDecision))}
    assert set(rows) == {d.partner_service_id for d in result.plan.decisions}
    for d in result.plan.decisions:
        row = rows[d.partner_service_id]
        assert (row.decision, row.role, row.rule_id, row.rule_version) == (
            d.outcome, d.role, d.rule_id, d.rule_version
        )  # fmt: skip
        assert row.fields == list(d.fields)
        assert [r["code"] for r in row.reasons] == [r.code for r in d.reasons]
        assert row.not_before == d.not_before and row.evaluated_at == result.plan.evaluated_at
    deliveries = list(session.scalars(sa.select(o.Delivery)))
    assert sorted(d.id for d in deliveries) == sorted(result.delivery_ids)
    for delivery in deliveries:
        assert json.loads(delivery.body or b"")["id"] == delivery.id
        assert delivery.plan_decision_id == rows[delivery.partner_service_id].id
        assert delivery.created_at == w.NOW and delivery.possibly_received is False
    lines = session.scalars(sa.select(o.Disclosure.delivery_id)).all()
    subjects = session.scalars(sa.select(o.DeliverySubject.delivery_id)).all()
    assert sorted(lines) == sorted(result.delivery_ids)  # one ledger line each
    assert set(subjects) == set(result.delivery_ids)  # the person, and any household
