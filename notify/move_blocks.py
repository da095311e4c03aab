"""Move blocks (§4 J15): UPRNs from or to which no move is passed on without a review.

A custodian or administrator places a block on a UPRN with a reason and lifts it later; both
are recorded with who and when (the row is kept after lifting, as the audit). A move whose old
or new UPRN is under an active block is held at intake with ``MOVE_BLOCKED``
(:func:`notify.move_reviews.block` also puts the moves not yet sent in the review queue).
Lifting a block does not release moves already held: their review decides.

Errors::

    NotFound
    └── MoveBlockNotFound        move_block_not_found
    Conflict
    └── MoveBlockLifted          move_block_lifted       the block was lifted already
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import orm

from core import ids
from core.errors import Conflict, NotFound
from notify import holds
from notify.tables import review as t


class MoveBlockNotFound(NotFound):
    code = "move_block_not_found"
    title = "Move block not found"


class MoveBlockLifted(Conflict):
    code = "move_block_lifted"
    title = "Move block already lifted"


@dataclass(frozen=True, kw_only=True, slots=True)
class MoveBlock:
    id: str
    uprn: int
    reason: str | None
    created_by: str
    created_at: dt.datetime
    lifted_at: dt.datetime | None = None
    lifted_by: str | None = None

    @property
    def active(self) -> bool:
        return self.lifted_at is None


def _of(row: t.MoveBlock) -> MoveBlock:
    return MoveBlock(
        id=row.id,
        uprn=row.uprn,
        reason=row.reason,
        created_by=row.created_by,
        created_at=row.created_at,
        lifted_at=row.lifted_at,
        lifted_by=row.lifted_by,
    )


def place(
    *, session: orm.Session, uprn: int, reason: str | None, actor: str, now: dt.datetime
) -> MoveBlock:
    """A new block on ``uprn`` (several may be active on one UPRN; each is lifted alone)."""
    row = t.MoveBlock(id=ids.new_id(), uprn=uprn, reason=reason, created_by=actor, created_at=now)
    session.add(row)
    session.flush()
    return _of(row)


def lift(*, session: orm.Session, block_id: str, actor: str, now: dt.datetime) -> MoveBlock:
    row = session.get(t.MoveBlock, block_id)
    if row is None:
        raise MoveBlockNotFound("no move block has this id", details={"block_id": block_id})
    if row.lifted_at is not None:
        raise MoveBlockLifted(f"the move block was lifted at {row.lifted_at.isoformat()}")
    row.lifted_at, row.lifted_by = now, actor
    session.flush()
    return _of(row)


def list_blocks(
    *, session: orm.Session, active: bool | None = True, uprn: int | None = None, limit: int = 100
) -> list[MoveBlock]:
    """Blocks newest first; ``active`` None lists lifted ones too."""
    query = sa.select(t.MoveBlock).order_by(t.MoveBlock.created_at.desc(), t.MoveBlock.id.desc())
    if active is not None:
        lifted = t.MoveBlock.lifted_at
        query = query.where(lifted.is_(None) if active else lifted.is_not(None))
    if uprn is not None:
        query = query.where(t.MoveBlock.uprn == uprn)
    return [_of(row) for row in session.scalars(query.limit(limit))]


def active_on(session: orm.Session, uprns: Iterable[int | None]) -> list[holds.Block]:
    """The active blocks on any of ``uprns`` (what intake checks)."""
    wanted = sorted({u for u in uprns if u is not None})
    if not wanted:
        return []
    query = sa.select(t.MoveBlock.id, t.MoveBlock.uprn).where(
        t.MoveBlock.uprn.in_(wanted), t.MoveBlock.lifted_at.is_(None)
    )
    return [holds.Block(id=row.id, uprn=row.uprn) for row in session.execute(query)]
