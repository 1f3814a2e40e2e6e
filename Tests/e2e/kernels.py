"""Shared helpers for the end-to-end tests: the built binary, real kernels, line readers."""
from __future__ import annotations

import contextlib
import os
import queue
import socket
import tempfile
import subprocess
import threading
import time
from pathlib import Path
from typing import Callable

REPO_ROOT = Path(__file__).resolve().parents[2]


def bridge_binary() -> str:
    """The jupyter-lmk executable under test (JUPYTER_LMK_BIN or the debug build)."""
    path = os.environ.get("JUPYTER_LMK_BIN") or str(REPO_ROOT / ".build" / "debug" / "jupyter-lmk")
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"jupyter-lmk binary not found at {path}: run `swift build` first")
    return path


def use_provisioner_from_source(site: Path) -> None:
    """Makes the `lmk` kernel provisioner of `python/` loadable in this process without installing it:
    `python/src` on sys.path and, in `site`, a dist-info whose entry points are those pyproject.toml
    declares (so jupyter_client finds it through importlib.metadata, as after `pip install`)."""
    import importlib
    import sys
    import tomllib

    project = tomllib.loads((REPO_ROOT / "python" / "pyproject.toml").read_text())["project"]
    dist_info = site / "jupyter_lmk-0+source.dist-info"
    dist_info.mkdir(parents=True, exist_ok=True)
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: jupyter-lmk\nVersion: 0+source\n")
    lines = []
    for group, points in project["entry-points"].items():
        lines.append(f"[{group}]")
        lines += [f"{name} = {target}" for name, target in points.items()]
    (dist_info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    for entry in (str(REPO_ROOT / "python" / "src"), str(site)):
        if entry not in sys.path:
            sys.path.insert(0, entry)
    importlib.invalidate_caches()


def provisioned_spec(argv: list[str], bridge: str, **fields) -> dict:
    """A plain kernelspec started through the `lmk` provisioner, with `bridge` as its binary."""
    return {"argv": argv, **fields,
            "metadata": {"kernel_provisioner": {"provisioner_name": "lmk", "config": {"executable": bridge}}}}


def wait_until(predicate: Callable[[], object], timeout: float, what: str, interval: float = 0.02):
    """Polls `predicate` until it returns a truthy value or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


class LineProcess:
    """A subprocess whose stdout lines are collected by a reader thread."""

    def __init__(self, argv: list[str], env: dict[str, str] | None = None):
        self.proc = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        self.lines: list[str] = []
        self.errors: list[str] = []
        self._cond = threading.Condition()
        self._threads = [
            threading.Thread(target=self._pump, args=(self.proc.stdout, self.lines), daemon=True),
            threading.Thread(target=self._pump, args=(self.proc.stderr, self.errors), daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _pump(self, stream, sink: list[str]):
        for line in stream:
            with self._cond:
                sink.append(line.rstrip("\n"))
                self._cond.notify_all()

    def wait_for_line(self, predicate: Callable[[str], bool], timeout: float = 15.0) -> str:
        """Waits for a stdout line that satisfies `predicate`; returns it."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.lines:
                    if predicate(line):
                        return line
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self._alive_readers()):
                    raise AssertionError(
                        f"no matching line within {timeout}s; stdout={self.lines!r} stderr={self.errors!r}"
                    )
                self._cond.wait(min(left, 0.2))

    def _alive_readers(self) -> bool:
        return any(thread.is_alive() for thread in self._threads)

    def wait(self, timeout: float) -> int:
        code = self.proc.wait(timeout=timeout)
        for thread in self._threads:
            thread.join(timeout=2)
        return code

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


def proc_stat(pid: int) -> tuple[str, int, int] | None:
    """(state, ppid, pgrp) of a live process (Linux /proc), None when it is gone or a zombie."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    state, ppid, pgrp = text[text.rindex(")") + 2 :].split()[:3]
    return None if state in ("Z", "X") else (state, int(ppid), int(pgrp))


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie counts as gone: it has exited)."""
    return proc_stat(pid) is not None


def children_of(pid: int) -> list[int]:
    """The live child processes of `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = proc_stat(int(entry.name))
            if stat and stat[1] == pid:
                found.append(int(entry.name))
    return found


def descendants_of(pid: int) -> list[int]:
    """Every live process below `pid` (children, their children, …)."""
    found, frontier = [], [pid]
    while frontier:
        kids = [kid for parent in frontier for kid in children_of(parent)]
        found += kids
        frontier = kids
    return found


def cmdline(pid: int) -> list[str]:
    """The argv of `pid`, [] when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


class Sleeper:
    """A cell whose user code touches a marker file and then sleeps.

    Interrupt it only once `wait_running` returned: an interrupt that lands in
    ipykernel's own code (before the cell, or inside a flush of its output)
    produces no KeyboardInterrupt error, and can even wedge the kernel. A file
    involves no ipykernel code, unlike printing a marker and reading it back.
    """

    def __init__(self, seconds: int = 30):
        self.marker = Path(tempfile.mkdtemp(prefix="lmk-sleeper-")) / "running"
        self.code = (
            f"import pathlib, time\npathlib.Path({str(self.marker)!r}).touch()\ntime.sleep({seconds})"
        )

    def wait_running(self, timeout: float = 30.0) -> None:
        wait_until(self.marker.exists, timeout, "the cell's user code to run")


# ---------------------------------------------------------------- IOPub and network helpers


def collect(kc, msg_id: str, timeout: float) -> list[dict]:
    """The IOPub messages of `msg_id` up to its idle status."""
    deadline = time.monotonic() + timeout
    messages = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(
                f"no idle for {msg_id} within {timeout} s; got {[m['msg_type'] for m in messages]}"
            )
        try:
            msg = kc.get_iopub_msg(timeout=remaining)
        except queue.Empty:
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        messages.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return messages


def run_cell(kc, code: str, timeout: float = 30) -> list[dict]:
    """Executes `code` and returns its IOPub messages up to its idle status."""
    return collect(kc, kc.execute(code), timeout)


def result_text(messages: list[dict]) -> str:
    for msg in messages:
        if msg["msg_type"] == "execute_result":
            return msg["content"]["data"]["text/plain"]
    raise AssertionError(f"no execute_result in {[m['msg_type'] for m in messages]}")


def errors(messages: list[dict]) -> list[str]:
    """The `ename`s of the error messages among `messages`."""
    return [m["content"]["ename"] for m in messages if m["msg_type"] == "error"]


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def is_monitor(pid: int) -> bool:
    """Whether `pid` is a bridge's monitor process (`jupyter-lmk monitor …`)."""
    return cmdline(pid)[1:2] == ["monitor"]


def monitor_children(bridge_pid: int) -> list[int]:
    """The monitor processes a launcher-mode bridge (the supervisor) runs now."""
    return [pid for pid in children_of(bridge_pid) if is_monitor(pid)]


def kernel_child(bridge_pid: int) -> int:
    """The real kernel under a launcher-mode bridge: its one child that is not a monitor."""
    kids = wait_until(
        lambda: [pid for pid in children_of(bridge_pid) if not is_monitor(pid)], 10,
        "the bridge's kernel child")
    assert len(kids) == 1, f"bridge {bridge_pid} has kernel children {kids}"
    return kids[0]


class Running:
    """A wrapped kernel started through jupyter_client, and its bridge's log."""

    def __init__(self, km, log: Path):
        self.km, self.log = km, log
        self.stderr = open(log, "wb")  # noqa: SIM115 — jupyter_client reuses it on restart
        self.kc = None

    @property
    def bridge(self) -> subprocess.Popen:
        return self.km.provisioner.process

    def kernel_pid(self) -> int:
        return kernel_child(self.bridge.pid)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self):
        if self.kc is not None:
            self.kc.stop_channels()
        with contextlib.suppress(Exception):
            if self.km.has_kernel and self.km.is_alive():
                self.km.shutdown_kernel(now=True)
        with contextlib.suppress(Exception):
            self.km.cleanup_resources()
        self.stderr.close()
