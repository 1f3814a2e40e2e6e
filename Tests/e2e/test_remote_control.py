"""End-to-end: the LMK app controls a running bridge over the session WebSocket (PRODUCT.md §8).

Kernels are started the ways Jupyter starts them (the wrapped kernelspec through jupyter_client;
`attach` next to a plain kernel), with the LMK stand-in as the server. The stand-in plays the
LMK app through its control API: `app_update` is the user changing notifyOn or the channel in
the app (stored, then pushed to the connected client), `sessionAction` is the app's interrupt
button (201 only while a client of the session is connected), and `ws_drop`/`ws_mute`/
`ws_refuse`/`expire` break the socket in the ways networks and services do.

Run with the project's venv: `.venv/bin/python -m pytest Tests/e2e/test_remote_control.py`.
"""

from __future__ import annotations

import json
import secrets
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from jupyter_client import KernelManager

from standin import Standin
from kernels import alive, collect, errors, run_cell, wait_until
from test_bridge_attach import attach, bridge_env, stop
from test_bridge_launch import KERNEL, KERNEL_MESSAGE_MODE, execution_count, jupyter_data, world  # noqa: F401


@pytest.fixture(scope="module")
def lmk_server(python_exe, repo_root):
    """One stand-in for the module, as test_bridge_launch's, plus a refresh token."""
    token, refresh = "at-seeded-" + secrets.token_urlsafe(16), "rt-seeded-" + secrets.token_urlsafe(16)
    with Standin().start(python_exe, repo_root, access_tokens=[token], refresh_tokens=[refresh]) as lmk:
        lmk.token, lmk.refresh_token = token, refresh
        yield lmk


class Gate:
    """A cell that touches a marker file, then runs until the test opens the gate: a long
    cell whose end the test decides (the kernel polls a file; the test waits on conditions)."""

    def __init__(self) -> None:
        folder = Path(tempfile.mkdtemp(prefix="lmk-gate-"))
        self.marker, self.release = folder / "running", folder / "release"
        self.code = (
            f"import pathlib, time\npathlib.Path({str(self.marker)!r}).touch()\n"
            f"while not pathlib.Path({str(self.release)!r}).exists():\n    time.sleep(0.02)"
        )

    def wait_running(self, timeout: float = 30.0) -> None:
        wait_until(self.marker.exists, timeout, "the cell's user code to run")

    def open(self) -> None:
        self.release.touch()


def start_gated_cell(world):
    """A kernel with notifyOn none configured, running a gated cell; returns (kernel, gate,
    the cell's msg_id, the LMK session id)."""
    world.write_config({"notifyOn": "none", "idleGrace": 0.3})
    k = world.start_kernel()
    gate = Gate()
    msg_id = k.kc.execute(gate.code)
    gate.wait_running()
    return k, gate, msg_id, the_session(world.lmk)["sessionId"]


def start_connected_kernel(world):
    """A kernel with notifyOn none configured that ran a cell, its session socket up;
    returns (kernel, the LMK session id, the socket)."""
    world.write_config({"notifyOn": "none"})
    k = world.start_kernel()
    run_cell(k.kc, "1")
    sid = the_session(world.lmk)["sessionId"]
    return k, sid, wait_socket(world.lmk, sid)


def the_session(lmk) -> dict:
    return wait_until(lambda: (lmk.sessions() or [None])[-1], 15, "the LMK session")


def open_sockets(lmk, session_id: str) -> list[dict]:
    return [c for c in lmk.ws_connections() if c["sessionId"] == session_id and c["closed"] is None]


def wait_socket(lmk, session_id: str, newer_than: int = 0, timeout: float = 15) -> dict:
    """The session's open socket with an id above `newer_than`, once it has said `connect`."""
    return lmk.wait_ws_bound(session_id, timeout, after=newer_than)


def socket_updates(lmk, connection_id: int | None = None) -> list[dict]:
    """The state updates the bridge sent over its sockets (all, or one connection's), parsed."""
    updates = []
    for c in lmk.ws_connections():
        if connection_id is None or c["id"] == connection_id:
            updates += [json.loads(m["text"]) for m in c["messages"] if m["kind"] == "update"]
    return updates


def wait_echo(lmk, field: str, value: str, timeout: float = 10) -> None:
    """Waits until the bridge itself sent `field: value` (it applied the change): over the
    socket while a run is in progress, by PATCH otherwise."""
    def sent() -> bool:
        history = lmk.sessions()[-1]["history"]
        return any(h["op"] in ("update", "ws-update") and (h["state"] or {}).get(field) == value for h in history)

    wait_until(sent, timeout, f"the bridge to send {field}={value!r}")


def press_interrupt(lmk, session_id: str) -> int:
    """The app's interrupt button: `sessionAction` as the app calls it; returns the status."""
    request = urllib.request.Request(
        f"{lmk.url}/v1/session/{session_id}/action", data=json.dumps({"action": "interrupt"}).encode(),
        headers={"Authorization": f"Bearer {lmk.token}", "Content-Type": "application/json"}, method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code


def assert_connect_first(lmk, session_id: str) -> None:
    """Every socket the bridge opened said `connect` for its session before anything else."""
    for c in lmk.ws_connections():
        if c["messages"]:
            first = json.loads(c["messages"][0]["text"])
            assert first == {"event": "connect", "data": {"sessionId": session_id, "readOnly": False}}, c


# ---------------------------------------------------------------- remote notifyOn and channel


def test_the_app_arms_a_running_cell_and_is_told_once_when_it_ends(world):
    k, gate, msg_id, sid = start_gated_cell(world)
    socket = wait_socket(world.lmk, sid)
    # While the socket is up, state goes over it: the running cell's finish time is cleared.
    wait_until(lambda: any(u.get("cellState") == "running" for u in socket_updates(world.lmk)), 10,
               "the running cell's state over the socket")
    running = next(u for u in socket_updates(world.lmk) if u.get("cellState") == "running")
    assert "cellFinishedAt" in running and running["cellFinishedAt"] is None

    assert world.lmk.app_update(sid, {"notifyOn": "stop"}) == 1
    wait_echo(world.lmk, "notifyOn", "stop")
    assert world.events() == []
    gate.open()
    collect(k.kc, msg_id, 30)

    events = wait_until(lambda: world.events() or None, 10, "the notification")
    assert len(events) == 1, events
    assert events[0]["sessionId"] == sid
    # One-shot: the configured value comes back once the run has ended, and the app sees it.
    state = world.wait_for_state("notifyOn reset", lambda s: s.get("notifyOn") == "none")
    assert state["shellState"] == "idle"
    run_cell(k.kc, "1 + 1")
    world.wait_for_state("the next cell", lambda s: s.get("cellState") == "success" and s.get("executionNum") == 2)
    assert len(world.events()) == 1
    assert open_sockets(world.lmk, sid)[0]["id"] == socket["id"]
    assert_connect_first(world.lmk, sid)


def test_a_channel_chosen_in_the_app_is_used_by_the_next_notification(world):
    world.write_config({"notifyOn": "stop", "idleGrace": 0.3})
    k = world.start_kernel()
    run_cell(k.kc, "1")
    sid = the_session(world.lmk)["sessionId"]
    wait_socket(world.lmk, sid)
    wait_until(lambda: world.events() or None, 10, "the first notification")
    assert world.lmk.app_update(sid, {"notifyChannel": "ch-sms"}) == 1
    wait_echo(world.lmk, "notifyChannel", "ch-sms")

    run_cell(k.kc, "2")
    events = wait_until(lambda: world.events()[1:] or None, 10, "the second notification")
    assert events[0]["notificationConfig"]["channelIds"] == ["ch-sms"], events
    assert world.events()[0]["notificationConfig"].get("channelIds") in (None, ["ch-email"])


def test_what_the_app_changed_while_the_socket_was_down_is_not_lost(world):
    k, gate, msg_id, sid = start_gated_cell(world)
    first = wait_socket(world.lmk, sid)
    # The socket drops and the service refuses the next upgrades: the app's change is stored only.
    world.lmk.ws_refuse(503, count=2)
    world.lmk.ws_drop(sid, mode="abort")
    wait_until(lambda: not open_sockets(world.lmk, sid), 10, "the socket to be gone")
    assert world.lmk.app_update(sid, {"notifyOn": "stop"}) == 0

    # After the reconnect, getSession tells the bridge what changed.
    wait_socket(world.lmk, sid, newer_than=first["id"], timeout=20)
    wait_echo(world.lmk, "notifyOn", "stop")
    gate.open()
    collect(k.kc, msg_id, 30)
    events = wait_until(lambda: world.events() or None, 10, "the notification")
    assert len(events) == 1
    assert_connect_first(world.lmk, sid)


# ---------------------------------------------------------------- remote interrupt


@pytest.mark.parametrize("kernel_name", [KERNEL, KERNEL_MESSAGE_MODE])
def test_the_apps_interrupt_cancels_the_cell_and_the_kernel_runs_on(world, kernel_name):
    world.write_config({"notifyOn": "none", "idleGrace": 0.3})
    k = world.start_kernel(kernel_name)
    kernel = k.kernel_pid()
    sid = the_session(world.lmk)["sessionId"]
    wait_socket(world.lmk, sid)
    gate = Gate()
    msg_id = k.kc.execute(gate.code)
    gate.wait_running()

    assert press_interrupt(world.lmk, sid) == 201
    messages = collect(k.kc, msg_id, 20)
    assert errors(messages) == ["KeyboardInterrupt"]
    world.wait_for_state(
        "the cell to be cancelled",
        lambda s: s.get("executionNum") == execution_count(messages) and s.get("cellState") == "cancelled",
    )
    messages = run_cell(k.kc, "6 * 7")
    assert k.bridge.poll() is None and alive(kernel)
    how = "SIGINT: the kernel was interrupted from the LMK app" if kernel_name == KERNEL else "interrupt_request sent"
    assert how in world.log_text()


def test_without_a_connected_client_the_apps_interrupt_is_refused(world):
    world.lmk.ws_refuse(404)
    world.write_config({"notifyOn": "none"})
    k = world.start_kernel()
    run_cell(k.kc, "1")
    sid = the_session(world.lmk)["sessionId"]
    wait_until(lambda: world.lmk.ws_refused() or None, 10, "a refused upgrade")
    assert press_interrupt(world.lmk, sid) == 412
    # The app's refused press is the point: forget it before the world's final check.
    world.lmk.reset()


def test_attach_mode_interrupts_by_message_and_follows_the_app(tmp_path, lmk_server):
    lmk_server.reset()
    km = KernelManager(kernel_name="python3")
    km.start_kernel(cwd=str(tmp_path))
    try:
        home = tmp_path / "home"
        home.mkdir()
        bridge = attach(km, bridge_env(home, lmk_server.url, lmk_server.token), "--notify-on", "none")
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=60)
        gate = Gate()
        msg_id = kc.execute(gate.code)
        gate.wait_running()
        sid = the_session(lmk_server)["sessionId"]
        wait_socket(lmk_server, sid)
        assert lmk_server.app_update(sid, {"notifyOn": "stop"}) == 1
        wait_echo(lmk_server, "notifyOn", "stop")

        assert press_interrupt(lmk_server, sid) == 201
        assert errors(collect(kc, msg_id, 20)) == ["KeyboardInterrupt"]
        events = wait_until(lambda: lmk_server.events() or None, 10, "the notification")
        assert len(events) == 1 and "cancelled" in events[0]["message"], events
        assert km.is_alive()
        assert stop(bridge) == 0
        assert lmk_server.token not in "\n".join(bridge.lines + bridge.errors)
        kc.stop_channels()
    finally:
        km.shutdown_kernel(now=True)


# ---------------------------------------------------------------- a socket that breaks


def test_a_dropped_or_silent_socket_is_replaced_with_a_new_connect(world):
    k, sid, first = start_connected_kernel(world)

    world.lmk.ws_drop(sid, mode="abort")
    second = wait_socket(world.lmk, sid, newer_than=first["id"])
    # A socket that stops answering pings is noticed by the heartbeat within seconds.
    world.lmk.ws_mute(sid)
    third = wait_socket(world.lmk, sid, newer_than=second["id"], timeout=20)
    world.lmk.ws_drop(sid, mode="close", code=1000)
    fourth = wait_socket(world.lmk, sid, newer_than=third["id"], timeout=20)

    assert world.lmk.app_update(sid, {"notifyOn": "error"}) == 1
    wait_echo(world.lmk, "notifyOn", "error")
    assert open_sockets(world.lmk, sid)[-1]["id"] == fourth["id"]
    assert_connect_first(world.lmk, sid)
    assert k.bridge.poll() is None


def test_an_expired_token_is_refreshed_and_the_socket_reconnects(world):
    world.write_config({"notifyOn": "none"})
    # Credentials as `login` leaves them, with only the stand-in's refresh token: the bridge
    # gets its own access token (the module's seeded one stays valid for the other tests).
    world.setenv("LMK_ACCESS_TOKEN", None)
    credentials = world.home / ".lmk" / "config"
    credentials.parent.mkdir(parents=True)
    credentials.write_text(f"[python]\nrefresh_token = {world.lmk.refresh_token}\n")
    k = world.start_kernel()
    run_cell(k.kc, "1")
    sid = the_session(world.lmk)["sessionId"]
    first = wait_socket(world.lmk, sid)

    world.lmk.expire(first["token"])
    world.lmk.ws_drop(sid, mode="abort")
    second = wait_socket(world.lmk, sid, newer_than=first["id"], timeout=20)
    assert second["token"] != first["token"]
    # The socket's upgrade is refused with 401 unless an HTTP call refreshed the token first.
    assert [r["status"] for r in world.lmk.ws_refused()] in ([401], [])
    assert world.lmk.app_update(sid, {"notifyOn": "stop"}) == 1
    wait_echo(world.lmk, "notifyOn", "stop")
    for token in (first["token"], second["token"]):
        assert token not in world.log_text()
    # The 401s of the expired token are the point: forget them before the world's final check.
    world.lmk.reset()


def test_lmk_without_a_socket_endpoint_works_as_before(world):
    world.lmk.ws_refuse(404)
    world.write_config({"notifyOn": "stop", "idleGrace": 0.3})
    k = world.start_kernel()
    run_cell(k.kc, "1 + 1")
    events = wait_until(lambda: world.events() or None, 10, "the notification")
    assert len(events) == 1
    world.wait_for_state("the state by PATCH", lambda s: s.get("cellState") == "success")
    assert any(r["method"] == "PATCH" for r in world.lmk.requests())
    log = world.log_text()
    assert log.count("LMK has no session socket (HTTP 404)") == 1, log


def test_malformed_messages_are_ignored_and_counted(world):
    k, sid, socket = start_connected_kernel(world)
    for raw in ["not json", "[]", '{"ok":true,"message":{"type":"update","session":{"state":{}}}}',
                '{"ok":true,"message":{"type":"update","session":{"state":{"notifyOn":"loudly"}}}}',
                '{"ok":false,"message":"nope"}', '{"ok":true,"message":{"type":"action","action":"reboot"}}']:
        assert world.lmk.ws_push(sid, raw=raw) == 1
    assert world.lmk.app_update(sid, {"notifyOn": "stop"}) == 1
    wait_echo(world.lmk, "notifyOn", "stop")
    assert open_sockets(world.lmk, sid)[-1]["id"] == socket["id"]
    assert k.bridge.poll() is None
    assert "ignored a malformed message (1 ignored so far)" in world.log_text()
