"""Gazetteer changes from a supply load become events for covering or watching partners only."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import orm

from core import db
from gazetteer import domain
from loaders import model
from notify import (
    codes,
    delivery_gate,
    gazetteer_events,
    registry_repository,
    registry_service,
    ssrf,
    uprn_register,
    worker,
)
from notify.tables import outbox as o
from notify.tables import registry as reg
from notify.transports import webhook
from tests import supplies
from tests.integration import sharing_world, supply_db
from tests.support import event_contract

DAY0 = dt.date(2021, 1, 4)
NOW = sharing_world.NOW
GAZ_KINDS = [codes.GAZ_CREATED, codes.GAZ_CHANGED, codes.GAZ_RETIRED, codes.GAZ_DELETED]


def _seed_registry(session: orm.Session) -> None:
    """The two districts and the example registry; both councils' tax services take gazetteer
    events (Oldtown covers the supply's points, x = 292100), and Newtown watches UPRN 10002."""
    session.add_all(
        [
            sharing_world._area("E07000001", "Oldtown", 288000, 293000),
            sharing_world._area("E07000002", "Newtown", 293000, 299000),
        ]
    )
    session.flush()
    text = sharing_world.EXAMPLE.read_text(encoding="utf-8")
    registry_service.apply_file(session=session, text=text, actor="dpo", now=NOW)
    for service in ("OLDTOWN-BC/COUNCIL_TAX", "NEWTOWN-DC/COUNCIL_TAX"):
        for sub in session.scalars(
            sa.select(reg.Subscription).where(reg.Subscription.partner_service_id == service)
        ):
            sub.event_types = sorted({*sub.event_types, *GAZ_KINDS})
    session.commit()


def _watch(session: orm.Session, uprn: int) -> None:
    """The service registers the UPRN among those it holds (the partner's way in)."""
    uprn_register.replace(session, partner_service_id="NEWTOWN-DC/COUNCIL_TAX", uprns=[uprn],
                          actor="partner", now=NOW - dt.timedelta(days=1))  # fmt: skip
    session.commit()


def _load(factory: db.SessionFactory, tmp: Path, changes: list[model.Change], *, day: dt.date,
          file_type: str) -> None:  # fmt: skip
    paths = supplies.write(
        tmp / f"{day}-{file_type}",
        flavour="abp2",
        head=supplies.header(process_date=day, file_type=file_type),
        changes=changes,
    )
    supply_db.load(factory, paths, report=tmp / f"{day}.csv")


def _deliveries(session: orm.Session) -> list[tuple[str, str, str]]:
    rows = session.execute(
        sa.select(o.Delivery.partner_service_id, o.Delivery.event_type, o.Delivery.ordering_key)
    ).all()
    return sorted((r[0], r[1], r[2]) for r in rows)


def _publish(factory: db.SessionFactory) -> int:
    with factory() as session:
        count = gazetteer_events.enqueue_pending(session, NOW, settings=sharing_world.SETTINGS)
        session.commit()
    return count


def _published_full_supply(factory: db.SessionFactory, tmp: Path) -> supplies.State:
    """The registry seeded, three addresses loaded and their creation published."""
    with factory() as session:
        _seed_registry(session)
    state = supplies.sample_state("abp2", 3)
    _load(factory, tmp, supplies.full_changes(state), day=DAY0, file_type="F")
    _publish(factory)
    return state


def test_a_full_supply_is_published_to_the_covering_partner_only(
    session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    with session_factory() as session:
        _seed_registry(session)
    state = supplies.sample_state("abp2", 3)
    _load(session_factory, tmp_path, supplies.full_changes(state), day=DAY0, file_type="F")
    assert _publish(session_factory) == 3
    assert _publish(session_factory) == 0  # idempotent: each change is published once
    with session_factory() as session:
        found = _deliveries(session)
        assert found == [
            ("OLDTOWN-BC/COUNCIL_TAX", codes.GAZ_CREATED, f"u:{uprn}:OLDTOWN-BC")
            for uprn in (10_001, 10_002, 10_003)
        ]
        (delivery, *_) = session.scalars(sa.select(o.Delivery).order_by(o.Delivery.seq)).all()
        body = json.loads(delivery.body or b"{}")
        assert body["type"] == f"{sharing_world.SETTINGS.event_namespace}.{codes.GAZ_CREATED}"
        assert body["subject"].startswith("uprn/") and body["dataclassification"] == "internal"
        assert body["data"]["address"]["uprn"] == body["subject"].removeprefix("uprn/")
        assert body["data"]["address"]["lpi"].endswith("HIGH STREET, EXETER, EX1 1AA")
        assert body["data"]["address"]["classification"] == "RD04"  # from the class record
        event_contract.check(body, sharing_world.SETTINGS.event_namespace)
        lines = session.scalars(sa.select(o.Disclosure)).all()
        assert len(lines) == 3 and {line.subject_id for line in lines} == {None}
        assert {tuple(line.fields) for line in lines} == {("GAZ_ADDRESS",)}


def test_a_change_only_supply_reaches_coverage_and_watchers_with_its_kind(
    session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    state = _published_full_supply(session_factory, tmp_path)
    with session_factory() as session:
        _watch(session, 10_002)
    blpu = state.of("blpu")[(10_002,)]
    assert isinstance(blpu, domain.Blpu)
    retired = dataclasses.replace(blpu, logical_status="8", end_date=dt.date(2021, 1, 5))
    successor = domain.Successor(uprn=10_002, succ_key="1110S000000001", successor=10_001)
    deleted = [r for r in state.all() if getattr(r, "uprn", None) == 10_003]
    changes = [
        model.Change(change_type="U", record=retired),
        model.Change(change_type="I", record=successor),
        *(model.Change(change_type="D", record=r) for r in deleted),
    ]
    _load(session_factory, tmp_path, changes, day=DAY0 + dt.timedelta(days=1), file_type="C")
    assert _publish(session_factory) == 2  # retired: Oldtown (covers) and Newtown (watches)
    with session_factory() as session:
        retired_rows = session.scalars(
            sa.select(o.Delivery).where(o.Delivery.event_type == codes.GAZ_RETIRED)
        ).all()
        assert sorted(d.partner_service_id for d in retired_rows) == [
            "NEWTOWN-DC/COUNCIL_TAX", "OLDTOWN-BC/COUNCIL_TAX",
        ]  # fmt: skip
        body = json.loads(retired_rows[0].body or b"{}")
        assert body["data"]["successor_uprns"] == ["10001"]
        assert body["data"]["fields"] == ["GAZ_ADDRESS", "GAZ_SUCCESSORS"]
        for row in retired_rows:
            event_contract.check(row.body or b"{}", sharing_world.SETTINGS.event_namespace)
        # The deleted UPRN has no point left and nobody watches it: it is marked, not sent.
        deleted_rows = session.scalars(
            sa.select(o.Delivery).where(o.Delivery.event_type == codes.GAZ_DELETED)
        ).all()
        assert deleted_rows == []
        assert gazetteer_events.pending_count(session) == 0


def test_a_reclassified_address_is_changed_with_what_changed(
    session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    state = _published_full_supply(session_factory, tmp_path)
    (cls,) = [
        c
        for c in state.of("classification").values()
        if isinstance(c, domain.Classification) and c.uprn == 10_001
    ]
    shop = model.Change(
        change_type="U", record=dataclasses.replace(cls, classification_code="CR08")
    )
    _load(session_factory, tmp_path, [shop], day=DAY0 + dt.timedelta(days=1), file_type="C")
    assert _publish(session_factory) == 1
    with session_factory() as session:
        (row,) = session.scalars(
            sa.select(o.Delivery).where(o.Delivery.event_type == codes.GAZ_CHANGED)
        ).all()
        body = json.loads(row.body or b"{}")
    event_contract.check(body, sharing_world.SETTINGS.event_namespace)
    data = body["data"]
    assert data["changed_attributes"] == ["classification"]
    assert (data["old"]["classification"], data["new"]["classification"]) == ("RD04", "CR08")
    assert data["old"]["lpi"] == data["new"]["lpi"] and data["new"]["x"] == 292_100.0
    assert data["address"]["classification"] == "CR08"


def test_a_running_worker_publishes_pending_changes_by_itself(
    engine: sa.Engine, session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    with session_factory() as session:
        _seed_registry(session)
    state = supplies.sample_state("abp2", 3)
    _load(session_factory, tmp_path, supplies.full_changes(state), day=DAY0, file_type="F")

    def published() -> bool:
        with session_factory() as session:
            return len(_deliveries(session)) == 3

    async def run_until_published() -> None:
        running = worker.Worker(
            engine=engine,
            gate=delivery_gate.RegistryGate(registry_repository.load),
            sender=webhook.AiohttpSender(
                policy=ssrf.TargetPolicy.for_deployment(allow_private_targets=False)
            ),
            options=worker.Options(lease=dt.timedelta(seconds=5), poll_s=0.05),
            settings=sharing_world.SETTINGS,
        )
        task = asyncio.create_task(running.run())
        for _ in range(400):
            if published() or task.done():
                break
            await asyncio.sleep(0.05)
        running.stop()
        await task

    asyncio.run(run_until_published())
    with session_factory() as session:
        assert {kind for _service, kind, _key in _deliveries(session)} == {codes.GAZ_CREATED}
    assert _publish(session_factory) == 0  # the worker marked every change published
