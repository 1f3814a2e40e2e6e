"""Pre-signed IOPub messages for the benchmark publishers.

Every message is built and signed by jupyter_client's own `Session` (so the
frames are exactly what ipykernel sends: topic, delimiter, HMAC signature,
header, parent header, metadata, content) and each has its own msg_id, hence
its own signature: the bridge's replay guard drops a repeated one.

A cell is: status busy, execute_input, stream messages, error, status idle,
all children of one execute_request. `write_file` stores messages in the
format Benchmarks/frames_file.c reads: u32 message count, then per message
u32 frame count and per frame u32 length + bytes (little-endian).
"""

from __future__ import annotations

import struct
from typing import Iterator

from jupyter_client.session import Session

KERNEL_ID = "5c0b1a3e-bench-4c6f-9d7e-000000000000"


class CellMessages:
    """Builds the messages of one cell, signed with `key`."""

    def __init__(self, key: bytes, execution_count: int = 1, code: str = "flood()"):
        self.session = Session(key=key, signature_scheme="hmac-sha256", username="bench")
        self.parent = self.session.msg("execute_request", content={"code": code})["header"]
        self.execution_count = execution_count
        self.code = code

    def _frames(self, msg_type: str, content: dict, topic: str) -> list[bytes]:
        msg = self.session.msg(msg_type, content=content, parent=self.parent)
        return self.session.serialize(msg, ident=topic.encode())

    def _kernel_topic(self, kind: str) -> str:
        return f"kernel.{KERNEL_ID}.{kind}"

    def status(self, state: str) -> list[bytes]:
        return self._frames("status", {"execution_state": state}, self._kernel_topic("status"))

    def execute_input(self) -> list[bytes]:
        content = {"code": self.code, "execution_count": self.execution_count}
        return self._frames("execute_input", content, self._kernel_topic("execute_input"))

    def stream(self, text: str) -> list[bytes]:
        return self._frames("stream", {"name": "stdout", "text": text}, "stream.stdout")

    def error(self) -> list[bytes]:
        content = {
            "ename": "ZeroDivisionError",
            "evalue": "division by zero",
            "traceback": ["Traceback (most recent call last):", "ZeroDivisionError: division by zero"],
        }
        return self._frames("error", content, self._kernel_topic("error"))

    def streams(self, count: int, size: int = 120) -> Iterator[list[bytes]]:
        """`count` stream messages, each with about `size` characters of text."""
        pad = "x" * max(0, size - 20)
        for index in range(count):
            yield self.stream(f"line {index:>9} {pad}\n")

    def cell(self, streams: int, size: int = 120) -> Iterator[list[bytes]]:
        """A whole failing cell: busy, execute_input, streams, error, idle."""
        yield self.status("busy")
        yield self.execute_input()
        yield from self.streams(streams, size)
        yield self.error()
        yield self.status("idle")


def write_file(path: str, messages: Iterator[list[bytes]], count: int) -> None:
    """Writes exactly `count` messages (the count leads the file)."""
    written = 0
    with open(path, "wb") as out:
        out.write(struct.pack("<I", count))
        for frames in messages:
            out.write(struct.pack("<I", len(frames)))
            for frame in frames:
                out.write(struct.pack("<I", len(frame)))
                out.write(frame)
            written += 1
    if written != count:
        raise ValueError(f"wrote {written} messages, announced {count}")
