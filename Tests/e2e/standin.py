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
        """Forget requests, sessions, events, faults, headless sessions and every WebSocket
        record; open sockets are aborted (tokens stay valid)."""
        self._control("POST", "reset")

    # --- the session WebSocket (GET /v1/session/ws?token=… on the same port)

    @property
    def ws_url(self) -> str:
        """The socket's address without the token: append `?token=…`."""
        return self.url.replace("http", "ws", 1) + SESSION_SOCKET_PATH

    def ws_state(self) -> dict:
        """{"connections": [...], "refused": [...], "refuse": rule or None}."""
        return self._control("GET", "ws")

    def ws_connections(self) -> list[dict]:
        """Every accepted upgrade, oldest first: id, sessionId, token, readOnly, opened, closed,
        closeCode, muted, pings, messages [{time, text, kind, error}], sent [{time, text}]."""
        return self.ws_state()["connections"]

    def ws_refused(self) -> list[dict]:
        """Every refused upgrade, oldest first: {time, status, reason}."""
        return self.ws_state()["refused"]

    def app_update(self, session_id: str, state: dict) -> int:
        """Change the session as the LMK app does (e.g. notifyOn) and push the SessionResponse
        to its open connections; returns how many got it (the state is stored either way)."""
        return self._control("POST", f"sessions/{session_id}/app-update", {"state": state})["delivered"]

    def ws_push(self, session_id: str, message: Any = None, raw: str | None = None) -> int:
        """Send {"ok":true,"message":message}, or the text `raw` verbatim, to the session's open
        connections; returns how many got it."""
        body: dict = {"sessionId": session_id}
        if raw is not None:
            body["raw"] = raw
        else:
            body["message"] = message
        return self._control("POST", "ws/push", body)["delivered"]

    def ws_drop(self, session_id: str | None = None, mode: str = "abort", code: int = 1011) -> int:
        """Drop the session's open connections (None: all of them): "abort" closes TCP without a
        close frame, "close" sends a close frame with `code`. Returns how many."""
        body: dict = {"mode": mode, "code": code}
        if session_id is not None:
            body["sessionId"] = session_id
        return self._control("POST", "ws/drop", body)["dropped"]

    def ws_refuse(self, status: int, count: int | None = None) -> dict:
        """Refuse the next `count` upgrades (None: all until ws_refuse_clear) with HTTP `status`."""
        return self._control("POST", "ws/refuse", {"status": status, "count": count})

    def ws_refuse_clear(self) -> None:
        self._control("DELETE", "ws/refuse")

    def ws_mute(self, session_id: str) -> int:
        """The session's open connections stop processing what they receive: no pongs, no
        messages (a client's heartbeat must notice). Returns how many."""
        return self._control("POST", "ws/mute", {"sessionId": session_id})["muted"]

    def wait_ws_connections(self, predicate, timeout: float = 10.0, what: str = "WebSocket connections") -> list[dict]:
        """Poll until `predicate(connections)` is truthy; return the connections it held for."""
        found: list = []

        def check(lmk: "Standin") -> bool:
            found[:] = [lmk.ws_connections()]
            return bool(predicate(found[0]))

        self.wait_for(check, timeout, what)
        return found[0]

    def wait_ws_bound(self, session_id: str, timeout: float = 10.0, after: int = 0) -> dict:
        """Wait for an open connection bound to the session (by its `connect` message) whose id
        is above `after` (pass the previous connection's id to wait for a reconnect); return it."""

        def bound(connections: list[dict]) -> list[dict]:
            return [c for c in connections
                    if c["sessionId"] == session_id and c["closed"] is None and c["id"] > after]

        return bound(self.wait_ws_connections(bound, timeout, f"a connection bound to {session_id}"))[-1]

    def ws_messages(self, session_id: str | None = None, kind: str | None = None) -> list[dict]:
        """Messages received on the session's connections (None: all), in order, each with its
        connection's id as "connection"; only those of `kind` if given."""
        return [
            dict(m, connection=c["id"])
            for c in self.ws_connections()
            if session_id is None or c["sessionId"] == session_id
            for m in c["messages"]
            if kind is None or m["kind"] == kind
        ]

    def wait_ws_messages(self, predicate, session_id: str | None = None, timeout: float = 10.0,
                         what: str = "WebSocket messages") -> list[dict]:
        """Poll until `predicate(ws_messages(session_id))` is truthy; return those messages."""
        found: list = []

        def check(lmk: "Standin") -> bool:
            found[:] = [lmk.ws_messages(session_id)]
            return bool(predicate(found[0]))

        self.wait_for(check, timeout, what)
        return found[0]

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
