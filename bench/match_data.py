"""A synthetic gazetteer and realistic citizen queries for the matching benchmark.

The gazetteer has towns that share street names (HIGH STREET in every town), near-twin street
names in one town (MILL LANE and HILL LANE), suffixes, ranges, flats above shops, named houses
and a postal (delivery point) label for some properties. A share of its addresses are held
back: queries for them must not be matched to a neighbour (10 for a missing 10A, flat 2 for a
missing flat 3).
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from typing import TypedDict

from gazetteer import domain, formatting, repository

TOWNS = (
    "NEWTOWN",
    "OLDBURY",
    "HILLFORD",
    "MARSHAM",
    "EASTLEIGH",
    "WESTBY",
    "KINGSBRIDGE",
    "ASHFORD",
)
AREAS = ("NT", "OB", "HF", "MS", "EL", "WB", "KB", "AF")
COMMON_STREETS = (
    "HIGH STREET",
    "CHURCH ROAD",
    "STATION ROAD",
    "MILL LANE",
    "PARK ROAD",
    "THE GREEN",
)
NAMES = (
    "ACACIA", "ALBION", "BEECH", "BIRCH", "BROOK", "CASTLE", "CEDAR", "CHAPEL", "CHERRY", "CLIFF",
    "ELM", "FERN", "GROVE", "HAWTHORN", "HAZEL", "HOLLY", "IVY", "JUBILEE", "KINGS", "LAUREL",
    "LIME", "MAPLE", "MARKET", "MEADOW", "MOOR", "NELSON", "OAK", "ORCHARD", "PRIORY", "QUEENS",
    "RECTORY", "RIVER", "ROSE", "SCHOOL", "SPRING", "SUNNY", "VICTORIA", "WILLOW", "WINDMILL",
    "YEW", "HILL", "MILL", "BELL", "WELL", "FORD", "LORD",
)  # fmt: skip
TYPES = (
    "ROAD",
    "STREET",
    "AVENUE",
    "CLOSE",
    "LANE",
    "DRIVE",
    "CRESCENT",
    "GARDENS",
    "WAY",
    "TERRACE",
)
HOUSE_NAMES = (
    "ROSE COTTAGE",
    "IVY HOUSE",
    "THE OLD FORGE",
    "MILL HOUSE",
    "ORCHARD COTTAGE",
    "THE BARN",
    "HOLLY LODGE",
)
COUNTIES = ("DEVON", "KENT", "ESSEX", "SURREY")
INWARD = "ABDEFGHJLNPQRSTUWXYZ"


class _Aon(TypedDict, total=False):
    """The PAO and SAO fields of one generated LPI."""

    pao_start_number: int
    pao_start_suffix: str
    pao_text: str
    sao_start_number: int
    sao_text: str


@dataclass(frozen=True, kw_only=True)
class Address:
    uprn: int
    lpi: domain.Lpi
    descriptor: domain.StreetDescriptor
    postcode: str
    held_back: bool = False
    organisation: str | None = None
    welsh_lpi: domain.Lpi | None = None

    @property
    def label(self) -> str:
        return formatting.geographic_single_line(
            lpi=self.lpi, descriptor=self.descriptor, postcode=self.postcode
        )


@dataclass(frozen=True, kw_only=True)
class Gazetteer:
    addresses: list[Address]
    descriptors: list[domain.StreetDescriptor]

    def records(self) -> list[repository.Record]:
        out: list[repository.Record] = list(self.descriptors)
        for address in self.addresses:
            if address.held_back:
                continue
            out.append(
                domain.Blpu(
                    uprn=address.uprn, logical_status="1", postcode_locator=address.postcode
                )
            )
            out.append(address.lpi)
            if address.welsh_lpi is not None:
                out.append(address.welsh_lpi)
            if address.organisation:
                key = f"1110O{address.uprn:09d}"
                out.append(
                    domain.Organisation(
                        uprn=address.uprn, org_key=key, organisation=address.organisation
                    )
                )
        return out


def gazetteer(
    rng: random.Random, *, streets_per_town: int = 30, held_back: float = 0.04
) -> Gazetteer:
    descriptors: list[domain.StreetDescriptor] = []
    addresses: list[Address] = []
    usrn = 1000
    for town, area in zip(TOWNS, AREAS, strict=True):
        district = rng.randint(1, 20)
        for name in _street_names(rng, streets_per_town):
            usrn += 1
            descriptor = domain.StreetDescriptor(usrn=usrn, description=name, town_name=town)
            descriptors.append(descriptor)
            addresses += _street(rng, descriptor, f"{area}{district}", len(addresses), held_back)
    return Gazetteer(addresses=addresses, descriptors=descriptors)


def _street_names(rng: random.Random, count: int) -> list[str]:
    names = set(COMMON_STREETS)
    while len(names) < count:
        names.add(f"{rng.choice(NAMES)} {rng.choice(TYPES)}")
    return sorted(names)


def _street(
    rng: random.Random,
    descriptor: domain.StreetDescriptor,
    outward: str,
    base: int,
    held_back: float,
) -> list[Address]:
    out: list[Address] = []
    unit = [f"{outward} {rng.randint(1, 9)}{''.join(rng.choices(INWARD, k=2))}"]
    for number in range(1, rng.randint(8, 60)):
        if rng.random() < 0.05:
            continue
        aons: list[_Aon] = [{"pao_start_number": number}]
        roll = rng.random()
        if roll < 0.06:
            aons.append({"pao_start_number": number, "pao_start_suffix": "A"})
        elif roll < 0.14:
            flats = rng.randint(2, 6)
            style = rng.choice(["text", "number"])
            for flat in range(1, flats + 1):
                sao: _Aon = (
                    {"sao_text": f"FLAT {flat}"} if style == "text" else {"sao_start_number": flat}
                )
                aons.append({"pao_start_number": number, **sao})
            if rng.random() < 0.5:
                aons = aons[1:]  # only the flats are addressable
        elif roll < 0.17:
            aons = [{"pao_start_number": number, "pao_text": rng.choice(HOUSE_NAMES)}]
        for aon in aons:
            if len(out) % 15 == 0 and out:
                unit.append(f"{outward} {rng.randint(1, 9)}{''.join(rng.choices(INWARD, k=2))}")
            uprn = 10_000_000 + base + len(out) + 1
            lpi = domain.Lpi(
                uprn=uprn, lpi_key=f"1110L{uprn:09d}", language="ENG", logical_status="1",
                usrn=descriptor.usrn, **aon,
            )  # fmt: skip
            out.append(
                Address(
                    uprn=uprn, lpi=lpi, descriptor=descriptor, postcode=unit[-1],
                    held_back=rng.random() < held_back,
                )
            )  # fmt: skip
    if rng.random() < 0.3:
        for name in rng.sample(HOUSE_NAMES, 2):
            uprn = 10_000_000 + base + len(out) + 1
            lpi = domain.Lpi(
                uprn=uprn, lpi_key=f"1110L{uprn:09d}", language="ENG", logical_status="1",
                usrn=descriptor.usrn, pao_text=name,
            )  # fmt: skip
            out.append(Address(uprn=uprn, lpi=lpi, descriptor=descriptor, postcode=unit[-1]))
    return out


# --- queries -------------------------------------------------------------------------------

ABBREVIATIONS = {
    "STREET": "ST", "ROAD": "RD", "AVENUE": "AVE", "CLOSE": "CL", "LANE": "LN",
    "DRIVE": "DR", "CRESCENT": "CRES", "GARDENS": "GDNS", "TERRACE": "TERR",
}  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class Query:
    text: str
    expected: int | None  # None: the address is not in the gazetteer
    kind: str


def queries(rng: random.Random, gaz: Gazetteer, count: int) -> list[Query]:
    present = [a for a in gaz.addresses if not a.held_back]
    absent = [a for a in gaz.addresses if a.held_back]
    out = []
    for _ in range(count):
        if absent and rng.random() < 0.08:
            address = rng.choice(absent)
            out.append(Query(text=typed(rng, address)[0], expected=None, kind="not in gazetteer"))
        elif rng.random() < 0.03:
            out.append(Query(text=_elsewhere(rng), expected=None, kind="elsewhere"))
        else:
            address = rng.choice(present)
            text, kind = typed(rng, address)
            out.append(Query(text=text, expected=address.uprn, kind=kind))
    return out


def typed(rng: random.Random, address: Address) -> tuple[str, str]:
    """How a person might type ``address``, and the main thing changed."""
    lpi, street, town, postcode = (
        address.lpi,
        address.descriptor.description,
        address.descriptor.town_name,
        address.postcode,
    )
    kinds: list[str] = []
    sao = _sao_text(rng, lpi, kinds)
    pao = " ".join(
        p for p in (lpi.pao_text, f"{lpi.pao_start_number or ''}{lpi.pao_start_suffix or ''}") if p
    )
    if rng.random() < 0.4:
        for full, short in ABBREVIATIONS.items():
            street = street.replace(full, short)
        kinds.append("abbreviation")
    if rng.random() < 0.12:
        street = _typo(rng, street)
        kinds.append("typo")
    drop = rng.random()
    if drop < 0.2:
        town = ""
        kinds.append("no town")
    elif drop < 0.3:
        postcode = ""
        kinds.append("no postcode")
    elif drop < 0.33:
        town = postcode = ""
        kinds.append("no town or postcode")
    if postcode and rng.random() < 0.25:
        postcode = postcode.replace(" ", "")
    county = rng.choice(COUNTIES) if rng.random() < 0.05 else ""
    parts = [sao, f"{pao} {street}".strip(), town, county, postcode]
    text = (
        ", ".join(p for p in parts if p) if rng.random() < 0.7 else " ".join(p for p in parts if p)
    )
    text = rng.choice([text, text.lower(), text.title()])
    return text, "+".join(kinds) or "clean"


def _sao_text(rng: random.Random, lpi: domain.Lpi, kinds: list[str]) -> str:
    number = lpi.sao_start_number or (int(lpi.sao_text.split()[-1]) if lpi.sao_text else None)
    if number is None:
        return ""
    roll = rng.random()
    if roll < 0.15:
        kinds.append("apartment")
        return f"Apartment {number}"
    if roll < 0.25:
        kinds.append("flat no comma")
        return f"Flat {number}"
    return f"FLAT {number}" if lpi.sao_text or rng.random() < 0.5 else str(number)


def _typo(rng: random.Random, street: str) -> str:
    words = street.split()
    i = max(range(len(words)), key=lambda k: len(words[k]))
    word = words[i]
    if len(word) < 4:
        return street
    at = rng.randint(1, len(word) - 2)
    choice = rng.random()
    if choice < 0.4:
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    elif choice < 0.7:
        word = word[:at] + word[at + 1 :]
    else:
        word = word[:at] + rng.choice(string.ascii_uppercase) + word[at + 1 :]
    words[i] = word
    return " ".join(words)


def _elsewhere(rng: random.Random) -> str:
    street = f"{rng.choice(NAMES)} {rng.choice(TYPES)}"
    return f"{rng.randint(1, 99)} {street}, FARTOWN, ZZ{rng.randint(1, 9)} 9ZZ"
