"""Hypothesis strategies for the address parser and matcher: labelled addresses and streets."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

NAME_WORDS = (
    "ACACIA", "BEECH", "BROOK", "CEDAR", "CHURCH", "ELM", "HOLLY", "IVY", "KINGS", "MAPLE",
    "MARKET", "MILL", "OAK", "QUEENS", "ROSE", "STATION", "VICTORIA", "WILLOW", "ALBION", "CASTLE",
)  # fmt: skip
STREET_TYPES = {
    "ROAD": "RD", "STREET": "ST", "AVENUE": "AVE", "CLOSE": "CL", "LANE": "LN",
    "DRIVE": "DR", "CRESCENT": "CRES", "TERRACE": "TERR",
}  # fmt: skip
BUILDING_WORDS = ("HOUSE", "COURT", "COTTAGE", "LODGE")
TOWNS = ("NEWTOWN", "OLDBURY", "HILLFORD", "MARSHAM", "EASTLEIGH", "WESTBY")
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass(frozen=True, kw_only=True)
class LabelledAddress:
    """A label as the §6.3 formatter writes it, with what a parser should read from it."""

    label: str
    sao_range: str
    pao_range: str
    street: str
    postcode: str


postcodes = st.builds(
    lambda area, district, digit, inward: f"{area}{district} {digit}{inward}",
    st.sampled_from(["NT", "EX", "B", "SW", "M", "LS", "CF"]),
    st.integers(min_value=1, max_value=29),
    st.integers(min_value=0, max_value=9),
    st.text(alphabet=INWARD_LETTERS, min_size=2, max_size=2),
)
numbers = st.integers(min_value=1, max_value=999)
suffixes = st.none() | st.sampled_from("ABCD")


@st.composite
def ranges(draw: st.DrawFn) -> str:
    start = draw(numbers)
    text = f"{start}{draw(suffixes) or ''}"
    if draw(st.booleans()) and draw(st.booleans()):
        text += f"-{draw(st.integers(min_value=start + 1, max_value=start + 20))}"
    return text


@st.composite
def labelled_addresses(draw: st.DrawFn) -> LabelledAddress:
    street_type = draw(st.sampled_from(sorted(STREET_TYPES)))
    street = f"{draw(st.sampled_from(NAME_WORDS))} {street_type}"
    building = draw(st.none() | st.sampled_from(NAME_WORDS).map(lambda w: w + " "))
    if building:
        building += draw(st.sampled_from(BUILDING_WORDS))
    pao = draw(ranges()) if not building or draw(st.booleans()) else ""
    flat_word = draw(st.booleans())
    sao = draw(st.none() | ranges()) if not flat_word else draw(st.none() | numbers.map(str))
    sao = sao or ""
    lines = _lines(sao=sao, flat_word=flat_word, building=building, pao=pao, street=street)
    postcode = draw(postcodes)
    label = ", ".join([*lines, draw(st.sampled_from(TOWNS)), postcode])
    label = _as_typed(draw, label, street_type)
    return LabelledAddress(
        label=label, sao_range=sao, pao_range=pao, street=street, postcode=postcode
    )


def _lines(*, sao: str, flat_word: bool, building: str | None, pao: str, street: str) -> list[str]:
    lines = []
    if sao and flat_word:
        lines.append(f"FLAT {sao}")
        sao_range = ""
    else:
        sao_range = sao
    if building:
        lines.append(f"{sao_range} {building}".strip())
        lines.append(f"{pao} {street}".strip())
    elif sao_range:
        lines.append(f"{sao_range}, {pao} {street}")
    else:
        lines.append(f"{pao} {street}")
    return lines


def _as_typed(draw: st.DrawFn, label: str, street_type: str) -> str:
    """What a person might type for the same label: case, abbreviation, postcode spacing."""
    if draw(st.booleans()):
        label = label.replace(f" {street_type},", f" {STREET_TYPES[street_type]},")
    if draw(st.booleans()):
        outward, inward = label.rsplit(" ", 2)[-2:]
        label = label[: -len(outward) - len(inward) - 1] + outward + inward
    return draw(st.sampled_from([label, label.lower(), label.title()]))


ADMIN_LINES = ("DEVON", "EAST DEVON", "MID DEVON", "SOUTH HAMS", "NORTH KENT", "GREATER LONDON")
CARE_OF_LINES = ("C/O MRS J SMITH", "c/o Housing Officer", "FAO MR A PATEL", "C\\O MS K JONES")
SEPARATORS = (", ", ",", " ,", ",\t", ",  ", " , ")


@dataclass(frozen=True, kw_only=True)
class CouncilLine:
    """One address as a clean label and as a council list holds it (same property)."""

    clean: str
    noisy: str


@st.composite
def council_lines(draw: st.DrawFn) -> CouncilLine:
    """A labelled address with council-list noise: upper case, a ``C/O`` line, district and
    county lines after the town, the postcode unspaced, lower case or first, odd separators,
    stray spaces and trailing punctuation."""
    address = draw(labelled_addresses())
    parts = address.label.split(", ")
    *body, town, postcode = parts
    admin = draw(st.lists(st.sampled_from(ADMIN_LINES), max_size=2))
    if draw(st.booleans()):
        postcode = postcode.replace(" ", "").lower()
    noisy = [*body, town, *admin]
    noisy = [postcode, *noisy] if draw(st.booleans()) else [*noisy, postcode]
    if draw(st.booleans()):
        noisy.insert(0, draw(st.sampled_from(CARE_OF_LINES)))
    text = draw(st.sampled_from(SEPARATORS)).join(noisy)
    text = draw(st.sampled_from(["", " ", "\t", ","])) + text
    text += draw(st.sampled_from(["", ".", ",", " ,", "  "]))
    return CouncilLine(clean=address.label, noisy=text.upper())
