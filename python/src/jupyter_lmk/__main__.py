"""`jupyter-lmk` / `python -m jupyter_lmk`: runs the bundled binary in this process's place.

The binary gets its own absolute path as argv[0], so `jupyter lmk install` writes kernelspecs
that start the binary directly (no Python start-up per kernel start).
"""

from __future__ import annotations

import os
import sys

from . import BUNDLED_BINARY


def main() -> None:
    binary = str(BUNDLED_BINARY)
    if not os.access(binary, os.X_OK):
        sys.stderr.write(f"jupyter-lmk: {binary} is missing; reinstall the jupyter-lmk package\n")
        sys.exit(1)
    os.execv(binary, [binary, *sys.argv[1:]])


if __name__ == "__main__":
    main()
