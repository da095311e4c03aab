"""The flat, AddressBase-Plus-like view: one row per UPRN with labels (pure).

Columns (``COLUMNS``, in order):

- ``UPRN``, ``PARENT_UPRN``; ``LOGICAL_STATUS`` (code) and ``STATUS`` (its name); ``BLPU_STATE``
- ``CLASSIFICATION_CODE`` and ``CLASSIFICATION`` (the scheme's description)
- ``X_COORDINATE``, ``Y_COORDINATE`` (EPSG:27700 metres); ``LATITUDE``, ``LONGITUDE`` (WGS84)
- ``RPC``, ``LOCAL_CUSTODIAN_CODE``, ``COUNTRY``
- the chosen LPI (approved, English): ``LPI_KEY``, ``LANGUAGE``, ``ORGANISATION``, the SAO and
  PAO numbers, suffixes and text, ``USRN``
- its street: ``STREET_DESCRIPTION``, ``LOCALITY``, ``TOWN_NAME``, ``ADMINISTRATIVE_AREA``
- ``POST_TOWN``, ``POSTCODE``, ``UDPRN`` (the open delivery point, if any)
- ``SINGLE_LINE_ADDRESS`` (geographic, §6.4) and ``POSTAL_SINGLE_LINE_ADDRESS`` (PAF, §6.5)
- ``LAST_UPDATE_DATE`` (the later of the BLPU's and the LPI's)
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from gazetteer import documents, domain, service
from gazetteer.repository import AddressFacts
from loaders.sources import grid

COLUMNS: Final = (
    "UPRN",
    "PARENT_UPRN",
    "LOGICAL_STATUS",
    "STATUS",
    "BLPU_STATE",
    "CLASSIFICATION_CODE",
    "CLASSIFICATION",
    "X_COORDINATE",
    "Y_COORDINATE",
    "LATITUDE",
    "LONGITUDE",
    "RPC",
    "LOCAL_CUSTODIAN_CODE",
    "COUNTRY",
    "LPI_KEY",
    "LANGUAGE",
    "ORGANISATION",
    "SAO_START_NUMBER",
    "SAO_START_SUFFIX",
    "SAO_END_NUMBER",
    "SAO_END_SUFFIX",
    "SAO_TEXT",
    "PAO_START_NUMBER",
    "PAO_START_SUFFIX",
    "PAO_END_NUMBER",
    "PAO_END_SUFFIX",
    "PAO_TEXT",
    "USRN",
    "STREET_DESCRIPTION",
    "LOCALITY",
    "TOWN_NAME",
    "ADMINISTRATIVE_AREA",
    "POST_TOWN",
    "POSTCODE",
    "UDPRN",
    "SINGLE_LINE_ADDRESS",
    "POSTAL_SINGLE_LINE_ADDRESS",
    "LAST_UPDATE_DATE",
)
_AON_FIELDS: Final = (
    "sao_start_number",
    "sao_start_suffix",
    "sao_end_number",
    "sao_end_suffix",
    "sao_text",
    "pao_start_number",
    "pao_start_suffix",
    "pao_end_number",
    "pao_end_suffix",
    "pao_text",
)


def flat_row(facts: AddressFacts, *, administrative_area: bool = False) -> dict[str, Any]:
    """The row for one UPRN, keyed by ``COLUMNS``; absent values are ``None``."""
    document = service.build_document(
        facts, administrative_area=administrative_area, language=domain.LANGUAGE_ENGLISH
    )
    lpi = service.choose_lpi(facts.lpis, domain.LANGUAGE_ENGLISH)
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(_blpu_part(facts.blpu, document))
    if lpi is not None:
        row.update(_lpi_part(lpi))
    row.update(_street_part(document.street))
    row.update(
        {
            "ORGANISATION": document.organisation,
            "POST_TOWN": _post_town(facts, lpi, document),
            "POSTCODE": document.postcode,
            "UDPRN": document.delivery_point.udprn if document.delivery_point else None,
            "SINGLE_LINE_ADDRESS": document.labels.single_line or None,
            "POSTAL_SINGLE_LINE_ADDRESS": document.labels.postal_single_line,
            "LAST_UPDATE_DATE": _latest(facts.blpu.last_update_date, lpi),
        }
    )
    return row


def _blpu_part(blpu: domain.Blpu, document: documents.AddressDocument) -> dict[str, Any]:
    longitude, latitude = blpu.longitude, blpu.latitude
    if latitude is None and blpu.x_coordinate is not None:
        ((longitude, latitude),) = grid.to_wgs84([(blpu.x_coordinate, blpu.y_coordinate)])
    classification = document.classification
    return {
        "UPRN": blpu.uprn,
        "PARENT_UPRN": blpu.parent_uprn,
        "LOGICAL_STATUS": blpu.logical_status,
        "STATUS": document.status.name,
        "BLPU_STATE": blpu.blpu_state,
        "CLASSIFICATION_CODE": classification.code if classification else None,
        "CLASSIFICATION": classification.description if classification else None,
        "X_COORDINATE": blpu.x_coordinate,
        "Y_COORDINATE": blpu.y_coordinate,
        "LATITUDE": latitude,
        "LONGITUDE": longitude,
        "RPC": blpu.rpc,
        "LOCAL_CUSTODIAN_CODE": blpu.local_custodian_code,
        "COUNTRY": blpu.country,
    }


def _lpi_part(lpi: domain.Lpi) -> dict[str, Any]:
    part: dict[str, Any] = {"LPI_KEY": lpi.lpi_key, "LANGUAGE": lpi.language, "USRN": lpi.usrn}
    part.update({name.upper(): getattr(lpi, name) for name in _AON_FIELDS})
    return part


def _street_part(street: documents.Street | None) -> dict[str, Any]:
    if street is None:
        return {}
    return {
        "STREET_DESCRIPTION": street.description,
        "LOCALITY": street.locality,
        "TOWN_NAME": street.town,
        "ADMINISTRATIVE_AREA": street.administrative_area,
    }


def _post_town(
    facts: AddressFacts, lpi: domain.Lpi | None, document: documents.AddressDocument
) -> str | None:
    """DTF LPI.POST_TOWN, else the delivery point's, else the town (§6.7)."""
    if lpi is not None and lpi.post_town:
        return lpi.post_town
    if document.delivery_point and document.delivery_point.post_town:
        return document.delivery_point.post_town
    return document.street.town if document.street else None


def _latest(blpu_date: dt.date | None, lpi: domain.Lpi | None) -> dt.date | None:
    dates = [d for d in (blpu_date, lpi.last_update_date if lpi else None) if d is not None]
    return max(dates) if dates else None
