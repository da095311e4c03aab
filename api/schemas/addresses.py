"""The address document as the API and ``addresshub lookup`` show it.

Field for field the shape of :class:`gazetteer.documents.AddressDocument`; built with
:meth:`Address.from_document`. ``addresshub lookup uprn --json`` prints exactly what
``GET /v1/addresses/{uprn}`` returns: both serialise this model.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.types import Uprn, Usrn
from gazetteer import documents


class _Schema(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)


class Code(_Schema):
    code: str = Field(description="The code as supplied.")
    name: str | None = Field(description="Its meaning; null for a code outside the list.")


class Coordinates(_Schema):
    x: float | None = Field(description="Easting, metres, EPSG:27700.")
    y: float | None = Field(description="Northing, metres, EPSG:27700.")
    latitude: float | None = Field(description="Degrees, EPSG:4326.")
    longitude: float | None = Field(description="Degrees, EPSG:4326.")


class Classification(_Schema):
    code: str = Field(description="AddressBase classification code, e.g. `RD04`.")
    description: str | None


class Street(_Schema):
    usrn: Usrn
    description: str | None
    locality: str | None
    town: str | None
    administrative_area: str | None
    language: str | None


class LpiSummary(_Schema):
    lpi_key: str = Field(description="The LPI's 14-character key.")
    language: str
    status: Code
    usrn: Usrn
    single_line: str
    is_closed: bool


class Labels(_Schema):
    single_line: str = Field(description="The geographic address on one line.")
    lines: list[str] = Field(description="The geographic address, line by line.")
    postal_single_line: str | None = Field(description="The Royal Mail address, if any.")
    postal_lines: list[str]


class CrossReference(_Schema):
    source: str = Field(description="The cross-reference source, e.g. `7666VC` (VOA).")
    cross_reference: str
    version: int | None


class DeliveryPoint(_Schema):
    udprn: int
    postcode: str | None
    post_town: str | None
    postcode_type: str | None
    delivery_point_suffix: str | None
    organisation_name: str | None
    department_name: str | None
    sub_building_name: str | None
    building_name: str | None
    building_number: int | None
    po_box_number: str | None
    dependent_thoroughfare: str | None
    thoroughfare: str | None
    double_dependent_locality: str | None
    dependent_locality: str | None


class Address(_Schema):
    """Everything the hub knows about one UPRN."""

    uprn: Uprn
    status: Code = Field(description="The BLPU's logical status.")
    state: Code | None = Field(description="The BLPU state (in use, demolished, ...).")
    parent_uprn: Uprn | None
    children: list[int] = Field(description="UPRNs whose parent this is.")
    coordinates: Coordinates
    rpc: str | None = Field(description="Representative point code.")
    local_custodian_code: int | None
    country: str | None
    postcode: str | None
    classification: Classification | None
    organisation: str | None
    street: Street | None
    lpis: list[LpiSummary] = Field(description="Every LPI of the BLPU, closed ones included.")
    labels: Labels
    cross_references: list[CrossReference]
    delivery_point: DeliveryPoint | None

    @classmethod
    def from_document(cls, document: documents.AddressDocument) -> Address:
        return cls.model_validate(document)
