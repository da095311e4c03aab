"""Schemas for clerical review of doubtful matches."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas import types
from gazetteer import reviews

ReviewStatus = Literal["open", "confirmed", "rejected"]


class _Schema(BaseModel):
    model_config = ConfigDict(frozen=True)


class ReviewRequest(_Schema):
    text: str = Field(min_length=1, max_length=500, examples=["10 high street"])


class ReviewCandidate(_Schema):
    uprn: int
    label: str
    score: float
    match_reason: str


class MatchReview(_Schema):
    id: str
    input_text: str
    status: ReviewStatus
    candidates: list[ReviewCandidate]
    uprn: int | None = Field(description="The UPRN a custodian confirmed.")
    decided_by: str | None
    created_at: dt.datetime
    decided_at: dt.datetime | None

    @classmethod
    def from_review(cls, review: reviews.Review) -> MatchReview:
        return cls(
            id=review.id,
            input_text=review.input_text,
            status=review.status,
            candidates=[ReviewCandidate(**c) for c in review.candidates],
            uprn=review.uprn,
            decided_by=review.decided_by,
            created_at=review.created_at,
            decided_at=review.decided_at,
        )


class ReviewList(_Schema):
    count: int
    reviews: list[MatchReview]


class DecisionRequest(_Schema):
    """``uprn``: the right address; null: none of the candidates (not in the gazetteer)."""

    uprn: types.Uprn | None
