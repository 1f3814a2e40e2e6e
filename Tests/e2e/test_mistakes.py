"""A user's mistakes are never silent: each gets one line naming the place, the key and what
was expected — in the notebook's metadata.lmk (the config file's "did you mean"), in a cell
directive, in a notebook cut short, in a JUPYTER_LMK_CONFIG that names nothing."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from kernels import bridge_binary


def user_env(tmp_path: Path, python_exe: str, **extra: str) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    if not (bin_dir / "jupyter-lmk").exists():
        (bin_dir / "jupyter-lmk").symlink_to(bridge_binary())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LMK_", "JUPYTER", "XDG_", "JPY_"))}
    env.update(HOME=str(tmp_path / "home"), PATH=f"{bin_dir}:{Path(python_exe).parent}:/usr/bin:/bin", **extra)
    return env


def notebook(path: Path, lmk: dict, sources: list[str]) -> Path:
    cells = [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {}, "outputs": [],
              "source": source} for i, source in enumerate(sources)]
    path.write_text(json.dumps({"cells": cells, "metadata": {"lmk": lmk}, "nbformat": 4, "nbformat_minor": 5}))
    return path


def test_metadata_typos_and_bad_directives_are_logged_by_the_running_bridge(standin, python_exe, tmp_path):
    nb = notebook(tmp_path / "train.ipynb", {"notifyon": "stop", "NotifyChannel": "sms"},
                  ["# lmk: notify=always min=abc\nprint('hello')"])
    env = user_env(tmp_path, python_exe, LMK_SERVER_URL=standin.url, LMK_ACCESS_TOKEN=standin.token,
                   JPY_SESSION_NAME=str(nb))  # as jupyter_server sets it
    installed = subprocess.run(["jupyter-lmk", "install"], env=env, capture_output=True, text=True, timeout=60)
    assert installed.returncode == 0, installed.stderr
    run = subprocess.run(["jupyter", "execute", "--kernel_name=python3-lmk", str(nb)], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    log = run.stderr
    assert f'{nb}: metadata.lmk.notifyon: unknown key ignored (did you mean "notifyOn"?)' in log, log
    assert f'{nb}: metadata.lmk.NotifyChannel: unknown key ignored (did you mean "notifyChannel"?)' in log
    directive = 'cell [1]: cell directive "# lmk: notify=always min=abc": '
    assert directive + 'notify ignored: expected none, error or stop (got "always")' in log, log
    assert directive + 'min ignored: expected a duration such as 90, 90s, 2m or 1h (got "abc")' in log
    assert standin.token not in log


def test_status_reports_a_truncated_notebook_and_a_dangling_config(standin, python_exe, tmp_path):
    whole = json.dumps({"cells": [], "metadata": {"lmk": {"notifyOn": "stop"}}, "nbformat": 4, "nbformat_minor": 5})
    truncated = tmp_path / "cut.ipynb"
    truncated.write_text(whole[: whole.index('"nbformat"') + 4])
    link = tmp_path / "config.json"
    link.symlink_to(tmp_path / "moved-away.json")
    env = user_env(tmp_path, python_exe, LMK_SERVER_URL=standin.url, LMK_ACCESS_TOKEN=standin.token,
                   JUPYTER_LMK_CONFIG=str(link))
    result = subprocess.run(["jupyter-lmk", "status", "--notebook", str(truncated)], env=env,
                            capture_output=True, text=True, timeout=60)
    out = result.stdout
    assert f"config file  {link} (not used: see the problem below)" in out, out
    assert (f"problem      config ignored: {link} (JUPYTER_LMK_CONFIG) is a symlink to "
            f"{tmp_path / 'moved-away.json'}, which does not exist") in out, out
    assert (f"problem      notebook metadata not used: {truncated}: is not a readable notebook: "
            "the JSON text ends early") in out, out
    assert "notifyOn       none" in out  # the cut notebook's notifyOn is not used
