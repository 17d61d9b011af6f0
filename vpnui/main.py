"""``vpnui``: the Mimic VPN desktop app."""

from __future__ import annotations

import argparse
import logging
import os
import sys

# Before Qt: it must see Python's own import (see the module).
from mimic_core import early_start


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="vpnui", description="Mimic VPN desktop client")
    group = parser.add_argument_group(
        "endpoints", "override the config file; unset endpoints come from the embedded network lab"
    )
    for name in ("connectivity", "captive-portal", "subscription", "servers", "ingestion", "portal", "account", "lab"):
        group.add_argument(f"--{name}-url", metavar="URL")
    parser.add_argument("--no-lab", action="store_true", help="never start the embedded network lab")
    parser.add_argument(
        "--keepalive-interval", type=float, metavar="S", help="keepalive interval of a daemon started by the app"
    )
    parser.add_argument(
        "--locale",
        metavar="NAME",
        help="the language of the window: en, de (or de_DE...), or pseudo for the pseudo-translation"
        " (accented and 40 %% longer, to see cut-off text); default: the system's",
    )
    parser.add_argument("--log-level", default="INFO")
    parser.add_argument(
        "--color-scheme",
        choices=("system", "light", "dark"),  # main_window.COLOR_SCHEMES (importing it would import Qt)
        default="system",
        help="the window's palette: the desktop's colour scheme (default) or a forced one",
    )
    inspector = parser.add_mutually_exclusive_group()
    inspector.add_argument(
        "--inspector",
        action="store_true",
        help="let other processes drive and read the app through a socket in its runtime directory (automation)",
    )
    inspector.add_argument(
        "--inspector-socket",
        metavar="PATH",
        # Read here, with the flags, so that every way of turning it on ends in one place.
        default=os.environ.get("MIMIC_INSPECTOR_SOCKET") or None,
        help="the same on the socket PATH (default: $MIMIC_INSPECTOR_SOCKET; unset: no inspector)",
    )
    desktop = parser.add_argument_group("desktop")
    desktop.add_argument(
        "--install-desktop-entry",
        action="store_true",
        help="install the launcher entry and the icon for this user, then exit",
    )
    desktop.add_argument(
        "--uninstall-desktop-entry", action="store_true", help="remove them (and the login start entry), then exit"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    # Run by `python -m vpnui` this does nothing (Qt is not imported yet).  A
    # caller that imported Qt before calling main() (the cold-start benchmark,
    # tests) has PySide6's import in place: without this, the modules imported
    # before the window (argparse's help, the single-instance claim, the
    # settings file's paths) would be read whole by it, about 4 ms.
    early_start.restore_python_import()
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if args.install_desktop_entry or args.uninstall_desktop_entry:
        return desktop_entry_command(install=args.install_desktop_entry)
    # Before Qt: a second launch shows the running window instead of its own.
    from vpnui.desktop import single_instance  # noqa: PLC0415

    instance_socket = single_instance.claim()
    if instance_socket is None:
        if single_instance.ask_to_show():
            print("vpnui: Mimic VPN is already running; its window was shown", file=sys.stderr)
            return 0
        print("vpnui: another Mimic VPN is starting or not answering; try again", file=sys.stderr)
        return 1
    # Before the window exists: a start-minimised app never maps it (the
    # desktop integration puts it in the tray, or minimised when there is none).
    from vpnui.settings_file import starts_minimised  # noqa: PLC0415

    start_hidden = starts_minimised()
    # Qt is imported only now so that --help works without a display.
    from PySide6.QtGui import QGuiApplication  # noqa: PLC0415
    from PySide6.QtQml import QQmlApplicationEngine  # noqa: PLC0415

    # Qt is in: from here on, each module imported is not read whole by PySide6's import.
    early_start.restore_python_import()
    from vpnui import i18n  # noqa: PLC0415
    from vpnui.desktop import platform_theme  # noqa: PLC0415
    from vpnui.main_window import (  # noqa: PLC0415
        load_main_window,
        set_color_scheme,
        show_startup_error,
        wait_for_frame,
    )

    # On GNOME, the platform theme that follows its dark style (see the module).
    app = QGuiApplication(sys.argv[:1] + platform_theme.qt_arguments(os.environ))
    app.setApplicationName("Mimic VPN")
    app.setDesktopFileName("mimic-vpn")
    # Before the first QML text is made: the window is not retranslated.
    try:
        language = i18n.install(app, args.locale)
    except i18n.UnknownLocaleError as exc:
        print(f"vpnui: --locale: {exc}", file=sys.stderr)
        return 2
    logging.getLogger(__name__).info("language: %s", language.name)
    # The window goes on screen before the rest of the app is imported:
    # those imports take as long as Qt's own (see vpnui.main_window).
    engine = QQmlApplicationEngine()
    if args.color_scheme != "system":
        set_color_scheme(engine, args.color_scheme)
    window = load_main_window(engine, visible=not start_hidden)
    wait_for_frame(window)

    from vpnui.app import AppOptions, MimicApp, run_until_quit  # noqa: PLC0415
    from vpnui.config import ConfigError, Endpoints  # noqa: PLC0415

    endpoints = Endpoints(
        connectivity_url=args.connectivity_url,
        captive_portal_url=args.captive_portal_url,
        subscription_url=args.subscription_url,
        servers_url=args.servers_url,
        ingestion_url=args.ingestion_url,
        portal_url=args.portal_url,
        account_url=args.account_url,
        lab_url=args.lab_url,
    )
    daemon_args = []
    if args.keepalive_interval:
        daemon_args += ["--keepalive-interval", str(args.keepalive_interval)]
    try:
        mimic = MimicApp(
            AppOptions(
                endpoints=endpoints,
                daemon_args=daemon_args,
                use_embedded_lab=not args.no_lab,
                instance_socket=instance_socket,
            ),
            engine=engine,
        )
    except ConfigError as exc:
        print(f"vpnui: {exc}", file=sys.stderr)
        # The window says what is wrong until it is closed (shown even when
        # starting minimised: there is no tray to start in).
        show_startup_error(window, str(exc))
        window.setVisible(True)
        app.exec()
        return 2
    inspector = None
    if args.inspector or args.inspector_socket:
        from pathlib import Path  # noqa: PLC0415

        from vpnui.inspector import default_socket_path, start_inspector  # noqa: PLC0415

        path = Path(args.inspector_socket) if args.inspector_socket else default_socket_path()
        inspector = start_inspector(mimic.manager, path, lambda: mimic.telemetry_session_id, parent=mimic)
    try:
        # The screens, then what only the running app needs.
        wait_for_frame(mimic.show())
        early_start.install_glean_stand_ins()
        return run_until_quit(app, mimic)
    finally:
        if inspector is not None:
            inspector.close()


def desktop_entry_command(install: bool) -> int:
    from vpnui.desktop import launcher  # noqa: PLC0415

    try:
        paths = launcher.install_desktop_entry() if install else launcher.uninstall_desktop_entry()
    except OSError as exc:
        print(f"vpnui: {exc}", file=sys.stderr)
        return 1
    for path in paths:
        print(f"{'installed' if install else 'removed'} {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
