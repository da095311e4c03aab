"""The test oracle for :mod:`gazetteer.search_index`: its earlier, plain implementation.

Every source row is read through the ORM (500 UPRNs per query, correlated subqueries for the
BLPU facts), turned into an index row by :mod:`gazetteer.search_facts`' public functions
(``matchcandidate.make_candidate`` included) and inserted through the ORM. It is slow and obviously
right; the set-based rebuild must write the same rows and tokens.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from gazetteer import addressparse, domain, formatting, matchcandidate, matching, search_facts
from gazetteer import tables as t
from gazetteer.addresstokens import AonParts, aon_from_token, is_number_token
from gazetteer.matchevidence import label_key
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
        yield _lpi_facts(_domain_lpi(lpi), descriptor, blpu=blpu, organisation=organisation)


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
        yield _delivery_point_facts(record, blpu=blpu)


def _listed_rows(session: orm.Session, uprns: list[int] | None) -> Iterator[IndexRow]:
    statement = (
        sa.select(t.ListedAddress, *_BLPU_COLUMNS)
        .outerjoin(t.Blpu, t.Blpu.uprn == t.ListedAddress.uprn)
        .where(t.ListedAddress.uprn.is_not(None))
    )
    for row in session.execute(_where_uprn(statement, t.ListedAddress.uprn, uprns)):
        item, uprn, *blpu_values = row
        blpu, _organisation = _blpu_facts([uprn or item.uprn, *blpu_values])
        yield _listed_facts(
            row_id=item.id, uprn=item.uprn, address=item.address, postcode=item.postcode, blpu=blpu
        )


def _chunks(items: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _batches(rows: Iterable[IndexRow], size: int) -> Iterator[list[IndexRow]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


# --- the facts, as search_facts computed them (matchcandidate.make_candidate per row) ------


def _lpi_facts(
    record: domain.Lpi,
    descriptor: domain.StreetDescriptor | None,
    *,
    blpu: BlpuFacts,
    organisation: str | None,
) -> IndexRow:
    postcode = record.postcode or blpu.postcode
    label = formatting.geographic_single_line(
        lpi=record, descriptor=descriptor, organisation=organisation, postcode=postcode
    )
    sao = matchcandidate.aon_from_fields(
        start=record.sao_start_number,
        start_suffix=record.sao_start_suffix,
        end=record.sao_end_number,
        end_suffix=record.sao_end_suffix,
        text=record.sao_text,
    )
    pao = matchcandidate.aon_from_fields(
        start=record.pao_start_number,
        start_suffix=record.pao_start_suffix,
        end=record.pao_end_number,
        end_suffix=record.pao_end_suffix,
        text=record.pao_text,
    )
    historical = record.is_closed or blpu.logical_status in domain.CLOSED_STATUSES
    return _row(
        source=search_facts.SOURCE_LPI,
        source_key=record.lpi_key,
        language=record.language,
        label=label,
        blpu=blpu,
        label_status=record.logical_status,
        historical=historical,
        usrn=record.usrn,
        facts=matchcandidate.make_candidate(
            uprn=record.uprn,
            source=search_facts.SOURCE_LPI,
            label=label,
            sao=sao,
            pao=pao,
            organisation=organisation,
            street=descriptor.description if descriptor else None,
            locality=descriptor.locality if descriptor else None,
            town=descriptor.town_name if descriptor else None,
            post_town=record.post_town or blpu.post_town,
            postcode=postcode,
        ),
    )


def _delivery_point_facts(record: domain.DeliveryPoint, *, blpu: BlpuFacts) -> IndexRow:
    label = formatting.postal_single_line(record)
    pao = addressparse.parse_aon_text(record.building_name)
    if record.building_number:
        pao = AonParts(number=record.building_number, text=pao.text if not pao.has_number else None)
    facts = matchcandidate.make_candidate(
        uprn=record.uprn,
        source=search_facts.SOURCE_DELIVERY_POINT,
        label=label,
        sao=addressparse.parse_aon_text(record.sub_building_name),
        pao=pao,
        organisation=record.organisation_name,
        street=record.thoroughfare or record.dependent_thoroughfare,
        locality=record.dependent_locality or record.double_dependent_locality,
        town=record.post_town,
        postcode=record.postcode,
    )
    closed = record.end_date is not None or blpu.logical_status in domain.CLOSED_STATUSES
    return _row(
        source=search_facts.SOURCE_DELIVERY_POINT,
        source_key=str(record.udprn),
        language=domain.LANGUAGE_ENGLISH,
        label=label,
        blpu=blpu,
        label_status=None,
        historical=closed,
        usrn=None,
        facts=facts,
    )


def _listed_facts(
    *, row_id: int, uprn: int, address: str, postcode: str | None, blpu: BlpuFacts
) -> IndexRow:
    """A council list address: free text, read with the same parser as a typed query."""
    text = address if not postcode or postcode in address.upper() else f"{address}, {postcode}"
    parsed = addressparse.parse(text)
    facts = matchcandidate.make_candidate(
        uprn=uprn,
        source=search_facts.SOURCE_LISTED,
        label=text,
        sao=parsed.sao,
        pao=parsed.pao,
        street=parsed.street,
        town=" ".join(parsed.rest) or None,
        postcode=parsed.postcode or postcode,
    )
    return _row(
        source=search_facts.SOURCE_LISTED,
        source_key=str(row_id),
        language=domain.LANGUAGE_ENGLISH,
        label=text,
        blpu=blpu,
        label_status=None,
        historical=blpu.logical_status in domain.CLOSED_STATUSES,
        usrn=None,
        facts=facts,
    )


def _row(
    *,
    source: str,
    source_key: str,
    language: str,
    label: str,
    blpu: BlpuFacts,
    label_status: str | None,
    historical: bool,
    usrn: int | None,
    facts: matching.CandidateAddress,
) -> IndexRow:
    parsed = addressparse.parse(label)
    values = {
        "uprn": blpu.uprn,
        "source": source,
        "source_key": source_key,
        "language": language,
        "label": label[:500],
        "search_text": parsed.normalised[:500],
        "label_key": label_key(parsed)[:500],
        "postcode": facts.postcode,
        "postcode_sector": facts.postcode[:-2] if facts.postcode else None,
        "usrn": usrn,
        "street_key": facts.street,
        **_aon_columns("sao", facts.sao),
        **_aon_columns("pao", facts.pao),
        "organisation": facts.organisation,
        "locality": facts.locality,
        "town": facts.town,
        "post_town": facts.post_town,
        "classification": blpu.classification,
        "blpu_status": blpu.logical_status,
        "label_status": label_status,
        "custodian": blpu.custodian,
        "historical": historical,
    }
    return IndexRow(values=values, tokens=tokens_of(parsed.normalised))


def _aon_columns(prefix: str, aon: AonParts) -> dict[str, Any]:
    columns = {
        f"{prefix}_number": aon.number,
        f"{prefix}_suffix": aon.suffix,
        f"{prefix}_end_number": aon.end_number,
        f"{prefix}_end_suffix": aon.end_suffix,
        f"{prefix}_text": aon.text,
    }
    if prefix == "sao":
        columns["sao_kind"] = aon.kind
    return columns


def tokens_of(normalised: str) -> frozenset[str]:
    """Every word of a canonical text, and the bare numbers inside number tokens."""
    found: set[str] = set()
    for word in normalised.split():
        found.add(word[: search_facts.TOKEN_MAX])
        if is_number_token(word):
            found.update(_bare_numbers(word))
    return frozenset(found)


def _bare_numbers(word: str) -> set[str]:
    numbers = set()
    for part in word.replace("/", "-").split("-"):
        aon = aon_from_token(part)
        if aon.number is not None:
            numbers.add(str(aon.number))
    return numbers
