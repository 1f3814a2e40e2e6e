"""Bad command-line values: every one is a usage error (exit 2) whose message names the flag
and what was expected; help reads at 80 columns."""
from __future__ import annotations

import os
import subprocess

import pytest

from kernels import bridge_binary


def cli(*args: str, columns: int = 80) -> subprocess.CompletedProcess:
    return subprocess.run([bridge_binary(), *args], env=dict(os.environ, COLUMNS=str(columns)),
                          capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("args, message", [
    (["run", "--connection-file", "c.json", "--min-duration", "-3", "--", "true"],
     "--min-duration must be ≥ 0 seconds (got -3.0)"),
    (["attach", "--existing", "--idle-grace", "-0.5"], "--idle-grace must be ≥ 0 seconds (got -0.5)"),
    (["attach", "--existing", "--min-duration", "1e12"], "--min-duration must be at most 31622400 seconds"),
    (["login", "--timeout", "-1"], "--timeout must be > 0 seconds (got -1)"),
    (["attach", "--existing", "--log-level", "loud"], "The value 'loud' is invalid for '--log-level"),
    (["attach", "--existing", "--notify-on", "always"], "The value 'always' is invalid for '--notify-on"),
])
def test_a_bad_value_is_a_usage_error_naming_the_flag(args, message):
    result = cli(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert "Missing value" not in result.stderr


@pytest.mark.parametrize("command", [[], ["run"], ["attach"], ["install"], ["uninstall"], ["login"],
                                     ["logout"], ["whoami"], ["channels"], ["status"]])
def test_help_fits_80_columns(command):
    result = cli(*command, "--help")
    assert result.returncode == 0
    # The usage line lists every flag and is allowed to run on; prose is wrapped.
    prose = [line for line in result.stdout.splitlines() if not line.startswith("USAGE:")]
    assert all(len(line) <= 80 for line in prose), [line for line in prose if len(line) > 80]


def test_uninstall_help_does_not_claim_a_default_scope():
    result = cli("uninstall", "--help")
    assert "The default" not in result.stdout
    assert "without any of them every matching" in " ".join(result.stdout.split())
