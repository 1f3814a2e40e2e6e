"""End-to-end: local control of running bridges from a terminal (`jupyter-lmk notify`, `ps`).

Wrapped kernels (launcher mode) and `jupyter-lmk attach` against the LMK stand-in, in the
world of `test_bridge_launch.py` (temporary HOME, JUPYTER_RUNTIME_DIR, the installed
`python3-lmk` kernelspec). Each bridge keeps `<runtime>/jupyter-lmk/<kernel id>.json`
(0600, in a 0700 folder) and answers `<kernel id>.request` (docs/BEHAVIOUR.md, "Local control").
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from jupyter_client import KernelManager

from kernels import LineProcess, bridge_binary, collect, run_cell, wait_until
from test_bridge_launch import jupyter_data, lmk_server, world  # noqa: F401 (fixtures)


def lmk(*args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([bridge_binary(), *args], capture_output=True, text=True, timeout=timeout)


def kernel_id(connection_file: str) -> str:
    return Path(connection_file).stem.removeprefix("kernel-")


def ps_json() -> list[dict]:
    result = lmk("ps", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def listed(kernel: str):
    """The bridge of `kernel` as `ps --json` shows it, None while it is not listed."""
    return next((b for b in ps_json() if b["kernelId"] == kernel), None)


def setting(bridge: dict, key: str) -> dict:
    return next(s for s in bridge["settings"] if s["key"] == key)


class Gate:
    """A cell that runs until the test opens the gate (a file), then ends: a long run
    whose end the test decides, with no sleep for a fixed time."""

    def __init__(self):
        folder = Path(tempfile.mkdtemp(prefix="lmk-gate-"))
        self.running, self.open_file = folder / "running", folder / "open"
        self.code = (
            "import pathlib, time\n"
            f"pathlib.Path({str(self.running)!r}).touch()\n"
            f"while not pathlib.Path({str(self.open_file)!r}).exists(): time.sleep(0.02)"
        )

    def wait_running(self) -> None:
        wait_until(self.running.exists, 30, "the cell's user code to run")

    def open(self) -> None:
        self.open_file.touch()


def test_notify_stop_on_a_running_cell_notifies_once_when_it_ends(world):
    world.write_config({"notifyOn": "none"})
    path = world.notebook("analysis.ipynb", [])
    k = world.start_kernel(notebook=path)
    kernel = kernel_id(k.km.connection_file)
    folder = world.runtime / "jupyter-lmk"
    state_file = folder / f"{kernel}.json"
    wait_until(lambda: listed(kernel), 20, "the bridge's state file")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(state_file.stat().st_mode) == 0o600

    # Garbage in the request file is ignored (and removed), never a trap.
    request = folder / f"{kernel}.request"
    request.write_bytes(b"\x00{not json" * 10)
    wait_until(lambda: not request.exists(), 5, "the bridge to take the garbage request")

    gate = Gate()
    msg_id = k.kc.execute(gate.code)
    gate.wait_running()
    world.wait_for_state("the cell running", lambda s: s.get("cellState") == "running")

    result = lmk("notify", "stop")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"kernel {kernel[:8]} (analysis.ipynb): will notify when the current run stops "
        '(one-shot; then back to "none" from the config file)\n'
    )
    world.wait_for_state("notifyOn armed in the LMK session", lambda s: s.get("notifyOn") == "stop")
    bridge = listed(kernel)
    assert setting(bridge, "notifyOn") == {"key": "notifyOn", "value": "stop", "source": "a terminal (one-shot)"}
    assert bridge["mode"] == "launcher" and bridge["kernelPid"] == k.kernel_pid()
    assert bridge["supervisorPid"] == k.bridge.pid and bridge["notebook"] == str(path)
    assert bridge["sessionId"] == world.sessions()[-1]["sessionId"] and bridge["socket"] in ("connecting", "connected")
    assert world.events() == []

    gate.open()
    collect(k.kc, msg_id, 30)
    wait_until(lambda: len(world.events()) == 1, 15, "the one notification")
    world.wait_for_state("notifyOn back to none", lambda s: s.get("notifyOn") == "none")
    (event,) = world.events()
    assert event["message"].startswith("Notebook **analysis.ipynb** **finished** after execution"), event

    # One-shot: the next run does not notify.
    run_cell(k.kc, "x = 1")
    world.wait_for_state("the next cell's end", lambda s: s.get("cellState") == "success" and s.get("shellState") == "idle")
    bridge = wait_until(
        lambda: (b := listed(kernel)) and b.get("lastNotification", {}).get("delivery") == "delivered" and b,
        10, "ps to see the notification delivered")
    assert setting(bridge, "notifyOn")["source"] == str(world.user_config)
    assert "finished" in bridge["lastNotification"]["summary"]
    assert len(world.events()) == 1
    assert "ignored a request" in k.log_text()

    text = lmk("ps").stdout
    assert "last notified" in text and "analysis.ipynb" in text, text

    k.km.shutdown_kernel()
    wait_until(lambda: not state_file.exists(), 10, "the monitor to remove its state file")


def test_ps_lists_two_kernels_and_forgets_one_that_ended(world):
    first = world.start_kernel(notebook=world.notebook("one.ipynb", []))
    second = world.start_kernel(notebook=world.notebook("two.ipynb", []))
    ids = {kernel_id(first.km.connection_file), kernel_id(second.km.connection_file)}
    folder = world.runtime / "jupyter-lmk"

    # A stale state file (its bridge was SIGKILLed: a pid that is gone) and garbage.
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = json.loads(json.dumps(wait_until(lambda: listed(kernel_id(first.km.connection_file)), 20, "the first bridge")))
    stale.update(kernelId="deadbeef", pid=dead.pid, pidStartTicks=None)
    (folder / "deadbeef.json").write_text(json.dumps(stale))
    (folder / "garbage.json").write_bytes(b"\xff" * 100)

    both = wait_until(lambda: (b := ps_json()) and {x["kernelId"] for x in b} == ids and b, 20, "ps to list both kernels")
    assert sorted(Path(b["notebook"]).name for b in both) == ["one.ipynb", "two.ipynb"]
    assert not (folder / "deadbeef.json").exists(), "ps removes the file of a dead bridge"
    # Each bridge's session socket is up, and ps says so.
    both = wait_until(lambda: (b := ps_json()) and all(x["socket"] == "connected" for x in b) and b, 20,
                      "both session sockets to be connected")
    assert all(x["sessionId"] for x in both)
    table = lmk("ps").stdout
    assert "one.ipynb" in table and "two.ipynb" in table and "deadbeef" not in table, table
    assert "Running kernels\n  one.ipynb  kernel pid" in lmk("status").stdout

    # Two bridges and no choice: a usage error that lists them.
    result = lmk("notify", "error")
    assert result.returncode == 2, result
    assert "2 bridges are running" in result.stderr and "one.ipynb" in result.stderr and "two.ipynb" in result.stderr
    result = lmk("notify", "error", "--notebook", str(world.notebooks / "two.ipynb"))
    assert result.returncode == 0, result.stderr
    assert "(two.ipynb): will notify if the next run fails" in result.stdout
    result = lmk("notify", "none", "--existing", "no-such-kernel")
    assert result.returncode == 1 and "no running bridge for kernel no-such-kernel" in result.stderr

    first.km.shutdown_kernel()
    wait_until(lambda: not (folder / f"{kernel_id(first.km.connection_file)}.json").exists(), 10,
               "the first bridge to remove its state file")
    assert [b["kernelId"] for b in ps_json()] == [kernel_id(second.km.connection_file)]
    # `--existing` alone: the newest bridge, now the only one.
    result = lmk("notify", "stop", "--existing")
    assert result.returncode == 0 and "(two.ipynb)" in result.stdout, result


def test_attach_mode_answers_notify(world):
    world.runtime.mkdir(exist_ok=True)
    km = KernelManager(kernel_name="python3")
    km.connection_file = str(world.runtime / f"kernel-{uuid.uuid4()}.json")  # as jupyter_server names it
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    bridge = None
    try:
        kc.wait_for_ready(timeout=60)
        kernel = kernel_id(km.connection_file)
        bridge = LineProcess([bridge_binary(), "attach", "--existing", kernel])
        bridge.wait_for_line(lambda line: line == "subscription confirmed (iopub_welcome)")
        wait_until(lambda: listed(kernel), 10, "the attach bridge's state file")
        assert listed(kernel)["mode"] == "attach" and listed(kernel)["pid"] == bridge.proc.pid

        result = lmk("notify", "stop", "--existing", kernel[:6])
        assert result.returncode == 0, result.stderr
        assert "will notify when the next run stops" in result.stdout
        bridge.wait_for_line(lambda line: line == "remote change from a terminal: notifyOn stop")
        run_cell(kc, "y = 2")
        wait_until(lambda: len(world.events()) == 1, 15, "the armed notification")

        bridge.proc.send_signal(signal.SIGTERM)
        assert bridge.wait(timeout=10) == 0
        assert not (world.runtime / "jupyter-lmk" / f"{kernel}.json").exists()
    finally:
        if bridge is not None:
            bridge.stop()
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_a_symlinked_folder_is_refused_and_the_kernel_runs_on(world):
    elsewhere = world.root / "elsewhere"
    elsewhere.mkdir()
    world.runtime.mkdir(exist_ok=True)
    (world.runtime / "jupyter-lmk").symlink_to(elsewhere)
    k = world.start_kernel(notebook=world.notebook("plain.ipynb", [], lmk={"notifyOn": "stop"}))
    run_cell(k.kc, "z = 3")
    wait_until(lambda: len(world.events()) == 1, 15, "the notification, local control or not")
    assert "local control is off" in k.log_text() and "is a symlink" in k.log_text()
    assert list(elsewhere.iterdir()) == [], "nothing is written through the symlink"
    result = lmk("ps")
    assert result.returncode == 1 and "is a symlink" in result.stderr, result


def test_a_bridge_that_does_not_answer_is_exit_1_and_nothing_stays_armed(world):
    # A live process that never reads its requests: this test's own.
    folder = world.runtime / "jupyter-lmk"
    folder.mkdir(parents=True, mode=0o700)
    state = {"version": 1, "kernelId": "silent", "connectionFile": "/x/kernel-silent.json", "name": "s.ipynb",
             "mode": "attach", "pid": os.getpid(), "startedAtMilliseconds": 0, "settings": [], "socket": "off",
             "outboxBacklog": 0, "acknowledged": []}
    (folder / "silent.json").write_text(json.dumps(state))
    began = time.monotonic()
    result = lmk("notify", "stop")
    took = time.monotonic() - began
    assert result.returncode == 1, result
    assert result.stderr == (
        f"Error: kernel silent (s.ipynb): no answer from the bridge (pid {os.getpid()}) within 3 s; nothing was armed\n")
    assert 3 <= took < 6, took
    assert not (folder / "silent.request").exists(), "the request goes with the wait"
