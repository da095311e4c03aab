"""Real supply shapes loaded end to end, on both engines and, on PostgreSQL, through the fast
staging path and the precise reader alike: a multi-volume AddressBase Premium supply put
through Ordnance Survey's record splitter (one file per record type holding every volume, one
header and one trailer per volume) loads the gazetteer its mixed volumes load, and its
addresses are found at once.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from core import db
from gazetteer import find
from loaders import service
from loaders.writers import supply as writer
from tests import supplies
from tests.integration import supply_db

DAY0 = dt.date(2021, 1, 4)
VOLUME_SIZE = 7


def _write(root: Path, options: writer.WriteOptions) -> list[Path]:
    head = supplies.header(process_date=DAY0)
    state = supplies.sample_state("abp2", 4)
    return supplies.write(
        root, flavour="abp2", head=head, changes=supplies.full_changes(state), options=options
    )


def _clear(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        tables = ("address_search_token", "address_search", "address_point")
        for name in (*tables, *supply_db.RECORD_TABLES, "gazetteer_change", "load_run"):
            conn.execute(sa.text(f"DELETE FROM {name}"))


def _labels(factory: db.SessionFactory) -> list[tuple[int, str, str | None]]:
    with factory() as session:
        uprns = session.scalars(sa.text("SELECT uprn FROM blpu")).all()
        found = find.summaries_for(session, uprns)
    return sorted((s.uprn, s.label, s.postcode) for s in found)


def _counts(outcome: service.Outcome) -> dict[str, Any]:
    document = outcome.as_json()
    return {k: document[k] for k in ("schema_version", "records", "unchanged")}


def test_a_multi_volume_supply_split_by_os_loads_as_its_mixed_volumes(
    engine: sa.Engine, session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    mixed = _write(tmp_path / "mixed", writer.WriteOptions(volume_size=VOLUME_SIZE))
    assert len(mixed) >= 3
    split = _write(
        tmp_path / "split",
        writer.WriteOptions(
            split=True,
            volume_size=VOLUME_SIZE,
            merge_volumes=True,
            header_row=True,
            line_ending="\n",
            final_newline=True,
        ),
    )
    assert split == [tmp_path / "split"]
    header_file = (tmp_path / "split" / "ID10_Header_Records.csv").read_text().splitlines()
    assert len(header_file) == 1 + len(mixed)  # the names, then one header per volume
    with supply_db.precise_only():
        original = supply_db.load(session_factory, mixed, report=tmp_path / "mixed.csv")
    expected, labels = supply_db.dates_as_text(supply_db.snapshot(engine)), _labels(session_factory)
    assert expected["lpi"] and labels
    fast = engine.dialect.name == "postgresql"
    for label, precise in (("fast", False), ("precise", True)):
        _clear(engine)
        with supply_db.precise_only() if precise else supply_db.counting_fast_stages() as taken:
            outcome = supply_db.load(
                session_factory,
                split,
                report=tmp_path / f"{label}.csv",
                validate=service.STRUCTURAL,
            )
        if not precise:
            assert taken == ([1] if fast else [])
        assert _counts(outcome) == _counts(original), label
        assert supply_db.dates_as_text(supply_db.snapshot(engine)) == expected, label
        assert _labels(session_factory) == labels, label
