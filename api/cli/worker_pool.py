"""``addresshub worker --processes N``: N worker processes under one command (PostgreSQL).

A worker's sends and database steps share one interpreter, so one worker process uses about one
core; the processes share the queue through ``SKIP LOCKED`` and leases, as workers started apart
do. Each child is ``addresshub worker`` itself, given the database through the environment (not
the command line, where other users could read a password). SIGTERM or SIGINT is passed on to
every child, which finishes its sends in flight and exits; the command then sums what they did
(``--json``: one document, the children's counts added up and their worker ids listed); if a
child failed (or was killed), so does the command.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from types import FrameType
from typing import Any

from core.errors import InvalidInput
from core.settings import Settings


def check(settings: Settings, processes: int) -> None:
    if processes > 1 and settings.is_sqlite:
        raise InvalidInput("SQLite has one writer: run --processes 1 (use PostgreSQL for more)")


def run(*, settings: Settings, processes: int, args: Sequence[str]) -> tuple[int, dict[str, Any]]:
    """Run ``processes`` workers with ``args`` until they exit; their exit code and summary."""
    env = os.environ | {"ADDRESSHUB_DATABASE_URL": settings.database_url}
    command = [sys.executable, "-m", "api.cli", "worker", *args, "--json"]
    children = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)  # noqa: S603 - our own command, no shell
        for _ in range(processes)
    ]
    sent: list[int] = []
    handler = _forward(children, sent)
    previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        outputs = [child.communicate()[0] for child in children]
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
    # a child stopped by the signal passed on before it could catch it (still starting) is fine
    failed = [c.returncode for c in children if c.returncode not in (0, *(-s for s in sent))]
    return (failed[0] if failed else 0), _summed(outputs)


def _forward(children: list[subprocess.Popen[str]], sent: list[int]) -> Any:
    def handler(signum: int, _frame: FrameType | None) -> None:
        sent.append(signum)
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    return handler


def _summed(outputs: Sequence[str]) -> dict[str, Any]:
    """The children's documents added up (a child that printed none counts nothing)."""
    total: dict[str, Any] = {"worker_ids": []}
    for output in outputs:
        document: dict[str, Any] = json.loads(output) if output.strip() else {}
        total["worker_ids"].append(document.pop("worker_id", None))
        for key, value in document.items():
            if isinstance(value, int):
                total[key] = total.get(key, 0) + value
    return total
