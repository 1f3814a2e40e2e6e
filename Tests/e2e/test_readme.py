"""The README's "Try it without an LMK account" block, run as written in a fresh HOME: login
against the stand-in (Approve pressed by a stand-in browser), install, status, a notebook, the
notification. The commands come from the README itself, so the README cannot drift from what
works.

What the test provides is what the README's earlier steps leave behind: Jupyter on PATH (the
pinned .venv's) and `jupyter-lmk` on PATH (the binary under test, where `pip install` of the
wheel would put its entry point; the wheel itself is tested by tools/test-wheel.sh). Two
substitutions, both outside the commands' meaning: a free port for 8765 (another run may hold
it), and a "browser" (`xdg-open` on PATH, with DISPLAY set) that presses the Approve button,
i.e. POSTs the authorize page's form as a browser would.
"""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import urllib.request
from pathlib import Path

from kernels import bridge_binary

MARKER = "<!-- get-started:"
BROWSER = """#!{python}
import re, sys, urllib.request
page = urllib.request.urlopen(sys.argv[1], timeout=10).read().decode()
action = re.search(r'<form method="post" action="([^"]+)"', page).group(1)
base = re.match(r"https?://[^/]+", sys.argv[1]).group(0)
request = urllib.request.Request(base + action, data=b"", method="POST",
                                 headers={{"Content-Type": "application/x-www-form-urlencoded"}})
urllib.request.urlopen(request, timeout=10).read()
"""


def get_started_block(readme: str) -> str:
    """The first ```sh block after the marker comment."""
    start = readme.index(MARKER)
    match = re.compile(r"```sh\n(.*?)```", re.S).search(readme, start)
    assert match, "no ```sh block after the get-started marker"
    return match.group(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_readme_get_started_works_as_written(repo_root, python_exe, tmp_path):
    block = get_started_block((repo_root / "README.md").read_text())
    for needed in ("jupyter lmk login", "jupyter lmk install", "jupyter lmk status", "jupyter execute"):
        assert needed in block
    port = free_port()
    assert "8765" in block
    script = block.replace("8765", str(port))

    home = tmp_path / "home"
    home.mkdir()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "jupyter-lmk").symlink_to(bridge_binary())
    browser = bin_dir / "xdg-open"
    browser.write_text(BROWSER.format(python=python_exe))
    browser.chmod(0o755)
    venv_bin = Path(python_exe).parent
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("LMK_", "JUPYTER", "XDG_", "JPY_"))}
    env.update(HOME=str(home), DISPLAY=":lmk-test", PATH=f"{bin_dir}:{venv_bin}:/usr/bin:/bin")

    # Files, not pipes: the stand-in the block starts in the background keeps its copies open.
    out_file, err_file = tmp_path / "stdout", tmp_path / "stderr"
    with open(out_file, "w") as out_handle, open(err_file, "w") as err_handle:
        proc = subprocess.Popen(["bash", "-euo", "pipefail", "-c", script], cwd=repo_root, env=env,
                                stdin=subprocess.DEVNULL, stdout=out_handle, stderr=err_handle,
                                start_new_session=True)
    try:
        proc.wait(timeout=240)
        transcript = f"--- stdout\n{out_file.read_text()}\n--- stderr\n{err_file.read_text()}"
        assert proc.returncode == 0, transcript
        url = f"http://127.0.0.1:{port}/_standin/events"
        events = json.loads(urllib.request.urlopen(url, timeout=10).read())["events"]
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)  # the stand-in the block started in the background
        except ProcessLookupError:
            pass
        proc.wait()
    out, err = out_file.read_text(), err_file.read_text()
    transcript = f"--- stdout\n{out}\n--- stderr\n{err}"
    assert f"Logged in to http://127.0.0.1:{port}" in out, transcript
    assert "Installed kernelspec python3-lmk" in out, transcript
    assert "token        valid" in out and "to do" not in out, transcript
    assert "standin: notification received: " in err and "**failed**" in err, transcript
    assert len(events) == 1 and "**failed** during execution **\\[3\\]**" in events[0]["message"]
    assert f"server_url = http://127.0.0.1:{port}" in (home / ".lmk/config").read_text()
