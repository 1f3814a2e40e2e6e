"""`jupyter-lmk attach` against a real ipykernel started by jupyter_client."""
from __future__ import annotations

import json
import os
import signal

import pytest
from jupyter_client.manager import KernelManager

from kernels import LineProcess, Sleeper, bridge_binary

TRANSPORTS = [
    pytest.param({}, id="tcp"),
    pytest.param({"transport_encryption": "auto"}, id="curve"),
    pytest.param({"transport": "ipc"}, id="ipc"),
]


@pytest.fixture
def kernel(request, tmp_path):
    options = dict(request.param)
    transport = options.pop("transport", "tcp")
    km = KernelManager(kernel_name="python3", transport=transport, **options)
    if transport == "ipc":
        km.ip = str(tmp_path / "kernel-ipc")
    km.connection_file = str(tmp_path / "kernel-test.json")
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    yield km, kc
    kc.stop_channels()
    if km.has_kernel:
        km.shutdown_kernel(now=True)


def attach(km) -> LineProcess:
    bridge = LineProcess([bridge_binary(), "attach", "--connection-file", km.connection_file])
    # The kernel answers our private subscription with a JEP 65 welcome: we are listening.
    bridge.wait_for_line(lambda line: line == "subscription confirmed (iopub_welcome)")
    return bridge


@pytest.mark.parametrize("kernel", TRANSPORTS, indirect=True)
def test_transcript_of_success_error_and_interrupt(kernel):
    km, kc = kernel
    bridge = attach(km)
    try:
        with open(km.connection_file) as handle:
            info = json.load(handle)
        if km.transport_encryption == "auto":
            assert info.get("curve_publickey"), "the kernel should run CurveZMQ"
            assert "(CurveZMQ)" in bridge.lines[0]
        bridge.wait_for_line(lambda line: line == "kernel: ipython (python)")

        reply = kc.execute_interactive("x = 6 * 7\nprint(x)", timeout=30)
        count = reply["content"]["execution_count"]
        bridge.wait_for_line(lambda line: line == f"cell [{count}] started: x = 6 * 7")
        bridge.wait_for_line(lambda line: line == f"cell [{count}] idle")

        reply = kc.execute_interactive("1/0", timeout=30)
        count = reply["content"]["execution_count"]
        bridge.wait_for_line(
            lambda line: line == f"cell [{count}] error: ZeroDivisionError: division by zero"
        )

        # A silent execution is not a cell.
        kc.execute_interactive("y = 1", silent=True, timeout=30)

        sleeper = Sleeper(seconds=60)
        msg_id = kc.execute(sleeper.code)
        started = bridge.wait_for_line(lambda line: "started: import pathlib, time" in line)
        count = int(started.split("[")[1].split("]")[0])
        sleeper.wait_running()
        km.interrupt_kernel()
        bridge.wait_for_line(lambda line: line == f"cell [{count}] interrupted (KeyboardInterrupt)")
        bridge.wait_for_line(lambda line: line == f"cell [{count}] idle")
        assert kc.get_shell_msg(timeout=30)["parent_header"]["msg_id"] == msg_id

        assert not any("y = 1" in line for line in bridge.lines)
        assert not any("dropped" in line for line in bridge.lines)

        km.shutdown_kernel()
        bridge.wait_for_line(lambda line: line == "kernel shut down (connection file removed)")
        assert bridge.wait(timeout=10) == 0
    finally:
        bridge.stop()


@pytest.mark.parametrize("kernel", TRANSPORTS[:1], indirect=True)
def test_killed_kernel_is_reported_dead(kernel):
    km, _ = kernel
    bridge = attach(km)
    try:
        os.kill(km.provisioner.process.pid, signal.SIGKILL)
        bridge.wait_for_line(
            lambda line: line == "kernel died (heartbeat lost, connection file still present)",
            timeout=20,
        )
        assert bridge.wait(timeout=10) == 1
    finally:
        bridge.stop()


@pytest.mark.parametrize("kernel", TRANSPORTS[:1], indirect=True)
def test_sigterm_stops_attach_cleanly(kernel):
    km, _ = kernel
    bridge = attach(km)
    try:
        bridge.proc.send_signal(signal.SIGTERM)
        assert bridge.wait(timeout=10) == 0
        assert km.is_alive(), "stopping the bridge must not touch the kernel"
    finally:
        bridge.stop()


def test_bad_connection_file_is_one_clear_line(tmp_path):
    path = tmp_path / "kernel-bad.json"
    path.write_text(json.dumps({"shell_port": 1, "iopub_port": "x", "stdin_port": 3,
                                "control_port": 4, "hb_port": 5, "key": "k"}))
    bridge = LineProcess([bridge_binary(), "attach", "--connection-file", str(path)])
    assert bridge.wait(timeout=10) == 1
    assert bridge.errors == [
        f"Error: connection file {path}: field 'iopub_port': must be a port number from 1 to 65535"
    ]


def test_existing_finds_the_newest_connection_file(tmp_path):
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(runtime))
    bridge = LineProcess([bridge_binary(), "attach", "--existing"], env=env)
    assert bridge.wait(timeout=10) == 1
    assert "no kernel connection file matching 'kernel-*.json'" in bridge.errors[0]
