"""The account commands as a new user meets them: `login` against the stand-in (the server
URL remembered), `status` telling "unreachable" from "rejected" from "not logged in", and
`logout` when there is nothing to log out of."""
from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

from kernels import bridge_binary
from standin import Standin


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, HOME=str(home), **extra)
    for key in ("LMK_ACCESS_TOKEN", "LMK_REFRESH_TOKEN", "LMK_ACCESS_TOKEN_EXPIRES", "LMK_CONFIG_PATH",
                "LMK_PROFILE", "JUPYTER_LMK_CONFIG", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "DISPLAY",
                "WAYLAND_DISPLAY"):
        if key not in extra:
            env.pop(key, None)
    if "LMK_SERVER_URL" not in extra:
        env.pop("LMK_SERVER_URL", None)
    return env


def cli(env: dict[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([bridge_binary(), *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def login(standin: Standin, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`jupyter-lmk login --no-browser`, approved on the stand-in once it printed its URL."""
    proc = subprocess.Popen([bridge_binary(), "login", "--no-browser", "--timeout", "60"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        url = None
        assert proc.stdout is not None
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            match = re.search(r"/_standin/headless/([^/\s]+)/authorize", line)
            url = match and match.group(1)
        assert url, "login printed no authorize URL"
        standin.approve(url)
        out, err = proc.communicate(timeout=30)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_login_saves_the_server_url_and_later_commands_use_it(standin, tmp_path):
    result = login(standin, clean_env(tmp_path, LMK_SERVER_URL=standin.url))
    assert result.returncode == 0, result.stdout + result.stderr
    config = (tmp_path / ".lmk/config").read_text()
    assert f"server_url = {standin.url}" in config
    assert oct((tmp_path / ".lmk/config").stat().st_mode & 0o777) == "0o600"

    # No LMK_SERVER_URL from here on: the profile's server_url is used.
    status = cli(clean_env(tmp_path), "status")
    assert status.returncode == 0, status.stdout + status.stderr
    assert f"server       {standin.url} (from the profile's server_url)" in status.stdout
    assert 'token        valid: app' in status.stdout
    whoami = cli(clean_env(tmp_path), "whoami")
    assert whoami.returncode == 0 and standin.url in whoami.stdout, whoami.stdout + whoami.stderr

    logout = cli(clean_env(tmp_path), "logout")
    assert logout.returncode == 0 and "Logged out: tokens removed" in logout.stdout
    assert "access_token" not in (tmp_path / ".lmk/config").read_text()
    assert f"server_url = {standin.url}" in (tmp_path / ".lmk/config").read_text()


def test_status_when_the_server_is_down_says_unreachable_not_login(python_exe, repo_root, tmp_path):
    with Standin().start(python_exe, repo_root) as gone:
        url = gone.url
    result = cli(clean_env(tmp_path, LMK_SERVER_URL=url, LMK_ACCESS_TOKEN="at-anything"), "status")
    assert result.returncode == 1
    out = result.stdout
    assert f"reachable    NO: LMK server {url} unreachable: " in out, out
    assert "token        not checked (the server did not answer)" in out
    assert "to do        check the network, or LMK_SERVER_URL" in out
    assert "login" not in out
    assert "at-anything" not in out + result.stderr


def test_status_with_a_token_the_server_rejects_says_log_in_again(standin, tmp_path):
    config = tmp_path / ".lmk/config"
    config.parent.mkdir()
    config.write_text(f"[python]\naccess_token = at-revoked\nserver_url = {standin.url}\n")
    result = cli(clean_env(tmp_path), "status")
    assert result.returncode == 1
    assert "token        NOT usable: token rejected by LMK (HTTP 401" in result.stdout, result.stdout
    assert "to do        run `jupyter lmk login`" in result.stdout
    assert "unreachable" not in result.stdout


def test_status_with_a_rejected_token_from_the_environment_names_the_variable(standin, tmp_path):
    result = cli(clean_env(tmp_path, LMK_SERVER_URL=standin.url, LMK_ACCESS_TOKEN="not-a-token"), "status")
    assert result.returncode == 1
    assert "token rejected by LMK (HTTP 401" in result.stdout
    assert "to do        LMK_ACCESS_TOKEN set in the environment: replace or unset it" in result.stdout
    assert "not-a-token" not in result.stdout + result.stderr


def test_status_without_credentials_says_not_logged_in(tmp_path):
    result = cli(clean_env(tmp_path), "status")
    assert result.returncode == 1
    assert "token        none: not logged in" in result.stdout
    assert "to do        run `jupyter lmk login`" in result.stdout


def test_logout_when_never_logged_in_says_so_and_creates_nothing(tmp_path):
    result = cli(clean_env(tmp_path), "logout")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Not logged in: no tokens in ")
    assert "nothing to remove" in result.stdout
    assert not (tmp_path / ".lmk").exists()


def test_login_against_nothing_fails_within_seconds_naming_the_cause(tmp_path):
    started = time.monotonic()
    result = cli(clean_env(tmp_path, LMK_SERVER_URL="http://nonexistent.invalid"), "login", "--no-browser")
    assert result.returncode == 1
    assert time.monotonic() - started < 10
    assert "Could not resolve host: nonexistent.invalid" in result.stderr, result.stderr
    assert "Couldn't resolve host name" not in result.stderr
    assert not (tmp_path / ".lmk").exists()
