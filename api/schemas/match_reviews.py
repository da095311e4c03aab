"""Schemas for clerical review of doubtful matches and for batch matching jobs."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas import types
from gazetteer import batch, reviews

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


class BatchRequest(_Schema):
    """Rows with any columns; ``address_column`` names the one holding the address."""

    address_column: str = Field(default="address", min_length=1, max_length=255)
    rows: list[dict[str, Any]] = Field(min_length=1, max_length=30_000)


class BatchJob(_Schema):
    id: str
    status: Literal["queued", "running", "done", "failed"]
    total: int
    processed: int
    counts: dict[str, int] = Field(description="Rows per match status so far.")
    error: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
    results: list[dict[str, Any]] | None = Field(
        default=None,
        description="When done: every input row with uprn, score, match_reason, status and "
        "candidates added.",
    )

    @classmethod
    def from_job(cls, job: batch.Job) -> BatchJob:
        return cls(
            id=job.id,
            status=job.status,
            total=job.total,
            processed=job.processed,
            counts=job.counts,
            error=job.error,
            created_at=job.created_at,
            finished_at=job.finished_at,
            results=list(job.results) if job.results is not None else None,
        )
