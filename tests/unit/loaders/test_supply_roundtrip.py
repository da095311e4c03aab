"""Writers and readers of ABP v1/v2 and DTF 7.3 agree: parse(write(m)) == m in every variant."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders import layouts, model
from loaders.readers import abp, dtf, engine, supply
from loaders.writers import supply as writer
from tests import supplies

PROCESS_DATE = dt.date(2021, 3, 4)


def read_all(paths: list[Path], flavour: str) -> tuple[list[supply.Supply], list[engine.Item]]:
    reader = dtf if flavour == "dtf" else abp
    plan = reader.plan(paths)
    items: list[engine.Item] = list(plan.findings)
    for found in plan.supplies:
        items.extend(reader.read(found))
    return plan.supplies, items


def rows_and_findings(
    items: list[engine.Item],
) -> tuple[list[model.Row], list[model.LoadFinding]]:
    rows = [i for i in items if isinstance(i, model.Row)]
    findings = [i for i in items if not isinstance(i, model.Row)]
    return rows, findings


options_strategy = st.builds(
    writer.WriteOptions,
    line_ending=st.sampled_from(["\r\n", "\n"]),
    header_row=st.booleans(),
    zipped=st.booleans(),
    nested_zip=st.booleans(),
    volume_size=st.none() | st.integers(min_value=3, max_value=40),
    merge_volumes=st.booleans(),
    final_newline=st.booleans(),
    bom=st.booleans(),
)


@pytest.mark.parametrize(
    ("flavour", "split"),
    [("abp1", False), ("abp1", True), ("abp2", False), ("abp2", True), ("dtf", False)],
)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_parse_of_write_is_identity(flavour: str, split: bool, data: st.DataObject) -> None:
    gaz = data.draw(supplies.gazetteers(flavour))
    options = data.draw(options_strategy)
    options = dataclasses.replace(options, split=split)
    changes = [
        model.Change(change_type="I", record=r, pro_order=i * 7 + 3)
        for i, r in enumerate(gaz.state.all())
    ]
    head = supplies.header(process_date=PROCESS_DATE)
    with tempfile.TemporaryDirectory() as tmp:
        paths = supplies.write(
            Path(tmp), flavour=flavour, head=head, changes=changes, options=options
        )
        found, items = read_all(paths, flavour)
    rows, findings = rows_and_findings(items)
    assert [f for f in findings if f.is_error] == []
    assert [r.change for r in rows] == changes
    assert len(found) == 1
    assert found[0].layout is supplies.layout_of(flavour)
    assert found[0].process_date == PROCESS_DATE


@pytest.mark.parametrize("flavour", ["abp1", "abp2", "dtf"])
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_every_generated_row_has_the_layout_field_count(flavour: str, data: st.DataObject) -> None:
    gaz = data.draw(supplies.gazetteers(flavour))
    layout = supplies.layout_of(flavour)
    head = supplies.header(process_date=PROCESS_DATE)
    with tempfile.TemporaryDirectory() as tmp:
        paths = supplies.write(
            Path(tmp), flavour=flavour, head=head, changes=supplies.full_changes(gaz.state)
        )
        text = paths[0].read_text(encoding="utf-8")
    for line in text.splitlines():
        row = next(csv.reader([line]))
        record = layout.records[row[0]]
        assert len(row) == record.field_count


def test_layouts_match_the_specification_field_counts() -> None:
    expected = {
        ("abp", "2"): {
            "10": 9,
            "11": 24,
            "15": 13,
            "21": 22,
            "23": 12,
            "24": 26,
            "28": 29,
            "29": 17,
            "30": 10,
            "31": 11,
            "32": 12,
            "99": 5,
        },
        ("abp", "1"): {"11": 20, "15": 9, "21": 19, "28": 29, "23": 12, "24": 26},
        ("dtf", "7.3"): {"11": 20, "12": 9, "15": 9, "21": 23, "22": 11, "23": 11, "24": 30},
    }
    for (fmt, version), counts in expected.items():
        layout = layouts.get(fmt, version)
        for rid, count in counts.items():
            assert layout.records[rid].field_count == count, (fmt, version, rid)


def test_v1_and_v2_delivery_points_differ_in_layout_not_count() -> None:
    v1 = layouts.get("abp", "1").records["28"]
    v2 = layouts.get("abp", "2").records["28"]
    assert v1.field_count == v2.field_count == 29
    assert v1.column("POSTCODE_TYPE").position == 17
    assert v2.column("POSTCODE_TYPE").position == 16
    assert v1.column("UDPRN").position == 5
