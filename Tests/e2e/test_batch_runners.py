"""End-to-end: batch runners find the notebook with no configuration (docs/BEHAVIOUR.md, "Settings").

papermill, `jupyter nbconvert --execute` and `jupyter execute` set no `JPY_SESSION_NAME`; the
bridge reads the notebook from the runner's command line and working directory. Each runner is
the venv's own entry point, run in the notebooks folder with the notebook named relatively, as a
user types it; the kernel is the wrapped `python3-lmk` of `test_bridge_launch`'s installation, LMK
the stand-in. A notebook's `metadata.lmk` and a user-config file rule must each make a failure in
cell 3 notify exactly once, naming the notebook, in a session named after it.

Run with the project's venv: `.venv/bin/python -m pytest Tests/e2e/test_batch_runners.py`.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from kernels import wait_until
from test_bridge_launch import KERNEL, jupyter_data, lmk_server, world  # noqa: F401 — fixtures

CELLS = ["x = 1", "y = x + 1", "raise RuntimeError('disk full')", "never = True"]


def runner_argv(runner: str, notebook: str) -> list[str]:
    """The runner's command line as a user types it, through the venv's own entry points."""
    bin_dir = Path(sys.executable).parent
    if runner == "papermill":
        return [str(bin_dir / "papermill"), notebook, "out.ipynb", "-k", KERNEL]
    if runner == "nbconvert":
        return [str(bin_dir / "jupyter"), "nbconvert", "--to", "notebook", "--execute", notebook]
    return [str(bin_dir / "jupyter"), "execute", notebook]


def run_runner(world, runner: str, path: Path) -> tuple[subprocess.CompletedProcess, str]:
    """Runs `runner` on `path` in its folder; returns the result and the bridge's log (the
    kernel's stderr is the runner's)."""
    log = world.log(f"{runner}-bridge")
    with open(log, "wb") as stderr:
        began = time.monotonic()
        result = subprocess.run(
            runner_argv(runner, path.name), cwd=path.parent, stdout=subprocess.PIPE, stderr=stderr,
            timeout=180,
        )
        print(f"{runner} took {time.monotonic() - began:.2f} s")
    return result, log.read_text(errors="replace")


def assert_notified_once(world, runner: str, path: Path, result, log: str) -> None:
    assert result.returncode != 0, f"{runner} must fail with cell 3"
    # The session ends after the notification: once it has ended, no other event may come.
    (session,) = wait_until(
        lambda: [s for s in world.sessions() if s["ended"]] or None, 15, "the session to end")
    (event,) = world.events()
    escaped = path.name.replace("_", "\\_")
    assert event["message"].startswith(f"Notebook **{escaped}** **failed** during execution **\\[3\\]**"), event
    assert "raise RuntimeError('disk full')" in event["message"]
    assert "RuntimeError: disk full" in event["message"]
    assert event["sessionId"] == session["sessionId"]
    assert session["name"] == path.name
    assert session["state"]["notebookName"] == path.name
    assert session["state"]["cellError"] == "RuntimeError: disk full"
    assert f"notebook {path}: the input of " in log, log
    print(f"{runner}: session {session['name']!r}; message {event['message'].splitlines()[0]!r}")


@pytest.mark.parametrize("runner", ["papermill", "nbconvert", "execute"])
def test_a_runner_reads_the_notebooks_metadata(world, runner):
    world.setenv("JPY_SESSION_NAME", None)
    path = world.notebook(f"pm_fail_{runner}.ipynb", CELLS, lmk={"notifyOn": "error"})
    result, log = run_runner(world, runner, path)
    assert_notified_once(world, runner, path, result, log)


@pytest.mark.parametrize("runner", ["papermill", "nbconvert", "execute"])
def test_a_runner_applies_the_user_configs_file_rule(world, runner):
    world.setenv("JPY_SESSION_NAME", None)
    world.write_config({"notifyOn": "none", "notebooks": [{"match": "pm_*.ipynb", "notifyOn": "error"}]})
    path = world.notebook(f"pm_rule_{runner}.ipynb", CELLS)
    result, log = run_runner(world, runner, path)
    assert_notified_once(world, runner, path, result, log)


def test_an_unknown_runner_says_so_and_the_message_names_the_kernel(world):
    """A script on nbclient names no notebook: one info line says why, the session is named
    after the kernel and the message speaks of the kernel."""
    world.setenv("JPY_SESSION_NAME", None)
    world.write_config({"notifyOn": "error"})
    path = world.notebook("scripted.ipynb", CELLS)
    script = path.parent / "drive.py"
    script.write_text(
        "import sys, nbformat\n"
        "from nbclient import NotebookClient\n"
        "nb = nbformat.read(sys.argv[1], as_version=4)\n"
        "NotebookClient(nb, kernel_name=sys.argv[2]).execute()\n"
    )
    log_path = world.log("script-bridge")
    with open(log_path, "wb") as stderr:
        result = subprocess.run(
            [sys.executable, script.name, path.name, KERNEL], cwd=path.parent, stderr=stderr, timeout=180)
    assert result.returncode != 0
    (session,) = wait_until(
        lambda: [s for s in world.sessions() if s["ended"]] or None, 15, "the session to end")
    (event,) = world.events()
    assert session["name"] == f"{KERNEL} kernel"
    assert event["message"].startswith(
        f"A run of 3 cells on the **{KERNEL}** kernel **failed** during execution **\\[3\\]**"), event
    log = log_path.read_text(errors="replace")
    unknown = [line for line in log.splitlines() if "notebook unknown" in line]
    assert len(unknown) == 1, log
    assert "no JPY_SESSION_NAME" in unknown[0]
    assert f"drive.py scripted.ipynb {KERNEL}`) is no known batch runner" in unknown[0]
    assert "metadata.lmk is not read" in unknown[0]
