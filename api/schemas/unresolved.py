"""The custodian's queue of moves whose new address has no UPRN yet."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.types import Uprn
from notify import unresolved


class _Schema(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Candidate(_Schema):
    uprn: int
    label: str
    score: float
    match_reason: str | None = None


class UnresolvedMove(_Schema):
    reference: str = Field(examples=["COA-7K3Q-9MX2"])
    version: int
    interim_id: str
    origin: Literal["no_confident_match", "not_listed"] = Field(
        description="not_listed: the citizen said the gazetteer lacks the address, or the "
        "move gave a new UPRN the gazetteer does not hold."
    )
    status: Literal["open", "resolved", "rejected"]
    address_text: str | None = Field(
        description="The new address as the citizen typed it, or 'UPRN N not in the gazetteer'."
    )
    postcode: str | None
    latitude: float | None = Field(description="A provisional point, if the citizen gave one.")
    longitude: float | None
    move_date: dt.date
    submitted_at: dt.datetime
    candidates: list[Candidate] = Field(description="The matcher's best guesses, best first.")
    resolved_uprn: int | None
    reason: str | None = Field(description="Why the custodian rejected it.")

    @classmethod
    def of(cls, entry: unresolved.Unresolved) -> UnresolvedMove:
        return cls(
            reference=entry.reference,
            version=entry.version,
            interim_id=entry.interim_id,
            origin=entry.origin,
            status=entry.status,
            address_text=entry.address_text,
            postcode=entry.postcode,
            latitude=entry.latitude,
            longitude=entry.longitude,
            move_date=entry.move_date,
            submitted_at=entry.submitted_at,
            candidates=[
                Candidate(
                    uprn=c["uprn"],
                    label=c["label"],
                    score=c["score"],
                    match_reason=c.get("match_reason"),
                )
                for c in entry.candidates
            ],
            resolved_uprn=entry.resolved_uprn,
            reason=entry.reason,
        )


class UnresolvedPage(_Schema):
    total: int = Field(description="Open entries in all.")
    limit: int
    offset: int
    items: list[UnresolvedMove]


class Resolve(_Schema):
    uprn: Uprn = Field(description="The move's new address, as a UPRN the gazetteer holds.")


class Reject(_Schema):
    reason: str = Field(min_length=1, max_length=500, examples=["no such property"])


class Settled(_Schema):
    move: UnresolvedMove
    planned: list[str] = Field(description="The services planned again (partner/service).")
    deliveries: int = Field(description="Deliveries queued for them.")

    @classmethod
    def of(cls, settled: unresolved.Settled) -> Settled:
        return cls(
            move=UnresolvedMove.of(settled.entry),
            planned=list(settled.planned),
            deliveries=len(settled.delivery_ids),
        )
