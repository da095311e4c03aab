"""Queries for API keys. Repositories flush; callers commit."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm

from api import tables


def add(session: orm.Session, row: tables.ApiKey) -> None:
    session.add(row)
    session.flush()


def by_prefix(session: orm.Session, prefix: str) -> tables.ApiKey | None:
    return session.scalars(sa.select(tables.ApiKey).where(tables.ApiKey.prefix == prefix)).first()


def by_id(session: orm.Session, key_id: str) -> tables.ApiKey | None:
    return session.get(tables.ApiKey, key_id)


def all_keys(session: orm.Session) -> list[tables.ApiKey]:
    query = sa.select(tables.ApiKey).order_by(tables.ApiKey.created_at, tables.ApiKey.id)
    return list(session.scalars(query))
