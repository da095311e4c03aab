"""Council address-list queries for the matching benchmark: the ``council`` query family.

Council lists (council tax, electoral register, CRM extracts, housing lists) differ from what a
citizen types: upper case, administrative lines (district, county) and stray localities, old,
missing or misplaced postcodes, flats, house names and number ranges written every way,
organisations and ``C/O`` lines. :func:`extend` adds to the synthetic gazetteer the premises
such lists are full of (floor flats, lettered flats, flat 2A, units with organisations, rooms,
named houses on a like-named street, a range, a saint's street, a bilingual street with Welsh
LPIs); :func:`queries` types addresses as such lists write them. Both use their own random
stream, so the ``citizen`` family's gazetteer and queries stay as they were.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from bench.match_council_typed import WELSH_TOWNS, typed
from bench.match_data import Address, Gazetteer, Query
from gazetteer import domain

EXTRA_USRN = 90_000
EXTRA_UPRN = 50_000_000
ORGANISATIONS = (
    "ACME LTD", "SMITH & SONS LTD", "BRIGHT SPARKS ELECTRICAL LTD", "NEWTOWN MOTORS",
    "J BLOGGS AND CO", "THE PRINT SHOP", "GREEN LEAF CAFE", "CASTLE PLUMBING LTD",
)  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class _Premises:
    pao: dict[str, int | str]
    sao: dict[str, int | str]
    organisation: str | None = None


SEED_OFFSET = 1_000_003


def family(seed: int, gaz: Gazetteer, count: int) -> tuple[Gazetteer, list[Query]]:
    """The gazetteer with the council premises and ``count`` council queries, from a random
    stream of their own (``seed`` + :data:`SEED_OFFSET`)."""
    rng = random.Random(seed + SEED_OFFSET)
    extended = extend(rng, gaz)
    return extended, queries(rng, extended, count)


def extend(rng: random.Random, gaz: Gazetteer, *, held_back: float = 0.04) -> Gazetteer:
    """``gaz`` with every town's council-list premises added (four or five streets a town)."""
    towns: dict[str, str] = {}
    for address in gaz.addresses:
        towns.setdefault(address.descriptor.town_name or "", address.postcode.split()[0])
    descriptors, addresses = list(gaz.descriptors), list(gaz.addresses)
    for t, (town, outward) in enumerate(towns.items()):
        usrn, uprn = EXTRA_USRN + 10 * t, EXTRA_UPRN + 1000 * t
        for s, (name, premises, welsh) in enumerate(_town_streets(rng, town)):
            english = domain.StreetDescriptor(usrn=usrn + s, description=name, town_name=town)
            descriptors.append(english)
            if welsh:
                descriptors.append(
                    domain.StreetDescriptor(
                        usrn=usrn + s, description=welsh, language="CYM",
                        town_name=WELSH_TOWNS[town],
                    )
                )  # fmt: skip
            for p, place in enumerate(premises):
                number = uprn + 100 * s + p + 1
                postcode = f"{outward} {(5 + s) % 10}{'ABDEFGHJ'[p // 12]}{'LNPQRSTUWXYZ'[s]}"
                addresses.append(
                    _address(rng, number, english, place, postcode, bool(welsh), held_back)
                )
    return Gazetteer(addresses=addresses, descriptors=descriptors)


def _address(
    rng: random.Random,
    uprn: int,
    descriptor: domain.StreetDescriptor,
    place: _Premises,
    postcode: str,
    welsh: bool,
    held_back: float,
) -> Address:
    fields = {**place.pao, **place.sao}
    lpi = domain.Lpi(
        uprn=uprn, lpi_key=f"1110L{uprn:09d}", language="ENG", logical_status="1",
        usrn=descriptor.usrn, **fields,  # type: ignore[arg-type]
    )  # fmt: skip
    cym = replace(lpi, lpi_key=f"1110C{uprn:09d}", language="CYM") if welsh else None
    return Address(
        uprn=uprn, lpi=lpi, descriptor=descriptor, postcode=postcode,
        held_back=rng.random() < held_back, organisation=place.organisation, welsh_lpi=cym,
    )  # fmt: skip


def _town_streets(rng: random.Random, town: str) -> list[tuple[str, list[_Premises], str | None]]:
    streets: list[tuple[str, list[_Premises], str | None]] = [
        ("ST. MARY'S ROAD", _converted_houses(rng, 24), None),
        ("MANOR CLOSE", _named_houses(rng), None),
        ("BRUNEL WAY", _business_park(rng), None),
        ("CROWN AND ANCHOR LANE", _plain(rng, 10), None),
        ("MOOR LANE", _farms(rng), None),
    ]
    if town in WELSH_TOWNS:
        streets.append(("MARKET SQUARE", _plain(rng, 14), "SGWAR Y FARCHNAD"))
    return streets


def _plain(rng: random.Random, count: int) -> list[_Premises]:
    return [_Premises(pao={"pao_start_number": n}, sao={}) for n in range(1, count + 1)]


def _converted_houses(rng: random.Random, count: int) -> list[_Premises]:
    out: list[_Premises] = []
    for n in range(1, count + 1):
        if n in {13, 14}:
            continue  # 12-14 is one property
        pao: dict[str, int | str] = {"pao_start_number": n}
        if n == 12:
            out.append(_Premises(pao={**pao, "pao_end_number": 14}, sao={}))
            continue
        style = rng.choice(
            ["plain", "plain", "suffix", "numbered", "lettered", "floors", "2a", "annexe"]
        )
        out += [_Premises(pao=pao, sao=sao) for sao in _flats(rng, style)]
        if style == "suffix":
            out.append(_Premises(pao={**pao, "pao_start_suffix": "A"}, sao={}))
    return out


def _flats(rng: random.Random, style: str) -> list[dict[str, int | str]]:
    if style == "numbered":
        flats = range(1, rng.randint(2, 5) + 1)
        if rng.random() < 0.5:
            return [{"sao_start_number": f} for f in flats]
        return [{"sao_text": f"FLAT {f}"} for f in flats]
    if style == "lettered":
        return [{"sao_text": f"FLAT {letter}"} for letter in "ABC"[: rng.randint(2, 3)]]
    if style == "floors":
        top = rng.choice(["SECOND FLOOR FLAT", "TOP FLOOR FLAT"])
        floors = ["GROUND FLOOR FLAT", "FIRST FLOOR FLAT", top]
        if rng.random() < 0.5:
            floors.insert(0, "BASEMENT FLAT")
        return [{"sao_text": f} for f in floors]
    if style == "annexe":  # the house and its annexe (SAO text, gazetteer-standards §6.4)
        return [{}, {"sao_text": "THE ANNEXE"}]
    if style == "2a":
        return [
            {"sao_start_number": 1},
            {"sao_start_number": 2},
            {"sao_start_number": 2, "sao_start_suffix": "A"},
        ]
    return [{}]


def _named_houses(rng: random.Random) -> list[_Premises]:
    out = [
        _Premises(pao={"pao_text": "MANOR HOUSE"}, sao={}),
        _Premises(pao={"pao_text": "THE OLD RECTORY"}, sao={}),
    ]
    cottage = rng.choice(["ROSE COTTAGE", "LILAC COTTAGE", "THE LAURELS"])
    for n in range(1, 13):
        pao: dict[str, int | str] = {"pao_start_number": n}
        if n == 12:
            pao["pao_text"] = cottage
        out.append(_Premises(pao=pao, sao={}))
    block: dict[str, int | str] = {"pao_text": "KINGSLEY COURT"}  # flats, no street number
    out += [_Premises(pao=block, sao={"sao_start_number": f}) for f in range(1, 7)]
    return out


FARMS = ("HILL FARM", "LOWER HILL FARM", "MOOR FARM", "MOOR FARM COTTAGE", "THE OLD DAIRY")


def _farms(rng: random.Random) -> list[_Premises]:
    """A rural lane: farms and farm buildings known by name alone (near twins among them:
    ``HILL FARM`` and ``LOWER HILL FARM``), and a few numbered cottages."""
    named = [_Premises(pao={"pao_text": name}, sao={}) for name in FARMS]
    barn = rng.choice(["WILLOW BARN", "THE GRANARY", "ORCHARD BARN"])
    return [*named, _Premises(pao={"pao_text": barn}, sao={}), *_plain(rng, 4)]


def _business_park(rng: random.Random) -> list[_Premises]:
    names = rng.sample(ORGANISATIONS, len(ORGANISATIONS))
    units = [
        _Premises(pao={"pao_start_number": 1}, sao={"sao_text": f"UNIT {u}"}, organisation=name)
        for u, name in zip(range(1, 7), names, strict=False)
    ]
    rooms = [
        _Premises(pao={"pao_start_number": 3, "pao_text": "BRUNEL HOUSE"},
                  sao={"sao_text": f"ROOM {r}"})
        for r in range(1, 7)
    ]  # fmt: skip
    shops = [
        _Premises(pao={"pao_start_number": n}, sao={}, organisation=names[n % len(names)])
        for n in (5, 7)
    ]
    return units + rooms + shops


# --- queries -------------------------------------------------------------------------------


def queries(rng: random.Random, gaz: Gazetteer, count: int) -> list[Query]:
    """``count`` council-list lines: half for the added premises, some not in the gazetteer."""
    extra = [a for a in gaz.addresses if a.uprn >= EXTRA_UPRN and not a.held_back]
    base = [a for a in gaz.addresses if a.uprn < EXTRA_UPRN and not a.held_back]
    absent = [a for a in gaz.addresses if a.held_back]
    keys = {_key(a.lpi) for a in gaz.addresses if not a.held_back}
    named = {
        (a.lpi.usrn, a.lpi.pao_text)
        for a in gaz.addresses
        if a.lpi.pao_text and a.lpi.pao_start_number is None
    }
    out = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.08 and absent:
            text, kind = typed(rng, rng.choice(absent))
            out.append(Query(text=text, expected=None, kind="council not in gazetteer"))
        elif roll < 0.14:
            out.append(_no_such_flat(rng, extra + base, keys))
        else:
            address = rng.choice(extra if rng.random() < 0.6 else base)
            text, kind = typed(rng, address)
            while kind == "name without number" and _unnumbered_twin(address, named):
                text, kind = typed(rng, address)  # its text would be the twin's own label
            out.append(Query(text=text, expected=address.uprn, kind=f"council {kind}"))
    return out


def _unnumbered_twin(address: Address, named: set[tuple[int, str]]) -> bool:
    """A house of the same name without a number on the same street (``THE BARN``)."""
    return (address.lpi.usrn, address.lpi.pao_text or "") in named


def _key(lpi: domain.Lpi) -> tuple[object, ...]:
    """A sub-premises by its number or letter whatever its kind: a query for a FLAT 3 that
    does not exist beside a ROOM 3 that does reads the same once the kind word is dropped."""
    if lpi.sao_start_number:
        sao: str | None = f"{lpi.sao_start_number}{lpi.sao_start_suffix or ''}"
    else:
        sao = lpi.sao_text.split()[-1] if lpi.sao_text else None
    return (lpi.usrn, lpi.pao_start_number, lpi.pao_start_suffix, lpi.pao_text, sao)


def _no_such_flat(
    rng: random.Random, addresses: list[Address], keys: set[tuple[object, ...]]
) -> Query:
    """A flat the gazetteer does not hold, in a building (or a house) it does."""
    while True:
        address = rng.choice(addresses)
        flat = rng.choice(["1", "2", "3", "4", "6", "9", "A", "B", "D", "2A"])
        fake = replace(address.lpi, sao_text=f"FLAT {flat}", sao_start_number=None,
                       sao_start_suffix=None)  # fmt: skip
        held = _key(fake) in keys
        if address.lpi.pao_start_number is None or held:
            continue
        text, _ = typed(rng, replace(address, lpi=fake), plain_flat=True)
        has_flats = address.lpi.sao_start_number or address.lpi.sao_text
        kind = "council no such flat" if has_flats else "council flat in a house"
        return Query(text=text, expected=None, kind=kind)
