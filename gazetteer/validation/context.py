"""What a rule may know beyond its record: the profile, the supply and lookups into the gazetteer.

``Lookups`` is a set of plain callables, so a loader or service can back them with the database
and tests with :func:`index`. A ``Context`` carries two of them: ``lookups`` is the live gazetteer
before the change (the pre-image the LIFE-* rules compare against), and ``view`` is what
cross-record rules see: the batch being validated laid over the live gazetteer (:func:`overlay`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from gazetteer import domain
from gazetteer.validation import findings
from gazetteer.validation.findings import Format, Profile, Record

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")


def _nothing(_key: object) -> None:
    return None


def _no_records(_key: object) -> tuple[()]:
    return ()


@dataclass(frozen=True, kw_only=True, slots=True)
class Lookups:
    """Callables into a gazetteer. The defaults describe an empty one."""

    blpu: Callable[[int], domain.Blpu | None] = _nothing
    street: Callable[[int], domain.Street | None] = _nothing
    lpi: Callable[[str], domain.Lpi | None] = _nothing
    cross_reference: Callable[[str], domain.CrossReference | None] = _nothing
    lpis_of_uprn: Callable[[int], Sequence[domain.Lpi]] = _no_records
    lpis_of_usrn: Callable[[int], Sequence[domain.Lpi]] = _no_records
    children_of_uprn: Callable[[int], Sequence[domain.Blpu]] = _no_records
    descriptors_of_usrn: Callable[[int], Sequence[domain.StreetDescriptor]] = _no_records
    descriptors_named: Callable[[str], Sequence[domain.StreetDescriptor]] = _no_records
    classifications_of_uprn: Callable[[int], Sequence[domain.Classification]] = _no_records
    organisations_of_uprn: Callable[[int], Sequence[domain.Organisation]] = _no_records
    cross_references_of_uprn: Callable[[int], Sequence[domain.CrossReference]] = _no_records
    delivery_points_of_uprn: Callable[[int], Sequence[domain.DeliveryPoint]] = _no_records
    provenances_of_uprn: Callable[[int], Sequence[domain.Provenance]] = _no_records


@dataclass(frozen=True, kw_only=True, slots=True)
class Context:
    """Everything a rule may consult besides its record.

    ``authority_country`` is the supplying authority's country (E, W, S ...) where the records
    do not carry one (DTF, ABP v1); ``welsh_authority`` also marks a CYM-supplying custodian;
    ``osg`` selects the One Scotland Gazetteer code lists. ``classification_codes`` is the scheme
    list for CLS-CODE (``None``: only the shape is checked). ``full_supply`` and
    ``carries_provenance`` describe the supply. ``memo`` caches summaries of the view (such as
    the addresses on a street) for one validation run; each run starts with an empty one.
    """

    profile: Profile = Profile.INGEST
    format: Format = Format.ABP2
    as_of: dt.date | None = None
    authority_country: str | None = None
    welsh_authority: bool = False
    osg: bool = False
    full_supply: bool = False
    carries_provenance: bool = False
    classification_codes: frozenset[str] | None = None
    lookups: Lookups = field(default_factory=Lookups)
    view: Lookups | None = None
    memo: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def gazetteer(self) -> Lookups:
        """What cross-record rules see: the batch over the live gazetteer, or the live one alone."""
        return self.view if self.view is not None else self.lookups

    @property
    def is_welsh(self) -> bool:
        return self.welsh_authority or self.authority_country == "W"


def memoised(ctx: Context, key: Hashable, build: Callable[[], R]) -> R:
    """``build()`` once per validation run (per ``ctx.memo``) under ``key``."""
    if key not in ctx.memo:
        ctx.memo[key] = build()
    found: R = ctx.memo[key]
    return found


def _group(records: Iterable[R], key: Callable[[R], K]) -> dict[K, list[R]]:
    groups: dict[K, list[R]] = defaultdict(list)
    for record in records:
        groups[key(record)].append(record)
    return groups


def _getter(groups: dict[K, list[R]]) -> Callable[[K], Sequence[R]]:
    return lambda key: tuple(groups.get(key, ()))


def _of(records: Sequence[Record], kind: type[R]) -> list[R]:
    return [record for record in records if isinstance(record, kind)]


def _uprn(record: domain.Lpi | domain.Classification | domain.Organisation) -> int:
    return record.uprn


def index(records: Iterable[Record]) -> Lookups:
    """Lookups over an in-memory set of records (the batch, or a whole gazetteer in tests).

    Where a key repeats, the last record wins, as in a change-only update.
    """
    rows = list({(type(r), _key(r)): r for r in records}.values())
    blpus = {b.uprn: b for b in _of(rows, domain.Blpu)}
    streets = {s.usrn: s for s in _of(rows, domain.Street)}
    lpis = _of(rows, domain.Lpi)
    xrefs = _of(rows, domain.CrossReference)
    descriptors = _of(rows, domain.StreetDescriptor)
    by_parent = _group(blpus.values(), lambda r: r.parent_uprn)
    children = {uprn: kids for uprn, kids in by_parent.items() if uprn is not None}
    return Lookups(
        blpu=blpus.get,
        street=streets.get,
        lpi={lpi.lpi_key: lpi for lpi in lpis}.get,
        cross_reference={x.xref_key: x for x in xrefs}.get,
        lpis_of_uprn=_getter(_group(lpis, lambda r: r.uprn)),
        lpis_of_usrn=_getter(_group(lpis, lambda r: r.usrn)),
        children_of_uprn=_getter(children),
        descriptors_of_usrn=_getter(_group(descriptors, lambda r: r.usrn)),
        descriptors_named=_getter(_group(descriptors, lambda r: r.description)),
        classifications_of_uprn=_getter(_group(_of(rows, domain.Classification), _uprn)),
        organisations_of_uprn=_getter(_group(_of(rows, domain.Organisation), _uprn)),
        cross_references_of_uprn=_getter(_group(xrefs, lambda r: r.uprn)),
        delivery_points_of_uprn=_getter(_group(_of(rows, domain.DeliveryPoint), lambda r: r.uprn)),
        provenances_of_uprn=_getter(_group(_of(rows, domain.Provenance), lambda r: r.uprn)),
    )


def _key(record: Record) -> object:
    return findings.record_key(record)


def _first(
    batch: Callable[[K], R | None], live: Callable[[K], R | None]
) -> Callable[[K], R | None]:
    def lookup(key: K) -> R | None:
        found = batch(key)
        return found if found is not None else live(key)

    return lookup


def _merged(
    batch: Callable[[K], Sequence[R]],
    live: Callable[[K], Sequence[R]],
    replaced: frozenset[tuple[type, object]],
) -> Callable[[K], Sequence[R]]:
    def lookup(key: K) -> Sequence[R]:
        kept = [r for r in live(key) if (type(r), _key(r)) not in replaced]  # type: ignore[arg-type]
        return (*kept, *batch(key))

    return lookup


def overlay(records: Sequence[Record], live: Lookups) -> Lookups:
    """The batch laid over the live gazetteer: a batch record replaces the live one with its key."""
    batch = index(records)
    replaced = frozenset((type(r), _key(r)) for r in records)
    merged = {
        name: _merged(getattr(batch, name), getattr(live, name), replaced) for name in _COLLECTIONS
    }
    return Lookups(
        blpu=_first(batch.blpu, live.blpu),
        street=_first(batch.street, live.street),
        lpi=_first(batch.lpi, live.lpi),
        cross_reference=_first(batch.cross_reference, live.cross_reference),
        **merged,
    )


_COLLECTIONS = (
    "lpis_of_uprn",
    "lpis_of_usrn",
    "children_of_uprn",
    "descriptors_of_usrn",
    "descriptors_named",
    "classifications_of_uprn",
    "organisations_of_uprn",
    "cross_references_of_uprn",
    "delivery_points_of_uprn",
    "provenances_of_uprn",
)
