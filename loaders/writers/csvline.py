"""One CSV line per record in the supplier's dialect (§5.1).

Text and codes are double-quoted (a quote doubled inside), a null text is ``""``; numbers and
dates are bare and a null number is an empty field. Decimals keep the layout's scale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from operator import attrgetter
from typing import Any, Final

from loaders import layouts

Formatter = Callable[[Any], str]


def _quoted(value: Any) -> str:
    if value is None:
        return '""'
    return '"' + str(value).replace('"', '""') + '"'


def _bare(value: Any) -> str:
    return "" if value is None else str(value)


def _decimal(places: int) -> Formatter:
    def fmt(value: Any) -> str:
        return "" if value is None else f"{value:.{places}f}"

    return fmt


def _date(value: Any) -> str:
    if value is None:
        return ""
    assert isinstance(value, dt.date)
    return value.isoformat()


FORMATTERS: Final[dict[str, Formatter]] = {
    "int": _bare,
    "dec2": _decimal(2),
    "dec7": _decimal(7),
    "date": _date,
    "time": _bare,
    "code": _quoted,
    "text": _quoted,
}


class LineFormatter:
    """Formats objects carrying a record's fields into its CSV line (no terminator)."""

    def __init__(self, record: layouts.RecordLayout) -> None:
        self.record = record
        kept = [c for c in record.columns if c.field is not None]
        self._getter = attrgetter(*(c.field or "" for c in kept)) if kept else None
        self._formats = {c.position: FORMATTERS[c.type] for c in kept}
        self._names = [c.name for c in record.columns]

    def line(self, source: object, *, change_type: str | None = None, pro_order: int = 0) -> str:
        values = self._values(source)
        cells: list[str] = []
        for column in self.record.columns:
            cells.append(self._cell(column, values, change_type, pro_order))
        return ",".join(cells)

    def _values(self, source: object) -> dict[int, Any]:
        if self._getter is None:
            return {}
        got = self._getter(source)
        kept = list(self._formats)
        got_tuple = got if len(kept) > 1 else (got,)
        return dict(zip(kept, got_tuple, strict=True))

    def _cell(
        self,
        column: layouts.Column,
        values: dict[int, Any],
        change_type: str | None,
        pro_order: int,
    ) -> str:
        if column.name == "RECORD_IDENTIFIER":
            return self.record.record_id
        if column.field is None:
            return _envelope_cell(column.name, change_type, pro_order)
        return self._formats[column.position](values[column.position])

    def header_row(self) -> str:
        """The unquoted column-name row that split files carry (§5.1)."""
        return ",".join(self._names)


def _envelope_cell(name: str, change_type: str | None, pro_order: int) -> str:
    if name == "CHANGE_TYPE":
        return _quoted(change_type)
    if name == "PRO_ORDER":
        return str(pro_order)
    return ""
