"""End-to-end: the bridge launched by Jupyter through a wrapped kernelspec, with LMK in the loop.

The kernelspec is written by the real `jupyter-lmk install --user --kernel python3` into a
temporary JUPYTER_DATA_DIR; kernels are started the ways Jupyter starts them (jupyter_client,
nbclient, a real `jupyter server`), with the LMK stand-in as the server (`LMK_SERVER_URL`,
`LMK_ACCESS_TOKEN` in the launching environment, inherited by the bridge) and a temporary HOME
(user config `~/.config/jupyter-lmk/config.json`, outbox `~/.local/share/jupyter-lmk/outbox`).

After every test: every request the bridge sent was valid against the LMK contract, and the
access token appears in no request URL and in no bridge log (docs/BEHAVIOUR.md, "Settings"; RELIABILITY.md).

Run with the project's venv: `.venv/bin/python -m pytest Tests/e2e/test_bridge_launch.py`.
The binary is `$JUPYTER_LMK_BIN`, else `<repo>/.build/debug/jupyter-lmk`.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest
from jupyter_client import BlockingKernelClient, KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from standin import Standin
from notebook_server import Server, execute_in
from kernels import (
    Running, Sleeper, alive, bridge_binary, closed_port, cmdline, collect, descendants_of, errors, result_text, run_cell, wait_until,
)

KERNEL = "python3-lmk"
KERNEL_MESSAGE_MODE = "python3-lmk-msg"

# ---------------------------------------------------------------- installation


@pytest.fixture(scope="module")
def jupyter_data(tmp_path_factory, python_exe) -> Path:
    """A JUPYTER_DATA_DIR holding `python3-lmk` as `jupyter-lmk install` writes it, plus a copy
    with `interrupt_mode: message`."""
    root = tmp_path_factory.mktemp("install")
    data = root / "data"
    home = root / "home"
    home.mkdir()
    env = {
        "HOME": str(home),
        # The venv's bin first, so `install` asks the venv's Jupyter, as a user's shell would.
        "PATH": os.pathsep.join([str(Path(python_exe).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
        "JUPYTER_DATA_DIR": str(data),
        "JUPYTER_PLATFORM_DIRS": "0",
        "LANG": "C.UTF-8",
    }
    result = subprocess.run(
        [bridge_binary(), "install", "--user", "--kernel", "python3"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    spec_dir = data / "kernels" / KERNEL
    spec = json.loads((spec_dir / "kernel.json").read_text())
    assert spec["argv"][:5] == [os.path.abspath(bridge_binary()), "run", "--connection-file", "{connection_file}", "--"]

    message_dir = data / "kernels" / KERNEL_MESSAGE_MODE
    shutil.copytree(spec_dir, message_dir)
    spec["interrupt_mode"] = "message"
    spec["display_name"] += " [message interrupts]"
    (message_dir / "kernel.json").write_text(json.dumps(spec))
    return data


# ---------------------------------------------------------------- one test's world


class World:
    """One test's Jupyter + LMK environment: temporary HOME, the stand-in, the bridge logs."""

    def __init__(self, root: Path, lmk, monkeypatch: pytest.MonkeyPatch):
        self.root = root
        self.lmk = lmk
        self.home = root / "home"
        self.home.mkdir()
        self.runtime = root / "runtime"
        self.notebooks = root / "notebooks"
        self.notebooks.mkdir()
        self.logs: list[Path] = []
        self._monkeypatch = monkeypatch
        self._cleanups: list = []

    @property
    def outbox(self) -> Path:
        return self.home / ".local" / "share" / "jupyter-lmk" / "outbox"

    @property
    def user_config(self) -> Path:
        return self.home / ".config" / "jupyter-lmk" / "config.json"

    def outbox_entries(self) -> list[dict]:
        if not self.outbox.is_dir():
            return []
        return [json.loads(p.read_text()) for p in sorted(self.outbox.glob("*.json"))]

    def setenv(self, name: str, value: str | None) -> None:
        if value is None:
            self._monkeypatch.delenv(name, raising=False)
        else:
            self._monkeypatch.setenv(name, value)

    def write_config(self, config: dict | str) -> Path:
        self.user_config.parent.mkdir(parents=True, exist_ok=True)
        self.user_config.write_text(config if isinstance(config, str) else json.dumps(config))
        return self.user_config

    def notebook(self, relative: str, cells: list[str], lmk: dict | None = None) -> Path:
        """Writes an .ipynb of code cells below the notebooks folder; returns its absolute path."""
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3 (LMK)", "language": "python"}
        if lmk is not None:
            nb.metadata["lmk"] = lmk
        nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
        path = self.notebooks / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        return path

    def log(self, name: str) -> Path:
        path = self.root / f"{name}-{len(self.logs)}.log"
        self.logs.append(path)
        return path

    def log_text(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in self.logs if p.exists())

    # --- nbclient

    def run_notebook(self, path: Path, allow_errors: bool = False) -> Executed:
        """Executes the notebook with nbclient as a batch runner does (kernel in the notebook's
        folder, `JPY_SESSION_NAME` the absolute path, shut down right after the last cell)."""
        self.setenv("JPY_SESSION_NAME", str(path))
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb, kernel_name=KERNEL, timeout=60, startup_timeout=60, allow_errors=allow_errors,
            resources={"metadata": {"path": str(path.parent)}},
        )
        bridges: list[subprocess.Popen] = []
        client.on_notebook_start = lambda notebook: bridges.append(client.km.provisioner.process)
        log = self.log("nbclient-bridge")
        with open(log, "wb") as stderr:
            began = time.monotonic()
            client.execute(stderr=stderr)
            took = time.monotonic() - began
        assert len(bridges) == 1
        return Executed(nb, bridges[0], log.read_text(errors="replace"), took)

    # --- jupyter_client

    def start_kernel(self, name: str = KERNEL, notebook: Path | None = None, **manager_options) -> Running:
        self.setenv("JPY_SESSION_NAME", str(notebook) if notebook else None)
        running = Running(KernelManager(kernel_name=name, **manager_options), self.log("kernel-bridge"))
        self.on_cleanup(running.stop)
        running.km.start_kernel(stderr=running.stderr, cwd=str(notebook.parent) if notebook else None)
        running.kc = running.km.client()
        running.kc.start_channels()
        running.kc.wait_for_ready(timeout=60)
        return running

    def on_cleanup(self, action) -> None:
        self._cleanups.append(action)

    def cleanup(self) -> None:
        for cleanup in reversed(self._cleanups):
            cleanup()

    # --- what LMK received

    def sessions(self) -> list[dict]:
        return self.lmk.sessions()

    def events(self) -> list[dict]:
        return self.lmk.events()

    def wait_for_state(self, what: str, predicate, timeout: float = 15) -> dict:
        """Waits until the newest LMK session's current state satisfies `predicate`; returns it."""
        def check():
            sessions = self.sessions()
            return sessions[-1]["state"] if sessions and predicate(sessions[-1]["state"]) else None

        return wait_until(check, timeout, what, interval=0.05)

    def assert_clean(self) -> None:
        """Every request valid; the access token in no URL and in no bridge log."""
        token = self.lmk.token
        for request in self.lmk.requests():
            where = f"{request['method']} {request['path']}"
            assert request["valid"], f"{where} broke the contract: {request['error']}"
            assert token not in request["path"] and token not in json.dumps(request["query"]), where
            assert request["status"] < 400, f"{where} answered {request['status']}"
        assert token not in self.log_text(), "the access token reached a log"


class Executed:
    """What a notebook run by nbclient left: the notebook, the bridge process, its log."""

    def __init__(self, nb, bridge: subprocess.Popen, log: str, seconds: float):
        self.nb, self.bridge, self.log, self.seconds = nb, bridge, log, seconds

    def outputs(self, index: int) -> str:
        return "".join(
            o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in self.nb.cells[index].outputs
        )


@pytest.fixture(scope="module")
def lmk_server(python_exe, repo_root):
    """One stand-in for the module (it takes seconds to start); each test resets it."""
    token = "at-seeded-" + secrets.token_urlsafe(16)
    with Standin().start(python_exe, repo_root, access_tokens=[token]) as lmk:
        lmk.token = token
        yield lmk


@pytest.fixture
def world(tmp_path, lmk_server, jupyter_data, monkeypatch):
    lmk_server.reset()
    w = World(tmp_path, lmk_server, monkeypatch)
    for name in ("JPY_SESSION_NAME", "JUPYTER_LMK_CONFIG", "XDG_CONFIG_HOME", "XDG_DATA_HOME",
                 "LMK_CONFIG_PATH", "LMK_PROFILE", "LMK_REFRESH_TOKEN", "JUPYTER_PATH", "IPYTHONDIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(w.home))
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(jupyter_data))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(w.runtime))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "jupyter-config"))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "0")
    monkeypatch.setenv("LMK_SERVER_URL", lmk_server.url)
    monkeypatch.setenv("LMK_ACCESS_TOKEN", lmk_server.token)
    try:
        yield w
    finally:
        w.cleanup()
    w.assert_clean()


# ---------------------------------------------------------------- IOPub helpers





def execution_count(messages: list[dict]) -> int:
    return next(m["content"]["execution_count"] for m in messages if m["msg_type"] == "execute_input")



def watch_exits(pids: dict[str, int], timeout: float = 30) -> tuple[threading.Thread, dict[str, float]]:
    """A thread noting when each named pid disappears (monotonic time)."""
    gone: dict[str, float] = {}

    def watch():
        deadline = time.monotonic() + timeout
        while len(gone) < len(pids) and time.monotonic() < deadline:
            now = time.monotonic()
            for name, pid in pids.items():
                if name not in gone and not alive(pid):
                    gone[name] = now
            time.sleep(0.002)

    thread = threading.Thread(target=watch)
    thread.start()
    return thread, gone




# ---------------------------------------------------------------- 1. batch runner


def test_nbclient_run_notifies_once_before_the_bridge_exits(world, record_property):
    # A name as people write them: spaces, non-ASCII, a markdown-special underscore.
    path = world.notebook("reports/weekly résumé_v2.ipynb", ["x = 6 * 7", "print(x)"], lmk={"notifyOn": "stop"})

    run = world.run_notebook(path)

    # nbclient has shut the kernel down and waited for the kernel process (the bridge).
    assert run.bridge.poll() == 0
    assert run.outputs(1) == "42\n"
    # Nothing may arrive later: the bridge is gone. So the notification is there already.
    events = world.events()
    assert len(events) == 1, events
    message = events[0]["message"]
    assert message.startswith("Notebook **weekly résumé\\_v2.ipynb** **finished** after execution **\\[2\\]** (a run of 2 cells)")
    assert "```python\nprint(x)\n```" in message
    assert "kernel died" not in message
    assert world.outbox_entries() == []

    (session,) = world.sessions()
    assert session["name"] == "weekly résumé_v2.ipynb"
    assert session["state"]["notebookName"] == "weekly résumé_v2.ipynb"
    assert session["ended"]
    assert events[0]["sessionId"] == session["sessionId"]
    assert session["state"]["cellState"] == "success"
    assert "kernel died" not in run.log
    # jupyter_client interrupts every kernel before it shuts it down (issue 11 item 7):
    # that SIGINT is part of the shutdown, not an interrupt to report.
    assert "kernel exited with status 0" in run.log  # info lines are in the log
    assert "SIGINT: the kernel was interrupted" not in run.log
    record_property("nbclient_seconds", round(run.seconds, 3))


def test_a_failed_batch_run_notifies_although_nbclient_raises(world):
    # papermill / nbconvert --execute: the first error stops the run, the runner raises
    # and shuts the kernel down; the user asked to hear about failures.
    path = world.notebook("job.ipynb", ["x = 1", "raise RuntimeError('disk full')", "never = True"],
                          lmk={"notifyOn": "error"})
    with pytest.raises(CellExecutionError):
        world.run_notebook(path)

    (event,) = world.events()
    assert event["message"].startswith("Notebook **job.ipynb** **failed** during execution **\\[2\\]**")
    assert "RuntimeError: disk full" in event["message"]
    (session,) = world.sessions()
    assert session["ended"]
    assert session["state"]["cellState"] == "error"
    assert session["state"]["cellError"] == "RuntimeError: disk full"
    assert world.outbox_entries() == []


def test_an_encrypted_kernel_is_monitored(world):
    # The installed spec keeps `supported_encryption`: jupyter_client then gives the kernel
    # CurveZMQ keys, and the bridge must connect to IOPub as a CURVE client.
    path = world.notebook("secret.ipynb", [], lmk={"notifyOn": "stop"})
    k = world.start_kernel(notebook=path, transport_encryption="auto")
    assert json.loads(Path(k.km.connection_file).read_text()).get("curve_publickey")
    assert result_text(run_cell(k.kc, "6 * 7")) == "42"
    k.km.shutdown_kernel()
    (event,) = world.events()
    assert event["message"].startswith("Notebook **secret.ipynb** **finished** after execution **\\[1\\]**")


# ---------------------------------------------------------------- 2. shutdown


def test_shutdown_ends_the_session_and_the_bridge_exits_promptly(world, record_property):
    k = world.start_kernel()
    assert result_text(run_cell(k.kc, "1 + 1")) == "2"
    world.wait_for_state("the cell to be reported", lambda s: s.get("cellState") == "success")
    bridge = k.bridge
    thread, gone = watch_exits({"kernel": k.kernel_pid(), "bridge": bridge.pid})

    began = time.monotonic()
    k.km.shutdown_kernel()
    took = time.monotonic() - began
    thread.join()

    assert set(gone) == {"kernel", "bridge"}
    lag = gone["bridge"] - gone["kernel"]
    record_property("bridge_exit_after_kernel_seconds", round(lag, 3))
    print(f"shutdown_kernel took {took:.3f} s; bridge gone {lag:.3f} s after the kernel")
    assert bridge.returncode == 0
    assert lag < 1.0
    assert took < 2.5, "jupyter_client escalated to SIGTERM"

    (session,) = world.sessions()
    assert session["ended"]
    assert session["history"][-1]["op"] == "end"
    assert session["state"]["cellState"] == "success"
    assert world.events() == []
    assert "kernel died" not in k.log_text()


# ---------------------------------------------------------------- 3. death


@pytest.mark.parametrize("during", ["cell", "idle"])
def test_sigkilled_kernel_is_reported_as_a_death(world, record_property, during):
    # notifyOn stays "none": the death alert goes out anyway (notifyOnDeath defaults to true).
    k = world.start_kernel()
    if during == "cell":
        sleeper = Sleeper()
        k.kc.execute(sleeper.code)
        sleeper.wait_running()
        world.wait_for_state("the cell to be running", lambda s: s.get("cellState") == "running")
    else:
        assert result_text(run_cell(k.kc, "2 ** 10")) == "1024"
        world.wait_for_state("the run to end", lambda s: s.get("cellState") == "success" and s["shellState"] == "idle")
    bridge = k.bridge

    began = time.monotonic()
    os.kill(k.kernel_pid(), signal.SIGKILL)
    assert bridge.wait(timeout=10) == 137
    took = time.monotonic() - began
    record_property("bridge_exit_after_kernel_death_seconds", round(took, 3))
    print(f"bridge exited {took:.3f} s after the kernel was killed")
    assert took < 2.5

    (event,) = world.events()
    message = event["message"]
    if during == "cell":
        assert message.startswith("The **python3-lmk** kernel **died** during execution **\\[1\\]**")
        assert "```python\n" + sleeper.code + "\n```" in message
    else:
        assert message.startswith("The **python3-lmk** kernel **died** while idle"), message
    # No out-of-memory kill was counted in the cgroup: the cause is not guessed at.
    assert "SIGKILL" in message and "the cause is unknown" in message and "out-of-memory" not in message
    (session,) = world.sessions()
    assert event["sessionId"] == session["sessionId"]
    assert session["state"]["cellState"] == "error"
    assert session["state"]["cellError"].startswith("KernelDied"), session["state"]
    assert "SIGKILL" in session["state"]["cellError"]
    assert session["ended"]
    assert world.outbox_entries() == []


# ---------------------------------------------------------------- 4. interrupt


@pytest.mark.parametrize("kernel_name", [KERNEL, KERNEL_MESSAGE_MODE], ids=["signal", "message"])
def test_interrupt_cancels_the_cell_and_the_kernel_runs_on(world, kernel_name):
    k = world.start_kernel(kernel_name)
    kernel = k.kernel_pid()
    sleeper = Sleeper()
    msg_id = k.kc.execute(sleeper.code)
    sleeper.wait_running()

    k.km.interrupt_kernel()
    messages = collect(k.kc, msg_id, 20)
    assert errors(messages) == ["KeyboardInterrupt"]
    count = execution_count(messages)
    state = world.wait_for_state(
        "the cell to be cancelled", lambda s: s.get("executionNum") == count and s.get("cellState") == "cancelled"
    )
    assert state["cellError"] == ""

    messages = run_cell(k.kc, "6 * 7")
    assert result_text(messages) == "42"
    world.wait_for_state(
        "the next cell to succeed",
        lambda s: s.get("executionNum") == execution_count(messages) and s.get("cellState") == "success",
    )
    assert k.bridge.poll() is None and alive(kernel)
    assert world.events() == []


# ---------------------------------------------------------------- 5. restart


def test_restart_ends_the_old_session_and_creates_a_new_one(world):
    path = world.notebook("restart.ipynb", [])
    k = world.start_kernel(notebook=path)
    assert result_text(run_cell(k.kc, "x = 1; x")) == "1"
    world.wait_for_state("the first cell", lambda s: s.get("cellState") == "success")
    old = k.bridge

    k.km.restart_kernel()
    assert old.poll() == 0
    k.kc.wait_for_ready(timeout=60)
    assert result_text(run_cell(k.kc, "'x' in globals()")) == "False"

    sessions = wait_until(lambda: (s := world.sessions()) and len(s) == 2 and s, 15, "a second session")
    first, second = sessions
    assert first["ended"] and not second["ended"]
    assert first["name"] == second["name"] == "restart.ipynb"
    world.wait_for_state("the new kernel's first cell", lambda s: s.get("executionNum") == 1 and s.get("cellState") == "success")
    assert world.events() == []
    assert "kernel died" not in k.log_text()


# ---------------------------------------------------------------- 6. now=True shutdown


def test_now_shutdown_kills_a_shell_command_of_the_kernel(world):
    k = world.start_kernel()
    kernel = k.kernel_pid()
    k.kc.execute("!sleep 300")

    def sleeper():
        return next((pid for pid in descendants_of(kernel) if cmdline(pid) == ["sleep", "300"]), None)

    pid = wait_until(sleeper, 15, "`sleep 300` to run below the kernel")
    k.km.shutdown_kernel(now=True)
    wait_until(lambda: not alive(pid), 10, f"the kernel's `sleep 300` ({pid}) to die")
    assert not alive(kernel)


# ---------------------------------------------------------------- 7. failing open



@pytest.mark.parametrize("fault", ["broken-config", "unreachable-lmk", "hanging-lmk"])
def test_the_notebook_runs_whatever_goes_wrong_around_it(world, fault):
    path = world.notebook("robust.ipynb", ["import os; os.getpid()", "print('done')"], lmk={"notifyOn": "stop"})
    if fault == "broken-config":
        broken = world.root / "broken.json"
        broken.write_text('{"notifyOn": "error", ')
        world.setenv("JUPYTER_LMK_CONFIG", str(broken))
    elif fault == "unreachable-lmk":
        world.setenv("LMK_SERVER_URL", f"http://127.0.0.1:{closed_port()}")
    else:
        # Connections are accepted (by the kernel's backlog) and never answered.
        hanging = socket.create_server(("127.0.0.1", 0), backlog=64)
        world.on_cleanup(hanging.close)
        world.setenv("LMK_SERVER_URL", f"http://127.0.0.1:{hanging.getsockname()[1]}")

    run = world.run_notebook(path)

    assert run.outputs(1) == "done\n"
    assert run.bridge.poll() == 0
    assert "SIGTERM" not in run.log, "the bridge lingered until jupyter_client escalated"
    if fault == "broken-config":
        assert f"config ignored: {broken}" in run.log
        # Without the user config the notebook's metadata still says "stop".
        (event,) = world.events()
        assert event["message"].startswith("Notebook **robust.ipynb** **finished**")
        assert world.outbox_entries() == []
    else:
        assert world.lmk.requests() == []
        (kept,) = world.outbox_entries()
        assert kept["message"].startswith("Notebook **robust.ipynb** **finished**"), kept
        # The next bridge that reaches LMK delivers it, then its own (RELIABILITY.md).
        world.setenv("LMK_SERVER_URL", world.lmk.url)
        world.run_notebook(path)
        messages = [e["message"] for e in world.events()]
        assert len(messages) == 2 and messages[0] == kept["message"], messages
        assert world.outbox_entries() == []


# ---------------------------------------------------------------- 8. configuration precedence

FAILING = ["x = 1", "1 / 0"]
RULES = {"notifyOn": "none", "notebooks": [{"match": "*special*.ipynb", "notifyOn": "error"}]}


def test_a_user_config_rule_overrides_the_config_default(world):
    world.write_config(RULES)
    special = world.notebook("special.ipynb", FAILING)
    plain = world.notebook("plain.ipynb", FAILING)

    world.run_notebook(plain, allow_errors=True)
    assert world.events() == [], "notifyOn none applies to a notebook no rule matches"

    world.run_notebook(special, allow_errors=True)
    (event,) = world.events()
    assert event["message"].startswith("Notebook **special.ipynb** **failed** during execution **\\[2\\]**")
    assert "ZeroDivisionError: division by zero" in event["message"]


def test_notebook_metadata_overrides_the_rule_and_a_directive_overrides_metadata(world):
    world.write_config(RULES)
    path = world.notebook("special.ipynb", [], lmk={"notifyOn": "none"})
    k = world.start_kernel(notebook=path)

    def run(code: str) -> int:
        messages = run_cell(k.kc, code)
        count = execution_count(messages)
        # The run has ended once the session is idle again after this cell.
        world.wait_for_state(
            f"the run of [{count}] to end", lambda s: s.get("executionNum") == count and s["shellState"] == "idle"
        )
        return count

    failed = run("1 / 0")  # the rule says error, the notebook says none: no notification
    directive = run("# lmk: notify=stop\ny = 2")  # from this cell on: stop
    later = run("z = 3")  # the directive stays in force
    k.km.shutdown_kernel()  # delivers whatever is due before the bridge exits

    messages = [e["message"] for e in world.events()]
    assert len(messages) == 2, messages
    assert messages[0].startswith(f"Notebook **special.ipynb** **finished** after execution **\\[{directive}\\]**")
    assert messages[1].startswith(f"Notebook **special.ipynb** **finished** after execution **\\[{later}\\]**")
    assert not any(f"\\[{failed}\\]" in m for m in messages)
    (session,) = world.sessions()
    assert session["state"]["notifyOn"] == "stop"


def test_notebook_metadata_is_re_read_while_the_kernel_runs(world):
    path = world.notebook("edited.ipynb", [], lmk={"notifyOn": "none"})
    k = world.start_kernel(notebook=path)
    assert result_text(run_cell(k.kc, "1 + 1")) == "2"
    world.wait_for_state("the first run to end", lambda s: s.get("executionNum") == 1 and s["shellState"] == "idle")

    # The user edits the notebook's metadata (Edit → Notebook metadata, then save).
    nb = nbformat.read(path, as_version=4)
    nb.metadata["lmk"] = {"notifyOn": "stop"}
    nbformat.write(nb, path)
    world.wait_for_state("the new setting to be in force", lambda s: s.get("notifyOn") == "stop")

    assert result_text(run_cell(k.kc, "2 + 2")) == "4"
    k.km.shutdown_kernel()
    (event,) = world.events()
    assert event["message"].startswith("Notebook **edited.ipynb** **finished** after execution **\\[2\\]**")


# ---------------------------------------------------------------- 9. a real jupyter server


WHERE_AM_I = "import os; os.environ['JPY_SESSION_NAME'] + '|' + os.getcwd()"


def test_jupyter_server_session_reaches_the_bridge(world, python_exe):
    root = world.notebooks
    lab = world.notebook("sub/nb.ipynb", [], lmk={"notifyOn": "stop"})
    bare = world.notebook("sub/deeper/old.ipynb", [], lmk={"notifyOn": "stop"})
    server = Server(python_exe, root, world.log("jupyter-server"), dict(os.environ))
    try:
        # As JupyterLab creates a session (docregistry's Context): the path relative to the
        # root and the file's base name, which jupyter_server joins to the kernel's working
        # directory: JPY_SESSION_NAME is absolute.
        lab_session = server.api("POST", "/api/sessions", {
            "path": "sub/nb.ipynb", "name": "nb.ipynb", "type": "notebook", "kernel": {"name": KERNEL},
        })
        # A client that sends no name: JPY_SESSION_NAME is the path relative to the server root,
        # while the kernel runs in the notebook's folder.
        bare_session = server.api("POST", "/api/sessions", {
            "path": "sub/deeper/old.ipynb", "type": "notebook", "kernel": {"name": KERNEL},
        })
        connection = world.runtime / f"kernel-{lab_session['kernel']['id']}.json"
        assert execute_in(connection, WHERE_AM_I) == repr(f"{lab}|{lab.parent}")
        connection = world.runtime / f"kernel-{bare_session['kernel']['id']}.json"
        assert execute_in(connection, WHERE_AM_I) == repr(f"sub/deeper/old.ipynb|{bare.parent}")

        # Each notebook's metadata.lmk says "stop": each run notifies once its idle grace is over.
        events = wait_until(lambda: len(e := world.events()) == 2 and e, 15, "both notifications")
        headlines = sorted(e["message"].split(" **finished**")[0] for e in events)
        assert headlines == ["Notebook **nb.ipynb**", "Notebook **old.ipynb**"], events
        sessions = {s["name"]: s for s in world.sessions()}
        assert set(sessions) == {"nb.ipynb", "old.ipynb"}
        for name, session in sessions.items():
            assert session["state"]["notebookName"] == name

        server.api("DELETE", f"/api/sessions/{lab_session['id']}")
        wait_until(lambda: sessions_ended(world) == {"nb.ipynb"}, 10, "the LMK session of nb.ipynb to end")
    finally:
        assert server.stop() == 0
    # Stopping the server shuts the other kernel down: its session ends too.
    assert sessions_ended(world) == {"nb.ipynb", "old.ipynb"}
    assert len(world.events()) == 2
    assert "kernel died" not in world.log_text()


def sessions_ended(world: World) -> set[str]:
    return {s["name"] for s in world.sessions() if s["ended"]}


def test_a_kernel_killed_under_jupyter_server_alerts_and_its_restart_gets_a_new_session(world, python_exe):
    world.notebook("oom.ipynb", [])
    server = Server(python_exe, world.notebooks, world.log("jupyter-server"), dict(os.environ))
    try:
        session = server.api("POST", "/api/sessions", {
            "path": "oom.ipynb", "name": "oom.ipynb", "type": "notebook", "kernel": {"name": KERNEL},
        })
        connection = world.runtime / f"kernel-{session['kernel']['id']}.json"
        kernel = int(execute_in(connection, "import os; os.getpid()"))
        # The reply can reach the client before the idle reaches the monitor.
        world.wait_for_state("the cell's idle", lambda s: s.get("cellState") == "success")

        os.kill(kernel, signal.SIGKILL)  # as the out-of-memory killer does
        # The server's restarter notices the dead kernel process (the bridge) and starts a new
        # one with the same connection file: a new bridge, a new LMK session.
        wait_until(lambda: len(world.sessions()) == 2, 30, "the restarted kernel's LMK session")
        assert execute_in(connection, "'os' in globals()") == "False"

        (event,) = world.events()
        assert event["message"].startswith("Notebook **oom.ipynb**: **kernel died** while idle")
        assert "SIGKILL" in event["message"]
        dead, restarted = world.sessions()
        assert dead["ended"] and dead["state"]["cellError"].startswith("KernelDied: killed by signal 9")
        assert not restarted["ended"] and restarted["name"] == "oom.ipynb"
    finally:
        assert server.stop() == 0
    assert sessions_ended(world) == {"oom.ipynb"} and all(s["ended"] for s in world.sessions())


# ---------------------------------------------------------------- status of running kernels


def status_text() -> str:
    return subprocess.run([bridge_binary(), "status"], capture_output=True, text=True, timeout=60).stdout


def test_status_shows_a_monitored_kernel_and_its_memory(world):
    """Issue 12 item 6: `status` lists the kernels monitored now with their memory
    figures (from the monitor's sampler), and forgets a kernel once it ended."""
    path = world.notebook("mem.ipynb", [])
    k = world.start_kernel(notebook=path)
    kernel = k.kernel_pid()

    def listed():
        running = status_text().split("Running kernels", 1)[-1].split("\n\n", 1)[0]
        return running if f"mem.ipynb  kernel pid {kernel}" in running and "MiB" in running else None

    running = wait_until(listed, 20, "status to list the kernel with its memory", interval=0.5)
    assert "memory     " in running, running
    # The bridge's state file (docs/BEHAVIOUR.md, "Local control") is what status reads.
    state = world.runtime / "jupyter-lmk" / (Path(k.km.connection_file).stem.removeprefix("kernel-") + ".json")
    assert state.stat().st_mode & 0o077 == 0, "the state file is its owner's only"

    k.km.shutdown_kernel()
    wait_until(lambda: not state.exists(), 10, "the monitor to remove its state file")
    assert "Running kernels\n  none" in status_text()
