"""Five address lines plus a separate postcode: the govtalk UK postal shape (§6.7)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from gazetteer import domain
from gazetteer.formatting import text

FIVE_LINE_MAX: Final = 5


@dataclass(frozen=True, kw_only=True, slots=True)
class FiveLineAddress:
    """At most five address lines, with the postcode kept apart."""

    lines: tuple[str, ...]
    postcode: str | None = None

    def __post_init__(self) -> None:
        if len(self.lines) > FIVE_LINE_MAX:
            raise ValueError(f"a five-line address has at most {FIVE_LINE_MAX} lines")


def five_line(
    *,
    lpi: domain.Lpi,
    descriptor: domain.StreetDescriptor | None,
    postcode: str | None = None,
    post_town: str | None = None,
) -> FiveLineAddress:
    """The LPI as at most five lines plus its postcode; the organisation is not part of it.

    Lines: SAO text; SAO range and PAO text; PAO range and street; locality; town; then the
    post town, or the administrative area when there is one and the post town and postcode are
    not both known. The post town is ``post_town`` (the DPA's), else the LPI's own (DTF), else
    the town name. The town is dropped when it equals the post town shown on the last line.
    Locality and town share a line (``LOCALITY, TOWN``) only when there would otherwise be six.
    """
    street = descriptor or domain.StreetDescriptor(usrn=lpi.usrn, description="")
    code = text.clean(postcode)
    town = text.clean(street.town_name)
    postal_town = text.clean(post_town) or text.clean(lpi.post_town) or town
    area = text.clean(street.administrative_area)
    last = postal_town if not area or (postal_town and code) else area
    if last == postal_town and text.same_name(town, postal_town):
        town = ""
    head = [
        text.clean(lpi.sao_text),
        text.join(" ", text.range_of(lpi.sao), lpi.pao_text),
        text.join(" ", text.range_of(lpi.pao), street.description),
    ]
    middle = [text.clean(street.locality), town]
    if sum(1 for line in [*head, *middle, last] if line) > FIVE_LINE_MAX:
        middle = [text.join(", ", *middle)]
    lines = tuple(line for line in [*head, *middle, last] if line)
    return FiveLineAddress(lines=lines, postcode=code or None)
