"""End-to-end tests of launcher mode (`jupyter-lmk run`, docs/BEHAVIOUR.md, "Launcher mode").

A wrapped kernelspec is written by hand into a temporary JUPYTER_PATH and driven
with jupyter_client, exactly as Jupyter drives it: the bridge is the kernel
process, in a session of its own, signalled as a group. Every test that uses
`start` runs twice: through a wrapped kernelspec, and through a plain kernelspec
started by the `lmk` kernel provisioner (python/src/jupyter_lmk/provisioner.py),
which must behave the same.

Run with the project's venv: `.venv/bin/python -m pytest Tests/e2e/test_launcher.py`.
The binary is `$JUPYTER_LMK_BIN`, else `<repo>/.build/debug/jupyter-lmk`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from jupyter_client import KernelManager

from kernels import (
    Running, Sleeper, alive, bridge_binary, cmdline, collect, errors, kernel_child, provisioned_spec, result_text,
    run_cell, use_provisioner_from_source, wait_until,
)

BRIDGE = Path(bridge_binary())
DEATH_LINE = "kernel died: killed by signal 9 (SIGKILL; the cause is unknown)"


# ---------------------------------------------------------------- helpers






# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def bridge_bin() -> Path:
    if not BRIDGE.is_file():
        pytest.fail(f"{BRIDGE} not found: run `swift build` or set JUPYTER_LMK_BIN")
    return BRIDGE


@pytest.fixture(params=["wrapped", "provisioner"])
def launch_way(request, tmp_path_factory) -> str:
    """How Jupyter gets to `jupyter-lmk run`: a wrapped kernelspec's argv, or the `lmk` provisioner."""
    if request.param == "provisioner":
        use_provisioner_from_source(tmp_path_factory.getbasetemp() / "provisioner-site")
    return request.param


@pytest.fixture
def jupyter_path(tmp_path, monkeypatch, bridge_bin, launch_way) -> Path:
    """A JUPYTER_PATH with two ipykernel specs under the bridge: signal and message interrupt mode."""
    root = tmp_path / "jupyter"
    for name, mode in (("lmk-signal", "signal"), ("lmk-message", "message")):
        spec_dir = root / "kernels" / name
        spec_dir.mkdir(parents=True)
        kernel = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        fields = {"display_name": f"Python 3 (LMK, {mode})", "language": "python", "interrupt_mode": mode}
        if launch_way == "wrapped":
            spec = {"argv": [str(bridge_bin), "run", "--connection-file", "{connection_file}", "--", *kernel],
                    **fields}
        else:
            spec = provisioned_spec(kernel, str(bridge_bin), **fields)
        (spec_dir / "kernel.json").write_text(json.dumps(spec))
    monkeypatch.setenv("JUPYTER_PATH", str(root))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    return root


@pytest.fixture
def start(jupyter_path, tmp_path, bridge_bin):
    """Starts a wrapped kernel; everything started is shut down afterwards."""
    started: list[Running] = []

    def _start(kernel_name: str = "lmk-signal") -> Running:
        running = Running(KernelManager(kernel_name=kernel_name), tmp_path / f"bridge-{len(started)}.log")
        started.append(running)
        running.km.start_kernel(stderr=running.stderr)
        running.kc = running.km.client()
        running.kc.start_channels()
        running.kc.wait_for_ready(timeout=60)
        # Either way, the process Jupyter launched is the bridge, and the kernel runs under it.
        assert cmdline(running.bridge.pid)[:4] == [str(bridge_bin), "run", "--connection-file",
                                                   os.path.realpath(running.km.connection_file)]
        return running

    yield _start
    for running in started:
        running.stop()


# ---------------------------------------------------------------- tests

INTERRUPT_COUNTER = """
import pathlib, time
hits = 0
try:
    pathlib.Path(MARKER).touch()
    time.sleep(30)
except KeyboardInterrupt:
    hits += 1
    # A duplicate (forwarded) interrupt would land within this window.
    end = time.monotonic() + 1.0
    while time.monotonic() < end:
        try:
            time.sleep(0.02)
        except KeyboardInterrupt:
            hits += 1
hits
"""


@pytest.mark.parametrize("kernel_name", ["lmk-signal", "lmk-message"])
def test_interrupt_arrives_once_and_kernel_lives_on(start, kernel_name):
    k = start(kernel_name)

    sleeper = Sleeper()
    msg_id = k.kc.execute(sleeper.code)
    sleeper.wait_running()
    started = time.monotonic()
    k.km.interrupt_kernel()
    messages = collect(k.kc, msg_id, 20)
    assert errors(messages) == ["KeyboardInterrupt"]
    assert time.monotonic() - started < 10

    counter = Sleeper()
    msg_id = k.kc.execute(INTERRUPT_COUNTER.replace("MARKER", repr(str(counter.marker))))
    counter.wait_running()
    k.km.interrupt_kernel()
    messages = collect(k.kc, msg_id, 20)
    assert errors(messages) == []
    assert result_text(messages) == "1", "the interrupt did not arrive exactly once"

    assert result_text(run_cell(k.kc, "6 * 7")) == "42"
    assert k.bridge.poll() is None
    if kernel_name == "lmk-signal":
        assert "SIGINT: the kernel was interrupted" in k.log_text()


def test_kernel_is_the_bridges_child_in_its_group(start):
    k = start()
    bridge = k.bridge.pid
    text = result_text(run_cell(k.kc, "import os; (os.environ['JPY_PARENT_PID'], os.getppid(), os.getpgid(0))"))
    assert text == f"('{bridge}', {bridge}, {bridge})"


def test_now_shutdown_kills_the_kernels_subprocesses(start):
    k = start()
    sleeper = int(result_text(run_cell(k.kc, 'import subprocess; p = subprocess.Popen(["sleep", "300"]); p.pid')))
    assert alive(sleeper)
    kernel = k.kernel_pid()
    k.km.shutdown_kernel(now=True)
    wait_until(lambda: not alive(sleeper), 10, f"the kernel's subprocess {sleeper} to die")
    assert not alive(kernel)


def test_shutdown_bridge_exits_promptly_with_status_0(start, record_property):
    k = start()
    bridge = k.bridge
    kernel = kernel_child(bridge.pid)
    gone: dict[str, float] = {}

    def watch():
        deadline = time.monotonic() + 30
        while len(gone) < 2 and time.monotonic() < deadline:
            now = time.monotonic()
            for name, pid in (("kernel", kernel), ("bridge", bridge.pid)):
                if name not in gone and not alive(pid):
                    gone[name] = now
            time.sleep(0.002)

    watcher = threading.Thread(target=watch)
    watcher.start()
    began = time.monotonic()
    k.km.shutdown_kernel()
    took = time.monotonic() - began
    watcher.join()
    assert set(gone) == {"kernel", "bridge"}
    lag = gone["bridge"] - gone["kernel"]
    record_property("shutdown_seconds", round(took, 3))
    record_property("bridge_exit_after_kernel_seconds", round(lag, 3))
    print(f"shutdown_kernel took {took:.3f} s; bridge gone {lag:.3f} s after the kernel")
    assert bridge.returncode == 0
    assert lag < 1.0
    assert took < 2.5, "jupyter_client escalated to SIGTERM"
    assert "kernel died" not in k.log_text()
    assert "kernel exited with status 0" in k.log_text()


def test_sigkilled_kernel_bridge_exits_137_and_logs_the_death(start, record_property):
    k = start()
    bridge = k.bridge
    kernel = kernel_child(bridge.pid)
    began = time.monotonic()
    os.kill(kernel, signal.SIGKILL)
    assert bridge.wait(timeout=10) == 137
    took = time.monotonic() - began
    record_property("bridge_exit_after_kernel_death_seconds", round(took, 3))
    print(f"bridge exited {took:.3f} s after the kernel was killed")
    assert took < 2.5
    assert DEATH_LINE in k.log_text()


def test_restart_gives_a_new_bridge_that_runs_cells(start):
    k = start()
    old = k.bridge
    assert result_text(run_cell(k.kc, "x = 1; x")) == "1"
    k.km.restart_kernel()
    assert old.poll() is not None, "the old bridge still runs"
    assert k.bridge.pid != old.pid
    k.kc.wait_for_ready(timeout=60)
    assert result_text(run_cell(k.kc, "'x' in globals(), 40 + 2")) == "(False, 42)"


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2])
def test_bridge_survives_signals_sent_to_it_alone(start, signum):
    k = start()
    os.kill(k.bridge.pid, signum)
    line = f"{signal.Signals(signum).name} received; ignored"
    wait_until(lambda: line in k.log_text(), 10, f"the bridge to log {line!r}")
    assert k.bridge.poll() is None
    assert result_text(run_cell(k.kc, "1 + 1")) == "2"


# ---------------------------------------------------------------- without Jupyter


def run_bridge(bridge_bin, *kernel_argv, **popen) -> subprocess.Popen:
    return subprocess.Popen(
        [str(bridge_bin), "run", "--connection-file", "/nonexistent/kernel.json", "--", *kernel_argv],
        stderr=subprocess.PIPE, text=True, start_new_session=True, **popen)


def test_missing_kernel_program_is_one_clear_error(bridge_bin):
    bridge = run_bridge(bridge_bin, "/nonexistent/python", "-m", "ipykernel_launcher")
    _, err = bridge.communicate(timeout=10)
    assert bridge.returncode == 1
    assert "cannot start kernel /nonexistent/python: No such file or directory" in err
    assert "Fatal" not in err and "backtrace" not in err.lower()


def test_nonzero_exit_without_shutdown_is_a_death(bridge_bin):
    bridge = run_bridge(bridge_bin, "sh", "-c", "exit 3")
    _, err = bridge.communicate(timeout=10)
    assert bridge.returncode == 3
    assert "kernel died: exited with status 3" in err


def test_sigterm_to_the_group_is_a_shutdown(bridge_bin, tmp_path):
    ready = tmp_path / "ready"
    kernel = (
        "import signal, sys, time, pathlib\n"
        "signal.signal(signal.SIGTERM, lambda *a: sys.exit(5))\n"
        f"pathlib.Path({str(ready)!r}).touch()\n"
        "time.sleep(60)\n")
    bridge = run_bridge(bridge_bin, sys.executable, "-c", kernel)
    wait_until(ready.exists, 30, "the kernel to install its SIGTERM handler")
    os.killpg(bridge.pid, signal.SIGTERM)
    _, err = bridge.communicate(timeout=10)
    assert bridge.returncode == 5
    assert "SIGTERM: shutdown requested" in err
    assert "kernel died" not in err


def test_kernel_dies_with_a_sigkilled_bridge(bridge_bin):
    # `sleep` has no parent poller (ipykernel would notice on its own): only
    # PR_SET_PDEATHSIG can take it down when the bridge alone is killed.
    bridge = run_bridge(bridge_bin, "sleep", "300")
    kernel = kernel_child(bridge.pid)
    bridge.kill()
    bridge.wait(timeout=10)
    wait_until(lambda: not alive(kernel), 10, "the kernel to die with its bridge (PDEATHSIG)")
