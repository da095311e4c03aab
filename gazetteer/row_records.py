"""Frozen domain records built from positional rows without going through their keyword
constructor.

A lookup builds three to six records per UPRN from the rows of one statement
(:mod:`gazetteer.facts_query`). The ``__init__`` a frozen, slotted dataclass generates matches
its keywords and then assigns each field with ``object.__setattr__``, nothing more, as long as
the class has no ``__post_init__``, no default factory and no field outside ``__init__``.
:func:`builder` accepts only such classes and builds a record by setting each slot through its
member descriptor (what ``object.__setattr__`` does in the end), at about a third of the cost;
fields not in the row take their declared defaults, as the constructor gives them. Dates may
come as ISO text (a JSON row) or as dates (a driver row).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
Setter = Callable[[Any, Any], None]
_FROM_ISO: Callable[[str], dt.date] = dt.date.fromisoformat
_NEW = object.__new__


@dataclass(frozen=True, kw_only=True, slots=True)
class Builder(Generic[T]):
    """Builds ``record_type`` records from rows of its fields ``names`` in that order."""

    record_type: type[T]
    setters: tuple[Setter, ...]
    dates: tuple[int, ...]
    defaults: tuple[tuple[Setter, Any], ...]

    def __call__(self, values: Sequence[Any]) -> T:
        row = list(values)
        if len(row) != len(self.setters):
            raise ValueError(f"{len(row)} values for {len(self.setters)} fields")
        for index in self.dates:
            value = row[index]
            if isinstance(value, str):
                row[index] = _FROM_ISO(value)
        record: T = _NEW(self.record_type)
        for setter, value in zip(self.setters, row, strict=True):
            setter(record, value)
        for setter, default in self.defaults:
            setter(record, default)
        return record


def builder(record_type: type[T], names: Sequence[str], dates: Iterable[str] = ()) -> Builder[T]:
    """A :class:`Builder` for rows of ``names`` (``dates`` among them parsed from ISO text).

    Raises ``TypeError`` for a class whose constructor does more than assign its fields, and
    ``ValueError`` when a field left out of ``names`` has no default or a name is no field."""
    fields = {field.name: field for field in _plain_fields(record_type)}
    unknown = [name for name in names if name not in fields]
    missing = [f.name for f in fields.values() if f.name not in names and _no_default(f)]
    if unknown or missing:
        raise ValueError(f"{record_type.__name__}: no fields {unknown}, no defaults {missing}")
    chosen = set(dates)
    return Builder(
        record_type=record_type,
        setters=tuple(_setter(record_type, name) for name in names),
        dates=tuple(index for index, name in enumerate(names) if name in chosen),
        defaults=tuple(
            (_setter(record_type, name), field.default)
            for name, field in fields.items()
            if name not in names
        ),
    )


def slot_setters(record_type: type[Any], names: Sequence[str]) -> tuple[Setter, ...]:
    """The setters of every field of ``record_type`` (a class :func:`builder` accepts), in the
    order of ``names``, which must name each field once: a caller that builds records itself
    (``object.__new__`` then each setter) leaves no slot unset. Raises as :func:`builder`."""
    fields = [field.name for field in _plain_fields(record_type)]
    if sorted(names) != sorted(fields):
        raise ValueError(f"{record_type.__name__}: fields {fields}, not {list(names)}")
    return tuple(_setter(record_type, name) for name in names)


def _plain_fields(record_type: type[Any]) -> tuple[dataclasses.Field[Any], ...]:
    """The fields of a slotted dataclass whose ``__init__`` only assigns them."""
    params: Any = vars(record_type).get("__dataclass_params__")
    if params is None or "__slots__" not in vars(record_type):
        raise TypeError(f"{record_type.__name__} is not a slotted dataclass")
    fields = dataclasses.fields(record_type)
    plain = all(f.init and f.default_factory is dataclasses.MISSING for f in fields)
    if not (plain and params.init) or hasattr(record_type, "__post_init__"):
        raise TypeError(f"{record_type.__name__}'s constructor does more than assign its fields")
    return fields


def _no_default(field: dataclasses.Field[Any]) -> bool:
    return field.default is dataclasses.MISSING


def _setter(record_type: type[Any], name: str) -> Setter:
    setter: Setter = vars(record_type)[name].__set__
    return setter
