"""Column types and helpers shared by the sharing tables."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

ID = sa.String(36)
KEY = sa.String(64)
CODE = sa.String(40)
NAME = sa.String(200)
TEXT = sa.Text()
URL = sa.String(2000)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UPRN = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def one_of(column: str, values: Iterable[str], *, nullable: bool = False) -> sa.CheckConstraint:
    """``column IN (...)`` from a code list (VARCHAR + CHECK, no native enums)."""
    listed = ", ".join(f"'{v}'" for v in sorted(values))
    condition = f"{column} IN ({listed})"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return sa.CheckConstraint(condition, name=column)
