"""``python -m lab`` is ``vpnui-lab``, for checkouts without the console script."""

from __future__ import annotations

import sys

from lab.cli import main

if __name__ == "__main__":
    sys.exit(main())
