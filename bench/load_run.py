"""``addresshub load abp`` run in a subprocess and measured, for the load benchmarks.

The wall time and the loader's peak RSS and CPU seconds (from ``wait4``), and the CPU seconds
of the PostgreSQL cluster's processes (from ``/proc``, when the server runs on this machine):
on a shared machine wall times move with the load, CPU seconds much less.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

ADDRESSHUB = Path(sys.executable).parent / "addresshub"


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss_mb: float
    cpu_seconds: float = 0.0
    server_cpu_seconds: float | None = None


def run_loader(
    url: str, mixed: Path, report: Path, *, validate: str = "full", server: int | None = None
) -> Run:
    """``addresshub load abp`` in a subprocess: wall time, the child's peak RSS and CPU, and
    the CPU of the cluster whose postmaster is ``server``."""
    command = [str(ADDRESSHUB), "load", "abp", str(mixed), "--json", "--database-url", url,
               "--report", str(report), "--validate", validate]  # fmt: skip
    server_before = cluster_cpu(server)
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"load failed: {child.stderr.read().decode() if child.stderr else ''}")
    time.sleep(0.5)  # the loader's server process ends and is reaped into its parent's times
    server_after = cluster_cpu(server)
    return Run(seconds=seconds, peak_rss_mb=usage.ru_maxrss / 1024,
               cpu_seconds=usage.ru_utime + usage.ru_stime,
               server_cpu_seconds=None if server_before is None or server_after is None
               else server_after - server_before)  # fmt: skip


def postmaster_of(admin: sa.Engine) -> int | None:
    """The process id of the cluster's postmaster, when it runs on this machine."""
    with admin.connect() as conn:  # the backend's stat is read while it lives
        backend = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        stat = Path(f"/proc/{backend}/stat")
        return int(_stat_fields(stat)[1]) if stat.exists() else None


def cluster_cpu(postmaster: int | None) -> float | None:
    """CPU seconds of the postmaster, its ended children (reaped) and its live children."""
    if postmaster is None:
        return None
    fields = _stat_fields(Path(f"/proc/{postmaster}/stat"))
    ticks = sum(int(x) for x in fields[11:15])  # utime, stime, cutime, cstime
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            child = _stat_fields(stat)
        except OSError:
            continue  # ended meanwhile
        if int(child[1]) == postmaster:
            ticks += int(child[11]) + int(child[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _stat_fields(stat: Path) -> list[str]:
    """The fields of a ``/proc/PID/stat`` after the command name (state is the first)."""
    return stat.read_text().rsplit(")", 1)[1].split()
