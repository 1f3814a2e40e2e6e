"""Sizes, kernel start and idle memory of the wheel's binary next to source builds.

    .venv/bin/python tools/bench_wheel.py [--starts N] WHEEL NAME=BINARY...

e.g. `.venv/bin/python tools/bench_wheel.py dist/jupyter_lmk-*.whl wheel=.venv-wheel-test/lib/python3.11/site-packages/jupyter_lmk/bin/jupyter-lmk debug=.build/debug/jupyter-lmk`.

- wheel size; installed size (the package, its bundled libraries, the console script) from the
  wheel's RECORD;
- kernel start as in Benchmarks/run.py part e: ipykernel unwrapped and wrapped by each binary,
  started through jupyter_client in alternating order, timed from `start_kernel` to the first
  `kernel_info` reply; medians and ratios to unwrapped;
- idle memory of the bridge (supervisor + monitor, everything it adds next to the kernel)
  `IDLE_SECONDS` after the kernel is ready: RSS, PSS and private dirty from smaps_rollup.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "Benchmarks"))
from run import monitor_of, smaps_rollup, timed_kernel_start  # noqa: E402  (Benchmarks/run.py)

IDLE_SECONDS = 3.0


def installed_bytes(wheel: Path) -> int:
    with zipfile.ZipFile(wheel) as archive:
        record = next(n for n in archive.namelist() if n.endswith(".dist-info/RECORD"))
        rows = csv.reader(io.StringIO(archive.read(record).decode()))
        return sum(int(row[2]) for row in rows if len(row) == 3 and row[2])


def bridge_memory(bridge: int) -> dict[str, float]:
    """Supervisor + its monitor child (the kernel, the other child, excluded)."""
    pids = [bridge, monitor_of(bridge)]
    total = {"processes": len(pids), "rss_mib": 0.0, "pss_mib": 0.0, "private_dirty_mib": 0.0}
    for pid in pids:
        fields = smaps_rollup(pid)
        total["rss_mib"] += fields["Rss"] / 1024
        total["pss_mib"] += fields["Pss"] / 1024
        total["private_dirty_mib"] += fields["Private_Dirty"] / 1024
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--starts", type=int, default=10)
    parser.add_argument("wheel", type=Path)
    parser.add_argument("binaries", nargs="+", help="NAME=PATH")
    args = parser.parse_args()
    binaries = dict(item.split("=", 1) for item in args.binaries)

    results: dict = {
        "wheel_bytes": args.wheel.stat().st_size,
        "installed_bytes": installed_bytes(args.wheel),
        "binary_bytes": {name: os.path.getsize(path) for name, path in binaries.items()},
    }
    root = Path(tempfile.mkdtemp(prefix="bench-wheel-"))
    kernel = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    specs = {"unwrapped": kernel}
    for name, path in binaries.items():
        specs[name] = [os.path.abspath(path), "run", "--connection-file", "{connection_file}", "--", *kernel]
    for name, argv in specs.items():
        spec_dir = root / "kernels" / f"bench-{name}"
        spec_dir.mkdir(parents=True)
        (spec_dir / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": name, "language": "python"}))
    os.environ.update(JUPYTER_PATH=str(root), JUPYTER_RUNTIME_DIR=str(root / "runtime"), HOME=str(root))
    for variable in ("LMK_ACCESS_TOKEN", "LMK_REFRESH_TOKEN", "LMK_SERVER_URL"):
        os.environ.pop(variable, None)

    times: dict[str, list[float]] = {name: [] for name in specs}
    memory: dict[str, list[dict]] = {name: [] for name in binaries}
    for round_number in range(args.starts):
        order = list(specs)[round_number % len(specs):] + list(specs)[:round_number % len(specs)]
        for name in order:
            def sample(manager, name=name):
                time.sleep(IDLE_SECONDS)  # a measurement of the idle state, not synchronisation
                memory[name].append(bridge_memory(manager.provisioner.process.pid))

            times[name].append(timed_kernel_start(f"bench-{name}", sample if name in memory else None))

    medians = {name: statistics.median(values) for name, values in times.items()}
    results["start_median_ms"] = {name: round(1000 * value, 1) for name, value in medians.items()}
    results["start_ratio"] = {name: round(medians[name] / medians["unwrapped"], 3) for name in binaries}
    results["idle_memory_median"] = {
        name: {key: round(statistics.median(sample[key] for sample in samples), 1)
               for key in ("processes", "rss_mib", "pss_mib", "private_dirty_mib")}
        for name, samples in memory.items()
    }
    results["starts"] = args.starts
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
