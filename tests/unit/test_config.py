"""Endpoint configuration: the config file, overrides and the lab's defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from vpnui.config import ConfigError, Endpoints, lab_endpoints, load_config


def test_missing_file_is_an_empty_config(tmp_path: Path) -> None:
    config = load_config(tmp_path / "config.toml")
    assert config.endpoints == Endpoints() and config.device_token is None
    assert not config.endpoints.configured


def test_file_endpoints_and_token(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('device_token = "abc"\n[endpoints]\ncaptive_portal_url = "http://detect.example/success.txt"\n')
    config = load_config(path)
    assert config.device_token == "abc"
    assert config.endpoints.captive_portal_url == "http://detect.example/success.txt"
    assert config.endpoints.configured and not config.endpoints.complete()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[endpoints\n", "cannot read"),
        ('[endpoints]\nbogus_url = "x"\n', r"unknown endpoint\(s\) bogus_url"),
        ("[endpoints]\nservers_url = 3\n", "must be a string"),
        ("endpoints = 1\n", "must be a table"),
        ("device_token = 1\n", "device_token must be a string"),
    ],
)
def test_bad_files_say_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_unset_endpoints_come_from_the_lab() -> None:
    configured = Endpoints(captive_portal_url="http://detect.example/success.txt")
    full = configured.with_defaults(lab_endpoints("http://127.0.0.1:5000"))
    assert full.complete()
    assert full.captive_portal_url == "http://detect.example/success.txt"
    assert full.connectivity_url == "http://127.0.0.1:5000/generate_204"
    assert full.servers_url == "http://127.0.0.1:5000/api/v1/servers"


def test_command_line_overrides_win() -> None:
    base = lab_endpoints("http://127.0.0.1:5000")
    merged = base.merged(Endpoints(servers_url="http://elsewhere/servers"))
    assert merged.servers_url == "http://elsewhere/servers"
    assert merged.connectivity_url == base.connectivity_url
