"""End-to-end: a real out-of-memory kill is named as such (docs/BEHAVIOUR.md, "Kernel memory").

These machines have a writable cgroup v1 memory hierarchy (`/sys/fs/cgroup/memory`, as root).
The test makes a cgroup with a 256 MiB limit, runs a notebook through nbclient on the wrapped
kernel from a runner process that joined it (so the kernel, the supervisor and the monitor
inherit it), and a cell allocates past the limit. LMK must receive the death with the limit.
Where no memory cgroup can be made the test fails and says why: no silent skip.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import nbformat

from kernels import wait_until
from test_bridge_launch import KERNEL, jupyter_data, lmk_server, world  # noqa: F401 — fixtures

LIMIT = 256 << 20
MEMORY_ROOT = Path("/sys/fs/cgroup/memory")

RUNNER = """
import sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
try:
    NotebookClient(nb, kernel_name=sys.argv[2], timeout=60, startup_timeout=60).execute()
except Exception as error:  # the kernel dies: nbclient raises DeadKernelError
    print(type(error).__name__)
"""


def make_cgroup() -> Path:
    group = MEMORY_ROOT / f"lmk-oom-test-{uuid.uuid4().hex[:8]}"
    try:
        group.mkdir()
        (group / "memory.limit_in_bytes").write_text(str(LIMIT))
        memsw = group / "memory.memsw.limit_in_bytes"
        if memsw.exists():
            memsw.write_text(str(LIMIT))
    except OSError as error:
        raise AssertionError(f"cannot create a memory cgroup under {MEMORY_ROOT}: {error} "
                             "(needs root and cgroup v1; CI machines have it)") from error
    return group


def remove_cgroup(group: Path) -> None:
    for pid in (group / "cgroup.procs").read_text().split():
        try:
            os.kill(int(pid), 9)
        except ProcessLookupError:
            pass
    wait_until(lambda: not (group / "cgroup.procs").read_text().split(), 10, "the cgroup to empty")
    group.rmdir()


def test_a_real_oom_kill_is_reported_with_the_limit(world):
    path = world.notebook("big.ipynb", ["x = 1", "block = bytearray(1 << 30)\nblock[::4096] = b'x' * (1 << 18)"])
    world.setenv("JPY_SESSION_NAME", str(path))
    group = make_cgroup()
    try:
        # The runner joins the cgroup before it starts anything: everything below inherits it.
        script = f"echo $$ > {group}/cgroup.procs && exec {sys.executable} -c \"$0\" \"$1\" \"$2\""
        result = subprocess.run(["sh", "-c", script, RUNNER, str(path), KERNEL],
                                capture_output=True, text=True, timeout=120)
        assert "DeadKernelError" in result.stdout, (result.stdout, result.stderr)
        oom_kills = int((group / "memory.oom_control").read_text().split("oom_kill ")[1].split()[0])
        assert oom_kills >= 1, "the kernel was not killed by the OOM killer"
        (event,) = wait_until(world.events, 15, "the death notification")
    finally:
        remove_cgroup(group)
    message = event["message"]
    print(message)
    assert "**kernel died**" in message, message
    assert "killed by the out-of-memory killer (limit 256 MiB, peak 256 MiB)" in message, message
    session = next(s for s in world.sessions() if s["sessionId"] == event["sessionId"])
    assert session["state"]["cellError"].startswith("KernelDied: killed by the out-of-memory killer")
