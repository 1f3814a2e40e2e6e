"""End-to-end: a crash of the monitor never costs the kernel (docs/BEHAVIOUR.md, "Launcher mode": crash isolation).

`jupyter-lmk run` is a supervisor; monitoring runs in a `jupyter-lmk monitor` child. Debug
builds trap on purpose at a failpoint named by `JUPYTER_LMK_FAILPOINTS` (in the first monitor
only, or with `@all` in every one). Each test: the kernel keeps running and answering, the
supervisor restarts the monitor, the next monitor reports what is due, and the kernel's exit
is still relayed. Uses the world of `test_bridge_launch.py` (wrapped kernelspec, stand-in).
"""

from __future__ import annotations

import os
import signal
import time

from kernels import Sleeper, alive, errors, is_monitor, monitor_children, result_text, run_cell, wait_until
from test_bridge_launch import jupyter_data, lmk_server, world  # noqa: F401 — fixtures

RESTARTED = "the monitor process killed by signal"


FOLLOWING = "monitor restarted (restart 1): following the kernel again"


def wait_for_restart(world, k, old_monitors: list[int]) -> int:
    """Waits until the supervisor logged a crash and a new monitor follows the kernel; returns its pid."""
    wait_until(lambda: RESTARTED in world.log_text(), 20, "the supervisor to log the monitor's crash")
    wait_until(lambda: FOLLOWING in world.log_text(), 20, "the new monitor to follow the kernel")
    return wait_until(
        lambda: next((pid for pid in monitor_children(k.bridge.pid) if pid not in old_monitors), None),
        20, "a new monitor process")


def test_a_trap_on_the_first_message_leaves_the_kernel_running(world):
    world.setenv("JUPYTER_LMK_FAILPOINTS", "first-message")
    world.write_config({"notifyOn": "error"})
    k = world.start_kernel()
    kernel = k.kernel_pid()
    wait_for_restart(world, k, [])
    assert "failpoint first-message" in world.log_text()

    # The kernel never noticed; the new monitor follows it and reports the next failing cell.
    assert result_text(run_cell(k.kc, "6 * 7")) == "42"
    assert errors(run_cell(k.kc, "1 / 0")) == ["ZeroDivisionError"]
    (event,) = wait_until(world.events, 15, "the failed run's notification")
    assert "**failed**" in event["message"] and "ZeroDivisionError" in event["message"]
    assert k.kernel_pid() == kernel and alive(kernel)

    bridge = k.bridge
    k.km.shutdown_kernel()
    assert bridge.returncode == 0
    session = next(s for s in world.sessions() if s["sessionId"] == event["sessionId"])
    assert session["ended"]
    assert "kernel died" not in world.log_text()


def test_a_trap_mid_notification_still_delivers_it_once(world):
    world.setenv("JUPYTER_LMK_FAILPOINTS", "notification")
    world.write_config({"notifyOn": "stop", "idleGrace": 0.2})
    k = world.start_kernel()
    monitors = wait_until(lambda: monitor_children(k.bridge.pid), 10, "the first monitor")
    assert result_text(run_cell(k.kc, "'first run'")) == "'first run'"
    # The event was in the outbox when the monitor trapped; its successor delivers it.
    wait_for_restart(world, k, monitors)
    (event,) = wait_until(world.events, 15, "the run's notification")
    assert "**finished**" in event["message"]
    wait_until(lambda: world.outbox_entries() == [], 10, "the delivered event to leave the outbox")
    assert result_text(run_cell(k.kc, "40 + 2")) == "42"
    wait_until(lambda: len(world.events()) == 2, 15, "the second run's notification")
    assert len(world.events()) == 2


def test_a_trap_during_wrap_up_still_reports_the_death(world):
    world.setenv("JUPYTER_LMK_FAILPOINTS", "wrap-up")
    k = world.start_kernel()
    sleeper = Sleeper()
    k.kc.execute(sleeper.code)
    sleeper.wait_running()
    world.wait_for_state("the cell to be running", lambda s: s.get("cellState") == "running")
    bridge = k.bridge

    began = time.monotonic()
    os.kill(k.kernel_pid(), signal.SIGKILL)
    assert bridge.wait(timeout=10) == 137
    took = time.monotonic() - began
    print(f"bridge exited {took:.3f} s after the kernel was killed")
    assert took < 2.5
    assert "failpoint wrap-up" in world.log_text()
    (event,) = world.events()
    assert event["message"].startswith("The **python3-lmk** kernel **died**") and "SIGKILL" in event["message"]
    (session,) = world.sessions()
    assert session["ended"] and session["state"]["cellState"] == "error"


def test_a_crash_loop_is_bounded_and_the_kernel_runs_on(world):
    world.setenv("JUPYTER_LMK_FAILPOINTS", "monitor-start@all")
    k = world.start_kernel()
    wait_until(lambda: "times in a row; the kernel runs unmonitored" in world.log_text(), 30,
               "the supervisor to give up on the monitor")
    assert world.log_text().count(RESTARTED) == 5 + 1  # five restarts, then the sixth crash
    assert monitor_children(k.bridge.pid) == []
    assert result_text(run_cell(k.kc, "6 * 7")) == "42"
    bridge = k.bridge
    began = time.monotonic()
    k.km.shutdown_kernel()
    assert bridge.returncode == 0
    assert time.monotonic() - began < 2.5


def test_the_monitor_is_apart_and_the_kernel_does_not_see_the_lmk_secrets(world):
    world.setenv("LMK_REFRESH_TOKEN", "rt-secret-of-the-bridge")
    k = world.start_kernel()
    (monitor,) = wait_until(lambda: monitor_children(k.bridge.pid), 10, "the monitor process")
    assert is_monitor(monitor) and k.kernel_pid() != monitor
    names = result_text(run_cell(k.kc, "import os; sorted(n for n in os.environ if n.startswith('LMK_'))"))
    assert names == "['LMK_SERVER_URL']"
    # The monitor ignores the group's signals: an interrupt reaches the kernel, not the monitor.
    sleeper = Sleeper()
    msg_id = k.kc.execute(sleeper.code)
    sleeper.wait_running()
    k.km.interrupt_kernel()
    wait_until(lambda: "SIGINT: the kernel was interrupted" in world.log_text(), 10, "the interrupt")
    assert alive(monitor)
    del msg_id


def test_a_supervisor_killed_alone_takes_the_kernel_and_ends_the_monitor(world):
    k = world.start_kernel()
    kernel = k.kernel_pid()
    (monitor,) = wait_until(lambda: monitor_children(k.bridge.pid), 10, "the monitor process")
    world.wait_for_state("the session to exist", lambda s: s.get("shellState") == "idle")
    k.bridge.kill()  # SIGKILL to the supervisor alone, not the group
    wait_until(lambda: not alive(kernel), 10, "the kernel to die with its supervisor (PDEATHSIG)")
    # The monitor reads the end of its link, wraps up (the session is ended) and exits: no orphan.
    wait_until(lambda: not alive(monitor), 10, "the monitor to exit")
    wait_until(lambda: world.sessions()[-1]["ended"], 10, "the session to be ended")
