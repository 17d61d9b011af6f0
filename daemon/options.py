"""Command-line options of the daemon.

Every timing the tunnel uses is an option so that tests and benchmarks can
run the same binary with intervals short enough to keep them fast.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


@dataclass(frozen=True)
class DaemonOptions:
    """Settings fixed for the lifetime of one daemon process."""

    keepalive_interval: float = 1.0
    handshake_timeout: float = 1.0
    handshake_retries: int = 3
    log_level: str = "INFO"
    telemetry_url: str | None = None
    telemetry_timer_interval: float = 3 * 3600.0


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vpnui-daemon",
        description="Mimic VPN daemon: owns the simulated tunnel and the VPN session.",
    )
    defaults = DaemonOptions()
    parser.add_argument(
        "--keepalive-interval",
        type=_positive_float,
        default=defaults.keepalive_interval,
        metavar="SECONDS",
        help="seconds between keepalives; an unanswered keepalive counts as lost after this long "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--handshake-timeout",
        type=_positive_float,
        default=defaults.handshake_timeout,
        metavar="SECONDS",
        help="seconds to wait for each handshake attempt (default: %(default)s)",
    )
    parser.add_argument(
        "--handshake-retries",
        type=_non_negative_int,
        default=defaults.handshake_retries,
        metavar="N",
        help="extra handshake attempts per server after the first one (default: %(default)s)",
    )
    parser.add_argument(
        "--log-level",
        type=str.upper,
        choices=LOG_LEVELS,
        default=defaults.log_level,
        help="lowest level written to the log (default: %(default)s)",
    )
    parser.add_argument(
        "--telemetry-url",
        metavar="URL",
        help="telemetry ingestion endpoint (the app and vpnui-ctl pass theirs; without it the app names one later)",
    )
    parser.add_argument(
        "--telemetry-timer-interval",
        type=_positive_float,
        default=defaults.telemetry_timer_interval,
        metavar="S",
        help="seconds between daemon_timer pings during a long session (default: %(default)s)",
    )
    return parser


def parse_options(argv: Sequence[str] | None = None) -> DaemonOptions:
    args = build_parser().parse_args(argv)
    return DaemonOptions(
        keepalive_interval=args.keepalive_interval,
        handshake_timeout=args.handshake_timeout,
        handshake_retries=args.handshake_retries,
        log_level=args.log_level,
        telemetry_url=args.telemetry_url,
        telemetry_timer_interval=args.telemetry_timer_interval,
    )
