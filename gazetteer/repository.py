"""Gazetteer storage: saving domain records and reading one address's facts.

``save_records`` is for tests, the demo and small edits; bulk loads go through ``loaders``.
Each record is inserted or, when its key is already stored, replaced whole (an ABP ``U``).
Points are built in SQL from the eastings and northings, and latitude and longitude, when not
supplied, come from the database's own ``ST_Transform``. Repositories flush; callers commit.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import postgresql, sqlite

from core import db
from core.errors import StorageError
from core.tables import BNG_SRID, WGS84_SRID, Base
from gazetteer import address_documents, domain, facts_query, tables

Record = (
    domain.Street
    | domain.StreetDescriptor
    | domain.Blpu
    | domain.Lpi
    | domain.DeliveryPoint
    | domain.CrossReference
    | domain.Classification
    | domain.Organisation
    | domain.Successor
    | domain.Provenance
)
Row = dict[str, Any]

T = TypeVar("T")
BATCH_SIZE: Final = 500
# The scheme recorded on classifications taken from a DTF BLPU's BLPU_CLASS (§5.3).
DTF_CLASS_SCHEME: Final = "LLPG DTF 7.3 BLPU_CLASS"


@dataclass(frozen=True, kw_only=True, slots=True)
class _Target:
    table: sa.Table
    conflict: tuple[str, ...]


def _target(model: type[Base], *conflict: str) -> _Target:
    table = model.__table__
    assert isinstance(table, sa.Table)
    return _Target(table=table, conflict=conflict or tuple(c.name for c in table.primary_key))


TARGETS: Final[dict[type[Any], _Target]] = {
    domain.Street: _target(tables.Street),
    domain.StreetDescriptor: _target(tables.StreetDescriptor),
    domain.Blpu: _target(tables.Blpu),
    domain.Lpi: _target(tables.Lpi),
    domain.DeliveryPoint: _target(tables.DeliveryPoint),
    domain.CrossReference: _target(tables.CrossReference),
    domain.Classification: _target(tables.Classification, "class_key"),
    domain.Organisation: _target(tables.Organisation, "org_key"),
    domain.Successor: _target(tables.Successor),
    domain.Provenance: _target(tables.Provenance),
}


@contextmanager
def _storage_errors(action: str) -> Iterator[None]:
    try:
        yield
    except sa.exc.DBAPIError as exc:
        raise StorageError(f"the database could not {action}") from exc


# -- saving ---------------------------------------------------------------------------------


def save_records(
    session: orm.Session, records: Iterable[Record], *, load_run_id: str | None = None
) -> None:
    """Insert or replace each record by its key; the last of repeated keys wins."""
    grouped: dict[type[Any], dict[tuple[Any, ...], Record]] = {}
    for record in records:
        target = TARGETS.get(type(record))
        if target is None:
            raise TypeError(f"cannot save a {type(record).__name__}")
        key = tuple(getattr(record, name) for name in target.conflict)
        grouped.setdefault(type(record), {})[key] = record
    with _storage_errors("save gazetteer records"):
        touched = _document_uprns(session, grouped)
        for record_type, by_key in grouped.items():
            _save(session, TARGETS[record_type], list(by_key.values()), load_run_id)
        address_documents.refresh(session, touched)
        session.flush()


def _document_uprns(
    session: orm.Session, grouped: dict[type[Any], dict[tuple[Any, ...], Record]]
) -> set[int]:
    """The UPRNs whose stored lookup document the records change, read before they are saved:
    each record's UPRN, the UPRN its key belonged to until now, and every UPRN with an LPI on
    the street of a saved descriptor."""
    touched: set[int] = set()
    for record_type, by_key in grouped.items():
        table, conflict = TARGETS[record_type].table, TARGETS[record_type].conflict
        if record_type is domain.StreetDescriptor:
            lpi = TARGETS[domain.Lpi].table
            touched |= _uprns(session, lpi, lpi.c.usrn, {usrn for usrn, _language in by_key})
        elif "uprn" in table.c:
            touched.update(map(operator.attrgetter("uprn"), by_key.values()))
            if conflict != ("uprn",):  # one key column: LPI, UDPRN, XREF, CLASS or ORG key
                touched |= _uprns(session, table, table.c[conflict[0]], {k for (k,) in by_key})
    return touched


def _uprns(session: orm.Session, table: sa.Table, column: Any, values: set[Any]) -> set[int]:
    chosen = sorted(value for value in values if value is not None)
    found: set[int] = set()
    for start in range(0, len(chosen), BATCH_SIZE):
        batch = chosen[start : start + BATCH_SIZE]
        found.update(session.scalars(sa.select(table.c.uprn).where(column.in_(batch))))
    return found


def _save(
    session: orm.Session, target: _Target, records: Sequence[Record], load_run_id: str | None
) -> None:
    build: Callable[[orm.Session, Record], Row] = _blpu_row if target.table.name == "blpu" else _row
    rows = [build(session, record) | {"load_run_id": load_run_id} for record in records]
    _upsert(session, target, rows)
    if target.table.name == "blpu":
        _replace_dtf_fields(
            session, [r for r in records if isinstance(r, domain.Blpu)], load_run_id
        )


def _row(_session: orm.Session, record: Record) -> Row:
    return {
        f.name: getattr(record, f.name)
        for f in dataclasses.fields(record)
        if f.name in _columns(record)
    }


def _columns(record: Record) -> frozenset[str]:
    table = TARGETS[type(record)].table
    return frozenset(c.name for c in table.columns if c.name != "id")


def _upsert(session: orm.Session, target: _Target, rows: list[Row]) -> None:
    for start in range(0, len(rows), BATCH_SIZE):
        batch = rows[start : start + BATCH_SIZE]
        insert = (sqlite.insert if db.is_sqlite(session) else postgresql.insert)(target.table)
        statement = insert.values(batch)
        replaced = {
            name: statement.excluded[name]
            for name in batch[0]
            if name not in target.conflict and name != "id"
        }
        session.execute(
            statement.on_conflict_do_update(index_elements=list(target.conflict), set_=replaced)
        )


def _bng_point(session: orm.Session, x: float, y: float) -> sa.ColumnElement[Any]:
    if db.is_sqlite(session):
        return sa.func.MakePoint(x, y, BNG_SRID)
    return sa.func.ST_SetSRID(sa.func.ST_MakePoint(x, y), BNG_SRID)


def _blpu_row(session: orm.Session, record: Record) -> Row:
    assert isinstance(record, domain.Blpu)
    row = _row(session, record)
    x, y = record.x_coordinate, record.y_coordinate
    if x is None or y is None or (x == 0 and y == 0):  # 0.00, 0.00 is a null in some supplies
        return row | {"geom": None}
    point = _bng_point(session, x, y)
    wgs84 = sa.func.ST_Transform(_bng_point(session, x, y), WGS84_SRID)
    if record.latitude is None or record.longitude is None:
        row |= {"latitude": sa.func.ST_Y(wgs84), "longitude": sa.func.ST_X(wgs84)}
    return row | {"geom": point}


def _replace_dtf_fields(
    session: orm.Session, blpus: Sequence[domain.Blpu], load_run_id: str | None
) -> None:
    """A DTF BLPU carries its organisation and class; they live under surrogate keys (§5.3)."""
    uprns = [blpu.uprn for blpu in blpus]
    for model, key in ((tables.Organisation, "org_key"), (tables.Classification, "class_key")):
        table = model.__table__
        assert isinstance(table, sa.Table)
        session.execute(sa.delete(table).where(table.c.uprn.in_(uprns), table.c[key].is_(None)))
    organisations = [_dtf_organisation(blpu, load_run_id) for blpu in blpus if blpu.organisation]
    classifications = [_dtf_class(blpu, load_run_id) for blpu in blpus if blpu.blpu_class]
    if organisations:
        session.execute(sa.insert(tables.Organisation), organisations)
    if classifications:
        session.execute(sa.insert(tables.Classification), classifications)


def _dtf_dates(blpu: domain.Blpu, load_run_id: str | None) -> Row:
    return {
        "uprn": blpu.uprn,
        "start_date": blpu.start_date,
        "end_date": blpu.end_date,
        "last_update_date": blpu.last_update_date,
        "entry_date": blpu.entry_date,
        "load_run_id": load_run_id,
    }


def _dtf_organisation(blpu: domain.Blpu, load_run_id: str | None) -> Row:
    return _dtf_dates(blpu, load_run_id) | {"org_key": None, "organisation": blpu.organisation}


def _dtf_class(blpu: domain.Blpu, load_run_id: str | None) -> Row:
    return _dtf_dates(blpu, load_run_id) | {
        "class_key": None,
        "classification_code": blpu.blpu_class,
        "class_scheme": DTF_CLASS_SCHEME,
    }


# -- reading --------------------------------------------------------------------------------


AddressFacts = facts_query.AddressFacts


def _select(record_type: type[Any]) -> sa.Select[Any]:
    table = TARGETS[record_type].table
    names = [f.name for f in dataclasses.fields(record_type) if f.name in table.c]
    return sa.select(*(table.c[name] for name in names))


def _records(session: orm.Session, record_type: type[T], statement: sa.Select[Any]) -> list[T]:
    return [record_type(**row._asdict()) for row in session.execute(statement)]


def get_blpu(session: orm.Session, uprn: int) -> domain.Blpu | None:
    statement = _select(domain.Blpu).where(tables.Blpu.uprn == uprn)
    found = _records(session, domain.Blpu, statement)
    return found[0] if found else None


def lpis_of(session: orm.Session, uprn: int) -> list[domain.Lpi]:
    statement = _select(domain.Lpi).where(tables.Lpi.uprn == uprn).order_by(tables.Lpi.lpi_key)
    return _records(session, domain.Lpi, statement)


def descriptors_of(session: orm.Session, usrns: Iterable[int]) -> list[domain.StreetDescriptor]:
    d = tables.StreetDescriptor
    statement = _select(domain.StreetDescriptor).where(d.usrn.in_(sorted(set(usrns))))
    return _records(session, domain.StreetDescriptor, statement.order_by(d.usrn, d.language))


def open_organisation(session: orm.Session, uprn: int) -> str | None:
    """The open organisation with the lowest ORG_KEY (§6.2); a DTF one (no key) last."""
    o = tables.Organisation
    statement = sa.select(o.organisation).where(o.uprn == uprn, o.end_date.is_(None))
    return session.scalar(statement.order_by(o.org_key.is_(None), o.org_key, o.id).limit(1))


def open_classification_code(session: orm.Session, uprn: int) -> str | None:
    """The open classification with the lowest CLASS_KEY; a DTF BLPU_CLASS (no key) last."""
    c = tables.Classification
    statement = sa.select(c.classification_code).where(c.uprn == uprn, c.end_date.is_(None))
    return session.scalar(statement.order_by(c.class_key.is_(None), c.class_key, c.id).limit(1))


def open_cross_references(session: orm.Session, uprn: int) -> list[domain.CrossReference]:
    x = tables.CrossReference
    statement = _select(domain.CrossReference).where(x.uprn == uprn, x.end_date.is_(None))
    return _records(session, domain.CrossReference, statement.order_by(x.source, x.xref_key))


def delivery_points_of(session: orm.Session, uprn: int) -> list[domain.DeliveryPoint]:
    """The UPRN's delivery points, open ones first, then by UDPRN."""
    d = tables.DeliveryPoint
    statement = _select(domain.DeliveryPoint).where(d.uprn == uprn)
    ordered = statement.order_by(d.end_date.is_not(None), d.udprn)
    return _records(session, domain.DeliveryPoint, ordered)


def children_of(session: orm.Session, uprn: int) -> list[int]:
    b = tables.Blpu
    return list(session.scalars(sa.select(b.uprn).where(b.parent_uprn == uprn).order_by(b.uprn)))


def address_facts(session: orm.Session, uprn: int) -> AddressFacts | None:
    """Everything stored about ``uprn``, or ``None`` when there is no such BLPU.

    One prepared statement on the session's DB-API connection (:mod:`gazetteer.facts_query`),
    ordered and chosen as the single-record readers above do.
    """
    with _storage_errors("read the address"):
        return facts_query.read(session.connection(), uprn)
