"""``worker --processes``: the children's summaries added up, and SQLite refused."""

from __future__ import annotations

import json

import pytest

from api.cli import worker_pool
from core.errors import InvalidInput
from core.settings import Settings


def test_the_children_documents_are_added_up() -> None:
    one = json.dumps({"sent": 3, "delivered": 2, "failed": 1, "worker_id": "a"}, indent=2)
    two = json.dumps({"sent": 4, "delivered": 4, "failed": 0, "worker_id": "b"}, indent=2)
    total = worker_pool._summed([one, two, ""])  # the last child printed nothing
    assert total == {"worker_ids": ["a", "b", None], "sent": 7, "delivered": 6, "failed": 1}


def test_more_than_one_process_needs_postgresql() -> None:
    sqlite = Settings(database_url="sqlite:///x.db")
    worker_pool.check(sqlite, 1)
    with pytest.raises(InvalidInput, match="one writer"):
        worker_pool.check(sqlite, 2)
    worker_pool.check(Settings(database_url="postgresql+psycopg://u@h/db"), 8)
