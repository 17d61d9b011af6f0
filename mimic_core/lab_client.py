"""A small synchronous client of the lab's control API.

Tests, benchmarks, the command line and the app's lab panel all drive the
lab through this one class, so the API has a single client to keep in step
with it.  It uses only the standard library and blocking calls with short
timeouts: every caller either is a script or runs it off its UI thread.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from http.client import HTTPException
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from mimic_core.lab_api import ErrorReply, ExportRequest, ExportResult, Health, ServerDirectory, StoredPing
from mimic_core.lab_state import read_state
from mimic_core.network_conditions import Conditions, parse_assignments
from mimic_core.paths import locations

_T = TypeVar("_T")

# Proxies from the environment must never see loopback control traffic.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class LabUnreachableError(Exception):
    """No lab answers at the address (none running, or it went away)."""


class LabRequestError(Exception):
    """The lab answered, and refused the request."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message


def default_state_file() -> Path:
    return locations().lab_state


class LabControl:
    """The control API of the lab at ``url`` (e.g. ``http://127.0.0.1:8123``)."""

    def __init__(self, url: str, *, timeout: float = 5.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    @classmethod
    def from_state_file(cls, path: Path | None = None, *, timeout: float = 5.0) -> LabControl:
        """The lab announced in ``path`` (default: this user's lab state file)."""
        state_file = path if path is not None else default_state_file()
        state = read_state(state_file)
        if state is None:
            raise LabUnreachableError(f"no lab is running (nothing announced in {state_file})")
        return cls(state.url, timeout=timeout)

    def health(self) -> Health:
        return self._request("GET", "/lab/health", Health)

    def conditions(self) -> Conditions:
        return self._request("GET", "/lab/conditions", Conditions)

    def patch(self, patch: Mapping[str, Any]) -> Conditions:
        """Deep-merge a partial patch into the conditions; the new conditions."""
        return self._request("PATCH", "/lab/conditions", Conditions, body=dict(patch))

    def set(self, *assignments: str) -> Conditions:
        """Apply command-line style assignments such as ``internet=down``."""
        return self.patch(parse_assignments(assignments))

    def reset(self) -> Conditions:
        return self._request("POST", "/lab/reset", Conditions)

    def pings(self, app: str | None = None, ping: str | None = None, limit: int | None = None) -> list[StoredPing]:
        """Stored telemetry pings, oldest first (the latest ``limit``, default 100)."""
        query = {
            key: str(value) for key, value in (("app", app), ("ping", ping), ("limit", limit)) if value is not None
        }
        path = "/lab/pings" + (f"?{urllib.parse.urlencode(query)}" if query else "")
        return self._request("GET", path, list[StoredPing])

    def report(self, debug_tag: str | None = None, *, all_sessions: bool = False) -> dict[str, Any]:
        """The session telemetry report over the lab's store; with ``debug_tag``, over the pings sent with it.

        ``debug_tag`` is an ``X-Debug-ID`` header value, as a fleet run sets it for its clients;
        ``all_sessions`` lists every session, not only the flagged ones.
        """
        params = {"debug_tag": debug_tag} if debug_tag else {}
        if all_sessions:
            params["all_sessions"] = "1"
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        return self._request("GET", f"/lab/report{query}", dict[str, Any])

    def export(self, out: Path, *, every_table: bool = False) -> list[Path]:
        """Have the running lab write its pipeline's tables as Parquet under ``out``; the files written."""
        request = ExportRequest(out=str(out.resolve()), every_table=every_table)
        return [Path(path) for path in self._request("POST", "/lab/export", ExportResult, body=request).written]

    def servers(self) -> ServerDirectory:
        """Every server with its address and current condition."""
        return self._request("GET", "/lab/servers", ServerDirectory)

    def shutdown(self) -> None:
        self._request("POST", "/lab/shutdown", dict[str, Any])

    def wait_until_stopped(self, timeout: float = 10.0) -> bool:
        """Whether the lab stopped answering within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.health()
            except LabUnreachableError:
                return True
            time.sleep(0.05)
        return False

    def _request(self, method: str, path: str, result: type[_T], body: object = None) -> _T:
        data = None if body is None else msgspec.json.encode(body)
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with _opener.open(request, timeout=self.timeout) as response:
                raw: bytes = response.read()
        except urllib.error.HTTPError as exc:
            with exc:
                raise LabRequestError(exc.code, _error_message(exc.read())) from None
        except (urllib.error.URLError, OSError, HTTPException) as exc:
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            raise LabUnreachableError(f"the lab at {self.url} is not reachable: {reason}") from None
        try:
            return msgspec.json.decode(raw, type=result)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise LabRequestError(200, f"unexpected answer from the lab: {exc}") from None


def _error_message(raw: bytes) -> str:
    try:
        return msgspec.json.decode(raw, type=ErrorReply).error
    except (msgspec.DecodeError, msgspec.ValidationError):
        return raw.decode("utf-8", "replace").strip() or "no details"
