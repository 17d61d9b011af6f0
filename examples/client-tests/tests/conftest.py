"""The fixtures come from the Mimic VPN plugin (``-p mimic_vpn`` in pyproject.toml); nothing to add here."""
