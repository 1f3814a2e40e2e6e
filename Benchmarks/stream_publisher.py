"""A kernel stand-in for the memory benchmark: publishes one cell whose stream
output is large (default 16384 messages of 64 KiB, 1 GiB in all), signing each
message as it goes (a pre-signed file would be a gigabyte).

Binds IOPub (XPUB, the kernel's default send high-water mark of 1000) and the
heartbeat (a ROUTER echo, as ipykernel) from the connection file. Protocol
on stdin/stdout, one line each: prints `subscribed` once a subscriber is
there, waits for `go`, publishes the cell, prints a JSON summary, then keeps
answering heartbeats until stdin closes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time

import zmq

from messages import CellMessages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--connection-file", required=True)
    parser.add_argument("--messages", type=int, default=16384)
    parser.add_argument("--size", type=int, default=65536)
    args = parser.parse_args()
    with open(args.connection_file) as f:
        info = json.load(f)
    address = f"{info['transport']}://{info['ip']}"
    context = zmq.Context()
    heartbeat = context.socket(zmq.ROUTER)
    heartbeat.bind(f"{address}:{info['hb_port']}")
    threading.Thread(target=zmq.proxy, args=(heartbeat, heartbeat), daemon=True).start()
    iopub = context.socket(zmq.XPUB)
    iopub.linger = 10000
    iopub.bind(f"{address}:{info['iopub_port']}")
    iopub.recv()  # the first subscription
    print("subscribed", flush=True)
    if sys.stdin.readline().strip() != "go":
        return
    cell = CellMessages(info["key"].encode())
    start = time.perf_counter()
    sent = 0
    for frames in cell.cell(args.messages, args.size):
        iopub.send_multipart(frames)
        sent += sum(len(frame) for frame in frames)
    seconds = time.perf_counter() - start
    print(json.dumps({"messages": args.messages + 4, "bytes": sent, "seconds": seconds}), flush=True)
    sys.stdin.read()  # keep the heartbeat alive until the benchmark is done
    os._exit(0)  # the heartbeat proxy thread never returns; everything is delivered


if __name__ == "__main__":
    main()
