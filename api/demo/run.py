"""``addresshub demo``: everything on one machine, from an empty database to a move fanned out.

1. migrate the database; load the sample gazetteer through the real loaders;
2. start the demo receivers, apply the demo registry with their URLs, give every endpoint a
   signing secret; create an agent API key;
3. start ``addresshub serve`` and ``addresshub worker`` on the same database; the worker runs
   its periodic jobs beside it (operational notices, and file drop into
   :func:`file_drop_dir`, every :data:`FILE_DROP_INTERVAL_S` seconds per subscription);
4. print what to ``curl``, then print every event the receivers verify, until Ctrl-C
   (or, with ``once``, submit the sample move, wait until every permitted receiver has it,
   print the outcome and stop).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import signal
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import migrations
from api.demo import gazetteer, moves, partners, processes, sample, text
from api.demo import receivers as receivers_
from api.keys import domain as key_domain
from api.keys import service as key_service
from core import clock, db
from core.settings import Settings

STARTUP_LIMIT_S: Final = 60.0
DELIVERY_LIMIT_S: Final = 60.0
FILE_DROP_INTERVAL_S: Final = 5


@dataclass(frozen=True, kw_only=True, slots=True)
class Options:
    host: str = "127.0.0.1"
    port: int = 8000
    receiver_port: int = 8100
    work_dir: Path
    once: bool = False
    verbose: bool = True


@dataclass(frozen=True, kw_only=True, slots=True)
class Prepared:
    """What set-up made: the inboxes to serve, the key to print, the counts to report."""

    inboxes: list[receivers_.Inbox]
    agent_key: str
    loaded: gazetteer.Loaded


def work_dir_for(database_url: str) -> Path:
    """Beside a SQLite file (``var/demo/addresshub.db`` -> ``var/demo/addresshub-demo``),
    else ``./addresshub-demo``."""
    prefix = "sqlite:///"
    path = database_url.removeprefix(prefix).split("?")[0]
    if database_url.startswith(prefix) and path not in ("", ":memory:"):
        return Path(path).with_name(Path(path).stem + "-demo")
    return Path("addresshub-demo")


def file_drop_dir(settings: Settings, options: Options) -> Path:
    """Where the demo worker writes file-drop batches: the configured directory, else
    ``file-drop`` in the work directory (``var/demo/addresshub-demo/file-drop``)."""
    return (settings.file_drop_directory or options.work_dir / "file-drop").resolve()


def run(*, settings: Settings, options: Options, out: Callable[[str], None]) -> dict[str, Any]:
    """Run the demo; returns the outcome of the sample move (``once``) or ``{}``."""
    return asyncio.run(_main(settings, options, out))


async def _main(settings: Settings, options: Options, out: Callable[[str], None]) -> dict[str, Any]:
    processes.check_port_free(options.host, options.port, "--port")
    out(f"Preparing the demo database {text.shown_url(settings.database_url)} ...")
    receivers = receivers_.Receivers(port=options.receiver_port, printer=out,
                                     verbose=options.verbose)  # fmt: skip
    await receivers.start()
    try:
        prepared = await asyncio.to_thread(_prepare, settings, options, receivers.base_url)
        receivers.open_inboxes(prepared.inboxes)
        out(text.prepared(prepared.loaded, prepared.inboxes))
        async with _children(settings, options) as base_url:
            moves.write_sample_file(options.work_dir / moves.SAMPLE_FILE)
            out(text.banner(base_url=base_url, options=options, agent_key=prepared.agent_key,
                            receivers_base=receivers.base_url,
                            file_drop=file_drop_dir(settings, options)))  # fmt: skip
            if options.once:
                return await moves.submit_and_watch(
                    base_url=base_url,
                    key=prepared.agent_key,
                    receivers=receivers,
                    inboxes=prepared.inboxes,
                    limit_s=DELIVERY_LIMIT_S,
                    out=out,
                    file_drop=file_drop_dir(settings, options),
                )
            await _until_interrupted()
            out("Stopping ...")
            return {}
    finally:
        await receivers.stop()


def _prepare(settings: Settings, options: Options, receivers_base: str) -> Prepared:
    migrations.upgrade(settings.database_url)
    engine = db.create_engine(settings.database_url, spatialite_library=settings.spatialite_library)
    try:
        factory = db.session_factory(engine)
        loaded = gazetteer.load(session_factory=factory, work_dir=options.work_dir / "sample")
        now = dt.datetime.now(dt.UTC)
        with db.unit_of_work(factory) as session:
            _report, inboxes = partners.register(
                session=session, receivers_base=receivers_base, now=now
            )
            issued = key_service.create_key(
                session=session,
                settings=settings,
                clock=clock.SystemClock(),
                role=key_domain.Role.AGENT,
                label="addresshub demo",
            )
        return Prepared(inboxes=inboxes, agent_key=issued.plaintext, loaded=loaded)
    finally:
        engine.dispose()


@contextlib.asynccontextmanager
async def _children(settings: Settings, options: Options) -> AsyncIterator[str]:
    """``addresshub serve`` and ``addresshub worker`` (with its periodic jobs), healthy;
    stopped afterwards."""
    env = {
        "ADDRESSHUB_DATABASE_URL": settings.database_url,
        "ADDRESSHUB_ALLOW_PRIVATE_WEBHOOK_TARGETS": "true",
        "ADDRESSHUB_FILE_DROP_DIRECTORY": str(file_drop_dir(settings, options)),
        "ADDRESSHUB_FILE_DROP_INTERVAL_SECONDS": str(FILE_DROP_INTERVAL_S),
    }
    url = ["--database-url", settings.database_url]
    logs = options.work_dir / "logs"
    server_args = ["serve", "--host", options.host, "--port", str(options.port), *url]
    children = [
        await processes.start("server", server_args, log_dir=logs, env=env),
        await processes.start("worker", ["worker", *url], log_dir=logs, env=env),
    ]
    base_url = f"http://{options.host}:{options.port}"
    try:
        await processes.wait_until_healthy(children[0], base_url, timeout_s=STARTUP_LIMIT_S)
        children[1].check_running()
        yield base_url
    finally:
        await asyncio.gather(*(child.stop() for child in children))


async def _until_interrupted() -> None:
    """Until Ctrl-C (SIGINT) or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def attribution() -> str:
    return sample.attribution()
