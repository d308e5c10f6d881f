"""Which process runs an import, and whether that process is certainly gone: so a killed import is taken over
at once by the next import of its file, instead of blocking it for `bookkeeping.STALE_AFTER_SECONDS`.

A process is named by host name, pid and (on Linux) its start time in clock ticks since boot, field 22 of
`/proc/<pid>/stat`: a pid reused by a later process has another start time, so it is not taken for the owner.

"Gone" is only ever answered for the same host name, and only when certain: no process has the pid, or it is a
zombie (killed, not yet reaped), or the process with that pid started at another time. Anything else - another
host, no permission to ask, no `/proc` - is "not known to be gone", and the heartbeat rule decides.
Containers that share a host name but not a pid namespace would defeat this; give each its own host name.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass


@dataclass(frozen=True)
class ProcessId:
    host: str
    pid: int
    started: int | None  # start time in clock ticks since boot; None where it cannot be read


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of `/proc/<pid>/stat` after the command name (which may hold spaces), or None."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            text = stat.read()
    except OSError:
        return None
    fields = text[text.rfind(")") + 2:].split()
    return fields if len(fields) > 19 else None


def start_ticks(pid: int) -> int | None:
    """The process's start time (clock ticks since boot), or None if it cannot be read."""
    fields = _stat_fields(pid)
    try:
        return int(fields[19]) if fields else None
    except ValueError:
        return None


def this_process() -> ProcessId:
    pid = os.getpid()
    return ProcessId(socket.gethostname(), pid, start_ticks(pid))


def is_gone(owner: ProcessId) -> bool:
    """True when `owner` certainly no longer runs (see the module docstring); False when it runs or is unknown."""
    if owner.host != socket.gethostname() or owner.pid <= 0:
        return False
    try:
        os.kill(owner.pid, 0)  # signal 0: only asks whether the pid exists
    except ProcessLookupError:
        return True
    except OSError:  # e.g. PermissionError: a process of another user has the pid
        pass
    fields = _stat_fields(owner.pid)
    if fields is None:
        return False
    if fields[0] in ("Z", "X"):  # zombie or dead: killed, waiting for its parent to reap it
        return True
    try:
        return owner.started is not None and int(fields[19]) != owner.started
    except ValueError:
        return False
