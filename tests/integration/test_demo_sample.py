"""The demo's sample gazetteer and partners, loaded through the real loaders, on both engines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from api.demo import gazetteer, moves, partners, sample
from core import db
from core.settings import Settings
from gazetteer import service as gazetteer_service
from notify import delivery_tables, gazetteer_facts, intake, move_domain, registry_repository
from notify import service as notify_service
from notify.tables import registry

BASE = "http://127.0.0.1:8100/hooks"
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def _settings(engine: sa.Engine) -> Settings:
    url = engine.url.render_as_string(hide_password=False)
    return Settings(database_url=url)


def test_the_sample_loads_once_with_flats_under_their_buildings_and_real_postcodes(
    session_factory: db.SessionFactory, engine: sa.Engine, tmp_path: Path
) -> None:
    first = gazetteer.load(session_factory=session_factory, work_dir=tmp_path)
    again = gazetteer.load(session_factory=session_factory, work_dir=tmp_path)

    assert (first.postcodes, first.areas, first.unchanged) == (10, 13, False)
    assert (again.addresses, again.postcodes, again.areas, again.unchanged) == (0, 0, 0, True)
    settings = _settings(engine)
    with session_factory() as session:
        flat = gazetteer_service.get_address(
            session=session, uprn=moves.NEW_UPRN, settings=settings
        )
        house = gazetteer_service.get_address(
            session=session, uprn=moves.OLD_UPRN, settings=settings
        )
        blpus = session.scalar(sa.text("SELECT count(*) FROM blpu"))
    assert blpus == len(sample.build().uprns()) == 195
    assert flat.parent_uprn == moves.NEW_UPRN - 3
    assert flat.labels.single_line == "FLAT 3, HARBOUR COURT, HARBOUR ROAD, EXMOUTH, EX8 1AA"
    assert house.labels.single_line == "12 ORCHARD WAY, EXETER, EX1 1AE"


def test_sample_addresses_lie_in_the_areas_of_their_real_postcodes(
    session_factory: db.SessionFactory, engine: sa.Engine, tmp_path: Path
) -> None:
    gazetteer.load(session_factory=session_factory, work_dir=tmp_path)
    settings = _settings(engine)
    with session_factory() as session:
        old = gazetteer_facts.location(session, uprn=moves.OLD_UPRN, settings=settings)
        new = gazetteer_facts.location(session, uprn=moves.NEW_UPRN, settings=settings)
    assert old is not None and new is not None
    # EX1 1AE: Devon, Exeter, its ward; EX8 1AA: Devon, East Devon, its ward (Code-Point).
    assert old.area_codes == {"E10000008", "E07000041", "E05003502"}
    assert new.area_codes == {"E10000008", "E07000040", "E05003471"}
    assert (old.custodian_code, new.custodian_code) == ("1110", "1105")


def test_demo_partners_get_secrets_once_and_stale_receivers_are_paused(
    session_factory: db.SessionFactory,
) -> None:
    with db.unit_of_work(session_factory) as session:
        _report, first = partners.register(session=session, receivers_base=BASE, now=NOW)
    with db.unit_of_work(session_factory) as session:
        report, again = partners.register(session=session, receivers_base=BASE, now=NOW)
    with db.unit_of_work(session_factory) as session:
        _report, moved = partners.register(
            session=session, receivers_base="http://127.0.0.1:9999/hooks", now=NOW
        )
    with session_factory() as session:
        paused = session.scalars(
            sa.select(registry.Endpoint.url)
            .join(registry.Subscription, registry.Subscription.endpoint_id == registry.Endpoint.id)
            .where(registry.Subscription.status == "paused")
        ).all()
        endpoints = session.scalars(sa.select(registry.Endpoint)).all()
        secret_count = session.scalar(sa.select(sa.func.count()).select_from(
            delivery_tables.EndpointSecret))  # fmt: skip

    assert report.count("create") == report.count("update") == 0
    assert len(first) == 7 and first == again
    assert all(len(i.secrets) == 1 and i.secrets[0].startswith("whsec_") for i in first)
    assert {i.url.removeprefix(BASE) for i in first} >= {"/dc-police/police"}
    assert sorted(paused) == sorted(i.url for i in first)
    assert {i.url for i in moved} == {i.url.replace("8100", "9999") for i in first}
    assert all(e.allow_private_network for e in endpoints)
    assert secret_count == 14


def test_the_sample_move_is_planned_as_the_demo_registry_says(
    session_factory: db.SessionFactory, engine: sa.Engine, tmp_path: Path
) -> None:
    gazetteer.load(session_factory=session_factory, work_dir=tmp_path)
    with db.unit_of_work(session_factory) as session:
        partners.register(session=session, receivers_base=BASE, now=NOW)
    request = intake.MoveRequest(
        submitter=move_domain.Submitter(kind="agent", ref="demo"),
        person=intake.PersonDetails(given_name="Alex", family_name="Example"),
        old_uprn=moves.OLD_UPRN,
        new_uprn=moves.NEW_UPRN,
        move_date=NOW.date(),
        recipients=(
            intake.RecipientAnswer(
                partner_service_id="DEVON-CC/LIBRARIES", selected=True, consent=True
            ),
        ),
    )
    with session_factory() as session:
        assert len(registry_repository.load(session).partners) == 5
        plan = notify_service.explain_move(
            session=session, request=request, settings=_settings(engine), now=NOW
        )
    decisions = {
        c["partner_service_id"]: (c["role"], c["decision"], [r["code"] for r in c["reasons"]])
        for c in plan["candidates"]
    }
    assert decisions == {
        "EXETER-CC/COUNCIL_TAX": ("leaving", "send", []),
        "EXETER-CC/ELECTORAL_REG": ("leaving", "refuse", ["NO_MATCHING_RULE"]),
        "EAST-DEVON-DC/COUNCIL_TAX": ("joining", "send", []),
        "EAST-DEVON-DC/ELECTORAL_REG": ("joining", "send", []),
        "DEVON-CC/LIBRARIES": ("within", "send", []),
        "DEVON-CC/ADULT_SOCIAL_CARE": ("within", "refuse", ["NO_EXISTING_RELATIONSHIP"]),
        "DC-POLICE/POLICE": ("within", "refuse", ["DENIED_BY_RULE"]),
        "DSFIRE/OTHER": ("within", "send", []),
    }
