"""A partner service's UPRN register as the API shows it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MAX_UPLOAD = 2_000_000  # more UPRNs than any authority holds


class _Schema(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class UprnList(_Schema):
    uprns: list[int] = Field(
        max_length=MAX_UPLOAD,
        description="Every UPRN the service holds now: the register is replaced by this list.",
    )


class UprnRegister(_Schema):
    partner_service_id: str
    held: int = Field(description="UPRNs on the register now.")
    added: int = Field(description="UPRNs new to it.")
    ended: int = Field(description="UPRNs no longer on it (kept as ended, for the record).")


class UprnPage(_Schema):
    partner_service_id: str
    uprns: list[int]
    next_after: int | None = Field(
        description="Pass as `after` for the next page; null on the last."
    )
