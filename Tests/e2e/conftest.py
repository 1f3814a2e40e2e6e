"""Shared fixtures for the end-to-end tests (pytest, run with the project's venv python)."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from standin import Standin  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "slow: needs what CI does not install (IRkernel: r-cran-irkernel, ~6 min of apt); "
        "run by `tools/test.sh --slow`, deselected otherwise",
    )


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def python_exe(repo_root: Path) -> str:
    """The venv python for subprocesses: $JUPYTER_LMK_PYTHON, else <repo>/.venv/bin/python,
    else the interpreter running pytest (which then has the pinned deps)."""
    configured = os.environ.get("JUPYTER_LMK_PYTHON")
    if configured:
        return configured
    venv = repo_root / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


@pytest.fixture
def standin(python_exe: str, repo_root: Path):
    """A running LMK stand-in; `standin.token` is a pre-seeded valid access token."""
    token = "at-seeded-" + secrets.token_urlsafe(16)
    with Standin().start(python_exe, repo_root, access_tokens=[token]) as lmk:
        lmk.token = token
        yield lmk


@pytest.fixture(scope="module")
def module_standin(python_exe: str, repo_root: Path):
    """One stand-in for a whole test module (starting one takes a while); reset it per test."""
    token = "at-seeded-" + secrets.token_urlsafe(16)
    with Standin().start(python_exe, repo_root, access_tokens=[token]) as lmk:
        lmk.token = token
        yield lmk
