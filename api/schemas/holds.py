"""Schemas for move blocks, moves held for review, and a service's extra questions."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.types import Uprn
from notify import move_blocks, move_reviews
from notify import questions as asked

ReviewStatus = Literal["pending", "released", "refused", "superseded"]


class _Schema(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BlockCreate(_Schema):
    uprn: Uprn
    reason: str | None = Field(
        default=None, max_length=500, description="Why (for reviewers; never shown to citizens)."
    )


class MoveBlock(_Schema):
    id: str
    uprn: int
    reason: str | None
    active: bool
    created_by: str = Field(description="The API key that placed the block.")
    created_at: dt.datetime
    lifted_by: str | None
    lifted_at: dt.datetime | None
    reviews_opened: int = Field(
        default=0, description="Moves not yet sent that the new block put in the review queue."
    )

    @classmethod
    def of(cls, block: move_blocks.MoveBlock, reviews_opened: int = 0) -> MoveBlock:
        return cls(
            reviews_opened=reviews_opened,
            id=block.id,
            uprn=block.uprn,
            reason=block.reason,
            active=block.active,
            created_by=block.created_by,
            created_at=block.created_at,
            lifted_by=block.lifted_by,
            lifted_at=block.lifted_at,
        )


class BlockList(_Schema):
    count: int
    blocks: list[MoveBlock]


class ReviewReason(_Schema):
    code: Literal["MOVE_BLOCKED", "REPEATED_MOVE", "CONFLICTING_MOVE"]
    detail: dict[str, str] = Field(
        description="For the reviewer: the block id and side, or the other move's reference "
        "and whether it matched on the person or the new UPRN."
    )


class MoveReview(_Schema):
    id: str = Field(description="The held submission's id (one review per submission).")
    reference: str
    version: int
    submission_status: str
    old_uprn: int | None
    new_uprn: int | None
    move_date: dt.date
    reasons: list[ReviewReason]
    status: ReviewStatus
    held_at: dt.datetime
    held_deliveries: int = Field(description="Deliveries of this submission waiting in held.")
    decided_by: str | None
    decided_at: dt.datetime | None
    note: str | None

    @classmethod
    def of(cls, review: move_reviews.Review) -> MoveReview:
        return cls(
            id=review.id,
            reference=review.reference,
            version=review.version,
            submission_status=review.submission_status,
            old_uprn=review.old_uprn,
            new_uprn=review.new_uprn,
            move_date=review.move_date,
            reasons=[ReviewReason.model_validate(r) for r in review.reasons],
            status=review.status,
            held_at=review.held_at,
            held_deliveries=review.held_deliveries,
            decided_by=review.decided_by,
            decided_at=review.decided_at,
            note=review.note,
        )


class ReviewList(_Schema):
    count: int
    reviews: list[MoveReview]


class ReviewDecision(_Schema):
    note: str | None = Field(default=None, max_length=1000, description="Why, for the audit.")


class Question(_Schema):
    id: str = Field(pattern=asked.ID_PATTERN.pattern, examples=["library_card"])
    label_en: str = Field(min_length=1, max_length=300)
    label_cy: str = Field(default="", max_length=300)
    type: asked.QuestionType = "text"
    required: bool = False
    validation: dict[str, Any] = Field(
        default_factory=dict,
        description="Any of pattern, min_length, max_length (text), min, max (numbers), "
        "choices (a choice question's values).",
    )
    data_category: Literal["non-sensitive", "standard", "sensitive", "special-category"] = (
        "standard"
    )


class QuestionList(_Schema):
    service: str
    questions: list[Question]

    @classmethod
    def of(cls, service: str, found: tuple[asked.Question, ...]) -> QuestionList:
        return cls(service=service, questions=[Question(**q.as_json()) for q in found])


class QuestionsUpdate(_Schema):
    questions: list[Question] = Field(max_length=50)
