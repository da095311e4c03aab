"""Address labels of the touched UPRNs, before and after an apply, for the change log.

Rows stream from the database ordered by UPRN and are grouped here; the label is the
geographic single line (gazetteer-standards §6.4) of the approved LPI, or of the best LPI left
when none is approved (a retired address keeps its label). After the apply the search rows of
the touched UPRNs are rebuilt first, and the approved English LPIs' labels are read from them
(:func:`capture_after`): only the other UPRNs' labels are built here again.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import orm

from gazetteer import domain, formatting
from loaders import sql, staging

BATCH: Final = 10_000
_LPI_FIELDS: Final = (
    "lpi_key", "language", "logical_status", "usrn", "end_date", "sao_start_number",
    "sao_start_suffix", "sao_end_number", "sao_end_suffix", "sao_text", "pao_start_number",
    "pao_start_suffix", "pao_end_number", "pao_end_suffix", "pao_text", "level", "area_name",
    "postcode", "post_town",
)  # fmt: skip
_DESCRIPTOR_FIELDS: Final = (
    "description", "language", "locality", "town_name", "administrative_area",
)  # fmt: skip


def capture(session: orm.Session, stage: sql.Stage) -> int:
    """Write ``(uprn, status, label)`` of every touched UPRN into ``stage``; returns the count."""
    staging.create(session, stage)
    return _write(session, stage, _labels(session, sql.LABEL_ROWS, sql.ORGANISATION_ROWS))


def capture_after(session: orm.Session) -> int:
    """:func:`capture` into ``LABELS_AFTER`` once the touched UPRNs' search rows are rebuilt:
    the label of a UPRN with an approved English LPI is that LPI's search row's label (the same
    single line), in one statement; the other UPRNs' labels are built here."""
    staging.create(session, sql.LABELS_AFTER)
    engine = staging.engine_of(session)
    found = staging.execute(session, sql.LABELS_FROM_SEARCH[engine])
    if engine == sql.SQLITE:
        # For UNLABELLED_ROWS' NOT EXISTS: without the key SQLite scans the stage for every
        # touched UPRN (30 s of a 200,000-record load); PostgreSQL hashes the stage instead.
        session.connection().exec_driver_sql(sql.LABELS_AFTER.index())
    staging.create(session, sql.LABELS_REST)
    rows = _labels(session, sql.UNLABELLED_ROWS, sql.UNLABELLED_ORGANISATION_ROWS)
    rest = _write(session, sql.LABELS_REST, rows)
    staging.execute(session, sql.ADD_REST_LABELS)
    staging.drop(session, sql.LABELS_REST)
    return found + rest


def _write(session: orm.Session, stage: sql.Stage, rows: Iterable[tuple[Any, ...]]) -> int:
    written = 0
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            staging.write(session, stage, batch)
            written, batch = written + len(batch), []
    staging.write(session, stage, batch)
    return written + len(batch)


def _labels(
    session: orm.Session, label_rows: str, organisation_rows: str
) -> Iterator[tuple[int, str, str | None]]:
    if staging.engine_of(session) == sql.POSTGRESQL:
        # The rows are read to the end: plan the cursor for all of them, not its first tenth.
        session.connection().exec_driver_sql(sql.WHOLE_CURSOR)
    organisations = _organisations(session, organisation_rows)
    pending = next(organisations, None)
    result = session.execute(sa.text(label_rows).execution_options(stream_results=True))
    for uprn, rows in itertools.groupby(result, key=lambda r: int(r[0])):
        names: list[str] = []
        while pending is not None and pending[0] <= uprn:
            if pending[0] == uprn:
                names.append(pending[1])
            pending = next(organisations, None)
        group = list(rows)
        yield uprn, str(group[0][1]), label(group, names[0] if names else None)


def _organisations(session: orm.Session, statement: str) -> Iterator[tuple[int, str]]:
    for uprn, name in staging.rows(session, statement):
        yield int(uprn), str(name)


def label(rows: Sequence[Sequence[Any]], organisation: str | None) -> str | None:
    """The label of one UPRN from its joined BLPU/LPI/descriptor rows."""
    uprn, postcode_locator = int(rows[0][0]), rows[0][2]
    lpis = {r[3]: _lpi(uprn, r[3 : 3 + len(_LPI_FIELDS)]) for r in rows if r[3] is not None}
    if not lpis:
        return None
    chosen = formatting.choose_lpi(lpis.values()) or _fallback(lpis.values())
    descriptors = [_descriptor(r[6], r[3 + len(_LPI_FIELDS) :]) for r in rows if r[6] is not None]
    descriptor = formatting.choose_descriptor(
        [d for d in descriptors if d is not None], usrn=chosen.usrn, language=chosen.language
    )
    return formatting.geographic_single_line(
        lpi=chosen,
        descriptor=descriptor,
        organisation=organisation,
        postcode=chosen.postcode or postcode_locator,
    )


def _fallback(lpis: Iterable[domain.Lpi]) -> domain.Lpi:
    return min(lpis, key=lambda lpi: (lpi.language != "ENG", lpi.logical_status, lpi.lpi_key))


def _lpi(uprn: int, values: Sequence[Any]) -> domain.Lpi:
    return domain.Lpi(uprn=uprn, **dict(zip(_LPI_FIELDS, values, strict=True)))


def _descriptor(usrn: Any, values: Sequence[Any]) -> domain.StreetDescriptor | None:
    if values[0] is None:
        return None
    return domain.StreetDescriptor(
        usrn=int(usrn), **dict(zip(_DESCRIPTOR_FIELDS, values, strict=True))
    )
