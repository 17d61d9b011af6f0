"""``python -m daemon`` runs the daemon."""

import sys

from daemon.main import main

sys.exit(main())
