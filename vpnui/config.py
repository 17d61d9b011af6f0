"""Where the app's outside world is: endpoint configuration.

Every endpoint the app talks to (connectivity check, captive-portal
detection, account API, server list, telemetry ingestion) can be set in the
config file (``config.toml`` in the platformdirs config dir, section
``[endpoints]``) or on the command line.  When no backend is configured at
all, the app uses the embedded network lab, and all endpoints point at it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec

from mimic_core.paths import locations

CONFIG_FILE = "config.toml"


class ConfigError(Exception):
    """The config file exists but cannot be used; the message says why."""


# Frozen msgspec structs, not dataclasses: read before the window's screens,
# where making a dataclass costs about 0.5 ms.
class Endpoints(msgspec.Struct, frozen=True):
    """URLs of the services the app depends on (``None`` = not configured)."""

    connectivity_url: str | None = None
    captive_portal_url: str | None = None
    subscription_url: str | None = None
    servers_url: str | None = None
    ingestion_url: str | None = None
    portal_url: str | None = None
    account_url: str | None = None  # where "manage subscription" leads
    lab_url: str | None = None  # control API of a lab, for the conditions panel

    @property
    def configured(self) -> bool:
        """True when at least one world endpoint was given explicitly."""
        return any(getattr(self, name) is not None for name in self.__struct_fields__ if name != "lab_url")

    def complete(self) -> bool:
        return all(
            getattr(self, name) is not None
            for name in self.__struct_fields__
            if name not in ("lab_url", "portal_url", "account_url")
        )

    def with_defaults(self, defaults: Endpoints) -> Endpoints:
        """Fill every unset endpoint from ``defaults``."""
        values = {
            name: getattr(self, name) if getattr(self, name) is not None else getattr(defaults, name)
            for name in self.__struct_fields__
        }
        return Endpoints(**values)

    def merged(self, overrides: Endpoints) -> Endpoints:
        """``overrides`` wins wherever it sets a value."""
        changes = {name: getattr(overrides, name) for name in self.__struct_fields__ if getattr(overrides, name)}
        return msgspec.structs.replace(self, **changes)


def lab_endpoints(lab_url: str) -> Endpoints:
    """Every endpoint as served by a network lab at ``lab_url``."""
    base = lab_url.rstrip("/")
    return Endpoints(
        connectivity_url=f"{base}/generate_204",
        captive_portal_url=f"{base}/success.txt",
        subscription_url=f"{base}/api/v1/subscription",
        servers_url=f"{base}/api/v1/servers",
        ingestion_url=base,
        portal_url=f"{base}/portal",
        account_url=f"{base}/account",
        lab_url=base,
    )


class FileConfig(msgspec.Struct, frozen=True):
    endpoints: Endpoints
    device_token: str | None


def load_config(path: Path | None = None) -> FileConfig:
    """Read ``config.toml``; a missing file is an empty config.

    A corrupt file is an error the user must see (it names the file and the
    problem) rather than a silent fall-back to the lab, which would hide that
    the app is not talking to the services the user configured.
    """
    path = path or locations().config / CONFIG_FILE
    if not path.exists():
        return FileConfig(Endpoints(), None)
    # Only when there is a file (most users have none): the TOML parser costs
    # about 4 ms of the cold start to the full UI, which reads this.
    import tomllib  # noqa: PLC0415

    try:
        raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    section = raw.get("endpoints", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [endpoints] must be a table")
    known = set(Endpoints.__struct_fields__)
    unknown = sorted(set(section) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown endpoint(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    for key, value in section.items():
        if not isinstance(value, str):
            raise ConfigError(f"{path}: endpoint {key} must be a string URL")
    token = raw.get("device_token")
    if token is not None and not isinstance(token, str):
        raise ConfigError(f"{path}: device_token must be a string")
    return FileConfig(Endpoints(**section), token)
