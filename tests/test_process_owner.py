"""Whether an import's owning process is certainly gone: pure checks on real processes of this machine."""

from __future__ import annotations

import os
import subprocess
import sys

from graph_seed.importers.process_owner import ProcessId, is_gone, start_ticks, this_process


def test_this_process_runs() -> None:
    me = this_process()
    assert me.pid == os.getpid() and me.started == start_ticks(os.getpid()) is not None
    assert not is_gone(me)


def test_a_reaped_or_killed_child_is_gone() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    owner = ProcessId(this_process().host, child.pid, start_ticks(child.pid))
    assert not is_gone(owner)
    child.kill()
    os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # dead but not reaped: a zombie
    assert is_gone(owner)
    child.wait()
    assert is_gone(owner)


def test_a_reused_pid_is_not_the_owner() -> None:
    me = this_process()
    assert me.started is not None
    assert is_gone(ProcessId(me.host, me.pid, me.started + 1))  # same pid, another start time


def test_another_host_or_a_silly_pid_is_never_judged_gone() -> None:
    me = this_process()
    assert not is_gone(ProcessId(me.host + "-elsewhere", 2**22 + 7, None))
    assert not is_gone(ProcessId(me.host, 0, None)) and not is_gone(ProcessId(me.host, -1, None))
