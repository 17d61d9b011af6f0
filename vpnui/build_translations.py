"""The translation catalogues: extracted from the sources, and compiled for the app.

``python -m vpnui.build_translations`` (``make translations``) refreshes
every ``translations/mimic_vpn_<language>.ts`` from the sources with
``pyside6-lupdate`` (the ``qsTr`` texts of ``qml/`` and the ``translate``
texts of ``vpnui/``), then compiles each into the ``.qm`` the app loads with
``pyside6-lrelease``.  A text that changed, or moved to another context
(another QML file), keeps its old translation marked unfinished, for a
translator to confirm (lupdate's merge heuristics); a text that is gone is
dropped.

``--release`` only compiles (the build step every make target that runs
the app depends on); ``--check`` only says whether the ``.ts`` files are
what lupdate makes of the sources now (the tests run it: a text added
without ``make translations`` fails them).

The ``.ts`` files store no source locations: moving a text (or the lines
around it) changes nothing a translator needs to see, so only a change of
the texts themselves makes a catalogue stale.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from vpnui.i18n import CATALOGUE, SOURCE_LANGUAGE
from vpnui.qt_tools import qt_tool

SOURCE_ROOT: Final = Path(__file__).resolve().parent.parent
"""The checkout: this is a tool for the sources, not for an installed product."""
TRANSLATIONS: Final = SOURCE_ROOT / "translations"
LANGUAGES: Final = ("de",)
"""A new language: add it here, run ``make translations``, translate its ``.ts`` (e.g. with pyside6-linguist)."""

EXIT_STALE: Final = 1


def catalogue(language: str) -> Path:
    return TRANSLATIONS / f"{CATALOGUE}_{language}.ts"


def sources() -> list[Path]:
    """Every file whose texts are translatable: the QML, and the app's Python."""
    return sorted((SOURCE_ROOT / "qml").rglob("*.qml")) + sorted((SOURCE_ROOT / "vpnui").rglob("*.py"))


def extract(language: str, ts_file: Path) -> None:
    """Merge the sources' texts into ``ts_file`` (created when missing), as lupdate does."""
    ts_file.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [
            qt_tool("lupdate"),
            "-silent",
            "-locations",
            "none",
            "-no-obsolete",
            "-source-language",
            SOURCE_LANGUAGE,
            "-target-language",
            language,
            *(str(path) for path in sources()),
            "-ts",
            str(ts_file),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or done.stderr.strip():
        raise RuntimeError(f"pyside6-lupdate failed for {ts_file.name}: {done.stderr.strip() or done.returncode}")


def release(ts_files: Sequence[Path]) -> list[Path]:
    """Compile each ``.ts`` into the ``.qm`` beside it; the ``.qm`` files."""
    compiled = []
    for ts_file in ts_files:
        qm_file = ts_file.with_suffix(".qm")
        done = subprocess.run(
            [qt_tool("lrelease"), "-silent", str(ts_file), "-qm", str(qm_file)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0 or done.stderr.strip():
            raise RuntimeError(f"pyside6-lrelease failed for {ts_file.name}: {done.stderr.strip() or done.returncode}")
        compiled.append(qm_file)
    return compiled


def is_stale(language: str, ts_file: Path) -> bool:
    """Whether ``ts_file`` differs from what lupdate makes of it and the sources now (missing: stale)."""
    if not ts_file.exists():
        return True
    with tempfile.TemporaryDirectory(prefix="mimic-lupdate-") as work:
        fresh = Path(work) / ts_file.name
        shutil.copyfile(ts_file, fresh)
        extract(language, fresh)
        return fresh.read_bytes() != ts_file.read_bytes()


def stale_catalogues() -> list[str]:
    """The languages whose ``.ts`` is stale."""
    return [language for language in LANGUAGES if is_stale(language, catalogue(language))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Extract (pyside6-lupdate) and compile (pyside6-lrelease) the translations"
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--release", nargs="*", type=Path, metavar="TS", help="only compile (default: every catalogue)")
    mode.add_argument("--check", action="store_true", help=f"exit {EXIT_STALE} when a catalogue is stale")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_catalogues()
        for language in stale:
            print(f"{catalogue(language)} is stale: run `make translations`", file=sys.stderr)
        return EXIT_STALE if stale else 0
    if args.release is None:
        for language in LANGUAGES:
            extract(language, catalogue(language))
            print(catalogue(language))
    for qm_file in release(args.release or [catalogue(language) for language in LANGUAGES]):
        print(qm_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
