"""Keep the address search index in step with the gazetteer.

:func:`rebuild` recomputes the ``address_search`` rows (and their tokens) of the given UPRNs,
or of the whole gazetteer: loaders call it after a load, in the load's transaction. The labels
and canonical facts are computed in Python (the same normaliser the matcher uses on typed
input); rows are read with one joined query per source and written in batches.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from gazetteer import domain, search_facts
from gazetteer import tables as t
from gazetteer.search_facts import BlpuFacts, IndexRow
from gazetteer.search_tables import AddressSearch, AddressSearchToken

BATCH = 1000
_CHUNK = 500


def rebuild(session: orm.Session, uprns: Iterable[int] | None = None) -> int:
    """Replace the index rows of ``uprns`` (all UPRNs when None); returns the rows written."""
    chosen = None if uprns is None else sorted(set(uprns))
    _delete(session, chosen)
    next_id = (session.scalar(sa.select(sa.func.max(AddressSearch.id))) or 0) + 1
    written = 0
    for batch in _batches(_all_rows(session, chosen), BATCH):
        _insert(session, batch, first_id=next_id + written)
        written += len(batch)
    session.flush()
    return written


def _delete(session: orm.Session, uprns: Sequence[int] | None) -> None:
    if uprns is None:
        session.execute(sa.delete(AddressSearchToken))
        session.execute(sa.delete(AddressSearch))
        return
    for chunk in _chunks(uprns, _CHUNK):
        ids = sa.select(AddressSearch.id).where(AddressSearch.uprn.in_(chunk))
        session.execute(sa.delete(AddressSearchToken).where(AddressSearchToken.search_id.in_(ids)))
        session.execute(sa.delete(AddressSearch).where(AddressSearch.uprn.in_(chunk)))


def _insert(session: orm.Session, rows: list[IndexRow], *, first_id: int) -> None:
    values = [{"id": first_id + i, **row.values} for i, row in enumerate(rows)]
    tokens = [
        {"token": token, "search_id": first_id + i}
        for i, row in enumerate(rows)
        for token in sorted(row.tokens)
    ]
    session.execute(sa.insert(AddressSearch), values)
    if tokens:
        session.execute(sa.insert(AddressSearchToken), tokens)


def _all_rows(session: orm.Session, uprns: Sequence[int] | None) -> Iterator[IndexRow]:
    for chunk in _chunks(uprns, _CHUNK) if uprns is not None else [None]:
        yield from _lpi_rows(session, chunk)
        yield from _delivery_point_rows(session, chunk)
        yield from _listed_rows(session, chunk)


def _where_uprn(statement: sa.Select[Any], column: Any, uprns: list[int] | None) -> Any:
    return statement if uprns is None else statement.where(column.in_(uprns))


_ORGANISATION = (
    sa.select(sa.func.min(t.Organisation.organisation))
    .where(t.Organisation.uprn == t.Blpu.uprn, t.Organisation.end_date.is_(None))
    .correlate(t.Blpu)
    .scalar_subquery()
)
_CLASSIFICATION = (
    sa.select(sa.func.min(t.Classification.classification_code))
    .where(t.Classification.uprn == t.Blpu.uprn, t.Classification.end_date.is_(None))
    .correlate(t.Blpu)
    .scalar_subquery()
)
_POST_TOWN = (
    sa.select(sa.func.min(t.DeliveryPoint.post_town))
    .where(t.DeliveryPoint.uprn == t.Blpu.uprn, t.DeliveryPoint.end_date.is_(None))
    .correlate(t.Blpu)
    .scalar_subquery()
)
_BLPU_COLUMNS = (
    t.Blpu.uprn,
    t.Blpu.logical_status,
    sa.func.coalesce(_CLASSIFICATION, t.Blpu.blpu_class),
    t.Blpu.local_custodian_code,
    t.Blpu.postcode_locator,
    _POST_TOWN,
    _ORGANISATION,
)
_INDEXED_LPI_STATUSES = ("1", "3", "6", "8")


def _blpu_facts(values: Sequence[Any]) -> tuple[BlpuFacts, str | None]:
    uprn, status, classification, custodian, postcode, post_town, organisation = values
    facts = BlpuFacts(
        uprn=uprn,
        logical_status=status,
        classification=classification,
        custodian=custodian,
        postcode=postcode,
        post_town=post_town,
    )
    return facts, organisation


def _lpi_rows(session: orm.Session, uprns: list[int] | None) -> Iterator[IndexRow]:
    own = orm.aliased(t.StreetDescriptor)
    english = orm.aliased(t.StreetDescriptor)
    statement = (
        sa.select(t.Lpi, own, english, *_BLPU_COLUMNS)
        .join(t.Blpu, t.Blpu.uprn == t.Lpi.uprn)
        .outerjoin(own, sa.and_(own.usrn == t.Lpi.usrn, own.language == t.Lpi.language))
        .outerjoin(
            english,
            sa.and_(english.usrn == t.Lpi.usrn, english.language == domain.LANGUAGE_ENGLISH),
        )
        .where(t.Lpi.logical_status.in_(_INDEXED_LPI_STATUSES))
    )
    for row in session.execute(_where_uprn(statement, t.Lpi.uprn, uprns)):
        lpi, own_row, english_row, *blpu_values = row
        blpu, organisation = _blpu_facts(blpu_values)
        descriptor = _descriptor(own_row or english_row)
        yield search_facts.lpi(_domain_lpi(lpi), descriptor, blpu=blpu, organisation=organisation)


def _domain_lpi(row: t.Lpi) -> domain.Lpi:
    fields = domain.Lpi.__dataclass_fields__
    return domain.Lpi(**{name: getattr(row, name) for name in fields})


def _descriptor(row: t.StreetDescriptor | None) -> domain.StreetDescriptor | None:
    if row is None:
        return None
    fields = domain.StreetDescriptor.__dataclass_fields__
    return domain.StreetDescriptor(**{name: getattr(row, name) for name in fields})


def _delivery_point_rows(session: orm.Session, uprns: list[int] | None) -> Iterator[IndexRow]:
    statement = sa.select(t.DeliveryPoint, *_BLPU_COLUMNS).join(
        t.Blpu, t.Blpu.uprn == t.DeliveryPoint.uprn
    )
    fields = domain.DeliveryPoint.__dataclass_fields__
    for row in session.execute(_where_uprn(statement, t.DeliveryPoint.uprn, uprns)):
        dpa, *blpu_values = row
        blpu, _organisation = _blpu_facts(blpu_values)
        record = domain.DeliveryPoint(**{name: getattr(dpa, name) for name in fields})
        yield search_facts.delivery_point(record, blpu=blpu)


def _listed_rows(session: orm.Session, uprns: list[int] | None) -> Iterator[IndexRow]:
    statement = (
        sa.select(t.ListedAddress, *_BLPU_COLUMNS)
        .outerjoin(t.Blpu, t.Blpu.uprn == t.ListedAddress.uprn)
        .where(t.ListedAddress.uprn.is_not(None))
    )
    for row in session.execute(_where_uprn(statement, t.ListedAddress.uprn, uprns)):
        item, uprn, *blpu_values = row
        blpu, _organisation = _blpu_facts([uprn or item.uprn, *blpu_values])
        yield search_facts.listed(
            row_id=item.id, uprn=item.uprn, address=item.address, postcode=item.postcode, blpu=blpu
        )


def _chunks(items: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _batches(rows: Iterable[IndexRow], size: int) -> Iterator[list[IndexRow]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch
