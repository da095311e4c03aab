"""The findings report of a supply load: a CSV file written as findings stream in.

Columns: file, line, record type, key, field, code, severity, message (the same columns as the
other loaders' reports). Only counters and the first few refusing findings stay in memory.
Severity ``E`` marks a finding that refuses the supply or rejects its row; ``W`` a row that was
loaded with a warning (rule findings of the validator are warnings on ingest, §4.1).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Final, TextIO

from loaders import model
from loaders.sources import report

KEPT: Final = 20


@dataclass(kw_only=True)
class ReportFile:
    path: Path
    refusing: int = 0
    rejected: int = 0
    warnings: int = 0
    first_refusing: list[model.LoadFinding] = field(default_factory=list)
    _stream: TextIO | None = None
    _writer: Any = None

    def open(self) -> ReportFile:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._stream = self.path.open("w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._stream)
        self._writer.writerow(report.FINDINGS_COLUMNS)
        return self

    def refuse(self, finding: model.LoadFinding) -> None:
        """A finding that refuses the whole supply."""
        self.refusing += 1
        if len(self.first_refusing) < KEPT:
            self.first_refusing.append(finding)
        self._write(finding)

    def reject(self, finding: model.LoadFinding) -> None:
        """A finding that keeps its row out of the gazetteer (the supply still applies)."""
        self.rejected += 1
        self._write(finding)

    def warn(self, finding: model.LoadFinding) -> None:
        self.warnings += 1
        self._write(finding)

    def add(self, finding: model.LoadFinding) -> None:
        """A reader finding: E refuses the supply, W is a warning."""
        if finding.is_error:
            self.refuse(finding)
        else:
            self.warn(finding)

    def _write(self, finding: model.LoadFinding) -> None:
        row = report.finding_json(finding)
        self._writer.writerow(["" if row[c] is None else row[c] for c in report.FINDINGS_COLUMNS])

    def summary(self) -> str:
        """One line naming the first refusing finding and how many there are."""
        if not self.first_refusing:
            return f"{self.warnings} warnings and {self.rejected} rejected rows (--strict)"
        first = self.first_refusing[0]
        where = f"{first.file} line {first.line}" if first.line is not None else first.file
        column = f" field {first.field}" if first.field else ""
        more = f" (and {self.refusing - 1} more)" if self.refusing > 1 else ""
        return f"{where}{column}: {first.code}: {first.message}{more}"

    def details(self) -> dict[str, Any]:
        return {
            "errors": self.refusing,
            "rejected": self.rejected,
            "warnings": self.warnings,
            "report_file": str(self.path),
            "findings": [report.finding_json(f) for f in self.first_refusing],
        }

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    def __enter__(self) -> ReportFile:
        return self.open()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
