#!/usr/bin/env python3
"""Record IOPub transcripts from real kernels for the core's tests.

Each scenario starts a fresh kernel (ipykernel unless the scenario names another
kernelspec in `KERNELS`: bash_kernel, IRkernel, calysto_scheme) through jupyter_client, subscribes a raw
ZeroMQ SUB socket to its IOPub channel (raw, so the header dates stay the
strings the kernel sent), drives the scenario over shell/control, and writes
every IOPub message as one JSON line:

    {"t_ms": <receive time relative to the scenario start>, "topic": "...",
     "header": {...}, "parent_header": {...}, "metadata": {...}, "content": {...}}

Usage: record_transcripts.py [--out DIR] [SCENARIO ...]
Run it with the project's venv python (JUPYTER_LMK_PYTHON or <repo>/.venv/bin/python).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time

import zmq
from jupyter_client import KernelManager

DELIM = b"<IDS|MSG>"
REPO = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "Tests" / "Fixtures" / "transcripts"


class Recorder:
    """One kernel, one SUB socket, one transcript."""

    def __init__(self, kernel_name: str = "python3") -> None:
        self.km = KernelManager(kernel_name=kernel_name)
        self.km.start_kernel()
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=30)
        self.ctx = zmq.Context.instance()
        self.sub = self.ctx.socket(zmq.SUB)
        self.sub.setsockopt(zmq.SUBSCRIBE, b"")
        info = self.km.get_connection_info()
        self.sub.connect(f"{info['transport']}://{info['ip']}:{info['iopub_port']}")
        self._await_subscription()
        self.records: list[dict] = []
        self.t0 = time.monotonic()

    def _await_subscription(self) -> None:
        """Nudge with kernel_info until our SUB sees traffic, then drop it."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            self.kc.kernel_info()
            if self.sub.poll(200):
                break
        else:
            raise RuntimeError("IOPub subscription never saw a message")
        # Drain the nudge traffic so the transcript starts clean.
        quiet_until = time.monotonic() + 0.5
        while time.monotonic() < quiet_until:
            if self.sub.poll(100):
                self.sub.recv_multipart()
                quiet_until = time.monotonic() + 0.5
        while self.kc.shell_channel.msg_ready():
            self.kc.shell_channel.get_msg(timeout=0)

    def pump(self, until, timeout: float = 20.0) -> None:
        """Record IOPub messages until `until(record)` is true for one of them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.sub.poll(100):
                continue
            record = self._record(self.sub.recv_multipart())
            if until(record):
                return
        raise RuntimeError("timed out waiting for the expected IOPub message")

    def pump_quiet(self, seconds: float) -> None:
        """Record whatever arrives during the next `seconds`."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if self.sub.poll(int(left * 1000) + 1):
                self._record(self.sub.recv_multipart())

    def _record(self, frames: list[bytes]) -> dict:
        i = frames.index(DELIM)
        record = {
            "t_ms": round((time.monotonic() - self.t0) * 1000, 3),
            "topic": b"".join(frames[:i]).decode("utf-8", "replace"),
            "header": json.loads(frames[i + 2]),
            "parent_header": json.loads(frames[i + 3]),
            "metadata": json.loads(frames[i + 4]),
            "content": json.loads(frames[i + 5]),
        }
        self.records.append(record)
        return record

    def idle_of(self, msg_id: str):
        return lambda r: (r["header"]["msg_type"] == "status"
                          and r["content"].get("execution_state") == "idle"
                          and r["parent_header"].get("msg_id") == msg_id)

    def execute(self, code: str, **kw) -> str:
        return self.kc.execute(code, **kw)

    def close(self) -> None:
        self.sub.close(linger=0)
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


def scenario_success(r: Recorder) -> None:
    r.pump(r.idle_of(r.execute("x = 6 * 7\nprint(x)")))


def scenario_error(r: Recorder) -> None:
    r.pump(r.idle_of(r.execute("1 / 0")))


def scenario_interrupt(r: Recorder) -> None:
    mid = r.execute("import time\ntime.sleep(30)")
    r.pump(lambda rec: rec["header"]["msg_type"] == "execute_input")
    time.sleep(0.5)  # let the cell reach time.sleep before the signal
    r.km.interrupt_kernel()
    r.pump(r.idle_of(mid))


def scenario_run_all_stop_on_error(r: Recorder) -> None:
    """Four cells queued at once, as "Run All" does; the second fails."""
    r.execute("a = 1")
    r.execute("raise ValueError('bad \\x1b[31mred\\x1b[0m value')")
    r.execute("b = 2")
    last = r.execute("c = 3")
    r.pump(r.idle_of(last))


def scenario_back_to_back(r: Recorder) -> None:
    r.execute("import time\ntime.sleep(0.3)")
    last = r.execute("print('second')")
    r.pump(r.idle_of(last))


def scenario_silent(r: Recorder) -> None:
    r.pump(r.idle_of(r.execute("y = 1", silent=True)))
    r.pump(r.idle_of(r.execute("1 / 0", silent=True)))


def scenario_chatter(r: Recorder) -> None:
    """Two cells with kernel_info, completion and comm traffic queued between them
    (shell) and interleaved with the first (control)."""
    first = r.execute("import time\ntime.sleep(1.0)\nprint('done')")
    r.pump(lambda rec: rec["header"]["msg_type"] == "execute_input")
    r.kc.kernel_info()
    r.kc.complete("pri", 3)
    comm_open = r.kc.session.msg("comm_open", {
        "comm_id": "c0ffee", "target_name": "no.such.target", "data": {}})
    r.kc.shell_channel.send(comm_open)
    r.kc.comm_info()
    r.kc.control_channel.send(r.kc.session.msg("kernel_info_request", {}))
    second = r.execute("print('second')")
    r.pump(r.idle_of(first))
    r.pump(r.idle_of(second))


def scenario_output_after_idle(r: Recorder) -> None:
    code = ("import threading\n"
            "threading.Timer(0.3, lambda: print('late output', flush=True)).start()")
    r.pump(r.idle_of(r.execute(code)))
    r.pump(lambda rec: rec["header"]["msg_type"] == "stream")


def scenario_subshell_overlap(r: Recorder) -> None:
    """A subshell cell (JEP 91) starts and ends while a main-shell cell runs."""
    r.kc.control_channel.send(r.kc.session.msg("create_subshell_request", {}))
    reply = r.kc.control_channel.get_msg(timeout=10)
    subshell_id = reply["content"]["subshell_id"]
    main = r.execute("import time\ntime.sleep(1.5)\nprint('main done')")
    r.pump(lambda rec: rec["header"]["msg_type"] == "execute_input")
    msg = r.kc.session.msg("execute_request", {
        "code": "print('from subshell')", "silent": False, "store_history": True,
        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
    msg["header"]["subshell_id"] = subshell_id
    r.kc.shell_channel.send(msg)
    r.pump(r.idle_of(msg["header"]["msg_id"]))
    r.pump(r.idle_of(main))


def scenario_shutdown(r: Recorder) -> None:
    """A cell, then the shutdown a batch runner sends right after it."""
    r.pump(r.idle_of(r.execute("z = 3")))
    r.kc.shutdown()
    r.pump(lambda rec: rec["header"]["msg_type"] == "shutdown_reply")


def scenario_bash_error(r: Recorder) -> None:
    """bash_kernel: a failing command; its error has no ename and the exit status as evalue."""
    r.pump(r.idle_of(r.execute("ls /nonexistent-lmk-dir")))


def scenario_r_error(r: Recorder) -> None:
    """IRkernel: stop() inside a function; ename ERROR, the message repeated in the traceback."""
    r.pump(r.idle_of(r.execute('f <- function() stop("boom")\nf()')))


def scenario_scheme_error(r: Recorder) -> None:
    """calysto_scheme (MetaKernel): an error it reports only in the shell's execute_reply."""
    r.pump(r.idle_of(r.execute("(car (quote ()))")))


SCENARIOS = {name[len("scenario_"):]: fn for name, fn in globals().items()
             if name.startswith("scenario_")}
# Scenarios of kernels other than ipykernel: the kernelspec each needs installed.
KERNELS = {"bash_error": "bash", "r_error": "ir", "scheme_error": "calysto_scheme"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT)
    parser.add_argument("scenarios", nargs="*",
                        help=f"default: the ipykernel ones; any of {sorted(SCENARIOS)}")
    args = parser.parse_args()
    unknown = [s for s in args.scenarios if s not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(unknown)}")
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.scenarios or [s for s in SCENARIOS if s not in KERNELS]:
        recorder = Recorder(KERNELS.get(name, "python3"))
        try:
            SCENARIOS[name](recorder)
        finally:
            recorder.close()
        path = args.out / f"{name}.jsonl"
        with path.open("w") as f:
            for record in recorder.records:
                f.write(json.dumps(record, sort_keys=True) + "\n")
        print(f"{path}: {len(recorder.records)} messages", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
