"""Moves held for review (sharing-and-delivery §3.5, §4 J15), pure.

Three hold reasons come from outside the registry:

* ``MOVE_BLOCKED``: the old or the new UPRN is under an active move block;
* ``REPEATED_MOVE``: another live move, reported within the review window, for the same person
  or to the same new UPRN says the same thing (same old and new UPRN, same date);
* ``CONFLICTING_MOVE``: such a move says something else (goes elsewhere, or on another date).

:func:`findings` turns the blocks and the earlier moves the caller found into reasons, with
details for the reviewer only (block ids, the other move's reference): the decision and the
citizen see the codes. The same person is recognised by name (case and spacing ignored) and,
where both moves give one, date of birth, among the primary mover and the household.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from notify import move_domain

MOVE_BLOCKED: Final = "MOVE_BLOCKED"
REPEATED_MOVE: Final = "REPEATED_MOVE"
CONFLICTING_MOVE: Final = "CONFLICTING_MOVE"
#: The hold reasons a move review clears, in the order they are checked.
REVIEW_CODES: Final = (MOVE_BLOCKED, CONFLICTING_MOVE, REPEATED_MOVE)
#: The cancel reason of the deliveries of a move refused on review.
REFUSED_ON_REVIEW: Final = "MOVE_REFUSED_ON_REVIEW"
DEFAULT_WINDOW_DAYS: Final = 30


@dataclass(frozen=True, kw_only=True, slots=True)
class PersonKey:
    """Who a person is, for comparing moves: normalised names and the date of birth if given."""

    given_name: str
    family_name: str
    date_of_birth: dt.date | None = None

    def same_as(self, other: PersonKey) -> bool:
        names = (self.given_name, self.family_name) == (other.given_name, other.family_name)
        dobs = (self.date_of_birth, other.date_of_birth)
        return names and (None in dobs or dobs[0] == dobs[1])


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def person_key(given_name: str, family_name: str, date_of_birth: dt.date | None) -> PersonKey:
    return PersonKey(
        given_name=_norm(given_name),
        family_name=_norm(family_name),
        date_of_birth=date_of_birth,
    )


def people_of(move: move_domain.Move) -> tuple[PersonKey, ...]:
    people = (move.person, *(m.person for m in move.household))
    return tuple(person_key(p.given_name, p.family_name, p.date_of_birth) for p in people)


@dataclass(frozen=True, kw_only=True, slots=True)
class Block:
    id: str
    uprn: int


@dataclass(frozen=True, kw_only=True, slots=True)
class EarlierMove:
    """Another live move reported within the window, as stored."""

    submission_id: str
    reference: str
    old_uprn: int | None
    new_uprn: int | None
    move_date: dt.date
    people: tuple[PersonKey, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class Finding:
    """One hold reason with what the reviewer needs to see (never shown to the citizen)."""

    code: str
    detail: Mapping[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {"code": self.code, "detail": dict(self.detail)}


def _block_findings(move: move_domain.Move, blocks: Sequence[Block]) -> list[Finding]:
    sides = {"old_uprn": move.old_uprn, "new_uprn": move.new_uprn}
    found = []
    for block in sorted(blocks, key=lambda b: b.id):
        for side, uprn in sides.items():
            if uprn is not None and uprn == block.uprn:
                found.append(Finding(code=MOVE_BLOCKED, detail={"block": block.id, "side": side}))
    return found


def same_person(
    move: move_domain.Move, earlier: EarlierMove, people: Sequence[PersonKey] | None = None
) -> bool:
    """Whether a person of ``move`` (its :func:`people_of`, if worked out already: ``people``)
    is one of ``earlier``'s."""
    mine = people_of(move) if people is None else people
    return any(p.same_as(q) for p in mine for q in earlier.people)


def related(
    move: move_domain.Move,
    earlier: EarlierMove,
    *,
    same_uprn: bool = True,
    people: Sequence[PersonKey] | None = None,
) -> str | None:
    """Why ``earlier`` matters to ``move`` (``person`` or ``new_uprn``), or None."""
    if same_person(move, earlier, people):
        return "person"
    if same_uprn and move.new_uprn is not None and move.new_uprn == earlier.new_uprn:
        return "new_uprn"
    return None


def says_the_same(move: move_domain.Move, earlier: EarlierMove) -> bool:
    said = (move.old_uprn, move.new_uprn, move.move_date)
    return said == (earlier.old_uprn, earlier.new_uprn, earlier.move_date)


def _move_findings(
    move: move_domain.Move, earlier: Iterable[EarlierMove], *, same_uprn: bool
) -> list[Finding]:
    found, people = [], people_of(move)
    for other in sorted(earlier, key=lambda e: (e.reference, e.submission_id)):
        if other.reference == move.reference:
            continue  # an earlier version of this very move (a correction)
        why = related(move, other, same_uprn=same_uprn, people=people)
        if why is None:
            continue
        code = REPEATED_MOVE if says_the_same(move, other) else CONFLICTING_MOVE
        found.append(Finding(code=code, detail={"reference": other.reference, "match": why}))
    return found


def findings(
    move: move_domain.Move,
    *,
    blocks: Sequence[Block] = (),
    earlier: Sequence[EarlierMove] = (),
    same_uprn: bool = True,
) -> tuple[Finding, ...]:
    """Every reason to hold ``move`` for review, blocks first."""
    return (*_block_findings(move, blocks), *_move_findings(move, earlier, same_uprn=same_uprn))


def hold_codes(found: Iterable[Finding]) -> tuple[str, ...]:
    """The distinct codes, in :data:`REVIEW_CODES` order (what the decision is given)."""
    present = {f.code for f in found}
    return tuple(c for c in REVIEW_CODES if c in present)
