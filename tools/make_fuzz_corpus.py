#!/usr/bin/env python3
"""Writes the seed corpora of the libFuzzer targets (Fuzz/corpus/<target>/).

Seeds come from the recorded IOPub transcripts, the jupyter_client signing
vectors and the LMK stand-in's answers, in the input formats the harnesses
document (Fuzz/*/…Harness.swift). Rerun after the fixtures change:

    .venv/bin/python tools/make_fuzz_corpus.py
"""
import base64
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Tests/Fixtures"
CORPUS = ROOT / "Fuzz/corpus"
RS, US, CONTROL, SHELL, SOCKET = b"\x1e", b"\x1f", b"\x1d", b"\x1c", b"\x1b"
# The harness signs with the key of the signing vectors, so their frames verify.
SCHEME_BITS = {"hmac-sha256": 0, "hmac-sha512": 2 << 2, "hmac-md5": 3 << 2}
HARNESS_KEY = "6a1f3c2e-9b4d4e0f8a7c5d3e2f1a0b9c"


def packed(value) -> bytes:
    """As jupyter_client's json_packer writes a part."""
    return json.dumps(value, ensure_ascii=False).encode("utf8", errors="surrogateescape")


def iopub() -> dict[str, bytes]:
    seeds = {}
    for path in sorted((FIXTURES / "transcripts").glob("*.jsonl")):
        records = []
        for line in path.read_text().splitlines():
            record = json.loads(line)
            parts = [record.get(k, {}) for k in ("header", "parent_header", "metadata", "content")]
            records.append(US.join(packed(p) for p in parts))
        records.append(CONTROL + b"\x00\x10")  # four seconds pass: the idle grace ends
        seeds[f"transcript-{path.stem}"] = b"\x00" + RS.join(records)
        if path.stem == "success":
            # notifyOn none (mode bits 4-5), armed from the LMK app over the session socket.
            update = {"ok": True, "message": {"type": "update", "session": {"state": {
                "type": "jupyter", "notifyOn": "stop", "notifyChannel": "ch-sms"}}}}
            socket = [SOCKET + json.dumps(update).encode(), SOCKET + b'{"ok":false,"message":"x"}']
            seeds["socket-arms-success"] = b"\x20" + RS.join(socket + records)
    vectors = json.loads((FIXTURES / "signing/vectors.json").read_text())
    groups: dict[bytes, list[bytes]] = {}
    for vector in vectors["vectors"] + vectors["replies"]:
        if vector["key"] not in (HARNESS_KEY, ""):
            continue
        mode = 0x01 | SCHEME_BITS[vector["scheme"]] | (0x02 if vector["key"] == "" else 0)
        frames = US.join(base64.b64decode(f) for f in vector["frames"])
        record = SHELL + frames if vector["name"].startswith("kernel_info_reply") else frames
        groups.setdefault(bytes([mode]), []).append(record)
    for mode, records in sorted(groups.items()):
        seeds[f"vectors-raw-{mode.hex()}"] = mode + RS.join(records)
    return seeds


def lmk() -> dict[str, bytes]:
    sys.path.insert(0, str(ROOT / "tools"))
    import lmk_standin as standin

    app = "10000000-0000-0000-0000-000000000000"
    token = {"access_token": "at-1", "token_type": "Bearer", "expires_in": 3600,
             "scope": "event.publish", "refresh_token": "rt-1"}
    state = {"type": "jupyter", "shellState": "idle", "notebookName": "a.ipynb"}
    session = {"state": state, "sessionId": "s-1", "name": "a.ipynb", "type": "jupyter",
               "createdAt": "2026-01-01T00:00:00Z", "createdByActor": standin._actor_app(app),
               "lastUpdatedAt": "2026-01-01T00:00:00Z",
               "lastUpdatedByActor": standin._actor_app(app), "endedAt": None,
               "endedByActor": None}
    headless = {"sessionId": "h-1", "appId": app, "scope": "event.publish",
                "authorizeUrl": "https://lmk.example/authorize", "createdAt": "2026-01-01T00:00:00Z"}
    app_body = {"appId": app, "name": "jupyter-lmk"}

    def answer(selector: int, body, headers: str = "") -> bytes:
        text = body if isinstance(body, bytes) else json.dumps(body).encode()
        return bytes([selector]) + headers.encode() + RS + text

    status = {201: 0, 200: 1, 429: 3, 503: 4, 401: 5, 400: 6}
    return {
        "refresh-201": answer(status[201] << 2, token),
        # A number with an exponent: one mutation away from 1e300.
        "refresh-201-exponent": answer(status[201] << 2, dict(token, expires_in=3.6e3)).replace(
            b"3600.0", b"3.6e3"),
        "refresh-429-retry-after": answer(status[429] << 2, b"", "Retry-After: 0\n"),
        "refresh-400": answer(status[400] << 2, {"message": "invalid refresh token"}),
        "session-201": answer(1 | status[201] << 2 | 0 << 5, session),
        "channels-200": answer(1 | status[200] << 2 | 1 << 5, {"channels": standin.CHANNELS}),
        "app-200": answer(1 | status[200] << 2 | 2 << 5, app_body),
        "headless-201": answer(1 | status[201] << 2 | 3 << 5, headless),
        "login-token-200": answer(1 | status[200] << 2 | 4 << 5, token),
        "session-503": answer(1 | status[503] << 2 | 5 << 5,
                              {"message": "down, see http://u:p@x/?token=abc"}, "Retry-After: 1\n"),
        "ini-official": b"\x02" + b"[python]\naccess_token = at-1\nrefresh_token = rt-1\n"
        b"access_token_expires = 1780000000000\nserver_url = https://api.lmkapp.dev\n\n"
        b"; a comment\n[other]\nkey: value\n",
        "header-date": b"\x03Wed, 21 Oct 2026 07:28:00 GMT",
        "header-url": b"\x03http://user:secret@host:8888/lab?token=abc&x=1",
    }


def config() -> dict[str, bytes]:
    user = {"notifyOn": "error", "minDuration": 60, "notifyChannel": "sms",
            "notebooks": [{"match": "~/experiments/*", "notifyOn": "stop", "idleGrace": 2},
                          {"match": "*/scratch/*", "notifyOn": "none"}]}
    notebook = {"cells": [{"cell_type": "code", "source": ["print(1)"], "metadata": {},
                           "outputs": [], "execution_count": None}],
                "metadata": {"kernelspec": {"name": "python3"},
                             "lmk": {"notifyOn": "stop", "minDuration": 5, "notifyChannel": "ch-email"}},
                "nbformat": 4, "nbformat_minor": 5}
    connection = {"shell_port": 53794, "iopub_port": "53795", "stdin_port": 53796,
                  "control_port": 53797, "hb_port": 53798, "ip": "127.0.0.1",
                  "key": HARNESS_KEY, "transport": "tcp", "signature_scheme": "hmac-sha256",
                  "kernel_name": "python3", "jupyter_session": "/home/u/a.ipynb"}
    curve = dict(connection, transport="ipc", ip="/tmp/kernel-1",
                 curve_publickey="rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7",
                 curve_secretkey="JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6")
    return {
        "user-config": b"\x00" + json.dumps(user).encode(),
        "notebook-chunked": bytes([1 | 3 << 2]) + json.dumps(notebook, indent=1).encode(),
        "cell-directives": b"\x02# lmk: notify=stop channel=sms min=60\nx = 1\n"
        b"// LMK: min=2m\n-- lmk: notify=error\n;; lmk: channel=ch-email min=1h\n",
        "connection-tcp": b"\x03" + json.dumps(connection).encode(),
        "connection-ipc-curve": b"\x03" + json.dumps(curve).encode(),
    }


def main() -> None:
    for target, seeds in (("fuzz-iopub", iopub()), ("fuzz-lmk", lmk()), ("fuzz-config", config())):
        folder = CORPUS / target
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for name, data in seeds.items():
            (folder / name).write_bytes(data)
        print(f"{target}: {len(seeds)} seeds, {sum(map(len, seeds.values()))} bytes")


if __name__ == "__main__":
    main()
