"""A real `jupyter server` for the end-to-end tests, and running code in its kernels."""
from __future__ import annotations

import contextlib
import json
import os
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

from jupyter_client import BlockingKernelClient

from kernels import closed_port, result_text, run_cell, wait_until


class Server:
    """`jupyter server` on a random loopback port with a token, its log in a file."""

    def __init__(self, python: str, root: Path, log: Path, env: dict[str, str]):
        self.port = closed_port()
        self.token = "srv-" + os.urandom(12).hex()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._log_file = open(log, "wb")  # noqa: SIM115 — closed in stop()
        self.proc = subprocess.Popen(
            [python, "-m", "jupyter_server", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
             "--ServerApp.port_retries=0", "--ServerApp.open_browser=False", "--ServerApp.allow_root=True", f"--ServerApp.root_dir={root}"],
            env={**env, "JUPYTER_TOKEN": self.token}, stdin=subprocess.DEVNULL,
            stdout=self._log_file, stderr=subprocess.STDOUT,
        )

        def ready():
            assert self.proc.poll() is None, f"jupyter server exited:\n{log.read_text(errors='replace')}"
            with contextlib.suppress(OSError):
                return self.api("GET", "/api/status")
            return None

        wait_until(ready, 60, "jupyter server to answer", interval=0.1)

    def api(self, method: str, path: str, body: dict | None = None):
        request = urllib.request.Request(
            self.url + path, method=method, data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
            return json.loads(text) if text else None

    def stop(self) -> int:
        if self.proc.poll() is None:
            with contextlib.suppress(OSError, urllib.error.URLError):
                self.api("POST", "/api/shutdown")
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log_file.close()
        return self.proc.returncode


def execute_in(server_kernel_connection: Path, code: str) -> str:
    """Runs `code` in a server's kernel through its connection file; returns the result."""
    kc = BlockingKernelClient(connection_file=str(server_kernel_connection))
    kc.load_connection_file()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        return result_text(run_cell(kc, code))
    finally:
        kc.stop_channels()
