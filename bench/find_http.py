"""HTTP half of the finding benchmark: the API under uvicorn, and a load loop in its own process.

    .venv/bin/python -m bench.find_http serve --database-url URL --port P
    .venv/bin/python -m bench.find_http load --port P --path /healthz --requests N --seconds S

``serve`` runs the app as ``addresshub serve`` does (one uvicorn process, access log off).
``load`` keeps ``--connections`` keep-alive sockets to 127.0.0.1 busy with pre-built HTTP/1.1
GETs, bounded by a request count and a time limit, and prints one JSON line. ``{uprn}`` in the
path is replaced per request by a UPRN drawn from ``--uprn-low`` to ``--uprn-high``.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True, slots=True)
class Load:
    requests: int
    seconds: float
    statuses: dict[str, int]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def server(database_url: str, port: int) -> Iterator[None]:
    """The API in a child process until the block ends."""
    command = [sys.executable, "-m", "bench.find_http", "serve", "--database-url", database_url]
    child = subprocess.Popen([*command, "--port", str(port)])
    try:
        _wait_until_up(port, child)
        yield
    finally:
        child.terminate()
        child.wait(timeout=30)


def _wait_until_up(port: int, child: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError("the API server exited")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.2)
    raise RuntimeError("the API server did not start")


def run_load(
    *, port: int, path: str, key: str, requests: int, seconds: float, connections: int, uprns: range
) -> Load:
    """Run the load loop in a second process and read its result."""
    command = [sys.executable, "-m", "bench.find_http", "load", "--port", str(port)]
    command += ["--path", path, "--key", key, "--requests", str(requests)]
    command += ["--seconds", str(seconds), "--connections", str(connections)]
    command += ["--uprn-low", str(uprns.start), "--uprn-high", str(uprns.stop - 1)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    found = json.loads(output)
    return Load(requests=found["requests"], seconds=found["seconds"], statuses=found["statuses"])


# --- the child processes ------------------------------------------------------------------


def _serve(args: argparse.Namespace) -> None:
    import uvicorn

    from api.app import create_app
    from core.settings import Settings

    app = create_app(Settings(database_url=args.database_url))
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


async def _client(args: argparse.Namespace, counter: collections.Counter[str], stop: float) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", args.port)
    rng = random.Random()
    try:
        while counter["sent"] < args.requests and time.perf_counter() < stop:
            counter["sent"] += 1
            path = args.path.replace("{uprn}", str(rng.randint(args.uprn_low, args.uprn_high)))
            request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: {args.key}\r\n\r\n"
            writer.write(request.encode())
            head = await reader.readuntil(b"\r\n\r\n")
            counter[head.split(b" ", 2)[1].decode()] += 1
            await reader.readexactly(_content_length(head))
    finally:
        writer.close()


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


async def _load(args: argparse.Namespace) -> None:
    counter: collections.Counter[str] = collections.Counter()
    started = time.perf_counter()
    stop = started + args.seconds
    await asyncio.gather(*(_client(args, counter, stop) for _ in range(args.connections)))
    elapsed = time.perf_counter() - started
    statuses = {k: v for k, v in counter.items() if k != "sent"}
    print(
        json.dumps({"requests": sum(statuses.values()), "seconds": elapsed, "statuses": statuses})
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve")
    serve.add_argument("--database-url", required=True)
    serve.add_argument("--port", type=int, required=True)
    load = sub.add_parser("load")
    load.add_argument("--port", type=int, required=True)
    load.add_argument("--path", required=True)
    load.add_argument("--key", default="")
    load.add_argument("--requests", type=int, default=2000)
    load.add_argument("--seconds", type=float, default=20.0)
    load.add_argument("--connections", type=int, default=8)
    load.add_argument("--uprn-low", type=int, default=1)
    load.add_argument("--uprn-high", type=int, default=1)
    args = parser.parse_args()
    if args.command == "serve":
        _serve(args)
    else:
        asyncio.run(_load(args))


if __name__ == "__main__":
    main()
