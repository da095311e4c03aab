"""What the open-data and council-list readers share: findings, text streams and CSV rows.

Every reader is a generator that yields typed records and :class:`Finding` objects in file
order. A finding names the file, the physical line (``csv.reader.line_num``), the record type,
the key when known, the field and a stable rule code, so a refused load can list every problem
at once (§5.1).
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

csv.field_size_limit(1 << 24)

ERROR = "E"
WARNING = "W"


@dataclass(frozen=True, kw_only=True, slots=True)
class Finding:
    """One problem found in a source file; severity E refuses the load, W is reported."""

    file: str
    line: int | None
    record_type: str
    code: str
    message: str
    key: str | None = None
    field: str | None = None
    severity: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


@dataclass(frozen=True, kw_only=True, slots=True)
class CsvRow:
    """A parsed CSV row: empty fields are ``None`` (§5.1)."""

    line: int
    values: list[str | None]


def csv_rows(stream: IO[bytes]) -> Iterator[CsvRow]:
    """The rows of a UTF-8 CSV stream (BOM stripped, CRLF or LF), skipping blank lines."""
    # Undecodable bytes survive as surrogates so the error names the row they are on.
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    reader = csv.reader(text)
    try:
        for row in reader:
            if row:
                _check_utf8(row, reader.line_num)
                yield CsvRow(line=reader.line_num, values=[None if v == "" else v for v in row])
    except csv.Error as exc:
        raise UnreadableText(line=reader.line_num, reason=str(exc)) from exc
    finally:
        with contextlib.suppress(ValueError):
            text.detach()  # the caller owns the stream and closes it


def _check_utf8(row: list[str], line: int) -> None:
    joined = "".join(row)
    if joined.isascii():
        return
    try:
        joined.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise UnreadableText(line=line, reason="bytes that are not UTF-8") from exc


class UnreadableText(ValueError):
    """The stream is not UTF-8 CSV from ``line`` on."""

    def __init__(self, *, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason

    def finding(self, *, file: str, record_type: str) -> Finding:
        message = f"the file is not readable as UTF-8 CSV: {self.reason}"
        return Finding(
            file=file,
            line=self.line,
            record_type=record_type,
            code="FILE-ENCODING",
            message=message,
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class Member:
    """One CSV inside a source: a plain file, or a member of a ``.zip``."""

    path: Path
    name: str | None = None

    @property
    def label(self) -> str:
        return f"{self.path.name}:{self.name}" if self.name else self.path.name


def members(path: Path, *, accept: str = ".csv") -> list[Member]:
    """The CSV members of ``path``: itself, or the zip members ending in ``accept``, sorted."""
    if not zipfile.is_zipfile(path):
        return [Member(path=path)]
    with zipfile.ZipFile(path) as archive:
        names = sorted(n for n in archive.namelist() if n.lower().endswith(accept))
    return [Member(path=path, name=n) for n in names]


@contextmanager
def open_member(member: Member) -> Iterator[IO[bytes]]:
    """A binary stream over one member, closed (with its archive) on exit."""
    if member.name is None:
        with member.path.open("rb") as stream:
            yield stream
        return
    with zipfile.ZipFile(member.path) as archive, archive.open(member.name) as stream:
        yield stream


def parse_int(value: str | None) -> int | None:
    """An integer field (leading zeros allowed), ``None`` when empty; ValueError otherwise."""
    return None if value is None else int(value.strip())


def parse_float(value: str | None) -> float | None:
    """A decimal field, ``None`` when empty; ValueError when not a finite number."""
    if value is None or not value.strip():
        return None
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{value!r} is not a finite number")
    return number
