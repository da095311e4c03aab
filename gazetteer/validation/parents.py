"""Parent/child rules (§4.1 rows 115–120) over PARENT_UPRN chains in the gazetteer view.

Levels count the root as 1 and allow at most 4 (PAR-MAX-DEPTH) [UNVERIFIED whether the root is
counted: ``ROOT_LEVEL`` and ``MAX_LEVEL`` pin the reading]. PAR-NOT-SELF is record-level.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from gazetteer import domain
from gazetteer.validation import views
from gazetteer.validation.base import Check, Findings, report
from gazetteer.validation.context import Context, Lookups

ROOT_LEVEL: Final = 1
MAX_LEVEL: Final = 4


@dataclass(frozen=True, kw_only=True, slots=True)
class Chain:
    """The ancestors of a BLPU, nearest first, and how the walk upwards ended."""

    ancestors: tuple[domain.Blpu, ...]
    ended: Literal["root", "missing", "loop"]
    cycle: bool  # the loop the walk ran into passes through the BLPU itself

    @property
    def level(self) -> int:
        """The BLPU's level, counting the ancestors found (a lower bound if a parent is missing)."""
        return ROOT_LEVEL + len(self.ancestors)


def chain(blpu: domain.Blpu, gazetteer: Lookups) -> Chain:
    """Walk PARENT_UPRN upwards until a root, a missing parent, or a UPRN seen before.

    A BLPU that is its own parent is PAR-NOT-SELF's business, not a cycle.
    """
    seen = {blpu.uprn}
    ancestors: list[domain.Blpu] = []
    parent_uprn = blpu.parent_uprn
    while parent_uprn is not None:
        if parent_uprn in seen:
            cycle = parent_uprn == blpu.uprn and bool(ancestors)
            return Chain(ancestors=tuple(ancestors), ended="loop", cycle=cycle)
        parent = gazetteer.blpu(parent_uprn)
        if parent is None:
            return Chain(ancestors=tuple(ancestors), ended="missing", cycle=False)
        seen.add(parent_uprn)
        ancestors.append(parent)
        parent_uprn = parent.parent_uprn
    return Chain(ancestors=tuple(ancestors), ended="root", cycle=False)


def _parent(blpu: domain.Blpu, ctx: Context) -> domain.Blpu | None:
    if blpu.parent_uprn is None or blpu.parent_uprn == blpu.uprn:
        return None
    return ctx.gazetteer.blpu(blpu.parent_uprn)


def parent_exists(blpu: domain.Blpu, ctx: Context) -> Findings:
    if blpu.parent_uprn is None or blpu.parent_uprn == blpu.uprn or _parent(blpu, ctx):
        return []
    message = f"no BLPU has the parent UPRN {blpu.parent_uprn}"
    return [report(ctx, "PAR-EXISTS", blpu, "parent_uprn", message)]


def no_cycle(blpu: domain.Blpu, ctx: Context) -> Findings:
    walk = chain(blpu, ctx.gazetteer)
    if not walk.cycle:
        return []
    path = " -> ".join(str(b.uprn) for b in (blpu, *walk.ancestors, blpu))
    return [report(ctx, "PAR-NO-CYCLE", blpu, "parent_uprn", f"the parent chain loops: {path}")]


def max_depth(blpu: domain.Blpu, ctx: Context) -> Findings:
    walk = chain(blpu, ctx.gazetteer)
    if walk.ended == "loop" or walk.level <= MAX_LEVEL:
        return []
    message = f"the BLPU is at level {walk.level}; at most {MAX_LEVEL} are allowed"
    return [report(ctx, "PAR-MAX-DEPTH", blpu, "parent_uprn", message)]


def parent_not_street(blpu: domain.Blpu, ctx: Context) -> Findings:
    parent = _parent(blpu, ctx)
    if parent is None or not views.is_street_blpu(parent, ctx.gazetteer):
        return []
    message = f"the parent {parent.uprn} is a street BLPU"
    return [report(ctx, "PAR-NOT-STREET-RECORD", blpu, "parent_uprn", message)]


def street_has_no_children(blpu: domain.Blpu, ctx: Context) -> Findings:
    children = [c for c in ctx.gazetteer.children_of_uprn(blpu.uprn) if c.uprn != blpu.uprn]
    if not children or not views.is_street_blpu(blpu, ctx.gazetteer):
        return []
    message = f"a street BLPU has {len(children)} children"
    return [report(ctx, "PAR-STREET-NO-CHILDREN", blpu, None, message)]


def status_compatible(blpu: domain.Blpu, ctx: Context) -> Findings:
    """[PROJECT] GeoPlace's matrix is unpublished: warn when an open child has a closed parent."""
    parent = _parent(blpu, ctx)
    if parent is None or blpu.is_closed or not parent.is_closed:
        return []
    message = f"an open BLPU has a closed parent {parent.uprn}"
    return [report(ctx, "PAR-STATUS-COMPAT", blpu, "parent_uprn", message)]


CHECKS: Final[tuple[Check, ...]] = (
    Check(rule_id="PAR-EXISTS", record_type=domain.Blpu, run=parent_exists),
    Check(rule_id="PAR-NO-CYCLE", record_type=domain.Blpu, run=no_cycle),
    Check(rule_id="PAR-MAX-DEPTH", record_type=domain.Blpu, run=max_depth),
    Check(rule_id="PAR-NOT-STREET-RECORD", record_type=domain.Blpu, run=parent_not_street),
    Check(rule_id="PAR-STREET-NO-CHILDREN", record_type=domain.Blpu, run=street_has_no_children),
    Check(rule_id="PAR-STATUS-COMPAT", record_type=domain.Blpu, run=status_compatible),
)
