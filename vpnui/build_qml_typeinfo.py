"""The ``Mimic`` QML module's type information, and qmllint over the app's QML with it.

``python -m vpnui.build_qml_typeinfo DIR`` writes ``DIR/Mimic/qmldir`` and
``DIR/Mimic/mimic.qmltypes``, which qmllint and qmlls read to know the app's
Python types (``-I DIR``); ``--lint`` then lints every file of ``qml/`` and
exits 1 on any warning (``make qmllint``; ``tests/ui/test_qmllint.py`` runs
the same in ``make test``).  The files are generated, never committed: they
are always those of the code that is there.

How: the metatypes JSON that Qt's ``qmltyperegistrar`` turns into a
``.qmltypes`` file is written here from the live meta-objects of the types
``vpnui.qml_types.app_type`` registered, and the registrar (PySide6's
``pyside6-qmltyperegistrar``) does the rest, as ``pyside6-project`` does.
``pyside6-project`` makes that JSON with ``pyside6-metaobjectdump`` instead,
which reads the sources without running them; as of PySide6 6.11.3 it gets
five things of this app wrong: enums declared as ``X = QEnum(Imported)``
(those of ``ConnectionManager``) are missing, ``Property(list)`` and
``Property(dict)`` become the unknown C++ types ``list`` and ``dict``,
``constant=True`` is dropped (qmllint then warns of stale reads), and a
type registered through ``app_type`` is not seen as uncreatable.  The
meta-object is what QML itself sees at run time.
"""

from __future__ import annotations

import argparse
import inspect
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import QMetaMethod, QMetaObject

from mimic_core import assets
from vpnui import qml_types
from vpnui.qt_tools import qt_tool

MODULE_DIR: Final = qml_types.QML_IMPORT_NAME
QMLTYPES_FILE: Final = "mimic.qmltypes"
# metaobjectdump's revision of the metatypes format, which the registrar reads.
METATYPES_REVISION: Final = 68
# The Qt types the app's types derive from (QObject, QAbstractListModel).
FOREIGN_MODULES: Final = ("qt6core", "qt6qml")
DEFAULT_OUT: Final = Path("build") / "qml-types"

LINT_ALSO_WARNINGS: Final = ("--unused-imports", "warning")
"""qmllint only informs of an unused import; here it is a warning like the others."""


def _load_app_types() -> None:
    """Import every module that registers a type for the app's window (as ``vpnui.app`` does)."""
    import vpnui.app  # noqa: F401, PLC0415  (imports the manager, the lab panel's and the preferences' types)
    from vpnui import location_search  # noqa: F401, PLC0415  (the picker's list: MimicApp.start() imports it)


def _method(method: QMetaMethod) -> dict[str, Any]:
    names = [bytes(name.data()).decode() for name in method.parameterNames()]
    types = [bytes(kind.data()).decode() for kind in method.parameterTypes()]
    return {
        "access": "public",
        "name": bytes(method.name().data()).decode(),
        "arguments": [
            {"name": name or f"a{number}", "type": kind}
            for number, (name, kind) in enumerate(zip(names, types, strict=True), start=1)
        ],
        "returnType": method.typeName(),
    }


def _class_infos(registered: qml_types.RegisteredType) -> list[dict[str, str]]:
    infos = [{"name": "QML.Element", "value": "auto"}]
    if registered.uncreatable_reason is not None:
        infos += [
            {"name": "QML.Creatable", "value": "false"},
            {"name": "QML.UncreatableReason", "value": registered.uncreatable_reason},
        ]
    return infos


def class_metatypes(registered: qml_types.RegisteredType) -> dict[str, Any]:
    """The metatypes JSON entry of one registered class, as moc would write it for a C++ class."""
    # Every QObject class has one; PySide's stub does not declare it.
    meta: QMetaObject = getattr(registered.cls, "staticMetaObject")  # noqa: B009
    properties = []
    for number in range(meta.propertyOffset(), meta.propertyCount()):
        prop = meta.property(number)
        entry: dict[str, Any] = {
            "name": prop.name(),
            "type": prop.typeName(),
            "index": number - meta.propertyOffset(),
            "read": prop.name(),
            "constant": prop.isConstant(),
        }
        if prop.isWritable():
            entry["write"] = prop.name()
        if prop.hasNotifySignal():
            entry["notify"] = bytes(prop.notifySignal().name().data()).decode()
        properties.append(entry)
    signals, slots = [], []
    for number in range(meta.methodOffset(), meta.methodCount()):
        method = meta.method(number)
        if method.methodType() == QMetaMethod.MethodType.Signal:
            signals.append(_method(method))
        elif method.methodType() == QMetaMethod.MethodType.Slot:
            slots.append(_method(method))
    enums = []
    for number in range(meta.enumeratorOffset(), meta.enumeratorCount()):
        enum = meta.enumerator(number)
        enums.append(
            {
                "name": enum.name(),
                "isClass": enum.isScoped(),
                "isFlag": enum.isFlag(),
                "values": [enum.key(key) for key in range(enum.keyCount())],
            }
        )
    return {
        "className": meta.className(),
        "qualifiedClassName": meta.className(),
        "object": True,
        "superClasses": [{"access": "public", "name": meta.superClass().className()}],
        "classInfos": _class_infos(registered),
        "properties": properties,
        "signals": signals,
        "slots": slots,
        "enums": enums,
    }


def metatypes() -> list[dict[str, Any]]:
    """The metatypes JSON of every type of the ``Mimic`` module, one entry per source file."""
    _load_app_types()
    by_file: dict[str, list[dict[str, Any]]] = {}
    for registered in qml_types.REGISTERED:
        source = Path(inspect.getfile(registered.cls)).resolve().as_posix()
        by_file.setdefault(source, []).append(class_metatypes(registered))
    return [
        {"classes": classes, "outputRevision": METATYPES_REVISION, "inputFile": source}
        for source, classes in by_file.items()
    ]


def _foreign_types() -> str:
    """Qt's own metatypes files the registrar consults for the base classes."""
    import PySide6  # noqa: PLC0415

    folder = Path(PySide6.__file__).resolve().parent / "Qt" / "metatypes"
    return ",".join(str(folder / f"{module}_metatypes.json") for module in FOREIGN_MODULES)


def write_typeinfo(out: Path) -> Path:
    """Write ``out/Mimic/qmldir`` and its ``.qmltypes``; returns ``out`` (the folder qmllint's ``-I`` takes)."""
    module = out / MODULE_DIR
    module.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mimic-metatypes-") as work:
        source = Path(work) / "mimic_metatypes.json"
        source.write_text(json.dumps(metatypes(), indent=1))
        # The registrar also writes C++ registration code, of no use to Python.
        subprocess.run(
            [
                qt_tool("qmltyperegistrar"),
                "--generate-qmltypes",
                str(module / QMLTYPES_FILE),
                "-o",
                str(Path(work) / "registrations.cpp"),
                "--import-name",
                qml_types.QML_IMPORT_NAME,
                "--major-version",
                str(qml_types.QML_IMPORT_MAJOR_VERSION),
                "--minor-version",
                str(qml_types.QML_IMPORT_MINOR_VERSION),
                f"--foreign-types={_foreign_types()}",
                str(source),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
    (module / "qmldir").write_text(f"module {qml_types.QML_IMPORT_NAME}\ntypeinfo {QMLTYPES_FILE}\n")
    return out


def qml_files() -> list[Path]:
    return sorted(assets.qml_dir().rglob("*.qml"))


def lint(typeinfo: Path, files: Sequence[Path] | None = None) -> list[str]:
    """qmllint's findings over ``files`` (all of ``qml/``), one line each: ``file:line:column: message [id]``."""
    qml_dir = assets.qml_dir()
    files = qml_files() if files is None else files
    # Paths as short as possible in the findings, but any file may be linted.
    names = [path.relative_to(qml_dir) if path.is_relative_to(qml_dir) else path.resolve() for path in files]
    done = subprocess.run(
        [
            qt_tool("qmllint"),
            "--json",
            "-",
            *LINT_ALSO_WARNINGS,
            "-I",
            # Absolute: qmllint runs in qml/, and the folder may be given relative to the caller (make's build/...).
            str(typeinfo.resolve()),
            "-I",
            str(qml_dir),
            *(str(name) for name in names),
        ],
        cwd=qml_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(f"qmllint gave no report (exit {done.returncode}): {done.stderr.strip()}") from None
    return [
        f"{result['filename']}:{warning.get('line', 0)}:{warning.get('column', 0)}: "
        f"{warning['message']} [{warning.get('id', warning['type'])}]"
        for result in report["files"]
        for warning in result["warnings"]
        if warning["type"] != "info"
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the Mimic QML module's type information (and lint the QML)")
    parser.add_argument("out", type=Path, nargs="?", default=DEFAULT_OUT, help=f"default: {DEFAULT_OUT}")
    parser.add_argument("--lint", action="store_true", help="then run qmllint over qml/; exit 1 on any warning")
    args = parser.parse_args(argv)
    typeinfo = write_typeinfo(args.out)
    print(f"{typeinfo / MODULE_DIR / QMLTYPES_FILE}")
    if not args.lint:
        return 0
    findings = lint(typeinfo)
    for line in findings:
        print(line)
    print(f"qmllint: {len(findings)} warnings in {len(qml_files())} files")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
