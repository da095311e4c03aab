"""Write a supply (header, data rows, trailer) in any variant the readers accept.

Mixed (one file per volume) or split per record type, CRLF or LF, with or without a header-name
row, with or without the 10/99 envelope, zipped (or a zip in a zip), in volumes of a given size;
split volumes each in a folder of their own, or merged into one set of files as Ordnance
Survey's record splitter writes a multi-volume supply (one 10 and one 99 record per volume).
Rows stream straight to disk, so a supply of any size can be written.
"""

from __future__ import annotations

import dataclasses
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

from loaders import layouts, model
from loaders.writers import csvline

FILE_PREFIX: Final = {"abp": "AddressBasePremium", "dtf": "LLPG_DTF73"}


@dataclass(frozen=True, kw_only=True, slots=True)
class WriteOptions:
    split: bool = False
    line_ending: str = "\r\n"
    header_row: bool = False
    envelope: bool = True
    zipped: bool = False
    nested_zip: bool = False
    volume_size: int | None = None
    merge_volumes: bool = False
    """Split volumes share one file per record type (each volume's rows appended)."""
    final_newline: bool = False
    bom: bool = False
    metadata: model.Metadata | None = None


def stem(layout: layouts.Layout, header: model.Header) -> str:
    """``AddressBasePremium_FULL_2020-12-02`` (the volume number follows)."""
    kind = "COU" if header.file_type == "C" else "FULL"
    date = header.process_date.isoformat() if header.process_date else "undated"
    return f"{FILE_PREFIX[layout.format]}_{kind}_{date}"


def write_supply(
    directory: Path,
    *,
    layout: layouts.Layout,
    header: model.Header,
    changes: Iterable[model.Change],
    options: WriteOptions = WriteOptions(),
) -> list[Path]:
    """Write the supply under ``directory``; returns the paths to hand to a reader."""
    directory.mkdir(parents=True, exist_ok=True)
    header = dataclasses.replace(header, version=header.version or layout.version_written)
    volume_dirs: list[Path] = []
    for number, rows in enumerate(_volumes(changes, options.volume_size), start=1):
        volume_header = dataclasses.replace(header, volume_number=number)
        writer = _VolumeWriter(directory, layout, volume_header, options)
        volume_dirs.append(writer.root)
        count = 0
        for change in rows.items():
            writer.add(change)
            count += 1
        writer.close(next_volume=0 if rows.last else number + 1, record_count=count)
    return _package(directory, layout, header, options, volume_dirs)


class _Chunk:
    """The rows of one volume, drawn lazily from the shared iterator."""

    def __init__(self, source: _Numbered, size: int | None) -> None:
        self._source, self._size = source, size
        self.last = False

    def items(self) -> Iterator[model.Change]:
        taken = 0
        while self._size is None or taken < self._size:
            change = self._source.next()
            if change is None:
                self.last = True
                return
            taken += 1
            yield change
        self.last = self._source.exhausted()


class _Numbered:
    """Assigns PRO_ORDER (1, 2, ...) to changes that carry none, with one-row lookahead."""

    def __init__(self, changes: Iterable[model.Change]) -> None:
        self._it = iter(changes)
        self._peeked: model.Change | None = None
        self._order = 0

    def next(self) -> model.Change | None:
        change = self._peeked if self._peeked is not None else next(self._it, None)
        self._peeked = None
        if change is None:
            return None
        self._order += 1
        return change if change.pro_order is not None else _with_order(change, self._order)

    def exhausted(self) -> bool:
        if self._peeked is None:
            self._peeked = next(self._it, None)
        return self._peeked is None


def _with_order(change: model.Change, order: int) -> model.Change:
    return dataclasses.replace(change, pro_order=order)


def _volumes(changes: Iterable[model.Change], size: int | None) -> Iterator[_Chunk]:
    source = _Numbered(changes)
    while True:
        chunk = _Chunk(source, size)
        yield chunk
        if chunk.last:
            return


class _VolumeWriter:
    def __init__(
        self,
        directory: Path,
        layout: layouts.Layout,
        header: model.Header,
        options: WriteOptions,
    ) -> None:
        self.layout, self.header, self.options = layout, header, options
        number = header.volume_number or 1
        own_dir = options.volume_size and not options.merge_volumes
        split_dir = directory / f"{number:03d}" if own_dir else directory
        self.root = split_dir if options.split else directory
        self.root.mkdir(parents=True, exist_ok=True)
        self._mixed = directory / f"{stem(layout, header)}_{number:03d}.csv"
        self._files: dict[str, _LineFile] = {}
        self._formatters = {rid: csvline.LineFormatter(r) for rid, r in layout.records.items()}
        self._open_envelope()

    def _open_envelope(self) -> None:
        if self.options.split:
            self._file(layouts.HEADER_ID)
        if self.options.envelope:
            self._write(layouts.HEADER_ID, self._formatters[layouts.HEADER_ID].line(self.header))

    def add(self, change: model.Change) -> None:
        record = self.layout.by_entity(model.entity_of(change.record))
        if record is None:
            raise ValueError(f"{self.layout.format} has no record for {change.record!r}")
        line = self._formatters[record.record_id].line(
            change.record, change_type=change.change_type, pro_order=change.pro_order or 0
        )
        self._write(record.record_id, line)

    def close(self, *, next_volume: int, record_count: int) -> None:
        if self.options.metadata is not None and next_volume == 0:
            meta = self._formatters[layouts.METADATA_ID].line(self.options.metadata)
            self._write(layouts.METADATA_ID, meta)
        trailer = model.Trailer(
            next_volume_number=next_volume,
            record_count=record_count,
            entry_date=self.header.entry_date,
            time_stamp=self.header.time_stamp,
        )
        if self.options.split:
            self._file(layouts.TRAILER_ID)
        if self.options.envelope:
            self._write(layouts.TRAILER_ID, self._formatters[layouts.TRAILER_ID].line(trailer))
        for handle in self._files.values():
            handle.close(final_newline=self.options.final_newline)

    def _write(self, rid: str, line: str) -> None:
        self._file(rid).write(line)

    def _file(self, rid: str) -> _LineFile:
        key = rid if self.options.split else ""
        if key not in self._files:
            self._files[key] = self._open(rid)
        return self._files[key]

    def _open(self, rid: str) -> _LineFile:
        if not self.options.split:
            return _LineFile(self._mixed, self.options)
        record = self.layout.records[rid]
        path = self.root / (record.file_name or f"ID{rid}_Records.csv")
        appending = self.options.merge_volumes and path.exists()
        handle = _LineFile(path, self.options, append=appending)
        if self.options.header_row and not appending:
            handle.write(self._formatters[rid].header_row())
        return handle


class _LineFile:
    """A text file that puts the line ending between lines (and optionally after the last)."""

    def __init__(self, path: Path, options: WriteOptions, *, append: bool = False) -> None:
        self.path = path
        self._ending = options.line_ending
        self._started = append and _open_ended(path, self._ending)
        self._handle: IO[str] = path.open("a" if append else "w", encoding="utf-8", newline="")
        if options.bom and not append:
            self._handle.write("\ufeff")

    def write(self, line: str) -> None:
        if self._started:
            self._handle.write(self._ending)
        self._handle.write(line)
        self._started = True

    def close(self, *, final_newline: bool) -> None:
        if final_newline and self._started:
            self._handle.write(self._ending)
        self._handle.close()


def _open_ended(path: Path, ending: str) -> bool:
    """The file holds a line not yet followed by ``ending`` (its next line needs one first)."""
    with path.open("rb") as handle:
        size = handle.seek(0, 2)
        handle.seek(max(0, size - len(ending)))
        tail = handle.read()
    return size > len("\ufeff".encode()) and tail != ending.encode()


def _package(
    directory: Path,
    layout: layouts.Layout,
    header: model.Header,
    options: WriteOptions,
    volume_dirs: list[Path],
) -> list[Path]:
    if options.split:
        paths = sorted({*volume_dirs})
        if not options.zipped:
            return paths
        files = [p for root in paths for p in sorted(root.rglob("*.csv"))]
        target = directory / f"{stem(layout, header)}_csv.zip"
        return _nest([_zip(target, files, base=directory)], directory, options)
    plain = sorted(directory.glob(f"{stem(layout, header)}_*.csv"))
    if not options.zipped:
        return plain
    zips = [_zip(p.with_name(f"{p.stem}_csv.zip"), [p], base=p.parent) for p in plain]
    return _nest(zips, directory, options)


def _zip(target: Path, files: list[Path], *, base: Path) -> Path:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, arcname=path.relative_to(base).as_posix())
    for path in files:
        path.unlink()
    return target


def _nest(zips: list[Path], directory: Path, options: WriteOptions) -> list[Path]:
    if not options.nested_zip:
        return zips
    outer = directory / "supply_outer.zip"
    with zipfile.ZipFile(outer, "w") as archive:
        for path in zips:
            archive.write(path, arcname=path.name)
    for path in zips:
        path.unlink()
    return [outer]
