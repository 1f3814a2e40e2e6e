"""End-to-end tests of the `lmk` kernel provisioner (python/src/jupyter_lmk/provisioner.py, README.md, "Install").

The launcher tests (test_launcher.py) run through the provisioner as well; this file covers
what only the provisioner has: the kernelspec `jupyter lmk install --provisioner` writes, a
notification at the LMK stand-in for a notebook run through it, no double wrapping of a spec
that already runs `jupyter-lmk run`, and failing open when the binary is missing.

The provisioner is loaded from the source tree (no install); the wheel's own provisioner is
tested by tools/test-wheel.sh. Run with the project's venv:
`.venv/bin/python -m pytest Tests/e2e/test_provisioner.py`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client import KernelManager
from nbclient import NotebookClient

from kernels import (
    Running, bridge_binary, children_of, cmdline, kernel_child, provisioned_spec, result_text, run_cell,
    use_provisioner_from_source,
)

BRIDGE = os.path.abspath(bridge_binary())
IPYKERNEL = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]


@pytest.fixture(autouse=True)
def provisioner_site(tmp_path_factory):
    use_provisioner_from_source(tmp_path_factory.getbasetemp() / "provisioner-site")


@pytest.fixture
def jupyter(tmp_path, monkeypatch) -> Path:
    """Temporary Jupyter directories (data dir, runtime dir, HOME); returns the kernels directory."""
    home = tmp_path / "home"
    home.mkdir()
    for name in ("JPY_SESSION_NAME", "JUPYTER_PATH", "JUPYTER_LMK_CONFIG", "LMK_CONFIG_PATH", "LMK_PROFILE",
                 "LMK_ACCESS_TOKEN", "LMK_REFRESH_TOKEN", "LMK_SERVER_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "0")
    kernels = tmp_path / "data" / "kernels"
    kernels.mkdir(parents=True)
    return kernels


def write_spec(kernels: Path, name: str, spec: dict) -> None:
    (kernels / name).mkdir()
    (kernels / name / "kernel.json").write_text(json.dumps(spec))


def start(name: str, log: Path) -> Running:
    running = Running(KernelManager(kernel_name=name), log)
    running.km.start_kernel(stderr=running.stderr)
    running.kc = running.km.client()
    running.kc.start_channels()
    running.kc.wait_for_ready(timeout=60)
    return running


# ---------------------------------------------------------------- the command it builds


def test_the_command_is_prefixed_once():
    from jupyter_lmk.provisioner import bridge_command

    kernel = ["/venv/bin/python", "-m", "ipykernel_launcher", "-f", "/run/kernel-1.json"]
    wrapped = bridge_command("/venv/lib/jupyter_lmk/bin/jupyter-lmk", "/run/kernel-1.json", kernel)
    assert wrapped == ["/venv/lib/jupyter_lmk/bin/jupyter-lmk", "run", "--connection-file",
                       "/run/kernel-1.json", "--", *kernel]
    assert bridge_command("/other/jupyter-lmk", "/run/kernel-1.json", wrapped) == wrapped
    # Only a real `jupyter-lmk run --connection-file …` counts as wrapped.
    attach = ["/b/jupyter-lmk", "attach", "--connection-file", "/run/kernel-1.json"]
    assert bridge_command("/b/jupyter-lmk", "/c.json", attach)[:5] == ["/b/jupyter-lmk", "run",
                                                                        "--connection-file", "/c.json", "--"]


# ---------------------------------------------------------------- through Jupyter


def test_a_wrapped_spec_is_not_wrapped_twice(jupyter, tmp_path):
    argv = [BRIDGE, "run", "--connection-file", "{connection_file}", "--", *IPYKERNEL]
    write_spec(jupyter, "both", provisioned_spec(argv, BRIDGE, display_name="both", language="python"))
    k = start("both", tmp_path / "bridge.log")
    try:
        assert type(k.km.provisioner).__name__ == "LMKProvisioner"
        kernel = kernel_child(k.bridge.pid)
        assert cmdline(kernel)[1:3] == ["-m", "ipykernel_launcher"]
        assert [pid for pid in children_of(kernel) if cmdline(pid)[1:2] == ["run"]] == []
        assert result_text(run_cell(k.kc, "1 + 1")) == "2"
    finally:
        k.stop()


def test_without_a_binary_the_kernel_starts_unmonitored(jupyter, tmp_path, caplog):
    missing = str(tmp_path / "nowhere" / "jupyter-lmk")
    write_spec(jupyter, "plain", provisioned_spec(IPYKERNEL, missing, display_name="plain", language="python"))
    k = start("plain", tmp_path / "kernel.log")
    try:
        assert cmdline(k.bridge.pid)[1:3] == ["-m", "ipykernel_launcher"]
        assert result_text(run_cell(k.kc, "6 * 7")) == "42"
        assert f"no jupyter-lmk binary at {missing!r}" in caplog.text
    finally:
        k.stop()


def test_install_provisioner_and_a_notebook_run_notifies(jupyter, tmp_path, monkeypatch, standin, python_exe):
    # `jupyter lmk install --provisioner` keeps ipykernel's argv and names the provisioner; the
    # provisioner finds the binary on PATH (a source install), as a user's shell would.
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(python_exe).parent), "/usr/bin", "/bin"]))
    result = subprocess.run([BRIDGE, "install", "--provisioner", "--kernel", "python3"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "through the kernel provisioner lmk" in result.stdout
    spec = json.loads((jupyter / "python3-lmk" / "kernel.json").read_text())
    assert spec["metadata"]["kernel_provisioner"] == {"provisioner_name": "lmk", "config": {}}
    assert BRIDGE not in spec["argv"] and "run" not in spec["argv"]

    monkeypatch.setenv("PATH", os.pathsep.join([str(Path(BRIDGE).parent), os.environ["PATH"]]))
    monkeypatch.setenv("LMK_SERVER_URL", standin.url)
    monkeypatch.setenv("LMK_ACCESS_TOKEN", standin.token)
    path = tmp_path / "provisioned run.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.metadata["lmk"] = {"notifyOn": "stop"}
    nb.cells = [nbformat.v4.new_code_cell("import os; x = 6 * 7"),
                nbformat.v4.new_code_cell("print(x, 'LMK_ACCESS_TOKEN' in os.environ)")]
    nbformat.write(nb, path)
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    client = NotebookClient(nb, kernel_name="python3-lmk", timeout=60, startup_timeout=60,
                            resources={"metadata": {"path": str(tmp_path)}})
    launched: list = []
    client.on_notebook_start = lambda notebook: launched.append(
        (type(client.km.provisioner).__name__, cmdline(client.km.provisioner.process.pid)))
    log = tmp_path / "bridge.log"
    with open(log, "wb") as stderr:
        client.execute(stderr=stderr)

    ((provisioner, argv),) = launched
    assert provisioner == "LMKProvisioner"
    assert argv[:2] == [BRIDGE, "run"]
    # The kernel does not get the bridge's LMK secrets.
    assert "".join(o.get("text", "") for o in nb.cells[1].outputs) == "42 False\n"
    (event,) = standin.events()
    assert event["message"].startswith("Notebook **provisioned run.ipynb** **finished** after execution **\\[2\\]**")
    (session,) = standin.sessions()
    assert session["ended"]
    assert standin.token not in log.read_text(errors="replace")
