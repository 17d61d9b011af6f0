"""The lab's HTTP world and control API, against a real lab process."""

from __future__ import annotations

import gzip
import http.client
import json
import os
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import urlsplit

import pytest

from lab.lab_process import LabProcess, isolated_lab
from lab.server_catalog import load_catalog
from mimic_core.lab_client import LabControl, LabRequestError
from mimic_core.network_conditions import Conditions, ServerCondition, to_builtins

TOKEN = {"Authorization": "Bearer device-token-1"}
CLIENT_TIMEOUT_S = 3.0


@pytest.fixture(scope="module")
def shared_lab() -> Iterator[LabProcess]:
    with isolated_lab() as process:
        yield process
        assert process.stop() == 0
        assert "Traceback" not in process.stderr
        assert " ERROR " not in process.stderr


@pytest.fixture
def lab(shared_lab: LabProcess) -> LabProcess:
    """The module's lab, back in a healthy world."""
    shared_lab.control.reset()
    return shared_lab


@dataclass
class Reply:
    status: int
    headers: Message
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def request(
    lab: LabProcess,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
) -> Reply:
    """One request on a fresh connection, redirects not followed."""
    address = urlsplit(lab.url)
    assert address.hostname is not None and address.port is not None
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=CLIENT_TIMEOUT_S)
    try:
        connection.request(method, path, body=body, headers=dict(headers or {}))
        response = connection.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        connection.close()


def assert_dropped(lab: LabProcess, method: str, path: str, **kwargs: Any) -> None:
    """The connection is torn down without any response, well before the client's timeout."""
    started = time.monotonic()
    with pytest.raises(ConnectionError):
        request(lab, method, path, **kwargs)
    assert time.monotonic() - started < CLIENT_TIMEOUT_S


def submit_path(document_id: str, app: str = "mimic-vpn", ping: str = "vpnsession") -> str:
    return f"/submit/{app}/{ping}/1/{document_id}"


def new_id() -> str:
    return str(uuid.uuid4())


def glean_ping(seq: int = 0) -> dict[str, Any]:
    """A ping the Glean schema accepts."""
    return {
        "ping_info": {"seq": seq, "start_time": "2024-05-01T10:20+02:00", "end_time": "2024-05-01T11:02+02:00"},
        "client_info": {
            "telemetry_sdk_build": "71.0.0",
            "client_id": "c0ffeec0-ffee-4c0f-8eec-0ffeec0ffee0",
            "first_run_date": "2024-05-01+02:00",
            "os": "Linux",
            "os_version": "6.1",
            "architecture": "x86_64",
            "app_build": "0.1.0",
            "app_display_version": "0.1.0",
        },
    }


# -- connectivity and captive-portal detection -------------------------------


def test_connectivity_check_answers_204(lab: LabProcess) -> None:
    reply = request(lab, "GET", "/generate_204")
    assert reply.status == 204
    assert reply.body == b""


def test_portal_detection_answers_success(lab: LabProcess) -> None:
    reply = request(lab, "GET", "/success.txt")
    assert reply.status == 200
    assert reply.body == b"success"
    assert reply.headers.get_content_type() == "text/plain"


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("GET", "/generate_204", {}),
        ("GET", "/success.txt", {}),
        ("GET", "/portal", {}),
        ("POST", "/portal/login", {}),
        ("GET", "/api/v1/subscription", TOKEN),
        ("GET", "/api/v1/servers", {}),
    ],
)
def test_no_internet_drops_every_world_connection(
    lab: LabProcess, method: str, path: str, headers: dict[str, str]
) -> None:
    lab.control.set("internet=down")
    assert_dropped(lab, method, path, headers=headers)


def test_no_internet_drops_ingestion(lab: LabProcess) -> None:
    lab.control.set("internet=down")
    assert_dropped(lab, "POST", submit_path(new_id(), app="offline-app"), body=b"{}")
    assert lab.control.pings(app="offline-app") == []


def test_control_api_ignores_the_conditions(lab: LabProcess) -> None:
    lab.control.set("internet=down", "captive_portal=on", "account_service=down")
    assert lab.control.health().ok
    assert request(lab, "GET", "/lab/conditions").status == 200
    assert request(lab, "GET", "/lab/servers").status == 200
    assert lab.control.reset() == Conditions()


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/generate_204", {}),
        ("/success.txt", {}),
        ("/api/v1/subscription", TOKEN),
        ("/api/v1/servers", {}),
    ],
)
def test_captive_portal_redirects_to_the_portal(lab: LabProcess, path: str, headers: dict[str, str]) -> None:
    lab.control.set("captive_portal=on")
    reply = request(lab, "GET", path, headers=headers)
    assert reply.status == 302
    assert reply.headers["Location"] == f"{lab.url}/portal"


def test_portal_login_clears_the_portal(lab: LabProcess) -> None:
    lab.control.set("captive_portal=on")
    page = request(lab, "GET", "/portal")
    assert page.status == 200
    assert page.headers.get_content_type() == "text/html"
    assert b'action="/portal/login"' in page.body
    login = request(lab, "POST", "/portal/login")
    assert login.status == 200
    assert b"online" in login.body
    assert not lab.control.conditions().captive_portal
    assert request(lab, "GET", "/success.txt").body == b"success"


# -- account service ------------------------------------------------------------


@pytest.mark.parametrize("status", ["active", "expired", "none"])
def test_subscription_status_comes_from_the_conditions(lab: LabProcess, status: str) -> None:
    lab.control.set(f"subscription={status}")
    reply = request(lab, "GET", "/api/v1/subscription", headers=TOKEN)
    assert reply.status == 200
    assert reply.headers.get_content_type() == "application/json"
    assert reply.json() == {"status": status}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer "}, {"Authorization": "Basic abc"}])
def test_subscription_needs_a_device_token(lab: LabProcess, headers: dict[str, str]) -> None:
    reply = request(lab, "GET", "/api/v1/subscription", headers=headers)
    assert reply.status == 401
    assert "token" in reply.json()["error"]


@pytest.mark.parametrize("path", ["/api/v1/subscription", "/api/v1/servers"])
def test_account_service_down_answers_503(lab: LabProcess, path: str) -> None:
    lab.control.set("account_service=down")
    reply = request(lab, "GET", path, headers=TOKEN)
    assert reply.status == 503
    assert "unavailable" in reply.json()["error"]


def test_server_list_has_every_server_with_real_ports(lab: LabProcess) -> None:
    reply = request(lab, "GET", "/api/v1/servers")
    assert reply.status == 200
    listed = reply.json()
    names = [
        server["name"] for country in listed["countries"] for city in country["cities"] for server in city["servers"]
    ]
    assert names == load_catalog().names()
    germany = listed["countries"][0]
    assert {"name", "code", "cities"} <= germany.keys()
    first = germany["cities"][0]["servers"][0]
    assert set(first) == {"name", "host", "udp_port", "tcp_port"}
    assert first["host"] == "127.0.0.1"
    directory = lab.control.servers()
    assert directory.find(first["name"]).udp_port == first["udp_port"]
    assert directory.find(first["name"]).tcp_port == first["tcp_port"]
    ports = [port for server in directory.servers() for port in (server.udp_port, server.tcp_port)]
    assert all(port > 0 for port in ports)


def test_lab_server_view_shows_conditions(lab: LabProcess) -> None:
    lab.control.set("server.fr-par-wg-001.latency_ms=40", "server.fr-par-wg-002.down=true")
    directory = lab.control.servers()

    def condition(name: str) -> ServerCondition:
        found = directory.find(name).condition
        assert found is not None
        return found

    assert condition("fr-par-wg-001") == ServerCondition(latency_ms=40)
    assert condition("fr-par-wg-002") == ServerCondition(down=True)
    assert condition("de-ber-wg-001") == ServerCondition()


# -- telemetry ingestion ------------------------------------------------------------


def test_a_decoded_ping_is_listed_with_the_kept_headers(lab: LabProcess) -> None:
    document_id = new_id()
    body = gzip.compress(json.dumps(glean_ping()).encode())
    headers = {"Content-Encoding": "gzip", "X-Telemetry-Agent": "Glean/71", "Content-Type": "application/json"}
    assert request(lab, "POST", submit_path(document_id), body=body, headers=headers).status == 200
    (stored,) = [ping for ping in lab.control.pings(app="mimic-vpn") if ping.document_id == document_id]
    assert stored.payload == glean_ping()
    assert (stored.ping, stored.version) == ("vpnsession", "1")
    assert stored.headers["x_telemetry_agent"] == "Glean/71"


def test_ingestion_down_drops_the_connection(lab: LabProcess) -> None:
    lab.control.set("ingestion=down")
    document_id = new_id()
    assert_dropped(lab, "POST", submit_path(document_id), body=json.dumps(glean_ping()).encode())
    assert document_id not in {ping.document_id for ping in lab.control.pings(limit=1000)}


def test_ingestion_error_answers_500(lab: LabProcess) -> None:
    lab.control.set("ingestion=error")
    document_id = new_id()
    reply = request(lab, "POST", submit_path(document_id), body=json.dumps(glean_ping()).encode())
    assert reply.status == 500
    assert document_id not in {ping.document_id for ping in lab.control.pings(limit=1000)}


def test_ingestion_ignores_the_captive_portal(lab: LabProcess) -> None:
    lab.control.set("captive_portal=on")
    reply = request(lab, "POST", submit_path(new_id(), app="portal-app"), body=b"{}")
    assert reply.status == 200


def test_pings_limit_keeps_the_latest(lab: LabProcess) -> None:
    ids = [new_id() for _ in range(5)]
    for document_id in ids:
        body = json.dumps(glean_ping()).encode()
        assert request(lab, "POST", submit_path(document_id, ping="health"), body=body).status == 200
    assert [ping.document_id for ping in lab.control.pings(ping="health", limit=2)] == ids[-2:]
    assert request(lab, "GET", "/lab/pings?limit=lots").status == 400
    assert request(lab, "GET", "/lab/pings?limit=0").status == 400


# -- control API ------------------------------------------------------------------


def test_health_names_the_lab_process(lab: LabProcess) -> None:
    health = lab.control.health()
    assert health.ok
    assert health.pid == lab.pid != os.getpid()


def test_patch_returns_and_keeps_the_new_conditions(lab: LabProcess) -> None:
    reply = request(
        lab,
        "PATCH",
        "/lab/conditions",
        body=json.dumps({"servers": {"de-ber-wg-001": {"down": True}}, "subscription": "expired"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert reply.status == 200
    assert reply.json()["servers"] == {"de-ber-wg-001": {"down": True, "latency_ms": 0, "loss": 0.0}}
    conditions = lab.control.conditions()
    assert conditions.subscription == "expired"
    assert conditions.server("de-ber-wg-001").down
    assert lab.control.reset() == Conditions()
    assert lab.control.conditions() == Conditions()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{oops", "not valid JSON"),
        (b"[]", "JSON object"),
        (b'{"weather": 1}', "unknown condition 'weather'"),
        (b'{"internet": "sometimes"}', "internet"),
        (b'{"servers": {"nowhere-001": {"down": true}}}', "unknown server 'nowhere-001'"),
        (b'{"servers": {"de-ber-wg-001": {"loss": 3}}}', "loss"),
        (b'{"servers": {"de-ber-wg-001": {"latency_ms": -4}}}', "latency_ms"),
    ],
)
def test_invalid_patch_answers_400_and_changes_nothing(lab: LabProcess, body: bytes, message: str) -> None:
    reply = request(lab, "PATCH", "/lab/conditions", body=body, headers={"Content-Type": "application/json"})
    assert reply.status == 400
    assert message in reply.json()["error"]
    assert lab.control.conditions() == Conditions()


def test_control_client_reports_refusals(lab: LabProcess) -> None:
    with pytest.raises(LabRequestError) as refused:
        lab.control.patch({"servers": {"nowhere-001": {"down": True}}})
    assert refused.value.status == 400
    assert "nowhere-001" in refused.value.message


def read_event(response: http.client.HTTPResponse) -> tuple[str, dict[str, Any]]:
    """The next event of a Server-Sent Events stream (comments skipped)."""
    kind, data = "", ""
    while True:
        line = response.readline().decode()
        assert line, "the event stream ended"
        line = line.rstrip("\r\n")
        if not line:
            if data:
                return kind, json.loads(data)
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(": ")
        if field == "event":
            kind = value
        elif field == "data":
            data += value


def test_event_stream_announces_every_change(lab: LabProcess) -> None:
    address = urlsplit(lab.url)
    assert address.hostname is not None and address.port is not None
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=CLIENT_TIMEOUT_S)
    try:
        connection.request("GET", "/lab/events")
        response = connection.getresponse()
        assert response.status == 200
        assert response.headers.get_content_type() == "text/event-stream"
        assert read_event(response) == ("conditions", to_builtins(Conditions()))
        lab.control.set("internet=down")
        kind, data = read_event(response)
        assert kind == "conditions"
        assert data["internet"] is False
        # A login on the portal page is announced like any other change.
        lab.control.set("internet=up", "captive_portal=on")
        assert read_event(response)[1]["captive_portal"] is True
        request(lab, "POST", "/portal/login")
        assert read_event(response)[1]["captive_portal"] is False
    finally:
        connection.close()


def test_control_client_from_the_state_file(lab: LabProcess) -> None:
    control = LabControl.from_state_file(lab.state_file)
    assert control.url == lab.url
    assert control.health().pid == lab.pid
