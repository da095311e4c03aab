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

from collections.abc import Mapping
from typing import Annotated, Any, Final, Literal, Self

from pydantic import (
    Field,
    StrictBool,
    StrictStr,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from notify import codes, projection
from notify.event_schema_types import (
    Answer,
    Closed,
    Coordinate,
    IsoDate,
    QuestionId,
    SubmissionGroup,
    Timestamp,
    UprnText,
    WithdrawalReason,
    optional,
    optional_nullable,
)
from notify.ops_event_schemas import OPS_MODELS

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
        description="The CloudEvents `type` of the earlier event, as it arrived (e.g. "
        "`uk.gov.example.addresshub.change_of_address.submitted`)."
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


class Compared(Closed):
    lpi: StrictStr | None = Field(description="The address label, or null.")
    classification: StrictStr | None = Field(description="BLPU classification code, or null.")
    x: Coordinate | None = Field(description="Easting (EPSG:27700), or null.")
    y: Coordinate | None = Field(description="Northing (EPSG:27700), or null.")


class GazetteerChanged(GazetteerEvent):
    changed_attributes: list[Literal["lpi_text", "classification", "geometry"]] = Field(
        min_length=1,
        description="What changed: `lpi_text` (the label), `classification`, `geometry` (the "
        "point). `old` and `new` carry all four compared values, changed or not.",
    )
    old: Compared = Field(description="The compared values before the change.")
    new: Compared = Field(description="The compared values after the change.")


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
    **OPS_MODELS,
}


def model_of(kind: str) -> type[Closed]:
    """The model of ``kind``'s ``data``; KeyError for a kind the hub does not send."""
    return MODELS[kind]
