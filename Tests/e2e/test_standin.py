"""The LMK stand-in honours its contract: real HTTP on loopback, checked against the
OpenAPI document the Swift client is generated from."""

from __future__ import annotations

import http.client
import importlib.util
import json
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect as ws_connect

from standin import Standin, StandinError

APP_ID = "10000000-0000-0000-0000-000000000000"
JUPYTER_STATE = {
    "type": "jupyter",
    "url": "http://localhost:8888/lab",
    "notebookName": "train.ipynb",
    "shellState": "idle",
    "executionNum": 0,
    "notifyOn": "stop",
    "notifyChannel": "ch-email",
}


@pytest.fixture(scope="module")
def spec(repo_root: Path):
    """The stand-in's own view of Sources/LMKClient/openapi.yaml, for response checks."""
    path = repo_root / "tools" / "lmk_standin.py"
    module_spec = importlib.util.spec_from_file_location("lmk_standin", path)
    module = importlib.util.module_from_spec(module_spec)
    sys.modules["lmk_standin"] = module
    module_spec.loader.exec_module(module)
    return module.Spec(repo_root / "Sources" / "LMKClient" / "openapi.yaml")


class Api:
    """Plain urllib calls to the stand-in; every documented JSON response is checked
    against the document's schema for that operation and status."""

    def __init__(self, lmk: Standin, spec):
        self.lmk = lmk
        self.spec = spec

    def call(self, method, path, body=None, token=None, headers=None, raw=None):
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        req = urllib.request.Request(self.lmk.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if token is not None:
            req.add_header("Authorization", f"Bearer {token}")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                status, resp_headers, payload = resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as e:
            status, resp_headers, payload = e.code, e.headers, e.read()
        parsed = json.loads(payload) if payload else None
        matched = self.spec.match(method, path.split("?")[0])
        if matched:
            op = matched[0]
            if op.response_pointers.get(status):
                error = self.spec.validate_response(op.operation_id, status, parsed)
                assert error is None, f"{op.operation_id} {status} response breaks the document: {error}"
        return status, resp_headers, parsed


@pytest.fixture
def api(standin, spec) -> Api:
    return Api(standin, spec)


def login(api: Api) -> dict:
    """Run the headless flow to the end and return the token response."""
    status, _, created = api.call("POST", "/v1/headlessAuth", {"appId": APP_ID, "scope": "event.publish session.create"})
    assert status == 201
    api.lmk.approve(created["sessionId"])
    status, _, tokens = api.call("GET", f"/v1/headlessAuth/{created['sessionId']}/token")
    assert status == 200
    return tokens


def create_session(api: Api, state=None) -> dict:
    status, _, session = api.call(
        "POST", "/v1/session", {"name": "train.ipynb", "state": state or JUPYTER_STATE}, token=api.lmk.token
    )
    assert status == 201, session
    return session


# --------------------------------------------------------------------------- operations


def test_every_operation_round_trips_and_conforms(api, spec):
    lmk = api.lmk
    tokens = login(api)
    token = lmk.token
    headless = lmk.headless_sessions()[0]
    status, _, fetched = api.call("GET", f"/v1/headlessAuth/{headless['sessionId']}")
    assert status == 200 and fetched["authorizeUrl"] == headless["authorizeUrl"]

    assert api.call("POST", "/v1/headlessAuth/refresh", {"appId": APP_ID, "refreshToken": tokens["refresh_token"]})[0] == 201
    status, _, oauth = api.call(
        "POST",
        "/oauth/token",
        {"grant_type": "authorization_code", "redirect_uri": "http://localhost/cb", "code": "abc", "refresh_token": ""},
        headers={"Authorization": "Basic Y2xpZW50OnNlY3JldA=="},
    )
    assert status == 201 and oauth["access_token"]

    status, _, app = api.call("GET", "/v1/app/current", token=token)
    assert (status, app["appId"]) == (200, APP_ID)

    status, _, channels = api.call("GET", "/v1/notificationChannel", token=token)
    assert status == 200
    by_id = {c["notificationChannelId"]: c for c in channels["channels"]}
    assert {k: by_id[k]["payload"]["type"] for k in by_id} == {
        "ch-email": "email",
        "ch-sms": "text-message",
        "ch-push": "web-push",
    }
    assert [k for k, c in by_id.items() if c["isDefault"]] == ["ch-email"]

    status, _, event = api.call(
        "POST",
        "/v1/event",
        {"message": "done", "contentType": "text/markdown", "notificationConfig": {"notify": True, "channelIds": ["ch-sms"]}},
        token=token,
    )
    assert status == 201
    assert [(c["notificationChannelId"], c["type"]) for c in event["channels"]] == [("ch-sms", "text-message")]

    session = create_session(api)
    sid = session["sessionId"]
    assert session["endedAt"] is None and session["endedByActor"] is None
    status, _, got = api.call("GET", f"/v1/session/{sid}", token=token)
    assert (status, got["state"]) == (200, JUPYTER_STATE)
    status, _, updated = api.call(
        "PATCH", f"/v1/session/{sid}", {"state": {"type": "jupyter", "shellState": "running"}}, token=token
    )
    assert (status, updated["state"]["shellState"]) == (200, "running")
    assert api.call("POST", f"/v1/session/{sid}/action", {"action": "interrupt"}, token=token)[0] == 412
    status, _, ended = api.call("POST", f"/v1/session/{sid}/end", token=token)
    assert status == 201 and ended["endedAt"] and ended["endedByActor"]["type"] == "APP"

    recorded = lmk.requests()
    assert all(r["valid"] and r["error"] is None for r in recorded), recorded
    exercised = {spec.match(r["method"], r["path"])[0].operation_id for r in recorded}
    assert exercised == {op.operation_id for op in spec.operations}
    assert len(exercised) == 13


def test_response_check_catches_a_missing_required_field(spec):
    # The round-trip test relies on this check failing for non-conforming JSON.
    actor = {"type": "APP", "actorId": "a", "name": "n"}
    session = {
        "state": {"type": "jupyter", "notifyOn": "stop"},
        "sessionId": "s",
        "name": "n",
        "type": "jupyter",
        "createdAt": "t",
        "createdByActor": actor,
        "lastUpdatedAt": "t",
        "lastUpdatedByActor": actor,
        "endedAt": None,
        "endedByActor": None,
    }
    assert spec.validate_response("getSession", 200, session) is None
    missing = {k: v for k, v in session.items() if k != "endedByActor"}
    assert "endedByActor" in spec.validate_response("getSession", 200, missing)
    assert spec.validate_response("getSession", 200, dict(session, endedByActor=5)) is not None
    assert spec.validate_response("getSession", 200, dict(session, state={"type": "other"})) is not None


# --------------------------------------------------------------------------- validation

INVALID_BODIES = [
    ("POST", "/v1/session", {"name": "n", "state": {"type": "kernel", "notifyOn": "stop"}}, "state"),
    ("POST", "/v1/session", {"state": JUPYTER_STATE}, "name"),
    ("POST", "/v1/session", {"name": "n", "state": {"type": "jupyter"}}, "notifyOn"),
    ("POST", "/v1/session", {"name": "n", "state": dict(JUPYTER_STATE, executionNum="3")}, "executionNum"),
    ("POST", "/v1/event", {"contentType": "text/plain"}, "message"),
    ("POST", "/v1/event", {"message": "m", "contentType": "text/html"}, "contentType"),
    ("POST", "/v1/event", {"message": "m", "notificationConfig": {"channelIds": ["ch-email"]}}, "notify"),
    # A partial state without "type" matches all three Partial*State schemas, so oneOf
    # rejects it: PATCH bodies must say "type": "jupyter".
    ("PATCH", "/v1/session/{sid}", {"state": {"notifyOn": "error"}}, "state"),
    ("PATCH", "/v1/session/{sid}", {"state": {"type": "jupyter", "cellFinishedAt": None}}, "state"),
    ("POST", "/v1/session/{sid}/action", {}, "action"),
    ("POST", "/v1/headlessAuth", {"appId": APP_ID}, "scope"),
    ("POST", "/v1/headlessAuth/refresh", {"appId": APP_ID}, "refreshToken"),
    ("POST", "/oauth/token", {"grant_type": "password", "redirect_uri": "", "code": "", "refresh_token": ""}, "grant_type"),
]


@pytest.mark.parametrize("method,path,body,mentions", INVALID_BODIES)
def test_invalid_body_is_rejected_and_recorded(api, method, path, body, mentions):
    sid = create_session(api)["sessionId"]
    path = path.format(sid=sid)
    status, _, reply = api.call(
        method, path, body, token=api.lmk.token, headers={"Authorization": "Basic eDp5"} if path == "/oauth/token" else None
    )
    assert status == 400
    assert mentions in reply["message"]
    last = api.lmk.requests()[-1]
    assert (last["path"], last["valid"], last["status"], last["body"]) == (path, False, 400, body)
    assert mentions in last["error"]
    # Nothing was stored from the rejected request.
    assert api.lmk.events() == []
    assert [s["history"][-1]["op"] for s in api.lmk.sessions()] == ["create"]


@pytest.mark.parametrize(
    "raw,content_type,mentions",
    [
        (b"{not json", "application/json", "not JSON"),
        (b"", "application/json", "required"),
        (b'{"message": "m"}', "text/plain", "Content-Type"),
        (b"\xff\xfe", "application/json", "not JSON"),
        (b"[" * 100000, "application/json", "not JSON"),
    ],
)
def test_malformed_body_is_rejected_and_recorded(api, raw, content_type, mentions):
    status, _, reply = api.call(
        "POST", "/v1/event", raw=raw, token=api.lmk.token, headers={"Content-Type": content_type}
    )
    assert status == 400 and mentions in reply["message"]
    last = api.lmk.requests()[-1]
    assert last["valid"] is False and mentions in last["error"] and last["status"] == 400


def test_unknown_path_and_method_are_404_and_recorded(api):
    assert api.call("GET", "/v1/nothing", token=api.lmk.token)[0] == 404
    assert api.call("DELETE", "/v1/event", token=api.lmk.token)[0] == 404
    assert api.call("GET", "/v2/stream?token=secret")[0] == 404
    recorded = api.lmk.requests()
    assert [(r["status"], r["valid"]) for r in recorded] == [(404, False)] * 3
    assert recorded[2]["query"] == {"token": ["secret"]}
    assert "secret" not in api.lmk.log()


def test_garbage_on_the_wire_does_not_take_the_server_down(api):
    with socket.create_connection(("127.0.0.1", api.lmk.port), timeout=5) as s:
        s.sendall(b"POST /v1/event HTTP/1.1\r\nHost: x\r\nContent-Length: banana\r\n\r\n")
        assert b" 400 " in s.recv(4096).split(b"\r\n")[0] + b" "
    with socket.create_connection(("127.0.0.1", api.lmk.port), timeout=5) as s:
        s.sendall(b"\x00\x01garbage\r\n\r\n")
        s.recv(4096)
    assert api.call("GET", "/v1/notificationChannel", token=api.lmk.token)[0] == 200


def test_chunked_body_is_read(api):
    body = json.dumps({"message": "chunked"}).encode()
    request = (
        b"POST /v1/event HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"Authorization: Bearer {api.lmk.token}\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
        + f"{len(body[:5]):x}\r\n".encode() + body[:5] + b"\r\n"
        + f"{len(body[5:]):x}\r\n".encode() + body[5:] + b"\r\n0\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", api.lmk.port), timeout=5) as s:
        s.sendall(request)
        assert s.recv(4096).startswith(b"HTTP/1.1 201 ")
    assert [e["message"] for e in api.lmk.events()] == ["chunked"]


# --------------------------------------------------------------------------- auth

AUTH_OPERATIONS = [
    ("GET", "/v1/app/current", None),
    ("GET", "/v1/notificationChannel", None),
    ("POST", "/v1/event", {"message": "m"}),
    ("POST", "/v1/session", {"name": "n", "state": JUPYTER_STATE}),
    ("GET", "/v1/session/{sid}", None),
    ("PATCH", "/v1/session/{sid}", {"state": {"type": "jupyter"}}),
    ("POST", "/v1/session/{sid}/end", None),
    ("POST", "/v1/session/{sid}/action", {"action": "interrupt"}),
]


@pytest.mark.parametrize("method,path,body", AUTH_OPERATIONS)
def test_bearer_auth_is_required(api, method, path, body):
    sid = create_session(api)["sessionId"]
    path = path.format(sid=sid)
    expired = login(api)["access_token"]
    api.lmk.expire(expired)
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": f"Bearer {expired}"}, {"Authorization": "Basic eDp5"}):
        status, resp_headers, reply = api.call(method, path, body, headers=headers)
        assert status == 401, (headers, reply)
        assert resp_headers["WWW-Authenticate"] == "Bearer"
    assert api.lmk.sessions()[0]["history"][-1]["op"] == "create"
    assert api.call(method, path, body, token=api.lmk.token)[0] in (200, 201, 412)


def test_issued_token_expires_after_ttl(python_exe, repo_root, spec):
    with Standin().start(python_exe, repo_root, ["--token-ttl", "1"]) as lmk:
        api = Api(lmk, spec)
        tokens = login(api)
        assert tokens["expires_in"] == 1
        assert api.call("GET", "/v1/app/current", token=tokens["access_token"])[0] == 200
        lmk.wait_for(
            lambda s: api.call("GET", "/v1/app/current", token=tokens["access_token"])[0] == 401,
            timeout=5,
            what="the issued token to expire",
        )
        assert lmk.requests()[-1]["response"] == {"message": "access token expired"}


# --------------------------------------------------------------------------- headless auth


def test_headless_flow_pending_then_tokens_then_gone(api):
    status, _, created = api.call("POST", "/v1/headlessAuth", {"appId": APP_ID, "scope": "event.publish channel.read"})
    assert status == 201
    sid = created["sessionId"]
    assert created["authorizeUrl"].startswith(api.lmk.url + "/")
    assert api.call("GET", f"/v1/headlessAuth/{sid}")[2]["scope"] == "event.publish channel.read"
    assert [s["stage"] for s in api.lmk.headless_sessions()] == ["pending"]

    assert api.call("GET", f"/v1/headlessAuth/{sid}/token")[0] == 412
    assert api.call("GET", f"/v1/headlessAuth/{sid}/token")[0] == 412
    api.lmk.approve(sid)
    status, _, tokens = api.call("GET", f"/v1/headlessAuth/{sid}/token")
    assert status == 200
    assert tokens["token_type"] == "Bearer" and tokens["scope"] == "event.publish channel.read"
    assert tokens["expires_in"] == 3600 and tokens["refresh_token"]
    assert api.call("GET", f"/v1/headlessAuth/{sid}/token")[0] == 410
    assert api.call("GET", "/v1/app/current", token=tokens["access_token"])[0] == 200

    assert api.call("GET", "/v1/headlessAuth/unknown/token")[0] == 404
    assert api.call("GET", "/v1/headlessAuth/unknown")[0] == 404
    with pytest.raises(StandinError, match="404"):
        api.lmk.approve("unknown")


def test_refresh_rotates_and_spends_the_old_refresh_token(api):
    tokens = login(api)
    status, _, fresh = api.call("POST", "/v1/headlessAuth/refresh", {"appId": APP_ID, "refreshToken": tokens["refresh_token"]})
    assert status == 201
    assert fresh["access_token"] != tokens["access_token"]
    assert fresh["refresh_token"] not in (None, tokens["refresh_token"])
    assert api.call("GET", "/v1/app/current", token=fresh["access_token"])[0] == 200
    # The old refresh token is spent; unknown ones and a foreign app id fail too.
    again = {"appId": APP_ID, "refreshToken": tokens["refresh_token"]}
    assert api.call("POST", "/v1/headlessAuth/refresh", again)[0] == 401
    assert api.call("POST", "/v1/headlessAuth/refresh", {"appId": APP_ID, "refreshToken": "rt-unknown"})[0] == 401
    foreign = {"appId": "other-app", "refreshToken": fresh["refresh_token"]}
    assert api.call("POST", "/v1/headlessAuth/refresh", foreign)[0] == 401
    assert api.call("POST", "/v1/headlessAuth/refresh", {"appId": APP_ID, "refreshToken": fresh["refresh_token"]})[0] == 201


def test_preseeded_refresh_token_and_oauth_refresh_grant(python_exe, repo_root, spec):
    with Standin().start(python_exe, repo_root, refresh_tokens=["rt-seeded"]) as lmk:
        api = Api(lmk, spec)
        body = {"grant_type": "refresh_token", "redirect_uri": "", "code": "", "refresh_token": "rt-seeded"}
        assert api.call("POST", "/oauth/token", body)[0] == 401  # no client credentials
        status, _, tokens = api.call("POST", "/oauth/token", body, headers={"Authorization": "Basic eDp5"})
        assert status == 201
        assert api.call("GET", "/v1/notificationChannel", token=tokens["access_token"])[0] == 200
        assert api.call("POST", "/oauth/token", body, headers={"Authorization": "Basic eDp5"})[0] == 401


# --------------------------------------------------------------------------- sessions and events


def test_session_updates_merge_and_are_recorded(api):
    token = api.lmk.token
    sid = create_session(api)["sessionId"]
    first = {"type": "jupyter", "shellState": "running", "cellText": "train()", "executionNum": 4}
    assert api.call("PATCH", f"/v1/session/{sid}", {"state": first}, token=token)[0] == 200
    assert api.call("PATCH", f"/v1/session/{sid}", {}, token=token)[0] == 200
    status, _, session = api.call(
        "PATCH", f"/v1/session/{sid}", {"state": {"type": "jupyter", "cellState": "success"}}, token=token
    )
    assert status == 200
    expected = dict(JUPYTER_STATE, shellState="running", cellText="train()", executionNum=4, cellState="success")
    assert session["state"] == expected
    assert api.call("GET", f"/v1/session/{sid}", token=token)[2]["state"] == expected

    (recorded,) = api.lmk.sessions()
    assert (recorded["sessionId"], recorded["name"], recorded["state"], recorded["ended"]) == (
        sid,
        "train.ipynb",
        expected,
        False,
    )
    assert [(h["op"], h["state"]) for h in recorded["history"]] == [
        ("create", JUPYTER_STATE),
        ("update", first),
        ("update", None),
        ("update", {"type": "jupyter", "cellState": "success"}),
    ]
    times = [h["time"] for h in recorded["history"]]
    assert times == sorted(times) and abs(times[0] - time.time()) < 60

    mismatch = {"state": {"type": "process", "exitCode": 0}}
    assert api.call("PATCH", f"/v1/session/{sid}", mismatch, token=token)[0] == 400


def test_ended_session_refuses_updates(api):
    token = api.lmk.token
    sid = create_session(api)["sessionId"]
    status, _, ended = api.call("POST", f"/v1/session/{sid}/end", token=token)
    assert status == 201
    status, _, again = api.call("POST", f"/v1/session/{sid}/end", token=token)
    assert status == 201 and again["endedAt"] == ended["endedAt"]
    assert api.call("PATCH", f"/v1/session/{sid}", {"state": {"type": "jupyter", "shellState": "idle"}}, token=token)[0] == 409
    assert api.call("GET", f"/v1/session/{sid}", token=token)[2]["endedAt"] == ended["endedAt"]
    (recorded,) = api.lmk.sessions()
    assert recorded["ended"] is True
    assert [h["op"] for h in recorded["history"]] == ["create", "end", "end"]


def test_unknown_session_is_404(api):
    token = api.lmk.token
    assert api.call("GET", "/v1/session/nope", token=token)[0] == 404
    assert api.call("PATCH", "/v1/session/nope", {"state": {"type": "jupyter"}}, token=token)[0] == 404
    assert api.call("POST", "/v1/session/nope/end", token=token)[0] == 404
    assert api.call("POST", "/v1/session/nope/action", {"action": "interrupt"}, token=token)[0] == 404


def test_session_action_has_no_connected_client(api):
    sid = create_session(api)["sessionId"]
    status, _, reply = api.call("POST", f"/v1/session/{sid}/action", {"action": "interrupt"}, token=api.lmk.token)
    assert status == 412 and "no client" in reply["message"]


def test_other_session_types_round_trip(api):
    process = {"type": "process", "hostname": "h", "command": "make", "pid": 42, "notifyOn": "stop"}
    assert create_session(api, process)["type"] == "process"
    assert create_session(api, {"type": "none"})["type"] == "none"


def test_events_are_recorded_with_ids_and_times(api):
    token = api.lmk.token
    before = time.time()
    plain = {"message": "hello"}
    status, _, first = api.call("POST", "/v1/event", plain, token=token)
    assert status == 201 and first["contentType"] == "text/plain" and first["channels"] == []
    notify = {"message": "**done**", "contentType": "text/markdown", "notificationConfig": {"notify": True}}
    status, _, second = api.call("POST", "/v1/event", notify, token=token)
    assert [c["notificationChannelId"] for c in second["channels"]] == ["ch-email"]
    bogus = {"message": "x", "notificationConfig": {"notify": True, "channelIds": ["ch-nope"]}}
    assert api.call("POST", "/v1/event", bogus, token=token)[0] == 400

    events = api.lmk.events()
    assert [{k: v for k, v in e.items() if k not in ("eventId", "time")} for e in events] == [plain, notify]
    assert [e["eventId"] for e in events] == [first["eventId"], second["eventId"]]
    assert all(before <= e["time"] <= time.time() for e in events)


def test_requests_are_recorded_in_order_without_control_calls(api):
    token = api.lmk.token
    before = time.time()
    api.call("GET", "/v1/notificationChannel", token=token)
    api.lmk.events()
    api.call("POST", "/v1/event?x=1", {"message": "m"}, token=token)
    first, second = api.lmk.requests()
    assert (first["seq"], first["method"], first["path"], first["status"]) == (1, "GET", "/v1/notificationChannel", 200)
    assert (second["seq"], second["path"], second["query"]) == (2, "/v1/event", {"x": ["1"]})
    assert second["headers"]["authorization"] == f"Bearer {token}"
    assert second["body"] == {"message": "m"} and json.loads(second["raw_body"]) == {"message": "m"}
    assert before <= first["time"] <= second["time"] <= time.time()


def test_concurrent_requests_are_all_recorded(api):
    statuses: list = []

    def post(i):
        try:
            statuses.append(api.call("POST", "/v1/event", {"message": f"m{i}"}, token=api.lmk.token)[0])
        except Exception as e:  # reported below, in the test's own thread
            statuses.append(e)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [201] * 24
    assert sorted(e["message"] for e in api.lmk.events()) == sorted(f"m{i}" for i in range(24))
    assert [r["seq"] for r in api.lmk.requests()] == list(range(1, 25))


# --------------------------------------------------------------------------- faults


def test_fault_status_with_retry_after_then_count_exhausts(api):
    api.lmk.fault(method="POST", path="^/v1/event$", status=503, retryAfter=2, count=2)
    body = {"message": "m"}
    for _ in range(2):
        status, headers, reply = api.call("POST", "/v1/event", body, token=api.lmk.token)
        assert (status, headers["Retry-After"]) == (503, "2")
    # Other routes and methods were never affected; the third event goes through.
    assert api.call("GET", "/v1/notificationChannel", token=api.lmk.token)[0] == 200
    status, headers, _ = api.call("POST", "/v1/event", body, token=api.lmk.token)
    assert status == 201 and headers["Retry-After"] is None
    assert api.lmk.faults() == []
    assert [r["status"] for r in api.lmk.requests()] == [503, 503, 200, 201]
    # The faulted requests were still validated and recorded as valid bodies.
    assert all(r["valid"] for r in api.lmk.requests())
    assert len(api.lmk.events()) == 1


def test_fault_status_without_retry_after(api):
    api.lmk.fault(path="session", status=429)
    status, headers, _ = api.call("POST", "/v1/session", {"name": "n", "state": JUPYTER_STATE}, token=api.lmk.token)
    assert status == 429 and headers["Retry-After"] is None
    assert api.lmk.sessions() == []


def test_fault_delay_then_normal_answer(api):
    api.lmk.fault(path="/v1/event", delayMs=400)
    started = time.monotonic()
    status, _, _ = api.call("POST", "/v1/event", {"message": "slow"}, token=api.lmk.token)
    elapsed = time.monotonic() - started
    assert status == 201 and elapsed >= 0.4
    started = time.monotonic()
    assert api.call("POST", "/v1/event", {"message": "fast"}, token=api.lmk.token)[0] == 201
    assert time.monotonic() - started < 0.4


def test_fault_drop_closes_without_answer(api):
    api.lmk.fault(method="POST", path="/v1/event", drop=True)
    with pytest.raises((http.client.RemoteDisconnected, urllib.error.URLError, ConnectionError)):
        api.call("POST", "/v1/event", {"message": "lost"}, token=api.lmk.token)
    (dropped,) = api.lmk.requests()
    assert (dropped["status"], dropped["error"], dropped["body"]) == (None, "dropped by fault", {"message": "lost"})
    assert api.lmk.events() == []
    assert api.call("POST", "/v1/event", {"message": "kept"}, token=api.lmk.token)[0] == 201


def test_clear_faults_and_bad_fault_specs(api):
    api.lmk.fault(status=500, count=5)
    assert len(api.lmk.faults()) == 1
    api.lmk.clear_faults()
    assert api.call("GET", "/v1/notificationChannel", token=api.lmk.token)[0] == 200
    for bad in ({"status": 503, "retry_after": 1}, {"path": "("}, {"status": 42}, {"count": 0, "status": 500}, {}):
        with pytest.raises(StandinError, match="400"):
            api.lmk.fault(**bad)


# --------------------------------------------------------------------------- control


def test_reset_clears_everything_but_tokens(api):
    token = api.lmk.token
    create_session(api)
    api.call("POST", "/v1/event", {"message": "m"}, token=token)
    api.lmk.fault(status=503, count=3)
    api.lmk.reset()
    assert (api.lmk.requests(), api.lmk.sessions(), api.lmk.events(), api.lmk.faults()) == ([], [], [], [])
    assert api.call("GET", "/v1/app/current", token=token)[0] == 200
    assert api.lmk.requests()[0]["seq"] == 1


def test_expire_preseeded_token(api):
    api.lmk.expire(api.lmk.token)
    status, _, reply = api.call("GET", "/v1/app/current", token=api.lmk.token)
    assert status == 401 and reply["message"] == "access token expired"


def test_authorize_page_is_served_but_does_not_approve(api):
    _, _, created = api.call("POST", "/v1/headlessAuth", {"appId": APP_ID, "scope": "event.publish"})
    with urllib.request.urlopen(created["authorizeUrl"], timeout=10) as resp:
        assert resp.status == 200
        page = resp.read().decode()
    assert f'action="/_standin/headless/{created["sessionId"]}/approve"' in page and ">Approve<" in page
    assert api.call("GET", f"/v1/headlessAuth/{created['sessionId']}/token")[0] == 412


def test_the_approve_button_approves_and_answers_with_a_page(api):
    """What a browser sends when the Approve button is pressed: an empty form POST."""
    _, _, created = api.call("POST", "/v1/headlessAuth", {"appId": APP_ID, "scope": "event.publish"})
    request = urllib.request.Request(f"{api.lmk.url}/_standin/headless/{created['sessionId']}/approve",
                                     data=b"", method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert resp.status == 200 and resp.headers["Content-Type"].startswith("text/html")
        assert "Approved" in resp.read().decode()
    assert api.call("GET", f"/v1/headlessAuth/{created['sessionId']}/token")[0] == 200


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_cleanly_and_removes_the_port_file(python_exe, repo_root, sig):
    lmk = Standin().start(python_exe, repo_root)
    try:
        port_file = lmk.port_file
        assert port_file.read_text().strip() == str(lmk.port)
        lmk.process.send_signal(sig)
        assert lmk.process.wait(10) == 0
        assert not port_file.exists()
        assert "standin: stopped" in lmk.log()
    finally:
        lmk.stop()


def test_bad_spec_fails_fast_with_a_clear_error(python_exe, repo_root, tmp_path):
    with pytest.raises(StandinError, match="cannot load the OpenAPI document"):
        Standin().start(python_exe, repo_root, ["--spec", str(tmp_path / "missing.yaml")])


def test_missing_python_is_a_clear_error(repo_root, tmp_path):
    with pytest.raises(StandinError, match="cannot run"):
        Standin().start(tmp_path / "no-python", repo_root)


# --------------------------------------------------------------------------- the session WebSocket


def ws_open(lmk: Standin, token: str | None = None, **kw):
    """A websockets sync client on the stand-in's socket (its own keepalive off: tests ping)."""
    options = dict(ping_interval=None, open_timeout=10, close_timeout=5)
    return ws_connect(f"{lmk.ws_url}?token={token or lmk.token}", **dict(options, **kw))


def ws_refusal(lmk: Standin, url: str) -> int:
    """The HTTP status an upgrade attempt is refused with."""
    with pytest.raises(InvalidStatus) as refused:
        with ws_connect(url, ping_interval=None, open_timeout=10):
            pass
    return refused.value.response.status_code


def ws_bind(lmk: Standin, ws, sid: str, read_only: bool = False) -> dict:
    ws.send(json.dumps({"event": "connect", "data": {"sessionId": sid, "readOnly": read_only}}))
    return lmk.wait_ws_bound(sid)


def recv_json(ws) -> dict:
    return json.loads(ws.recv(timeout=10))


def test_ws_upgrade_needs_a_valid_token(api):
    lmk = api.lmk
    issued = login(api)["access_token"]
    assert ws_refusal(lmk, f"{lmk.ws_url}?token=nope") == 401
    assert ws_refusal(lmk, lmk.ws_url) == 401
    with ws_open(lmk, issued) as ws:
        (conn,) = lmk.wait_ws_connections(lambda cs: len(cs) == 1)
        assert (conn["id"], conn["token"], conn["sessionId"], conn["closed"]) == (1, issued, None, None)
        assert abs(conn["opened"] - time.time()) < 60
        lmk.expire(issued)
        assert ws_refusal(lmk, f"{lmk.ws_url}?token={issued}") == 401
        # Nothing documents the service closing a socket whose token expires: it stays open.
        assert ws.ping().wait(10)
    assert [(r["status"], r["reason"]) for r in lmk.ws_refused()] == [
        (401, "unknown access token"),
        (401, "missing token query parameter"),
        (401, "access token expired"),
    ]
    (closed,) = lmk.wait_ws_connections(lambda cs: cs[0]["closed"] is not None)
    assert closed["closeCode"] == 1000 and closed["closed"] >= closed["opened"]
    # Upgrades are not recorded as HTTP API requests (their URL carries the token).
    recorded = lmk._control("GET", "requests")["requests"]
    assert recorded and all(r["path"] != "/v1/session/ws" for r in recorded)


def test_ws_plain_get_is_refused_and_recorded(api):
    conn = http.client.HTTPConnection("127.0.0.1", api.lmk.port, timeout=10)
    conn.request("GET", f"/v1/session/ws?token={api.lmk.token}")
    response = conn.getresponse()
    assert response.status == 426 and b"WebSocket" in response.read()
    conn.close()
    (refused,) = api.lmk.ws_refused()
    assert refused["status"] == 426 and "not a WebSocket handshake" in refused["reason"]
    assert api.lmk.ws_connections() == []


def test_ws_connect_binds_and_session_action_is_delivered_while_connected(api):
    lmk = api.lmk
    sid = create_session(api)["sessionId"]
    action = {"action": "interrupt"}
    assert api.call("POST", f"/v1/session/{sid}/action", action, token=lmk.token)[0] == 412
    with ws_open(lmk) as ws:
        assert ws.ping().wait(10)  # ping before connect: the protocol answers it
        lmk.wait_ws_connections(lambda cs: cs and cs[0]["pings"] == 1)
        assert api.call("POST", f"/v1/session/{sid}/action", action, token=lmk.token)[0] == 412  # not bound yet
        conn = ws_bind(lmk, ws, sid)
        assert conn["readOnly"] is False
        assert [(m["kind"], m["error"]) for m in conn["messages"]] == [("connect", None)]
        status, _, reply = api.call("POST", f"/v1/session/{sid}/action", action, token=lmk.token)
        assert status == 201, reply
        assert recv_json(ws) == {"ok": True, "message": {"type": "action", "action": "interrupt"}}
        assert [json.loads(m["text"]) for m in lmk.ws_connections()[0]["sent"]] == [
            {"ok": True, "message": {"type": "action", "action": "interrupt"}}
        ]
        # The request is still checked against the contract.
        assert api.call("POST", f"/v1/session/{sid}/action", {}, token=lmk.token)[0] == 400
        assert api.call("POST", f"/v1/session/{sid}/action", action)[0] == 401
    lmk.wait_ws_connections(lambda cs: cs[0]["closed"] is not None)
    assert api.call("POST", f"/v1/session/{sid}/action", action, token=lmk.token)[0] == 412


def test_ws_update_applies_clears_with_null_and_is_recorded(api):
    lmk = api.lmk
    sid = create_session(api, dict(JUPYTER_STATE, cellText="old()", cellError="E: x"))["sessionId"]
    update = {"shellState": "running", "executionNum": 5, "cellText": None, "cellError": None, "cellState": "running"}
    with ws_open(lmk) as ws:
        conn = ws_bind(lmk, ws, sid)
        ws.send(json.dumps(update))
        # A fragmented message is one message.
        ws.send(['{"type": "jupyter", ', '"notebookName": "b.ipynb"}'])
        messages = lmk.wait_ws_messages(lambda ms: len(ms) == 3, sid)
    assert [(m["kind"], m["error"], m["connection"]) for m in messages] == [
        ("connect", None, conn["id"]),
        ("update", None, conn["id"]),
        ("update", None, conn["id"]),
    ]
    assert json.loads(messages[1]["text"]) == update
    expected = dict(JUPYTER_STATE, shellState="running", executionNum=5, cellState="running", notebookName="b.ipynb")
    status, _, session = api.call("GET", f"/v1/session/{sid}", token=lmk.token)
    assert status == 200 and session["state"] == expected
    (recorded,) = lmk.sessions()
    assert [(h["op"], h["state"], h.get("connection")) for h in recorded["history"][1:]] == [
        ("ws-update", update, conn["id"]),
        ("ws-update", {"type": "jupyter", "notebookName": "b.ipynb"}, conn["id"]),
    ]


def test_ws_invalid_messages_are_recorded_not_applied_and_not_fatal(api):
    lmk = api.lmk
    sid = create_session(api)["sessionId"]
    with ws_open(lmk) as ws:
        ws.send(json.dumps({"shellState": "running"}))  # before connect
        ws.send(json.dumps({"event": "connect", "data": {"sessionId": "nope", "readOnly": False}}))
        ws.send(json.dumps({"event": "connect", "data": {"sessionId": sid}}))
        ws_bind(lmk, ws, sid)
        bad = [
            "not json {",
            json.dumps(["shellState", "running"]),
            json.dumps({"shellState": "running", "bogus": 1}),
            json.dumps({"executionNum": "five"}),
            json.dumps({"type": "process"}),
            json.dumps({"notifyOn": None}),
            json.dumps({"type": None}),
        ]
        for text in bad:
            ws.send(text)
        ws.send(b"\x00\x01binary")
        ws.send(b'{"cellText": "\xff"}', text=True)  # a text frame that is not UTF-8
        messages = lmk.wait_ws_messages(lambda ms: len(ms) == 13)
        assert ws.ping().wait(10)  # still alive
    kinds = [(m["kind"], m["error"]) for m in messages]
    assert kinds[3] == ("connect", None)
    invalid = [error for kind, error in kinds if kind == "invalid"]
    needles = ["before", "no such session", "readOnly", "not JSON", "object", "bogus", "executionNum", "type",
               "notifyOn: cannot be cleared", "type: cannot be cleared", "binary frame", "not UTF-8"]
    assert len(invalid) == len(needles) and all(invalid), kinds
    for needle, error in zip(needles, invalid):
        assert needle in error, (needle, error)
    assert [m["text"] for m in messages[-2:]] == ["\x00\x01binary", '{"cellText": "\ufffd"}']
    assert [m["text"] for m in messages[4:11]] == bad
    (recorded,) = lmk.sessions()
    assert recorded["state"] == JUPYTER_STATE and [h["op"] for h in recorded["history"]] == ["create"]


def test_ws_read_only_connection_and_ended_session_updates_are_invalid(api):
    lmk = api.lmk
    sid = create_session(api)["sessionId"]
    with ws_open(lmk) as ws:
        ws_bind(lmk, ws, sid, read_only=True)
        ws.send(json.dumps({"shellState": "running"}))
        lmk.wait_ws_messages(lambda ms: len(ms) == 2)
        ws.send(json.dumps({"event": "connect", "data": {"sessionId": sid, "readOnly": False}}))
        assert api.call("POST", f"/v1/session/{sid}/end", token=lmk.token)[0] == 201
        ws.send(json.dumps({"shellState": "running"}))
        messages = lmk.wait_ws_messages(lambda ms: len(ms) == 4)
    assert [(m["kind"], m["error"]) for m in messages] == [
        ("connect", None),
        ("invalid", "the connection is readOnly"),
        ("connect", None),
        ("invalid", "session has ended"),
    ]
    assert lmk.sessions()[0]["state"] == JUPYTER_STATE


def test_ws_app_update_stores_and_pushes_the_session_response(api, spec):
    lmk = api.lmk
    sid = create_session(api)["sessionId"]
    assert lmk.app_update(sid, {"notifyOn": "error"}) == 0  # stored though nobody listens
    assert api.call("GET", f"/v1/session/{sid}", token=lmk.token)[2]["state"]["notifyOn"] == "error"
    with ws_open(lmk) as ws:
        ws_bind(lmk, ws, sid)
        assert lmk.app_update(sid, {"notifyOn": "none", "notifyChannel": "ch-sms"}) == 1
        pushed = recv_json(ws)
    assert pushed["ok"] is True and pushed["message"]["type"] == "update"
    session = pushed["message"]["session"]
    assert spec.validate_response("getSession", 200, session) is None
    assert session == api.call("GET", f"/v1/session/{sid}", token=lmk.token)[2]
    assert session["state"] == dict(JUPYTER_STATE, notifyOn="none", notifyChannel="ch-sms")
    assert [(h["op"], h["state"]) for h in lmk.sessions()[0]["history"][1:]] == [
        ("app-update", {"notifyOn": "error"}),
        ("app-update", {"notifyOn": "none", "notifyChannel": "ch-sms"}),
    ]
    with pytest.raises(StandinError, match="404"):
        lmk.app_update("nope", {"notifyOn": "stop"})
    with pytest.raises(StandinError, match="400.*notifyOn"):
        lmk.app_update(sid, {"notifyOn": 3})


def test_ws_push_message_and_raw_text(api):
    lmk = api.lmk
    sid = create_session(api)["sessionId"]
    other = create_session(api)["sessionId"]
    assert lmk.ws_push(sid, {"type": "update"}) == 0
    with ws_open(lmk) as ws, ws_open(lmk) as ws2:
        ws_bind(lmk, ws, sid)
        ws_bind(lmk, ws2, other)
        assert lmk.ws_push(sid, {"type": "surprise", "n": 1}) == 1
        assert recv_json(ws) == {"ok": True, "message": {"type": "surprise", "n": 1}}
        assert lmk.ws_push(sid, raw="not json {") == 1
        assert ws.recv(timeout=10) == "not json {"
        assert lmk.ws_push(other, raw="two") == 1
        assert ws2.recv(timeout=10) == "two"
    with pytest.raises(StandinError, match="400"):
        lmk._control("POST", "ws/push", {"sessionId": sid, "message": {}, "raw": "x"})


def test_ws_drop_close_sends_the_code_and_abort_sends_no_close_frame(api):
    lmk = api.lmk
    first, second = create_session(api)["sessionId"], create_session(api)["sessionId"]
    with ws_open(lmk) as ws1, ws_open(lmk) as ws2:
        ws_bind(lmk, ws1, first)
        ws_bind(lmk, ws2, second)
        assert lmk.ws_drop(first, mode="close", code=4000) == 1
        with pytest.raises(ConnectionClosed) as closed:
            ws1.recv(timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4000
        assert ws2.ping().wait(10)  # the other session's socket is untouched
        assert lmk.ws_drop(second) == 1  # abort is the default
        with pytest.raises(ConnectionClosed) as aborted:
            ws2.recv(timeout=10)
        assert aborted.value.rcvd is None
    connections = lmk.wait_ws_connections(lambda cs: all(c["closed"] for c in cs))
    assert [c["closeCode"] for c in connections] == [4000, 1006]
    assert lmk.ws_drop() == 0
    for body in ({"mode": "explode"}, {"code": 999}, {"code": "1000"}, {"bogus": 1}):
        with pytest.raises(StandinError, match="400"):
            lmk._control("POST", "ws/drop", body)


def test_ws_refuse_with_a_count_then_until_cleared(api):
    lmk = api.lmk
    url = f"{lmk.ws_url}?token={lmk.token}"
    lmk.ws_refuse(404, count=2)
    assert [ws_refusal(lmk, url), ws_refusal(lmk, url)] == [404, 404]
    with ws_open(lmk):
        pass
    assert lmk.ws_state()["refuse"] is None
    lmk.ws_refuse(503)
    assert [ws_refusal(lmk, url) for _ in range(3)] == [503] * 3
    assert lmk.ws_state()["refuse"] == {"status": 503, "count": None}
    lmk.ws_refuse_clear()
    with ws_open(lmk):
        pass
    assert [r["status"] for r in lmk.ws_refused()] == [404, 404, 503, 503, 503]
    assert len(lmk.wait_ws_connections(lambda cs: len(cs) == 2 and all(c["closed"] for c in cs))) == 2
    with pytest.raises(StandinError, match="400"):
        lmk.ws_refuse(200)


def test_ws_mute_stops_pongs_and_processing(api):
    lmk = api.lmk
    sid = create_session(api)["sessionId"]
    # The muted server never answers the close: the client gives up after 0.5 s and hangs up.
    with ws_open(lmk, close_timeout=0.5) as ws:
        ws_bind(lmk, ws, sid)
        assert ws.ping().wait(10)
        assert lmk.ws_mute(sid) == 1
        ws.send(json.dumps({"shellState": "running"}))
        # No event can announce a pong that never comes: a bounded wait, 1 s, is the check.
        assert not ws.ping().wait(1.0)
        (conn,) = lmk.ws_connections()
        assert conn["muted"] is True and conn["pings"] == 1 and len(conn["messages"]) == 1
        # Writes still go out (the app's side of a half-dead link).
        assert lmk.ws_push(sid, raw="still") == 1
        assert ws.recv(timeout=10) == "still"
    # The client hanging up is still noticed: no close handshake was processed, so 1006.
    (conn,) = lmk.wait_ws_connections(lambda cs: cs[0]["closed"] is not None)
    assert conn["closeCode"] == 1006 and len(conn["messages"]) == 1
    assert api.call("POST", f"/v1/session/{sid}/action", {"action": "interrupt"}, token=lmk.token)[0] == 412


def test_ws_reset_aborts_sockets_and_forgets_them(api):
    lmk = api.lmk
    sid = create_session(api)["sessionId"]
    with ws_open(lmk) as ws:
        ws_bind(lmk, ws, sid)
        lmk.ws_refuse(404)
        lmk.reset()
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=10)
    assert lmk.ws_state() == {"connections": [], "refused": [], "refuse": None}
    with ws_open(lmk) as ws:
        (conn,) = lmk.wait_ws_connections(lambda cs: len(cs) == 1)
        assert conn["id"] == 1


def test_ws_over_tls(python_exe, repo_root, tmp_path, spec):
    """wss on the HTTPS port: reads and writes from different threads, and an abort, on TLS."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    token = "at-tls"
    context = ssl.create_default_context(cafile=str(cert))
    with Standin().start(python_exe, repo_root, ["--tls-cert", str(cert), "--tls-key", str(key)],
                         access_tokens=[token]) as lmk:
        lmk.url = lmk.url.replace("http://", "https://")
        lmk.token = token
        api = Api(lmk, spec)
        # The API and the control API share the socket's TLS port (urllib trusts the cert through
        # an installed opener, removed again below).
        urllib.request.install_opener(urllib.request.build_opener(urllib.request.HTTPSHandler(context=context)))
        try:
            sid = create_session(api)["sessionId"]
            with ws_open(lmk, ssl=context) as ws:
                ws_bind(lmk, ws, sid)
                assert lmk.app_update(sid, {"notifyOn": "error"}) == 1
                assert recv_json(ws)["message"]["session"]["state"]["notifyOn"] == "error"
                assert ws.ping().wait(10)
                assert lmk.ws_drop(sid) == 1
                with pytest.raises(ConnectionClosed):
                    ws.recv(timeout=10)
        finally:
            urllib.request.install_opener(None)


def test_ws_stopping_the_stand_in_with_a_socket_open_is_clean(python_exe, repo_root):
    """An "LMK goes down" test stops the process under a connected client."""
    lmk = Standin().start(python_exe, repo_root, access_tokens=["at-down"])
    try:
        lmk.token = "at-down"
        with ws_open(lmk) as ws:
            lmk.wait_ws_connections(lambda cs: len(cs) == 1)
            lmk.process.send_signal(signal.SIGTERM)
            assert lmk.process.wait(10) == 0
            with pytest.raises(ConnectionClosed):
                ws.recv(timeout=10)
        assert "standin: stopped" in lmk.log()
    finally:
        lmk.stop()
