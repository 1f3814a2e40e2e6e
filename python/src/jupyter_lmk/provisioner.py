"""The `lmk` kernel provisioner: launcher mode for every kernelspec, without rewriting any.

jupyter_client (>= 7) starts each kernel through a provisioner. This one is the local
provisioner with one change: the kernel's command, once jupyter_client has substituted
`{connection_file}` and friends, is prefixed with

    <abs path of jupyter-lmk> run --connection-file <that connection file> --

which is exactly the argv of a wrapped kernelspec (`jupyter lmk install`). Jupyter then
launches, signals (interrupts, SIGTERM/SIGKILL) and restarts the bridge as the kernel process,
as it does for a wrapped spec.

Enable it for every kernel (kernels users add later included):

    c.KernelProvisionerFactory.default_provisioner_name = "lmk"   # jupyter_server_config.py
    JUPYTER_DEFAULT_PROVISIONER_NAME=lmk                          # or in the environment

or per kernelspec with `jupyter lmk install --provisioner` (it writes
`metadata.kernel_provisioner.provisioner_name = "lmk"`).

Monitoring fails open: when no `jupyter-lmk` binary can be found the kernel starts unwrapped
and one warning says why.
"""

from __future__ import annotations

import os
from typing import Any

from jupyter_client.provisioning import LocalProvisioner
from traitlets import Unicode, default

from . import executable

BRIDGE_ARGUMENTS = ("run", "--connection-file")


def is_bridge_command(cmd: list[str]) -> bool:
    """Whether `cmd` already runs through `jupyter-lmk run` (a wrapped kernelspec)."""
    return (
        len(cmd) > 3
        and os.path.basename(cmd[0]).startswith("jupyter-lmk")
        and tuple(cmd[1:3]) == BRIDGE_ARGUMENTS
    )


def bridge_command(bridge: str, connection_file: str, cmd: list[str]) -> list[str]:
    """`cmd` run under `bridge` in launcher mode; a command that already is one is kept as is."""
    if is_bridge_command(cmd):
        return list(cmd)
    return [bridge, *BRIDGE_ARGUMENTS, connection_file, "--", *cmd]


class LMKProvisioner(LocalProvisioner):  # type: ignore[misc]
    """A `LocalProvisioner` that starts the kernel under `jupyter-lmk run`."""

    executable = Unicode(
        config=True,
        help="""Absolute path of the jupyter-lmk binary (default: the one shipped in this
        package, else the first `jupyter-lmk` on PATH).""",
    )

    @default("executable")
    def _executable_default(self) -> str:
        return executable() or ""

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        kwargs = await super().pre_launch(**kwargs)
        km = self.parent
        connection_file = getattr(km, "connection_file", "") if km is not None else ""
        if not self.executable or not os.access(self.executable, os.X_OK):
            self.log.warning(
                "jupyter-lmk: no jupyter-lmk binary at %r; the kernel starts without LMK monitoring",
                self.executable,
            )
        elif not connection_file:
            self.log.warning(
                "jupyter-lmk: the kernel has no connection file; it starts without LMK monitoring"
            )
        else:
            # The same path jupyter_client substituted for {connection_file}.
            kwargs["cmd"] = bridge_command(
                self.executable, os.path.realpath(connection_file), kwargs["cmd"]
            )
        return kwargs
