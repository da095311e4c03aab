"""The gazetteer facts a plan needs: the areas covering each UPRN's point, and its labels.

The one place the sharing package reads the gazetteer (through :mod:`gazetteer.service` and
the named spatial query in :mod:`notify.sql`).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm

from core import db
from core.settings import Settings
from gazetteer import service as gazetteer_service
from gazetteer import tables as gaz
from gazetteer.errors import AddressNotFound
from notify import domain, sql


def held(session: orm.Session, uprn: int) -> bool:
    """Whether the gazetteer holds ``uprn`` (has its BLPU): one primary-key lookup."""
    return session.scalar(sa.select(gaz.Blpu.uprn).where(gaz.Blpu.uprn == uprn)) is not None


def location(session: orm.Session, *, uprn: int, settings: Settings) -> domain.Location | None:
    """The areas covering a UPRN's point and its labels, or ``None`` if it is not known."""
    try:
        document = gazetteer_service.get_address(session=session, uprn=uprn, settings=settings)
    except AddressNotFound:
        return None
    query = (
        sql.AREAS_COVERING_UPRN_SQLITE
        if db.is_sqlite(session)
        else sql.AREAS_COVERING_UPRN_POSTGRESQL
    )
    codes = frozenset(session.scalars(query, {"uprn": uprn}))
    welsh = _welsh_line(session, uprn, settings)
    custodian = document.local_custodian_code
    return domain.Location(
        uprn=uprn,
        area_codes=codes,
        custodian_code=str(custodian).zfill(4) if custodian is not None else None,
        single_line=document.labels.single_line,
        welsh_single_line=welsh if welsh != document.labels.single_line else None,
        postcode=document.postcode,
    )


def _welsh_line(session: orm.Session, uprn: int, settings: Settings) -> str | None:
    document = gazetteer_service.get_address(
        session=session, uprn=uprn, settings=settings, language="CYM"
    )
    return document.labels.single_line


def facts(session: orm.Session, *, move: domain.Move, settings: Settings) -> domain.GazetteerFacts:
    """Old and new locations; a new UPRN without a point leaves routing ``pending``."""
    old = location(session, uprn=move.old_uprn, settings=settings) if move.old_uprn else None
    new = location(session, uprn=move.new_uprn, settings=settings) if move.new_uprn else None
    return domain.GazetteerFacts(old=old, new=new)
