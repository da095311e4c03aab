"""Building an address document from stored facts: the choices made without a database."""

from __future__ import annotations

import datetime as dt
from typing import Any

from gazetteer import domain, repository, service


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
