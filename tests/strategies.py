"""Shared hypothesis strategies: one section per area of the project; add, never duplicate."""

from __future__ import annotations

import string
from typing import Any

from hypothesis import strategies as st

from gazetteer import domain

# === labels: address texts, PAO/SAO ranges, LPIs, descriptors, delivery points, postcodes ===
# Texts are upper-case letters in single-spaced words (as supplied, §0), with no digits, so a
# postcode or a range can only appear in a rendered line where the renderer put it.

LETTERS = string.ascii_uppercase
POSTCODE_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # §7: never C, I, K, M, O or V
POSTCODE_EXCLUDED_LETTERS = "CIKMOV"

address_words = st.text(alphabet=LETTERS, min_size=1, max_size=10)
address_texts = st.lists(address_words, min_size=1, max_size=4).map(" ".join)
optional_texts = st.none() | address_texts
aon_numbers = st.integers(min_value=1, max_value=9999)
aon_suffixes = st.text(alphabet=LETTERS, min_size=1, max_size=2)  # Welsh `DD`, `LL` (§6.6)
uprns = st.integers(min_value=1, max_value=domain.UPRN_MAX)
usrns = st.integers(min_value=1, max_value=domain.USRN_MAX)
udprns = st.integers(min_value=1, max_value=domain.UDPRN_MAX)
num_like_texts = st.builds(
    lambda start, sfx, end: f"{start}{sfx}" + (f"-{end}" if end else ""),
    aon_numbers,
    st.sampled_from(["", *LETTERS]),
    st.none() | aon_numbers,
)


@st.composite
def aon_ranges(draw: st.DrawFn) -> tuple[int | None, str | None, int | None, str | None]:
    """(start, start suffix, end, end suffix) following the dependency chain (§1.3)."""
    start = draw(st.none() | aon_numbers)
    if start is None:
        return None, None, None, None
    start_suffix = draw(st.none() | aon_suffixes)
    end = draw(st.none() | st.integers(min_value=start, max_value=9999))
    end_suffix = draw(st.none() | aon_suffixes) if end else None
    return start, start_suffix, end, end_suffix


@st.composite
def aons(draw: st.DrawFn, *, prefix: str, required: bool) -> dict[str, Any]:
    """LPI keyword arguments for a PAO (``prefix="pao"``) or SAO; a PAO needs a number or text."""
    start, start_suffix, end, end_suffix = draw(aon_ranges())
    text = draw(optional_texts)
    if required and start is None and text is None:
        text = draw(address_texts)
    return {
        f"{prefix}_start_number": start,
        f"{prefix}_start_suffix": start_suffix,
        f"{prefix}_end_number": end,
        f"{prefix}_end_suffix": end_suffix,
        f"{prefix}_text": text,
    }


@st.composite
def lpis(
    draw: st.DrawFn, *, language: str = domain.LANGUAGE_ENGLISH, status: str = "1"
) -> domain.Lpi:
    """An LPI valid by construction: a PAO with a number or text, an optional SAO."""
    return domain.Lpi(
        uprn=draw(uprns),
        lpi_key=f"1110L{draw(st.integers(min_value=1, max_value=999_999_999)):09d}",
        language=language,
        logical_status=status,
        usrn=draw(usrns),
        **draw(aons(prefix="sao", required=False)),
        **draw(aons(prefix="pao", required=True)),
    )


@st.composite
def street_descriptors(
    draw: st.DrawFn, *, usrn: int | None = None, language: str = domain.LANGUAGE_ENGLISH
) -> domain.StreetDescriptor:
    return domain.StreetDescriptor(
        usrn=draw(usrns) if usrn is None else usrn,
        description=draw(address_texts),
        language=language,
        locality=draw(optional_texts),
        town_name=draw(optional_texts),
        administrative_area=draw(optional_texts),
    )


@st.composite
def delivery_points(draw: st.DrawFn, *, welsh: bool = True) -> domain.DeliveryPoint:
    """A PAF delivery point; names are sometimes number-like; Welsh fields sometimes set."""
    premise_names = st.none() | address_texts | num_like_texts
    welsh_texts = optional_texts if welsh else st.none()
    return domain.DeliveryPoint(
        udprn=draw(udprns),
        uprn=draw(uprns),
        department_name=draw(optional_texts),
        organisation_name=draw(optional_texts),
        sub_building_name=draw(premise_names),
        building_name=draw(premise_names),
        building_number=draw(st.none() | st.just(0) | aon_numbers),
        po_box_number=draw(st.none() | st.integers(min_value=1, max_value=99999).map(str)),
        dependent_thoroughfare=draw(optional_texts),
        thoroughfare=draw(optional_texts),
        double_dependent_locality=draw(optional_texts),
        dependent_locality=draw(optional_texts),
        post_town=draw(optional_texts),
        postcode=draw(st.none() | postcodes()),
        welsh_dependent_thoroughfare=draw(welsh_texts),
        welsh_thoroughfare=draw(welsh_texts),
        welsh_double_dependent_locality=draw(welsh_texts),
        welsh_dependent_locality=draw(welsh_texts),
        welsh_post_town=draw(welsh_texts),
    )


def postcode_outwards() -> st.SearchStrategy[str]:
    """Outward codes of the §7 shapes: A9, A99, A9A, AA9, AA99, AA9A."""
    area = st.text(alphabet=LETTERS, min_size=1, max_size=2)
    tail = st.sampled_from(["", *string.digits, *LETTERS])
    return st.builds(lambda a, d, t: f"{a}{d}{t}", area, st.sampled_from(string.digits), tail)


def postcodes(inward_letters: str = POSTCODE_INWARD_LETTERS) -> st.SearchStrategy[str]:
    """Normalised postcodes (``EX1 1AE``); pass other inward letters to make invalid ones."""
    inward = st.builds(
        lambda digit, letters: f"{digit}{letters}",
        st.sampled_from(string.digits),
        st.text(alphabet=inward_letters, min_size=2, max_size=2),
    )
    return st.builds(lambda outward, code: f"{outward} {code}", postcode_outwards(), inward)


# === end of labels ===
