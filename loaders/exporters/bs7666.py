"""govtalk BS7666 v2.0 address XML (gazetteer-standards §5.9), streamed (pure).

Each UPRN becomes one ``BS7666Address`` in the namespace ``http://www.govtalk.gov.uk/people/bs7666``,
with the schema's element order: ``SAON``, ``PAON`` (each ``StartRange``/``EndRange`` with
``Number`` and ``Suffix``, then ``Description``), ``StreetDescription``,
``UniqueStreetReferenceNumber``, ``Locality``, ``Town``, ``AdministrativeArea``, ``PostTown``,
``PostCode``, ``UniquePropertyReferenceNumber``. The addresses sit inside an ``Addresses``
element of this project's own namespace, since the schema defines no list.

What the schema cannot express is left out and counted as a warning (``TXT-GOVTALK-AON``): a
two-letter (Welsh) suffix, a number outside 1-9999, text longer than its element allows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Final, TextIO
from xml.sax.saxutils import escape, quoteattr

from gazetteer import domain, formatting, service
from gazetteer.repository import AddressFacts

NAMESPACE: Final = "http://www.govtalk.gov.uk/people/bs7666"
LIST_NAMESPACE: Final = "urn:addresshub:export:bs7666-list:1"
_SUFFIX: Final = re.compile(r"^[A-Z]$")
_LIMITS: Final = {
    "Description": 90,
    "StreetDescription": 100,
    "Locality": 35,
    "Town": 30,
    "AdministrativeArea": 30,
    "PostTown": 30,
}


@dataclass(kw_only=True)
class XmlResult:
    addresses: int = 0
    warnings: int = 0
    messages: list[str] = field(default_factory=list)


def write(
    facts: Iterable[AddressFacts], stream: TextIO, *, attribution: str | None = None
) -> XmlResult:
    """The whole document; returns how many addresses and warnings it holds."""
    result = XmlResult()
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    if attribution:
        stream.write(f"<!-- {escape(attribution).replace('--', '- -')} -->\n")
    stream.write(f'<Addresses xmlns={quoteattr(LIST_NAMESPACE)} xmlns:bs7666="{NAMESPACE}">\n')
    for item in facts:
        lines, problems = address_element(item)
        if lines:
            stream.write("".join(f"  {line}\n" for line in lines))
            result.addresses += 1
        result.warnings += len(problems)
        result.messages.extend(problems[: max(0, 100 - len(result.messages))])
    stream.write("</Addresses>\n")
    return result


def address_element(facts: AddressFacts) -> tuple[list[str], list[str]]:
    """The lines of one ``bs7666:BS7666Address`` and the warnings raised writing it."""
    lpi = service.choose_lpi(facts.lpis, domain.LANGUAGE_ENGLISH)
    if lpi is None:
        return [], [f"UPRN {facts.blpu.uprn}: no LPI, so no BS7666 address"]
    descriptor = formatting.choose_descriptor(
        facts.descriptors, usrn=lpi.usrn, language=lpi.language
    )
    problems: list[str] = []
    body = [
        *_aon("SAON", lpi.sao, problems, facts.blpu.uprn),
        *_aon("PAON", lpi.pao, problems, facts.blpu.uprn, required=True),
        *_text("StreetDescription", descriptor.description if descriptor else None, problems),
        *_element("UniqueStreetReferenceNumber", str(lpi.usrn)),
        *_text("Locality", descriptor.locality if descriptor else None, problems),
        *_text("Town", descriptor.town_name if descriptor else None, problems),
        *_text(
            "AdministrativeArea", descriptor.administrative_area if descriptor else None, problems
        ),
        *_text("PostTown", _post_town(lpi, facts), problems),
        *_element("PostCode", lpi.postcode or facts.blpu.postcode_locator),
        *_element("UniquePropertyReferenceNumber", str(facts.blpu.uprn)),
    ]
    return ["<bs7666:BS7666Address>", *body, "</bs7666:BS7666Address>"], problems


def _post_town(lpi: domain.Lpi, facts: AddressFacts) -> str | None:
    if lpi.post_town:
        return lpi.post_town
    open_points = (d for d in facts.delivery_points if d.end_date is None and d.post_town)
    return next((d.post_town for d in open_points), None)


def _element(name: str, value: str | None) -> Iterator[str]:
    if value:
        yield f"<bs7666:{name}>{escape(value)}</bs7666:{name}>"


def _text(name: str, value: str | None, problems: list[str]) -> Iterator[str]:
    if value and len(value) > _LIMITS[name]:
        problems.append(f"TXT-GOVTALK-AON: {name} {value!r} is over {_LIMITS[name]} characters")
        value = value[: _LIMITS[name]].rstrip()
    yield from _element(name, value)


def _aon(
    name: str, aon: domain.Aon, problems: list[str], uprn: int, *, required: bool = False
) -> Iterator[str]:
    if aon.is_empty and not required:
        return
    parts = [
        *_range("StartRange", aon.start_number, aon.start_suffix, problems, uprn),
        *_range("EndRange", aon.end_number, aon.end_suffix, problems, uprn),
        *_text("Description", aon.text, problems),
    ]
    yield f"<bs7666:{name}>{''.join(parts)}</bs7666:{name}>"


def _range(
    name: str, number: int | None, suffix: str | None, problems: list[str], uprn: int
) -> Iterator[str]:
    if not number:
        return
    if not 1 <= number <= 9999:
        problems.append(f"TXT-GOVTALK-AON: UPRN {uprn} number {number} is outside 1-9999")
        return
    parts = [f"<bs7666:Number>{number}</bs7666:Number>"]
    if suffix and _SUFFIX.match(suffix):
        parts.append(f"<bs7666:Suffix>{escape(suffix)}</bs7666:Suffix>")
    elif suffix:
        problems.append(f"TXT-GOVTALK-AON: UPRN {uprn} suffix {suffix!r} is not one letter A-Z")
    yield f"<bs7666:{name}>{''.join(parts)}</bs7666:{name}>"
