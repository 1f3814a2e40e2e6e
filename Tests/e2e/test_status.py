"""`jupyter-lmk status`: what a user checks when nothing arrives (the three ways the token
check fails are in test_account.py)."""
from __future__ import annotations

import json
import os
import subprocess

from kernels import bridge_binary


def status(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([bridge_binary(), "status", *args], env=env, capture_output=True,
                          text=True, timeout=60)


def test_status_reports_credentials_outbox_and_settings_with_their_sources(standin, tmp_path):
    home = tmp_path / "home"
    outbox = home / ".local/share/jupyter-lmk/outbox"
    outbox.mkdir(parents=True)
    (outbox / "00000000000000000001-1-a.json").write_text(json.dumps({"message": "left over"}))
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"notifyOn": "error", "notebooks": [{"match": "*.ipynb", "minDuration": 30}]}))
    notebook = tmp_path / "train.ipynb"
    notebook.write_text(json.dumps({"cells": [], "metadata": {"lmk": {"notifyChannel": "sms"}},
                                    "nbformat": 4, "nbformat_minor": 5}))
    env = dict(os.environ, HOME=str(home), LMK_SERVER_URL=standin.url,
               LMK_ACCESS_TOKEN=standin.token, JUPYTER_LMK_CONFIG=str(config))
    result = status(env, "--notebook", str(notebook))
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert f"server       {standin.url}" in out
    assert "token        valid: app" in out
    assert "1 undelivered event(s)" in out
    assert "notifyOn       error" in out and f"from {config}" in out
    assert "minDuration    30.0 s" in out and 'notebooks[0] (match "*.ipynb")' in out
    assert "notifyChannel  sms" in out and f"from {notebook} metadata.lmk" in out
    assert standin.token not in out + result.stderr


def test_status_reports_dead_letters_pending_ends_and_the_last_delivery_error(standin, tmp_path):
    data = tmp_path / "home/.local/share/jupyter-lmk"
    (data / "outbox").mkdir(parents=True)
    (data / "dead-letter").mkdir()
    (data / "outbox/00000000000000000002-1-b.json").write_text(json.dumps({"message": "waiting"}))
    (data / "outbox/00000000000000000003-1-c.end").write_text(json.dumps({"sessionId": "s-1"}))
    for name, reason in [("00000000000000000001-1-a.json", "LMK postEvent failed: HTTP 400: old"),
                         ("00000000000000000004-1-d.json", "LMK postEvent failed: HTTP 422: bad channel")]:
        (data / "dead-letter" / name).write_text(json.dumps(
            {"reason": reason, "at": "2026-12-01T10:00:00.000Z", "event": {"message": "m"}}))
    (data / "last-delivery-error").write_text(json.dumps(
        {"at": "2026-12-01T10:05:00.000Z", "operation": "postEvent", "message": "LMK postEvent failed: HTTP 503"}))
    env = dict(os.environ, HOME=str(tmp_path / "home"), LMK_SERVER_URL=standin.url,
               LMK_ACCESS_TOKEN=standin.token)
    env.pop("XDG_DATA_HOME", None)
    result = status(env)
    out = result.stdout
    assert "1 undelivered event(s), 1 session end(s) to send" in out, out
    assert "2 event(s) LMK rejected; newest 2026-12-01T10:00:00.000Z: LMK postEvent failed: HTTP 422: bad channel" in out
    assert "last error   2026-12-01T10:05:00.000Z postEvent: LMK postEvent failed: HTTP 503" in out
    assert standin.token not in out + result.stderr
