"""The declarative base every package's ``tables.py`` builds on.

Constraint names follow one convention so that Alembic migrations are identical on PostgreSQL
and SQLite.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy import orm

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

BNG_SRID = 27700
WGS84_SRID = 4326


class Base(orm.DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        dt.datetime: sa.DateTime(timezone=True),
        int: sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
    }
