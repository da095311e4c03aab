"""The building blocks of the event contracts in :mod:`notify.event_schemas`, pure.

JSON-typed values (dates and times as strings, UPRNs as digit strings, numbers as numbers), the
shared code lists, the two kinds of optional key (``optional``: left out when its field group
is not shared, never ``null``; ``optional_nullable``: left out, or present and possibly
``null``) and :class:`Closed`, the model that refuses any key it does not name.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Self

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
    model_validator,
)
from pydantic.json_schema import WithJsonSchema


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
