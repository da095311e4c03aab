"""From gazetteer records to search-index rows (pure): label, canonical facts and tokens.

One function per source: an LPI with its street descriptor (``lpi``), a delivery point
(``delivery_point``) and a council list address (``listed``). Each returns the column values of
one ``address_search`` row (without ``id``) and the tokens that find it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from gazetteer import addressparse, domain, formatting, labeltext, matchcandidate, matching
from gazetteer.addresstokens import AonParts
from gazetteer.matchevidence import label_key

SOURCE_LPI = "lpi"
SOURCE_DELIVERY_POINT = "dpa"
SOURCE_LISTED = "listed"
SOURCES = (SOURCE_LPI, SOURCE_DELIVERY_POINT, SOURCE_LISTED)
TOKEN_MAX = labeltext.TOKEN_MAX
tokens_of = labeltext.tokens_of
_CACHED = 1 << 16


@dataclass(frozen=True, kw_only=True, slots=True)
class BlpuFacts:
    """What the filters need from the BLPU behind a label."""

    uprn: int
    logical_status: str | None = None
    classification: str | None = None
    custodian: int | None = None
    postcode: str | None = None
    post_town: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class IndexRow:
    values: dict[str, Any]
    tokens: frozenset[str]


def lpi(
    record: domain.Lpi,
    descriptor: domain.StreetDescriptor | None,
    *,
    blpu: BlpuFacts,
    organisation: str | None,
) -> IndexRow:
    postcode = record.postcode or blpu.postcode
    lines = formatting.geographic_lines(
        lpi=record, descriptor=descriptor, organisation=organisation, postcode=postcode
    )
    text = labeltext.of_lines(lines)
    label = text.parsed.raw
    sao = _aon_from_fields(
        record.sao_start_number,
        record.sao_start_suffix,
        record.sao_end_number,
        record.sao_end_suffix,
        record.sao_text,
    )
    pao = _aon_from_fields(
        record.pao_start_number,
        record.pao_start_suffix,
        record.pao_end_number,
        record.pao_end_suffix,
        record.pao_text,
    )
    historical = record.is_closed or blpu.logical_status in domain.CLOSED_STATUSES
    return _row(
        text=text,
        source=SOURCE_LPI,
        source_key=record.lpi_key,
        language=record.language,
        label=label,
        blpu=blpu,
        label_status=record.logical_status,
        historical=historical,
        usrn=record.usrn,
        facts=_candidate(
            uprn=record.uprn,
            source=SOURCE_LPI,
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


def delivery_point(record: domain.DeliveryPoint, *, blpu: BlpuFacts) -> IndexRow:
    text = labeltext.of_lines(formatting.postal_lines(record))
    label = text.parsed.raw
    pao = _aon_text(record.building_name)
    if record.building_number:
        pao = AonParts(number=record.building_number, text=pao.text if not pao.has_number else None)
    facts = _candidate(
        uprn=record.uprn,
        source=SOURCE_DELIVERY_POINT,
        label=label,
        sao=_aon_text(record.sub_building_name),
        pao=pao,
        organisation=record.organisation_name,
        street=record.thoroughfare or record.dependent_thoroughfare,
        locality=record.dependent_locality or record.double_dependent_locality,
        town=record.post_town,
        postcode=record.postcode,
    )
    closed = record.end_date is not None or blpu.logical_status in domain.CLOSED_STATUSES
    return _row(
        text=text,
        source=SOURCE_DELIVERY_POINT,
        source_key=str(record.udprn),
        language=domain.LANGUAGE_ENGLISH,
        label=label,
        blpu=blpu,
        label_status=None,
        historical=closed,
        usrn=None,
        facts=facts,
    )


def listed(
    *, row_id: int, uprn: int, address: str, postcode: str | None, blpu: BlpuFacts
) -> IndexRow:
    """A council list address: free text, read with the same parser as a typed query."""
    text = address if not postcode or postcode in address.upper() else f"{address}, {postcode}"
    parsed = addressparse.parse(text)
    facts = _candidate(
        uprn=uprn,
        source=SOURCE_LISTED,
        label=text,
        sao=parsed.sao,
        pao=parsed.pao,
        street=parsed.street,
        town=" ".join(parsed.rest) or None,
        postcode=parsed.postcode or postcode,
    )
    return _row(
        text=labeltext.LabelText(parsed=parsed, tokens=tokens_of(parsed.normalised)),
        source=SOURCE_LISTED,
        source_key=str(row_id),
        language=domain.LANGUAGE_ENGLISH,
        label=text,
        blpu=blpu,
        label_status=None,
        historical=blpu.logical_status in domain.CLOSED_STATUSES,
        usrn=None,
        facts=facts,
    )


def _candidate(
    *,
    uprn: int,
    source: str,
    label: str,
    sao: AonParts,
    pao: AonParts,
    organisation: str | None = None,
    street: str | None = None,
    locality: str | None = None,
    town: str | None = None,
    post_town: str | None = None,
    postcode: str | None = None,
) -> matching.CandidateAddress:
    """:func:`matchcandidate.make_candidate` without its label key (``_row`` parses the label once)
    and with the canonical texts remembered: streets, towns and names repeat across rows."""
    return matching.CandidateAddress(
        uprn=uprn,
        source=source,
        label=label,
        sao=sao,
        pao=_canonical_aon(pao),
        organisation=_canonical(organisation),
        street=_canonical(street),
        locality=_canonical(locality),
        town=_canonical(town),
        post_town=_canonical(post_town),
        postcode=postcode,
    )


@functools.lru_cache(maxsize=_CACHED)
def _canonical(text: str | None) -> str | None:
    return matchcandidate.canonical(text)


@functools.lru_cache(maxsize=_CACHED)
def _canonical_aon(aon: AonParts) -> AonParts:
    return aon.with_text(_canonical(aon.text))


@functools.lru_cache(maxsize=_CACHED)
def _aon_text(text: str | None) -> AonParts:
    return addressparse.parse_aon_text(text)


@functools.lru_cache(maxsize=_CACHED)
def _aon_from_fields(
    start: int | None,
    start_suffix: str | None,
    end: int | None,
    end_suffix: str | None,
    text: str | None,
) -> AonParts:
    return matchcandidate.aon_from_fields(
        start=start, start_suffix=start_suffix, end=end, end_suffix=end_suffix, text=text
    )


def _row(
    *,
    text: labeltext.LabelText,
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
    parsed = text.parsed
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
    return IndexRow(values=values, tokens=text.tokens)


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


def candidate_from_values(values: dict[str, Any]) -> matching.CandidateAddress:
    """The matcher's view of an index row (its texts are canonical already)."""
    return matching.CandidateAddress(
        uprn=values["uprn"],
        source=values["source"],
        label=values["label"],
        sao=_aon_from_columns("sao", values),
        pao=_aon_from_columns("pao", values),
        organisation=values["organisation"],
        street=values["street_key"],
        locality=values["locality"],
        town=values["town"],
        post_town=values["post_town"],
        postcode=values["postcode"],
        label_key=values["label_key"],
    )


def _aon_from_columns(prefix: str, values: dict[str, Any]) -> AonParts:
    return AonParts(
        number=values[f"{prefix}_number"],
        suffix=values[f"{prefix}_suffix"],
        end_number=values[f"{prefix}_end_number"],
        end_suffix=values[f"{prefix}_end_suffix"],
        text=values[f"{prefix}_text"],
        kind=values.get(f"{prefix}_kind"),
    )
