"""Change-only supply states with more changes than the generated evolutions make: changes that
reach an address only through other records (LPIs, delivery points, cross references,
classifications and organisations moved to another UPRN or removed, street descriptors renamed,
BLPUs given another parent). Shared by the property tests of everything derived per UPRN (stored
lookup documents, search rows)."""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import strategies as st

from tests import strategies, supplies

MOVABLE = ("lpi", "delivery_point", "cross_reference", "classification", "organisation")
Records = dict[str, dict[tuple[object, ...], Any]]


def _move_or_drop(draw: st.DrawFn, records: Records, uprns: list[int]) -> None:
    entity = draw(st.sampled_from([e for e in MOVABLE if records.get(e)]))
    key = draw(st.sampled_from(sorted(records[entity], key=repr)))
    if draw(st.booleans()) or len(uprns) < 2 or entity == "lpi":
        other = draw(st.sampled_from(uprns))
        records[entity][key] = dataclasses.replace(records[entity][key], uprn=other)
    else:
        del records[entity][key]


def _rename_street(draw: st.DrawFn, records: Records) -> None:
    key = draw(st.sampled_from(sorted(records["street_descriptor"], key=repr)))
    text = draw(strategies.address_texts)
    records["street_descriptor"][key] = dataclasses.replace(
        records["street_descriptor"][key], description=f"{text} ROAD"
    )


def _reparent(draw: st.DrawFn, records: Records, uprns: list[int]) -> None:
    blpus = records["blpu"]
    parents = {b.parent_uprn for b in blpus.values()}
    children = [u for u in uprns if u not in parents]
    roots = [u for u in uprns if blpus[(u,)].parent_uprn is None]
    child = draw(st.sampled_from(children))
    parent = draw(st.sampled_from([None, *(u for u in roots if u != child)]))
    blpus[(child,)] = dataclasses.replace(blpus[(child,)], parent_uprn=parent)


@st.composite
def mutated(draw: st.DrawFn, state: supplies.State, flavour: str) -> supplies.State:
    records: Records = {e: dict(v) for e, v in state.records.items()}
    uprns = sorted(int(str(k[0])) for k in records.get("blpu", {}))
    for _ in range(draw(st.integers(min_value=0, max_value=3)) if uprns else 0):
        change = draw(st.sampled_from(["move", "street", "parent"]))
        if change == "move" and any(records.get(e) for e in MOVABLE):
            _move_or_drop(draw, records, uprns)
        elif change == "street" and records.get("street_descriptor"):
            _rename_street(draw, records)
        elif change == "parent":
            _reparent(draw, records, uprns)
    layout = supplies.layout_of(flavour)
    return supplies.state_of(
        supplies.restrict(r, layout) for v in records.values() for r in v.values()
    )


@st.composite
def mutated_chains(draw: st.DrawFn, flavour: str, length: int) -> list[supplies.State]:
    states = draw(supplies.chains(flavour, length=length))
    return [states[0], *(draw(mutated(state, flavour)) for state in states[1:])]
