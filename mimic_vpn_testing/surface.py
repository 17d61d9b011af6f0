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
    "modalCaptivePortal",
    "modalNoSubscription",
    "modalFirewallBlocking",
    "modalServerUnavailable",
)
"""The failure modals, in the order of the diagnosis: the failures that ask the user for a decision.

A modal exists only while its failure is the current one (it is created
then), so a test asks whether it is open, never for the object beforehand.
"""

MODAL_PARTS: Final = ("Title", "Body", "Close")
"""Every modal's heading, text and close button: ``modalCaptivePortalTitle``, ``modalCaptivePortalClose``."""

MODAL_ACTIONS: Final = (
    "modalCaptivePortalTurnOffAndOpen",
    "modalCaptivePortalOpen",
    "modalCaptivePortalRetry",
    "modalCaptivePortalKeepOn",
    "modalNoSubscriptionManage",
    "modalNoSubscriptionTurnOff",
    "modalNoSubscriptionKeepOn",
    "modalFirewallBlockingRetry",
    "modalFirewallBlockingTurnOff",
    "modalFirewallBlockingKeepOn",
    "modalServerUnavailableChoose",
    "modalServerUnavailableRetry",
    "modalServerUnavailableTurnOff",
    "modalServerUnavailableKeepOn",
)
"""The buttons of the modals (``…TurnOff``, ``…KeepOn`` and ``modalCaptivePortalTurnOffAndOpen`` only while on)."""

BANNERS: Final = (
    "bannerNoInternet",
    "bannerAccountServiceUnreachable",
)
"""The failures that clear by themselves: a banner each, shown exactly while its failure is the current one."""

BANNER_PARTS: Final = ("Title", "Text")
"""Every banner's heading and text: ``bannerNoInternetTitle``, ``bannerNoInternetText``."""

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
    "announcer",
)
"""The main screen: status, switch, location, connection details, the other banners, what screen readers are told."""

PANELS: Final = (
    "locationPicker",
    "locationSearch",
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
    "labInternetDownSwitch",
    "labCaptivePortalSwitch",
    "labFirewallSwitch",
    "labAccountDownSwitch",
    "labSubscription",
    "labResetButton",
    "labServerList",
)
"""The location picker, the settings and the network lab's panel (created when first opened).

The lab's switches are all faults: on means the fault is happening.
"""

TEMPLATES: Final = (
    "location_{country}_{city}",
    "location_{country}_{city}_recent",
    "labServerDown_{server}",
    "labServerLatency_{server}",
    "labServerLoss_{server}",
)
"""Names made of data: a location row of the picker (``location_de_ber``; a recent one also heads the
list as ``location_de_ber_recent``) and a server's row in the lab panel."""


def static_names() -> tuple[str, ...]:
    """Every listed name that is not a template."""
    parts = tuple(modal + part for modal in MODALS for part in MODAL_PARTS)
    banner_parts = tuple(banner + part for banner in BANNERS for part in BANNER_PARTS)
    return (*MAIN, *MODALS, *parts, *MODAL_ACTIONS, *BANNERS, *banner_parts, *PANELS)


def location_item(country: str, city: str) -> str:
    """The picker row of a location, by its codes (``de``, ``ber``)."""
    return f"location_{country}_{city}"
