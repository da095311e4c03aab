"""The constants the command modules keep so that their options build without the loaders
equal the ones the loaders use."""

from __future__ import annotations

from api.cli import load_sources, load_supplies
from loaders import service
from loaders.readers import areas
from loaders.sources import pipeline


def test_the_validation_modes_are_the_loaders() -> None:
    assert {mode.value for mode in load_supplies.Validate} == {service.FULL, service.STRUCTURAL}
    assert load_supplies.Validate.FULL.value == service.FULL


def test_the_source_defaults_are_the_pipelines() -> None:
    assert load_sources.DEFAULT_REPORT_DIR == pipeline.DEFAULT_REPORT_DIR
    assert load_sources.AREA_TYPES == areas.AREA_TYPES
