"""The app's start-up: what lives as long as the server is frozen out of the collector."""

from __future__ import annotations

import gc

from fastapi.testclient import TestClient

from api import app as api_app
from core.settings import Settings


def _tracked(value: object) -> bool:
    return any(o is value for o in gc.get_objects())


def test_the_started_app_is_frozen_out_of_the_cyclic_collector(db_url: str) -> None:
    app = api_app.create_app(Settings(database_url=db_url))
    state = app.state  # made with the app, before it starts, as its routes and engine are
    gc.unfreeze()
    try:
        assert _tracked(state)
        with TestClient(app):
            assert gc.get_freeze_count() > 0
            assert not _tracked(state)
    finally:
        gc.unfreeze()
