"""Drive the local LMK stand-in (tools/lmk_standin.py) from Python tests.

    with Standin().start(python, repo_root, access_tokens=[token]) as lmk:
        ...  # point the code under test at lmk.url
        assert lmk.events()[0]["message"] == ...
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Sequence


# The session WebSocket's path (`?token=…` in its query).
SESSION_SOCKET_PATH = "/v1/session/ws"


class StandinError(RuntimeError):
    pass


class Standin:
    """One stand-in process on a free loopback port, plus its control API."""

    def __init__(self) -> None:
        self.url = ""
        self.port = 0
        self.port_file: Path | None = None
        self.token: str | None = None
        self._proc: subprocess.Popen | None = None
        self._dir: str | None = None
        self._stderr = None

    # --- lifecycle

    def start(
        self,
        python: str | os.PathLike,
        repo_root: str | os.PathLike,
        extra_args: Sequence[str] = (),
        access_tokens: Sequence[str] = (),
        refresh_tokens: Sequence[str] = (),
        timeout: float = 20.0,
    ) -> "Standin":
        """Start on port 0 and return once the port file says it is listening."""
        if self._proc is not None:
            raise StandinError("stand-in already started")
        self._dir = tempfile.mkdtemp(prefix="lmk-standin-")
        port_file = self.port_file = Path(self._dir) / "port"
        self._stderr = open(Path(self._dir) / "stderr.log", "w+b")
        script = Path(repo_root) / "tools" / "lmk_standin.py"
        try:
            self._proc = subprocess.Popen(
                [str(python), str(script), "--port", "0", "--port-file", str(port_file), *extra_args],
                # Seeded tokens go through the environment: argv is visible to every user.
                env=dict(os.environ, LMK_STANDIN_ACCESS_TOKENS=",".join(access_tokens),
                         LMK_STANDIN_REFRESH_TOKENS=",".join(refresh_tokens)),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._stderr,
            )
        except OSError as e:
            self.stop()
            raise StandinError(f"cannot run {python}: {e}") from None
        deadline = time.monotonic() + timeout
        while True:
            text = port_file.read_text() if port_file.exists() else ""
            if text.strip():
                self.port = int(text)
                break
            if self._proc.poll() is not None:
                log = self.log()
                self.stop()
                raise StandinError(f"stand-in exited with {self._proc.returncode} before listening:\n{log}")
            if time.monotonic() > deadline:
                log = self.log()
                self.stop()
                raise StandinError(f"stand-in did not write {port_file} within {timeout} s:\n{log}")
            time.sleep(0.02)
        self.url = f"http://127.0.0.1:{self.port}"
        return self

    def stop(self, timeout: float = 10.0) -> int | None:
        """Stop the process (SIGTERM, then SIGKILL after `timeout`); return its exit code."""
        code = None
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.terminate()
                try:
                    self._proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
                    self._proc.wait()
            code = self._proc.returncode
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
        return code

    @property
    def process(self) -> subprocess.Popen | None:
        return self._proc

    def log(self) -> str:
        """What the stand-in wrote to stderr so far (for failure messages)."""
        if self._stderr is None:
            return ""
        self._stderr.flush()
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", errors="replace")

    def __enter__(self) -> "Standin":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- control API

    def _control(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.url}/_standin/{path}", data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as e:
            raise StandinError(f"{method} /_standin/{path}: {e.code} {e.read().decode(errors='replace')}") from None

    def requests(self) -> list[dict]:
        """Every non-control HTTP request received, oldest first. Not the session socket's
        upgrades, whose URL carries the token by the protocol's design (PRODUCT.md §8)."""
        return [r for r in self._control("GET", "requests")["requests"] if r["path"] != SESSION_SOCKET_PATH]

    def sessions(self) -> list[dict]:
        return self._control("GET", "sessions")["sessions"]

    def events(self) -> list[dict]:
        return self._control("GET", "events")["events"]

    def headless_sessions(self) -> list[dict]:
        return self._control("GET", "headless")["sessions"]

    def fault(self, **kw: Any) -> dict:
        """Queue a fault: method, path (regex), status, retryAfter, delayMs, drop, count,
        raw (text instead of a response), bodyBytes (a body that long), headers."""
        return self._control("POST", "faults", kw)

    def faults(self) -> list[dict]:
        return self._control("GET", "faults")["faults"]

    def clear_faults(self) -> None:
        self._control("DELETE", "faults")

    def approve(self, session_id: str) -> None:
        """Complete a headless-auth flow as if the user granted access in the browser."""
        self._control("POST", f"headless/{session_id}/approve")

    def expire(self, token: str) -> None:
        self._control("POST", "tokens/expire", {"token": token})

    def reset(self) -> None:
        self._control("POST", "reset")

    def wait_for(self, predicate, timeout: float = 10.0, what: str = "condition") -> Any:
        """Poll `predicate(self)` until it returns something truthy, or fail at the deadline."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate(self)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {what}")
            time.sleep(0.02)
