"""jupyter-lmk: LMK notifications for Jupyter kernels, from a native sidecar.

The package ships the `jupyter-lmk` binary (`bin/jupyter-lmk`), the kernel-spec assets
(`kernel-spec/`) and the `lmk` kernel provisioner (`jupyter_lmk.provisioner`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

BUNDLED_BINARY = Path(__file__).resolve().parent / "bin" / "jupyter-lmk"
KERNEL_SPEC_ASSETS = Path(__file__).resolve().parent / "kernel-spec"


def executable() -> str | None:
    """The `jupyter-lmk` binary: the one this package ships, else the first on PATH.

    Never the `jupyter-lmk` console script of this package (a Python shim around the binary):
    a kernel start should not pay for a Python start-up.
    """
    if os.access(BUNDLED_BINARY, os.X_OK):
        return str(BUNDLED_BINARY)
    found = shutil.which("jupyter-lmk")
    return os.path.abspath(found) if found else None
