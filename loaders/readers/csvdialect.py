"""The CSV dialect every supply shares, and the sources rows come from (gazetteer-standards §5.1).

A *source* is one CSV stream: a plain file, a member of a ``.zip``, or a member of a zip inside a
zip. Sources are opened lazily and read line by line, so memory does not grow with file size.
Lines are decoded one at a time: UTF-8 (any BOM stripped) and, where a format allows it, a
fallback encoding for lines that are not UTF-8.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Final

ZIP_MAGIC: Final = b"PK\x03\x04"
BOM: Final = b"\xef\xbb\xbf"
UTF16_BOMS: Final = (b"\xff\xfe", b"\xfe\xff")
MAX_FIELD_SIZE: Final = 1 << 24
MAX_REMEMBERED_ERRORS: Final = 1000
LEGACY_ENCODINGS: Final = "cp1252 or iso-8859-14"
"""The fallback of a format whose encoding is unverified (LLPG DTF, §4.1 row 1): each line that
is not UTF-8 is read as Windows-1252, or as ISO-8859-14 (Latin-8, Welsh) when it holds a byte
that is a Welsh letter there (Ŵ Ŷ ŵ ŷ) and an Icelandic one in Windows-1252 (Ð Þ ð þ), which no UK
address carries, and no byte of Windows-1252's own range 0x80-0x9F (curly quotes, dashes)."""
_WELSH_BYTES: Final = frozenset(b"\xd0\xde\xf0\xfe")
_END_OF_FILE: Final = "\x1a"
_AFTER_LONE_CR: Final = re.compile(rb"(?<=\r)(?!\n)")

Opener = Callable[[], AbstractContextManager[IO[bytes]]]


@dataclass(frozen=True, kw_only=True, slots=True)
class Source:
    """One CSV stream. ``name`` is what reports show (``outer.zip!member.csv``)."""

    name: str
    base_name: str
    directory: str
    path: str
    opener: Opener = field(repr=False, compare=False)
    contained: bool = False
    """Found inside a directory or a zip (not named on its own), so it may be clutter."""

    def open(self) -> AbstractContextManager[IO[bytes]]:
        return self.opener()


def expand(paths: Iterable[str | Path]) -> list[Source]:
    """Every CSV source under ``paths``: files, directories (recursively), zips and zips in zips."""
    sources: list[Source] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                sources.extend(_file_sources(child, contained=True))
        else:
            sources.extend(_file_sources(path, contained=False))
    return sources


def _file_sources(path: Path, *, contained: bool) -> list[Source]:
    if _is_zip_file(path):
        return _zip_sources(str(path), str(path), (), lambda: _open_path(path), str(path.parent))
    return [
        Source(
            name=str(path),
            base_name=path.name,
            directory=str(path.parent),
            path=str(path),
            opener=lambda: _open_path(path),
            contained=contained,
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
    display: str, physical: str, chain: tuple[str, ...], open_outer: Opener, home: str
) -> list[Source]:
    """The sources of a zip that sits in the directory ``home`` (on disk, or in another zip).

    A zip holding one file at its root stands for that file, as if it were unzipped where the
    zip is: so split record-type files zipped one per zip, side by side, still form one supply.
    """
    with _open_chain(open_outer, chain) as handle, zipfile.ZipFile(handle) as archive:
        members = sorted(i.filename for i in archive.infolist() if not i.is_dir())
        nested = {m for m in members if _member_is_zip(archive, m)}
    lone = len(members) == 1 and not nested
    sources: list[Source] = []
    for member in members:
        member_chain = (*chain, member)
        name = f"{display}!{member}"
        posix = PurePosixPath(member.replace("\\", "/"))  # Windows tools may write "a\\b.csv"
        directory = f"{display}!{posix.parent}"
        if member in nested:
            sources.extend(_zip_sources(name, physical, member_chain, open_outer, directory))
            continue
        sources.append(
            Source(
                name=name,
                base_name=posix.name,
                directory=home if lone and posix.parent == PurePosixPath(".") else directory,
                path=physical,
                opener=_chain_opener(open_outer, member_chain),
                contained=True,
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
        self.nul_lines: list[int] = []
        self.encoding_error_count = 0
        self.utf16 = False
        """The file began with a UTF-16 byte order mark and was read as UTF-16."""
        csv.field_size_limit(MAX_FIELD_SIZE)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(self._lines(), dialect="excel")
        for fields in reader:
            if not is_blank(fields):
                yield reader.line_num, fields

    def _lines(self) -> Iterator[str]:
        number = 0
        for raw in self._binary_lines():
            for piece in split_lone_cr(raw):
                number += 1
                chunk = piece[3:] if number == 1 and piece.startswith(BOM) else piece
                yield self._decode(number, chunk)

    def _binary_lines(self) -> Iterable[bytes]:
        """The file's lines as UTF-8 bytes: as they are, or re-encoded from UTF-16 when the file
        starts with its byte order mark (a spreadsheet's "Unicode text" export)."""
        peek = getattr(self._binary, "peek", None)
        if peek is None or peek(2)[:2] not in UTF16_BOMS:
            return self._binary
        self.utf16 = True
        return _utf16_lines(self._binary)

    def _decode(self, number: int, chunk: bytes) -> str:
        text = self._decode_line(number, chunk)
        if "\x00" not in text:
            return text
        _remember(self.nul_lines, number)
        return text.replace("\x00", "")

    def _decode_line(self, number: int, chunk: bytes) -> str:
        try:
            return chunk.decode("utf-8")
        except UnicodeDecodeError:
            if self._fallback is not None:
                _remember(self.fallback_lines, number)
                return chunk.decode(legacy_encoding(chunk, self._fallback), errors="replace")
            self.encoding_error_count += 1
            _remember(self.encoding_error_lines, number)
            return chunk.decode("utf-8", errors="replace")


def _utf16_lines(binary: IO[bytes]) -> Iterator[bytes]:
    text = io.TextIOWrapper(binary, encoding="utf-16", errors="replace", newline="")
    try:
        for line in text:
            yield line.encode("utf-8")
    finally:
        text.detach()


def split_lone_cr(raw: bytes) -> list[bytes]:
    """One binary line (up to LF) as lines ending in CR, CRLF or LF: a file written with the
    old Macintosh convention (CR alone) reads line by line, as the universal-newline mode would."""
    if b"\r" not in raw or (raw.count(b"\r") == 1 and raw.endswith(b"\r\n")):
        return [raw]
    return [piece for piece in _AFTER_LONE_CR.split(raw) if piece]


def legacy_encoding(chunk: bytes, fallback: str) -> str:
    """The encoding to read a line that is not UTF-8 with (see :data:`LEGACY_ENCODINGS`)."""
    if fallback != LEGACY_ENCODINGS:
        return fallback
    welsh = not _WELSH_BYTES.isdisjoint(chunk)
    if welsh and not any(0x80 <= byte <= 0x9F for byte in chunk):
        return "iso-8859-14"
    return "cp1252"


def is_blank(fields: Sequence[str]) -> bool:
    """A row with nothing in it: no fields, empty or blank ones (a line of commas or spaces that
    a spreadsheet leaves at the end), or a DOS end-of-file character (Ctrl-Z)."""
    return all(not value.strip().strip(_END_OF_FILE).strip() for value in fields)


SUPPLY: Final = "supply"
NAMES_ONLY: Final = "names only"
NOT_SUPPLY: Final = "not a supply"


def sniff(source: Source) -> str:
    """What a file found in a directory or zip holds, from its first rows that are not blank:
    :data:`SUPPLY` (a record identifier first, a header-name row followed by more rows, or an
    empty file), :data:`NAMES_ONLY` (a header-name row alone, as in OS's separate header files)
    or :data:`NOT_SUPPLY` (a readme, a licence PDF, a Mac resource fork)."""
    rows = _first_rows(source, 2)
    if not rows:
        return SUPPLY
    first = rows[0][0].strip().upper()
    if first.isascii() and first.isdigit():
        return SUPPLY
    if first != "RECORD_IDENTIFIER":
        return NOT_SUPPLY
    return SUPPLY if len(rows) > 1 else NAMES_ONLY


def looks_like_supply(source: Source) -> bool:
    return sniff(source) != NOT_SUPPLY


def _first_rows(source: Source, count: int) -> list[list[str]]:
    with source.open() as handle:
        head = handle.read(1 << 16)
    if head[:2] in UTF16_BOMS:
        text = head.decode("utf-16", errors="replace")
    else:
        text = head.removeprefix(BOM).decode("utf-8", errors="replace")
    rows: list[list[str]] = []
    for line in text.splitlines():
        fields = next(csv.reader([line]), [])
        if not is_blank(fields):
            rows.append(fields)
        if len(rows) == count:
            break
    return rows


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
