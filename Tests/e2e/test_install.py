"""End-to-end tests of `jupyter-lmk install` / `uninstall` (docs/BEHAVIOUR.md, "Commands").

The built binary wraps the venv's real ipykernel `python3` kernelspec into a temporary
JUPYTER_DATA_DIR / JUPYTER_PATH (HOME is temporary too, so nothing of the user's is
touched), and jupyter_client's KernelSpecManager checks what Jupyter will see. The
kernel itself is not started here (launcher mode has its own tests).

Run with the project's venv: `.venv/bin/python -m pytest Tests/e2e/test_install.py`.
The binary is `$JUPYTER_LMK_BIN`, else `<repo>/.build/debug/jupyter-lmk`; Jupyter's
Python is `$JUPYTER_LMK_PYTHON`, else `<repo>/.venv/bin/python`, else this interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

REPO = Path(__file__).resolve().parents[2]
BRIDGE = Path(os.environ.get("JUPYTER_LMK_BIN", REPO / ".build" / "debug" / "jupyter-lmk")).absolute()
BRIDGE_ARGS = ["run", "--connection-file", "{connection_file}", "--"]


def jupyter_python() -> Path:
    configured = os.environ.get("JUPYTER_LMK_PYTHON")
    if configured:
        return Path(configured)
    venv = REPO / ".venv" / "bin" / "python"
    return venv if venv.exists() else Path(sys.executable)


class Sandbox:
    """A Jupyter environment of temporary directories around the venv's Jupyter."""

    def __init__(self, root: Path):
        self.root = root
        self.home = root / "home"
        self.data_dir = root / "data"
        self.path_prefix = root / "path"  # on JUPYTER_PATH as <prefix>/share/jupyter
        self.bin = root / "bin"
        for directory in (self.home, self.data_dir, self.bin):
            directory.mkdir(parents=True)
        python = jupyter_python()
        self.python = python
        # The venv's bin first, so `jupyter` (and its Python) is found as a user's shell finds it.
        venv_bin = str(python.parent)
        self.env = {
            "HOME": str(self.home),
            "PATH": os.pathsep.join([str(self.bin), venv_bin, "/usr/local/bin", "/usr/bin", "/bin"]),
            "JUPYTER_DATA_DIR": str(self.data_dir),
            "JUPYTER_PATH": str(self.path_prefix / "share" / "jupyter"),
            "JUPYTER_PLATFORM_DIRS": "0",
            "LANG": "C.UTF-8",
        }

    @property
    def user_kernels(self) -> Path:
        return self.data_dir / "kernels"

    @property
    def path_kernels(self) -> Path:
        return self.path_prefix / "share" / "jupyter" / "kernels"

    def run(
        self, *args: str, expect: int | tuple[int, ...] = 0, program: str | None = None
    ) -> subprocess.CompletedProcess:
        command = [program or str(BRIDGE), *args]
        result = subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=120, cwd=self.root)
        allowed = expect if isinstance(expect, tuple) else (expect,)
        assert result.returncode in allowed, (
            f"{command} exited {result.returncode}, expected {expect}\n"
            f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
        )
        return result

    def manager(self, monkeypatch: pytest.MonkeyPatch) -> KernelSpecManager:
        """jupyter_client's view of this sandbox (it reads the environment when asked)."""
        for key, value in self.env.items():
            monkeypatch.setenv(key, value)
        monkeypatch.delenv("JUPYTER_PREFER_ENV_PATH", raising=False)
        monkeypatch.delenv("IPYTHONDIR", raising=False)
        return KernelSpecManager()

    def write_kernel(self, directory: Path, name: str, spec: dict, files: dict[str, bytes] | None = None) -> Path:
        kernel = directory / name
        kernel.mkdir(parents=True)
        (kernel / "kernel.json").write_text(json.dumps(spec))
        for file, contents in (files or {}).items():
            (kernel / file).write_bytes(contents)
        return kernel


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    if not BRIDGE.exists():
        pytest.fail(f"{BRIDGE} is missing: run `swift build` first (or set JUPYTER_LMK_BIN)")
    return Sandbox(tmp_path)


def original_python3(manager: KernelSpecManager):
    return manager.get_kernel_spec("python3")


def assert_wraps(wrapped, original, bridge: Path) -> None:
    argv = wrapped.argv
    assert argv[0] == str(bridge)
    assert argv[1:5] == BRIDGE_ARGS
    interpreter = Path(argv[5])
    assert interpreter.is_absolute() and os.access(interpreter, os.X_OK), argv
    assert argv[6:] == original.argv[1:]
    assert wrapped.language == original.language
    assert wrapped.env == original.env
    assert wrapped.metadata == original.metadata
    assert wrapped.metadata.get("supported_encryption") in (["curve"], "curve")
    assert wrapped.interrupt_mode == original.interrupt_mode


def test_install_wraps_the_ipykernel_spec_for_the_user(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch):
    result = sandbox.run("install")
    assert "python3-lmk" in result.stdout

    manager = sandbox.manager(monkeypatch)
    specs = manager.find_kernel_specs()
    assert Path(specs["python3-lmk"]) == sandbox.user_kernels / "python3-lmk"
    original = original_python3(manager)
    wrapped = manager.get_kernel_spec("python3-lmk")
    assert_wraps(wrapped, original, BRIDGE)
    assert wrapped.display_name == f"{original.display_name} (LMK)"
    # Jupyter resolves a bare `python` to its own interpreter; the wrapped spec names it.
    assert Path(wrapped.argv[5]).resolve() == sandbox.python.resolve()
    # Logos and other resources come along.
    original_files = {p.name for p in Path(original.resource_dir).iterdir() if p.name != "kernel.json"}
    copied = {p.name for p in (sandbox.user_kernels / "python3-lmk").iterdir() if p.name != "kernel.json"}
    assert original_files and original_files <= copied


def test_installing_again_says_it_replaces_and_what_ran_before(sandbox: Sandbox):
    first = sandbox.run("install")
    assert first.stdout.startswith("Installed kernelspec python3-lmk"), first.stdout
    again = sandbox.run("install")
    assert again.stdout.startswith("Replaced kernelspec python3-lmk"), again.stdout
    assert "(it ran the same before)" in again.stdout


def test_jupyter_dispatcher_runs_it_as_jupyter_lmk(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch):
    # As the README says: put the binary (here a symlink) on PATH as `jupyter-lmk`.
    link = sandbox.bin / "jupyter-lmk"
    link.symlink_to(BRIDGE)
    jupyter = sandbox.python.parent / "jupyter"
    sandbox.run("lmk", "install", "--name", "py-dispatched", "--display-name", "Py watched", program=str(jupyter))

    wrapped = sandbox.manager(monkeypatch).get_kernel_spec("py-dispatched")
    assert wrapped.argv[0] == str(link), "the PATH entry is recorded, so rebuilding the binary keeps the spec working"
    assert wrapped.display_name == "Py watched"

    sandbox.run("lmk", "uninstall", "--name", "py-dispatched", program=str(jupyter))
    with pytest.raises(NoSuchKernel):
        sandbox.manager(monkeypatch).get_kernel_spec("py-dispatched")


def test_prefix_install_and_uninstall(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch):
    result = sandbox.run(
        "install", "--prefix", str(sandbox.path_prefix), "--name", "Py-Env", "--python", str(sandbox.python)
    )
    assert "warning" not in result.stderr  # the prefix is on JUPYTER_PATH
    manager = sandbox.manager(monkeypatch)
    assert Path(manager.find_kernel_specs()["py-env"]) == sandbox.path_kernels / "py-env"
    assert_wraps(manager.get_kernel_spec("py-env"), original_python3(manager), BRIDGE)

    off_path = sandbox.root / "elsewhere"
    result = sandbox.run("install", "--prefix", str(off_path))
    assert f"add {off_path}/share/jupyter to JUPYTER_PATH" in result.stderr

    sandbox.run("uninstall", "--prefix", str(sandbox.path_prefix), "--name", "py-env")
    sandbox.run("uninstall", "--prefix", str(off_path))
    assert not (sandbox.path_kernels / "py-env").exists()
    assert not (off_path / "share" / "jupyter" / "kernels" / "python3-lmk").exists()
    assert "py-env" not in sandbox.manager(monkeypatch).find_kernel_specs()


def test_install_all_and_uninstall_all_touch_only_our_specs(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch):
    other = sandbox.write_kernel(
        sandbox.path_kernels,
        "echo",
        {"argv": ["/bin/cat", "{connection_file}"], "display_name": "Echo", "language": "text", "env": {"X": "1"}},
        {"logo-64x64.png": b"\x89PNG"},
    )
    result = sandbox.run("install", "--all", "--user")
    assert "echo-lmk" in result.stdout and "python3-lmk" in result.stdout

    manager = sandbox.manager(monkeypatch)
    echo = manager.get_kernel_spec("echo-lmk")
    assert echo.argv == [str(BRIDGE), *BRIDGE_ARGS, "/bin/cat", "{connection_file}"]
    assert echo.env == {"X": "1"} and echo.display_name == "Echo (LMK)"
    assert (sandbox.user_kernels / "echo-lmk" / "logo-64x64.png").read_bytes() == b"\x89PNG"

    # A second --all skips the wrapped specs instead of wrapping them again.
    result = sandbox.run("install", "--all", "--user")
    assert "skipped echo-lmk" in result.stderr
    assert not (sandbox.user_kernels / "echo-lmk-lmk").exists()

    sandbox.run("uninstall", "--all", "--user")
    remaining = sandbox.manager(monkeypatch).find_kernel_specs()
    assert "echo-lmk" not in remaining and "python3-lmk" not in remaining
    assert "echo" in remaining and (other / "kernel.json").exists()


def test_mistakes_are_one_clear_line_and_change_nothing(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch):
    sandbox.write_kernel(sandbox.path_kernels, "echo", {"argv": ["/bin/cat"], "display_name": "Echo", "language": "text"})

    result = sandbox.run("install", "--kernel", "nope", expect=1)
    assert 'no kernelspec named "nope"' in result.stderr and len(result.stderr.strip().splitlines()) == 1

    sandbox.run("install")
    result = sandbox.run("install", "--kernel", "python3-lmk", expect=1)
    assert "already runs through jupyter-lmk" in result.stderr

    # A name that belongs to someone else's kernelspec is neither overwritten nor removed.
    result = sandbox.run("install", "--name", "echo", "--prefix", str(sandbox.path_prefix), expect=1)
    assert "does not run through jupyter-lmk" in result.stderr
    result = sandbox.run("uninstall", "--name", "echo", expect=1)
    assert "not removed" in result.stderr
    assert sandbox.manager(monkeypatch).get_kernel_spec("echo").argv == ["/bin/cat"]

    # A usage error (PRODUCT says 2; swift-argument-parser's own code is 64).
    result = sandbox.run("install", "--user", "--sys-prefix", expect=(2, 64))
    assert "exclude each other" in result.stderr


def test_without_jupyter_on_path_the_standard_directories_are_searched(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
):
    # No `jupyter` to ask: the venv's data directory is reachable only through JUPYTER_PATH,
    # and its `python` is resolved from the spec's own prefix.
    venv = sandbox.python.parent.parent
    sandbox.env["PATH"] = os.pathsep.join([str(sandbox.bin), "/nonexistent"])
    sandbox.env["JUPYTER_PATH"] = str(venv / "share" / "jupyter")
    result = sandbox.run("install", "--name", "py-nojupyter")
    assert "no `jupyter` on PATH" in result.stderr

    wrapped = sandbox.manager(monkeypatch).get_kernel_spec("py-nojupyter")
    assert wrapped.argv[5] == str(venv / "bin" / "python3")

    result = sandbox.run("install", "--sys-prefix", expect=1)
    assert "--sys-prefix needs Jupyter's Python" in result.stderr
