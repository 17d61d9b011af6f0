"""``python -m vpnui``: the same as the ``vpnui`` command."""

import sys

from vpnui.main import main

sys.exit(main())
