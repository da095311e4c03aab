"""The delivery point (PAF) address, in English or Welsh (§6.5, §6.6)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from gazetteer import domain
from gazetteer.formatting import text


@dataclass(frozen=True, kw_only=True, slots=True)
class _Parts:
    """The elements of a PAF label in the fixed single-line order (§6.5), cleaned."""

    first_name: str  # the department, or the organisation when it goes first
    second_name: str
    sub_building: str
    building_name: str
    building_number: str
    po_box: str
    dependent_thoroughfare: str
    thoroughfare: str
    double_dependent_locality: str
    dependent_locality: str
    post_town: str
    postcode: str


def _welsh_or(welsh: str | None, english: str | None, *, use_welsh: bool) -> str:
    """A field-by-field COALESCE of the Welsh value over the English one (§6.6)."""
    return text.clean(welsh) if use_welsh and text.clean(welsh) else text.clean(english)


def _present_number(value: int | str | None) -> str:
    """The number as text; ``None``, blank and zero are absent."""
    number = text.clean(str(value)) if value is not None else ""
    return "" if not number or (number.isdigit() and int(number) == 0) else number


def _parts(dpa: domain.DeliveryPoint, *, welsh: bool, department_first: bool) -> _Parts:
    names = (text.clean(dpa.department_name), text.clean(dpa.organisation_name))
    first, second = names if department_first else names[::-1]
    po_box = _present_number(dpa.po_box_number)
    return _Parts(
        first_name=first,
        second_name=second,
        sub_building=text.clean(dpa.sub_building_name),
        building_name=text.clean(dpa.building_name),
        building_number=_present_number(dpa.building_number),
        po_box=f"PO BOX {po_box}" if po_box else "",
        dependent_thoroughfare=_welsh_or(
            dpa.welsh_dependent_thoroughfare, dpa.dependent_thoroughfare, use_welsh=welsh
        ),
        thoroughfare=_welsh_or(dpa.welsh_thoroughfare, dpa.thoroughfare, use_welsh=welsh),
        double_dependent_locality=_welsh_or(
            dpa.welsh_double_dependent_locality, dpa.double_dependent_locality, use_welsh=welsh
        ),
        dependent_locality=_welsh_or(
            dpa.welsh_dependent_locality, dpa.dependent_locality, use_welsh=welsh
        ),
        post_town=_welsh_or(dpa.welsh_post_town, dpa.post_town, use_welsh=welsh),
        postcode=text.clean(dpa.postcode),
    )


def _premise(parts: _Parts) -> tuple[list[str], str]:
    """The premise lines, and the number N still to place before a thoroughfare or locality."""
    number, name, sub = parts.building_number, parts.building_name, parts.sub_building
    if not number and text.num_like(name):
        number, name = name, ""
    if name:
        if text.num_like(sub):
            return [f"{sub} {name}"], number
        return [line for line in (sub, name) if line], number
    if text.num_like(sub):
        return [], text.join(", ", sub, number)
    return [line for line in (sub,) if line], number


def _lines(parts: _Parts) -> list[str]:
    """N leads the first thoroughfare, else the first locality, else has its own line."""
    premise, number = _premise(parts)
    thoroughfares = [t for t in (parts.dependent_thoroughfare, parts.thoroughfare) if t]
    localities = [x for x in (parts.double_dependent_locality, parts.dependent_locality) if x]
    own_line = [number] if number else []
    if number and thoroughfares:
        thoroughfares[0], own_line = f"{number} {thoroughfares[0]}", []
    elif number and localities:
        localities[0], own_line = f"{number} {localities[0]}", []
    lines = [parts.first_name, parts.second_name, *premise, *own_line, parts.po_box]
    lines += [*thoroughfares, *localities, parts.post_town, parts.postcode]
    return [line for line in lines if line]


def _os_sql(parts: _Parts) -> str:
    """``", "`` after every element except the building number, which takes ``" "``."""
    names = [field.name for field in dataclasses.fields(parts)]
    separators = [" " if name == "building_number" else ", " for name in names]
    return text.os_sql(zip(text.elements(parts), separators, strict=True))


def postal_lines(
    dpa: domain.DeliveryPoint, *, welsh: bool = False, department_first: bool = True
) -> list[str]:
    """The delivery point address as lines, after the PAF rules (§6.5).

    ``welsh`` takes each of the five Welsh-capable fields (dependent thoroughfare, thoroughfare,
    double dependent locality, dependent locality, post town) from its Welsh value where there is
    one (§6.6). ``department_first`` keeps ABP-GSG's order, department then organisation.
    """
    return _lines(_parts(dpa, welsh=welsh, department_first=department_first))


def postal_single_line(
    dpa: domain.DeliveryPoint,
    *,
    welsh: bool = False,
    department_first: bool = True,
    style: text.Style = "project",
) -> str:
    """The delivery point address on one line; by default ``", ".join(postal_lines(...))``.

    ``os_sql`` follows every element with ``", "`` but the building number (``98A, FORE STREET``
    and ``78 RIVERSIDE ROAD``); ``gsg_commas`` puts ``", "`` between all of them.
    """
    parts = _parts(dpa, welsh=welsh, department_first=department_first)
    if style == "os_sql":
        return _os_sql(parts)
    if style == "gsg_commas":
        return text.join(", ", *text.elements(parts))
    return ", ".join(_lines(parts))
