"""`jupyter-lmk attach` end to end (docs/BEHAVIOUR.md, "Semantics"; RELIABILITY.md): a real ipykernel started by
jupyter_client, notebooks executed by nbclient on that kernel, the bridge attached,
and the LMK stand-in receiving real HTTP. Every test ends by checking that each
request the bridge sent was valid against the API document and leaked no token."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import urllib.request
from pathlib import Path

import nbformat
import pytest
from jupyter_client import BlockingKernelClient
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from kernels import (
    LineProcess, Sleeper, bridge_binary, closed_port, result_text, run_cell, wait_until,
)
from notebook_server import Server
from standin import Standin

ISO_MILLIS_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
# Run All: quick, quick, slow (~1 s), quick.
RUN_ALL = ["a = 1", "b = a + 1", "import time\ntime.sleep(1)", "print(a + b)"]
# Short enough to keep the file fast, long enough that nbclient's cells form one run.
IDLE_GRACE = "0.3"


# --- fixtures and helpers


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty HOME for the bridge: no ~/.lmk/config, outbox and config under tmp."""
    path = tmp_path / "home"
    path.mkdir()
    return path


def start_kernel(directory: Path, name: str = "kernel-e2e.json", kernel_name: str = "python3") -> KernelManager:
    km = KernelManager(kernel_name=kernel_name)
    km.connection_file = str(directory / name)
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
    finally:
        kc.stop_channels()
    return km


@pytest.fixture
def kernel(tmp_path: Path):
    km = start_kernel(tmp_path)
    yield km
    if km.has_kernel:
        km.shutdown_kernel(now=True)


@pytest.fixture
def client(kernel: KernelManager):
    """Another frontend of `kernel`, for requests nbclient cannot make (queued requests,
    interrupts during a known cell). Its own session: `km.client()` would share the
    manager's session id, hence nbclient's shell socket identity, and lose its replies."""
    kc = BlockingKernelClient()
    kc.load_connection_file(kernel.connection_file)
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    yield kc
    kc.stop_channels()


def bridge_env(home: Path, server_url: str | None, token: str | None) -> dict[str, str]:
    """The test's environment minus anything that would reach the real LMK or home."""
    drop = ("LMK_", "JUPYTER_LMK_", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "JPY_SESSION_NAME")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env["HOME"] = str(home)
    if server_url is not None:
        env["LMK_SERVER_URL"] = server_url
    if token is not None:
        env["LMK_ACCESS_TOKEN"] = token
    return env


def start_attach(connection_file: str, env: dict[str, str], *flags: str, idle_grace: str = IDLE_GRACE) -> LineProcess:
    """Starts `attach` on a connection file, without waiting for anything."""
    return LineProcess(
        [bridge_binary(), "attach", "--connection-file", connection_file, "--idle-grace", idle_grace, *flags],
        env=env,
    )


def ready_client(connection_file: Path) -> BlockingKernelClient:
    """A frontend of the kernel behind `connection_file`, its channels started."""
    kc = BlockingKernelClient(connection_file=str(connection_file))
    kc.load_connection_file()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    return kc


def attach(km: KernelManager, env: dict[str, str], *flags: str, idle_grace: str = IDLE_GRACE) -> LineProcess:
    """Starts `attach` and returns once it listens and knows the kernel's language."""
    bridge = start_attach(km.connection_file, env, *flags, idle_grace=idle_grace)
    try:
        bridge.wait_for_line(lambda line: line == "subscription confirmed (iopub_welcome)")
        bridge.wait_for_line(lambda line: line.startswith("kernel: "))
    except BaseException:
        bridge.stop()
        raise
    return bridge


def stop(bridge: LineProcess) -> int:
    """Stops attach as Ctrl-C would; returns its exit status."""
    bridge.proc.send_signal(signal.SIGTERM)
    return bridge.wait(timeout=15)


def notebook(sources: list[str]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    return nb


def run_notebook(km: KernelManager, nb: nbformat.NotebookNode, fails: bool = False) -> list[int]:
    """Runs All on the already-started kernel, as a batch runner does (stopping at the
    first error unless none is expected); returns the kernel's execution counts of the
    cells that ran (nbclient renumbers its own cells from 1)."""
    counts: dict[int, int] = {}

    def record(cell, cell_index, execute_reply):
        counts[cell_index] = execute_reply["content"]["execution_count"]

    runner = NotebookClient(nb, km=km, timeout=60, on_cell_executed=record, on_cell_error=record)
    try:
        runner.execute()
        assert not fails, "the notebook should have failed"
    except CellExecutionError:
        if not fails:
            raise
    finally:
        if runner.kc is not None:
            runner.kc.stop_channels()
    return [counts[i] for i in sorted(counts)]


def only_session(lmk) -> dict:
    sessions = lmk.sessions()
    assert len(sessions) == 1, sessions
    return sessions[0]


def wait_for_state(lmk, what: str, timeout: float = 15.0, **expected) -> dict:
    """Waits until the (single) session's state has the `expected` fields; returns the session."""

    def matches(s):
        sessions = s.sessions()
        if len(sessions) != 1:
            return None
        state = sessions[-1]["state"]
        return sessions[-1] if all(state.get(k) == v for k, v in expected.items()) else None

    return lmk.wait_for(matches, timeout, what)


def wait_for_events(lmk, count: int, timeout: float = 15.0) -> list[dict]:
    def enough(s):
        events = s.events()
        return events if len(events) >= count else None

    return lmk.wait_for(enough, timeout, f"{count} notification(s)")


def assert_clean_traffic(lmk, *bridges: LineProcess) -> list[dict]:
    """§7: every request was valid against the API document, and the token was only ever
    in the Authorization header: never in a path, query, body, or a line the bridge printed."""
    requests = lmk.requests()
    invalid = [(r["method"], r["path"], r["error"]) for r in requests if not r["valid"]]
    assert invalid == []
    token = lmk.token
    for r in requests:
        assert token not in f"{r['path']} {r['query']} {r['raw_body']}", r["path"]
    for bridge in bridges:
        assert not [line for line in bridge.lines + bridge.errors if token in line]
    return requests


def assert_iso_millis(state: dict):
    for key in ("cellStartedAt", "cellFinishedAt"):
        assert ISO_MILLIS_UTC.match(state[key]), (key, state[key])
    assert state["cellFinishedAt"] >= state["cellStartedAt"]


# --- 1. Run All under stop


def test_run_all_under_stop_notifies_once_and_mirrors_the_final_state(kernel, standin, home, tmp_path):
    path = tmp_path / "run-all.ipynb"
    nbformat.write(notebook(RUN_ALL), path)
    bridge = attach(kernel, bridge_env(home, standin.url, standin.token),
                    "--notify-on", "stop", "--notebook", str(path))
    try:
        counts = run_notebook(kernel, nbformat.read(path, as_version=4))
        assert len(counts) == 4
        count, source = counts[-1], RUN_ALL[-1]
        event = wait_for_events(standin, 1)[0]

        kernel.shutdown_kernel()
        bridge.wait_for_line(lambda line: line == "kernel shut down (connection file removed)")
        assert bridge.wait(timeout=15) == 0

        assert len(standin.events()) == 1
        assert bridge.lines.count(f"notify: run of 4 cell(s) finished at [{count}]") == 1
        session = only_session(standin)
        assert session["name"] == "run-all.ipynb"
        message = event["message"]
        assert "**run-all.ipynb**" in message
        assert "**finished**" in message
        assert f"**\\[{count}\\]**" in message
        assert f"```python\n{source}\n```" in message
        assert event["contentType"] == "text/markdown"
        assert event["sessionId"] == session["sessionId"]
        assert event["notificationConfig"] == {"notify": True}, "no channel: the account's default"

        state = session["state"]
        assert {k: state.get(k) for k in
                ("type", "notebookName", "shellState", "cellState", "executionNum", "cellText",
                 "cellError", "notifyOn")} == {
            "type": "jupyter", "notebookName": "run-all.ipynb", "shellState": "idle",
            "cellState": "success", "executionNum": count, "cellText": source, "cellError": "",
            "notifyOn": "stop"}
        assert "notifyChannel" not in state
        assert_iso_millis(state)
        history = session["history"]
        assert history[0]["op"] == "create"
        assert history[-1]["op"] == "end" and session["ended"]
        assert any(h["state"] and h["state"].get("shellState") == "running" for h in history)
        assert_clean_traffic(standin, bridge)
    finally:
        bridge.stop()


def test_batch_runner_shutting_down_inside_the_idle_grace_still_notifies(kernel, standin, home):
    """papermill / nbconvert --execute shut the kernel down right after the last cell:
    the run, still inside its idle grace, ends at once and is notified before exit."""
    bridge = attach(kernel, bridge_env(home, standin.url, standin.token), "--notify-on", "stop",
                    idle_grace="60")
    try:
        count = run_notebook(kernel, notebook(RUN_ALL[:2]))[-1]
        kernel.shutdown_kernel()
        assert bridge.wait(timeout=15) == 0
        events = standin.events()
        assert len(events) == 1
        assert "**finished**" in events[0]["message"] and f"**\\[{count}\\]**" in events[0]["message"]
        session = only_session(standin)
        assert session["ended"]
        assert session["state"]["shellState"] == "idle" and session["state"]["executionNum"] == count
        assert_clean_traffic(standin, bridge)
    finally:
        bridge.stop()


# --- 2. none: no event, states still mirrored


def test_notify_on_none_mirrors_states_without_notifying(kernel, standin, home):
    bridge = attach(kernel, bridge_env(home, standin.url, standin.token), "--notify-on", "none")
    try:
        count, source = run_notebook(kernel, notebook(RUN_ALL))[-1], RUN_ALL[-1]
        session = wait_for_state(standin, "the run's final state", shellState="idle", cellState="success",
                                 executionNum=count)
        assert session["state"]["cellText"] == source
        assert session["state"]["notifyOn"] == "none"
        running = [h["state"] for h in session["history"] if h["state"] and h["state"].get("cellState") == "running"]
        assert running and all(s["shellState"] == "running" and s["cellError"] == "" for s in running)
        # PATCH leaves it out; the session socket clears it with null.
        assert all(s.get("cellFinishedAt") is None for s in running), "a starting cell has no finish time"
        assert stop(bridge) == 0
        # Stopping delivers whatever is due: a notification would be there now.
        assert standin.events() == []
        assert not [line for line in bridge.lines if line.startswith("notify:")]
        assert only_session(standin)["ended"]
        assert_clean_traffic(standin, bridge)
    finally:
        bridge.stop()


# --- 3. error: only failing runs notify; aborted cells do not extend a run


def test_notify_on_error_reports_only_failing_runs(kernel, client, standin, home):
    bridge = attach(kernel, bridge_env(home, standin.url, standin.token), "--notify-on", "error")
    try:
        passing = run_notebook(kernel, notebook(["p = 1", "p += 1"]))
        wait_for_state(standin, "the passing run's end", shellState="idle", cellState="success",
                       executionNum=passing[-1])

        failing = notebook(["q = 1", "raise ValueError('boom')", "print('never runs')"])
        first_failure = run_notebook(kernel, failing, fails=True)
        assert len(first_failure) == 2, "nbclient stops at the error"
        failed_count = first_failure[-1]
        events = wait_for_events(standin, 1)
        message = events[0]["message"]
        assert "**failed**" in message and "ValueError: boom" in message
        assert f"**\\[{failed_count}\\]**" in message
        wait_for_state(standin, "the failed run's end", shellState="idle", cellState="error",
                       cellError="ValueError: boom", executionNum=failed_count)

        # Run All in a frontend queues every request at once: after the error the
        # kernel aborts the rest (stop_on_error), with no execute_input.
        ids = [client.execute("r = 1"), client.execute("raise ValueError('boom')"),
               client.execute("print('aborted')")]
        replies = {}
        while len(replies) < 3:
            reply = client.get_shell_msg(timeout=30)
            replies[reply["parent_header"]["msg_id"]] = reply["content"]
        assert [replies[i]["status"] for i in ids] == ["ok", "error", "aborted"]
        failed_count = replies[ids[1]]["execution_count"]
        events = wait_for_events(standin, 2)
        wait_for_state(standin, "the queued run's end", shellState="idle", cellState="error",
                       cellError="ValueError: boom", executionNum=failed_count)
        assert stop(bridge) == 0

        events = standin.events()
        assert len(events) == 2, "a passing run under `error` must not notify"
        assert "**failed**" in events[1]["message"] and f"**\\[{failed_count}\\]**" in events[1]["message"]
        notes = [line for line in bridge.lines if line.startswith("notify:")]
        assert notes == [f"notify: run of 2 cell(s) failed at [{first_failure[-1]}]",
                         f"notify: run of 2 cell(s) failed at [{failed_count}]"]
        assert_clean_traffic(standin, bridge)
    finally:
        bridge.stop()


# --- 4. interrupt


def test_interrupt_is_notified_as_cancelled(kernel, client, standin, home):
    bridge = attach(kernel, bridge_env(home, standin.url, standin.token), "--notify-on", "stop")
    try:
        sleeper = Sleeper(seconds=60)
        client.execute(sleeper.code)
        sleeper.wait_running()
        kernel.interrupt_kernel()
        event = wait_for_events(standin, 1)[0]
        assert "**was cancelled**" in event["message"]
        session = wait_for_state(standin, "the cancelled state", shellState="idle", cellState="cancelled")
        assert session["state"]["cellError"] == ""
        assert stop(bridge) == 0
        assert len(standin.events()) == 1
        assert_clean_traffic(standin, bridge)
    finally:
        bridge.stop()


# --- 5. minDuration; a directive cell


def test_min_duration_and_a_directive_cell(kernel, client, standin, home):
    env = bridge_env(home, standin.url, standin.token)
    short = attach(kernel, env, "--notify-on", "stop", "--min-duration", "5")
    try:
        reply = client.execute_interactive("import time\ntime.sleep(1)", timeout=30)
        wait_for_state(standin, "the short run's end", shellState="idle", cellState="success",
                       executionNum=reply["content"]["execution_count"])
        assert stop(short) == 0
        assert standin.events() == [], "a run shorter than --min-duration does not notify"
    finally:
        short.stop()

    directed = attach(kernel, env, "--notify-on", "none")
    try:
        reply = client.execute_interactive("# lmk: notify=stop\nx = 1", timeout=30)
        event = wait_for_events(standin, 1)[0]
        assert "**finished**" in event["message"]
        assert f"**\\[{reply['content']['execution_count']}\\]**" in event["message"]
        assert stop(directed) == 0
        assert len(standin.events()) == 1
        directed_session = standin.sessions()[-1]
        assert directed_session["state"]["notifyOn"] == "stop", "the directive is in force from its cell on"
        assert_clean_traffic(standin, short, directed)
    finally:
        directed.stop()


# --- 6. channel


def test_notify_channel_is_resolved_to_its_id(kernel, client, standin, home):
    bridge = attach(kernel, bridge_env(home, standin.url, standin.token),
                    "--notify-on", "stop", "--notify-channel", "sms")
    try:
        client.execute_interactive("z = 3", timeout=30)
        event = wait_for_events(standin, 1)[0]
        assert event["notificationConfig"] == {"notify": True, "channelIds": ["ch-sms"]}
        assert stop(bridge) == 0
        session = only_session(standin)
        assert session["state"]["notifyChannel"] == "ch-sms"
        assert event["sessionId"] == session["sessionId"]
        assert_clean_traffic(standin, bridge)
    finally:
        bridge.stop()


# --- 7. kernel death


@pytest.mark.parametrize("notify_on", ["none", "stop"])
def test_killed_kernel_is_notified_once_whatever_notify_on_says(notify_on, kernel, client, standin, home):
    bridge = attach(kernel, bridge_env(home, standin.url, standin.token), "--notify-on", notify_on)
    try:
        sleeper = Sleeper(seconds=60)
        client.execute(sleeper.code)
        sleeper.wait_running()
        os.kill(kernel.provisioner.process.pid, signal.SIGKILL)
        assert bridge.wait(timeout=20) == 1
        events = standin.events()
        assert len(events) == 1
        # No --notebook: the notebook is unknown and the message speaks of the kernel.
        assert events[0]["message"].startswith("The **python3** kernel **died** during execution **\\[1\\]**")
        session = only_session(standin)
        assert session["state"]["cellState"] == "error"
        assert session["state"]["cellError"].startswith("KernelDied")
        assert session["state"]["shellState"] == "idle"
        assert session["ended"]
        assert_clean_traffic(standin, bridge)
    finally:
        bridge.stop()


# --- 8. LMK outages


def test_retry_after_503_delivers_the_event_once(kernel, client, standin, home):
    standin.fault(method="POST", path="/v1/event", status=503, retryAfter=1, count=2)
    bridge = attach(kernel, bridge_env(home, standin.url, standin.token), "--notify-on", "stop")
    try:
        client.execute_interactive("w = 1", timeout=30)
        wait_for_events(standin, 1)
        assert stop(bridge) == 0
        assert len(standin.events()) == 1
        posts = [r["status"] for r in standin.requests() if r["path"] == "/v1/event"]
        assert posts == [503, 503, 201]
        assert_clean_traffic(standin, bridge)
    finally:
        bridge.stop()


def test_outbox_keeps_an_undelivered_event_for_a_later_bridge(kernel, client, standin, home, python_exe, repo_root):
    outbox = home / ".local" / "share" / "jupyter-lmk" / "outbox"
    first = attach(kernel, bridge_env(home, standin.url, standin.token), "--notify-on", "stop")
    try:
        standin.wait_for(lambda s: s.sessions(), 10, "the session")
        assert_clean_traffic(standin, first)
        standin.stop()  # LMK goes down before the run ends
        client.execute_interactive("v = 1", timeout=30)
        first.wait_for_line(lambda line: line.startswith("notify: run of 1 cell(s) finished"))
        assert stop(first) == 0
        kept = list(outbox.glob("*.json"))
        assert len(kept) == 1
        assert kept[0].stat().st_mode & 0o777 == 0o600
        assert "finished" in json.loads(kept[0].read_text())["message"]
    finally:
        first.stop()

    with Standin().start(python_exe, repo_root, access_tokens=[standin.token]) as back:
        back.token = standin.token
        later = attach(kernel, bridge_env(home, back.url, back.token))
        try:
            event = wait_for_events(back, 1)[0]
            assert "**finished**" in event["message"]
            wait_until(lambda: not list(outbox.glob("*.json")), 10, "the outbox to empty")
            assert stop(later) == 0
            assert len(back.events()) == 1
            assert_clean_traffic(back, first, later)
        finally:
            later.stop()



def test_a_channel_named_while_lmk_is_unreachable_still_gets_the_event(kernel, client, standin, home):
    """The channel list cannot be fetched while LMK is down, so `sms` is not yet an id
    when the run ends; the event must still reach that channel once LMK is back."""
    outbox = home / ".local" / "share" / "jupyter-lmk" / "outbox"
    offline = attach(kernel, bridge_env(home, f"http://127.0.0.1:{closed_port()}", standin.token),
                     "--notify-on", "stop", "--notify-channel", "sms")
    try:
        client.execute_interactive("t = 1", timeout=30)
        offline.wait_for_line(lambda line: line.startswith("notify: run of 1 cell(s) finished"))
        assert stop(offline) == 0
        assert len(list(outbox.glob("*.json"))) == 1
    finally:
        offline.stop()

    later = attach(kernel, bridge_env(home, standin.url, standin.token))
    try:
        event = wait_for_events(standin, 1)[0]
        assert event["notificationConfig"] == {"notify": True, "channelIds": ["ch-sms"]}
        assert stop(later) == 0
        assert_clean_traffic(standin, offline, later)
    finally:
        later.stop()


# --- 9. 409: the session was ended in the app


def test_session_ended_in_the_app_stops_updates_but_not_notifications(kernel, client, standin, home):
    bridge = attach(kernel, bridge_env(home, standin.url, standin.token), "--notify-on", "stop")
    try:
        session_id = standin.wait_for(lambda s: s.sessions(), 10, "the session")[0]["sessionId"]
        request = urllib.request.Request(
            f"{standin.url}/v1/session/{session_id}/end", method="POST",
            headers={"Authorization": f"Bearer {standin.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 201
        ended_at = standin.requests()[-1]["seq"]

        run_notebook(kernel, notebook(["s = 1", "import time\ntime.sleep(0.5)", "s += 1"]))
        event = wait_for_events(standin, 1)[0]
        assert "sessionId" not in event
        assert "**finished**" in event["message"]
        client.execute_interactive("s += 1", timeout=30)
        assert stop(bridge) == 0

        # Writes only: the session socket reads the session (getSession) once it connects.
        after = [r for r in standin.requests()
                 if r["seq"] > ended_at and session_id in r["path"] and r["method"] != "GET"]
        assert [(r["method"], r["status"]) for r in after] == [("PATCH", 409)], after
        assert_clean_traffic(standin, bridge)
    finally:
        bridge.stop()


# --- 10. no credentials


def test_without_credentials_the_kernel_is_followed_locally(kernel, client, standin, home):
    bridge = attach(kernel, bridge_env(home, standin.url, None), "--notify-on", "stop")
    try:
        reply = client.execute_interactive("u = 1", timeout=30)
        count = reply["content"]["execution_count"]
        bridge.wait_for_line(lambda line: line == f"cell [{count}] started: u = 1")
        bridge.wait_for_line(lambda line: line == f"cell [{count}] idle")
        kernel.shutdown_kernel()
        assert bridge.wait(timeout=15) == 0
        hints = [line for line in bridge.errors if "jupyter-lmk login" in line]
        assert len(hints) == 1, bridge.errors
        assert standin.requests() == []
        assert_clean_traffic(standin, bridge)
    finally:
        bridge.stop()


# --- 7b. restarts and shutdowns the heartbeat does not see (issue 11 items 2 and 6)


@pytest.fixture
def server(tmp_path: Path, python_exe: str):
    """A real `jupyter server` with its own runtime folder (its kernels' connection files)."""
    root = tmp_path / "notebooks"
    root.mkdir()
    runtime = tmp_path / "runtime"
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime)}
    srv = Server(python_exe, root, tmp_path / "jupyter-server.log", env)
    srv.runtime = runtime
    yield srv
    assert srv.stop() == 0


def test_a_kernel_killed_under_jupyter_server_is_a_death_not_a_cancel(server, standin, home):
    """The server's restarter brings a SIGKILLed kernel back within a second, so the
    heartbeat may never miss: the new kernel's `starting` is the sign of the death."""
    session = server.api("POST", "/api/sessions", {
        "path": "long.ipynb", "name": "long.ipynb", "type": "notebook", "kernel": {"name": "python3"},
    })
    connection = server.runtime / f"kernel-{session['kernel']['id']}.json"
    kc = ready_client(connection)
    bridge = start_attach(str(connection), bridge_env(home, standin.url, standin.token), "--notify-on", "error")
    try:
        bridge.wait_for_line(lambda line: line.startswith("kernel: "))
        pid = int(result_text(run_cell(kc, "import os; os.getpid()")))
        sleeper = Sleeper(seconds=60)
        kc.execute(sleeper.code)
        started = bridge.wait_for_line(lambda line: "started: import pathlib, time" in line)
        count = int(started.split("[")[1].split("]")[0])
        sleeper.wait_running()
        os.kill(pid, signal.SIGKILL)
        # As a frontend does once the kernel is back (JupyterLab asks kernel_info): the
        # restarted kernel's `starting` may be lost while IOPub reconnects, its answers are not.
        def died():
            kc.kernel_info()
            return any(line.startswith("kernel died") for line in bridge.lines)

        wait_until(died, 30, "the bridge to report the death", interval=0.5)
        (event,) = wait_for_events(standin, 1)
        message = event["message"]
        # The notebook (relative `long.ipynb`) is unknown in attach mode: "The **python3** kernel **died** …".
        assert f"died** during execution **\\[{count}\\]**" in message, message
        assert "restarted without a shutdown request" in message, message
        assert "was cancelled" not in event["message"]
        state = only_session(standin)["state"]
        assert state["cellState"] == "error" and state["cellError"].startswith("KernelDied"), state
    finally:
        kc.stop_channels()
        bridge.stop()


def test_attach_ends_once_a_kernel_asked_to_shut_down_is_gone(tmp_path, home, standin, python_exe):
    """`jupyter kernel` keeps its connection file after the kernel shuts down; attach
    waits (a restart may follow) and ends as soon as nothing listens on the ports."""
    runtime = tmp_path / "runtime"
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime)}
    app = subprocess.Popen(
        [str(Path(python_exe).parent / "jupyter-kernel"), "--kernel=python3"],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    bridge = None
    try:
        connection = wait_until(lambda: next(iter(runtime.glob("kernel-*.json")), None), 60, "the kernel's connection file")
        wait_until(lambda: connection.stat().st_size > 0, 10, "the connection file's contents")
        kc = ready_client(connection)
        bridge = start_attach(str(connection), bridge_env(home, standin.url, standin.token), "--notify-on", "stop")
        bridge.wait_for_line(lambda line: line.startswith("kernel: "))
        run_cell(kc, "a = 1")
        run_cell(kc, "b = 2")
        kc.shutdown()
        kc.stop_channels()
        bridge.wait_for_line(lambda line: line == "kernel shut down (nothing listens on its ports any more)", timeout=30)
        assert bridge.wait(timeout=15) == 0
        assert connection.exists(), "the connection file outlived the kernel, as in the report"
        assert "kernel died" not in "\n".join(bridge.lines)
        assert only_session(standin)["ended"]
    finally:
        if bridge is not None:
            bridge.stop()
        app.send_signal(signal.SIGTERM)
        try:
            app.wait(timeout=20)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait()


# --- 8. other kernels' errors (issue 11 item 4)


def test_a_bash_kernel_notebook_failing_reports_the_exit_status(tmp_path, standin, home):
    """bash_kernel reports a failing command as an error with no name and the exit
    status as its value: the user reads `exit status 2`, not `: 2`."""
    km = start_kernel(tmp_path, kernel_name="bash")
    bridge = attach(km, bridge_env(home, standin.url, standin.token), "--notify-on", "error")
    try:
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "bash", "display_name": "Bash", "language": "bash"}
        nb.cells = [nbformat.v4.new_code_cell(c) for c in ["x=1", "ls /nonexistent-lmk-dir"]]
        counts = run_notebook(km, nb, fails=True)
        (event,) = wait_for_events(standin, 1)
        message = event["message"]
        assert f"**failed** during execution **\\[{counts[-1]}\\]**" in message, message
        assert "```bash\nls /nonexistent-lmk-dir\n```" in message, message
        assert "Error:\n```\nexit status 2\n```" in message, message
        assert only_session(standin)["state"]["cellError"] == "exit status 2"
        assert stop(bridge) == 0
        assert_clean_traffic(standin, bridge)
    finally:
        bridge.stop()
        km.shutdown_kernel(now=True)


def test_a_metakernel_error_is_not_seen_a_documented_limit(tmp_path, standin, home):
    """calysto_scheme (MetaKernel) reports an error only as stderr and in the shell's
    execute_reply, never on IOPub: the run counts as finished (README, "Kernels").
    This pins today's behaviour; if MetaKernel starts sending IOPub errors, it fails."""
    km = start_kernel(tmp_path, kernel_name="calysto_scheme")
    bridge = attach(km, bridge_env(home, standin.url, standin.token), "--notify-on", "stop")
    try:
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell("(car (quote ()))")]
        run_notebook(km, nb, fails=True)  # nbclient reads the execute_reply: an error
        (event,) = wait_for_events(standin, 1)
        assert "**finished**" in event["message"], event["message"]
        assert only_session(standin)["state"]["cellError"] == ""
        assert stop(bridge) == 0
    finally:
        bridge.stop()
        km.shutdown_kernel(now=True)


@pytest.mark.slow
def test_an_irkernel_notebook_failing_says_the_error_once_in_an_r_fence(tmp_path, standin, home):
    """IRkernel answers no kernel_info on control: the fence's language comes from its
    kernelspec (`"language": "R"`). Its error's value is repeated in its traceback: the
    message says it once."""
    km = start_kernel(tmp_path, kernel_name="ir")
    bridge = start_attach(km.connection_file, bridge_env(home, standin.url, standin.token), "--notify-on", "error")
    try:
        # IRkernel sends no JEP 65 welcome: the session, created once IOPub is connected, says it.
        standin.wait_for(lambda s: s.sessions(), 15, "the LMK session")
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "ir", "display_name": "R", "language": "R"}
        nb.cells = [nbformat.v4.new_code_cell(c) for c in ["x <- 1", 'stop("boom")']]
        run_notebook(km, nb, fails=True)
        (event,) = wait_for_events(standin, 1, timeout=30)
        message = event["message"]
        assert '```r\nstop("boom")\n```' in message, message
        assert message.count("Error in eval(expr, envir, enclos): boom") == 1, message
        assert "ERROR: Error" not in message, message
        assert only_session(standin)["state"]["cellError"].startswith("Error in ")
        assert stop(bridge) == 0
    finally:
        bridge.stop()
        km.shutdown_kernel(now=True)
