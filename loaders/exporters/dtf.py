"""``export dtf``: the gazetteer as an LLPG DTF 7.3 supply, written through the DTF layout.

A full supply (file type ``F``) carries every street, descriptor, BLPU, provenance, cross
reference, LPI, successor and keyed organisation and classification, parents first, all as
``I``. With ``since`` it is a change-only supply (``C``) of the rows whose LAST_UPDATE_DATE is
on or after that date: ``I`` when the row was entered on or after it, ``U`` otherwise.
Deletions are not exported: the hub keeps no image of a deleted record to send as a ``D``.

DTF carries classification and organisation on the BLPU (§5.3): the keyless values the DTF
loader stored are put back there; keyed ones (from AddressBase) go out as records 31 and 32.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import orm

from gazetteer import domain, tables
from loaders import model
from loaders.writers import dtf as dtf_writer

STREAM_BATCH: Final = 5_000


@dataclass(frozen=True, kw_only=True, slots=True)
class DtfExport:
    output: str
    records: int
    file_type: str


def export(
    *,
    session: orm.Session,
    output: Path,
    today: dt.date,
    since: dt.date | None = None,
    custodian_name: str | None = None,
    custodian_code: int | None = None,
) -> DtfExport:
    """Write the supply to ``output`` (one CSV, moved into place when complete)."""
    code = custodian_code if custodian_code is not None else _custodian(session)
    header = model.Header(
        custodian_name=custodian_name or "ADDRESSHUB",
        local_custodian_code=code,
        process_date=today,
        volume_number=1,
        entry_date=today,
        time_stamp="000000",
        file_type="F" if since is None else "C",
    )
    counter = _Counter()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".dtf-") as directory:
        (written,) = dtf_writer.write(
            Path(directory), header=header, changes=counter.count(changes(session, since=since))
        )
        shutil.move(written, output)
    return DtfExport(output=str(output), records=counter.value, file_type=header.file_type or "F")


class _Counter:
    def __init__(self) -> None:
        self.value = 0

    def count(self, items: Iterator[model.Change]) -> Iterator[model.Change]:
        for item in items:
            self.value += 1
            yield item


def _custodian(session: orm.Session) -> int:
    code = session.scalar(sa.select(sa.func.min(tables.Blpu.local_custodian_code)))
    return int(code) if code is not None else 0


_PLAIN: Final[tuple[tuple[type[Any], type[Any]], ...]] = (
    (domain.Street, tables.Street),
    (domain.StreetDescriptor, tables.StreetDescriptor),
)
_AFTER_BLPU: Final[tuple[tuple[type[Any], type[Any]], ...]] = (
    (domain.Provenance, tables.Provenance),
    (domain.CrossReference, tables.CrossReference),
    (domain.Lpi, tables.Lpi),
    (domain.Successor, tables.Successor),
)


def changes(session: orm.Session, *, since: dt.date | None) -> Iterator[model.Change]:
    """Every exported row as a change, parents first, each type in key order."""
    for record_type, table in _PLAIN:
        yield from _rows(session, record_type, table, since=since)
    yield from _blpus(session, since=since)
    for record_type, table in _AFTER_BLPU:
        yield from _rows(session, record_type, table, since=since)
    yield from _keyed(session, domain.Organisation, tables.Organisation, "org_key", since=since)
    yield from _keyed(
        session, domain.Classification, tables.Classification, "class_key", since=since
    )


def _table(model_class: type[Any]) -> sa.Table:
    table = model_class.__table__
    assert isinstance(table, sa.Table)
    return table


def _select(record_type: type[Any], table: sa.Table) -> sa.Select[Any]:
    names = [f.name for f in dataclasses.fields(record_type) if f.name in table.c]
    keys = [table.c[c.name] for c in table.primary_key]
    return sa.select(*(table.c[n] for n in names)).order_by(*keys)


def _changed(table: sa.Table, since: dt.date | None) -> list[Any]:
    return [] if since is None else [table.c.last_update_date >= since]


def _change(record: Any, since: dt.date | None) -> model.Change:
    entered = getattr(record, "entry_date", None)
    is_new = since is None or (entered is not None and entered >= since)
    return model.Change(change_type="I" if is_new else "U", record=record)


def _stream(session: orm.Session, statement: sa.Select[Any]) -> Iterator[dict[str, Any]]:
    result = session.execute(statement.execution_options(yield_per=STREAM_BATCH))
    for row in result:
        yield row._asdict()


def _rows(
    session: orm.Session, record_type: type[Any], model_class: type[Any], *, since: dt.date | None
) -> Iterator[model.Change]:
    table = _table(model_class)
    statement = _select(record_type, table).where(*_changed(table, since))
    for values in _stream(session, statement):
        yield _change(record_type(**values), since)


def _blpus(session: orm.Session, *, since: dt.date | None) -> Iterator[model.Change]:
    """BLPUs with their keyless (DTF) organisation put back on the record."""
    blpu, organisation = _table(tables.Blpu), _table(tables.Organisation)
    keyless = (
        sa.select(organisation.c.uprn, sa.func.min(organisation.c.organisation).label("org"))
        .where(organisation.c.org_key.is_(None), organisation.c.end_date.is_(None))
        .group_by(organisation.c.uprn)
        .subquery()
    )
    statement = (
        _select(domain.Blpu, blpu)
        .add_columns(keyless.c.org)
        .outerjoin(keyless, keyless.c.uprn == blpu.c.uprn)
        .where(*_changed(blpu, since))
    )
    for values in _stream(session, statement):
        organisation_name = values.pop("org")
        yield _change(domain.Blpu(**values, organisation=organisation_name), since)


def _keyed(
    session: orm.Session,
    record_type: type[Any],
    model_class: type[Any],
    key: str,
    *,
    since: dt.date | None,
) -> Iterator[model.Change]:
    table = _table(model_class)
    statement = (
        _select(record_type, table)
        .where(table.c[key].is_not(None), *_changed(table, since))
        .order_by(None)
        .order_by(table.c[key])
    )
    for values in _stream(session, statement):
        yield _change(record_type(**values), since)
