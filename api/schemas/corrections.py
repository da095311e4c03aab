"""Corrections of a reported move (``POST /v1/moves/{reference}/corrections``), as shown.

A correction names only what changes. Leaving a field out keeps it; ``null`` removes an optional
one (the old UPRN, the contact). Recipients are merged by service; a household, when given,
replaces the old one (members keep their place: the first member given is the first member).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.schemas import moves
from api.schemas.types import Uprn


class MoveCorrection(BaseModel):
    """The fields to correct; at least one."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    person: moves.Person | None = None
    household: list[moves.HouseholdMember] | None = Field(default=None, max_length=20)
    contact: moves.Contact | None = None
    language: Literal["en", "cy"] | None = None
    old_uprn: Uprn | None = None
    new_uprn: Uprn | None = None
    old_address_text: str | None = Field(default=None, max_length=500)
    new_address: moves.TypedAddress | None = Field(
        default=None, description="The new address typed instead of a UPRN: matched on intake."
    )
    old_address: moves.TypedAddress | None = None
    move_date: dt.date | None = None
    move_date_kind: Literal["actual", "planned"] | None = None
    recipients: list[moves.Recipient] = Field(default_factory=list, max_length=200)
    declaration_version: str | None = Field(default=None, max_length=40)

    @model_validator(mode="after")
    def _one_form_per_address(self) -> MoveCorrection:
        if self.new_uprn is not None and self.new_address is not None:
            raise ValueError("give the new address as new_uprn or new_address, not both")
        if self.old_address is not None and (self.old_uprn or self.old_address_text):
            raise ValueError("give the old address as old_uprn or old_address, not both")
        for name in ("person", "language", "new_uprn", "move_date", "move_date_kind"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be removed, only corrected")
        return self


class MoveCorrected(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    reference: str = Field(examples=["COA-7K3Q-9MX2"])
    version: int = Field(description="The new version (the one corrected is now superseded).")
    replayed: bool = Field(description="An Idempotency-Key replay: nothing new was written.")
    receipt_id: str | None
    plan: moves.Plan | None = Field(description="Absent when an Idempotency-Key replays.")
    submitted: int = Field(description="Services told for the first time.")
    corrected: int = Field(description="Earlier recipients sent the corrected details.")
    notices: int = Field(description="Earlier recipients no longer permitted, told by notice.")
    cancelled: int = Field(description="Queued deliveries of earlier versions cancelled.")
