"""Hatchling build hook: puts the release binary and the kernel-spec assets into the wheel.

`tools/wheel.sh` builds the binary and names it in `JUPYTER_LMK_BINARY`; the wheel it makes
here is tagged `py3-none-linux_<arch>` and is then repaired by auditwheel, which bundles
libzmq, libcurl and their dependencies and sets the manylinux tag.
"""

from __future__ import annotations

import os
import sysconfig
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel":
            return
        binary = os.environ.get("JUPYTER_LMK_BINARY", "")
        if not binary or not os.access(binary, os.X_OK):
            raise RuntimeError(
                "JUPYTER_LMK_BINARY must name the release jupyter-lmk binary "
                f"(got {binary!r}); build the wheel with tools/wheel.sh"
            )
        # Debian's copyright files of the libraries auditwheel bundles (tools/wheel.sh collects them).
        licenses = Path(os.environ.get("JUPYTER_LMK_LICENSES", ""))
        for notice in sorted(licenses.glob("*.copyright")) if licenses.name else []:
            build_data["force_include"][str(notice)] = f"jupyter_lmk/third-party-licenses/{notice.name}"
        kernel_spec = Path(self.root).parent / "kernel-spec"
        build_data["force_include"][binary] = "jupyter_lmk/bin/jupyter-lmk"
        for asset in sorted(kernel_spec.iterdir()):
            build_data["force_include"][str(asset)] = f"jupyter_lmk/kernel-spec/{asset.name}"
        # A native binary: platlib, and a tag naming this platform but no Python ABI.
        build_data["pure_python"] = False
        platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
        build_data["tag"] = f"py3-none-{platform}"
