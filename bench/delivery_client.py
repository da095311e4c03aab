"""Which HTTP client delivers webhooks: aiohttp or httpx.AsyncClient, measured in one run.

A bare aiohttp sink runs in a child process on 127.0.0.1 and answers 204 to every POST. Three
load generators send the same bounded number of ~1 KiB POSTs at the same concurrency:

* ``raw``: pre-built HTTP/1.1 requests over keep-alive sockets (no client library, unsigned):
  the sink's own capacity, the baseline ``B_sink``;
* ``aiohttp``: one ``ClientSession``, each request signed (Standard Webhooks, §6.3);
* ``httpx``: one ``httpx.AsyncClient``, each request signed the same way.

It prints requests/s and the ratio of each client to ``B_sink``. Loopback only.

    .venv/bin/python -m bench.delivery_client [--requests 4000] [--httpx-requests 1000]

httpx gets fewer requests by default (it is an order of magnitude slower; a rate needs no
more), so the whole run stays under a minute or so.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import multiprocessing
import socket
import time
from collections.abc import Awaitable, Callable

import aiohttp
import httpx
from aiohttp import web

from notify import signing

BODY = json.dumps({"data": "x" * 900, "specversion": "1.0"}).encode()
SECRET = signing.new_secret()


def _sink(port: int, ready: multiprocessing.synchronize.Event) -> None:
    async def handle(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(status=204)

    async def main() -> None:
        app = web.Application()
        app.router.add_post("/hook", handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port, backlog=1024).start()
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _signed_headers(index: int) -> dict[str, str]:
    at = dt.datetime.now(dt.UTC)
    headers = signing.headers(msg_id=f"msg_{index}", body=BODY, at=at, secrets_=[SECRET])
    return headers | {"content-type": "application/cloudevents+json; charset=utf-8"}


async def _drive(total: int, concurrency: int, send: Callable[[int], Awaitable[None]]) -> float:
    counter = iter(range(total))

    async def lane() -> None:
        for index in counter:
            await send(index)

    started = time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(concurrency)))
    return total / (time.perf_counter() - started)


async def raw(port: int, total: int, concurrency: int) -> float:
    request = (
        f"POST /hook HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(BODY)}\r\n\r\n"
    ).encode() + BODY
    conns = [await asyncio.open_connection("127.0.0.1", port) for _ in range(concurrency)]
    free: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for conn in conns:
        free.put_nowait(conn)

    async def send(_index: int) -> None:
        reader, writer = await free.get()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 204"):
            raise RuntimeError(head[:40])
        free.put_nowait((reader, writer))

    rate = await _drive(total, concurrency, send)
    for _reader, writer in conns:
        writer.close()
    return rate


async def with_aiohttp(port: int, total: int, concurrency: int) -> float:
    url = f"http://127.0.0.1:{port}/hook"
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def send(index: int) -> None:
            async with session.post(url, data=BODY, headers=_signed_headers(index)) as resp:
                await resp.read()
                assert resp.status == 204

        return await _drive(total, concurrency, send)


async def with_httpx(port: int, total: int, concurrency: int) -> float:
    url = f"http://127.0.0.1:{port}/hook"
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, follow_redirects=False) as client:

        async def send(index: int) -> None:
            resp = await client.post(url, content=BODY, headers=_signed_headers(index))
            assert resp.status_code == 204

        return await _drive(total, concurrency, send)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--httpx-requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()
    port, ready = _free_port(), multiprocessing.Event()
    sink = multiprocessing.Process(target=_sink, args=(port, ready), daemon=True)
    sink.start()
    try:
        if not ready.wait(15):
            raise SystemExit("the sink did not start")
        results = {
            "raw": asyncio.run(raw(port, args.requests, args.concurrency)),
            "aiohttp": asyncio.run(with_aiohttp(port, args.requests, args.concurrency)),
            "httpx": asyncio.run(with_httpx(port, args.httpx_requests, args.concurrency)),
        }
    finally:
        sink.terminate()
        sink.join()
    _report(results, args)


def _report(results: dict[str, float], args: argparse.Namespace) -> None:
    base = results["raw"]
    print(
        f"{args.requests} POSTs ({args.httpx_requests} for httpx) of {len(BODY)} bytes, "
        f"concurrency {args.concurrency}, loopback sink in a child process"
    )
    for name, rate in results.items():
        print(f"  {name:8s} {rate:9.0f} req/s  {rate / base:6.1%} of B_sink")
    print(f"  aiohttp / httpx = {results['aiohttp'] / results['httpx']:.1f}x")


if __name__ == "__main__":
    main()
