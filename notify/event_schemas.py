"""The contract of each event type's ``data`` (sharing-and-delivery §5.2), pure.

One closed Pydantic model per event kind the hub sends to partners: the person events built
by :func:`notify.projection.build_data` (and the correction's additions), the Art. 19 notices
of :func:`notify.outbox.enqueue_notice`, the gazetteer events of
:mod:`notify.gazetteer_events`, the endpoint test event and the operational notices of
:mod:`notify.ops_notices`. Every model refuses a key it does not name and a value of the
wrong JSON type, so a model is an exact contract; :mod:`notify.event_catalog` turns them into
the JSON Schemas the ``dataschema`` attribute points to.

Two kinds of optional key: ``optional`` (left out when its field group is not shared, never
``null``) and ``optional_nullable`` (left out, or present and possibly ``null``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Final, Literal, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema, WithJsonSchema

from notify import codes, projection, response


def _json_text(value: Any) -> Any:
    """Dates and times travel as JSON strings, never as numbers."""
    if not isinstance(value, str):
        raise ValueError("must be a JSON string")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_json_text)]
Timestamp = Annotated[AwareDatetime, BeforeValidator(_json_text)]
UprnText = Annotated[StrictStr, StringConstraints(pattern=r"^[1-9][0-9]{0,11}$")]
QuestionId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Answer = StrictStr | StrictInt | StrictFloat | StrictBool | None
Coordinate = Annotated[StrictFloat | StrictInt, WithJsonSchema({"type": "number"})]
SubmissionGroup = Literal[
    "CONTACT", "HOUSEHOLD", "HOUSEHOLD_DOB", "LANGUAGE", "MOVE_DATE", "NEW_ADDRESS",
    "OLD_ADDRESS", "PARTNER_REFERENCE", "PERSON_DOB", "PERSON_NAME", "SERVICE_ANSWERS",
]  # fmt: skip
WithdrawalReason = Literal["citizen_withdrew", "rectified_out_of_scope", "submitted_in_error"]
OPS_KINDS: Final = (
    "endpoint.disabled", "endpoint.failing", "endpoint.recovered", "delivery.exhausted",
    "delivery.recovered", "feed.stale",
)  # fmt: skip


# An optional key has no default in the contract: it is either there or not. Two functions
# that do the same, told apart by identity: only ``_optional_key`` refuses an explicit null.
def _drop_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def _optional_key(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def optional(description: str) -> Any:
    """A key left out when its group is not shared; when present, never ``null``."""
    return Field(default=None, description=description, json_schema_extra=_optional_key)


def optional_nullable(description: str) -> Any:
    """A key left out when its group is not shared; when present, possibly ``null``."""
    return Field(default=None, description=description, json_schema_extra=_drop_default)


class Closed(BaseModel):
    """A JSON object with exactly the keys named: anything else is refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="after")
    def _no_null_for_absent_keys(self) -> Self:
        fields = type(self).model_fields
        nulls = [
            name
            for name in self.model_fields_set
            if getattr(self, name) is None and fields[name].json_schema_extra is _optional_key
        ]
        if nulls:
            raise ValueError(f"{', '.join(sorted(nulls))}: may be left out, never null")
        return self


# Person events -----------------------------------------------------------------------------


class Person(Closed):
    given_name: StrictStr | SkipJsonSchema[None] = optional("Given name (group PERSON_NAME).")
    family_name: StrictStr | SkipJsonSchema[None] = optional("Family name (group PERSON_NAME).")
    date_of_birth: IsoDate | None = optional_nullable(
        "Date of birth, YYYY-MM-DD, or null when not given (group PERSON_DOB)."
    )


class Address(Closed):
    uprn: UprnText | None = Field(description="The address's UPRN, as text; null if unknown.")
    single_line: StrictStr | None = Field(
        description="The address on one line (the gazetteer's label, else the text given)."
    )
    postcode: StrictStr | None = Field(description="The postcode, when the gazetteer has one.")
    welsh_single_line: StrictStr | None = Field(
        description="The Welsh-language label, when the gazetteer has one."
    )


class Contact(Closed):
    email: StrictStr | None = Field(description="E-mail address, or null.")
    phone: StrictStr | None = Field(description="Telephone number, or null.")


class HouseholdMember(Closed):
    given_name: StrictStr | SkipJsonSchema[None] = optional("Given name (group HOUSEHOLD).")
    family_name: StrictStr | SkipJsonSchema[None] = optional("Family name (group HOUSEHOLD).")
    relationship: StrictStr | SkipJsonSchema[None] = optional(
        "Relationship to the person who reported the move (group HOUSEHOLD)."
    )
    moving: StrictBool | SkipJsonSchema[None] = optional(
        "Whether this member moves too (group HOUSEHOLD)."
    )
    date_of_birth: IsoDate | None = optional_nullable(
        "Date of birth, YYYY-MM-DD, or null (group HOUSEHOLD_DOB)."
    )


class Submitted(Closed):
    """A reported change of address, minimised to the field groups this recipient may have."""

    submission_ref: StrictStr = Field(
        description="The move's reference (also the `correlationid` attribute).",
        examples=["COA-7K3Q-9MX2"],
    )
    role: codes.Role = Field(
        description="The recipient's part in the move: responsible for the old address "
        "(`leaving`), the new one (`joining`), both (`within`) or neither (`none`)."
    )
    fields: list[SubmissionGroup] = Field(
        description="The field groups present in this `data`, sorted; a group's keys are "
        "present exactly when it is listed.",
        json_schema_extra={"uniqueItems": True},
    )
    person: Person | SkipJsonSchema[None] = optional(
        "The person who moves (groups PERSON_NAME, PERSON_DOB)."
    )
    old_address: Address | SkipJsonSchema[None] = optional("The address left (OLD_ADDRESS).")
    new_address: Address | SkipJsonSchema[None] = optional("The address moved to (NEW_ADDRESS).")
    move_date: IsoDate | SkipJsonSchema[None] = optional("Date of the move (MOVE_DATE).")
    move_date_kind: codes.MoveDateKind | SkipJsonSchema[None] = optional(
        "`actual` (has moved) or `planned` (will move) (MOVE_DATE)."
    )
    contact: Contact | SkipJsonSchema[None] = optional("How to reach the person (CONTACT).")
    correspondence_language: codes.Language | SkipJsonSchema[None] = optional(
        "Language for correspondence: `en` or `cy` (LANGUAGE)."
    )
    household: list[HouseholdMember] | SkipJsonSchema[None] = optional(
        "Household members with a basis to be shared (HOUSEHOLD, HOUSEHOLD_DOB)."
    )
    partner_reference: StrictStr | None = optional_nullable(
        "The recipient's own reference for the person, or null (PARTNER_REFERENCE)."
    )
    answers: dict[QuestionId, Answer] | SkipJsonSchema[None] = optional(
        "Answers to this recipient's own questions, by question id (SERVICE_ANSWERS)."
    )

    @field_validator("fields")
    @classmethod
    def _once_each(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("a field group is listed once")
        return value

    @model_validator(mode="after")
    def _groups_match_keys(self) -> Self:
        data = self.model_dump(exclude_unset=True)
        for code in sorted(projection.SUBMISSION_GROUPS):
            found = [_found(data, p) for p in projection.FIELD_GROUPS[code].json_paths]
            if True in found and code not in self.fields:
                raise ValueError(f"{code} is in data but not in fields")
            if code in self.fields and False in found:
                raise ValueError(f"{code} is in fields but not all of it is in data")
        return self


def _found(data: Mapping[str, Any], path: str) -> bool | None:
    """Is ``data.person.given_name`` there? ``data.household[].moving`` must be in every
    member; with no member it is neither there nor missing (None)."""
    head, _, rest = path.removeprefix("data.").partition(".")
    key = head.removesuffix("[]")
    if key not in data or not rest:
        return key in data
    value = data[key]
    if not head.endswith("[]"):
        return isinstance(value, Mapping) and _found(value, "data." + rest)
    each = {isinstance(v, Mapping) and _found(v, "data." + rest) for v in value}
    return None if not each else all(each)


class Corrected(Submitted):
    """The corrected move, as ``Submitted``, and what it corrects."""

    corrects: StrictStr = Field(description="The `id` of the earlier event this one corrects.")
    changed_fields: list[SubmissionGroup] = Field(
        description="The field groups whose values changed, or that this recipient now "
        "has or no longer has, sorted (possibly empty).",
        json_schema_extra={"uniqueItems": True},
    )


# Art. 19 notices: references only ---------------------------------------------------------


class PriorEvent(Closed):
    id: StrictStr = Field(description="The `id` of the earlier event.")
    type: StrictStr = Field(
        description="The kind of the earlier event, without the deployment's namespace "
        "(e.g. `change_of_address.submitted`)."
    )
    time: Timestamp = Field(description="When the earlier event was planned (RFC 3339).")


class Notice(Closed):
    prior_events: list[PriorEvent] = Field(
        description="The earlier event(s) this notice is about.", min_length=1
    )
    fields: tuple[Literal["PRIOR_EVENT_REFS"]] = Field(
        description='Always `["PRIOR_EVENT_REFS"]`: a notice carries references only.'
    )


class Withdrawn(Notice):
    reason: WithdrawalReason = Field(
        description="`citizen_withdrew`: reported by mistake and withdrawn; "
        "`rectified_out_of_scope`: after a correction this recipient may no longer have it; "
        "`submitted_in_error`: withdrawn by the council."
    )


class ConsentWithdrawn(Notice):
    purpose: StrictStr = Field(description="The purpose code the consent was given for.")
    withdrawn_at: Timestamp = Field(description="When the consent was withdrawn (RFC 3339).")


class Erased(Notice):
    erased_at: Timestamp = Field(description="When the person's data was erased (RFC 3339).")


# Gazetteer events: no personal data -------------------------------------------------------


class GazetteerAddress(Closed):
    uprn: UprnText = Field(description="The UPRN, as text.")
    lpi: StrictStr | None = Field(description="The address label (LPI text), or null.")
    classification: StrictStr | None = Field(description="BLPU classification code, or null.")
    logical_status: StrictStr | None = Field(
        description="BS7666 logical status code (1 approved, 6 provisional, 8 historical...), "
        "or null once the address is gone."
    )
    x: Coordinate | None = Field(description="Easting (EPSG:27700), or null.")
    y: Coordinate | None = Field(description="Northing (EPSG:27700), or null.")


class GazetteerEvent(Closed):
    change_id: StrictStr = Field(description="The change-log id (also `correlationid`).")
    address: GazetteerAddress = Field(description="The address as the gazetteer has it now.")
    fields: tuple[Literal["GAZ_ADDRESS"]] = Field(description='Always `["GAZ_ADDRESS"]`.')


class Label(Closed):
    lpi: StrictStr | None = Field(description="The address label, or null.")


class GazetteerChanged(GazetteerEvent):
    changed_attributes: list[Literal["lpi_text"]] = Field(
        description="What changed: `lpi_text` (the label)."
    )
    old: Label = Field(description="The values before the change.")
    new: Label = Field(description="The values after the change.")


class GazetteerRetired(Closed):
    change_id: StrictStr = Field(description="The change-log id (also `correlationid`).")
    address: GazetteerAddress = Field(description="The address as the gazetteer has it now.")
    fields: tuple[Literal["GAZ_ADDRESS"], Literal["GAZ_SUCCESSORS"]] = Field(
        description='Always `["GAZ_ADDRESS", "GAZ_SUCCESSORS"]`.'
    )
    retired_at: Timestamp = Field(description="When the address was retired (RFC 3339).")
    successor_uprns: list[UprnText] = Field(description="UPRNs that replace it (may be empty).")


class GazetteerDeleted(GazetteerEvent):
    deleted_at: Timestamp = Field(description="When the address was deleted (RFC 3339).")


# The endpoint test and operational notices -------------------------------------------------


class EndpointTest(Closed):
    nonce: Annotated[StrictStr, StringConstraints(pattern=r"^[0-9a-f]{32}$")] = Field(
        description="32 random hexadecimal digits; nothing else is sent."
    )


class NoDetail(Closed):
    """No detail for this kind of notice."""


class DisabledDetail(Closed):
    reason: response.DisableReason = Field(description="Why the endpoint was disabled.")


class RecoveredDetail(Closed):
    disabled_reason: response.DisableReason | None = Field(description="Why it had been disabled.")


class StaleDetail(Closed):
    last_fetch_at: Timestamp | None = Field(description="Last fetch of the feed, or null.")
    stale_after_days: Coordinate = Field(description="Days without a fetch that make it stale.")
    waiting: StrictInt = Field(description="Events waiting in the partner's pull feeds.")


class OpsNotice(Closed):
    notice_id: StrictStr = Field(description="The notice's id (also the event `id`).")
    partner_id: StrictStr | None = Field(description="The partner it concerns, or null.")
    endpoint_id: StrictStr | None = Field(description="The endpoint it concerns, or null.")
    delivery_id: StrictStr | None = Field(description="The delivery it concerns, or null.")


class EndpointDisabled(OpsNotice):
    """An endpoint was disabled: deliveries to it are held until it is re-enabled."""

    kind: Literal["endpoint.disabled"] = Field(description="The kind of notice.")
    detail: DisabledDetail = Field(description="Why.")


class EndpointFailing(OpsNotice):
    """An endpoint has failed for 24 hours with no success; it is disabled after 5 days."""

    kind: Literal["endpoint.failing"] = Field(description="The kind of notice.")
    detail: NoDetail = Field(description="Always `{}`.")


class EndpointRecovered(OpsNotice):
    """A disabled endpoint was re-enabled; its held deliveries resume."""

    kind: Literal["endpoint.recovered"] = Field(description="The kind of notice.")
    detail: RecoveredDetail = Field(description="Why it had been disabled.")


class DeliveryExhausted(OpsNotice):
    """A delivery failed its last retry and is dead: its lane waits for an operator."""

    kind: Literal["delivery.exhausted"] = Field(description="The kind of notice.")
    detail: NoDetail = Field(description="Always `{}`.")


class DeliveryRecovered(OpsNotice):
    """A dead delivery was sent again successfully."""

    kind: Literal["delivery.recovered"] = Field(description="The kind of notice.")
    detail: NoDetail = Field(description="Always `{}`.")


class FeedStale(OpsNotice):
    """A partner's pull feed has not been fetched for the configured number of days."""

    kind: Literal["feed.stale"] = Field(description="The kind of notice.")
    detail: StaleDetail = Field(description="The last fetch and what is waiting.")


#: The model of ``data`` for every kind the hub sends, by kind (without the namespace).
MODELS: Final[Mapping[str, type[Closed]]] = {
    codes.SUBMITTED: Submitted,
    codes.CORRECTED: Corrected,
    codes.WITHDRAWN: Withdrawn,
    codes.CONSENT_WITHDRAWN: ConsentWithdrawn,
    codes.ERASED: Erased,
    codes.GAZ_CREATED: GazetteerEvent,
    codes.GAZ_CHANGED: GazetteerChanged,
    codes.GAZ_RETIRED: GazetteerRetired,
    codes.GAZ_DELETED: GazetteerDeleted,
    codes.ENDPOINT_TEST: EndpointTest,
    "endpoint.disabled": EndpointDisabled,
    "endpoint.failing": EndpointFailing,
    "endpoint.recovered": EndpointRecovered,
    "delivery.exhausted": DeliveryExhausted,
    "delivery.recovered": DeliveryRecovered,
    "feed.stale": FeedStale,
}


def model_of(kind: str) -> type[Closed]:
    """The model of ``kind``'s ``data``; KeyError for a kind the hub does not send."""
    return MODELS[kind]
