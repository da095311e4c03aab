"""Acceptance helpers: the ``addresshub`` CLI in a subprocess and the API as a real server.

* :func:`run_cli` / :func:`cli_json`: run ``addresshub ...`` (optionally with
  ``--database-url``); :func:`assert_one_line_failure` checks the failure contract.
* :func:`serve`: start ``addresshub serve`` on a free port, wait until ``/healthz`` answers,
  yield a :class:`Server` (``base_url``, ``client(key)``), stop it afterwards.
* :func:`free_port`, :func:`sample_records` (one complete address, :data:`SAMPLE_UPRN`).

``tests/acceptance/conftest.py`` wraps :func:`serve` as the ``start_server`` fixture.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from gazetteer import domain

ADDRESSHUB = Path(sys.executable).parent / "addresshub"
STARTUP_LIMIT_SECONDS = 60.0
STOP_LIMIT_SECONDS = 15.0
SAMPLE_UPRN = 100040212345
SAMPLE_USRN = 14200386
SAMPLE_SINGLE_LINE = "12 HIGH STREET, EXETER, EX1 1AE"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def run_cli(
    *args: str,
    database_url: str | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """``addresshub ARGS [--database-url URL]`` in a subprocess, output captured as text."""
    command = [str(ADDRESSHUB), *args]
    if database_url is not None:
        command += ["--database-url", database_url]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, **(env or {})},
    )


def cli_json(*args: str, database_url: str | None = None, **kwargs: Any) -> Any:
    """The JSON document a successful ``addresshub ARGS --json`` prints."""
    result = run_cli(*args, "--json", database_url=database_url, **kwargs)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def assert_one_line_failure(
    result: subprocess.CompletedProcess[str], exit_code: int | None = None
) -> str:
    """A failed command: non-zero (or ``exit_code``), one line on stderr; returns that line."""
    assert result.returncode != 0, result.stdout
    if exit_code is not None:
        assert result.returncode == exit_code, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("addresshub: error: "), lines[0]
    return lines[0]


@dataclass(frozen=True, kw_only=True)
class Server:
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def client(self, key: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@contextlib.contextmanager
def serve(
    database_url: str, *, log_dir: Path, env: Mapping[str, str] | None = None
) -> Iterator[Server]:
    """``addresshub serve`` on a free port, healthy before it is yielded, stopped afterwards."""
    port = free_port()
    log_path = log_dir / f"server-{port}.log"
    command = [str(ADDRESSHUB), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*command, "--database-url", database_url],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
        server = Server(base_url=f"http://127.0.0.1:{port}", process=process, log_path=log_path)
        try:
            wait_until_healthy(server)
            yield server
        finally:
            _stop(process)


def wait_until_healthy(server: Server) -> None:
    """Poll ``/healthz`` until it answers 200; fail with the server's log if it never does."""
    deadline = time.monotonic() + STARTUP_LIMIT_SECONDS
    while True:
        if server.process.poll() is not None:
            raise AssertionError(f"server exited with {server.process.returncode}:\n{server.log()}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{server.base_url}/healthz", timeout=1).status_code == 200:
                return
        if time.monotonic() > deadline:
            raise AssertionError(f"server never became healthy:\n{server.log()}")
        time.sleep(0.1)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_LIMIT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def sample_records() -> list[Any]:
    """One complete address: street, descriptor, BLPU, LPI, classification, PAF record."""
    return [
        domain.Street(usrn=SAMPLE_USRN, record_type="1"),
        domain.StreetDescriptor(
            usrn=SAMPLE_USRN,
            description="HIGH STREET",
            town_name="EXETER",
            administrative_area="DEVON",
        ),
        domain.Blpu(
            uprn=SAMPLE_UPRN,
            logical_status="1",
            blpu_state="2",
            x_coordinate=292_000.0,
            y_coordinate=92_500.0,
            latitude=50.72,
            longitude=-3.53,
            rpc="1",
            local_custodian_code=1110,
            country="E",
            postcode_locator="EX1 1AE",
            addressbase_postal="D",
        ),
        domain.Lpi(
            uprn=SAMPLE_UPRN,
            lpi_key="1110L000123456",
            language="ENG",
            logical_status="1",
            usrn=SAMPLE_USRN,
            pao_start_number=12,
        ),
        domain.Classification(
            uprn=SAMPLE_UPRN, class_key="1110C000000001", classification_code="RD04"
        ),
        domain.DeliveryPoint(
            udprn=12_345_678,
            uprn=SAMPLE_UPRN,
            post_town="EXETER",
            postcode="EX1 1AE",
            building_number=12,
            thoroughfare="HIGH STREET",
        ),
    ]
