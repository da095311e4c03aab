"""The demo's child processes: ``addresshub serve`` and ``addresshub worker``.

Each runs the real command on the demo database, its output in a log file. They share the
demo's process group, so Ctrl-C in the terminal reaches them too; :meth:`Child.stop` then
asks again (SIGTERM), waits, and kills only a child that does not stop in time.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import httpx

from api.demo import errors

STOP_GRACE_S: Final = 10.0
HEALTH_POLL_S: Final = 0.1


class ChildFailed(errors.DemoFailed):
    """A child process ended, or never became ready."""


def check_port_free(host: str, port: int, option: str) -> None:
    """Refuse early, with the option to change, when something already listens there."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise errors.DemoFailed(
                f"cannot listen on {host}:{port} ({exc.strerror}); choose another with {option}"
            ) from exc


def command(*args: str) -> list[str]:
    """``addresshub ARGS``: the console script beside this Python, else the same via ``-c``."""
    script = Path(sys.executable).parent / "addresshub"
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-c", "from api.cli.main import app; app()", *args]


@dataclass(kw_only=True)
class Child:
    name: str
    process: asyncio.subprocess.Process
    log_path: Path

    def check_running(self) -> None:
        if self.process.returncode is not None:
            raise ChildFailed(
                f"{self.name} exited with status {self.process.returncode}; see {self.log_path}"
            )

    async def stop(self) -> None:
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), STOP_GRACE_S)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    self.process.kill()
                await self.process.wait()


async def start(name: str, args: Sequence[str], *, log_dir: Path, env: Mapping[str, str]) -> Child:
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    with log_path.open("ab") as log:
        log.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(args)}\n".encode())
        log.flush()
        process = await asyncio.create_subprocess_exec(
            *command(*args),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
            env={**os.environ, **env},
        )
    return Child(name=name, process=process, log_path=log_path)


async def wait_until_healthy(child: Child, base_url: str, *, timeout_s: float) -> None:
    """Poll ``/healthz`` until it answers 200, while the server is still running."""
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(base_url=base_url, timeout=2) as client:
        while True:
            child.check_running()
            with contextlib.suppress(httpx.TransportError):
                if (await client.get("/healthz")).status_code == 200:
                    return
            if time.monotonic() > deadline:
                raise ChildFailed(f"{child.name} did not answer {base_url}/healthz in time")
            await asyncio.sleep(HEALTH_POLL_S)
