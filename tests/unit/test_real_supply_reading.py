"""Supplies shaped as real Ordnance Survey files are, written by hand rather than by the
project's own writer: OS's quoting (text quoted, numbers and dates bare, empty optional fields
``""`` or nothing), a quoted text holding commas, coordinates with leading zeros, latitudes with
8 decimals, Welsh letters, and a multi-volume supply put through OS's record splitter, which
writes every volume into one file per record type (one header and one trailer per volume, in the
order it met the volumes) with an unquoted header-name row and LF line ends.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from loaders import layouts, model
from loaders.readers import abp, dtf, engine

HEADER = '10,"NAG Hub - GeoPlace",9999,2020-12-02,{volume},2020-12-02,03:34:46,"2.1","F"'
DATE = "2020-12-02"
VOLUME_1 = [
    '11,"I",620690,14200759,1,1110,2,1990-01-01,1,8,0,2003-07-02,,2015-08-19,2003-07-02,'
    "292906.00,093301.00,50.7237730,-3.5226588,293000.00,093340.00,50.72412690,-3.52133310,10",
    '15,"I",620691,14200759,"POLSLOE ROAD","","EXETER","DEVON","ENG",2003-07-02,,2015-08-19,'
    "2003-07-02",
    '21,"I",620700,100040224155,1,2,2007-10-10,,292950.50,093120.00,50.7221123,-3.5220421,1,'
    '1110,"E",2007-10-10,,2016-02-10,2001-03-19,"D","EX4 6JF",0',
    '24,"I",620702,100040224155,"1110L000163496","ENG",1,2001-03-19,,2016-02-10,2001-03-19,,"",,'
    '"","",12,"",,"","",14200759,"1","","",""',
    '31,"I",620704,100040224155,"1110O000012345","SMITH, JONES & CO","",2008-01-01,,2016-02-10,'
    "2008-01-01",
]
VOLUME_2 = [
    '21,"I",620710,100100001234,1,,,,241917.00,222451.50,51.8591234,-4.3070000,1,6825,"W",'
    '2007-10-10,,2016-02-10,2001-03-19,"D","SA31 1AA",0',
    '24,"I",620711,100100001234,"6825L000000001","CYM",1,2001-03-19,,2016-02-10,2001-03-19,,"",,'
    '"","",3,"",,"","TŶ YR YSGOL",14200759,"1","","","Y"',
    '28,"I",620713,100100001234,22565643,"","","","SCHOOL HOUSE",3,"","HILL ROAD","","",'
    '"CARMARTHEN","SA31 1AA","S","2B","","FFORDD Y BRYN","","","CAERFYRDDIN","",2016-02-09,'
    "2012-03-19,,2016-02-10,2001-03-19",
    '32,"I",620715,100100001234,"6825C000000001","RD02",'
    '"AddressBase Premium Classification Scheme",1.0,2016-02-10,,2016-02-10,2016-02-10',
]
METADATA = (
    '29,"AddressBase Premium","BLPUs, Delivery Points, Streets and associated information",'
    '"England, Wales and Scotland","PAF, Code-Point, Boundary-line","GeoPlace","D","GeoPlace",'
    '100023346366,9999,"ETRS89","Metres",2020-11-30,'
    '"AddressBase Premium Classification Scheme version 1.0",2020-11-30,"BIL","UTF-8"'
)


def volume(number: int, rows: list[str], *, following: int, last: bool = False) -> list[str]:
    """A mixed volume as OS supplies it: header, data rows, metadata on the last, trailer."""
    meta = [METADATA] if last else []
    trailer = f"99,{following},{len(rows)},{DATE},03:34:46"
    return [HEADER.format(volume=number), *rows, *meta, trailer]


def two_volumes() -> list[list[str]]:
    return [volume(1, VOLUME_1, following=2), volume(2, VOLUME_2, following=0, last=True)]


def os_split(volumes: Sequence[Sequence[str]], directory: Path) -> Path:
    """What OS's record splitter writes: each volume's rows appended, in the order given, to one
    file per record type that starts with the unquoted column names; quotes only where needed."""
    layout = layouts.get("abp", "2")
    files: dict[str, io.StringIO] = {}
    for lines in volumes:
        for row in csv.reader(lines):
            record = layout.records[row[0]]
            if record.record_id not in files:
                files[record.record_id] = io.StringIO()
                names = [c.name for c in record.columns]
                csv.writer(files[record.record_id], lineterminator="\n").writerow(names)
            csv.writer(files[record.record_id], lineterminator="\n").writerow(row)
    directory.mkdir(parents=True, exist_ok=True)
    for rid, text in files.items():
        name = layout.records[rid].file_name
        assert name is not None
        (directory / name).write_text(text.getvalue(), encoding="utf-8")
    return directory


def read(path: Path) -> tuple[int, list[model.Row], list[model.LoadFinding]]:
    plan = abp.plan([path])
    items: list[engine.Item] = list(plan.findings)
    for found in plan.supplies:
        items.extend(abp.read(found))
    rows = [i for i in items if isinstance(i, model.Row)]
    return len(plan.supplies), rows, [i for i in items if isinstance(i, model.LoadFinding)]


def errors(findings: list[model.LoadFinding]) -> list[tuple[str, str]]:
    return [(f.code, f.message) for f in findings if f.is_error]


def test_a_mixed_volume_as_os_writes_it_reads_every_row(tmp_path: Path) -> None:
    path = tmp_path / "AddressBasePremium_FULL_2020-12-02_001.csv"
    lines = volume(1, [*VOLUME_1, *VOLUME_2], following=0, last=True)
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode())
    supplies, rows, findings = read(path)
    assert supplies == 1 and errors(findings) == []
    assert len(rows) == len(VOLUME_1) + len(VOLUME_2)
    blpu = next(r.record for r in rows if r.record_id == "21")
    assert (blpu.x_coordinate, blpu.y_coordinate) == (292950.50, 93120.00)  # type: ignore[union-attr]
    assert blpu.parent_uprn is None  # type: ignore[union-attr]
    org = next(r.record for r in rows if r.record_id == "31")
    assert org.organisation == "SMITH, JONES & CO"  # type: ignore[union-attr]
    assert org.legal_name is None  # type: ignore[union-attr]
    welsh = next(r.record for r in rows if r.record_id == "24" and r.pro_order == 620711)
    assert welsh.pao_text == "TŶ YR YSGOL"  # type: ignore[union-attr]


def test_a_multi_volume_supply_split_by_os_reads_as_one_supply(tmp_path: Path) -> None:
    supplies, rows, findings = read(os_split(two_volumes(), tmp_path / "split"))
    assert supplies == 1
    assert errors(findings) == []
    assert sorted(r.pro_order for r in rows) == sorted(
        int(line.split(",")[2]) for line in (*VOLUME_1, *VOLUME_2)
    )
    assert not [f for f in findings if f.code.startswith(("FILE-TRAILER", "FILE-HEADER"))]


def test_volumes_met_in_another_order_by_the_splitter_still_read(tmp_path: Path) -> None:
    supplies, rows, findings = read(os_split(two_volumes()[::-1], tmp_path / "split"))
    assert supplies == 1 and errors(findings) == []
    assert len(rows) == len(VOLUME_1) + len(VOLUME_2)
    assert {f.code for f in findings if f.severity == "W"} <= {"FILE-PRO-ORDER"}


def test_a_row_missing_from_a_merged_split_set_breaks_the_summed_record_count(
    tmp_path: Path,
) -> None:
    first, second = two_volumes()
    first = [line for line in first if not line.startswith(("24,", "31,"))]
    _, _, findings = read(os_split([first, second], tmp_path / "split"))
    assert [code for code, _ in errors(findings)] == ["FILE-TRAILER-COUNT"]
    assert "sum to 9 but the volume holds 7" in errors(findings)[0][1]


def test_a_merged_split_set_without_its_last_volume_is_refused(tmp_path: Path) -> None:
    _, _, findings = read(os_split(two_volumes()[:1], tmp_path / "split"))
    assert errors(findings) == [
        ("FILE-VOLUME-CHAIN", f"supply of {DATE}: volume 1 says volume 2 follows, "
                              "but it was not given"),
    ]  # fmt: skip


def test_a_volume_given_twice_to_the_splitter_is_refused(tmp_path: Path) -> None:
    first, second = two_volumes()
    _, _, findings = read(os_split([first, first, second], tmp_path / "split"))
    assert errors(findings) == [
        ("FILE-VOLUME-CHAIN", f"supply of {DATE}: volume(s) [1] given more than once"),
    ]


def test_two_supplies_split_into_one_set_of_files_are_refused(tmp_path: Path) -> None:
    first, second = two_volumes()
    later = [line.replace(DATE, "2020-12-09") for line in second]
    _, _, findings = read(os_split([first, later], tmp_path / "split"))
    messages = [m for code, m in errors(findings) if code == "FILE-VOLUME-CHAIN"]
    assert any("hold more than one supply" in m and "2020-12-09" in m for m in messages)


def test_a_merged_split_set_missing_a_trailer_is_refused(tmp_path: Path) -> None:
    first, second = two_volumes()
    _, _, findings = read(os_split([first, second[:-1]], tmp_path / "split"))
    assert any(
        code == "FILE-VOLUME-CHAIN" and "2 header records (10) but 1 trailer" in message
        for code, message in errors(findings)
    )


def test_a_mixed_file_still_holds_one_header_and_one_trailer(tmp_path: Path) -> None:
    first, second = two_volumes()
    path = tmp_path / "AddressBasePremium_FULL_2020-12-02_001.csv"
    path.write_text("\r\n".join([*first, *second]), encoding="utf-8")
    _, _, findings = read(path)
    codes = [code for code, _ in errors(findings)]
    assert "FILE-HEADER-FIRST" in codes and "FILE-TRAILER-LAST" in codes


DTF_HEADER = '10,"EXETER CITY COUNCIL",1110,2024-01-08,1,2024-01-08,120000,"7.3","F"'
DTF_ROWS = [
    '11,"I",1,14200759,1,1110,2,1990-01-01,1,8,1,2003-07-02,2015-08-19,2003-07-02,,'
    "292906.00,093301.00,293000.00,093340.00,10",
    '15,"I",2,14200759,"POLSLOE ROAD","","EXETER","DEVON","ENG"',
    '25,"I",3,100040224155,"1110E000000001"',
    '98,"I",4,"VOLUME"',
    '77,"I",5,"SOMETHING ELSE"',
]


def test_dtf_records_the_format_skips_are_counted_apart_from_unknown_ones(tmp_path: Path) -> None:
    """§5.3: records 25, 26, 27 and 98 are DTF records skipped with a count; only an identifier
    the format does not have is unknown."""
    path = tmp_path / "1110_LLPG_FULL_2024-01-08.csv"
    lines = [DTF_HEADER, *DTF_ROWS, f"99,0,{len(DTF_ROWS)},2024-01-08,120000"]
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")
    plan = dtf.plan([path])
    (found,) = plan.supplies
    findings = [i for i in dtf.read(found) if isinstance(i, model.LoadFinding)]
    skipped = {f.record_type: f.message for f in findings if f.code == "FILE-RECORD-ID-KNOWN"}
    assert skipped == {
        "25": "record '25' is not loaded: 1 rows skipped",
        "98": "record '98' is not loaded: 1 rows skipped",
        "77": "record '77' is not a known record identifier: 1 rows skipped",
    }
    assert errors(findings) == []
