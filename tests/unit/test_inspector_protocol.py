"""The app inspector's protocol (mimic_core/inspector_protocol.py): commands decoded, bad lines named."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mimic_core.inspector_protocol import (
    COMMANDS,
    INSPECTOR_SOCKET_ENV,
    AppState,
    ChooseLocation,
    GetState,
    InspectorProtocolError,
    Reply,
    Toggle,
    decode_command,
    decode_reply,
    encode,
)
from mimic_core.protocol import MAX_LINE_BYTES
from vpnui.main import parse_args


def test_commands_decode_with_their_fields() -> None:
    assert decode_command(b'{"cmd": "state"}') == GetState(id=None)
    assert decode_command(b'{"id": 4, "cmd": "toggle"}') == Toggle(id=4)
    assert decode_command(b'{"id": 5, "cmd": "choose_location", "country": "de", "city": "ber"}') == ChooseLocation(
        id=5, country="de", city="ber"
    )


@pytest.mark.parametrize(
    ("line", "code", "request_id"),
    [
        (b"{not json", "invalid_json", None),
        (b"[1, 2]", "not_an_object", None),
        (b'{"id": 3}', "invalid_field", 3),
        (b'{"id": 3, "cmd": "reboot"}', "unknown_command", 3),
        (b'{"id": 3, "cmd": "choose_location", "country": "de"}', "invalid_field", 3),
        (b'{"id": 3, "cmd": "toggle", "force": true}', "invalid_field", 3),
        (b'{"id": 3, "cmd": "choose_location", "country": 1, "city": "ber"}', "invalid_field", 3),
        # Ids are integers or null: true is not echoed back as an id.
        (b'{"id": true, "cmd": "toggle"}', "invalid_field", None),
        (b'{"id": "7", "cmd": "toggle"}', "invalid_field", None),
        (b"[" * 5000 + b"]" * 5000, "invalid_json", None),
        (b'{"cmd": "state", "pad": "' + b"x" * MAX_LINE_BYTES + b'"}', "line_too_long", None),
    ],
)
def test_a_bad_line_is_named_never_raised_otherwise(line: bytes, code: str, request_id: int | None) -> None:
    with pytest.raises(InspectorProtocolError) as caught:
        decode_command(line)
    assert caught.value.code == code
    reply = caught.value.to_reply()
    assert (reply.ok, reply.error, reply.id) == (False, code, request_id)
    assert reply.message


def test_replies_round_trip_on_one_line() -> None:
    state = AppState(
        pid=1,
        client_state="On",
        connection_state="Idle",
        link_state="ready",
        failure="",
        failure_detail="",
        title="VPN is on",
        subtitle="Berlin, Germany",
        server_name="de-ber-wg-001",
        country_code="de",
        city_code="ber",
        location_name="Berlin, Germany",
        connected_since=1_800_000_000.5,
        locations_loaded=True,
        telemetry_session_id=None,
        palette="light",
        system_color_scheme="Unknown",
    )
    line = encode(Reply(id=9, ok=True, state=state))
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert decode_reply(line.rstrip(b"\n")) == Reply(id=9, ok=True, state=state)


def test_the_inspector_is_off_unless_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(INSPECTOR_SOCKET_ENV, raising=False)
    args = parse_args([])
    assert (args.inspector, args.inspector_socket) == (False, None)
    monkeypatch.setenv(INSPECTOR_SOCKET_ENV, "/tmp/x/inspector.sock")
    assert parse_args([]).inspector_socket == "/tmp/x/inspector.sock"
    assert parse_args(["--inspector-socket", "/tmp/y.sock"]).inspector_socket == "/tmp/y.sock"
    assert parse_args(["--inspector"]).inspector is True


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
commands = st.fixed_dictionaries(
    {"cmd": st.sampled_from([*sorted(COMMANDS), "other"])},
    optional={"id": json_values, "country": json_values, "city": json_values, "extra": json_values},
)


@given(st.binary(max_size=300) | json_values.map(msgspec.json.encode) | commands.map(msgspec.json.encode))
@settings(max_examples=400, deadline=None)
def test_any_line_decodes_to_a_command_or_a_named_error(line: bytes) -> None:
    try:
        command = decode_command(line)
    except InspectorProtocolError as exc:
        reply = exc.to_reply()
        assert reply.ok is False and reply.error is not None
        assert reply.id is None or type(reply.id) is int
        return
    assert command.id is None or type(command.id) is int
