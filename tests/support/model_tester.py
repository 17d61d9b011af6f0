"""Qt's QAbstractItemModelTester through pytest-qt, typed.

pytest-qt 4.x's ``ModelTester.check`` has no annotations, so each call was an
untyped call in the strictly typed tests.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel
from pytestqt.modeltest import ModelTester


def check_model(tester: ModelTester, model: QAbstractItemModel) -> None:
    """Run Qt's model tester over ``model`` as it is now (it fails the test on the first broken rule)."""
    tester.check(model)  # type: ignore[no-untyped-call]
