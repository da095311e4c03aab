"""The load report (issue 3's shape) and the findings file beside it (pure types + a CSV sink)."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Final, TextIO

from loaders.readers import sources

FINDINGS_COLUMNS: Final = (
    "file",
    "line",
    "record_type",
    "key",
    "field",
    "code",
    "severity",
    "message",
)
KEPT_FINDINGS: Final = 100
KEPT_WARNINGS: Final = 1000


@dataclass(frozen=True, kw_only=True, slots=True)
class Counts:
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    rejected: int = 0

    def as_json(self) -> dict[str, int]:
        return {
            "inserted": self.inserted,
            "updated": self.updated,
            "deleted": self.deleted,
            "rejected": self.rejected,
        }


@dataclass(frozen=True, kw_only=True, slots=True)
class SourceFile:
    path: str
    sha256: str
    bytes: int

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": self.sha256, "bytes": self.bytes}


def describe(path: Path) -> SourceFile:
    """The file's resolved path, SHA-256 and size, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return SourceFile(
        path=str(path.resolve()), sha256=digest.hexdigest(), bytes=path.stat().st_size
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class LoadReport:
    run_id: str
    format: str
    files: tuple[SourceFile, ...]
    records: dict[str, Counts]
    warnings: int = 0
    unchanged: bool = False
    report_file: str | None = None
    schema_version: str | None = None
    attribution: str | None = None

    def as_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "run_id": self.run_id,
            "format": self.format,
            "schema_version": self.schema_version,
            "files": [f.as_json() for f in self.files],
            "records": {name: counts.as_json() for name, counts in self.records.items()},
            "warnings": self.warnings,
            "unchanged": self.unchanged,
            "report_file": self.report_file,
        }
        if self.attribution:
            document["attribution"] = self.attribution
        return document


def finding_json(finding: sources.Finding) -> dict[str, Any]:
    return {
        "file": finding.file,
        "line": finding.line,
        "record_type": finding.record_type,
        "key": finding.key,
        "field": finding.field,
        "code": finding.code,
        "severity": finding.severity,
        "message": finding.message,
    }


@dataclass(kw_only=True)
class FindingSink:
    """Streams findings to ``<directory>/<run_id>.csv`` (created on the first one) and counts.

    Keeps the first errors and warnings in memory for messages and the load run row; the
    file holds all of them, so memory stays flat whatever the source holds.
    """

    directory: Path
    run_id: str
    errors: int = 0
    warnings: int = 0
    first_errors: list[sources.Finding] = field(default_factory=list)
    kept_warnings: list[sources.Finding] = field(default_factory=list)
    _stream: TextIO | None = None
    _writer: Any = None

    @property
    def path(self) -> Path | None:
        return self.directory / f"{self.run_id}.csv" if self._stream is not None else None

    def add(self, finding: sources.Finding) -> None:
        if finding.is_error:
            self.errors += 1
            if len(self.first_errors) < KEPT_FINDINGS:
                self.first_errors.append(finding)
        else:
            self.warnings += 1
            if len(self.kept_warnings) < KEPT_WARNINGS:
                self.kept_warnings.append(finding)
        self._write(finding)

    def _write(self, finding: sources.Finding) -> None:
        if self._stream is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            path = self.directory / f"{self.run_id}.csv"
            self._stream = path.open("w", encoding="utf-8", newline="")
            self._writer = csv.writer(self._stream)
            self._writer.writerow(FINDINGS_COLUMNS)
        row = finding_json(finding)
        self._writer.writerow(["" if row[c] is None else row[c] for c in FINDINGS_COLUMNS])

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()

    def __enter__(self) -> FindingSink:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def refusal_message(sink: FindingSink) -> str:
    """One line naming the first error and how many there are in all."""
    first = sink.first_errors[0]
    where = f"{first.file} line {first.line}" if first.line is not None else first.file
    field_part = f" field {first.field}" if first.field else ""
    more = f" (and {sink.errors - 1} more)" if sink.errors > 1 else ""
    report = f"; every finding is in {sink.path}" if sink.path else ""
    return f"{where}{field_part}: {first.code}: {first.message}{more}{report}"
