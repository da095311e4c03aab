"""Liveness and readiness probes (no API key: they reveal nothing but "up" and "ready")."""

from __future__ import annotations

import fastapi
from pydantic import BaseModel, Field

from api import errors, readiness
from api.deps import EngineDep

router = fastapi.APIRouter(tags=["health"])


class Health(BaseModel):
    status: str = Field(examples=["ok"], description="Always `ok` when the process answers.")


class Readiness(BaseModel):
    status: str = Field(examples=["ok"], description="`ok` when the API can serve.")
    schema_revision: list[str] = Field(
        description="The migration(s) the database is at.", examples=[["0002_api_keys"]]
    )


@router.get("/healthz", response_model=Health, summary="Liveness: the process answers")
def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Readiness,
    summary="Readiness: the database answers and its schema is current",
    responses=errors.responses_for(503),
)
def readyz(engine: EngineDep) -> Readiness:
    return Readiness(status="ok", schema_revision=list(readiness.check(engine)))
