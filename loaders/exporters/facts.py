"""Reading the gazetteer for export: every UPRN's facts, in UPRN order, a batch at a time.

Keyset pages over ``blpu`` (``uprn > last``) keep memory flat; each page's LPIs, descriptors,
organisations, classifications and delivery points come in one query each.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any, Final, TypeVar

import sqlalchemy as sa
from sqlalchemy import orm

from gazetteer import domain, tables
from gazetteer.repository import AddressFacts

PAGE: Final = 1_000
T = TypeVar("T")


def iter_facts(
    session: orm.Session, *, since: dt.date | None = None, page: int = PAGE
) -> Iterator[AddressFacts]:
    """Every BLPU's facts in UPRN order; with ``since``, those changed on or after that date."""
    last = 0
    while blpus := _blpus(session, after=last, since=since, page=page):
        yield from _assemble(session, blpus)
        last = blpus[-1].uprn


def _columns(record_type: type[Any], table: sa.Table) -> list[sa.Column[Any]]:
    return [table.c[f.name] for f in dataclasses.fields(record_type) if f.name in table.c]


def _table(model: type[Any]) -> sa.Table:
    table = model.__table__
    assert isinstance(table, sa.Table)
    return table


def _records(session: orm.Session, record_type: type[T], model: type[Any], *where: Any) -> list[T]:
    statement = sa.select(*_columns(record_type, _table(model))).where(*where)
    return [record_type(**row._asdict()) for row in session.execute(statement)]


def _blpus(
    session: orm.Session, *, after: int, since: dt.date | None, page: int
) -> list[domain.Blpu]:
    b, lpi = tables.Blpu, tables.Lpi
    where: list[Any] = [b.uprn > after]
    if since is not None:
        changed_lpi = sa.select(lpi.uprn).where(lpi.uprn == b.uprn, lpi.last_update_date >= since)
        where.append(sa.or_(b.last_update_date >= since, changed_lpi.exists()))
    statement = (
        sa.select(*_columns(domain.Blpu, _table(b))).where(*where).order_by(b.uprn).limit(page)
    )
    return [domain.Blpu(**row._asdict()) for row in session.execute(statement)]


def _assemble(session: orm.Session, blpus: Sequence[domain.Blpu]) -> Iterator[AddressFacts]:
    uprns = [b.uprn for b in blpus]
    lpis = _by_uprn(_records(session, domain.Lpi, tables.Lpi, tables.Lpi.uprn.in_(uprns)))
    usrns = sorted({lpi.usrn for group in lpis.values() for lpi in group})
    descriptors = _records(
        session,
        domain.StreetDescriptor,
        tables.StreetDescriptor,
        tables.StreetDescriptor.usrn.in_(usrns),
    )
    by_usrn: dict[int, list[domain.StreetDescriptor]] = defaultdict(list)
    for descriptor in descriptors:
        by_usrn[descriptor.usrn].append(descriptor)
    organisations = _first_open(session, tables.Organisation, "organisation", "org_key", uprns)
    classes = _first_open(session, tables.Classification, "classification_code", "class_key", uprns)
    points = _by_uprn(
        _records(
            session,
            domain.DeliveryPoint,
            tables.DeliveryPoint,
            tables.DeliveryPoint.uprn.in_(uprns),
        )
    )
    for blpu in blpus:
        own = sorted(lpis.get(blpu.uprn, []), key=lambda lpi: lpi.lpi_key)
        yield AddressFacts(
            blpu=blpu,
            lpis=tuple(own),
            descriptors=tuple(d for usrn in sorted({x.usrn for x in own}) for d in by_usrn[usrn]),
            organisation=organisations.get(blpu.uprn),
            classification_code=classes.get(blpu.uprn),
            cross_references=(),
            delivery_points=tuple(
                sorted(points.get(blpu.uprn, []), key=lambda d: (d.end_date is not None, d.udprn))
            ),
            children=(),
        )


def _by_uprn(records: list[T]) -> dict[int, list[T]]:
    grouped: dict[int, list[T]] = defaultdict(list)
    for record in records:
        grouped[record.uprn].append(record)  # type: ignore[attr-defined]
    return grouped


def _first_open(
    session: orm.Session, model: type[Any], value: str, key: str, uprns: list[int]
) -> dict[int, str]:
    """Per UPRN, the open value with the lowest key (a keyless DTF value last), as §6.2 says."""
    table = _table(model)
    statement = (
        sa.select(table.c.uprn, table.c[value])
        .where(table.c.uprn.in_(uprns), table.c.end_date.is_(None))
        .order_by(table.c.uprn, table.c[key].is_(None), table.c[key], table.c.id)
    )
    first: dict[int, str] = {}
    for uprn, found in session.execute(statement):
        first.setdefault(uprn, found)
    return first
