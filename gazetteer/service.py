"""Gazetteer use cases: looking up one address by UPRN.

The repository reads the stored facts; :func:`build_document` (pure) decides what the address
is called and how it is shown, after the rules of gazetteer-standards §6.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Final

import sqlalchemy as sa
from sqlalchemy import orm

from core.settings import Settings
from gazetteer import classification, documents, domain, facts_query, formatting, repository
from gazetteer.errors import AddressNotFound

CODES_KEPT: Final = 4096


def get_address(
    *,
    session: orm.Session,
    uprn: int,
    settings: Settings,
    language: str = domain.LANGUAGE_ENGLISH,
) -> documents.AddressDocument:
    """The address with ``uprn``, labelled in ``language`` where the gazetteer has it."""
    return _document(repository.address_facts(session, uprn), uprn, settings, language)


def read_address(
    *,
    connection: sa.Connection,
    uprn: int,
    settings: Settings,
    language: str = domain.LANGUAGE_ENGLISH,
) -> documents.AddressDocument:
    """:func:`get_address` on a bare connection (no ORM session to open and close): the same
    one statement on its DB-API connection, for ``GET /v1/addresses/{uprn}``."""
    return _document(facts_query.read(connection, uprn), uprn, settings, language)


def _document(
    facts: repository.AddressFacts | None, uprn: int, settings: Settings, language: str
) -> documents.AddressDocument:
    if facts is None:
        raise AddressNotFound(f"no address has UPRN {uprn}", details={"uprn": uprn})
    return build_document(
        facts, administrative_area=settings.label_administrative_area, language=language
    )


def build_document(
    facts: repository.AddressFacts, *, administrative_area: bool, language: str
) -> documents.AddressDocument:
    blpu = facts.blpu
    lpi = choose_lpi(facts.lpis, language)
    dpa = next((dpa for dpa in facts.delivery_points if dpa.end_date is None), None)
    streets = {each.lpi_key: _descriptor(facts, each) for each in facts.lpis}
    lines = {
        each.lpi_key: _geographic(facts, each, streets[each.lpi_key], administrative_area)
        for each in facts.lpis
    }
    return documents.AddressDocument(
        uprn=blpu.uprn,
        status=_status(blpu.logical_status),
        state=_state(blpu.blpu_state),
        parent_uprn=blpu.parent_uprn,
        children=facts.children,
        coordinates=documents.Coordinates(
            x=blpu.x_coordinate,
            y=blpu.y_coordinate,
            latitude=blpu.latitude,
            longitude=blpu.longitude,
        ),
        rpc=blpu.rpc,
        local_custodian_code=blpu.local_custodian_code,
        country=blpu.country,
        postcode=_postcode(blpu, lpi, dpa),
        classification=_classification(facts.classification_code or blpu.blpu_class),
        organisation=facts.organisation,
        street=_street(lpi, streets[lpi.lpi_key]) if lpi else None,
        lpis=tuple(_summary(each, lines[each.lpi_key]) for each in facts.lpis),
        labels=_labels(lines[lpi.lpi_key] if lpi else [], dpa, language=language),
        cross_references=tuple(map(_cross_reference, facts.cross_references)),
        delivery_point=_delivery_point(dpa) if dpa else None,
    )


def choose_lpi(lpis: Sequence[domain.Lpi], language: str) -> domain.Lpi | None:
    """The approved LPI in ``language`` (ENG fallback); failing that, the best of the rest.

    A retired BLPU has no approved LPI but still has a name: prefer the language asked for,
    then an open LPI, then the lowest status code and key.
    """
    approved = formatting.choose_lpi(lpis, language)
    if approved is not None or not lpis:
        return approved
    return min(
        lpis,
        key=lambda lpi: (lpi.language != language, lpi.is_closed, lpi.logical_status, lpi.lpi_key),
    )


# Codes, states and classifications are frozen values of a few hundred codes: each is built
# once per process and shared by every document that shows it.
@functools.lru_cache(maxsize=CODES_KEPT)
def _status(code: str) -> documents.Code:
    return documents.Code(code=code, name=domain.STATUS_NAMES.get(code))


@functools.lru_cache(maxsize=CODES_KEPT)
def _state(code: str | None) -> documents.Code | None:
    return documents.Code(code=code, name=documents.STATE_NAMES.get(code)) if code else None


@functools.lru_cache(maxsize=CODES_KEPT)
def _classification(code: str | None) -> documents.Classification | None:
    if not code:
        return None
    return documents.Classification(code=code, description=classification.description(code))


def _postcode(
    blpu: domain.Blpu, lpi: domain.Lpi | None, dpa: domain.DeliveryPoint | None
) -> str | None:
    """DTF keeps the postcode on the LPI, ABP on the BLPU (§6.2); the DPA's as a last resort."""
    lpi_postcode = lpi.postcode if lpi else None
    return lpi_postcode or blpu.postcode_locator or (dpa.postcode if dpa else None)


def _descriptor(facts: repository.AddressFacts, lpi: domain.Lpi) -> domain.StreetDescriptor | None:
    return formatting.choose_descriptor(facts.descriptors, usrn=lpi.usrn, language=lpi.language)


def _street(lpi: domain.Lpi, descriptor: domain.StreetDescriptor | None) -> documents.Street:
    """The chosen LPI's street, described by its descriptor (:func:`_descriptor`)."""
    if descriptor is None:
        return documents.Street(usrn=lpi.usrn)
    return documents.Street(
        usrn=lpi.usrn,
        description=descriptor.description,
        locality=descriptor.locality,
        town=descriptor.town_name,
        administrative_area=descriptor.administrative_area,
        language=descriptor.language,
    )


def _geographic(
    facts: repository.AddressFacts,
    lpi: domain.Lpi,
    descriptor: domain.StreetDescriptor | None,
    administrative_area: bool,
) -> list[str]:
    return formatting.geographic_lines(
        lpi=lpi,
        descriptor=descriptor,
        organisation=facts.organisation,
        postcode=lpi.postcode or facts.blpu.postcode_locator,
        administrative_area=administrative_area,
    )


def _summary(lpi: domain.Lpi, lines: list[str]) -> documents.LpiSummary:
    return documents.LpiSummary(
        lpi_key=lpi.lpi_key,
        language=lpi.language,
        status=_status(lpi.logical_status),
        usrn=lpi.usrn,
        single_line=", ".join(lines),
        is_closed=lpi.is_closed,
    )


def _labels(
    lines: list[str], dpa: domain.DeliveryPoint | None, *, language: str
) -> documents.Labels:
    """The chosen LPI's geographic ``lines`` (none without an LPI) and the open DPA's."""
    postal = formatting.postal_lines(dpa, welsh=language == domain.LANGUAGE_WELSH) if dpa else []
    return documents.Labels(
        single_line=", ".join(lines),
        lines=tuple(lines),
        postal_single_line=", ".join(postal) if postal else None,
        postal_lines=tuple(postal),
    )


def _cross_reference(xref: domain.CrossReference) -> documents.CrossReference:
    return documents.CrossReference(
        source=xref.source, cross_reference=xref.cross_reference, version=xref.version
    )


def _delivery_point(dpa: domain.DeliveryPoint) -> documents.DeliveryPoint:
    return documents.DeliveryPoint(
        udprn=dpa.udprn,
        postcode=dpa.postcode,
        post_town=dpa.post_town,
        postcode_type=dpa.postcode_type,
        delivery_point_suffix=dpa.delivery_point_suffix,
        organisation_name=dpa.organisation_name,
        department_name=dpa.department_name,
        sub_building_name=dpa.sub_building_name,
        building_name=dpa.building_name,
        building_number=dpa.building_number,
        po_box_number=dpa.po_box_number,
        dependent_thoroughfare=dpa.dependent_thoroughfare,
        thoroughfare=dpa.thoroughfare,
        double_dependent_locality=dpa.double_dependent_locality,
        dependent_locality=dpa.dependent_locality,
    )
