from __future__ import annotations

import datetime as dt
import gc
import importlib
import pkgutil
import uuid

import pytest

from core import clock, errors, ids, memory
from core.db import normalise_url


def test_new_ids_are_version_7_and_time_ordered() -> None:
    first, second = ids.new_id(), ids.new_id()
    assert uuid.UUID(first).version == 7
    assert first[:8] <= second[:8]
    assert first != second


def test_fixed_clock_needs_a_timezone_and_advances() -> None:
    with pytest.raises(ValueError):
        clock.FixedClock(dt.datetime(2026, 1, 1))
    fixed = clock.FixedClock(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    fixed.advance(dt.timedelta(hours=1))
    assert fixed.now().hour == 1


def test_every_error_has_a_distinct_code_and_a_sane_status() -> None:
    _import_every_module()
    classes: list[type[errors.AddressHubError]] = [
        errors.AddressHubError,
        *_subclasses(errors.AddressHubError),
    ]
    # A subclass that declares no code of its own is the same error, told apart only in logs.
    codes = [cls.code for cls in classes if "code" in vars(cls)]
    assert len(codes) == len(set(codes))
    assert all(400 <= cls.http_status < 600 for cls in classes)
    assert all(cls.exit_code > 0 for cls in classes)


def test_postgres_urls_use_psycopg_3() -> None:
    assert normalise_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    with pytest.raises(errors.ConfigurationError):
        normalise_url("mysql://u@h/db")


def _subclasses(cls: type[errors.AddressHubError]) -> list[type[errors.AddressHubError]]:
    found: list[type[errors.AddressHubError]] = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_subclasses(sub))
    return found


def _import_every_module() -> None:
    for name in ("core", "gazetteer", "loaders", "notify", "api"):
        package = importlib.import_module(name)
        for info in pkgutil.walk_packages(package.__path__, f"{name}."):
            importlib.import_module(info.name)


@pytest.mark.parametrize("was_enabled", [True, False])
def test_the_cycle_collector_is_off_inside_and_as_it_was_after(was_enabled: bool) -> None:
    (gc.enable if was_enabled else gc.disable)()
    try:
        with pytest.raises(RuntimeError), memory.no_cycle_collection():
            assert not gc.isenabled()
            raise RuntimeError("the bulk loop failed")
        assert gc.isenabled() is was_enabled
    finally:
        gc.enable()
