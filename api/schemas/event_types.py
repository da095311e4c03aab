"""The event-type catalog as the API shows it (``GET /v1/event-types``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from notify import codes, event_catalog


class _Schema(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EventType(_Schema):
    type: str = Field(
        description="The CloudEvents `type`: the deployment's namespace and the kind.",
        examples=["uk.gov.example.addresshub.change_of_address.submitted"],
    )
    kind: str = Field(description="The type without the namespace.")
    description: str = Field(description="When the hub sends it and what `data` holds.")
    dataschema: str = Field(description="The JSON Schema of `data` (public, no key needed).")
    personal_data: bool = Field(description="Whether `data` can hold personal data.")
    data_categories: list[codes.DataCategory] = Field(
        description="The `datacategory` values its events can carry (empty: the attribute "
        "is not sent). The category of one event is the highest of its field groups."
    )
    lane: event_catalog.Lane = Field(
        description="Ordering: `person_partner` (per person and partner, or per service when "
        "the partner orders by service), `uprn_partner` (per UPRN and partner) or `none`."
    )
    operational: bool = Field(description="An operational notice, not a business event.")


class EventTypes(_Schema):
    namespace: str = Field(description="The deployment's event namespace.")
    specversion: str = Field(description="The CloudEvents version of every event.")
    items: list[EventType]
