"""Runs the jupyter-lmk benchmarks (the targets of BENCHMARKS.md) side by side.

Called by tools/bench.sh after the release build, with the venv's python:

    run.py --build-dir .build/release --bench-dir .build/bench

Prints a table on stdout and writes JSON to $JUPYTER_LMK_BENCH_JSON
(default <bench-dir>/results.json). Sections:

  a. pipeline throughput: raw libzmq receiver (and, with OpenSSL headers, the
     same plus hmac-sha256 verification: the floor for any verifying receiver)
     vs `lmk-bench pipeline` vs the Python sidecar, on the same pre-signed frames;
  b. flood correctness: paced floods with the kernel's send high-water mark,
     does the receiver still see the end of the run (error + idle) once;
  c. memory and CPU of `jupyter-lmk attach`: idle RSS, peak RSS while ~1 GiB
     of stream output flows through, CPU while idle;
  d. latency: a failing cell watched by `jupyter-lmk attach --notify-on error`
     against the local LMK stand-in; from the publisher's idle status to the
     stand-in receiving POST /v1/event, minus the idle grace;
  e. start-up: a wrapped kernelspec (`jupyter-lmk run -- python -m
     ipykernel_launcher …`) against the plain one, through jupyter_client, time
     to the first kernel_info reply, median of N starts each;
  f. launcher-mode idle CPU: a wrapped kernel idling, CPU time of its
     supervisor and monitor processes (the monitor samples the kernel's memory
     once a second);
  g. cost per kernel: the supervisor and monitor of a wrapped ipykernel, idle and
     connected to the local LMK stand-in: RSS, PSS, private dirty memory per mapping
     class (/proc/<pid>/smaps), threads, idle CPU; PSS per bridge with
     JUPYTER_LMK_BENCH_BRIDGES of them running; the Python sidecar beside it;
  h. remote control: the monitor's memory with the LMK session socket and without
     it (the stand-in refusing the upgrade), and the time from the (stand-in) LMK app
     sending an interrupt on the socket to the kernel's SIGINT handler running.

Every section that has a target (PRODUCT.md §9, BENCHMARKS.md) adds it to the table of
targets printed last: target, measured figure, met or not.

Environment knobs (all optional): JUPYTER_LMK_BENCH_MESSAGES (pipeline and
flood messages, default 200000), JUPYTER_LMK_BENCH_PYTHON_MESSAGES (default
50000), JUPYTER_LMK_BENCH_ROUNDS (default 3), JUPYTER_LMK_BENCH_FLOOD_SECONDS
(default 1.0), JUPYTER_LMK_BENCH_FLOOD_REPEATS (default 2), JUPYTER_LMK_BENCH_STREAM_MIB (default 1024),
JUPYTER_LMK_BENCH_IDLE_SECONDS (default 60), JUPYTER_LMK_BENCH_STARTS (default 10),
JUPYTER_LMK_BENCH_LATENCY_RUNS (default 5), JUPYTER_LMK_BENCH_COST_IDLE_SECONDS (default 10),
JUPYTER_LMK_BENCH_BRIDGES (default 20), JUPYTER_LMK_BENCH_REMOTE_ROUNDS (default 20: part h's interrupts), JUPYTER_LMK_BENCH_CALLGRIND (default 1: instructions per
message under callgrind in part a, when valgrind is installed), JUPYTER_LMK_BENCH_SECTIONS
(default "abcdefgh").
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Callable

from jupyter_client import KernelManager

import messages

HERE = Path(__file__).resolve().parent
FLOOD_RATES = [10_000, 20_000, 50_000, 100_000, 150_000, 200_000, 300_000, 400_000, 600_000, 800_000]


def env_number(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


class Bench:
    def __init__(self, build_dir: Path, bench_dir: Path):
        self.build_dir = build_dir
        self.bench_dir = bench_dir
        self.python = sys.executable
        self.jupyter_lmk = build_dir / "jupyter-lmk"
        self.lmk_bench = build_dir / "lmk-bench"
        self.publisher = bench_dir / "publisher"
        self.raw_receiver = bench_dir / "raw_receiver"
        self.hmac_receiver = bench_dir / "hmac_receiver"
        self.count = int(env_number("JUPYTER_LMK_BENCH_MESSAGES", 200_000))
        self.python_count = min(self.count, int(env_number("JUPYTER_LMK_BENCH_PYTHON_MESSAGES", 50_000)))
        self.rounds = int(env_number("JUPYTER_LMK_BENCH_ROUNDS", 3))
        self.flood_seconds = env_number("JUPYTER_LMK_BENCH_FLOOD_SECONDS", 1.0)
        self.flood_repeats = max(1, int(env_number("JUPYTER_LMK_BENCH_FLOOD_REPEATS", 2)))
        self.stream_mib = int(env_number("JUPYTER_LMK_BENCH_STREAM_MIB", 1024))
        self.idle_seconds = env_number("JUPYTER_LMK_BENCH_IDLE_SECONDS", 60)
        self.starts = max(1, int(env_number("JUPYTER_LMK_BENCH_STARTS", 10)))
        self.latency_runs = max(1, int(env_number("JUPYTER_LMK_BENCH_LATENCY_RUNS", 5)))
        self.cost_idle_seconds = env_number("JUPYTER_LMK_BENCH_COST_IDLE_SECONDS", 10)
        self.bridges = max(1, int(env_number("JUPYTER_LMK_BENCH_BRIDGES", 20)))
        self.remote_rounds = max(1, int(env_number("JUPYTER_LMK_BENCH_REMOTE_ROUNDS", 20)))
        self.callgrind = (env_number("JUPYTER_LMK_BENCH_CALLGRIND", 1) != 0 and shutil.which("valgrind")
                          and shutil.which("strip"))
        self.exec_stamp = bench_dir / "exec_stamp"
        self.targets: list[dict] = []
        self.tmp = Path(tempfile.mkdtemp(prefix="run-", dir=bench_dir))
        os.chmod(self.tmp, 0o700)  # the connection files hold the HMAC key
        self.key = secrets.token_hex(16)
        self.cell_file = self.tmp / "cell.bin"
        self.lines: list[str] = []

    # -- helpers -----------------------------------------------------------------------

    def isolate(self) -> None:
        """Keeps every bridge of this run away from the user's LMK account and config:
        a fresh HOME, no LMK or jupyter-lmk config variables (the children inherit this)."""
        home = self.tmp / "home"
        home.mkdir()
        os.environ["HOME"] = str(home)
        for name in list(os.environ):
            if name.startswith("LMK_") or name in ("JUPYTER_LMK_CONFIG", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
                del os.environ[name]

    def say(self, line: str = "") -> None:
        print(line, flush=True)
        self.lines.append(line)

    def target(self, name: str, wanted: str, measured: str, met: bool | None) -> None:
        """One row of the table of targets printed last (met None: not measurable in this run)."""
        self.targets.append({"target": name, "wanted": wanted, "measured": measured, "met": met})

    def print_targets(self) -> None:
        self.say("targets (PRODUCT.md §9; BENCHMARKS.md, \"Cost per kernel\")")
        width = max((len(t["target"]) for t in self.targets), default=10)
        for t in self.targets:
            verdict = {True: "met", False: "MISSED", None: "n/a"}[t["met"]]
            self.say(f"   {t['target']:<{width}}  {t['wanted']:<14} {t['measured']:<44} {verdict}")

    def connection_file(self, name: str) -> Path:
        ports = free_ports(5)
        info = {
            "shell_port": ports[0], "iopub_port": ports[1], "stdin_port": ports[2],
            "control_port": ports[3], "hb_port": ports[4], "ip": "127.0.0.1", "key": self.key,
            "transport": "tcp", "signature_scheme": "hmac-sha256", "kernel_name": "bench",
        }
        path = self.tmp / f"{name}.json"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(info, f)
        return path

    @staticmethod
    def endpoint(connection: Path, channel: str) -> str:
        info = json.loads(connection.read_text())
        return f"tcp://{info['ip']}:{info[channel + '_port']}"

    def publish(self, connection: Path, *options: str) -> subprocess.Popen:
        return subprocess.Popen(
            [str(self.publisher), "--iopub", self.endpoint(connection, "iopub"),
             "--hb", self.endpoint(connection, "hb"), "--file", str(self.cell_file), *options],
            stdout=subprocess.PIPE, text=True)

    def generate_cell(self) -> None:
        """One failing cell with `count` stream messages, shared by parts a, b and d."""
        started = time.perf_counter()
        cell = messages.CellMessages(self.key.encode())
        messages.write_file(str(self.cell_file), cell.cell(self.count), self.count + 4)
        self.say(f"(signed {self.count + 4} messages with jupyter_client's Session in "
                 f"{time.perf_counter() - started:.1f} s; not timed)")

    # -- a. pipeline throughput ---------------------------------------------------------

    def pipeline(self) -> dict:
        self.say("a. pipeline throughput (messages/s, first to last message, no high-water mark)")
        total = self.count + 4
        key_file = self.tmp / "key"
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(self.key)
        receivers: dict[str, Callable[[Path], list[str]]] = {
            "raw libzmq (C)": lambda c: [str(self.raw_receiver), "--connect", self.endpoint(c, "iopub"),
                                         "--count", str(total)],
            "C + hmac-sha256": lambda c: [str(self.hmac_receiver), "--connect", self.endpoint(c, "iopub"),
                                          "--count", str(total), "--key-file", str(key_file)],
            "lmk-bench pipeline": lambda c: [str(self.lmk_bench), "pipeline", "--connection-file", str(c),
                                             "--count", str(total)],
            "python sidecar": lambda c: [self.python, str(HERE / "python_sidecar.py"), "throughput",
                                         "--connection-file", str(c), "--count", str(self.python_count)],
        }
        if not self.hmac_receiver.exists():
            del receivers["C + hmac-sha256"]
            self.say("   (C + hmac-sha256 reference not built: OpenSSL headers, libssl-dev, missing)")
        runs: dict[str, list[dict]] = {name: [] for name in receivers}
        for _ in range(self.rounds):
            for name, command in receivers.items():
                limit = self.python_count if name == "python sidecar" else total
                connection = self.connection_file("throughput")
                publisher = self.publish(connection, "--sndhwm", "0", "--limit", str(limit),
                                         "--linger-ms", "60000")
                output, cpu_seconds = run_measured(command(connection), name)
                published, _ = publisher.communicate(timeout=120)
                result = json.loads(output.strip().splitlines()[-1])
                result["expected"] = limit
                result["cpu_seconds"] = cpu_seconds
                result["rate_per_cpu_second"] = result["received"] / cpu_seconds if cpu_seconds else None
                result["publisher"] = json.loads(published.strip().splitlines()[-1])
                runs[name].append(result)
        summary = {}
        for name, results in runs.items():
            complete = [r for r in results if r["received"] == r["expected"] and not r.get("bad")]
            rates = [r["rate"] for r in complete]
            per_cpu = [r["rate_per_cpu_second"] for r in complete if r["rate_per_cpu_second"]]
            summary[name] = {
                "median_rate": statistics.median(rates) if rates else None,
                "median_per_cpu_second": statistics.median(per_cpu) if per_cpu else None,
                "rates": [round(r["rate"]) for r in results],
                "complete_runs": len(complete), "runs": results,
            }
        raw = summary["raw libzmq (C)"]["median_rate"]
        ours = summary["lmk-bench pipeline"]["median_rate"]
        python = summary["python sidecar"]["median_rate"]
        floor = summary.get("C + hmac-sha256", {}).get("median_rate")
        floor_cpu = summary.get("C + hmac-sha256", {}).get("median_per_cpu_second")
        raw_cpu = summary["raw libzmq (C)"]["median_per_cpu_second"]
        ours_cpu = summary["lmk-bench pipeline"]["median_per_cpu_second"]
        ratios = {
            "pipeline_over_raw": ours / raw if ours and raw else None,
            "pipeline_over_python": ours / python if ours and python else None,
            "pipeline_over_raw_per_cpu_second": ours_cpu / raw_cpu if ours_cpu and raw_cpu else None,
            "hmac_floor_over_raw": floor / raw if floor and raw else None,
            "pipeline_over_hmac_floor": ours / floor if ours and floor else None,
            "pipeline_over_hmac_floor_per_cpu_second": ours_cpu / floor_cpu if ours_cpu and floor_cpu else None,
        }
        self.say(f"   {'receiver':<22}{'median msg/s':>14}{'msg/CPU-s':>12}  runs (msg/s)")
        for name, entry in summary.items():
            median, per_cpu = entry["median_rate"], entry["median_per_cpu_second"]
            shown = f"{median:,.0f}" if median else "incomplete"
            shown_cpu = f"{per_cpu:,.0f}" if per_cpu else "-"
            self.say(f"   {name:<22}{shown:>14}{shown_cpu:>12}  {entry['rates']}")
        self.say(f"   pipeline / raw    = {fmt_ratio(ratios['pipeline_over_raw'])}")
        self.say(f"   pipeline / python = {fmt_ratio(ratios['pipeline_over_python'])}")
        self.say(f"   pipeline / raw per CPU-second = {fmt_ratio(ratios['pipeline_over_raw_per_cpu_second'])}"
                 "   (receiver CPU time, all threads: steadier on a shared machine)")
        if floor:
            self.say(f"   C + hmac-sha256 / raw = {fmt_ratio(ratios['hmac_floor_over_raw'])}   "
                     "(the ceiling for any receiver that verifies signatures)")
            self.say(f"   pipeline / C + hmac-sha256 = {fmt_ratio(ratios['pipeline_over_hmac_floor'])}, "
                     f"per CPU-second {fmt_ratio(ratios['pipeline_over_hmac_floor_per_cpu_second'])}"
                     "   (target >= 0.95)")
        over_floor = ratios["pipeline_over_hmac_floor"]
        self.target("pipeline / C + hmac-sha256", ">= 0.95",
                    f"{fmt_ratio(over_floor)} (raw {fmt_ratio(ratios['pipeline_over_raw'])}, "
                    f"python {fmt_ratio(ratios['pipeline_over_python'])})",
                    over_floor >= 0.95 if over_floor else None)
        instructions = self.instructions_per_message(key_file) if self.callgrind else None
        return {"messages": total, "python_messages": self.python_count, "rounds": self.rounds,
                "stages": runs["lmk-bench pipeline"][0].get("stages"), "receivers": summary,
                "instructions_per_message": instructions, **ratios}

    def instructions_per_message(self, key_file: Path) -> dict:
        """Instructions per message under callgrind: two runs of each receiver, of `small` and
        `large` messages; the difference over `large - small` leaves start-up and exit out."""
        small, large = 2_000, 12_000
        # Debian 12's valgrind cannot read the DWARF 5 of Swift's toolchain: a copy without it.
        lmk_bench = self.tmp / "lmk-bench.nodebug"
        subprocess.run(["strip", "--strip-debug", "-o", str(lmk_bench), str(self.lmk_bench)], check=True)
        receivers = {
            "lmk-bench pipeline": lambda c, n: [str(lmk_bench), "pipeline", "--connection-file",
                                                str(c), "--count", str(n)],
            "C + hmac-sha256": lambda c, n: [str(self.hmac_receiver), "--connect", self.endpoint(c, "iopub"),
                                             "--count", str(n), "--key-file", str(key_file)],
            "raw libzmq (C)": lambda c, n: [str(self.raw_receiver), "--connect", self.endpoint(c, "iopub"),
                                            "--count", str(n)],
        }
        if not self.hmac_receiver.exists():
            del receivers["C + hmac-sha256"]
        result = {}
        for name, command in receivers.items():
            totals = []
            for count in (small, large):
                connection = self.connection_file("callgrind")
                publisher = self.publish(connection, "--sndhwm", "0", "--limit", str(count),
                                         "--linger-ms", "120000", "--wait-ms", "120000")
                out = self.tmp / "callgrind.out"
                run = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                                      *command(connection, count)], capture_output=True, text=True, timeout=600)
                if run.returncode != 0:
                    raise RuntimeError(f"{name} under callgrind failed: {run.stderr.strip()[-2000:]}")
                publisher.communicate(timeout=120)
                summary = next(line for line in out.read_text().splitlines() if line.startswith("summary:"))
                totals.append(int(summary.split()[1]))
            result[name] = (totals[1] - totals[0]) / (large - small)
        shown = ", ".join(f"{name} {value:,.0f}" for name, value in result.items())
        self.say(f"   instructions per message (callgrind, {large:,} - {small:,} messages): {shown}")
        return result

    # -- b. flood correctness -----------------------------------------------------------

    def flood(self) -> dict:
        self.say("b. flood correctness (send high-water mark 1000; end of run = error + idle seen once)")
        result = {}
        for name, run in (("jupyter-lmk attach", self.flood_attach), ("python sidecar", self.flood_python)):
            ladder = []
            for rate in FLOOD_RATES:
                body = min(self.count, max(1, int(rate * self.flood_seconds)))
                tries = []
                for _ in range(self.flood_repeats):  # a rate holds only if every try does
                    tries.append(run(self.connection_file("flood"), rate, body))
                    if not tries[-1]["holds"]:
                        break
                outcome = {"rate": rate, "messages": body + 4, "holds": all(t["holds"] for t in tries),
                           "sent_rate": min(t["sent_rate"] for t in tries), "tries": tries}
                ladder.append(outcome)
                mark = "holds" if outcome["holds"] else "LOST END"
                seen = ", ".join(f"{t['errors']}/{t['idles']}" for t in tries)
                self.say(f"   {name:<20} {rate:>8,} msg/s (sent at {outcome['sent_rate']:>9,.0f}): "
                         f"error/idle seen {seen}  {mark}")
                if not outcome["holds"]:
                    break
                if outcome["sent_rate"] < 0.9 * rate:
                    outcome["publisher_limited"] = True
                    self.say(f"   {name:<20} publisher tops out near {outcome['sent_rate']:,.0f} msg/s")
                    break
            held = [o["rate"] for o in ladder if o["holds"]]
            result[name] = {"highest_rate_held": max(held) if held else 0, "ladder": ladder}
        for name, entry in result.items():
            self.say(f"   {name:<20} highest rate held: {entry['highest_rate_held']:,} msg/s")
        ours = result["jupyter-lmk attach"]
        at_100k = next((o for o in ours["ladder"] if o["rate"] == 100_000), None)
        self.target("flood: end of run kept at 100k msg/s", "holds",
                    f"{'holds' if at_100k and at_100k['holds'] else 'lost or not reached'}; highest held "
                    f"{ours['highest_rate_held']:,} (python {result['python sidecar']['highest_rate_held']:,})",
                    bool(at_100k and at_100k["holds"]))
        result["flood_seconds"] = self.flood_seconds
        result["repeats"] = self.flood_repeats
        return result

    def flood_attach(self, connection: Path, rate: int, body: int) -> dict:
        publisher = self.publish(connection, "--rate", str(rate), "--sndhwm", "1000", "--body", str(body))
        attach = Transcript([str(self.jupyter_lmk), "attach", "--connection-file", str(connection)])
        published, _ = publisher.communicate(timeout=120)
        attach.wait_for(lambda lines: any(" idle" in line for line in lines), timeout=3.0)
        lines = attach.stop()
        errors = sum(1 for line in lines if line.startswith("cell [1] error:"))
        idles = sum(1 for line in lines if line == "cell [1] idle")
        sent = json.loads(published.strip().splitlines()[-1])
        return {"rate": rate, "messages": body + 4, "sent_rate": sent["rate"], "errors": errors,
                "idles": idles, "holds": errors == 1 and idles == 1}

    def flood_python(self, connection: Path, rate: int, body: int) -> dict:
        publisher = self.publish(connection, "--rate", str(rate), "--sndhwm", "1000", "--body", str(body))
        sidecar = subprocess.run(
            [self.python, str(HERE / "python_sidecar.py"), "flood", "--connection-file", str(connection),
             "--idle-timeout-ms", "3000"], capture_output=True, text=True, timeout=180)
        published, _ = publisher.communicate(timeout=120)
        seen = json.loads(sidecar.stdout.strip().splitlines()[-1])
        sent = json.loads(published.strip().splitlines()[-1])
        return {"rate": rate, "messages": body + 4, "sent_rate": sent["rate"], "errors": seen["errors"],
                "idles": seen["idles"], "received": seen["received"],
                "holds": seen["errors"] == 1 and seen["idles"] == 1}

    # -- c. memory and CPU --------------------------------------------------------------

    def memory(self) -> dict:
        size = 65536
        count = max(1, self.stream_mib * 1024 * 1024 // size)
        self.say(f"c. memory and CPU of jupyter-lmk attach ({count} stream messages of {size // 1024} KiB; "
                 f"idle {self.idle_seconds:g} s)")
        connection = self.connection_file("memory")
        publisher = subprocess.Popen(
            [self.python, str(HERE / "stream_publisher.py"), "--connection-file", str(connection),
             "--messages", str(count), "--size", str(size)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        attach = Transcript([str(self.jupyter_lmk), "attach", "--connection-file", str(connection)])
        try:
            if publisher.stdout is None or publisher.stdin is None:
                raise RuntimeError("publisher pipes missing")
            if publisher.stdout.readline().strip() != "subscribed":
                raise RuntimeError("stream publisher did not see a subscription")
            time.sleep(1.0)  # let attach finish starting (heartbeat, kernel_info attempt)
            idle_rss = proc_status_kib(attach.pid, "VmRSS")
            cpu_before = proc_cpu_seconds(attach.pid)
            time.sleep(self.idle_seconds)
            idle_cpu = proc_cpu_seconds(attach.pid) - cpu_before
            idle_hwm = proc_status_kib(attach.pid, "VmHWM")
            publisher.stdin.write("go\n")
            publisher.stdin.flush()
            sent = json.loads(publisher.stdout.readline())
            # The kernel keeps no high-water mark of anonymous memory: sample it while the output flows.
            idle_anon = proc_status_kib(attach.pid, "RssAnon")
            peak_anon = idle_anon
            deadline = time.monotonic() + 30.0
            ended = False
            while not ended and time.monotonic() < deadline:
                ended = attach.wait_for(lambda lines: "cell [1] idle" in lines, timeout=0.02)
                peak_anon = max(peak_anon, proc_status_kib(attach.pid, "RssAnon"))
            peak = proc_status_kib(attach.pid, "VmHWM")
            cpu_total = proc_cpu_seconds(attach.pid) - cpu_before - idle_cpu
        finally:
            lines = attach.stop()
            if publisher.stdin:
                publisher.stdin.close()
            publisher.wait(timeout=10)
        errors = sum(1 for line in lines if line.startswith("cell [1] error:"))
        result = {
            "stream_messages": count, "message_kib": size // 1024, "bytes_sent": sent["bytes"],
            "publish_seconds": sent["seconds"], "end_of_run_seen": ended and errors == 1,
            "idle_rss_kib": idle_rss, "idle_peak_kib": idle_hwm, "peak_rss_kib": peak,
            "growth_kib": peak - idle_rss, "idle_seconds": self.idle_seconds,
            "idle_cpu_seconds": idle_cpu, "flood_cpu_seconds": cpu_total,
            "idle_anon_kib": idle_anon, "peak_anon_kib_sampled": peak_anon,
        }
        self.say(f"   idle RSS {idle_rss / 1024:.1f} MiB, peak RSS {peak / 1024:.1f} MiB "
                 f"(+{(peak - idle_rss) / 1024:.1f} MiB; target: +5 MB)")
        growth_mb = (peak - idle_rss) * 1024 / 1e6
        self.target(f"peak RSS under {sent['bytes'] / 2**30:.1f} GiB of output", "<= idle + 5 MB",
                    f"idle {idle_rss * 1024 / 1e6:.1f} MB, peak +{growth_mb:.1f} MB (attach)",
                    growth_mb <= 5 and result["end_of_run_seen"])
        self.say(f"   of it anonymous (not shared-library pages): idle {idle_anon / 1024:.1f} MiB, "
                 f"sampled peak {peak_anon / 1024:.1f} MiB")
        self.say(f"   {sent['bytes'] / 2**20:,.0f} MiB published in {sent['seconds']:.1f} s; "
                 f"end of run seen: {result['end_of_run_seen']}; CPU for it {cpu_total:.2f} s")
        self.say(f"   idle CPU: {idle_cpu:.2f} s over {self.idle_seconds:g} s "
                 f"({100 * idle_cpu / self.idle_seconds if self.idle_seconds else 0:.2f} %)")
        return result

    # -- d. latency, e. start-up --------------------------------------------------------

    def kernelspecs(self) -> dict[str, list[str]]:
        """The kernelspecs `bench-unwrapped` and `bench-wrapped` (ipykernel, and the same under
        `jupyter-lmk run`) in a temporary JUPYTER_PATH, written once; their argvs by name."""
        kernel = [self.python, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        wrapped = [str(self.jupyter_lmk), "run", "--connection-file", "{connection_file}", "--"]
        specs = {
            "unwrapped": kernel,
            "wrapped": [*wrapped, *kernel],
            # The same with a timestamp taken just before the bridge's exec and the kernel's.
            "stamped": [str(self.exec_stamp), str(self.tmp / "stamp-bridge"), *wrapped,
                        str(self.exec_stamp), str(self.tmp / "stamp-kernel"), *kernel],
        }
        root = self.tmp / "jupyter"
        for name, argv in specs.items():
            spec_dir = root / "kernels" / f"bench-{name}"
            spec_dir.mkdir(parents=True, exist_ok=True)
            spec = {"argv": argv, "display_name": f"bench {name}", "language": "python"}
            (spec_dir / "kernel.json").write_text(json.dumps(spec))
        os.environ["JUPYTER_PATH"] = str(root)
        os.environ["JUPYTER_RUNTIME_DIR"] = str(self.tmp / "runtime")
        return specs

    def launcher_idle(self) -> dict:
        self.say(f"f. launcher-mode idle CPU (supervisor and monitor, memory sampling on, "
                 f"idle {self.idle_seconds:g} s)")
        self.kernelspecs()
        figures: dict = {}

        def measure(manager: KernelManager) -> None:
            supervisor = manager.provisioner.process.pid
            pids = {"supervisor": supervisor, "monitor": monitor_of(supervisor)}
            before = {name: proc_cpu_seconds(pid) for name, pid in pids.items()}
            time.sleep(self.idle_seconds)  # the idle period measured, not a synchronisation
            for name, pid in pids.items():
                figures[f"{name}_cpu_seconds"] = proc_cpu_seconds(pid) - before[name]

        timed_kernel_start("bench-wrapped", measure)
        for name in ("supervisor", "monitor"):
            cpu = figures[f"{name}_cpu_seconds"]
            self.say(f"   {name:<10} {cpu:.2f} s CPU over {self.idle_seconds:g} s "
                     f"({100 * cpu / self.idle_seconds if self.idle_seconds else 0:.2f} %)   (target ≈ 0)")
        cpu = figures["supervisor_cpu_seconds"] + figures["monitor_cpu_seconds"]
        self.target("launcher idle CPU, both", "≈ 0",
                    f"{cpu:.2f} s in {self.idle_seconds:g} s ({100 * cpu / self.idle_seconds if self.idle_seconds else 0:.2f} %)",
                    None)
        return {"idle_seconds": self.idle_seconds, **figures}

    def has_option(self, command: str, option: str) -> bool:
        probe = subprocess.run([str(self.jupyter_lmk), command, "--help"], capture_output=True, text=True)
        return option in probe.stdout

    def has_command(self, name: str) -> bool:
        """Whether `jupyter-lmk --help` lists the subcommand (unknown ones print the root help)."""
        probe = subprocess.run([str(self.jupyter_lmk), "--help"], capture_output=True, text=True)
        listed = probe.stdout.partition("SUBCOMMANDS:")[2]
        return any(line.split()[:1] == [name] for line in listed.splitlines() if line.startswith("  "))

    def latency(self) -> dict:
        self.say("d. latency (kernel idle status -> notification request at the LMK stand-in)")
        if not self.has_option("attach", "--notify-on"):
            reason = "jupyter-lmk attach has no LMK notification path yet"
            self.say(f"   not available yet: {reason}")
            return {"skipped": reason}
        grace = 1.0
        samples = []
        with Standin(self.python, self.tmp) as standin:
            env = dict(os.environ, **standin.env)
            for _ in range(self.latency_runs):
                samples.append(self.one_latency(standin.base, env, grace))
        over = [s["after_idle_seconds"] - grace for s in samples if s["after_idle_seconds"] is not None]
        median = statistics.median(over) if len(over) == len(samples) and over else None
        shown = f"{1000 * median:.0f} ms" if median is not None else "missing notifications"
        self.say(f"   notification request began idle grace ({grace:g} s) + {shown} after the idle status "
                 f"(median of {len(samples)}; runs {[round(1000 * o) for o in over]} ms; target <= +100 ms)")
        self.target("notification after idle", "<= grace+100ms", f"grace + {shown}",
                    median is not None and median <= 0.1)
        return {"idle_grace_seconds": grace, "median_over_grace_seconds": median, "runs": samples}

    def one_latency(self, base: str, env: dict, grace: float) -> dict:
        """One failing cell (100 stream messages at 1000 msg/s) watched by attach with
        --notify-on error; the time from the idle status to POST /v1/event."""
        urllib.request.urlopen(urllib.request.Request(f"{base}/_standin/reset", method="POST"), timeout=10).read()
        connection = self.connection_file("latency")
        publisher = self.publish(connection, "--rate", "1000", "--body", "100", "--hold-ms", "8000")
        attach = Transcript(
            [str(self.jupyter_lmk), "attach", "--connection-file", str(connection), "--notify-on", "error",
             "--idle-grace", f"{grace:g}"], env=env)
        try:
            assert publisher.stdout is not None
            sent = json.loads(publisher.stdout.readline())
            event_time = None
            deadline = time.monotonic() + grace + 5
            while event_time is None and time.monotonic() < deadline:
                with urllib.request.urlopen(f"{base}/_standin/requests", timeout=10) as response:
                    requests = json.load(response)["requests"]
                events = [r["time"] for r in requests if r["method"] == "POST" and r["path"] == "/v1/event"]
                event_time = events[0] if events else None
                time.sleep(0.02)
        finally:
            attach.stop()
            publisher.kill()
            publisher.wait()
        after = event_time - sent["last_unix"] if event_time is not None else None
        return {"idle_sent_unix": sent["last_unix"], "event_request_unix": event_time, "after_idle_seconds": after}

    def startup(self) -> dict:
        self.say("e. start-up (launcher-mode kernel start vs unwrapped, to the first kernel_info reply)")
        if not self.has_command("run"):
            reason = "`jupyter-lmk run` (launcher mode) is not built yet"
            self.say(f"   not available yet: {reason}")
            return {"skipped": reason}
        self.kernelspecs()
        names = ["unwrapped", "wrapped"]
        times: dict[str, list[float]] = {name: [] for name in names}
        for round_number in range(self.starts):
            # Alternate which goes first, so warm caches and load drifts hit both alike.
            order = names if round_number % 2 == 0 else list(reversed(names))
            for name in order:
                times[name].append(timed_kernel_start(f"bench-{name}"))
        medians = {name: statistics.median(values) for name, values in times.items()}
        ratio = medians["wrapped"] / medians["unwrapped"]
        # Each round's own ratio: the two starts of a round ran back to back, under the same load.
        paired = sorted(w / u for w, u in zip(times["wrapped"], times["unwrapped"]))
        for name, values in times.items():
            self.say(f"   {name:<10} median {1000 * medians[name]:7.0f} ms  "
                     f"(quartiles {1000 * quartiles(values)[0]:.0f}-{1000 * quartiles(values)[1]:.0f}, "
                     f"min {1000 * min(values):.0f}, max {1000 * max(values):.0f}, n={len(values)})")
        self.say(f"   wrapped / unwrapped = {ratio:.3f} of the medians; per round: median "
                 f"{statistics.median(paired):.3f}, quartiles {quartiles(paired)[0]:.3f}-{quartiles(paired)[1]:.3f}"
                 "   (target <= 1.03)")
        self.target("kernel start, wrapped / plain", "<= 1.03",
                    f"{ratio:.3f} (rounds' quartiles {quartiles(paired)[0]:.2f}-{quartiles(paired)[1]:.2f})",
                    ratio <= 1.03)
        spawn = self.exec_to_spawn()
        return {"starts": self.starts, "seconds": times, "median_seconds": medians, "ratio": ratio,
                "paired_ratios": paired, **spawn}

    def exec_to_spawn(self) -> dict:
        """The bridge's own time from its exec to the kernel's: kernelspec `bench-stamped`
        (exec_stamp before each), less exec_stamp's own cost (one stamp exec'ing another)."""
        bridge, kernel = self.tmp / "stamp-bridge", self.tmp / "stamp-kernel"
        spans = []
        for _ in range(self.starts):
            for stamp in (bridge, kernel):
                stamp.unlink(missing_ok=True)
            timed_kernel_start("bench-stamped")
            spans.append((int(kernel.read_text().split()[0]) - int(bridge.read_text().split()[0])) / 1e6)
        overhead = []
        for _ in range(self.starts):
            for stamp in (bridge, kernel):
                stamp.unlink(missing_ok=True)
            subprocess.run([str(self.exec_stamp), str(bridge), str(self.exec_stamp), str(kernel), "true"],
                           check=True)
            overhead.append((int(kernel.read_text()) - int(bridge.read_text())) / 1e6)
        own = statistics.median(spans) - statistics.median(overhead)
        self.say(f"   bridge exec -> kernel exec: median {statistics.median(spans):.1f} ms "
                 f"(min {min(spans):.1f}, max {max(spans):.1f}), less {statistics.median(overhead):.1f} ms "
                 f"for the stamp's own exec = {own:.1f} ms   (target <= 5 ms)")
        self.target("bridge exec -> kernel spawn", "<= 5 ms",
                    f"{own:.1f} ms (median of {len(spans)}; min {min(spans):.1f}, max {max(spans):.1f})",
                    own <= 5)
        return {"exec_to_spawn_ms": spans, "stamp_overhead_ms": overhead, "exec_to_spawn_own_ms": own}

    # -- g. cost per kernel -------------------------------------------------------------

    def cost(self) -> dict:
        idle = self.cost_idle_seconds
        self.say(f"g. cost per kernel (launcher mode: supervisor + monitor of an idle ipykernel, LMK "
                 f"connected to the stand-in; after {idle:g} s idle)")
        self.kernelspecs()
        result: dict = {"idle_seconds": idle, "binary_bytes": self.jupyter_lmk.stat().st_size}
        managers: list[KernelManager] = []
        with Standin(self.python, self.tmp) as standin:
            saved = {name: os.environ.get(name) for name in standin.env}
            os.environ.update(standin.env)  # the kernels' environment: the bridges inherit it
            try:
                managers.append(start_connected_kernel("bench-wrapped", standin, 1))
                pids = bridge_pids(managers[0])
                cpu_before = {name: proc_cpu_seconds(pid) for name, pid in pids.items()}
                time.sleep(idle)  # the idle period measured, not a synchronisation
                processes = {name: footprint(pid, self.jupyter_lmk) for name, pid in pids.items()}
                for name, pid in pids.items():
                    processes[name]["idle_cpu_seconds"] = proc_cpu_seconds(pid) - cpu_before[name]
                result["processes"] = processes
                for count in range(2, self.bridges + 1):
                    managers.append(start_connected_kernel("bench-wrapped", standin, count))
                everyone = [pid for manager in managers for pid in bridge_pids(manager).values()]
                rollups = [smaps_rollup(pid) for pid in everyone]
                result["bridges"] = self.bridges
                result["pss_per_bridge_kib"] = sum(r["Pss"] for r in rollups) / self.bridges
                result["private_dirty_per_bridge_kib"] = sum(r["Private_Dirty"] for r in rollups) / self.bridges
            finally:
                for manager in managers:
                    manager.shutdown_kernel(now=True)
                    manager.cleanup_resources()
                for name, value in saved.items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value
        result["python_sidecar"] = self.python_sidecar_footprint()
        self.print_cost(result)
        return result

    def remote(self) -> dict:
        """What the session socket adds to the monitor's idle memory (the stand-in refusing
        the upgrade vs accepting it), and the time from the app's interrupt leaving LMK (the
        stand-in's send on the socket) to the kernel's SIGINT handler (the same clock)."""
        rounds = self.remote_rounds
        self.say(f"h. remote control (session socket): monitor memory with vs without it, "
                 f"and {rounds} interrupts from the LMK app")
        self.kernelspecs()
        result: dict = {}
        with Standin(self.python, self.tmp) as standin:
            saved = {name: os.environ.get(name) for name in standin.env}
            os.environ.update(standin.env)
            try:
                for label, refuse in (("without", True), ("with", False)):
                    standin.control("reset", {})
                    if refuse:
                        standin.control("ws/refuse", {"status": 404, "count": None})
                    manager = start_connected_kernel("bench-wrapped", standin, 1)
                    try:
                        monitor = bridge_pids(manager)["monitor"]
                        if not refuse:
                            self.wait_socket(standin)
                        time.sleep(self.cost_idle_seconds)  # the idle period measured, not a synchronisation
                        result[label] = footprint(monitor, self.jupyter_lmk)
                        result[label]["libwebsockets_kib"] = mapped_rss_kib(monitor, "libwebsockets")
                        if not refuse:
                            result["interrupt_ms"] = self.remote_interrupts(manager, standin, rounds)
                    finally:
                        manager.shutdown_kernel(now=True)
                        manager.cleanup_resources()
            finally:
                for name, value in saved.items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value
        mb = lambda kib: kib * 1024 / 1e6  # noqa: E731
        # The connection's own cost, plus libwebsockets' pages (touched in both: a refused
        # upgrade runs its code too), as if it were not linked at all: an upper bound.
        library = mb(result["with"]["libwebsockets_kib"])
        added_rss = mb(result["with"]["Rss"] - result["without"]["Rss"]) + library
        added_dirty = mb(result["with"]["Private_Dirty"] - result["without"]["Private_Dirty"])
        latencies = sorted(result["interrupt_ms"])
        median, worst = statistics.median(latencies), latencies[-1]
        self.say(f"   monitor RSS {mb(result['without']['Rss']):.1f} MB without the socket, "
                 f"{mb(result['with']['Rss']):.1f} MB with it; with libwebsockets' own pages "
                 f"({library:.1f} MB): +{added_rss:.1f} MB "
                 f"(private dirty {added_dirty:+.1f} MB; threads {result['without']['threads']} → "
                 f"{result['with']['threads']})")
        self.say(f"   app interrupt → kernel SIGINT: median {median:.1f} ms, max {worst:.1f} ms "
                 f"({len(latencies)} rounds)")
        self.target("socket adds to idle RSS", "<= 3 MB", f"{added_rss:+.1f} MB (monitor)", added_rss <= 3)
        self.target("remote interrupt latency", "<= 100 ms", f"median {median:.1f} ms, max {worst:.1f} ms",
                    worst <= 100)
        result.update(added_rss_mb=added_rss, added_private_dirty_mb=added_dirty,
                      interrupt_median_ms=median, interrupt_max_ms=worst)
        return result

    @staticmethod
    def wait_socket(standin: Standin) -> dict:
        """The bridge's session socket, once it has said `connect` (30 s at most)."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            bound = [c for c in standin.control("ws")["connections"] if c["sessionId"] and c["closed"] is None]
            if bound:
                return bound[-1]
            time.sleep(0.05)  # polling the stand-in, with the deadline above
        raise RuntimeError("the bridge's session socket never connected")

    def remote_interrupts(self, manager: KernelManager, standin: Standin, rounds: int) -> list[float]:
        """Each round: a cell whose SIGINT handler writes the time, the app's interrupt, and
        the handler's time minus the stand-in's time of sending the action."""
        session = self.wait_socket(standin)["sessionId"]
        client = manager.client()
        client.start_channels()
        latencies = []
        try:
            client.wait_for_ready(timeout=60)
            for index in range(rounds):
                mark, ready = self.tmp / f"sigint-{index}", self.tmp / f"ready-{index}"
                code = (f"import pathlib, signal, time\nmark, ready = pathlib.Path({str(mark)!r}), "
                        f"pathlib.Path({str(ready)!r})\n"
                        "signal.signal(signal.SIGINT, lambda *a: mark.write_text(repr(time.time())))\n"
                        "ready.touch()\nwhile not mark.exists():\n    time.sleep(0.0005)\n"
                        "signal.signal(signal.SIGINT, signal.default_int_handler)")
                msg_id = client.execute(code)
                deadline = time.monotonic() + 30
                while not ready.exists():
                    if time.monotonic() > deadline:
                        raise RuntimeError("the interrupt cell did not start")
                    time.sleep(0.005)  # polling for the cell's marker, with the deadline above
                standin.press_interrupt(session)
                while not mark.exists() or not mark.read_text():
                    if time.monotonic() > deadline:
                        raise RuntimeError("the kernel never got the app's interrupt")
                    time.sleep(0.005)  # polling for the handler's mark, with the deadline above
                handled = float(mark.read_text())
                sent = [m["time"] for c in standin.control("ws")["connections"] if c["sessionId"] == session
                        for m in c.get("sent", []) if '"interrupt"' in m["text"]]
                latencies.append((handled - sent[-1]) * 1000)
                client.get_shell_msg(timeout=30)  # the cell's execute_reply: the kernel is free
                del msg_id
        finally:
            client.stop_channels()
        return latencies

    def python_sidecar_footprint(self) -> dict:
        """The Python sidecar (pyzmq + jupyter_client) subscribed to a kernel that says nothing."""
        connection = self.connection_file("sidecar")
        sidecar = subprocess.Popen(
            [self.python, str(HERE / "python_sidecar.py"), "flood", "--connection-file", str(connection),
             "--idle-timeout-ms", str(int(1000 * (self.cost_idle_seconds + 60))), "--ready"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            assert sidecar.stdout is not None
            if sidecar.stdout.readline().strip() != "ready":
                raise RuntimeError("the Python sidecar did not start")
            cpu_before = proc_cpu_seconds(sidecar.pid)
            time.sleep(self.cost_idle_seconds)  # the idle period measured, not a synchronisation
            interpreter = Path(os.path.realpath(self.python))
            figures = footprint(sidecar.pid, interpreter)
            figures["idle_cpu_seconds"] = proc_cpu_seconds(sidecar.pid) - cpu_before
            # The interpreter and libpython, when it is a shared library (pyenv, some distributions).
            mapped = {line.split(None, 5)[5].strip() for line in Path(f"/proc/{sidecar.pid}/maps").read_text()
                      .splitlines() if len(line.split(None, 5)) > 5}
            figures["binary_bytes"] = interpreter.stat().st_size + sum(
                Path(path).stat().st_size for path in mapped if "/libpython" in path)
        finally:
            sidecar.kill()
            sidecar.wait(timeout=10)
        return figures

    def print_cost(self, result: dict) -> None:
        processes, sidecar = result["processes"], result["python_sidecar"]
        mb = lambda kib: kib * 1024 / 1e6  # noqa: E731  (MB, as the targets are written)
        self.say(f"   {'':<22}{'RSS':>8}{'PSS':>8}{'priv.dirty':>11}{'threads':>8}{'idle CPU':>10}   "
                 "RSS (private dirty) by mapping, MB")
        rows = [*processes.items(), ("python sidecar", sidecar)]
        for name, f in rows:
            classes = ", ".join(f"{kind} {mb(c['Rss']):.1f} ({mb(c['Private_Dirty']):.1f})"
                                for kind, c in f["classes"].items())
            self.say(f"   {name:<22}{mb(f['Rss']):>8.1f}{mb(f['Pss']):>8.1f}{mb(f['Private_Dirty']):>11.1f}"
                     f"{f['threads']:>8}{f['idle_cpu_seconds']:>9.2f}s   {classes}")
        for name, f in processes.items():
            self.say(f"   {name} by file: " + ", ".join(
                f"{path} {mb(c['Rss']):.1f} ({mb(c['Private_Dirty']):.1f})" for path, c in f["largest_files"].items()))
        total = {key: sum(f[key] for f in processes.values()) for key in ("Rss", "Pss", "Private_Dirty")}
        threads = sum(f["threads"] for f in processes.values())
        self.say(f"   {'bridge (both)':<22}{mb(total['Rss']):>8.1f}{mb(total['Pss']):>8.1f}"
                 f"{mb(total['Private_Dirty']):>11.1f}{threads:>8}")
        self.say(f"   with {result['bridges']} bridges running: PSS {mb(result['pss_per_bridge_kib']):.1f} MB, "
                 f"private dirty {mb(result['private_dirty_per_bridge_kib']):.1f} MB per bridge")
        self.say(f"   binary {result['binary_bytes'] / 1e6:.1f} MB (python interpreter and libpython "
                 f"{sidecar['binary_bytes'] / 1e6:.1f} MB, plus its modules)")
        self.target("idle RSS, supervisor + monitor", "<= 12 MB",
                    f"{mb(total['Rss']):.1f} MB (python sidecar {mb(sidecar['Rss']):.1f} MB)",
                    mb(total["Rss"]) <= 12)
        self.target("idle private dirty, both", "<= 3 MB",
                    f"{mb(total['Private_Dirty']):.1f} MB (python sidecar {mb(sidecar['Private_Dirty']):.1f} MB)",
                    mb(total["Private_Dirty"]) <= 3)
        self.target(f"PSS per bridge, {result['bridges']} running", "(reported)",
                    f"{mb(result['pss_per_bridge_kib']):.1f} MB (python sidecar alone "
                    f"{mb(sidecar['Pss']):.1f} MB)", None)
        cpu = sum(f["idle_cpu_seconds"] for f in processes.values())
        self.target("idle CPU, both", "≈ 0",
                    f"{cpu:.2f} s in {result['idle_seconds']:g} s (python sidecar "
                    f"{sidecar['idle_cpu_seconds']:.2f} s)", None)

class Standin:
    """The local LMK stand-in (tools/lmk_standin.py) on a free port, for one access token;
    `env` points a bridge at it."""

    def __init__(self, python: str, tmp: Path):
        self.python = python
        self.port_file = tmp / "standin.port"
        self.token = secrets.token_hex(16)
        self.base = ""
        self.env: dict[str, str] = {}

    def __enter__(self) -> "Standin":
        self.port_file.unlink(missing_ok=True)
        self.process = subprocess.Popen(
            [self.python, str(HERE.parent / "tools" / "lmk_standin.py"), "--port", "0", "--port-file",
             str(self.port_file)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=dict(os.environ, LMK_STANDIN_ACCESS_TOKENS=self.token))
        deadline = time.monotonic() + 30
        while not self.port_file.exists():
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.process.kill()
                raise RuntimeError("the LMK stand-in did not start")
            time.sleep(0.05)  # polling for the port file, with the deadline above
        self.base = f"http://127.0.0.1:{self.port_file.read_text().strip()}"
        self.env = {"LMK_SERVER_URL": self.base, "LMK_ACCESS_TOKEN": self.token}
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    def control(self, path: str, body: object = None, method: str | None = None) -> dict:
        """A control operation: GET, or POST with `body` (or `method`, e.g. DELETE)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.base}/_standin/{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def press_interrupt(self, session_id: str) -> None:
        """The LMK app's interrupt button (`sessionAction`)."""
        request = urllib.request.Request(
            f"{self.base}/v1/session/{session_id}/action", data=json.dumps({"action": "interrupt"}).encode(),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            if response.status != 201:
                raise RuntimeError(f"sessionAction answered {response.status}")


class Transcript:
    """A child process whose stdout lines are collected on a thread."""

    def __init__(self, command: list[str], env: dict | None = None):
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
        self.pid = self.process.pid
        self.lines: list[str] = []
        self.changed = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self.changed:
                self.lines.append(line.rstrip("\n"))
                self.changed.notify_all()

    def wait_for(self, predicate: Callable[[list[str]], bool], timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: predicate(self.lines), timeout=timeout)

    def stop(self) -> list[str]:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.reader.join(timeout=5)
        return list(self.lines)


def timed_kernel_start(kernel_name: str, while_ready: Callable[[KernelManager], None] | None = None) -> float:
    """Starts `kernel_name` through jupyter_client and returns the seconds from `start_kernel` to
    the first `kernel_info` reply; `while_ready(manager)` runs before the kernel is shut down."""
    manager = KernelManager(kernel_name=kernel_name)
    started = time.perf_counter()
    manager.start_kernel(stderr=subprocess.DEVNULL)
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        took = time.perf_counter() - started
        if while_ready is not None:
            while_ready(manager)
        return took
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
        manager.cleanup_resources()


def run_measured(command: list[str], name: str) -> tuple[str, float]:
    """Runs a receiver; returns its stdout and the CPU time it used (all threads)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stderr is not None
    output = process.stdout.read()
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{name} failed ({process.returncode}): {errors.strip()}")
    return output, usage.ru_utime + usage.ru_stime


def free_ports(count: int) -> list[int]:
    sockets = []
    for _ in range(count):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def proc_status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/{pid}/status has no {field}")


def proc_children(pid: int) -> list[int]:
    """The children of `pid`, from /proc/<pid>/task/*/children."""
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(c) for c in (task / "children").read_text().split()]
    return children


def monitor_of(supervisor: int) -> int:
    """The `jupyter-lmk monitor` child of a supervisor, once it is there (10 s at most)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        monitor = next((pid for pid in proc_children(supervisor)
                        if b"monitor" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")), None)
        if monitor is not None:
            return monitor
        time.sleep(0.05)  # polling for the child to appear, with the deadline above
    raise RuntimeError("no `jupyter-lmk monitor` child of the supervisor")


def bridge_pids(manager: KernelManager) -> dict[str, int]:
    supervisor = manager.provisioner.process.pid
    return {"supervisor": supervisor, "monitor": monitor_of(supervisor)}


def start_connected_kernel(kernel_name: str, standin: Standin, sessions: int) -> KernelManager:
    """Starts a wrapped kernel, runs one cell, and waits until the stand-in holds `sessions`
    open sessions: this bridge is connected to LMK."""
    manager = KernelManager(kernel_name=kernel_name)
    manager.start_kernel(stderr=subprocess.DEVNULL)
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        client.execute_interactive("1 + 1", timeout=60, output_hook=lambda message: None)
    finally:
        client.stop_channels()
    deadline = time.monotonic() + 30
    while sum(1 for s in standin.control("sessions")["sessions"] if not s["ended"]) < sessions:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the stand-in never saw {sessions} open sessions")
        time.sleep(0.05)  # polling the stand-in, with the deadline above
    return manager


def smaps_rollup(pid: int) -> dict[str, int]:
    """/proc/<pid>/smaps_rollup in KiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, value = line.split(":", 1)
        fields[key] = int(value.split()[0])
    return fields


def mapping_class(path: str, binary: Path) -> str:
    if not path.startswith("/"):
        return "anonymous"  # heap, thread stacks, [anon]; [vdso] and the like are not counted
    if os.path.realpath(path) == str(binary.resolve()):
        return "binary"
    if "/swift/" in path:
        return "swift libraries"
    return "other libraries"


def footprint(pid: int, binary: Path) -> dict:
    """RSS, PSS and private memory of `pid` (KiB, smaps_rollup), the same by mapping class
    (the binary, the toolchain's Swift libraries, other shared libraries, anonymous), threads."""
    classes: dict[str, dict[str, int]] = {}
    files: dict[str, dict[str, int]] = {}
    current = name = None
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        head = line.split(None, 5)
        if "-" in head[0] and not head[0].endswith(":"):
            path = head[5].strip() if len(head) > 5 else ""
            current = None if path in ("[vdso]", "[vvar]", "[vsyscall]") else mapping_class(path, binary)
            name = os.path.basename(path) if path.startswith("/") else None
        elif current and head[0] in ("Rss:", "Private_Dirty:"):
            for table, key in ((classes, current), (files, name)):
                if key:
                    figures = table.setdefault(key, {"Rss": 0, "Private_Dirty": 0})
                    figures[head[0][:-1]] += int(head[1])
    order = ["binary", "swift libraries", "other libraries", "anonymous"]
    largest = sorted(files.items(), key=lambda item: -item[1]["Rss"])[:8]
    return {**smaps_rollup(pid), "threads": len(list(Path(f"/proc/{pid}/task").iterdir())),
            "classes": {kind: classes[kind] for kind in order if kind in classes},
            "largest_files": dict(largest)}


def mapped_rss_kib(pid: int, name: str) -> int:
    """RSS (KiB) of the mappings of files whose path contains `name`."""
    total, current = 0, False
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        head = line.split(None, 5)
        if "-" in head[0] and not head[0].endswith(":"):
            current = len(head) > 5 and name in head[5]
        elif current and head[0] == "Rss:":
            total += int(head[1])
    return total


def quartiles(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return values[0], values[0]
    first, _, third = statistics.quantiles(values, n=4)
    return first, third


def proc_cpu_seconds(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of stat(5)
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


def fmt_ratio(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else "n/a"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--build-dir", type=Path, required=True)
    parser.add_argument("--bench-dir", type=Path, required=True)
    args = parser.parse_args()
    bench = Bench(args.build_dir.resolve(), args.bench_dir.resolve())
    bench.isolate()
    sections = os.environ.get("JUPYTER_LMK_BENCH_SECTIONS", "abcdefgh")
    results: dict = {
        "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version()},
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    bench.say(f"jupyter-lmk benchmarks on {os.cpu_count()} cores ({platform.platform()})")
    if any(letter in sections for letter in "abd"):  # the pre-signed cell they replay
        bench.generate_cell()
    steps = [("a", "pipeline", bench.pipeline), ("b", "flood", bench.flood), ("c", "memory", bench.memory),
             ("d", "latency", bench.latency), ("e", "startup", bench.startup),
             ("f", "launcher_idle", bench.launcher_idle), ("g", "cost", bench.cost),
             ("h", "remote", bench.remote)]
    for letter, key, step in steps:
        if letter not in sections:
            continue
        started = time.perf_counter()
        results[key] = step()
        results[key]["section_seconds"] = round(time.perf_counter() - started, 1)
        bench.say()
    bench.print_targets()
    results["targets"] = bench.targets
    out = Path(os.environ.get("JUPYTER_LMK_BENCH_JSON") or args.bench_dir / "results.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    shutil.rmtree(bench.tmp, ignore_errors=True)
    bench.say(f"results: {out}")


if __name__ == "__main__":
    main()
