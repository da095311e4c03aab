"""A small seeded gazetteer for the find and match tests: two towns, two High Streets."""

from __future__ import annotations

from sqlalchemy import orm

from gazetteer import domain, repository, search_index

NEWTOWN_HIGH = 1001
OLDTOWN_HIGH = 1002
PARK_ROAD = 1003
SAINT_MARYS = 1004

# uprn -> (usrn, sao text, sao number, pao number, pao suffix, pao text, postcode, class, x, y)
Row = tuple[int, str | None, int | None, int | None, str | None, str | None, str, str, int, int]
ADDRESSES: dict[int, Row] = {
    **{
        100 + n: (
            NEWTOWN_HIGH, None, None, n, None, None,
            "NT1 1AA" if n < 12 else "NT1 1AB", "RD04", 300000 + 10 * n, 100000,
        )
        for n in range(1, 21)
    },
    121: (NEWTOWN_HIGH, None, None, 10, "A", None, "NT1 1AA", "RD04", 300105, 100000),
    131: (NEWTOWN_HIGH, "FLAT 1", None, 12, None, None, "NT1 1AB", "RD06", 300120, 100001),
    132: (NEWTOWN_HIGH, "FLAT 2", None, 12, None, None, "NT1 1AB", "RD06", 300120, 100002),
    141: (NEWTOWN_HIGH, None, None, None, None, "ROSE COTTAGE", "NT1 1AA", "RD02", 300400, 100000),
    150: (NEWTOWN_HIGH, None, None, 30, None, None, "NT1 1AB", "CR01", 300300, 100000),
    201: (OLDTOWN_HIGH, None, None, 10, None, None, "OT1 1AA", "RD04", 400100, 200000),
    301: (PARK_ROAD, None, None, 7, None, None, "NT2 3BB", "RD04", 300000, 101000),
    302: (PARK_ROAD, "GROUND FLOOR FLAT", None, 7, None, None, "NT2 3BB", "RD06", 300000, 101001),
    401: (SAINT_MARYS, None, 2, 10, None, None, "NT4 4AA", "RD06", 301000, 100000),
}  # fmt: skip

DESCRIPTORS = (
    domain.StreetDescriptor(usrn=NEWTOWN_HIGH, description="HIGH STREET", town_name="NEWTOWN"),
    domain.StreetDescriptor(usrn=OLDTOWN_HIGH, description="HIGH STREET", town_name="OLDTOWN"),
    domain.StreetDescriptor(usrn=PARK_ROAD, description="PARK ROAD", town_name="NEWTOWN"),
    domain.StreetDescriptor(
        usrn=SAINT_MARYS, description="ST MARY'S ROAD", locality="UPPER TOWN", town_name="NEWTOWN"
    ),
)

DELIVERY_POINT = domain.DeliveryPoint(
    udprn=5001,
    uprn=131,
    sub_building_name="FLAT 1",
    building_number=12,
    thoroughfare="HIGH STREET",
    post_town="NEWTOWN",
    postcode="NT1 1AB",
)


SeedRecord = (
    domain.Blpu
    | domain.Lpi
    | domain.StreetDescriptor
    | domain.Classification
    | domain.DeliveryPoint
)


def records() -> list[SeedRecord]:
    out: list[SeedRecord] = list(DESCRIPTORS)
    for uprn, (
        usrn,
        sao_text,
        sao_number,
        pao,
        suffix,
        pao_text,
        postcode,
        code,
        x,
        y,
    ) in ADDRESSES.items():
        out.append(
            domain.Blpu(
                uprn=uprn,
                logical_status="1",
                x_coordinate=x,
                y_coordinate=y,
                postcode_locator=postcode,
                local_custodian_code=1110,
            )
        )
        out.append(
            domain.Lpi(
                uprn=uprn,
                lpi_key=f"1110L{uprn:09d}",
                language="ENG",
                logical_status="1",
                usrn=usrn,
                sao_text=sao_text,
                sao_start_number=sao_number,
                pao_start_number=pao,
                pao_start_suffix=suffix,
                pao_text=pao_text,
            )
        )
        out.append(
            domain.Classification(uprn=uprn, class_key=f"1110C{uprn:09d}", classification_code=code)
        )
    out.append(DELIVERY_POINT)
    return out


def seed(session: orm.Session) -> int:
    repository.save_records(session, records())
    written = search_index.rebuild(session)
    session.commit()
    return written
