"""Wrap-up in launcher mode (issue 9 item 10, docs/BEHAVIOUR.md, "Launcher mode"): Jupyter shuts a wrapped
kernel down while LMK answers every `POST /v1/event` with 503. The bridge must still end
the session and exit within about 1 s of the kernel; the notification waits in the
outbox, and the next kernel's bridge delivers it.

Reuses the world of test_bridge_launch.py (a real `jupyter-lmk install`, jupyter_client).
"""
from __future__ import annotations

import json

from kernels import errors, run_cell
from test_bridge_launch import jupyter_data, lmk_server, watch_exits, world  # noqa: F401


def test_shutdown_ends_the_session_although_events_answer_503(world, record_property):
    world.write_config({"notifyOn": "error"})
    lmk = world.lmk
    lmk.fault(method="POST", path="^/v1/event$", status=503, count=1000)
    k = world.start_kernel()
    assert errors(run_cell(k.kc, "raise ValueError('boom')")) == ["ValueError"]
    lmk.wait_for(lambda s: [r for r in s.requests() if r["path"] == "/v1/event"], 15,
                 "the notification's first attempt")
    bridge = k.bridge
    thread, gone = watch_exits({"kernel": k.kernel_pid(), "bridge": bridge.pid})
    k.km.shutdown_kernel()
    thread.join()

    lag = gone["bridge"] - gone["kernel"]
    record_property("bridge_exit_after_kernel_seconds_with_503", round(lag, 3))
    assert bridge.returncode == 0
    assert lag < 1.0, f"the bridge exited {lag:.3f} s after the kernel"
    (session,) = world.sessions()
    assert session["ended"], "endSession must arrive although postEvent answers 503"
    assert lmk.events() == []
    (kept,) = world.outbox_entries()
    assert "ValueError: boom" in kept["message"]

    # The 503s are the point of this test, so the world's final check (every status
    # < 400) would fail: check validity and the token here, then forget them.
    for request in lmk.requests():
        assert request["valid"], f"{request['method']} {request['path']}: {request['error']}"
        assert lmk.token not in request["path"] + json.dumps(request["query"])
    lmk.reset()

    # The next kernel's bridge delivers what the first one left.
    nxt = world.start_kernel()
    (event,) = lmk.wait_for(lambda s: s.events(), 15, "the kept notification")
    assert "ValueError: boom" in event["message"]
    world.wait_for_state("the new session", lambda s: s.get("shellState") == "idle")
    nxt.km.shutdown_kernel()
    assert world.outbox_entries() == []
