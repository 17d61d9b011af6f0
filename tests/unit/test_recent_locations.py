"""The recent locations: most recent first, no repeats, three at most."""

from __future__ import annotations

from pathlib import Path

from vpnui.connection.recent_locations import KEEP, location_key, remember
from vpnui.settings import load_settings, save_settings


def test_the_chosen_location_goes_first_once() -> None:
    recent = remember([], "de/ber")
    recent = remember(recent, "fr/par")
    recent = remember(recent, "de/ber")
    assert recent == ["de/ber", "fr/par"]


def test_only_the_last_few_are_kept() -> None:
    recent: list[str] = []
    for key in ("de/ber", "fr/par", "jp/tyo", "us/nyc"):
        recent = remember(recent, key)
    assert recent == ["us/nyc", "jp/tyo", "fr/par"] and len(recent) == KEEP


def test_a_location_is_remembered_by_its_codes() -> None:
    assert location_key("br", "sao") == "br/sao"


def test_settings_keep_them_and_older_files_have_none(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text('{"country_code": "de", "city_code": "ber"}')
    settings = load_settings(path)
    assert settings.recent_locations == []
    settings.recent_locations = remember(settings.recent_locations, "br/sao")
    save_settings(settings, path)
    assert load_settings(path).recent_locations == ["br/sao"]
