"""Acceptance fixtures; the helpers themselves live in :mod:`tests.support.acceptance`."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from tests.support import acceptance

StartServer = Callable[..., acceptance.Server]


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[StartServer]:
    """``start_server(database_url, env=None)``: a healthy ``addresshub serve``, stopped after."""
    with contextlib.ExitStack() as stack:

        def start(database_url: str, env: Mapping[str, str] | None = None) -> acceptance.Server:
            return stack.enter_context(acceptance.serve(database_url, log_dir=tmp_path, env=env))

        yield start
