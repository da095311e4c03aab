"""The geographic (LPI) address: choosing the LPI and descriptor, then the label (§6.2–§6.4)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from gazetteer import domain
from gazetteer.formatting import text

APPROVED: Final = "1"


def choose_lpi(
    lpis: Iterable[domain.Lpi], language: str = domain.LANGUAGE_ENGLISH
) -> domain.Lpi | None:
    """The approved (status 1) LPI in ``language``, else the approved English one, else ``None``.

    ``lpis`` are the LPIs of one UPRN. Should there be several approved LPIs in a language, an
    open one wins, then the lowest LPI_KEY.
    """
    approved = [lpi for lpi in lpis if lpi.logical_status == APPROVED]
    for wanted in dict.fromkeys((language.upper(), domain.LANGUAGE_ENGLISH)):
        matches = [lpi for lpi in approved if lpi.language == wanted]
        if matches:
            return min(matches, key=lambda lpi: (lpi.end_date is not None, lpi.lpi_key))
    return None


def choose_descriptor(
    descriptors: Iterable[domain.StreetDescriptor], *, usrn: int, language: str
) -> domain.StreetDescriptor | None:
    """The descriptor with the same USRN and language, else the street's English one (§6.2).

    An open descriptor wins over an ended one. The caller reports the English fallback for a
    non-English LPI (``LPI-DESCRIPTOR-LANGUAGE``).
    """
    of_street = [descriptor for descriptor in descriptors if descriptor.usrn == usrn]
    for wanted in dict.fromkeys((language.upper(), domain.LANGUAGE_ENGLISH)):
        matches = [descriptor for descriptor in of_street if descriptor.language == wanted]
        if matches:
            return min(matches, key=lambda descriptor: descriptor.end_date is not None)
    return None


@dataclass(frozen=True, kw_only=True, slots=True)
class _Parts:
    """The elements of a geographic label in their fixed order (§6.4), cleaned."""

    organisation: str
    sao_text: str
    sao_range: str
    pao_text: str
    pao_range: str
    street: str
    locality: str
    town: str
    administrative_area: str
    postcode: str


def _parts(
    *,
    lpi: domain.Lpi,
    descriptor: domain.StreetDescriptor | None,
    organisation: str | None,
    postcode: str | None,
    administrative_area: bool,
) -> _Parts:
    street = descriptor or domain.StreetDescriptor(usrn=lpi.usrn, description="")
    area = street.administrative_area
    show_area = administrative_area and not text.same_name(area, street.town_name)
    return _Parts(
        organisation=text.clean(organisation),
        sao_text=text.clean(lpi.sao_text),
        sao_range=text.aon_range(
            lpi.sao_start_number, lpi.sao_start_suffix, lpi.sao_end_number, lpi.sao_end_suffix
        ),  # text.range_of(lpi.sao) without building the Aon
        pao_text=text.clean(lpi.pao_text),
        pao_range=text.aon_range(
            lpi.pao_start_number, lpi.pao_start_suffix, lpi.pao_end_number, lpi.pao_end_suffix
        ),
        street=text.clean(street.description),
        locality=text.clean(street.locality),
        town=text.clean(street.town_name),
        administrative_area=text.clean(area) if show_area else "",
        postcode=text.clean(postcode),
    )


def _lines(parts: _Parts) -> list[str]:
    if parts.pao_text:
        pao_line = text.join(" ", parts.sao_range, parts.pao_text)
        street_line = text.join(" ", parts.pao_range, parts.street)
    else:
        pao_line = ""
        numbers = text.join(", ", parts.sao_range, parts.pao_range)
        street_line = text.join(" ", numbers, parts.street)
    lines = [parts.organisation, parts.sao_text, pao_line, street_line, parts.locality]
    lines += [parts.town, parts.administrative_area, parts.postcode]
    return [line for line in lines if line]


def _os_sql(parts: _Parts) -> str:
    comma = ", "
    return text.os_sql(
        [
            (parts.organisation, comma),
            (parts.sao_text, comma),
            (parts.sao_range, text.range_separator(parts.sao_range)),
            (parts.pao_text, comma),
            (parts.pao_range, text.range_separator(parts.pao_range)),
            (parts.street, comma),
            (parts.locality, comma),
            (parts.town, comma),
            (parts.postcode, comma),
        ]
    )


def _joins_on_language(lpi: domain.Lpi, descriptor: domain.StreetDescriptor | None) -> bool:
    return descriptor is not None and (descriptor.usrn, descriptor.language) == (
        lpi.usrn,
        lpi.language,
    )


def geographic_lines(
    *,
    lpi: domain.Lpi,
    descriptor: domain.StreetDescriptor | None,
    organisation: str | None = None,
    postcode: str | None = None,
    administrative_area: bool = False,
) -> list[str]:
    """The LPI's address as lines, in the ABP-GSG order (§6.3).

    Organisation alone on top; SAO text alone; the SAO range joins the PAO text; the PAO range
    joins the street (with no PAO text: ``SAO range, PAO range STREET``); then locality, town,
    the administrative area when asked for and different from the town, and the postcode.
    """
    parts = _parts(
        lpi=lpi,
        descriptor=descriptor,
        organisation=organisation,
        postcode=postcode,
        administrative_area=administrative_area,
    )
    return _lines(parts)


def geographic_single_line(
    *,
    lpi: domain.Lpi,
    descriptor: domain.StreetDescriptor | None,
    organisation: str | None = None,
    postcode: str | None = None,
    administrative_area: bool = False,
    style: text.Style = "project",
) -> str:
    """The LPI's address on one line (§6.4); by default ``", ".join(geographic_lines(...))``.

    ``os_sql`` never prints the administrative area and, like OS's join on (USRN, LANGUAGE),
    leaves out a descriptor of another street or language.
    """
    os_sql = style == "os_sql"
    parts = _parts(
        lpi=lpi,
        descriptor=None if os_sql and not _joins_on_language(lpi, descriptor) else descriptor,
        organisation=organisation,
        postcode=postcode,
        administrative_area=administrative_area and not os_sql,
    )
    if os_sql:
        return _os_sql(parts)
    if style == "gsg_commas":
        return text.join(", ", *text.elements(parts))
    return ", ".join(_lines(parts))
