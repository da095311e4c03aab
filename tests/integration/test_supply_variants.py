"""Real-supply variations a specification-following supplier may produce (gazetteer-standards §5).

Each variant rewrites a generated supply the way another writer could have written the same
records (every field quoted or none, quoted numbers, LF or mixed line endings, a BOM, blank or
filler lines at the end, decimals without their trailing zeros, a zip with a folder or with
files that are not supplies, optional DTF records, a fallback encoding). The variant must load
the same tables as the supply it came from, on both engines, through the precise reader and on
PostgreSQL through the fast staging path too, and both paths must write the same report.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import pytest
import sqlalchemy as sa

from core import db
from gazetteer import domain
from loaders import errors, layouts, model, service
from loaders.writers import supply as writer
from tests import supplies
from tests.integration import supply_db

DAY0 = dt.date(2021, 1, 4)
Variant = Callable[[list[Path], Path], list[Path]]
Quoting = Literal[0, 1, 2, 3]


# --- the supply the variants start from ------------------------------------------------------


def _state(flavour: str) -> supplies.State:
    """The sample gazetteer plus an organisation, a successor and a Welsh descriptor."""
    base = supplies.sample_state(flavour, 3)
    extra: list[model.GazetteerRecord] = [
        domain.Organisation(uprn=10_001, org_key="1110O000010001",
                            organisation="SIOP Y BONT \\ CAFFI", legal_name='Y "BONT" CYF'),
        domain.Successor(uprn=10_002, succ_key="1110S000010002", successor=10_003),
        domain.StreetDescriptor(usrn=14_200_001, description="STRYD FAWR Y GŴYR ŶD",
                                town_name="CAERWYSG", administrative_area="DYFNAINT",
                                language="CYM", start_date=dt.date(2005, 1, 1),
                                entry_date=dt.date(2005, 2, 1),
                                last_update_date=dt.date(2010, 3, 1)),
    ]  # fmt: skip
    layout = supplies.layout_of(flavour)
    kept = [r for r in extra if layout.by_entity(model.entity_of(r)) is not None]
    return supplies.state_of([*base.all(), *(supplies.restrict(r, layout) for r in kept)])


def _write(root: Path, flavour: str, **options: Any) -> list[Path]:
    head = supplies.header(process_date=DAY0)
    return supplies.write(root, flavour=flavour, head=head,
                          changes=supplies.full_changes(_state(flavour)),
                          options=writer.WriteOptions(**options))  # fmt: skip


# --- rewriting the files ---------------------------------------------------------------------


def _rows(path: Path, encoding: str = "utf-8-sig") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return [row for row in csv.reader(handle) if row]


def _text(rows: list[list[str]], *, quoting: Quoting, ending: str = "\r\n") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, quoting=quoting, lineterminator=ending).writerows(rows)
    return buffer.getvalue().removesuffix(ending)


def _rewrite(text: Callable[[Path], str], *, encoding: str = "utf-8") -> Variant:
    def variant(paths: list[Path], root: Path) -> list[Path]:
        out = []
        for path in paths:
            target = root / path.name
            target.write_bytes(text(path).encode(encoding))
            out.append(target)
        return out

    return variant


def _original(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def _quoting(quoting: Quoting) -> Variant:
    return _rewrite(lambda p: _text(_rows(p), quoting=quoting))


def _ending(ending: str) -> Variant:
    return _rewrite(lambda p: ending.join(_original(p).split("\r\n")))


def _mixed_endings(path: Path) -> str:
    lines = _original(path).split("\r\n")
    return "".join(line + ("\n" if i % 2 else "\r\n") for i, line in enumerate(lines))


def _suffix(suffix: str) -> Variant:
    return _rewrite(lambda p: _original(p) + suffix)


def _decimals_trimmed(path: Path) -> str:
    """Decimals written without trailing zeros (``292100`` for ``292100.00``, ``50.72``)."""
    rows = _rows(path)
    layout = layouts.get(*_format_of(rows))
    for row in rows:
        record = layout.record(str(int(row[0])))
        for column in record.columns if record else ():
            if column.type in {"dec2", "dec7"} and "." in row[column.position]:
                row[column.position] = row[column.position].rstrip("0").rstrip(".")
    return _text(rows, quoting=csv.QUOTE_MINIMAL)


def _format_of(rows: list[list[str]]) -> tuple[str, str]:
    version = rows[0][7]
    return ("dtf", "7.3") if version.startswith("7") else ("abp", version[0])


def _zipped(members: Callable[[Path], dict[str, bytes]]) -> Variant:
    def variant(paths: list[Path], root: Path) -> list[Path]:
        target = root / "AddressBasePremium_FULL_2021-01-04_001_csv.zip"
        with zipfile.ZipFile(target, "w") as archive:
            for path in paths:
                for name, data in members(path).items():
                    archive.writestr(name, data)
        return [target]

    return variant


def _with_clutter(path: Path) -> dict[str, bytes]:
    """What a redistributed zip may hold beside the supply: a folder, a readme, Mac forks."""
    return {
        f"data/{path.name}": path.read_bytes(),
        "data/readme.txt": b"AddressBase Premium supplied under licence.\r\n",
        f"__MACOSX/data/._{path.name}": b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X",
        "data/.DS_Store": b"\x00\x00\x00\x01Bud1",
        "headers/Record_21_BLPU_Header.csv": b"RECORD_IDENTIFIER,CHANGE_TYPE,PRO_ORDER,UPRN\r\n",
        "licence.pdf": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
    }


def _split(
    *,
    names: Callable[[str], str],
    bom: bool,
    zipped_with: str | None = None,
    zip_each: str | None = None,
) -> Variant:
    """Split per record type as OS's record splitter writes it (LF, an unquoted header-name row,
    every row still led by its record identifier), header names as ``names`` gives them; in a
    zip whose member paths use ``zipped_with`` as the folder separator, when given; or each file
    in a zip of its own (``zip_each``: the directory of zips is given, or the zips one by one)."""

    def variant(paths: list[Path], root: Path) -> list[Path]:
        files: dict[str, list[str]] = {}
        for path in paths:
            rows = _rows(path)
            layout = layouts.get(*_format_of(rows))
            for row in rows:
                record = layout.records[str(int(row[0]))]
                assert record.file_name is not None
                lines = files.setdefault(record.file_name, [
                    ("\ufeff" if bom else "") + ",".join(names(c.name) for c in record.columns)
                ])  # fmt: skip
                lines.append(_text([row], quoting=csv.QUOTE_MINIMAL, ending="\n"))
        if zip_each is not None:
            zips = [root / f"{Path(name).stem}.zip" for name in files]
            for target, (name, lines) in zip(zips, files.items(), strict=True):
                with zipfile.ZipFile(target, "w") as archive:
                    archive.writestr(name, "\n".join(lines) + "\n")
            return [root] if zip_each == "directory" else zips
        if zipped_with is None:
            for name, lines in files.items():
                (root / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
            return [root]
        target = root / "AddressBasePremium_FULL_2021-01-04_001_csv.zip"
        with zipfile.ZipFile(target, "w") as archive:
            for name, lines in files.items():
                archive.writestr(f"supply{zipped_with}{name}", "\n".join(lines) + "\n")
        return [target]

    return variant


def _directory_with_readme(paths: list[Path], root: Path) -> list[Path]:
    for path in paths:
        (root / path.name).write_bytes(path.read_bytes())
    (root / "readme.txt").write_text("Supply notes.\r\nNothing to load here.\r\n")
    (root / "._readme.txt").write_bytes(b"\x00\x05\x16\x07")
    return [root]


def _insert_before_trailer(extra: list[str]) -> Callable[[Path], str]:
    """Rows of optional record types before the trailer, with the trailer's count raised."""

    def text(path: Path) -> str:
        lines = _original(path).split("\r\n")
        trailer = lines[-1].split(",")
        trailer[2] = str(int(trailer[2]) + len(extra))
        return "\r\n".join([*lines[:-1], *extra, ",".join(trailer)])

    return text


def _metadata_extra_field(path: Path) -> str:
    """A metadata record (29) with one field more than the layout (its layout is unverified)."""
    meta = ('29,"GAZ","SCOPE","TER","LINKED","OWNER","S","CUSTODIAN",100023346366,9999,'
            '"ETRS89","Metres",2020-11-30,"Scheme",2020-11-30,"ENG","UTF-8","EXTRA"')  # fmt: skip
    lines = _original(path).split("\r\n")
    return "\r\n".join([*lines[:-1], meta, lines[-1]])


def _utf16(path: Path) -> bytes:
    return _original(path).encode("utf-16")


def _bytes(data: Callable[[Path], bytes]) -> Variant:
    def variant(paths: list[Path], root: Path) -> list[Path]:
        for path in paths:
            (root / path.name).write_bytes(data(path))
        return [root / path.name for path in paths]

    return variant


DTF_OPTIONAL = [
    '12,"I",900001,14200001,1,1,39200001,1,2005-02-01',
    '13,"I",900002,39200001,1,2,10,2005-02-01,2005-01-01,2010-03-01,,1',
    '14,"I",900003,39200001,1,1,292000.50,92000.25',
    '25,"I",900004,10001,1,2005-01-01',
    '98,"I",900005,"anything"',
]

ABP_VARIANTS: dict[str, Variant] = {
    "every field quoted": _quoting(csv.QUOTE_ALL),
    "only what needs quotes": _quoting(csv.QUOTE_MINIMAL),
    "LF": _ending("\n"),
    "LF and CRLF mixed": _rewrite(_mixed_endings),
    "CR alone (old Macintosh)": _ending("\r"),
    "UTF-16 with its byte order mark": _bytes(_utf16),
    "a final CRLF and blank lines": _suffix("\r\n\r\n\r\n"),
    "a line of spaces at the end": _suffix("\r\n   \r\n"),
    "a line of empty fields at the end": _suffix("\r\n,,,,,,,,\r\n"),
    "an end-of-file character": _suffix("\r\n\x1a"),
    "a BOM": _rewrite(lambda p: "\ufeff" + _original(p)),
    "decimals without trailing zeros": _rewrite(_decimals_trimmed),
    "times as HHMMSS": _rewrite(lambda p: _original(p).replace(",09:01:38", ",090138")),
    "a zip with a folder, a readme and Mac forks": _zipped(_with_clutter),
    "a directory with a readme": _directory_with_readme,
    "split, header names in lower case after a BOM": _split(names=str.lower, bom=True),
    "split, header names quoted": _split(names=lambda n: f'"{n}"', bom=False),
    "split in a zip with Windows folder separators": _split(
        names=str.upper, bom=False, zipped_with="\\"
    ),
    "split, each file in a zip of its own, the directory given": _split(
        names=str.upper, bom=False, zip_each="directory"
    ),
    "split, each file in a zip of its own, the zips given": _split(
        names=str.upper, bom=False, zip_each="files"
    ),
    "metadata with an extra field": _rewrite(_metadata_extra_field),
}
DTF_VARIANTS: dict[str, Variant] = {
    "every field quoted": _quoting(csv.QUOTE_ALL),
    "only what needs quotes": _quoting(csv.QUOTE_MINIMAL),
    "LF and CRLF mixed": _rewrite(_mixed_endings),
    "a line of empty fields at the end": _suffix("\r\n,,,,,,,,\r\n"),
    "an end-of-file character": _suffix("\r\n\x1a"),
    "times as HHMMSS": _rewrite(lambda p: _original(p).replace(",09:01:38", ",090138")),
    "a trailing comma on every line (extra fields are allowed)": _rewrite(
        lambda p: "\r\n".join(line + "," for line in _original(p).split("\r\n"))
    ),
    "optional records 12, 13, 14, 25 and 98": _rewrite(_insert_before_trailer(DTF_OPTIONAL)),
    "ISO-8859-14 (Welsh)": _rewrite(_original, encoding="iso-8859-14"),
    "CR alone (old Macintosh)": _ending("\r"),
    "UTF-16 with its byte order mark": _bytes(_utf16),
}
FAST_PATH_FALLS_BACK = frozenset({"CR alone (old Macintosh)", "UTF-16 with its byte order mark"})
"""Variants the fast path hands to the precise reader (it reads UTF-8 lines ending in LF)."""
CASES = [
    *((flavour, name) for flavour in ("abp1", "abp2") for name in ABP_VARIANTS),
    *(("dtf", name) for name in DTF_VARIANTS),
]


# --- loading --------------------------------------------------------------------------------


def _clear(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        for name in (*supply_db.RECORD_TABLES, "gazetteer_change", "load_run"):
            conn.execute(sa.text(f"DELETE FROM {name}"))


def _load(
    factory: db.SessionFactory, paths: list[Path], report: Path, fmt: str, validate: str
) -> dict[str, Any]:
    try:
        outcome = supply_db.load(factory, paths, report=report, fmt=fmt, validate=validate)
    except errors.SupplyNotApplied as refused:
        errors_found = [r for r in _report(report) if r["severity"] == "E"][:5]
        pytest.fail(f"{validate}: refused: {refused} {errors_found}")
    document = outcome.as_json()
    return {k: v for k, v in document.items() if k not in {"run_id", "report_file", "runs"}}


def _report(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(("flavour", "name"), CASES)
def test_a_variant_loads_the_same_gazetteer_on_every_path(
    engine: sa.Engine, session_factory: db.SessionFactory, tmp_path: Path, flavour: str, name: str
) -> None:
    variant = (DTF_VARIANTS if flavour == "dtf" else ABP_VARIANTS)[name]
    fmt = "dtf" if flavour == "dtf" else "abp"
    paths = _write(tmp_path / "original", flavour)
    (tmp_path / "variant").mkdir()
    changed = variant(paths, tmp_path / "variant")
    with supply_db.precise_only():
        original = _load(session_factory, paths, tmp_path / "original.csv", fmt, "full")
    expected = supply_db.dates_as_text(supply_db.snapshot(engine))
    assert expected["lpi"] and expected["street_descriptor"]
    reports = {}
    for label, validate, precise in (("fast", service.STRUCTURAL, False),
                                     ("precise", service.STRUCTURAL, True),
                                     ("full", "full", True)):  # fmt: skip
        _clear(engine)
        report = tmp_path / f"{label}.csv"
        with supply_db.precise_only() if precise else supply_db.counting_fast_stages() as taken:
            document = _load(session_factory, changed, report, fmt, validate)
        if label == "fast":
            fast = engine.dialect.name == "postgresql" and fmt == "abp"
            assert taken == ([1] if fast and name not in FAST_PATH_FALLS_BACK else [])
        assert not document.get("refused"), (label, document)
        same = ("format", "schema_version", "records", "unchanged")
        assert {k: document[k] for k in same} == {k: original[k] for k in same}, label
        assert supply_db.dates_as_text(supply_db.snapshot(engine)) == expected, label
        reports[label] = _report(report)
        assert not [r for r in reports[label] if r["severity"] == "E"], label
    assert reports["fast"] == reports["precise"]


# --- variants the specification does not allow: refused, every error listed -----------------


def _trailing_comma(data: bytes) -> bytes:
    return b"\r\n".join(line + b"," for line in data.split(b"\r\n"))


def _on_line(number: int, old: bytes, new: bytes) -> Callable[[bytes], bytes]:
    def mutate(data: bytes) -> bytes:
        lines = data.split(b"\r\n")
        assert old in lines[number - 1]
        lines[number - 1] = lines[number - 1].replace(old, new, 1)
        return b"\r\n".join(lines)

    return mutate


def _last_field_dropped(number: int) -> Callable[[bytes], bytes]:
    def mutate(data: bytes) -> bytes:
        lines = data.split(b"\r\n")
        lines[number - 1] = lines[number - 1].rsplit(b",", 1)[0]
        return b"\r\n".join(lines)

    return mutate


REFUSED: dict[str, tuple[Callable[[bytes], bytes], Callable[[int], set[tuple[str, str]]]]] = {
    # §5.1: no trailing comma; the ABP reader refuses count + 1 on every record (§8).
    "a trailing comma on every line": (
        _trailing_comma,
        lambda lines: {(str(n), "FILE-FIELD-COUNT") for n in range(1, lines + 1)},
    ),
    "a Windows-1252 byte in a UTF-8 supply": (
        _on_line(3, b'"HIGH STREET"', b'"HIGH STR\xc9ET"'),
        lambda _lines: {("3", "FILE-ENCODING")},
    ),
    "a NUL character in a text field": (
        _on_line(3, b'"HIGH STREET"', b'"HIGH\x00STREET"'),
        lambda _lines: {("3", "FILE-ENCODING")},
    ),
    "a text longer than the gazetteer stores": (
        _on_line(3, b'"EXETER"', b'"' + b"CAERWYSG " * 15 + b'"'),
        lambda _lines: {("3", "FILE-FIELD-WIDTH")},
    ),
    "a UPRN beyond 64 bits": (
        _on_line(6, b",10002,", b",99999999999999999999,"),
        lambda _lines: {("6", "FILE-NUMBER-FORMAT")},
    ),
    "a MULTI_OCC_COUNT beyond its 32-bit column": (
        _on_line(5, b",0", b",3000000000"),
        lambda _lines: {("5", "FILE-NUMBER-FORMAT")},
    ),
    "an empty last field left out": (
        _last_field_dropped(6),
        lambda _lines: {("6", "FILE-FIELD-COUNT")},
    ),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_a_variant_outside_the_specification_is_refused_alike_on_both_paths(
    engine: sa.Engine, session_factory: db.SessionFactory, tmp_path: Path, name: str
) -> None:
    mutate, expected = REFUSED[name]
    (path,) = _write(tmp_path / "s", "abp2")
    path.write_bytes(mutate(path.read_bytes()))
    lines = len(path.read_bytes().split(b"\r\n"))
    reports = []
    for label, precise in (("fast", False), ("precise", True)):
        report = tmp_path / f"{label}.csv"
        with (
            supply_db.precise_only() if precise else supply_db.counting_fast_stages(),
            pytest.raises(errors.SupplyNotApplied),
        ):
            supply_db.load(session_factory, [path], report=report, validate=service.STRUCTURAL)
        assert all(not rows for rows in supply_db.snapshot(engine).values())
        reports.append(_report(report))
    assert reports[0] == reports[1]
    assert {(r["line"], r["code"]) for r in reports[0] if r["severity"] == "E"} == expected(lines)


def test_a_dtf_blpu_organisation_longer_than_the_gazetteer_stores_is_refused(
    engine: sa.Engine, session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    """A DTF BLPU carries an organisation name, written to ``organisation``: it is checked
    against that table's width, file, line and field named, before anything is written."""
    (path,) = _write(tmp_path / "s", "dtf")
    long_name = b"SIOP Y BONT " * 30  # 360 characters
    path.write_bytes(_on_line(5, b'2005-02-01,"","",""', b'2005-02-01,"' + long_name + b'","",""')(
        path.read_bytes()
    ))  # fmt: skip
    report = tmp_path / "report.csv"
    with pytest.raises(errors.SupplyNotApplied):
        supply_db.load(
            session_factory, [path], report=report, fmt="dtf", validate=service.STRUCTURAL
        )
    assert all(not rows for rows in supply_db.snapshot(engine).values())
    found = [r for r in _report(report) if r["severity"] == "E"]
    assert [(r["line"], r["code"], r["field"]) for r in found] == [
        ("5", "FILE-FIELD-WIDTH", "ORGANISATION")
    ]
    assert "360 characters" in found[0]["message"] and path.name in found[0]["file"]
