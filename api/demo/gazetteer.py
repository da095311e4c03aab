"""Load the sample gazetteer through the real loaders, as a custodian would load a supply.

The sample (:mod:`api.demo.sample`) is written as an AddressBase Premium v2 full supply and
applied by :func:`loaders.service.load`; the bundled Code-Point Open rows and the demo
boundaries go through :mod:`loaders.sources.service`. Each load is skipped by the loaders
themselves when exactly the same files were applied last, so running the demo again on the
same database changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from api.demo import sample as sample_
from core import db
from loaders import layouts, model
from loaders import service as supply_service
from loaders.sources import pipeline, report
from loaders.sources import service as source_service
from loaders.writers import supply as supply_writer

SUPPLY_DATE: Final = dt.date(2020, 4, 1)
REQUESTED_BY: Final = "addresshub demo"


@dataclass(frozen=True, kw_only=True, slots=True)
class Loaded:
    """How many records each load applied (0 when the same files were applied before)."""

    addresses: int
    postcodes: int
    areas: int
    unchanged: bool


def load(*, session_factory: db.SessionFactory, work_dir: Path) -> Loaded:
    """Write the sample's files under ``work_dir`` and load them; returns the counts."""
    built = sample_.build()
    supply = _write_supply(built, work_dir / "abp")
    outcome = supply_service.load(
        session_factory=session_factory,
        fmt="abp",
        paths=[supply],
        report_path=work_dir / "abp-findings.csv",
        options=supply_service.LoadOptions(requested_by=REQUESTED_BY),
    )
    addresses = sum(
        counts.inserted + counts.updated
        for run in outcome.reports
        for counts in run.records.values()
    )
    postcodes, areas = _load_sources(session_factory, built, work_dir)
    return Loaded(
        addresses=addresses,
        postcodes=postcodes,
        areas=areas,
        unchanged=all(r.unchanged for r in outcome.reports) and postcodes + areas == 0,
    )


def _write_supply(built: sample_.Sample, directory: Path) -> Path:
    header = model.Header(
        custodian_name="addresshub demo sample",
        local_custodian_code=7655,
        process_date=SUPPLY_DATE,
        volume_number=1,
        entry_date=SUPPLY_DATE,
        time_stamp="09:00:00",
        file_type="F",
    )
    changes = (model.Change(change_type="I", record=r) for r in built.records)
    paths = supply_writer.write_supply(
        directory, layout=layouts.get("abp", "2"), header=header, changes=changes
    )
    return paths[0].parent if len(paths) > 1 else paths[0]


def _load_sources(
    session_factory: db.SessionFactory, built: sample_.Sample, work_dir: Path
) -> tuple[int, int]:
    """Code-Point Open rows and the ward, district and county boundaries, in one unit."""
    codepoint = work_dir / "codepoint" / "ex.csv"
    codepoint.parent.mkdir(parents=True, exist_ok=True)
    codepoint.write_text(sample_.codepoint_text(), encoding="utf-8")
    with db.unit_of_work(session_factory) as session:
        job = pipeline.Job(
            session=session, report_dir=work_dir / "reports", requested_by=REQUESTED_BY
        )
        postcodes = source_service.load_codepoint(job=job, paths=[codepoint])
        areas = 0
        for area_type, collection in built.boundaries.items():
            path = work_dir / "areas" / f"{area_type}.geojson"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(collection, indent=1), encoding="utf-8")
            loaded = source_service.load_areas(
                job=job, path=path, area_type=area_type, code_property="code", name_property="name"
            )
            areas += _changed(loaded)
    return _changed(postcodes), areas


def _changed(load: report.LoadReport) -> int:
    return sum(c.inserted + c.updated + c.deleted for c in load.records.values())
