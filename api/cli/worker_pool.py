"""``addresshub worker --processes N``: N worker processes under one command (PostgreSQL).

A worker's sends and database steps share one interpreter, so one worker process uses about one
core; the processes share the queue through ``SKIP LOCKED`` and leases, as workers started apart
do. Each child is ``addresshub worker`` itself, given the database through the environment (not
the command line, where other users could read a password). SIGTERM or SIGINT is passed on to
every child, which finishes its sends in flight and exits; the command then sums what they did
(``--json``: one document, the children's counts added up and their worker ids listed); if a
child failed (or was killed), so does the command. Should the command itself be killed outright
(``kill -9``, so it cannot pass anything on), each child is sent SIGTERM by the kernel on Linux
(:func:`follow_parent`) and stops as gracefully, instead of working on unsupervised.
"""

from __future__ import annotations

import ctypes
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


PARENT_ENV = "ADDRESSHUB_WORKER_POOL_PARENT"
_PR_SET_PDEATHSIG = 1


def run(*, settings: Settings, processes: int, args: Sequence[str]) -> tuple[int, dict[str, Any]]:
    """Run ``processes`` workers with ``args`` until they exit; their exit code and summary."""
    env = os.environ | {
        "ADDRESSHUB_DATABASE_URL": settings.database_url,
        PARENT_ENV: str(os.getpid()),
    }
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


def follow_parent() -> None:
    """In a child of :func:`run`: have the kernel send SIGTERM when the command dies (Linux).

    If it died before this call, the child was already handed to another parent: exit at once.
    """
    parent = os.environ.pop(PARENT_ENV, None)
    if parent is None or not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        return  # the worker still runs; it only loses the death signal
    if os.getppid() != int(parent):
        raise SystemExit(0)
