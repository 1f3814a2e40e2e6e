"""The jupyter-lmk demo: a new user's path, end to end, against the local LMK stand-in.

1. start the local LMK stand-in (LMK itself is not reachable from here);
2. `jupyter-lmk login`: the headless flow, approved as the user would in a browser;
3. `jupyter-lmk install`: a wrapped "… (LMK)" kernel, python3-lmk, in a temporary Jupyter path;
4. nbclient runs demo/example.ipynb (a quick, a slow and a failing cell) on that kernel;
5. print what LMK received: the session's state timeline and the notification.

Everything lives in a temporary HOME and Jupyter path; nothing of the user's is touched.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "Tests" / "e2e"))
from standin import Standin  # noqa: E402

BIN = os.environ.get("JUPYTER_LMK_BIN") or str(REPO / ".build" / "debug" / "jupyter-lmk")
BOLD, DIM, RESET = ("\033[1m", "\033[2m", "\033[0m") if sys.stdout.isatty() else ("", "", "")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def plain(text: str) -> str:
    """Text without terminal escapes (IPython colours its tracebacks) unless stdout is a terminal."""
    return text if sys.stdout.isatty() else ANSI.sub("", text)


def cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def step(text: str) -> None:
    print(f"\n{BOLD}▶ {text}{RESET}", flush=True)


def login(env: dict[str, str], standin: Standin) -> None:
    step("jupyter-lmk login   (the URL would open in your browser; the demo approves it)")
    proc = subprocess.Popen([BIN, "login", "--no-browser"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        print("  " + line.rstrip())
        match = re.search(r"/_standin/headless/([^/]+)/authorize", line)
        if match:
            standin.approve(match.group(1))
    proc.wait(timeout=60)
    if proc.returncode != 0:
        raise SystemExit("login failed")
    for command in (["whoami"], ["channels"]):
        step("jupyter-lmk " + " ".join(command))
        out = subprocess.run([BIN, *command], env=env, capture_output=True, text=True, timeout=60)
        print("\n".join("  " + line for line in (out.stdout + out.stderr).rstrip().splitlines()))


def install(env: dict[str, str]) -> None:
    step(f"jupyter-lmk install --user --kernel python3 --python {sys.executable}")
    out = subprocess.run([BIN, "install", "--user", "--kernel", "python3", "--python", sys.executable],
                         env=env, capture_output=True, text=True, timeout=120)
    print("\n".join("  " + line for line in (out.stdout + out.stderr).rstrip().splitlines()))
    if out.returncode != 0:
        raise SystemExit("install failed")


def run_notebook(env: dict[str, str], notebook: Path, log: Path) -> None:
    step(f"nbclient runs {notebook.name} on the wrapped kernel python3-lmk (metadata.lmk: notify on error)")
    nb = nbformat.read(notebook, as_version=4)
    os.environ.update(env)  # the kernel (and the bridge) inherit the launching environment
    # jupyter_server tells the kernel which notebook it runs; nbclient alone does not.
    os.environ["JPY_SESSION_NAME"] = str(notebook)
    client = NotebookClient(nb, kernel_name="python3-lmk", timeout=120,
                            resources={"metadata": {"path": str(notebook.parent)}})
    started = time.monotonic()
    # The kernel's and the bridge's stderr go to a file: ipykernel's own warnings would land in
    # the middle of the demo; the bridge's warnings, if any, are shown after the run.
    with open(log, "wb") as stderr:
        try:
            client.execute(stderr=stderr)
        except CellExecutionError as error:
            print(f"  the notebook failed as planned: {plain(str(error).strip().splitlines()[-1])}")
    print(f"  nbclient finished in {time.monotonic() - started:.1f} s and shut the kernel down")
    warnings = [line for line in log.read_text(errors="replace").splitlines()
                if "jupyter-lmk" in line and (" warning " in line or " error " in line)]
    for line in warnings:
        print(f"  bridge: {line}")


def show(standin: Standin, deadline: float = 10.0) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end and not any(s["ended"] for s in standin.sessions()):
        time.sleep(0.1)
    step("What LMK received")
    for session in standin.sessions():
        print(f"  session {BOLD}{session['name']}{RESET}  ({'ended' if session['ended'] else 'open'})")
        first = session["history"][0]["time"] if session["history"] else 0
        for entry in session["history"]:
            state = entry["state"] or {}
            cell = ""
            if "cellState" in state:
                text = cut(state["cellText"].splitlines()[0], 40) if state.get("cellText") else ""
                cell = f"cell [{state.get('executionNum', '?')}] {state['cellState']:<9} {DIM}{text}{RESET}"
                if state.get("cellError"):
                    cell += f"  {plain(state['cellError'])}"
            shell = state.get("shellState", "")
            print(f"    +{entry['time'] - first:6.2f}s  {entry['op']:<6}  {shell:<8} {cell}")
    events = standin.events()
    print(f"\n  {len(events)} notification(s):")
    for event in events:
        channels = event.get("notificationConfig", {}).get("channelIds") or ["account default"]
        print(f"  {DIM}── to {', '.join(channels)} ──{RESET}")
        for line in event["message"].splitlines():
            print("  │ " + line)
    invalid = [r for r in standin.requests() if not r["valid"]]
    print(f"\n  {len(standin.requests())} requests, {len(invalid)} invalid against lmk-openapi.yaml")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="jupyter-lmk-demo-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        env = dict(os.environ, HOME=str(home), JUPYTER_DATA_DIR=str(home / "jupyter"),
                   JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTER_PLATFORM_DIRS="0")
        for key in ("LMK_ACCESS_TOKEN", "LMK_REFRESH_TOKEN", "LMK_CONFIG_PATH", "JUPYTER_LMK_CONFIG"):
            env.pop(key, None)
        step("Starting the local LMK stand-in")
        standin = Standin().start(sys.executable, REPO)
        try:
            env["LMK_SERVER_URL"] = standin.url
            print(f"  {standin.url}")
            login(env, standin)
            install(env)
            run_notebook(env, REPO / "demo" / "example.ipynb", Path(tmp) / "kernel.log")
            show(standin)
        finally:
            standin.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
