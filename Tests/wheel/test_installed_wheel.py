"""The wheel, installed into a fresh virtual environment, on a root where no Swift is visible.

Run by tools/test-wheel.sh, which installs the wheel and the pinned jupyter_client, ipykernel,
nbclient and jupyter_server into a new venv and runs this file with that venv's Python in a
mount namespace where /opt/swift (the toolchain) is an empty tmpfs and the system's libzmq and
libcurl are empty files: what the binary needs must come from the wheel.

The LMK stand-in runs on the project's test venv (`$JUPYTER_LMK_PYTHON`, tools/setup.sh makes it).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "Tests" / "e2e"))

from kernels import cmdline, wait_until  # noqa: E402
from standin import Standin  # noqa: E402
from test_bridge_launch import Server, execute_in  # noqa: E402

VENV_BIN = Path(sysconfig.get_path("scripts"))
VERSION = re.search(r'version: "([^"]+)"', (REPO / "Sources/jupyter-lmk/JupyterLMK.swift").read_text())[1]


@pytest.fixture(scope="session")
def binary() -> Path:
    import jupyter_lmk

    return jupyter_lmk.BUNDLED_BINARY


@pytest.fixture
def lmk():
    token = "at-seeded-" + secrets.token_urlsafe(16)
    with Standin().start(os.environ["JUPYTER_LMK_PYTHON"], REPO, access_tokens=[token]) as standin:
        standin.token = token
        yield standin


@pytest.fixture
def env(tmp_path, lmk) -> dict[str, str]:
    """A user's shell in this venv: its bin on PATH, a temporary HOME and Jupyter dirs, LMK = the stand-in."""
    home = tmp_path / "home"
    home.mkdir()
    return {
        "PATH": os.pathsep.join([str(VENV_BIN), "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_PLATFORM_DIRS": "0",
        "LMK_SERVER_URL": lmk.url,
        "LMK_ACCESS_TOKEN": lmk.token,
    }


def run(argv: list[str], env: dict[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, f"{argv} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


def execute(path: Path, kernel: str, env: dict[str, str]) -> None:
    """`jupyter execute` as a batch job; JPY_SESSION_NAME names the notebook, as nbclient users set it."""
    run(["jupyter", "execute", f"--kernel_name={kernel}", "--inplace", str(path)],
        dict(env, JPY_SESSION_NAME=str(path)), cwd=path.parent)


def notebook(path: Path, cells: list[str]) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["lmk"] = {"notifyOn": "stop"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(nb, path)
    return path


def assert_notified(lmk, name: str) -> None:
    events = wait_until(lmk.events, 15, "the notification")
    assert len(events) == 1, events
    assert events[0]["message"].startswith(f"Notebook **{name}** **finished**"), events[0]["message"]
    for request in lmk.requests():
        assert request["valid"], request
        assert lmk.token not in request["path"]


# ---------------------------------------------------------------- the installed files


def test_no_swift_is_visible_and_the_binary_needs_only_the_wheel_and_glibc(binary):
    assert shutil.which("swift") is None
    assert not any(Path("/opt/swift").iterdir())
    assert binary.is_file() and os.access(binary, os.X_OK)
    ldd = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=True).stdout
    libs = (Path(sysconfig.get_path("platlib")) / "jupyter_lmk.libs").resolve()
    resolved = {name: Path(path).resolve() for name, path in re.findall(r"^\s*(\S+) => (\S+)", ldd, re.MULTILINE)}
    assert "/opt/swift" not in ldd and "not found" not in ldd, ldd
    for wanted in ("libzmq", "libcurl"):
        (path,) = [p for name, p in resolved.items() if name.startswith(wanted)]
        assert path.parent == libs, ldd
    outside = {name for name, path in resolved.items() if path.parent != libs}
    # glibc and the C++/gcc runtimes that every manylinux platform guarantees.
    assert outside <= {"libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "libpthread.so.0",
                       "libdl.so.2", "librt.so.1", "libresolv.so.2", "libz.so.1"}, ldd


def test_the_bundled_libraries_come_with_their_copyright_notices(binary):
    libs = (Path(sysconfig.get_path("platlib")) / "jupyter_lmk.libs")
    notices = {p.name for p in (binary.parent.parent / "third-party-licenses").iterdir()}
    assert {"libzmq5.copyright", "libcurl4.copyright", "libssl3.copyright"} <= notices
    # One Debian package may ship several of the libraries (libssl3: libssl and libcrypto).
    assert len(notices) <= len(list(libs.iterdir()))


def test_jupyter_dispatcher_runs_the_bundled_binary(env):
    result = run([str(VENV_BIN / "jupyter"), "lmk", "--version"], env)
    assert result.stdout.strip() == VERSION


# ---------------------------------------------------------------- notebooks, both ways


def test_install_then_a_notebook_run_notifies(env, lmk, tmp_path, binary):
    result = run(["jupyter", "lmk", "install"], env)
    assert "Installed kernelspec python3-lmk" in result.stdout
    spec = json.loads((tmp_path / "data" / "kernels" / "python3-lmk" / "kernel.json").read_text())
    # The spec starts the binary itself, not the Python console script in front of it.
    assert spec["argv"][:2] == [str(binary), "run"]

    path = notebook(tmp_path / "wheel run.ipynb", ["x = 6 * 7", "print(x)"])
    execute(path, "python3-lmk", env)
    assert_notified(lmk, "wheel run.ipynb")


def test_the_provisioner_from_the_environment_variable(env, lmk, tmp_path):
    path = notebook(tmp_path / "provisioned.ipynb", ["import os", "'LMK_ACCESS_TOKEN' in os.environ"])
    env = dict(env, JUPYTER_DEFAULT_PROVISIONER_NAME="lmk")
    # The plain python3 kernel: no wrapped kernelspec is installed in this test.
    execute(path, "python3", env)
    assert_notified(lmk, "provisioned.ipynb")
    outputs = nbformat.read(path, as_version=4).cells[1].outputs
    assert outputs[0]["data"]["text/plain"] == "False", "the kernel saw the bridge's LMK token"


def test_the_provisioner_for_every_kernel_of_a_jupyter_server(env, lmk, tmp_path, binary):
    # As an operator enables it (JupyterHub's single-user server, /etc/jupyter → here JUPYTER_CONFIG_DIR).
    config = Path(env["JUPYTER_CONFIG_DIR"])
    config.mkdir()
    (config / "jupyter_server_config.py").write_text('c.KernelProvisionerFactory.default_provisioner_name = "lmk"\n')
    notebook(tmp_path / "served.ipynb", [])
    server = Server(sys.executable, tmp_path, tmp_path / "server.log", env)
    try:
        session = server.api("POST", "/api/sessions", {
            "path": "served.ipynb", "name": "served.ipynb", "type": "notebook", "kernel": {"name": "python3"},
        })
        connection = Path(env["JUPYTER_RUNTIME_DIR"]) / f"kernel-{session['kernel']['id']}.json"
        answer, bridge = execute_in(connection, "import os; 6 * 7, os.getppid()").strip("()").split(", ")
        assert answer == "42"
        # The kernel's parent is the bundled binary in launcher mode, started by the provisioner.
        assert cmdline(int(bridge))[:2] == [str(binary), "run"]
        assert_notified(lmk, "served.ipynb")
    finally:
        assert server.stop() == 0
