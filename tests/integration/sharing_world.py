"""A small gazetteer and the example registry, for the sharing integration tests.

Two district areas side by side (E07000001 Oldtown west of x=293000, E07000002 Newtown east
of it), one street, an old address in Oldtown and a new one in Newtown.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from geoalchemy2 import WKTElement
from sqlalchemy import orm

from core.settings import Settings
from gazetteer import domain as gaz
from gazetteer import repository as gaz_repository
from gazetteer import tables as gaz_tables
from notify import intake, move_domain, question_store, registry_service, service
from tests import strategies

NOW = dt.datetime(2025, 3, 1, 10, 15, 2, tzinfo=dt.UTC)
OLD_UPRN, NEW_UPRN, ELSEWHERE_UPRN = 100023336956, 10091234567, 200000000001
STREET = 14200001
EXAMPLE = Path(__file__).resolve().parents[2] / "notify" / "data" / "example-registry.yaml"
SETTINGS = Settings(environment="test")
DATES: strategies.OpenRecordDates = {
    "start_date": dt.date(2020, 1, 1),
    "last_update_date": dt.date(2020, 1, 1),
    "entry_date": dt.date(2020, 1, 1),
}


def _square(x0: int, x1: int) -> WKTElement:
    wkt = f"MULTIPOLYGON((({x0} 90000,{x1} 90000,{x1} 95000,{x0} 95000,{x0} 90000)))"
    return WKTElement(wkt, srid=27700)


def _area(code: str, name: str, x0: int, x1: int) -> gaz_tables.Area:
    return gaz_tables.Area(type="lad", code=code, name=name, version="", geom=_square(x0, x1))


def address(uprn: int, x: float, custodian: int, number: int) -> list[gaz_repository.Record]:
    """The BLPU and English LPI of house ``number`` on the street, at ``(x, 92500)``."""
    return [
        gaz.Blpu(
            uprn=uprn,
            logical_status="1",
            x_coordinate=x,
            y_coordinate=92500.0,
            rpc="1",
            local_custodian_code=custodian,
            country="E",
            postcode_locator="NT1 1AA",
            **DATES,
        ),
        gaz.Lpi(
            uprn=uprn,
            lpi_key=f"{custodian}L{number:09d}",
            language="ENG",
            usrn=STREET,
            pao_start_number=number,
            logical_status="1",
            **DATES,
        ),
    ]


def seed(session: orm.Session) -> None:
    """The gazetteer, the areas and the example registry, committed."""
    records: list[gaz_repository.Record] = [
        gaz.Street(usrn=STREET, record_type="1", state="2", **DATES),
        gaz.StreetDescriptor(
            usrn=STREET,
            description="MILL LANE",
            town_name="NEWTOWN",
            language="ENG",
            administrative_area="NEWSHIRE",
        ),
        *address(OLD_UPRN, 292000.0, 1105, 1),
        *address(NEW_UPRN, 296000.0, 1110, 2),
        *address(ELSEWHERE_UPRN, 305000.0, 1115, 3),
    ]
    gaz_repository.save_records(session, records)
    session.add_all(
        [
            _area("E07000001", "Oldtown", 288000, 293000),
            _area("E07000002", "Newtown", 293000, 299000),
        ]
    )
    session.flush()
    registry_service.apply_file(
        session=session, text=EXAMPLE.read_text(encoding="utf-8"), actor="dpo", now=NOW
    )
    question_store.save(
        session=session, service_id="NEWTOWN-DC/COUNCIL_TAX", raw=ADULTS_QUESTION, now=NOW
    )
    session.commit()


#: Council tax asks how many adults now live at the new address (J6).
ADULTS_QUESTION = [
    {
        "id": "adults",
        "label_en": "How many adults now live at the new address?",
        "type": "integer",
        "validation": {"min": 1, "max": 20},
    }
]


MOVER = intake.PersonDetails(
    given_name="Ada", family_name="Lovelace", date_of_birth=dt.date(1990, 12, 10)
)
PARTNER_MEMBER = intake.MemberDetails(
    person=intake.PersonDetails(given_name="Bo", family_name="Lovelace"),
    relationship="partner",
    authority="permission_obtained",
    statement_version="decl-2025-01",
)


def request(**changes: Any) -> intake.MoveRequest:
    values: dict[str, Any] = {
        "submitter": move_domain.Submitter(kind="citizen"),
        "person": MOVER,
        "household": (PARTNER_MEMBER,),
        "contact": move_domain.Contact(email="ada@example.org"),
        "old_uprn": OLD_UPRN,
        "new_uprn": NEW_UPRN,
        "move_date": dt.date(2025, 3, 14),
        "recipients": (
            intake.RecipientAnswer(
                partner_service_id="NEWTOWN-DC/COUNCIL_TAX", selected=True, answers={"adults": 2}
            ),
            intake.RecipientAnswer(
                partner_service_id="NEWTOWN-DC/LIBRARIES",
                selected=True,
                consent=True,
                partner_reference="LIB-42",
            ),
        ),
        "declaration_version": "final-2025-01",
    }
    return intake.MoveRequest(**(values | changes))


def seeded(session: orm.Session) -> orm.Session:
    """The session on a seeded sharing world (a fixture of the modules that use it)."""
    seed(session)
    return session


def submit(session: orm.Session, **changes: object) -> service.Submitted:
    """The citizen's move (:func:`request` with ``changes``) submitted and committed."""
    result = service.submit_move(
        session=session, request=request(**changes), settings=SETTINGS, now=NOW
    )
    session.commit()
    return result
