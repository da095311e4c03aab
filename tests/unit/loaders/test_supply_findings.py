"""Structural findings of the ABP and DTF readers: every problem named with file, line and code."""

from __future__ import annotations

import datetime as dt
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from loaders import layouts, model
from loaders.readers import abp, dtf
from loaders.writers import supply as writer
from tests import supplies

DATE = dt.date(2021, 3, 4)


def write(tmp_path: Path, flavour: str = "abp2", *, blpus: int = 3, **options: Any) -> list[Path]:
    state = supplies.sample_state(flavour, blpus)
    return supplies.write(
        tmp_path,
        flavour=flavour,
        head=supplies.header(process_date=DATE),
        changes=supplies.full_changes(state),
        options=writer.WriteOptions(**options),
    )


def read(
    paths: list[Path], flavour: str = "abp2", **kwargs: str
) -> tuple[list[model.Row], list[model.LoadFinding]]:
    reader = dtf if flavour == "dtf" else abp
    plan = reader.plan(paths, **kwargs)
    rows: list[model.Row] = []
    findings = list(plan.findings)
    for found in plan.supplies:
        for item in reader.read(found):
            if isinstance(item, model.Row):
                rows.append(item)
            else:
                findings.append(item)
    return rows, findings


def codes(findings: list[model.LoadFinding], severity: str = "E") -> list[str]:
    return [f.code for f in findings if f.severity == severity]


def edit_line(path: Path, index: int, edit: Callable[[bytes], bytes]) -> None:
    lines = path.read_bytes().split(b"\r\n")
    lines[index] = edit(lines[index])
    path.write_bytes(b"\r\n".join(lines))


def test_a_clean_supply_has_no_findings(tmp_path: Path) -> None:
    rows, findings = read(write(tmp_path))
    assert findings == []
    assert [r.record_id for r in rows][:3] == ["11", "15", "21"]
    assert rows[0].line == 2  # the header is line 1


@pytest.mark.parametrize("delta", [-1, 1])
def test_abp_field_count_off_by_one_is_an_error_naming_the_line(tmp_path: Path, delta: int) -> None:
    (path,) = write(tmp_path)
    edit_line(path, 3, lambda b: b + b',""' if delta > 0 else b.rsplit(b",", 1)[0])
    rows, findings = read([path])
    (finding,) = [f for f in findings if f.code == "FILE-FIELD-COUNT"]
    assert finding.severity == "E"
    assert finding.line == 4
    assert finding.record_type == "21"
    assert finding.key == "10001"
    assert "21" not in {r.record_id for r in rows if r.line == 4}


def test_dtf_extra_fields_warn_and_fewer_fields_are_errors(tmp_path: Path) -> None:
    (path,) = write(tmp_path, "dtf")
    edit_line(path, 3, lambda b: b + b',"EXTRA"')
    edit_line(path, 4, lambda b: b.rsplit(b",", 1)[0])
    rows, findings = read([path], "dtf")
    assert [(f.code, f.severity, f.line) for f in findings if f.code == "FILE-FIELD-COUNT"] == [
        ("FILE-FIELD-COUNT", "E", 5),
        ("FILE-FIELD-COUNT", "W", 4),
    ]
    assert 4 in {r.line for r in rows}


def test_every_bad_value_is_listed_with_field_and_code(tmp_path: Path) -> None:
    (path,) = write(tmp_path)
    layout = layouts.get("abp", "2").records["21"]
    x = layout.column("X_COORDINATE").position
    start = layout.column("START_DATE").position

    def corrupt(line: bytes) -> bytes:
        cells = line.split(b",")
        cells[x], cells[start] = b"29x100.0", b"2005-13-01"
        return b",".join(cells)

    edit_line(path, 3, corrupt)
    edit_line(path, 5, corrupt)
    _, findings = read([path])
    got = {(f.line, f.field, f.code) for f in findings if f.is_error}
    assert got == {
        (4, "X_COORDINATE", "FILE-NUMBER-FORMAT"),
        (4, "START_DATE", "FILE-DATE-FORMAT"),
        (6, "X_COORDINATE", "FILE-NUMBER-FORMAT"),
        (6, "START_DATE", "FILE-DATE-FORMAT"),
    }


def test_change_type_pro_order_and_full_insert_only(tmp_path: Path) -> None:
    (path,) = write(tmp_path)
    edit_line(path, 1, lambda b: b.replace(b'"I"', b'"X"', 1))
    edit_line(path, 2, lambda b: b.replace(b'"I"', b'"U"', 1))
    edit_line(path, 3, lambda b: b.replace(b',"I",3,', b',"I",three,', 1))
    _, findings = read([path])
    got = sorted((f.line, f.code, f.field) for f in findings if f.is_error)
    assert got == [
        (2, "FILE-CHANGE-TYPE", "CHANGE_TYPE"),
        (3, "FILE-FULL-INSERT-ONLY", "CHANGE_TYPE"),
        (4, "FILE-PRO-ORDER", "PRO_ORDER"),
    ]


def test_unknown_record_identifiers_are_skipped_with_a_warning(tmp_path: Path) -> None:
    (path,) = write(tmp_path)
    edit_line(path, 2, lambda b: b"77" + b[2:])
    rows, findings = read([path])
    assert codes(findings) == []
    (warning,) = [f for f in findings if f.code == "FILE-RECORD-ID-KNOWN"]
    assert warning.severity == "W" and warning.line == 3 and warning.record_type == "77"
    assert 3 not in {r.line for r in rows}


def test_dropping_a_data_row_flips_the_trailer_count_to_an_error(tmp_path: Path) -> None:
    (path,) = write(tmp_path)
    lines = path.read_bytes().split(b"\r\n")
    path.write_bytes(b"\r\n".join(lines[:3] + lines[4:]))
    _, findings = read([path])
    assert codes(findings) == ["FILE-TRAILER-COUNT"]


def test_a_truncated_volume_is_refused_as_truncated(tmp_path: Path) -> None:
    (path,) = write(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    _, findings = read([path])
    chain = [f for f in findings if f.code == "FILE-VOLUME-CHAIN"]
    assert chain and chain[0].is_error
    assert "truncated" in chain[0].message


def test_a_missing_volume_breaks_the_chain(tmp_path: Path) -> None:
    paths = write(tmp_path, blpus=6, volume_size=5)
    assert len(paths) >= 3
    paths[1].unlink()
    _, findings = read([paths[0], paths[2]])
    messages = [f.message for f in findings if f.code == "FILE-VOLUME-CHAIN"]
    assert any("[2]" in m and "missing" in m for m in messages)


def test_a_last_volume_that_points_on_is_refused(tmp_path: Path) -> None:
    paths = write(tmp_path, blpus=6, volume_size=5)
    _, findings = read(paths[:-1])
    assert "FILE-VOLUME-CHAIN" in codes(findings)


def test_multi_volume_supplies_read_in_volume_order_whatever_the_path_order(tmp_path: Path) -> None:
    paths = write(tmp_path, blpus=6, volume_size=5)
    rows, findings = read(list(reversed(paths)))
    assert codes(findings) == []
    orders = [r.pro_order for r in rows]
    assert orders == sorted(orders)


def test_mixed_file_without_header_is_an_error(tmp_path: Path) -> None:
    (path,) = write(tmp_path)
    lines = path.read_bytes().split(b"\r\n")
    path.write_bytes(b"\r\n".join(lines[1:]))
    _, findings = read([path])
    assert "FILE-HEADER-FIRST" in codes(findings)


def test_a_row_after_the_trailer_is_an_error(tmp_path: Path) -> None:
    (path,) = write(tmp_path)
    lines = path.read_bytes().split(b"\r\n")
    path.write_bytes(b"\r\n".join([*lines[:-1], lines[-1], lines[3]]))
    _, findings = read([path])
    assert "FILE-TRAILER-LAST" in codes(findings)


def test_an_unsupported_version_is_refused(tmp_path: Path) -> None:
    (path,) = write(tmp_path)
    edit_line(path, 0, lambda b: b.replace(b'"2.1"', b'"3.0"'))
    plan = abp.plan([path])
    assert plan.supplies == []
    assert [f.code for f in plan.findings] == ["FILE-VERSION-SUPPORTED"]


@pytest.mark.parametrize("flavour", ["abp1", "abp2"])
def test_split_files_without_header_records_detect_the_version(
    tmp_path: Path, flavour: str
) -> None:
    paths = write(tmp_path, flavour, split=True, envelope=False, header_row=True, line_ending="\n")
    plan = abp.plan(paths)
    assert plan.supplies[0].layout is supplies.layout_of(flavour)
    rows, findings = read(paths)
    assert codes(findings) == []
    assert {f.code for f in findings} == {"FILE-HEADER-FIRST", "FILE-TRAILER-LAST"}
    assert len(rows) == supplies.sample_state(flavour).count()


@pytest.mark.parametrize("flavour", ["abp1", "abp2"])
def test_a_lone_delivery_point_file_is_told_apart_by_postcode_type(
    tmp_path: Path, flavour: str
) -> None:
    paths = write(tmp_path, flavour, split=True, envelope=False)
    (directory,) = paths
    for path in directory.iterdir():
        if not path.name.startswith("ID28"):
            path.unlink()
    assert abp.plan([directory]).supplies[0].layout is supplies.layout_of(flavour)


@pytest.mark.parametrize(
    ("written", "forced", "probable"), [("abp2", "1", "2"), ("abp1", "2", "1")]
)
def test_delivery_points_read_with_the_wrong_layout_are_suspect(
    tmp_path: Path, written: str, forced: str, probable: str
) -> None:
    paths = write(tmp_path, written, blpus=6)
    _rows, findings = read(paths, schema_version=forced)
    suspect = [f for f in findings if f.code == "FILE-LAYOUT-SUSPECT"]
    assert suspect and all(f.is_error for f in suspect)
    assert any(f.record_type == "28" and f"schema {probable}" in f.message for f in suspect)


def test_swapped_dtf_dates_are_suspect(tmp_path: Path) -> None:
    (path,) = write(tmp_path, "dtf", blpus=6)
    record = layouts.get("dtf", "7.3").records["24"]
    entry = record.column("ENTRY_DATE").position
    update = record.column("LAST_UPDATE_DATE").position
    lines = path.read_bytes().split(b"\r\n")
    for i, line in enumerate(lines):
        if line.startswith(b"24,"):
            cells = line.split(b",")
            cells[entry], cells[update] = cells[update], cells[entry]
            lines[i] = b",".join(cells)
    path.write_bytes(b"\r\n".join(lines))
    _, findings = read([path], "dtf")
    (suspect,) = [f for f in findings if f.code == "FILE-LAYOUT-SUSPECT"]
    assert suspect.record_type == "24" and "swapped" in suspect.message


def test_header_row_names_are_compared_through_the_alias_table(tmp_path: Path) -> None:
    paths = write(tmp_path, "abp2", split=True, header_row=True)
    (directory,) = paths
    desc = directory / "ID15_StreetDesc_Records.csv"
    text = desc.read_text(encoding="utf-8")
    desc.write_text(text.replace("ADMINISTRATIVE_AREA", "ADMINSTRATIVE_AREA", 1), encoding="utf-8")
    _, findings = read(paths)
    assert findings == []
    desc.write_text(text.replace("TOWN_NAME", "TOWN", 1), encoding="utf-8")
    _, findings = read(paths)
    assert [(f.code, f.severity) for f in findings] == [("FILE-LAYOUT-SUSPECT", "W")]


def test_zip_in_zip_with_bom_and_lf(tmp_path: Path) -> None:
    paths = write(tmp_path, zipped=True, nested_zip=True, bom=True, line_ending="\n")
    (outer,) = paths
    with zipfile.ZipFile(outer) as archive:
        assert all(n.endswith(".zip") for n in archive.namelist())
    rows, findings = read(paths)
    assert findings == []
    assert rows[0].file.count("!") == 2


def test_invalid_utf8_is_an_error_for_abp_and_a_warning_for_dtf(tmp_path: Path) -> None:
    (path,) = write(tmp_path / "a")
    edit_line(path, 2, lambda b: b.replace(b"HIGH", b"H\xe9GH"))
    _, findings = read([path])
    assert [(f.code, f.line) for f in findings if f.is_error] == [("FILE-ENCODING", 3)]
    (dpath,) = write(tmp_path / "d", "dtf")
    edit_line(dpath, 2, lambda b: b.replace(b"HIGH", b"H\xe9GH"))
    rows, findings = read([dpath], "dtf")
    assert [(f.code, f.severity) for f in findings] == [("FILE-ENCODING", "W")]
    assert any(getattr(r.record, "description", None) == "HéGH STREET" for r in rows)


def test_supplies_are_planned_in_process_date_order(tmp_path: Path) -> None:
    state = supplies.sample_state("abp2", 1)
    for i, day in enumerate([dt.date(2021, 5, 1), dt.date(2020, 1, 1), dt.date(2021, 1, 1)]):
        supplies.write(
            tmp_path / str(i),
            flavour="abp2",
            head=supplies.header(process_date=day),
            changes=supplies.full_changes(state),
        )
    plan = abp.plan([tmp_path])
    assert [s.process_date for s in plan.supplies] == [
        dt.date(2020, 1, 1),
        dt.date(2021, 1, 1),
        dt.date(2021, 5, 1),
    ]


def _peak_reading(path: Path) -> int:
    tracemalloc.start()
    try:
        plan = abp.plan([path])
        for _ in abp.read(plan.supplies[0]):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_file_size(tmp_path: Path) -> None:
    small = write(tmp_path / "small", blpus=50)[0]
    large = write(tmp_path / "large", blpus=2000)[0]
    assert large.stat().st_size > 30 * small.stat().st_size
    assert _peak_reading(large) < 2 * _peak_reading(small) + 200_000
