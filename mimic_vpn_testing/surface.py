"""The test surface: the objectNames of the window that tests may rely on.

These names are a promise, listed in ``docs/testing.md``: a test written
against them keeps working across releases, and
``tests/unit/test_test_surface.py`` fails when one of them disappears from
the QML.  Items named but not listed here may be renamed at any time.
Names with a ``{placeholder}`` are made of data (a location's codes, a
server's name).
"""

from __future__ import annotations

from typing import Final

MODALS: Final = (
    "modalNoInternet",
    "modalCaptivePortal",
    "modalAccountServiceUnreachable",
    "modalNoSubscription",
    "modalFirewallBlocking",
    "modalServerUnavailable",
    "modalDaemonLost",
)
"""The failure modals, in the order of the diagnosis (one root cause, one modal)."""

MODAL_PARTS: Final = ("Title", "Body")
"""Every modal's heading and text: ``modalCaptivePortalTitle``, ``modalCaptivePortalBody``."""

MODAL_ACTIONS: Final = (
    "modalNoInternetRetry",
    "modalNoInternetTurnOff",
    "modalNoInternetClose",
    "modalCaptivePortalOpen",
    "modalCaptivePortalRetry",
    "modalCaptivePortalTurnOff",
    "modalCaptivePortalClose",
    "modalAccountServiceUnreachableRetry",
    "modalAccountServiceUnreachableClose",
    "modalNoSubscriptionManage",
    "modalNoSubscriptionTurnOff",
    "modalNoSubscriptionClose",
    "modalFirewallBlockingRetry",
    "modalFirewallBlockingTurnOff",
    "modalFirewallBlockingClose",
    "modalServerUnavailableChoose",
    "modalServerUnavailableRetry",
    "modalServerUnavailableTurnOff",
    "modalDaemonLostClose",
)
"""The buttons of the modals."""

MAIN: Final = (
    "mainWindow",
    "statusHeader",
    "statusTitle",
    "statusSubtitle",
    "connectionTimer",
    "vpnToggle",
    "stabilityIndicator",
    "locationButton",
    "connectionDetails",
    "detailsServer",
    "detailsRoundTrip",
    "detailsTraffic",
    "serverMovedNotice",
    "daemonLinkBanner",
    "daemonLinkBannerText",
)
"""The main screen: status, switch, location, connection details, notices."""

PANELS: Final = (
    "locationPicker",
    "locationList",
    "locationPickerClose",
    "settingsButton",
    "settingsPanel",
    "settingsClose",
    "telemetrySwitch",
    "notificationsSwitch",
    "labPanelButton",
    "labPanel",
    "labPanelClose",
    "labInternetSwitch",
    "labCaptivePortalSwitch",
    "labFirewallSwitch",
    "labAccountSwitch",
    "labSubscription",
    "labResetButton",
    "labServerList",
)
"""The location picker, the settings and the network lab's panel."""

TEMPLATES: Final = (
    "location_{country}_{city}",
    "labServerUp_{server}",
    "labServerLatency_{server}",
    "labServerLoss_{server}",
)
"""Names made of data: a location row of the picker (``location_de_ber``) and a server's row in the lab panel."""


def static_names() -> tuple[str, ...]:
    """Every listed name that is not a template."""
    parts = tuple(modal + part for modal in MODALS for part in MODAL_PARTS)
    return (*MAIN, *MODALS, *parts, *MODAL_ACTIONS, *PANELS)


def location_item(country: str, city: str) -> str:
    """The picker row of a location, by its codes (``de``, ``ber``)."""
    return f"location_{country}_{city}"
