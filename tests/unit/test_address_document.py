"""Building an address document from stored facts: the choices made without a database."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gazetteer import classification, documents, domain, formatting, repository, service
from tests import strategies


def _facts(**overrides: Any) -> repository.AddressFacts:
    fields: dict[str, Any] = {
        "blpu": domain.Blpu(uprn=7, logical_status="8", end_date=dt.date(2020, 1, 1)),
        "lpis": (),
        "descriptors": (domain.StreetDescriptor(usrn=5, description="HIGH STREET"),),
        "organisation": None,
        "classification_code": None,
        "cross_references": (),
        "delivery_points": (),
        "children": (),
    }
    return repository.AddressFacts(**(fields | overrides))


def _lpi(key: str, status: str, language: str = "ENG", **extra: Any) -> domain.Lpi:
    return domain.Lpi(
        uprn=7, lpi_key=key, language=language, logical_status=status, usrn=5, **extra
    )


def test_without_lpis_there_is_no_label_and_no_street() -> None:
    document = service.build_document(_facts(), administrative_area=False, language="ENG")
    assert (document.labels.single_line, document.labels.lines, document.street) == ("", (), None)
    assert (document.status.code, document.status.name) == ("8", "historical")


def test_a_retired_address_takes_its_open_then_lowest_status_lpi() -> None:
    lpis = (
        _lpi("1110L000000003", "8", pao_text="OLD NAME", end_date=dt.date(2020, 1, 1)),
        _lpi("1110L000000002", "6", pao_text="PROVISIONAL NAME"),
        _lpi("1110L000000001", "8", language="CYM", pao_text="ENW"),
    )
    document = service.build_document(_facts(lpis=lpis), administrative_area=False, language="ENG")
    assert document.labels.single_line == "PROVISIONAL NAME, HIGH STREET"
    assert service.choose_lpi(lpis, "CYM") == lpis[2]


def test_an_ended_delivery_point_is_not_a_postal_address() -> None:
    ended = domain.DeliveryPoint(
        udprn=1, uprn=7, building_number=3, thoroughfare="HIGH STREET", post_town="NEWTOWN",
        postcode="NT1 1AA", end_date=dt.date(2021, 1, 1),
    )  # fmt: skip
    document = service.build_document(
        _facts(delivery_points=(ended,)), administrative_area=False, language="ENG"
    )
    assert document.delivery_point is None
    assert (document.labels.postal_single_line, document.postcode) == (None, None)


def test_the_postcode_comes_from_the_lpi_then_the_blpu_then_the_paf_record() -> None:
    dpa = domain.DeliveryPoint(udprn=1, uprn=7, building_number=3, postcode="NT9 9ZZ")
    lpi = _lpi("1110L000000001", "1", pao_start_number=3)
    blpu = domain.Blpu(uprn=7, logical_status="1", postcode_locator="NT2 2BB")

    def postcode(**overrides: object) -> str | None:
        facts = _facts(delivery_points=(dpa,), **overrides)
        return service.build_document(facts, administrative_area=False, language="ENG").postcode

    assert postcode() == "NT9 9ZZ"
    assert postcode(blpu=blpu) == "NT2 2BB"
    dtf_lpi = _lpi("1110L000000001", "1", pao_start_number=3, postcode="NT3 3CC")
    assert postcode(blpu=blpu, lpis=(dtf_lpi,)) == "NT3 3CC"
    assert postcode(blpu=blpu, lpis=(lpi,)) == "NT2 2BB"


def test_a_dtf_class_without_an_abp_record_is_described() -> None:
    blpu = domain.Blpu(uprn=7, logical_status="1", blpu_class="RD04")
    document = service.build_document(_facts(blpu=blpu), administrative_area=False, language="ENG")
    assert document.classification is not None
    assert (document.classification.code, document.classification.description) == (
        "RD04",
        "Terraced",
    )


@st.composite
def _many_lpis_facts(draw: st.DrawFn) -> repository.AddressFacts:
    """Facts with LPIs on two streets in two languages and descriptors for some of them."""
    usrns = draw(st.lists(strategies.usrns, min_size=1, max_size=2, unique=True))
    languages = st.sampled_from(["ENG", "CYM"])
    keys = draw(st.lists(st.integers(1, 999), min_size=1, max_size=4, unique=True))
    lpis = tuple(
        dataclasses.replace(
            draw(strategies.lpis(language=draw(languages), status=draw(st.sampled_from("168")))),
            uprn=7,
            lpi_key=f"1110L{key:09d}",
            usrn=draw(st.sampled_from(usrns)),
        )
        for key in keys
    )
    descriptors = tuple(
        draw(strategies.street_descriptors(usrn=usrn, language=language))
        for usrn in usrns
        for language in ("ENG", "CYM")
        if draw(st.booleans())
    )
    return _facts(
        blpu=domain.Blpu(uprn=7, logical_status=draw(st.sampled_from("168")), blpu_state="2"),
        lpis=lpis,
        descriptors=descriptors,
        organisation=draw(strategies.optional_texts),
        classification_code=draw(st.sampled_from([None, "RD04", "CR07", "ZZ99"])),
    )


@settings(max_examples=150)
@given(_many_lpis_facts(), st.sampled_from(["ENG", "CYM"]), st.booleans())
def test_each_lpi_is_labelled_with_its_own_street_and_the_chosen_one_names_it(
    facts: repository.AddressFacts, language: str, area: bool
) -> None:
    document = service.build_document(facts, administrative_area=area, language=language)

    def descriptor(lpi: domain.Lpi) -> domain.StreetDescriptor | None:
        return formatting.choose_descriptor(facts.descriptors, usrn=lpi.usrn, language=lpi.language)

    def line(lpi: domain.Lpi) -> str:
        return formatting.geographic_single_line(
            lpi=lpi,
            descriptor=descriptor(lpi),
            organisation=facts.organisation,
            postcode=lpi.postcode or facts.blpu.postcode_locator,
            administrative_area=area,
        )

    assert [s.single_line for s in document.lpis] == [line(lpi) for lpi in facts.lpis]
    chosen = service.choose_lpi(facts.lpis, language)
    assert chosen is not None and document.labels.single_line == line(chosen)
    street = descriptor(chosen)
    assert document.street is not None and document.street.usrn == chosen.usrn
    assert document.street.description == (street.description if street else None)
    assert document.street.language == (street.language if street else None)
    assert document.status == documents.Code(
        code=facts.blpu.logical_status, name=domain.STATUS_NAMES.get(facts.blpu.logical_status)
    )
    code = facts.classification_code
    assert document.classification == (
        documents.Classification(code=code, description=classification.description(code))
        if code
        else None
    )
