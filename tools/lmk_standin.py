#!/usr/bin/env python3
"""Local stand-in for the LMK API, for tests of jupyter-lmk and for trying it without an
account (the authorize page has an Approve button; each notification received is printed).

It serves the operations of Sources/LMKClient/openapi.yaml on 127.0.0.1 with
in-memory state, validates every request body against that document (so a
client that drifts from the contract fails loudly), and offers a control API
under /_standin/ through which tests read what was received and inject faults.

    LMK_STANDIN_ACCESS_TOKENS=T1,T2 LMK_STANDIN_REFRESH_TOKENS=R1 \
    python tools/lmk_standin.py --port 0 --port-file FILE [--token-ttl SECONDS] [--spec PATH]
        [--tls-cert PEM --tls-key PEM]   (serve HTTPS with that certificate)

Pre-seeded tokens come from the environment, never argv (where `ps` would show them).

The session WebSocket, on the same port (ws://, or wss:// with --tls-cert; framing and
handshakes are the pinned `websockets` package's, sans-I/O):
    GET /v1/session/ws?token=<access token>   unknown/expired/missing token: HTTP 401 (a token
        expiring later leaves an open socket open: nothing documents the service closing it).
        First message {"event":"connect","data":{"sessionId","readOnly"}} (both required)
        binds the connection to the session; a later connect rebinds. Then each message is a
        partial jupyter state: fields of PartialJupyterSessionState, each may be null (clears
        it; not type/notifyOn, which JupyterSessionState requires); applied to the session
        (history op "ws-update", with the connection id), never answered. Anything else (before
        connect, not JSON, unknown field, wrong type, readOnly, ended session, binary) is
        recorded with an error, not applied, and the socket stays open. Pings get pongs.
    POST /v1/session/{id}/action (sessionAction) sends {"ok":true,"message":{"type":"action",
        "action":…[, "body":…]}} to the session's open connections: 201, or 412 if none.
    Upgrades are recorded under /_standin/ws, not /_standin/requests; faults do not apply.

Control API (JSON; control calls are not recorded):
    GET    /_standin/requests    every other request, in order, with valid/error/status/response
    GET    /_standin/sessions    sessions with their create/update/end history
    GET    /_standin/events      posted events (+ eventId, time)
    GET    /_standin/headless    headless-auth sessions with their stage
    GET    /_standin/faults      faults still queued
    POST   /_standin/faults      {"method", "path" (regex searched in the path), "status",
                                  "retryAfter", "delayMs", "drop", "count",
                                  "raw" (text written verbatim instead of a response, then
                                  the connection closes: garbage, HTTP/0.9),
                                  "bodyBytes" (answer `status` with a body this long),
                                  "headers" (extra response headers, e.g. a Location)}
    DELETE /_standin/faults
    POST   /_standin/headless/<id>/approve   the next token poll gets tokens, the one after 410
    POST   /_standin/tokens/expire           {"token": T}: T answers 401 from now on
    POST   /_standin/reset                   forget requests, sessions, events, faults, headless
                                             sessions, sockets (open ones are aborted; tokens
                                             stay valid)
  the session WebSocket:
    GET    /_standin/ws          {"connections": [{"id" (1, 2, …), "sessionId" (null until a
                                  connect), "token", "readOnly", "opened", "closed" (epoch s or
                                  null), "closeCode" (the client's, 1006 without a close frame),
                                  "muted", "pings", "messages": [{"time", "text" (raw), "kind":
                                  "connect"|"update"|"invalid", "error"}], "sent": [{"time",
                                  "text"}]}], "refused": [{"time", "status", "reason"}],
                                  "refuse": the rule below or null}
    POST   /_standin/sessions/<id>/app-update   {"state": {partial state}}: what the LMK app
                                  does (notifyOn, notifyChannel): stored (history op
                                  "app-update"), then {"ok":true,"message":{"type":"update",
                                  "session": <SessionResponse as getSession answers>}} to the
                                  session's open connections. -> {"delivered": n}
    POST   /_standin/ws/push     {"sessionId", "message": {…}} sends {"ok":true,"message":…};
                                  {"sessionId", "raw": "text"} sends the text as it is.
                                  -> {"delivered": n}
    POST   /_standin/ws/drop     {"sessionId" (absent: every open socket), "mode": "abort"
                                  (default: TCP closed, no close frame) | "close" (a close
                                  frame with "code", default 1011)} -> {"dropped": n}
    POST   /_standin/ws/refuse   {"status": 300-599, "count": N | null (until DELETE)}: the
                                  next upgrades answer that status (404: an LMK without the
                                  socket); checked before the token
    DELETE /_standin/ws/refuse
    POST   /_standin/ws/mute     {"sessionId"}: its open sockets stop processing what they
                                  receive (no pongs, no messages; writes still go out); a
                                  client hanging up is still noticed (closeCode 1006). -> {"muted": n}
Deliberate choices: a refresh spends the old refresh token (rotation); ending a
session twice answers 201 both times (history shows both); a PATCH state must say
its "type" (without it the document's oneOf matches all three partial schemas).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import secrets
import signal
import socket
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, quote, unquote, urlsplit

# jsonschema optionally imports rfc3987_syntax for the "iri" formats, which builds a
# parser grammar at import (seconds on a loaded machine). The LMK document uses no
# formats, so skip it and keep start-up (which every test waits for) fast.
sys.modules.setdefault("rfc3987_syntax", None)

import yaml  # noqa: E402
from jsonschema.exceptions import best_match  # noqa: E402
from jsonschema.validators import extend  # noqa: E402
from openapi_schema_validator import OAS30Validator  # noqa: E402
from referencing import Registry, Resource  # noqa: E402
from referencing.jsonschema import DRAFT4  # noqa: E402
from websockets.exceptions import ProtocolError as WsProtocolError  # noqa: E402
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory  # noqa: E402
from websockets.frames import Close as WsClose  # noqa: E402
from websockets.frames import Opcode  # noqa: E402
from websockets.http11 import Request as WsRequest  # noqa: E402
from websockets.protocol import State as WsState  # noqa: E402
from websockets.server import ServerProtocol  # noqa: E402

SPEC_URI = "urn:lmk-openapi"
MAX_BODY_BYTES = 16 * 1024 * 1024
MAX_ERROR_CHARS = 600
DEFAULT_APP_ID = "10000000-0000-0000-0000-000000000000"
USER_ID = "user-standin"
SEEDED_AT = "2026-01-01T00:00:00.000Z"
CONTROL_PREFIX = "/_standin/"
DROP = 0  # pseudo status: close the connection without answering
RAW = -1  # pseudo status: write the fault's raw text instead of a response, then close
WS_PATH = "/v1/session/ws"
WS_CLOSE_TIMEOUT = 2.0  # after a close frame we send, abort if the client does not answer
WS_STATE_SCHEMA = "PartialJupyterSessionState"  # what each message after `connect` must be
WS_FULL_SCHEMA = "JupyterSessionState"  # its required fields cannot be cleared with null

Json = Any
Reply = tuple[int, Json, dict[str, str]]


def now_iso() -> str:
    """UTC timestamp in the ISO 8601 form the LMK API uses."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _nullable_aware(keyword: Callable) -> Callable:
    """OAS 3.0 generators (swift-openapi-generator among them) read `nullable: true`
    as "null is allowed for this schema object", also when it sits beside `allOf`
    or `$ref` without a `type`. OAS30Validator applies it only beside `type`, which
    would reject `endedByActor: null`; this wrapper admits null there too."""

    def check(validator, value, instance, schema):
        if instance is None and schema.get("nullable") is True:
            return
        yield from keyword(validator, value, instance, schema)

    return check


LMKValidator = extend(
    OAS30Validator,
    {k: _nullable_aware(OAS30Validator.VALIDATORS[k]) for k in ("allOf", "anyOf", "oneOf", "$ref")},
)


# --------------------------------------------------------------------------- spec


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    template: str
    pattern: re.Pattern
    needs_auth: bool
    body_required: bool
    body_pointer: str | None
    response_pointers: dict[int, str | None]


def _pointer(*parts: str) -> str:
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


class Spec:
    """The OpenAPI document: operation routing plus schema validation."""

    def __init__(self, path: Path):
        with open(path, encoding="utf-8") as f:
            self.document = yaml.safe_load(f)
        resource = Resource.from_contents(self.document, default_specification=DRAFT4)
        self._registry = Registry().with_resource(SPEC_URI, resource)
        self._validators: dict[str, Any] = {}
        self.operations = self._load_operations()
        schemas = self.document.get("components", {}).get("schemas", {})
        # The socket's state messages: field -> pointer to its schema, and the fields a stored
        # jupyter state must keep (null would clear them).
        self.ws_fields = {
            name: _pointer("components", "schemas", WS_STATE_SCHEMA, "properties", name)
            for name in schemas.get(WS_STATE_SCHEMA, {}).get("properties", {})
        }
        self.ws_required = set(schemas.get(WS_FULL_SCHEMA, {}).get("required", []))
        pointers = [op.body_pointer for op in self.operations if op.body_pointer] + list(self.ws_fields.values())
        for pointer in pointers:  # build validators up front, outside request threads
            self.validate_pointer(pointer, {})

    def _load_operations(self) -> list[Operation]:
        default_security = self.document.get("security", [])
        ops = []
        for template, item in self.document.get("paths", {}).items():
            for method, op in item.items():
                if method not in ("get", "post", "patch", "put", "delete"):
                    continue
                body = op.get("requestBody")
                body_pointer = None
                if body and "application/json" in body.get("content", {}):
                    body_pointer = _pointer("paths", template, method, "requestBody", "content", "application/json", "schema")
                responses = {}
                for code, resp in op.get("responses", {}).items():
                    has_json = "application/json" in (resp.get("content") or {})
                    responses[int(code)] = (
                        _pointer("paths", template, method, "responses", str(code), "content", "application/json", "schema")
                        if has_json
                        else None
                    )
                regex = "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$"
                ops.append(
                    Operation(
                        operation_id=op["operationId"],
                        method=method.upper(),
                        template=template,
                        pattern=re.compile(regex),
                        needs_auth=bool(op.get("security", default_security)),
                        body_required=bool(body and body.get("required")),
                        body_pointer=body_pointer,
                        response_pointers=responses,
                    )
                )
        # Literal paths before templated ones, so /v1/headlessAuth/refresh never
        # reads as a session id.
        ops.sort(key=lambda o: o.template.count("{"))
        return ops

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        for op in self.operations:
            if op.method != method:
                continue
            m = op.pattern.match(path)
            if m:
                return op, {k: unquote(v) for k, v in m.groupdict().items()}
        return None

    def operation(self, operation_id: str) -> Operation:
        for op in self.operations:
            if op.operation_id == operation_id:
                return op
        raise KeyError(operation_id)

    def validate_pointer(self, pointer: str, instance: Json) -> str | None:
        """Return a readable validation error, or None when the instance conforms."""
        validator = self._validators.get(pointer)
        if validator is None:
            validator = LMKValidator({"$ref": SPEC_URI + "#" + quote(pointer)}, registry=self._registry)
            self._validators[pointer] = validator
        error = best_match(validator.iter_errors(instance))
        if error is None:
            return None
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        return f"{where}: {error.message}"[:MAX_ERROR_CHARS]

    def validate_response(self, operation_id: str, status: int, body: Json) -> str | None:
        """Check a response body against the document; used by the tests."""
        op = self.operation(operation_id)
        if status not in op.response_pointers:
            return f"status {status} is not documented for {operation_id}"
        pointer = op.response_pointers[status]
        return None if pointer is None else self.validate_pointer(pointer, body)


# --------------------------------------------------------------------------- state


def _actor_app(app_id: str) -> dict:
    return {"type": "APP", "actorId": app_id, "name": "jupyter-lmk"}


def _actor_user() -> dict:
    return {"type": "USER", "actorId": USER_ID, "name": "Stand-in User"}


def _channel(channel_id: str, name: str, order: int, default: bool, payload: dict) -> dict:
    return {
        "payload": payload,
        "notificationChannelId": channel_id,
        "name": name,
        "order": order,
        "isDefault": default,
        "isManaged": False,
        "isVerified": True,
        "verificationRequired": False,
        "createdAt": SEEDED_AT,
        "createdByActor": _actor_user(),
        "lastUpdatedAt": SEEDED_AT,
        "lastUpdatedByActor": _actor_user(),
    }


CHANNELS = [
    _channel("ch-email", "Email", 0, True, {"type": "email", "emailAddress": "user@example.org"}),
    _channel("ch-sms", "Text message", 1, False, {"type": "text-message", "phoneNumber": "+15555550100"}),
    _channel(
        "ch-push",
        "Browser push",
        2,
        False,
        {"type": "web-push", "endpoint": "https://push.example.org/ep", "device": "Firefox on Linux", "authKey": "auth"},
    ),
]

FAULT_KEYS = {"method", "path", "status", "retryAfter", "delayMs", "drop", "count", "raw", "bodyBytes", "headers"}


class BadControlRequest(Exception):
    pass


def _parse_fault(body: Json) -> dict:
    if not isinstance(body, dict):
        raise BadControlRequest("fault must be a JSON object")
    unknown = set(body) - FAULT_KEYS
    if unknown:
        raise BadControlRequest(f"unknown fault keys: {sorted(unknown)}")
    method = body.get("method")
    path = body.get("path")
    status = body.get("status")
    retry_after = body.get("retryAfter")
    delay_ms = body.get("delayMs", 0) or 0
    drop = body.get("drop", False)
    count = body.get("count", 1)
    if method is not None and not isinstance(method, str):
        raise BadControlRequest("method must be a string or null")
    try:
        path_re = re.compile(path) if path is not None else None
    except (re.error, TypeError) as e:
        raise BadControlRequest(f"path is not a valid regex: {e}") from None
    if status is not None and (type(status) is not int or not 100 <= status <= 599):
        raise BadControlRequest("status must be an HTTP status code or null")
    if retry_after is not None and (isinstance(retry_after, bool) or not isinstance(retry_after, (int, float, str))):
        raise BadControlRequest("retryAfter must be a number, a string or null")
    if isinstance(delay_ms, bool) or not isinstance(delay_ms, (int, float)) or delay_ms < 0:
        raise BadControlRequest("delayMs must be a non-negative number")
    if not isinstance(drop, bool):
        raise BadControlRequest("drop must be a boolean")
    if type(count) is not int or count < 1:
        raise BadControlRequest("count must be a positive integer")
    raw = body.get("raw")
    body_bytes = body.get("bodyBytes")
    headers = body.get("headers") or {}
    if raw is not None and not isinstance(raw, str):
        raise BadControlRequest("raw must be a string or null")
    if body_bytes is not None and (type(body_bytes) is not int or body_bytes < 0):
        raise BadControlRequest("bodyBytes must be a non-negative integer or null")
    if not isinstance(headers, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items()):
        raise BadControlRequest("headers must be an object of strings")
    if (body_bytes is not None or headers) and status is None:
        raise BadControlRequest("bodyBytes and headers need a status")
    if status is None and not drop and delay_ms == 0 and raw is None:
        raise BadControlRequest("fault has no effect: give status, drop, raw or delayMs")
    if isinstance(retry_after, float):
        retry_after = int(retry_after) if retry_after.is_integer() else retry_after
    return {
        "method": method.upper() if method else None,
        "path": path,
        "_re": path_re,
        "status": status,
        "retryAfter": None if retry_after is None else str(retry_after),
        "delayMs": delay_ms,
        "drop": drop,
        "count": count,
        "raw": raw,
        "bodyBytes": body_bytes,
        "headers": headers,
    }


class WsConnection:
    """One accepted session WebSocket. Frames are websockets' sans-I/O ServerProtocol's job;
    this owns the socket. `io_lock` guards the protocol and writes (the reader thread and
    control calls both use them); the record fields are read and written under State.lock."""

    def __init__(self, conn_id: int, token: str, sock: socket.socket, protocol: ServerProtocol):
        self.id = conn_id
        self.token = token
        self.sock = sock
        self.protocol = protocol
        self.io_lock = threading.Lock()
        self.muted = False
        self.killed = False
        self.held: list[bytes] = []  # bytes read while muted, left unprocessed
        self.session_id: str | None = None
        self.read_only: bool | None = None
        self.opened = time.time()
        self.closed: float | None = None
        self.close_code: int | None = None
        self.pings = 0
        self.messages: list[dict] = []
        self.sent: list[dict] = []
        self._timer: threading.Timer | None = None

    def record(self) -> dict:
        return {
            "id": self.id,
            "sessionId": self.session_id,
            "token": self.token,
            "readOnly": self.read_only,
            "opened": self.opened,
            "closed": self.closed,
            "closeCode": self.close_code,
            "muted": self.muted,
            "pings": self.pings,
            "messages": json.loads(json.dumps(self.messages)),
            "sent": json.loads(json.dumps(self.sent)),
        }

    def flush(self) -> bool:
        """Write what the protocol has to send (io_lock held). True when the connection is
        over: the protocol asked for the end of the stream, or the socket failed."""
        try:
            for chunk in self.protocol.data_to_send():
                if not chunk:  # SEND_EOF: the close handshake is done, the handler closes TCP
                    return True
                self.sock.sendall(chunk)
        except (OSError, ValueError):
            return True
        return False

    def send_text(self, text: str) -> bool:
        """Send one text message if the socket is open; True when it was written."""
        with self.io_lock:
            if self.killed or self.protocol.state is not WsState.OPEN:
                return False
            self.protocol.send_text(text.encode("utf-8"))
            return not self.flush()

    def close(self, code: int) -> bool:
        """Send a close frame; the reader completes the handshake (a muted connection
        resumes processing for it), or the connection is aborted after WS_CLOSE_TIMEOUT."""
        with self.io_lock:
            if self.killed or self.protocol.state is not WsState.OPEN:
                return False
            self.protocol.send_close(code)
            self.flush()
            self.muted = False  # a muted connection processes what it held, and the close reply
        self._timer = threading.Timer(WS_CLOSE_TIMEOUT, self.abort)
        self._timer.daemon = True
        self._timer.start()
        return True

    def abort(self) -> None:
        """Close TCP at once, without a close frame (the client sees 1006)."""
        self.killed = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except (OSError, ValueError):
            pass

    def finished(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


class State:
    """Everything the stand-in remembers; every access holds `lock`."""

    def __init__(self, token_ttl: float, access_tokens: list[str], refresh_tokens: list[str]):
        self.lock = threading.Lock()
        self.token_ttl = int(token_ttl) if float(token_ttl).is_integer() else token_ttl
        self.base_url = ""
        self.spec: Spec | None = None  # set by StandinServer; validates socket messages
        # token -> {"expires_at": float | None, "scope", "app_id"}
        self.access: dict[str, dict] = {
            t: {"expires_at": None, "scope": "", "app_id": DEFAULT_APP_ID} for t in access_tokens
        }
        self.refresh: dict[str, dict] = {t: {"scope": "", "app_id": DEFAULT_APP_ID} for t in refresh_tokens}
        self._clear()

    def _clear(self) -> None:
        self.requests: list[dict] = []
        self.seq = 0
        self.sessions: dict[str, dict] = {}
        self.events: list[dict] = []
        self.faults: list[dict] = []
        self.headless: dict[str, dict] = {}
        self.ws_connections: list[WsConnection] = []
        self.ws_seq = 0
        self.ws_refused: list[dict] = []
        self.ws_refuse: dict | None = None  # {"status", "count" (None: until cleared)}

    # --- recording and faults

    def record(self, entry: dict) -> dict:
        with self.lock:
            self.seq += 1
            entry["seq"] = self.seq
            self.requests.append(entry)
            return entry

    def take_fault(self, method: str, path: str) -> dict | None:
        with self.lock:
            for fault in self.faults:
                if fault["method"] not in (None, method):
                    continue
                if fault["_re"] is not None and not fault["_re"].search(path):
                    continue
                fault["count"] -= 1
                if fault["count"] == 0:
                    self.faults.remove(fault)
                return dict(fault)
        return None

    # --- tokens

    def _issue_tokens(self, scope: str, app_id: str) -> dict:
        access = "at-" + secrets.token_urlsafe(24)
        refresh = "rt-" + secrets.token_urlsafe(24)
        self.access[access] = {"expires_at": time.time() + self.token_ttl, "scope": scope, "app_id": app_id}
        self.refresh[refresh] = {"scope": scope, "app_id": app_id}
        return {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.token_ttl,
            "scope": scope,
            "refresh_token": refresh,
        }

    def check_token(self, header: str | None) -> tuple[dict | None, str]:
        if not header:
            return None, "missing Authorization header"
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None, "Authorization is not a bearer token"
        return self.check_access_token(token)

    def check_access_token(self, token: str) -> tuple[dict | None, str]:
        with self.lock:
            info = self.access.get(token)
            if info is None:
                return None, "unknown access token"
            if info["expires_at"] is not None and info["expires_at"] <= time.time():
                return None, "access token expired"
            return dict(info), ""

    # --- operations (each returns status, body, extra headers)

    def get_current_app(self, auth: dict) -> Reply:
        app = {
            "appId": auth["app_id"],
            "name": "jupyter-lmk (stand-in)",
            "iconUrl": self.base_url + "/_standin/icon.png",
            "description": "The app as seen by the local LMK stand-in.",
            "createdAt": SEEDED_AT,
            "lastUpdatedAt": SEEDED_AT,
        }
        return 200, app, {}

    def create_headless(self, body: dict) -> Reply:
        with self.lock:
            sid = str(uuid.uuid4())
            session = {
                "sessionId": sid,
                "appId": body["appId"],
                "scope": body["scope"],
                "authorizeUrl": f"{self.base_url}/_standin/headless/{sid}/authorize",
                "createdAt": now_iso(),
            }
            self.headless[sid] = {"response": session, "stage": "pending"}
            return 201, dict(session), {}

    def get_headless(self, sid: str) -> Reply:
        with self.lock:
            entry = self.headless.get(sid)
            if entry is None:
                return 404, {"message": "no such headless auth session"}, {}
            return 200, dict(entry["response"]), {}

    def headless_token(self, sid: str) -> Reply:
        with self.lock:
            entry = self.headless.get(sid)
            if entry is None:
                return 404, {"message": "no such headless auth session"}, {}
            if entry["stage"] == "pending":
                return 412, {"message": "authorization pending"}, {}
            if entry["stage"] == "retrieved":
                return 410, {"message": "token already retrieved"}, {}
            entry["stage"] = "retrieved"
            resp = entry["response"]
            return 200, self._issue_tokens(resp["scope"], resp["appId"]), {}

    def _rotate(self, refresh_token: str, app_id: str | None) -> Reply:
        info = self.refresh.get(refresh_token)
        if info is None or (app_id is not None and app_id != info["app_id"]):
            return 401, {"message": "invalid refresh token"}, {}
        # Rotation: the old refresh token is spent, as OAuth rotation prescribes.
        del self.refresh[refresh_token]
        return 201, self._issue_tokens(info["scope"], info["app_id"]), {}

    def refresh_headless(self, body: dict) -> Reply:
        with self.lock:
            return self._rotate(body["refreshToken"], body["appId"])

    def oauth_token(self, body: dict, headers: dict) -> Reply:
        if not headers.get("authorization", "").lower().startswith("basic "):
            return 401, {"message": "client credentials (HTTP Basic) required"}, {}
        with self.lock:
            if body["grant_type"] == "refresh_token":
                return self._rotate(body["refresh_token"], None)
            if not body["code"]:
                return 400, {"message": "empty authorization code"}, {}
            return 201, self._issue_tokens("event.publish event.notify channel.read session.create", DEFAULT_APP_ID), {}

    def list_channels(self) -> Reply:
        return 200, {"channels": json.loads(json.dumps(CHANNELS))}, {}

    def post_event(self, body: dict, auth: dict) -> Reply:
        config = body.get("notificationConfig") or {"notify": False}
        known = {c["notificationChannelId"]: c for c in CHANNELS}
        targets: list[dict] = []
        if config["notify"]:
            ids = config.get("channelIds") or [c["notificationChannelId"] for c in CHANNELS if c["isDefault"]]
            unknown = [i for i in ids if i not in known]
            if unknown:
                return 400, {"message": f"unknown notification channel(s): {unknown}"}, {}
            targets = [known[i] for i in ids]
        with self.lock:
            event_id = str(uuid.uuid4())
            created = now_iso()
            self.events.append(dict(json.loads(json.dumps(body)), eventId=event_id, time=time.time()))
        # The one line a person trying jupyter-lmk against the stand-in waits for.
        first = next((line.strip() for line in body["message"].splitlines() if line.strip()), "")
        print(f"standin: notification received: {first[:200]}", file=sys.stderr, flush=True)
        response = {
            "eventId": event_id,
            "userId": USER_ID,
            "actor": _actor_app(auth["app_id"]),
            "message": body["message"],
            "contentType": body.get("contentType", "text/plain"),
            "channels": [
                {
                    "notificationChannelId": c["notificationChannelId"],
                    "type": c["payload"]["type"],
                    "name": c["name"],
                    "status": "DELIVERED",
                }
                for c in targets
            ],
            "createdAt": created,
        }
        if "sessionId" in body:
            response["sessionId"] = body["sessionId"]
        return 201, response, {}

    def _session_response(self, s: dict) -> dict:
        return {
            "state": json.loads(json.dumps(s["state"])),
            "sessionId": s["sessionId"],
            "name": s["name"],
            "type": s["state"]["type"],
            "createdAt": s["createdAt"],
            "createdByActor": _actor_app(s["appId"]),
            "lastUpdatedAt": s["lastUpdatedAt"],
            "lastUpdatedByActor": _actor_app(s["appId"]),
            "endedAt": s["endedAt"],
            "endedByActor": _actor_app(s["appId"]) if s["endedAt"] else None,
        }

    def create_session(self, body: dict, auth: dict) -> Reply:
        with self.lock:
            sid = str(uuid.uuid4())
            created = now_iso()
            state = json.loads(json.dumps(body["state"]))
            s = {
                "sessionId": sid,
                "name": body["name"],
                "state": state,
                "appId": auth["app_id"],
                "createdAt": created,
                "lastUpdatedAt": created,
                "endedAt": None,
                "history": [{"time": time.time(), "op": "create", "state": json.loads(json.dumps(state))}],
            }
            self.sessions[sid] = s
            return 201, self._session_response(s), {}

    def get_session(self, sid: str) -> Reply:
        with self.lock:
            s = self.sessions.get(sid)
            if s is None:
                return 404, {"message": "no such session"}, {}
            return 200, self._session_response(s), {}

    def update_session(self, sid: str, body: dict) -> Reply:
        with self.lock:
            s = self.sessions.get(sid)
            if s is None:
                return 404, {"message": "no such session"}, {}
            if s["endedAt"]:
                return 409, {"message": "session has ended"}, {}
            partial = body.get("state")
            if partial is not None and partial.get("type", s["state"]["type"]) != s["state"]["type"]:
                return 400, {"message": f"state type {partial['type']!r} differs from the session's"}, {}
            if partial is not None:
                s["state"].update(json.loads(json.dumps(partial)))
            s["lastUpdatedAt"] = now_iso()
            s["history"].append(
                {"time": time.time(), "op": "update", "state": None if partial is None else json.loads(json.dumps(partial))}
            )
            return 200, self._session_response(s), {}

    def end_session(self, sid: str) -> Reply:
        with self.lock:
            s = self.sessions.get(sid)
            if s is None:
                return 404, {"message": "no such session"}, {}
            # Ending twice is answered like the first time (clients end at socket
            # close and again at exit); history shows every call.
            if not s["endedAt"]:
                s["endedAt"] = now_iso()
                s["lastUpdatedAt"] = s["endedAt"]
            s["history"].append({"time": time.time(), "op": "end", "state": None})
            return 201, self._session_response(s), {}

    def session_action(self, sid: str, body: dict) -> Reply:
        with self.lock:
            if sid not in self.sessions:
                return 404, {"message": "no such session"}, {}
        message = {"type": "action", "action": body["action"]}
        if "body" in body:
            message["body"] = body["body"]
        delivered = self.ws_send(sid, json.dumps({"ok": True, "message": message}))
        if not delivered:
            return 412, {"message": "no client is connected to the session"}, {}
        return 201, {"message": f"delivered to {delivered} connected client(s)"}, {}

    # --- the session WebSocket

    def ws_admit(self, token: str) -> tuple[int, str] | None:
        """Refuse an upgrade (status, reason) or admit it (None); refusals are recorded."""
        with self.lock:
            refusal = None
            if self.ws_refuse is not None:
                refusal = self.ws_refuse["status"], "refused by /_standin/ws/refuse"
                if self.ws_refuse["count"] is not None:
                    self.ws_refuse["count"] -= 1
                    if self.ws_refuse["count"] <= 0:
                        self.ws_refuse = None
        if refusal is None:
            if not token:
                refusal = 401, "missing token query parameter"
            else:
                auth, why = self.check_access_token(token)
                refusal = None if auth else (401, why)
        if refusal is not None:
            self.ws_refused_record(*refusal)
        return refusal

    def ws_refused_record(self, status: int, reason: str) -> None:
        with self.lock:
            self.ws_refused.append({"time": time.time(), "status": status, "reason": reason[:MAX_ERROR_CHARS]})

    def ws_open(self, token: str, sock: socket.socket, protocol: ServerProtocol) -> WsConnection:
        with self.lock:
            self.ws_seq += 1
            conn = WsConnection(self.ws_seq, token, sock, protocol)
            self.ws_connections.append(conn)
            return conn

    def ws_closed(self, conn: WsConnection) -> None:
        code = conn.protocol.close_code if conn.protocol.state is WsState.CLOSED else None
        if code is None:
            rcvd = conn.protocol.close_rcvd
            code = rcvd.code if rcvd is not None else 1006
        with self.lock:
            conn.closed = time.time()
            conn.close_code = int(code)

    def ws_ping(self, conn: WsConnection) -> None:
        with self.lock:
            conn.pings += 1

    def _ws_targets(self, sid: str | None) -> list[WsConnection]:
        """Open connections bound to `sid` (None: every open connection); lock held."""
        return [c for c in self.ws_connections if c.closed is None and (sid is None or c.session_id == sid)]

    def ws_send(self, sid: str, text: str) -> int:
        """Send text to the session's open connections (outside the lock); how many got it."""
        with self.lock:
            targets = self._ws_targets(sid)
        delivered = 0
        for conn in targets:
            if conn.send_text(text):
                delivered += 1
                with self.lock:
                    conn.sent.append({"time": time.time(), "text": text})
        return delivered

    def ws_message(self, conn: WsConnection, text: str, error: str | None = None) -> None:
        """Record one message from a client, and act on it (connect, or a state update)."""
        with self.lock:
            if conn.killed:
                return
            entry = {"time": time.time(), "text": text, "kind": "invalid", "error": error}
            conn.messages.append(entry)
            if error is not None:
                return
            try:
                value = json.loads(text)
            except (ValueError, RecursionError) as e:
                entry["error"] = f"not JSON: {e}"[:MAX_ERROR_CHARS]
                return
            if isinstance(value, dict) and value.get("event") == "connect":
                entry["error"] = self._ws_connect(conn, value)
                kind = "connect"
            elif conn.session_id is None:
                entry["error"] = 'message before {"event":"connect"}'
                kind = "update"
            else:
                entry["error"] = self._ws_update(conn, value)
                kind = "update"
            if entry["error"] is None:
                entry["kind"] = kind

    def _ws_connect(self, conn: WsConnection, value: dict) -> str | None:
        data = value.get("data")
        if set(value) != {"event", "data"} or not isinstance(data, dict):
            return 'connect must be {"event":"connect","data":{"sessionId":…,"readOnly":…}}'
        if set(data) != {"sessionId", "readOnly"}:
            return f"connect data must have exactly sessionId and readOnly, got {sorted(data)}"
        if not isinstance(data["sessionId"], str) or not isinstance(data["readOnly"], bool):
            return "connect data: sessionId must be a string, readOnly a boolean"
        if data["sessionId"] not in self.sessions:
            return "no such session"
        conn.session_id = data["sessionId"]
        conn.read_only = data["readOnly"]
        return None

    def validate_partial_state(self, value: Json) -> str | None:
        """A partial jupyter state where any field may be null (clear it)."""
        if not isinstance(value, dict):
            return "a state update must be a JSON object"
        unknown = sorted(set(value) - set(self.spec.ws_fields))
        if unknown:
            return f"unknown fields: {unknown}"
        for name, field in value.items():
            if field is None:
                if name in self.spec.ws_required:
                    return f"{name}: cannot be cleared ({WS_FULL_SCHEMA} requires it)"
                continue
            error = self.spec.validate_pointer(self.spec.ws_fields[name], field)
            if error is not None:
                return f"{name}: {error.split(': ', 1)[-1]}"
        return None

    def _apply_partial(self, s: dict, value: dict, op: str, **extra: Any) -> None:
        for name, field in value.items():
            if field is None:
                s["state"].pop(name, None)
            else:
                s["state"][name] = json.loads(json.dumps(field))
        s["lastUpdatedAt"] = now_iso()
        s["history"].append(dict({"time": time.time(), "op": op, "state": json.loads(json.dumps(value))}, **extra))

    def _ws_update(self, conn: WsConnection, value: Json) -> str | None:
        error = self.validate_partial_state(value)
        if error is not None:
            return error
        if conn.read_only:
            return "the connection is readOnly"
        s = self.sessions.get(conn.session_id)
        if s is None:
            return "no such session"
        if s["endedAt"]:
            return "session has ended"
        if s["state"]["type"] != "jupyter":
            return f"the session's state type is {s['state']['type']!r}, not 'jupyter'"
        self._apply_partial(s, value, "ws-update", connection=conn.id)
        return None

    def app_update(self, sid: str, body: Json) -> Reply:
        if not isinstance(body, dict) or set(body) != {"state"}:
            raise BadControlRequest('body must be {"state": {partial jupyter state}}')
        with self.lock:
            s = self.sessions.get(sid)
            if s is None:
                return 404, {"message": "no such session"}, {}
            error = self.validate_partial_state(body["state"])
            if error is not None:
                raise BadControlRequest(error)
            if s["endedAt"]:
                return 409, {"message": "session has ended"}, {}
            if s["state"]["type"] != "jupyter":
                raise BadControlRequest(f"the session's state type is {s['state']['type']!r}, not 'jupyter'")
            self._apply_partial(s, body["state"], "app-update")
            session = self._session_response(s)
        text = json.dumps({"ok": True, "message": {"type": "update", "session": session}})
        return 200, {"delivered": self.ws_send(sid, text)}, {}

    def ws_control(self, method: str, path: str, body: Json) -> Reply | None:
        """The /_standin/ws… operations and app-update; None for any other path."""
        m = re.fullmatch(r"sessions/([^/]+)/app-update", path)
        if m and method == "POST":
            return self.app_update(unquote(m.group(1)), body)
        if path == "ws" and method == "GET":
            with self.lock:
                return 200, {
                    "connections": [c.record() for c in self.ws_connections],
                    "refused": json.loads(json.dumps(self.ws_refused)),
                    "refuse": dict(self.ws_refuse) if self.ws_refuse else None,
                }, {}
        if path == "ws/refuse" and method == "DELETE":
            with self.lock:
                self.ws_refuse = None
            return 200, {}, {}
        if not (path.startswith("ws/") and method == "POST"):
            return None
        if not isinstance(body, dict):
            raise BadControlRequest("body must be a JSON object")
        sid = body.get("sessionId")
        if sid is not None and not isinstance(sid, str):
            raise BadControlRequest("sessionId must be a string")
        if path == "ws/push":
            if set(body) - {"sessionId", "message", "raw"} or sid is None or (("message" in body) == ("raw" in body)):
                raise BadControlRequest('body must be {"sessionId", "message": {…}} or {"sessionId", "raw": "text"}')
            if "raw" in body:
                if not isinstance(body["raw"], str):
                    raise BadControlRequest("raw must be a string")
                text = body["raw"]
            else:
                text = json.dumps({"ok": True, "message": body["message"]})
            return 200, {"delivered": self.ws_send(sid, text)}, {}
        if path == "ws/drop":
            if set(body) - {"sessionId", "mode", "code"}:
                raise BadControlRequest(f"unknown keys: {sorted(set(body) - {'sessionId', 'mode', 'code'})}")
            mode = body.get("mode", "abort")
            code = body.get("code", 1011)
            if mode not in ("abort", "close"):
                raise BadControlRequest('mode must be "abort" or "close"')
            if type(code) is not int:
                raise BadControlRequest("code must be an integer close code")
            try:
                WsClose(code, "").serialize()  # websockets' own check of the code
            except WsProtocolError as e:
                raise BadControlRequest(f"code: {e}") from None
            with self.lock:
                targets = self._ws_targets(sid)
            dropped = 0
            for conn in targets:
                if mode == "abort":
                    conn.abort()
                    dropped += 1
                elif conn.close(code):
                    dropped += 1
            return 200, {"dropped": dropped}, {}
        if path == "ws/refuse":
            status = body.get("status")
            count = body.get("count")
            if set(body) - {"status", "count"}:
                raise BadControlRequest(f"unknown keys: {sorted(set(body) - {'status', 'count'})}")
            if type(status) is not int or not 300 <= status <= 599:
                raise BadControlRequest("status must be an HTTP status code from 300 to 599")
            if count is not None and (type(count) is not int or count < 1):
                raise BadControlRequest("count must be a positive integer or null (until cleared)")
            with self.lock:
                self.ws_refuse = {"status": status, "count": count}
            return 200, dict(self.ws_refuse), {}
        if path == "ws/mute":
            if set(body) != {"sessionId"} or sid is None:
                raise BadControlRequest('body must be {"sessionId": "…"}')
            with self.lock:
                targets = self._ws_targets(sid)
            for conn in targets:
                with conn.io_lock:
                    conn.muted = True
            return 200, {"muted": len(targets)}, {}
        return None

    # --- control API

    def control(self, method: str, path: str, body: Json) -> Reply:
        ws = self.ws_control(method, path, body)
        if ws is not None:
            return ws
        if method == "POST" and path == "reset":
            with self.lock:
                doomed = self.ws_connections
                self._clear()
            for conn in doomed:
                conn.abort()
            return 200, {}, {}
        with self.lock:
            if method == "GET" and path == "requests":
                return 200, {"requests": json.loads(json.dumps(self.requests))}, {}
            if method == "GET" and path == "sessions":
                sessions = [
                    {
                        "sessionId": s["sessionId"],
                        "name": s["name"],
                        "state": s["state"],
                        "ended": bool(s["endedAt"]),
                        "history": s["history"],
                    }
                    for s in self.sessions.values()
                ]
                return 200, {"sessions": json.loads(json.dumps(sessions))}, {}
            if method == "GET" and path == "events":
                return 200, {"events": json.loads(json.dumps(self.events))}, {}
            if method == "GET" and path == "headless":
                listed = [dict(e["response"], stage=e["stage"]) for e in self.headless.values()]
                return 200, {"sessions": listed}, {}
            if path == "faults":
                if method == "GET":
                    return 200, {"faults": [{k: v for k, v in f.items() if k != "_re"} for f in self.faults]}, {}
                if method == "POST":
                    fault = _parse_fault(body)
                    self.faults.append(fault)
                    return 201, {k: v for k, v in fault.items() if k != "_re"}, {}
                if method == "DELETE":
                    self.faults.clear()
                    return 200, {}, {}
            m = re.fullmatch(r"headless/([^/]+)/approve", path)
            if method == "POST" and m:
                entry = self.headless.get(unquote(m.group(1)))
                if entry is None:
                    return 404, {"message": "no such headless auth session"}, {}
                if entry["stage"] == "pending":
                    entry["stage"] = "approved"
                return 200, {"stage": entry["stage"]}, {}
            if method == "POST" and path == "tokens/expire":
                if not isinstance(body, dict) or not isinstance(body.get("token"), str):
                    raise BadControlRequest('body must be {"token": "<access token>"}')
                known = body["token"] in self.access
                info = self.access.setdefault(body["token"], {"scope": "", "app_id": DEFAULT_APP_ID})
                info["expires_at"] = 0.0
                return 200, {"known": known}, {}
        return 404, {"message": f"no control operation {method} /_standin/{path}"}, {}


# --------------------------------------------------------------------------- HTTP


class _LongBody:
    """A fault's oversized response body: `size` bytes, streamed, never held in memory."""

    def __init__(self, size: int):
        self.size = size


class BodyError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "lmk-standin/1"
    server: "StandinServer"

    def do_GET(self):
        self._handle()

    def do_POST(self):
        self._handle()

    def do_PATCH(self):
        self._handle()

    def do_PUT(self):
        self._handle()

    def do_DELETE(self):
        self._handle()

    # Access lines come from _log(), which never prints queries, headers or bodies.
    def log_request(self, code="-", size="-"):
        pass

    def log_message(self, format, *args):
        # Only numbers survive: string arguments may carry a request line with a token.
        safe = tuple(a if isinstance(a, int) else "<redacted>" for a in args)
        sys.stderr.write("standin: " + (format % safe) + "\n")

    def _log(self, method: str, path: str, status: int | str, started: float) -> None:
        sys.stderr.write(f"standin: {method} {path} -> {status} ({(time.time() - started) * 1000:.1f} ms)\n")

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            total = 0
            while True:
                line = self.rfile.readline(1024)
                try:
                    size = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    raise BodyError(400, "malformed chunked body") from None
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY_BYTES:
                    raise BodyError(413, "request body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(1024)
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            n = int(length)
        except ValueError:
            raise BodyError(400, "invalid Content-Length") from None
        if n < 0:
            raise BodyError(400, "invalid Content-Length")
        if n > MAX_BODY_BYTES:
            raise BodyError(413, "request body too large")
        return self.rfile.read(n)

    def _send(self, status: int, body: Json, headers: dict[str, str] | None = None, content_type="application/json") -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        if self.close_connection:
            self.send_header("Connection", "close")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _send_long(self, status: int, size: int, headers: dict[str, str]) -> None:
        """Answers with a body of `size` bytes (until the client hangs up)."""
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(size))
            self.send_header("Connection", "close")
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            chunk = b"x" * (1 << 16)
            left = size
            while left > 0:
                n = min(left, len(chunk))
                self.wfile.write(chunk[:n])
                left -= n
        except OSError:
            pass

    def _handle(self) -> None:
        started = time.time()
        state = self.server.state
        url = urlsplit(self.path)
        path = url.path
        if path == WS_PATH and self.command == "GET":
            self._websocket(parse_qs(url.query).get("token", [""])[0], started)
            return
        try:
            raw = self._read_body()
            body_error = None
        except BodyError as e:
            raw, body_error = b"", e
            self.close_connection = True
        if path.startswith(CONTROL_PREFIX):
            self._control(path[len(CONTROL_PREFIX) :], raw, body_error)
            return
        entry = state.record(
            {
                "time": started,
                "method": self.command,
                "path": path,
                "query": parse_qs(url.query, keep_blank_values=True),
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": None,
                "raw_body": raw.decode("utf-8", errors="replace"),
                "valid": True,
                "error": None,
                "status": None,
                "response": None,
            }
        )
        try:
            status, reply, headers = self._operation(entry, path, raw, body_error)
        except Exception as e:  # a stand-in bug must not take the server down
            status, reply, headers = 500, {"message": f"stand-in error: {type(e).__name__}: {e}"}, {}
        if status == DROP:
            self.close_connection = True
            with state.lock:
                entry["error"] = entry["error"] or "dropped by fault"
            self._log(self.command, path, "dropped", started)
            return
        if status == RAW:
            self.close_connection = True
            with state.lock:
                entry["response"] = "raw reply by fault"
            self._log(self.command, path, "raw", started)
            try:
                self.wfile.write(reply.encode("utf-8", errors="replace"))
            except OSError:
                pass
            return
        if isinstance(reply, _LongBody):
            self.close_connection = True
            with state.lock:
                entry["status"] = status
                entry["response"] = f"{reply.size} bytes by fault"
            self._log(self.command, path, status, started)
            self._send_long(status, reply.size, headers)
            return
        with state.lock:
            entry["status"] = status
            entry["response"] = reply
        self._log(self.command, path, status, started)
        try:
            self._send(status, reply, headers)
        except OSError:
            self.close_connection = True

    # --- the session WebSocket (upgrades are recorded under /_standin/ws, not /_standin/requests)

    def _websocket(self, token: str, started: float) -> None:
        state = self.server.state
        self.close_connection = True  # after the socket, this connection speaks no more HTTP
        refusal = state.ws_admit(token)
        if refusal is not None:
            status, reason = refusal
            self._log("GET", WS_PATH, f"{status} (upgrade refused)", started)
            try:
                self._send(status, {"message": reason}, {"WWW-Authenticate": "Bearer"} if status == 401 else {})
            except OSError:
                pass
            return
        protocol = ServerProtocol(extensions=[ServerPerMessageDeflateFactory()], max_size=MAX_BODY_BYTES)
        # http.server has read the request off the socket: hand the protocol those bytes again
        # (its parser starts at the request line), then accept the Request it parses.
        head = "".join(f"{k}: {v}\r\n" for k, v in self.headers.items()).encode("latin-1", errors="replace")
        protocol.receive_data(self.raw_requestline + head + b"\r\n")
        requests = [e for e in protocol.events_received() if isinstance(e, WsRequest)]
        if requests:
            response = protocol.accept(requests[0])
        else:
            response = protocol.reject(400, "Failed to open a WebSocket connection: unreadable request.\n")
        if response.status_code != 101:
            why = protocol.handshake_exc or response.reason_phrase
            state.ws_refused_record(response.status_code, f"not a WebSocket handshake: {why}")
            self._log("GET", WS_PATH, f"{response.status_code} (not a WebSocket handshake)", started)
            protocol.send_response(response)
            try:
                for chunk in protocol.data_to_send():
                    self.connection.sendall(chunk)
            except OSError:
                pass
            return
        conn = state.ws_open(token, self.connection, protocol)  # listed before the client sees 101
        with conn.io_lock:
            protocol.send_response(response)
            over = conn.flush()
        self._log("GET", WS_PATH, 101, started)
        try:
            if not over:
                self._ws_read(conn)
        finally:
            conn.finished()
            state.ws_closed(conn)
            self._log("WS", WS_PATH, f"closed {conn.close_code} (connection {conn.id})", started)

    def _ws_read(self, conn: WsConnection) -> None:
        """The connection's reader: bytes in, frames out of the protocol, messages to State."""
        state = self.server.state
        protocol = conn.protocol
        parts: list[bytes] = []  # a fragmented message so far
        opcode = None
        while not conn.killed:
            try:
                data = self.rfile.read1(1 << 16)
            except Exception:  # reset, or the socket shut down under an SSL read
                data = b""
            with conn.io_lock:
                if conn.muted:
                    # Muted: the bytes stay unprocessed (no pong, no message) until a close
                    # unmutes; reading on only notices the client hanging up (then 1006).
                    if data:
                        conn.held.append(data)
                        continue
                    conn.held.clear()
                if conn.held:
                    data = b"".join(conn.held) + data
                    conn.held.clear()
                if data:
                    protocol.receive_data(data)
                else:
                    protocol.receive_eof()
                frames = protocol.events_received()
                over = conn.flush()  # pongs, the close reply, or a close for a protocol error
            for frame in frames:
                if frame.opcode is Opcode.PING:
                    state.ws_ping(conn)
                    continue
                if frame.opcode in (Opcode.TEXT, Opcode.BINARY):
                    opcode, parts = frame.opcode, [frame.data]
                elif frame.opcode is Opcode.CONT:
                    parts.append(frame.data)
                else:
                    continue
                if not frame.fin:
                    continue
                payload = b"".join(parts)
                parts = []
                if opcode is Opcode.BINARY:
                    state.ws_message(conn, payload.decode("utf-8", errors="replace"),
                                     f"binary frame ({len(payload)} bytes): messages are JSON text")
                    continue
                try:
                    text, error = payload.decode("utf-8"), None
                except UnicodeDecodeError:
                    text, error = payload.decode("utf-8", errors="replace"), "text frame is not UTF-8"
                state.ws_message(conn, text, error)
            if not data or over:
                return

    def _operation(self, entry: dict, path: str, raw: bytes, body_error: BodyError | None) -> Reply:
        state = self.server.state
        spec = self.server.spec
        matched = spec.match(self.command, path)
        op, params = matched if matched else (None, {})
        body, error = self._parse_and_validate(op, raw, body_error)
        with state.lock:
            entry["body"] = body
            entry["valid"] = error is None
            entry["error"] = error

        fault = state.take_fault(self.command, path)
        if fault:
            if fault["delayMs"]:
                time.sleep(fault["delayMs"] / 1000)
            if fault["drop"]:
                return DROP, None, {}
            if fault["raw"] is not None:
                return RAW, fault["raw"], {}
            if fault["status"] is not None:
                headers = {"Retry-After": fault["retryAfter"]} if fault["retryAfter"] is not None else {}
                headers.update(fault["headers"])
                if fault["bodyBytes"] is not None:
                    return fault["status"], _LongBody(fault["bodyBytes"]), headers
                return fault["status"], {"message": "fault injected by the stand-in"}, headers

        if body_error is not None:
            return body_error.status, {"message": str(body_error)}, {}
        if op is None:
            return 404, {"message": f"no operation {self.command} {path}"}, {}
        auth = None
        if op.needs_auth:
            auth, why = state.check_token(self.headers.get("Authorization"))
            if auth is None:
                return 401, {"message": why}, {"WWW-Authenticate": "Bearer"}
        if error is not None:
            return 400, {"message": error}, {}
        return self._dispatch(op.operation_id, params, body, auth)

    def _parse_and_validate(self, op: Operation | None, raw: bytes, body_error: BodyError | None) -> tuple[Json, str | None]:
        if body_error is not None:
            return None, str(body_error)
        body = None
        if raw.strip():
            try:
                body = json.loads(raw)
            except (ValueError, RecursionError) as e:
                return None, f"body is not JSON: {e}"[:MAX_ERROR_CHARS]
        if op is None:
            return body, "no such operation"
        if op.body_pointer is None:
            return body, None
        if body is None:
            return None, "request body required" if op.body_required else None
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type != "application/json":
            return body, f"Content-Type must be application/json, got {content_type or 'none'!r}"
        return body, self.server.spec.validate_pointer(op.body_pointer, body)

    def _dispatch(self, operation_id: str, params: dict, body: Json, auth: dict | None) -> Reply:
        s = self.server.state
        sid = params.get("sessionId", "")
        handlers: dict[str, Callable[[], Reply]] = {
            "getCurrentApp": lambda: s.get_current_app(auth),
            "createHeadlessAuthSession": lambda: s.create_headless(body),
            "getHeadlessAuthSession": lambda: s.get_headless(sid),
            "retrieveHeadlessAuthSessionToken": lambda: s.headless_token(sid),
            "refreshHeadlessAuthToken": lambda: s.refresh_headless(body),
            "token": lambda: s.oauth_token(body, {k.lower(): v for k, v in self.headers.items()}),
            "listNotificationChannels": s.list_channels,
            "postEvent": lambda: s.post_event(body, auth),
            "createSession": lambda: s.create_session(body, auth),
            "getSession": lambda: s.get_session(sid),
            "updateSession": lambda: s.update_session(sid, body),
            "endSession": lambda: s.end_session(sid),
            "sessionAction": lambda: s.session_action(sid, body),
        }
        handler = handlers.get(operation_id)
        if handler is None:
            return 501, {"message": f"operation {operation_id} is not served by the stand-in"}, {}
        return handler()

    def _control(self, path: str, raw: bytes, body_error: BodyError | None) -> None:
        if path.startswith("headless/") and path.endswith("/authorize") and self.command == "GET":
            self._send(200, authorize_page(path[len("headless/"):-len("/authorize")]), content_type="text/html")
            return
        form = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if form == "application/x-www-form-urlencoded" and self.command == "POST":
            # The authorize page's Approve button: answer the browser with a page, not JSON.
            status, reply, _ = self.server.state.control("POST", path, None)
            words = "Approved: go back to the terminal." if status == 200 else html.escape(str(reply))
            self._send(status, f"<!doctype html><title>LMK stand-in</title><p>{words}</p>".encode(),
                       content_type="text/html")
            return
        try:
            if body_error is not None:
                raise BadControlRequest(str(body_error))
            body = json.loads(raw) if raw.strip() else None
            status, reply, headers = self.server.state.control(self.command, path, body)
        except (BadControlRequest, ValueError, RecursionError) as e:
            status, reply, headers = 400, {"message": str(e)}, {}
        try:
            self._send(status, reply, headers)
        except OSError:
            self.close_connection = True


def authorize_page(session_id: str) -> bytes:
    """What LMK's authorize URL shows, reduced to its one button: a form POST to the control
    API's approve endpoint (the same call tests make)."""
    action = html.escape(f"/_standin/headless/{quote(unquote(session_id), safe='')}/approve")
    return (
        "<!doctype html><html><head><meta charset=utf-8><title>LMK stand-in: approve</title></head>"
        "<body><h1>LMK stand-in</h1><p>jupyter-lmk asks to notify you (a local stand-in for LMK:"
        " nothing leaves this machine).</p>"
        f'<form method="post" action="{action}"><button type="submit">Approve</button></form>'
        "</body></html>"
    ).encode()


class StandinServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the default 5 drops connects under a burst of clients

    def __init__(self, port: int, spec: Spec, state: State):
        self.spec = spec
        self.state = state
        state.spec = spec
        super().__init__(("127.0.0.1", port), Handler)
        state.base_url = f"http://127.0.0.1:{self.server_address[1]}"


def write_port_file(path: Path, port: int) -> None:
    """Atomically publish the port: readers see either no file or the whole number."""
    fd, tmp = tempfile.mkstemp(prefix=".port-", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(f"{port}\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def default_spec_path() -> Path:
    return Path(__file__).resolve().parent.parent / "Sources" / "LMKClient" / "openapi.yaml"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Local stand-in for the LMK API: for tests, and to try jupyter-lmk without an account.")
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--port-file", type=Path, help="write the bound port here (atomically) once listening")
    parser.add_argument("--token-ttl", type=float, default=3600, help="expires_in of issued access tokens, seconds")
    parser.add_argument("--spec", type=Path, default=default_spec_path(), help="the OpenAPI document to serve")
    parser.add_argument("--tls-cert", type=Path, help="serve HTTPS with this PEM certificate (needs --tls-key)")
    parser.add_argument("--tls-key", type=Path, help="the PEM private key of --tls-cert")
    args = parser.parse_args(argv)

    try:
        spec = Spec(args.spec)
    except (OSError, yaml.YAMLError, KeyError) as e:
        print(f"standin: cannot load the OpenAPI document {args.spec}: {e}", file=sys.stderr)
        return 1
    def seeded(variable: str) -> list[str]:
        return [t for t in os.environ.get(variable, "").split(",") if t]

    state = State(args.token_ttl, seeded("LMK_STANDIN_ACCESS_TOKENS"), seeded("LMK_STANDIN_REFRESH_TOKENS"))
    try:
        server = StandinServer(args.port, spec, state)
    except OSError as e:
        print(f"standin: cannot listen on 127.0.0.1:{args.port}: {e}", file=sys.stderr)
        return 1

    if args.tls_cert:
        import ssl

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, name="standin-http", daemon=True)
    thread.start()
    port = server.server_address[1]
    try:
        if args.port_file:
            write_port_file(args.port_file, port)
    except OSError as e:
        print(f"standin: cannot write the port file {args.port_file}: {e}", file=sys.stderr)
        server.shutdown()
        server.server_close()
        return 1
    scheme = "https" if args.tls_cert else "http"
    print(f"standin: listening on {scheme}://127.0.0.1:{port} ({len(spec.operations)} operations)", file=sys.stderr)
    print(f"standin: to use it, LMK_SERVER_URL={scheme}://127.0.0.1:{port} jupyter lmk login", file=sys.stderr,
          flush=True)
    while not stop.wait(0.5):
        if not thread.is_alive():
            break
    server.shutdown()
    server.server_close()
    if args.port_file:
        try:
            args.port_file.unlink()
        except OSError:
            pass
    print("standin: stopped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
