"""API key schemas: what administrators see of a key (never its hash)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from api.keys import domain


class ApiKeyRead(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str = Field(description="The key's id, used to revoke it.")
    prefix: str = Field(description="The public part of the key, shown after `ah_`.")
    role: domain.Role
    partner_id: str | None = Field(description="The partner a partner key is bound to.")
    submission_ref: str | None = Field(description="The submission a citizen key is bound to.")
    label: str | None
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @classmethod
    def from_domain(cls, key: domain.ApiKey) -> ApiKeyRead:
        return cls(
            id=key.id,
            prefix=key.prefix,
            role=key.role,
            partner_id=key.partner_id,
            submission_ref=key.submission_ref,
            label=key.label,
            created_at=key.created_at,
            last_used_at=key.last_used_at,
            revoked_at=key.revoked_at,
        )


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The key itself. It is shown this once and never stored.")

    @classmethod
    def from_issued(cls, issued: domain.IssuedKey) -> ApiKeyCreated:
        read = ApiKeyRead.from_domain(issued.key)
        return cls(**read.model_dump(), key=issued.plaintext)


class ApiKeyList(BaseModel):
    keys: list[ApiKeyRead]
