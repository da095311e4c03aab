"""The CSV dialect every supply shares, and the sources rows come from (gazetteer-standards §5.1).

A *source* is one CSV stream: a plain file, a member of a ``.zip``, or a member of a zip inside a
zip. Sources are opened lazily and read line by line, so memory does not grow with file size.
Lines are decoded one at a time: UTF-8 (any BOM stripped) and, where a format allows it, a
fallback encoding for lines that are not UTF-8.
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Final

ZIP_MAGIC: Final = b"PK\x03\x04"
BOM: Final = b"\xef\xbb\xbf"
MAX_FIELD_SIZE: Final = 1 << 24
MAX_REMEMBERED_ERRORS: Final = 1000

Opener = Callable[[], AbstractContextManager[IO[bytes]]]


@dataclass(frozen=True, kw_only=True, slots=True)
class Source:
    """One CSV stream. ``name`` is what reports show (``outer.zip!member.csv``)."""

    name: str
    base_name: str
    directory: str
    path: str
    opener: Opener = field(repr=False, compare=False)

    def open(self) -> AbstractContextManager[IO[bytes]]:
        return self.opener()


def expand(paths: Iterable[str | Path]) -> list[Source]:
    """Every CSV source under ``paths``: files, directories (recursively), zips and zips in zips."""
    sources: list[Source] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                sources.extend(_file_sources(child))
        else:
            sources.extend(_file_sources(path))
    return sources


def _file_sources(path: Path) -> list[Source]:
    if _is_zip_file(path):
        return _zip_sources(str(path), str(path), (), lambda: _open_path(path))
    return [
        Source(
            name=str(path),
            base_name=path.name,
            directory=str(path.parent),
            path=str(path),
            opener=lambda: _open_path(path),
        )
    ]


def _is_zip_file(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == ZIP_MAGIC


@contextmanager
def _open_path(path: Path) -> Iterator[IO[bytes]]:
    with path.open("rb") as handle:
        yield handle


def _zip_sources(
    display: str, physical: str, chain: tuple[str, ...], open_outer: Opener
) -> list[Source]:
    with _open_chain(open_outer, chain) as handle, zipfile.ZipFile(handle) as archive:
        members = sorted(i.filename for i in archive.infolist() if not i.is_dir())
        nested = {m for m in members if _member_is_zip(archive, m)}
    sources: list[Source] = []
    for member in members:
        member_chain = (*chain, member)
        name = f"{display}!{member}"
        if member in nested:
            sources.extend(_zip_sources(name, physical, member_chain, open_outer))
            continue
        posix = PurePosixPath(member)
        sources.append(
            Source(
                name=name,
                base_name=posix.name,
                directory=f"{display}!{posix.parent}",
                path=physical,
                opener=_chain_opener(open_outer, member_chain),
            )
        )
    return sources


def _member_is_zip(archive: zipfile.ZipFile, member: str) -> bool:
    with archive.open(member) as handle:
        return handle.read(4) == ZIP_MAGIC


def _chain_opener(open_outer: Opener, chain: tuple[str, ...]) -> Opener:
    return lambda: _open_chain(open_outer, chain)


@contextmanager
def _open_chain(open_outer: Opener, chain: Sequence[str]) -> Iterator[IO[bytes]]:
    """Open the outer file, then each member in turn (a zip inside a zip inside ...)."""
    with ExitStack() as stack:
        handle: IO[bytes] = stack.enter_context(open_outer())
        for member in chain:
            archive = stack.enter_context(zipfile.ZipFile(handle))
            handle = stack.enter_context(archive.open(member))
        yield handle


class CsvStream:
    """Rows of one source as ``(physical line number, fields)``; fields are raw strings.

    Undecodable lines are decoded with ``fallback_encoding`` when one is given (the line numbers
    go to :attr:`fallback_lines`), otherwise with replacement characters (to
    :attr:`encoding_error_lines`), so that one bad byte never hides the rest of the report.
    """

    def __init__(self, binary: IO[bytes], *, fallback_encoding: str | None = None) -> None:
        self._binary = binary
        self._fallback = fallback_encoding
        self.encoding_error_lines: list[int] = []
        self.fallback_lines: list[int] = []
        self.encoding_error_count = 0
        csv.field_size_limit(MAX_FIELD_SIZE)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(self._lines(), dialect="excel")
        for fields in reader:
            if fields and fields != [""]:
                yield reader.line_num, fields

    def _lines(self) -> Iterator[str]:
        for number, raw in enumerate(self._binary, start=1):
            chunk = raw[3:] if number == 1 and raw.startswith(BOM) else raw
            yield self._decode(number, chunk)

    def _decode(self, number: int, chunk: bytes) -> str:
        try:
            return chunk.decode("utf-8")
        except UnicodeDecodeError:
            if self._fallback is not None:
                _remember(self.fallback_lines, number)
                return chunk.decode(self._fallback, errors="replace")
            self.encoding_error_count += 1
            _remember(self.encoding_error_lines, number)
            return chunk.decode("utf-8", errors="replace")


def _remember(lines: list[int], number: int) -> None:
    if len(lines) < MAX_REMEMBERED_ERRORS:
        lines.append(number)


def read_rows(binary: IO[bytes]) -> Iterator[tuple[int, list[str | None]]]:
    """The §5.1 recipe: rows with empty fields read as ``None`` (for simple CSV products)."""
    for line, fields in CsvStream(binary).rows():
        yield line, [None if v == "" else v for v in fields]


def sniff_first_row(source: Source) -> list[str] | None:
    """The first non-blank row of a source, or ``None`` for an empty file."""
    with source.open() as handle:
        return next((fields for _, fields in CsvStream(handle).rows()), None)
