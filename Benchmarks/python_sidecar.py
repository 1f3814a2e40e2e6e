"""The comparison sidecar: what an IOPub watcher built the usual Python way does.

pyzmq SUB socket, and per message jupyter_client's `Session.feed_identities`
+ `Session.deserialize` (signature check, replay check, JSON decode of all
four parts), as `Session.recv` does. Two modes, each printing one JSON line:

- throughput: receive `--count` messages (no high-water mark, nothing is
  dropped), timed from the first message to the last;
- flood: the default high-water mark (1000, as a real sidecar); counts the
  cell's error and idle messages and stops at the idle or after
  `--idle-timeout-ms` without messages.
"""

from __future__ import annotations

import argparse
import json
import time

import zmq
from jupyter_client.session import Session


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["throughput", "flood"])
    parser.add_argument("--connection-file", required=True)
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--idle-timeout-ms", type=int, default=5000)
    parser.add_argument("--ready", action="store_true", help="print `ready` once subscribed (run.py part g)")
    args = parser.parse_args()
    with open(args.connection_file) as f:
        info = json.load(f)
    session = Session(key=info["key"].encode(), signature_scheme=info["signature_scheme"])
    context = zmq.Context()
    socket = context.socket(zmq.SUB)
    socket.linger = 0
    if args.mode == "throughput":
        socket.rcvhwm = 0
    socket.subscribe(b"")
    socket.connect(f"{info['transport']}://{info['ip']}:{info['iopub_port']}")
    poller = zmq.Poller()
    poller.register(socket, zmq.POLLIN)
    if args.ready:
        print("ready", flush=True)

    received = errors = idles = failed = 0
    first = last = 0.0
    cell = None  # msg_id of the execute_request whose run we follow
    done = False
    while not done:
        if not poller.poll(args.idle_timeout_ms):
            break
        while True:
            try:
                frames = socket.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                break
            if received == 0:
                first = time.perf_counter()
            received += 1
            try:
                _, parts = session.feed_identities(frames)
                msg = session.deserialize(parts)
            except Exception:
                failed += 1
                continue
            msg_type = msg["header"]["msg_type"]
            parent = msg["parent_header"].get("msg_id")
            if msg_type == "execute_input":
                cell = parent
            elif msg_type == "error" and parent == cell:
                errors += 1
            elif msg_type == "status" and parent == cell and msg["content"]["execution_state"] == "idle":
                idles += 1
                done = args.mode == "flood"
            if args.mode == "throughput" and received >= args.count:
                done = True
            if done:
                break
        last = time.perf_counter()
    seconds = last - first
    print(
        json.dumps(
            {
                "received": received,
                "failed": failed,
                "errors": errors,
                "idles": idles,
                "seconds": seconds,
                "rate": received / seconds if seconds > 0 else 0,
            }
        ),
        flush=True,
    )
    socket.close()
    context.term()


if __name__ == "__main__":
    main()
