"""The constants the command modules keep so that their options build without the loaders
and the sharing engine equal the ones those packages use."""

from __future__ import annotations

from api.cli import filedrop, load_sources, load_supplies
from loaders import service
from loaders.readers import areas
from loaders.sources import pipeline
from notify import file_drop_collection, ops_notices


def test_the_validation_modes_are_the_loaders() -> None:
    assert {mode.value for mode in load_supplies.Validate} == {service.FULL, service.STRUCTURAL}
    assert load_supplies.Validate.FULL.value == service.FULL


def test_the_source_defaults_are_the_pipelines() -> None:
    assert load_sources.DEFAULT_REPORT_DIR == pipeline.DEFAULT_REPORT_DIR
    assert load_sources.AREA_TYPES == areas.AREA_TYPES


def test_the_page_bounds_are_the_services() -> None:
    assert filedrop.MAX_PAGE == file_drop_collection.MAX_PAGE == ops_notices.MAX_PAGE
