"""A fake Jupyter kernel over real ZeroMQ, for hostile-input tests of the bridge.

It binds what `jupyter-lmk attach` connects to: IOPub (XPUB, answering every
subscription with a JEP 65 `iopub_welcome`), heartbeat (echo), control (answers
`kernel_info_request`), plus shell and stdin (bound, silent). It writes a
connection file and publishes whatever a test asks for: messages signed with
jupyter_client's `Session.sign` over the exact bytes given (so invalid UTF-8,
odd JSON and huge frames can be signed), or raw frames forged by hand.

The IOPub socket is used only by the test's own thread; heartbeat and control
run on a background thread with their own sockets.
"""
from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path

import zmq
from jupyter_client.session import Session

DELIMITER = b"<IDS|MSG>"


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class FakeKernel:
    def __init__(self, directory: Path, key: str | None = None):
        self.key = key if key is not None else str(uuid.uuid4())
        self.session = Session(key=self.key.encode(), signature_scheme="hmac-sha256")
        self.context = zmq.Context()
        self._ids = itertools.count(1)
        self.iopub = self.context.socket(zmq.XPUB)
        # Never drop: a full queue blocks the sender (at most 30 s), so a flood arrives
        # whole at the bridge's pace and piles up nowhere.
        self.iopub.setsockopt(zmq.SNDHWM, 10_000)
        self.iopub.setsockopt(zmq.XPUB_NODROP, 1)
        self.iopub.setsockopt(zmq.SNDTIMEO, 30_000)
        self.iopub.setsockopt(zmq.XPUB_VERBOSE, 1)
        self.iopub.linger = 0
        ports = {"iopub_port": self.iopub.bind_to_random_port("tcp://127.0.0.1")}
        self._hb = self.context.socket(zmq.REP)
        self._control = self.context.socket(zmq.ROUTER)
        self._others = [self.context.socket(zmq.ROUTER) for _ in range(2)]
        for name, sock in [("hb_port", self._hb), ("control_port", self._control),
                           ("shell_port", self._others[0]), ("stdin_port", self._others[1])]:
            sock.linger = 0
            ports[name] = sock.bind_to_random_port("tcp://127.0.0.1")
        self.connection_file = directory / "kernel-fake.json"
        self.connection_file.write_text(json.dumps({
            **ports, "ip": "127.0.0.1", "transport": "tcp", "key": self.key,
            "signature_scheme": "hmac-sha256", "kernel_name": "fake"}))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    # --- background: heartbeat and control

    def _serve(self):
        poller = zmq.Poller()
        poller.register(self._hb, zmq.POLLIN)
        poller.register(self._control, zmq.POLLIN)
        while not self._stop.is_set():
            for sock, _ in poller.poll(50):
                if sock is self._hb:
                    self._hb.send(self._hb.recv())
                else:
                    idents, msg = self.session.feed_identities(self._control.recv_multipart())
                    request = self.session.deserialize(msg)
                    if request["msg_type"] == "kernel_info_request":
                        self.session.send(
                            self._control, "kernel_info_reply",
                            {"status": "ok", "protocol_version": "5.3", "implementation": "fake",
                             "language_info": {"name": "python"}},
                            parent=request, ident=idents)

    def close(self):
        self._stop.set()
        self._thread.join(timeout=5)
        for sock in [self.iopub, self._hb, self._control, *self._others]:
            sock.close(linger=0)
        self.context.term()

    # --- IOPub

    def wait_subscribed(self, timeout_ms: int = 15000) -> list[bytes]:
        """Waits for the bridge's subscriptions ("" and its private topic) and welcomes each."""
        topics = []
        while len(topics) < 2:
            if not self.iopub.poll(timeout_ms):
                raise AssertionError(f"no subscription within {timeout_ms} ms (got {topics})")
            event = self.iopub.recv()
            if event[:1] == b"\x01":
                topic = event[1:]
                topics.append(topic)
                self.publish("iopub_welcome", {"subscription": topic.decode()}, parent=None,
                             topic=topic)
        return topics

    def frames(self, msg_type: str, content, parent: str | None = "", parent_type="execute_request",
               header: dict | None = None, topic: bytes = b"kernel.fake.x",
               raw_content: bytes | None = None, raw_header: bytes | None = None,
               raw_parent: bytes | None = None) -> list[bytes]:
        """One signed message. `content` is JSON-encoded unless `raw_content` (bytes) is
        given; `parent` "" = a fresh id, None = an empty parent header."""
        header_bytes = raw_header if raw_header is not None else json.dumps({
            "msg_id": f"fake-{next(self._ids)}", "msg_type": msg_type, "session": "fake",
            "username": "fake", "date": now_iso(), "version": "5.3", **(header or {})}).encode()
        if raw_parent is not None:
            parent_bytes = raw_parent
        elif parent is None:
            parent_bytes = b"{}"
        else:
            parent_bytes = json.dumps({"msg_id": parent, "msg_type": parent_type,
                                       "session": "frontend", "date": now_iso()}).encode()
        content_bytes = raw_content if raw_content is not None else json.dumps(
            content, ensure_ascii=False).encode()
        parts = [header_bytes, parent_bytes, b"{}", content_bytes]
        return [topic, DELIMITER, self.session.sign(parts), *parts]

    def publish(self, msg_type: str, content, parent: str | None = "", **kw) -> None:
        self.send_raw(self.frames(msg_type, content, parent, **kw))

    def send_raw(self, frames: list[bytes]) -> None:
        self.iopub.send_multipart(frames)

    def flood_execute_inputs(self, count: int, subshells: bool = False) -> None:
        """`count` execute_inputs, each for a request of its own, with no idle: the
        same signed bytes `frames` would make, from a template (a flood must be fast)."""
        header = json.dumps({"msg_id": "fake-flood", "msg_type": "execute_input",
                             "session": "fake", "date": now_iso(), "version": "5.3"}).encode()
        signer = hmac.new(self.key.encode(), digestmod=hashlib.sha256)
        for index in range(count):
            parent = (b'{"msg_id": "flood-%d", "msg_type": "execute_request"%s}'
                      % (index, b', "subshell_id": "s-%d"' % index if subshells else b""))
            content = b'{"code": "x", "execution_count": %d}' % (index % 1000)
            mac = signer.copy()
            for part in (header, parent, b"{}", content):
                mac.update(part)
            self.iopub.send_multipart([b"kernel.fake.execute_input", DELIMITER,
                                       mac.hexdigest().encode(), header, parent, b"{}", content])

    def new_id(self) -> str:
        return f"req-{next(self._ids)}-{uuid.uuid4().hex[:8]}"

    def cell(self, code: str, count=1, error: tuple[str, str] | None = None,
             idle: bool = True, subshell: str | None = None) -> str:
        """busy, execute_input, [error], [idle] for a fresh request id; returns the id."""
        msg_id = self.new_id()
        header = {"subshell_id": subshell} if subshell else None
        self.publish("status", {"execution_state": "busy"}, msg_id, header=header)
        self.publish("execute_input", {"code": code, "execution_count": count}, msg_id,
                     header=header)
        if error:
            ename, evalue = error
            self.publish("error", {"ename": ename, "evalue": evalue,
                                   "traceback": [f"{ename}: {evalue}"]}, msg_id, header=header)
        if idle:
            self.publish("status", {"execution_state": "idle"}, msg_id, header=header)
        return msg_id

    def failing_cell(self, count: int = 7, evalue: str = "boom") -> str:
        return self.cell(f"raise ValueError({evalue!r})", count, error=("ValueError", evalue))
