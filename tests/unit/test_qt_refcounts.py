"""The installed Qt binding must not leak references to None, True or False.

PySide6 6.12.0 on CPython 3.11 drops a reference to ``None`` on every call
returning nothing and to ``True``/``False`` on every emitted bool; after a
few thousand the interpreter aborts ("deallocating None").  The check runs
in a subprocess because the failure is an abort, not an exception.
"""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
from PySide6.QtCore import QObject, QTimer, Signal

class Emitter(QObject):
    fired = Signal(bool)

emitter, timer = Emitter(), QTimer()
before = sys.getrefcount(None), sys.getrefcount(True)
for _ in range(20_000):
    timer.setInterval(5)
    emitter.fired.emit(True)
after = sys.getrefcount(None), sys.getrefcount(True)
print(before[0] - after[0], before[1] - after[1])
"""


def test_qt_calls_and_signals_keep_singleton_refcounts() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    lost_none, lost_true = (int(x) for x in result.stdout.split())
    # A few references may move with interpreter internals; thousands mean a leak.
    assert abs(lost_none) < 100
    assert abs(lost_true) < 100
