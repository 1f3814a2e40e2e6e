"""A hostile kernel against `jupyter-lmk attach` (issue 9, docs/BEHAVIOUR.md, "Semantics"; RELIABILITY.md).

A fake kernel over real ZeroMQ (fakekernel.py) sends what a broken or hostile
kernel may: tampered, unsigned, replayed, truncated, non-JSON, invalid UTF-8,
over-deep and huge messages, odd execution counts, lost idles, floods. After each
bad input a valid failing cell must still be notified exactly once (through the
LMK stand-in), the bridge must be alive, and its RSS bounded. Real ipykernel
covers the invalid-UTF-8 error a plain `os.fsdecode` produces, in attach mode and
under `jupyter-lmk run` (where the trap used to take the kernel down).
"""
from __future__ import annotations

import collections
import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from jupyter_client.manager import KernelManager

from fakekernel import FakeKernel
from kernels import bridge_binary, wait_until

IDLE_GRACE = "0.2"
# Bounds on the bridge's RSS (VmRSS), checked after every case. Measured (debug build,
# this 2-core machine): 38.1 MiB idle, 42.9 MiB (peak 43.4) after 600k execute_inputs
# without idle; the growth is the replay history filling to its 2^16 signatures.
# Issue 9 saw 37 → 127 MiB for the same flood before the fix.
RSS_BOUND_KIB = 60 * 1024
FLOOD_GROWTH_KIB = 12 * 1024
# 100k (> the 2^16 replay history, so every bound is at its steady state) keeps the
# suite short: the debug build takes ~10k execute_inputs a second. Set
# JUPYTER_LMK_HOSTILE_FLOOD=600000 to repeat issue 9's figure (~70 s).
FLOOD = int(os.environ.get("JUPYTER_LMK_HOSTILE_FLOOD", "100000"))


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


class Bridge:
    """`jupyter-lmk attach` on the fake kernel; stdout lines are counted, the
    interesting ones kept (a flood prints a line per cell)."""

    KEEP_BYTES = (b"notify:", b"subscription", b"kernel", b"attached")

    def __init__(self, kernel: FakeKernel, env: dict[str, str], *flags: str):
        self.proc = subprocess.Popen(
            [bridge_binary(), "attach", "--connection-file", str(kernel.connection_file),
             "--idle-grace", IDLE_GRACE, "--notify-on", "error", *flags],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.lines: list[str] = []
        self.tail: collections.deque[str] = collections.deque(maxlen=50)
        self.started = 0
        self.errors: list[str] = []
        self._cond = threading.Condition()
        threading.Thread(target=self._pump_out, daemon=True).start()
        threading.Thread(target=self._pump_err, daemon=True).start()
        kernel.wait_subscribed()
        self.wait_for(lambda line: line == "subscription confirmed (iopub_welcome)")

    def _pump_out(self):
        # By chunks, not lines: a flood prints hundreds of thousands of lines.
        carry = b""
        while chunk := os.read(self.proc.stdout.fileno(), 1 << 16):
            lines = (carry + chunk).split(b"\n")
            carry = lines.pop()
            with self._cond:
                self.started += chunk.count(b" started: ")
                self.tail.extend(line.decode(errors="replace") for line in lines[-50:])
                self.lines += [text for text in (line.decode(errors="replace") for line in lines
                                                 if line.startswith(self.KEEP_BYTES))]
                self._cond.notify_all()

    def _pump_err(self):
        for raw in self.proc.stderr:
            with self._cond:
                self.errors.append(raw.decode(errors="replace").rstrip("\n"))
                self._cond.notify_all()

    def wait_for(self, predicate, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = next((line for line in self.lines if predicate(line)), None)
                if found:
                    return found
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise AssertionError(
                        f"no matching line; rc={self.proc.poll()} tail={list(self.tail)!r} "
                        f"stderr={self.errors[-20:]!r}")
                self._cond.wait(min(left, 0.2))

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=15)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


@pytest.fixture
def lmk(module_standin):
    module_standin.reset()
    return module_standin


@pytest.fixture
def env(lmk, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    drop = ("LMK_", "JUPYTER_LMK_", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "JPY_SESSION_NAME")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env.update(HOME=str(home), LMK_SERVER_URL=lmk.url, LMK_ACCESS_TOKEN=lmk.token)
    return env


@pytest.fixture
def kernel(tmp_path):
    fake = FakeKernel(tmp_path)
    yield fake
    fake.close()


@pytest.fixture
def bridge(kernel, env):
    running = Bridge(kernel, env)
    yield running
    running.stop()


def assert_notified_once(lmk, bridge: Bridge, kernel: FakeKernel, count: int = 7,
                         evalue: str = "boom", already: int = 0) -> dict:
    """Sends a valid failing cell; it is notified exactly once, and the bridge lives."""
    kernel.failing_cell(count, evalue)
    bridge.wait_for(lambda line: line.startswith("notify:") and f"failed at [{count}]" in line)
    events = lmk.wait_for(lambda s: len(s.events()) > already and s.events(), 15,
                          "the notification")
    assert len(events) == already + 1, events
    event = events[-1]
    assert "**failed**" in event["message"] and f"ValueError: {evalue}" in event["message"]
    assert bridge.alive
    assert rss_kib(bridge.proc.pid) <= RSS_BOUND_KIB
    return event


# --- every bad input of issue 9 item 1; then a failing cell is notified once


SIGNATURE = "signature does not match"
MALFORMED_HEADER = "header is not a valid JSON object"
MALFORMED_CONTENT = "content does not fit its message type"
NO_DELIMITER = "no <IDS|MSG> delimiter"


def bad_inputs(k: FakeKernel) -> dict[str, tuple[list[list[bytes]], str | None]]:
    """Each bad input: its messages, and the drop reason the wrap-up summary must
    name (None: handled without a drop, e.g. repaired or never decoded)."""
    good = k.frames("status", {"execution_state": "busy"})
    tampered = list(good)
    tampered[-1] = b'{"execution_state": "idle"}'
    unsigned = list(good)
    unsigned[2] = b""
    status_parent = k.frames("status", {"execution_state": "busy"}, k.new_id())
    deep = b"[" * 100_000 + b"]" * 100_000
    huge_stream = b'{"name": "stdout", "text": "' + b"x" * (64 << 20) + b'"}'
    return {
        "tampered": ([tampered], SIGNATURE),
        "unsigned": ([unsigned], "unsigned message"),
        "forged with another key": ([[*good[:2], b"0" * 64, *good[3:]]], SIGNATURE),
        "replayed": ([status_parent, status_parent, status_parent], "replayed signature: 2"),
        "truncated": ([good[:4], good[:3]], "fewer than the five frames after the delimiter: 2"),
        "missing delimiter": ([[good[0], *good[2:]], [b"x" * 64]], NO_DELIMITER),
        "empty frames": ([[b""], [b"", b""]], NO_DELIMITER),
        "non-JSON header": ([k.frames("status", None, raw_header=b"not json {")], MALFORMED_HEADER),
        "non-JSON content": ([k.frames("error", None, raw_content=b"{{{ not json")],
                             MALFORMED_CONTENT),
        "invalid UTF-8 header": (
            [k.frames("status", None, raw_header=b'{"msg_type": "st\xff"}')], MALFORMED_HEADER),
        "invalid UTF-8 status content": (
            [k.frames("status", None, raw_content=b'{"execution_state": "\xffidle"}')], None),
        "over-deep JSON header": ([k.frames("status", None, raw_header=deep)], MALFORMED_HEADER),
        "over-deep JSON content": (
            [k.frames("error", None, raw_content=b'{"ename": "E", "traceback": ' + deep + b"}")],
            MALFORMED_CONTENT),
        "null parent header": ([
            k.frames("status", {"execution_state": "idle"}, raw_parent=b"null"),
            k.frames("error", {"ename": "E", "evalue": "v", "traceback": []}, raw_parent=b"null"),
        ], None),
        "status without execution_state": ([k.frames("status", {})], MALFORMED_CONTENT),
        "status with a null execution_state": (
            [k.frames("status", {"execution_state": None})], MALFORMED_CONTENT),
        "huge output (64 MiB stream)": ([k.frames("stream", None, raw_content=huge_stream)], None),
        "huge execute_input (16 MiB of code)": (
            [k.frames("execute_input", {"code": "#" * (16 << 20), "execution_count": 3})], None),
        "many frames": ([[*good, *([b"buffer"] * 10_000)]], None),
    }


BAD_NAMES = [
    "tampered", "unsigned", "forged with another key", "replayed", "truncated",
    "missing delimiter", "empty frames", "non-JSON header", "non-JSON content",
    "invalid UTF-8 header", "invalid UTF-8 status content", "over-deep JSON header",
    "over-deep JSON content", "null parent header", "status without execution_state",
    "status with a null execution_state", "huge output (64 MiB stream)",
    "huge execute_input (16 MiB of code)", "many frames",
]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_input_then_a_failing_cell_is_notified_once(name, lmk, kernel, bridge):
    messages, reason = bad_inputs(kernel)[name]
    for frames in messages:
        kernel.send_raw(frames)
    assert_notified_once(lmk, bridge, kernel)
    assert bridge.stop() == 0, bridge.errors
    assert not [line for line in bridge.errors if "Fatal error" in line or "runtime failure" in line]
    drops = [line for line in bridge.errors if "dropped an IOPub message" in line]
    summary = [line for line in bridge.errors if "IOPub messages dropped" in line]
    if reason is None:
        assert drops == [] and summary == [], bridge.errors
    else:
        assert len(drops) == 1, "one line a second at most"
        assert len(summary) == 1 and reason in summary[0], bridge.errors


def test_drops_are_logged_at_warning_level_and_summarised_at_wrap_up(lmk, kernel, bridge):
    bad = bad_inputs(kernel)
    for frames in bad["tampered"][0] * 3 + bad["unsigned"][0] * 2:
        kernel.send_raw(frames)
    assert_notified_once(lmk, bridge, kernel)
    assert bridge.stop() == 0
    drops = [line for line in bridge.errors if "dropped an IOPub message" in line]
    assert len(drops) == 1 and "warning" in drops[0], bridge.errors
    summary = [line for line in bridge.errors if "IOPub messages dropped" in line]
    assert len(summary) == 1, bridge.errors
    assert "IOPub messages dropped: 5 (unsigned message" in summary[0]
    assert "signature does not match: 3" in summary[0]


# --- execution_count variants, lost idle, invalid UTF-8


@pytest.mark.parametrize("count, shown", [
    ("3", 3), (3.0, 3), (3.5, 0), (1e30, 0), (2**63, 0), (True, 0), (-1, 0), (None, 0),
    ("three", 0), ([], 0),
], ids=repr)
def test_odd_execution_count_still_reports_the_cell(count, shown, lmk, kernel, bridge):
    msg_id = kernel.new_id()
    kernel.publish("execute_input", {"code": "raise ValueError('odd')", "execution_count": count},
                   msg_id)
    kernel.publish("error", {"ename": "ValueError", "evalue": "odd", "traceback": []}, msg_id)
    kernel.publish("status", {"execution_state": "idle"}, msg_id)
    bridge.wait_for(lambda line: line == f"notify: run of 1 cell(s) failed at [{shown}]")
    events = lmk.wait_for(lambda s: s.events(), 15, "the notification")
    assert len(events) == 1 and "ValueError: odd" in events[0]["message"]
    assert_notified_once(lmk, bridge, kernel, already=1)


def test_a_lost_idle_does_not_silence_later_failing_cells(lmk, kernel, bridge):
    kernel.cell("long_running()", 1, idle=False)
    for index, count in enumerate((2, 3, 4)):
        assert_notified_once(lmk, bridge, kernel, count=count, evalue=f"boom {count}",
                             already=index)


def test_invalid_utf8_in_an_error_is_reported_as_failed(lmk, kernel, bridge):
    msg_id = kernel.new_id()
    kernel.publish("execute_input", {"code": "open(path)", "execution_count": 5}, msg_id)
    kernel.send_raw(kernel.frames(
        "error", None, msg_id,
        raw_content=b'{"ename": "ValueError", "evalue": "cannot open data-\xff.csv", '
                    b'"traceback": ["\\u001b[31mValueError\\u001b[0m: cannot open data-\xff.csv"]}'))
    kernel.publish("status", {"execution_state": "idle"}, msg_id)
    bridge.wait_for(lambda line: line == "notify: run of 1 cell(s) failed at [5]")
    event = lmk.wait_for(lambda s: s.events(), 15, "the notification")[0]
    assert "ValueError: cannot open data-\ufffd.csv" in event["message"]
    assert not [line for line in bridge.errors if "dropped" in line]


# --- floods: bounded memory


def test_a_flood_of_execute_inputs_without_idle_keeps_memory_bounded(lmk, kernel, bridge):
    baseline = rss_kib(bridge.proc.pid)
    started = time.monotonic()
    kernel.flood_execute_inputs(FLOOD)
    assert_notified_once(lmk, bridge, kernel, count=7)
    after = rss_kib(bridge.proc.pid)
    print(f"flood of {FLOOD}: {time.monotonic() - started:.1f} s, RSS {baseline} → {after} KiB")
    assert bridge.started >= FLOOD
    assert after <= RSS_BOUND_KIB
    assert after - baseline <= FLOOD_GROWTH_KIB, (baseline, after)


def test_a_flood_on_distinct_subshells_keeps_memory_bounded(lmk, kernel, bridge):
    """Each cell on a subshell of its own stays in flight (nothing ends it): tracking
    stays at its bound. A kernel restarted unasked (`starting`, no shutdown before it)
    ends them all, as a death."""
    baseline = rss_kib(bridge.proc.pid)
    kernel.flood_execute_inputs(FLOOD // 10, subshells=True)
    kernel.publish("status", {"execution_state": "starting"}, None)
    (death,) = lmk.wait_for(lambda s: len(s.events()) == 1 and s.events(), 15, "the death")
    assert "kernel **died**" in death["message"] and "restarted" in death["message"]
    assert_notified_once(lmk, bridge, kernel, already=1)
    after = rss_kib(bridge.proc.pid)
    print(f"subshell flood: RSS {baseline} → {after} KiB")
    assert after - baseline <= FLOOD_GROWTH_KIB, (baseline, after)


# --- real ipykernel: the invalid-UTF-8 ValueError of issue 9 item 1


def test_real_ipykernel_error_with_a_surrogate_escaped_byte(lmk, env, tmp_path):
    km = KernelManager(kernel_name="python3")
    km.connection_file = str(tmp_path / "kernel-real.json")
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    bridge = None
    try:
        kc.wait_for_ready(timeout=60)
        bridge = subprocess.Popen(
            [bridge_binary(), "attach", "--connection-file", km.connection_file,
             "--idle-grace", IDLE_GRACE, "--notify-on", "error"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        lines: list[str] = []
        threading.Thread(target=lambda: [lines.append(raw.decode(errors="replace").rstrip())
                                         for raw in bridge.stdout], daemon=True).start()
        wait_until(lambda: "subscription confirmed (iopub_welcome)" in lines, 20, "attach")
        reply = kc.execute_interactive(
            "import os; raise ValueError('cannot open ' + os.fsdecode(b'data-\\xff.csv'))",
            timeout=30)
        count = reply["content"]["execution_count"]
        assert reply["content"]["status"] == "error"
        event = lmk.wait_for(lambda s: s.events(), 15, "the notification")[0]
        assert "**failed**" in event["message"]
        assert "ValueError: cannot open data-\ufffd.csv" in event["message"]
        assert f"**\\[{count}\\]**" in event["message"]
        assert f"cell [{count}] error: ValueError: cannot open data-\ufffd.csv" in lines
        assert bridge.poll() is None
    finally:
        if bridge is not None:
            bridge.send_signal(signal.SIGTERM)
            bridge.wait(timeout=15)
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_launcher_mode_survives_the_surrogate_escaped_error(lmk, env, tmp_path, monkeypatch):
    """Issue 9 item 1 as reported: under `jupyter-lmk run` this cell killed the bridge
    (the first dropped message trapped) and PDEATHSIG took the kernel with it."""
    import sys

    spec = tmp_path / "jupyter" / "kernels" / "hostile-lmk"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [os.path.abspath(bridge_binary()), "run", "--connection-file", "{connection_file}",
                 "--idle-grace", IDLE_GRACE, "--notify-on", "error", "--",
                 sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (LMK, hostile)", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    for name in ("HOME", "LMK_SERVER_URL", "LMK_ACCESS_TOKEN"):
        monkeypatch.setenv(name, env[name])
    log = tmp_path / "bridge.log"
    km = KernelManager(kernel_name="hostile-lmk")
    km.connection_file = str(tmp_path / "kernel-launch.json")
    with open(log, "wb") as stderr:
        km.start_kernel(stderr=stderr)
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=60)
            reply = kc.execute_interactive(
                "import os; raise ValueError('cannot open ' + os.fsdecode(b'data-\\xff.csv'))",
                timeout=30)
            assert reply["content"]["status"] == "error"
            event = lmk.wait_for(lambda s: s.events(), 15, "the notification")[0]
            assert "ValueError: cannot open data-\ufffd.csv" in event["message"]
            assert km.is_alive(), log.read_text(errors="replace")
            assert kc.execute_interactive("6 * 7", timeout=30)["content"]["status"] == "ok"
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    assert "runtime failure" not in log.read_text(errors="replace")


# --- files where a FIFO or device belongs (issue 9 item 11)


@pytest.mark.parametrize("kind", ["fifo", "/dev/zero"])
def test_a_fifo_or_device_as_connection_file_is_one_clear_line(kind, tmp_path):
    path = "/dev/zero" if kind == "/dev/zero" else str(tmp_path / "kernel-fifo.json")
    if kind == "fifo":
        os.mkfifo(path)
    proc = subprocess.run([bridge_binary(), "attach", "--connection-file", path],
                          capture_output=True, text=True, timeout=10)
    what = "a FIFO (named pipe)" if kind == "fifo" else "a character device"
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        f"Error: connection file {path}: is {what}, not a regular file"]


def test_a_fifo_as_config_and_notebook_warns_and_monitoring_stays_on(lmk, kernel, env, tmp_path):
    config, notebook = tmp_path / "config.json", tmp_path / "nb.ipynb"
    os.mkfifo(config)
    os.mkfifo(notebook)
    bridge = Bridge(kernel, dict(env, JUPYTER_LMK_CONFIG=str(config)), "--notebook", str(notebook))
    try:
        assert_notified_once(lmk, bridge, kernel)
    finally:
        bridge.stop()
    warnings = "\n".join(bridge.errors)
    assert f"config ignored: {config}: is a FIFO (named pipe), not a regular file" in warnings
    assert f"notebook metadata not used: {notebook}: is a FIFO (named pipe)" in warnings
