"""The gazetteer facts a plan needs: the areas covering each UPRN's point, and its labels.

The one place the sharing package reads the gazetteer (through :mod:`gazetteer.service` and
the named spatial query in :mod:`notify.sql`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from sqlalchemy import orm

from core import db
from core.settings import Settings
from gazetteer import domain as gaz_domain
from gazetteer import repository as gazetteer_repository
from gazetteer import service as gazetteer_service
from notify import move_domain, sql


def held(session: orm.Session, uprn: int) -> bool:
    """Whether the gazetteer holds ``uprn`` (has its BLPU). The stored facts read to answer are
    kept for this transaction's next :func:`facts` or :func:`location` of the same UPRN (used
    once), which then need not read them again; facts already kept (:func:`keep`) are used
    instead of reading them."""
    found = _kept(session).get(uprn) or gazetteer_repository.address_facts(session, uprn)
    if found is not None:
        _kept(session)[uprn] = found
    return found is not None


def keep(session: orm.Session, uprn: int, found: gazetteer_repository.AddressFacts) -> None:
    """Keep ``found``, the stored facts of ``uprn`` read in the session's current transaction,
    for its :func:`held` and next :func:`facts` or :func:`location` (used once)."""
    _kept(session)[uprn] = found


_KEPT: Final = "notify.gazetteer_facts.kept"


def _kept(session: orm.Session) -> dict[int, gazetteer_repository.AddressFacts]:
    """Facts read by :func:`held` in the session's current transaction, by UPRN."""
    transaction = session.get_transaction()
    kept = session.info.get(_KEPT)
    if kept is None or kept[0] is not transaction:
        kept = session.info[_KEPT] = (transaction, {})
    facts: dict[int, gazetteer_repository.AddressFacts] = kept[1]
    return facts


def location(session: orm.Session, *, uprn: int, settings: Settings) -> move_domain.Location | None:
    """The areas covering a UPRN's point and its labels, or ``None`` if it is not known."""
    codes = area_codes(session, [uprn])
    return _location(session, uprn=uprn, settings=settings, codes=codes.get(uprn, frozenset()))


def area_codes(session: orm.Session, uprns: list[int]) -> dict[int, frozenset[str]]:
    """The codes of the areas covering each UPRN's point, for several UPRNs in one query."""
    query = (
        sql.AREAS_COVERING_UPRNS_SQLITE
        if db.is_sqlite(session)
        else sql.AREAS_COVERING_UPRNS_POSTGRESQL
    )
    found: dict[int, set[str]] = {}
    for uprn, code in session.execute(query, {"uprns": uprns}):
        found.setdefault(int(uprn), set()).add(code)
    return {uprn: frozenset(codes) for uprn, codes in found.items()}


def _location(
    session: orm.Session, *, uprn: int, settings: Settings, codes: frozenset[str]
) -> move_domain.Location | None:
    """The labels in English and Welsh from one read of the UPRN's stored facts."""
    found = _kept(session).pop(uprn, None)
    if found is None:
        found = gazetteer_repository.address_facts(session, uprn)
    if found is None:
        return None
    area = settings.label_administrative_area
    document = gazetteer_service.build_document(
        found, administrative_area=area, language=gaz_domain.LANGUAGE_ENGLISH
    )
    welsh = gazetteer_service.build_document(
        found, administrative_area=area, language=gaz_domain.LANGUAGE_WELSH
    )
    custodian = document.local_custodian_code
    welsh_line = welsh.labels.single_line
    return move_domain.Location(
        uprn=uprn,
        area_codes=codes,
        custodian_code=str(custodian).zfill(4) if custodian is not None else None,
        single_line=document.labels.single_line,
        welsh_single_line=welsh_line if welsh_line != document.labels.single_line else None,
        postcode=document.postcode,
    )


def facts(
    session: orm.Session,
    *,
    move: move_domain.Move,
    settings: Settings,
    codes: Mapping[int, frozenset[str]] | None = None,
) -> move_domain.GazetteerFacts:
    """Old and new locations (the areas of both in one query, or ``codes``: what
    :func:`area_codes` returned for them); a new UPRN without a point leaves routing
    ``pending``."""
    uprns = [u for u in (move.old_uprn, move.new_uprn) if u]
    if codes is None:
        codes = area_codes(session, uprns) if uprns else {}
    old, new = (
        _location(session, uprn=u, settings=settings, codes=codes.get(u, frozenset()))
        if u
        else None
        for u in (move.old_uprn, move.new_uprn)
    )
    return move_domain.GazetteerFacts(old=old, new=new)
