#!/usr/bin/env python3
"""Builds the signing vectors the Swift protocol tests check themselves against.

Every message is built and serialized by jupyter_client's own `Session`
(`Session.msg` + `Session.serialize`), so the frames and signatures are exactly
what a Jupyter kernel or client would put on the wire. For each message and key
the output records the scheme, the key, the frames (base64, since they are
bytes), how many routing/topic frames precede the `<IDS|MSG>` delimiter, and
the fields the bridge is expected to decode.

Deterministic: ids and dates are fixed, so re-running it rewrites the same file.

Run with the project's venv (JUPYTER_LMK_PYTHON, else <repo>/.venv/bin/python):
    $PY tools/make_signing_vectors.py [OUTPUT]
Default OUTPUT: Tests/Fixtures/signing/vectors.json
"""

from __future__ import annotations

import base64
import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jupyter_client
from jupyter_client.session import Session

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "Tests/Fixtures/signing/vectors.json"

# (scheme, key): keys are used as the UTF-8 bytes of the string, as jupyter_client does.
KEYS = [
    ("hmac-sha256", "6a1f3c2e-9b4d4e0f8a7c5d3e2f1a0b9c"),
    ("hmac-sha512", "0f1e2d3c-4b5a69788796a5b4c3d2e1f0"),
    ("hmac-md5", "md5-key-\u00e9\u00e8"),
    ("hmac-sha256", ""),
]

# Routing/topic frames before the delimiter; the message index picks one.
PREFIXES: list[list[bytes]] = [
    [],
    [b"kernel.4f0c.status"],
    [b"router-identity", b"kernel.4f0c.execute_input"],
]

UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def millis(date: datetime) -> int:
    """Milliseconds since 1970 as the bridge keeps them (the fraction truncated)."""
    return (date - EPOCH) // timedelta(milliseconds=1)


def header(msg_id: str, msg_type: str, date: datetime, **extra: object) -> dict:
    return {
        "msg_id": msg_id,
        "msg_type": msg_type,
        "username": "vectors",
        "session": "9d7b6a5c-session",
        "date": date,
        "version": "5.4",
        **extra,
    }


EXECUTE_REQUEST = header(
    "exec-req-0001", "execute_request", datetime(2025, 1, 23, 21, 23, 15, 100000, tzinfo=UTC)
)
EXECUTE_REQUEST_SUBSHELL = header(
    "exec-req-0002",
    "execute_request",
    datetime(2025, 1, 23, 21, 24, 0, tzinfo=UTC),
    subshell_id="sub-parent-1",
)
TRACEBACK = [
    "\x1b[0;31m---------------------------------------------------------------------------\x1b[0m",
    "\x1b[0;31mZeroDivisionError\x1b[0m                         Traceback (most recent call last)",
    "Cell \x1b[0;32mIn[2], line 1\x1b[0m\n\x1b[0;32m----> 1\x1b[0m \x1b[38;5;241m1\x1b[39m\x1b[38;5;241m/\x1b[39m\x1b[38;5;241m0\x1b[39m\n",
    "\x1b[0;31mZeroDivisionError\x1b[0m: division by zero",
]


def ascii_packer(obj: object) -> bytes:
    """A packer writing \\uXXXX escapes (surrogate pairs included), as some kernels do."""
    from jupyter_client.jsonutil import json_default

    return json.dumps(obj, default=json_default, ensure_ascii=True, allow_nan=False).encode("ascii")


def messages() -> list[dict]:
    """Each message: its header, parent, content, an optional packer and what it decodes to."""
    unicode_code = 'print("h\u00e9llo \\"w\u00f6rld\\"")\t# \U0001F600 \u2603 \\ / \x01\n'

    def unicode_input(name: str, suffix: str, second: int, microsecond: int, count: int, **extra) -> dict:
        """An execute_input with non-ASCII and escape-worthy text in header, parent and content."""
        return {
            "name": name,
            **extra,
            "header": header(
                f"input-\u00e9\u00df-\"q\"-\\{suffix}",
                "execute_input",
                datetime(2025, 1, 23, 21, 25, second, microsecond, tzinfo=UTC),
                subshell_id="sub-\u00df-\U0001F600-\"/\\",
            ),
            "parent": header(
                "exec-req-\u00e9-\U0001F600",
                "execute_request",
                datetime(2025, 1, 23, 21, 25, 0, tzinfo=UTC),
            ),
            "content": {"code": unicode_code, "execution_count": count},
            "expected": {"kind": "execute_input", "code": unicode_code, "executionCount": count},
        }

    return [
        {
            "name": "status-busy",
            "header": header(
                "status-0001", "status", datetime(2025, 1, 23, 21, 23, 15, 387272, tzinfo=UTC)
            ),
            "parent": EXECUTE_REQUEST,
            "content": {"execution_state": "busy"},
            "expected": {"kind": "status", "state": "busy"},
        },
        {
            "name": "execute-input",
            "header": header(
                "input-0001", "execute_input", datetime(2025, 1, 23, 21, 23, 15, 390001, tzinfo=UTC)
            ),
            "parent": EXECUTE_REQUEST,
            "content": {"code": "x = 1\nprint(x)", "execution_count": 7},
            "expected": {"kind": "execute_input", "code": "x = 1\nprint(x)", "executionCount": 7},
        },
        {
            "name": "stream",
            "header": header(
                "stream-0001", "stream", datetime(2025, 1, 23, 21, 23, 15, 391000, tzinfo=UTC)
            ),
            "parent": EXECUTE_REQUEST,
            "content": {"name": "stdout", "text": "1\n"},
            "expected": {"kind": "other", "msgType": "stream"},
        },
        {
            "name": "error-ansi",
            "header": header(
                "error-0001",
                "error",
                datetime(2025, 1, 23, 23, 23, 16, 5000, tzinfo=timezone(timedelta(hours=2))),
            ),
            "parent": EXECUTE_REQUEST,
            "content": {
                "ename": "ZeroDivisionError",
                "evalue": "division by zero",
                "traceback": TRACEBACK,
            },
            "expected": {
                "kind": "error",
                "ename": "ZeroDivisionError",
                "evalue": "division by zero",
                "traceback": TRACEBACK,
            },
        },
        {
            "name": "status-idle-subshell-parent",
            "header": header(
                "status-0002",
                "status",
                datetime(2025, 1, 23, 15, 54, 1, tzinfo=timezone(-timedelta(hours=5, minutes=30))),
            ),
            "parent": EXECUTE_REQUEST_SUBSHELL,
            "content": {"execution_state": "idle"},
            "expected": {"kind": "status", "state": "idle"},
        },
        unicode_input("execute-input-unicode", "", second=0, microsecond=999999, count=12),
        # The same message with \uXXXX escapes and surrogate pairs instead of raw UTF-8.
        unicode_input("execute-input-unicode-ascii-escaped", "-ascii", second=1, microsecond=250000,
                      count=13, packer=ascii_packer),
        {
            "name": "iopub-welcome",
            "header": header(
                "welcome-0001", "iopub_welcome", datetime(2025, 1, 23, 21, 20, 0, 1000, tzinfo=UTC)
            ),
            "parent": {},
            "content": {"subscription": ""},
            "expected": {"kind": "welcome", "subscription": ""},
        },
    ]


def b64(frame: bytes) -> str:
    return base64.b64encode(frame).decode("ascii")


def expected_fields(message: dict) -> dict:
    head, parent = message["header"], message["parent"]
    return {
        **message["expected"],
        "msgType": head["msg_type"],
        "parentMsgId": parent.get("msg_id"),
        "parentMsgType": parent.get("msg_type"),
        "subshellId": head.get("subshell_id", parent.get("subshell_id")),
        "dateMs": millis(head["date"]),
    }


def build() -> dict:
    vectors = []
    replies = []
    for scheme, key in KEYS:
        for index, message in enumerate(messages()):
            session = Session(key=key.encode("utf-8"), signature_scheme=scheme)
            if "packer" in message:
                # Session's `packer` trait only takes an import name; its `pack` is what it calls.
                session.pack = message["packer"]
            msg = session.msg(
                message["header"]["msg_type"],
                content=message["content"],
                parent=message["parent"],
                header=message["header"],
            )
            prefix = PREFIXES[index % len(PREFIXES)]
            frames = session.serialize(msg, ident=list(prefix))
            # The frames must survive jupyter_client's own checks.
            _, wire = session.feed_identities(frames, copy=True)
            session.deserialize(wire, content=True)
            vectors.append(
                {
                    "name": f"{message['name']}/{scheme}/{'keyed' if key else 'unsigned'}",
                    "scheme": scheme,
                    "key": key,
                    "prefixCount": len(prefix),
                    "frames": [b64(frame) for frame in frames],
                    "expected": expected_fields(message),
                }
            )

        session = Session(key=key.encode("utf-8"), signature_scheme=scheme)
        request = header(
            "kinfo-req-0001",
            "kernel_info_request",
            datetime(2025, 1, 23, 21, 0, 0, tzinfo=UTC),
        )
        reply = session.msg(
            "kernel_info_reply",
            content={
                "status": "ok",
                "protocol_version": "5.4",
                "implementation": "ipython",
                "implementation_version": "9.0.0",
                "language_info": {"name": "python", "version": "3.12.3", "mimetype": "text/x-python"},
                "banner": "Python \u00e9",
                "help_links": [],
            },
            parent=request,
            header=header(
                "kinfo-rep-0001", "kernel_info_reply", datetime(2025, 1, 23, 21, 0, 0, 5, tzinfo=UTC)
            ),
        )
        replies.append(
            {
                "name": f"kernel_info_reply/{scheme}/{'keyed' if key else 'unsigned'}",
                "scheme": scheme,
                "key": key,
                "prefixCount": 1,
                "frames": [b64(frame) for frame in session.serialize(reply, ident=[b"dealer-id"])],
                "expected": {
                    "languageName": "python",
                    "implementation": "ipython",
                    "inReplyTo": "kinfo-req-0001",
                },
            }
        )
    return {
        "generator": "tools/make_signing_vectors.py",
        "jupyter_client": jupyter_client.__version__,
        "vectors": vectors,
        "replies": replies,
    }


def main() -> None:
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT
    output.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(build(), indent=1, ensure_ascii=True, sort_keys=True) + "\n"
    output.write_text(text, encoding="ascii")
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
