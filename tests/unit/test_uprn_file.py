"""``addresshub uprns register``'s file: one UPRN a line, or a CSV with a UPRN column."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.cli.uprns import read_uprns
from core.errors import InvalidInput


def test_one_uprn_a_line_with_blank_lines_and_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "held.txt"
    path.write_text("\ufeff100023336956\n\n  42 \r\n7\n", encoding="utf-8")
    assert read_uprns(path) == [100023336956, 42, 7]


def test_a_csv_with_a_uprn_column_anywhere(tmp_path: Path) -> None:
    path = tmp_path / "held.csv"
    path.write_text('account,Uprn,note\nA1,11,"x, y"\nA2,12,\n', encoding="utf-8")
    assert read_uprns(path) == [11, 12]
    first = tmp_path / "first.csv"
    first.write_text("UPRN\n5\n6\n", encoding="utf-8")
    assert read_uprns(first) == [5, 6]


def test_every_line_that_is_not_a_uprn_is_named(tmp_path: Path) -> None:
    path = tmp_path / "held.csv"
    path.write_text("uprn,name\n1,a\nx,b\n,c\n1234567890123,d\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"held.csv: not a UPRN .* on line 3, 4, 5$"):
        read_uprns(path)
    with pytest.raises(InvalidInput, match="cannot read"):
        read_uprns(tmp_path / "missing.txt")


def test_the_files_upper_bound_is_the_registers() -> None:
    from api.cli import uprns
    from notify import uprn_register

    assert uprns.MAX_UPRN == uprn_register.MAX_UPRN  # copied: the CLI starts without SQLAlchemy
