"""The ConnectionManager: the UI's only source of connection state.

It wraps the pure transition table (``machine``) in a QObject: events from
the user, the checks, the daemon and the stability tracker go in one at a
time, and the effects the table asks for are carried out here (run checks,
talk to the Controller, signal failures, drive the timer).  Serialising
every event through ``_dispatch`` is what keeps racing checks from showing
two different explanations for one problem.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Collection
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEnum, QObject, QTimer, Signal, Slot

from mimic_core import protocol
from mimic_core.protocol import DaemonError, ServerEndpoint
from vpnui.background_tasks import BackgroundTasks
from vpnui.config import Endpoints as AppEndpoints
from vpnui.connection import machine_events as ev
from vpnui.connection import states
from vpnui.connection.check_sets import (
    ACTIVATION_CHECKS,
    NETWORK_CHECKS,
    SERVER_RECHECKS,
    SUBSCRIPTION_RECHECKS,
    SWITCH_CHECKS,
)
from vpnui.connection.locations import location_rows
from vpnui.connection.machine import Machine
from vpnui.connection.presentation import (
    FAILURE_KEYS,
    check_subtitle,
    failure_detail,
    failure_title,
    format_bytes,
    format_elapsed,
    moved_notice,
    round_trip_text,
    status_text,
)
from vpnui.connection.settings import ConnectionSettings, Endpoints
from vpnui.connection.stability import StabilityTracker
from vpnui.connection.states import CHECKS_RULING_OUT, Check, ConnectionState, FailureCause, VPNClientState
from vpnui.controller import Controller
from vpnui.daemon_client import DaemonClient, DaemonLinkError, LinkState
from vpnui.location_model import LocationListModel
from vpnui.qml_types import FailureKind, LinkKind, app_type
from vpnui.settings import Settings, save_settings
from vpnui.typed_property import typed_property

if TYPE_CHECKING:
    import asyncio

    import aiohttp

    # Only the checks' own modules make these, after the window's screens.
    from vpnui.connection.check_results import CheckResult
    from vpnui.connection.check_runs import CheckReport
    from vpnui.connection.server_list import ServerList
    from vpnui.connection.server_list_loader import ServerListLoader

log = logging.getLogger(__name__)

# While a failure modal is open its condition is re-checked this often, so
# the modal closes by itself once the condition clears.
FAILURE_RECHECK_S = 2.0
# Status requests after a (re)connection before giving up on reading a stable one.
STATUS_ADOPTION_ATTEMPTS = 5
# How long the line saying that the connection moved stays in the window.
MOVED_NOTICE_S = 30.0


@app_type("The ConnectionManager is created by the app")
class ConnectionManager(QObject):
    """Two state machines (client state, connection state) and their failures."""

    # What the VPN client is doing (see states.VPNClientState).
    VPNClientState = QEnum(VPNClientState)
    # Which check is running (see states.ConnectionState).
    ConnectionState = QEnum(ConnectionState)

    stateChanged = Signal()
    connectionStateChanged = Signal()
    linkStateChanged = Signal()
    textChanged = Signal()
    elapsedChanged = Signal()
    stabilityChanged = Signal()
    failureChanged = Signal()
    locationChanged = Signal()
    # The rows of ``locations`` changed (the model itself tells its views what changed).
    locationsChanged = Signal()

    # One signal per failure cause, named for what was found.
    internetProbeFailed = Signal()
    captivePortalDetected = Signal(str)  # the portal page to open
    accountServiceUnreachable = Signal()
    subscriptionNotFound = Signal(str)  # "expired" or "none"
    firewallBlocked = Signal()
    serverUnavailable = Signal()
    daemonLost = Signal()
    failureCleared = Signal(str)
    failureRaised = Signal(str)  # any cause, by its FAILURE_KEYS key (for counting)
    healthChanged = Signal()
    # The daemon moved the tunnel by itself: (server left, server now used).
    serverMoved = Signal(str, str)
    movedNoticeChanged = Signal()
    # The user asked for something ("activate", "deactivate", "location",
    # "dismiss"), emitted before it is carried out: the desktop notifications
    # tell the user's own changes (and a closed modal) from the ones that happen.
    userActed = Signal(str)

    # Durations for telemetry: toggle -> On, and each check.
    activationMeasured = Signal(float)
    checkMeasured = Signal(str, float)

    def __init__(
        self,
        client: DaemonClient,
        controller: Controller,
        settings: Settings,
        connection_settings: ConnectionSettings,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._client = client
        self._controller = controller
        self._settings = settings
        self._conn = connection_settings
        self._machine = Machine()
        self._stability = StabilityTracker(connection_settings)
        self._endpoints: Endpoints | None = None
        self._app_endpoints = AppEndpoints()
        self._http: aiohttp.ClientSession | None = None
        self._server_list: ServerList | None = None
        self._server_list_loader: ServerListLoader | None = None
        self._city_scores: dict[tuple[str, str], float | None] = {}
        self._connected_server = ""
        self._switch_target: tuple[str, str] | None = None
        self._failure_detail = ""
        self._portal_url = ""
        self._subscription_status = ""
        self._link = client.link_state
        self._locations = LocationListModel(self)
        self._health: protocol.Health | None = None
        self._moved_notice = ""
        self._check_task: asyncio.Task[None] | None = None
        self._tasks = BackgroundTasks("connection")
        self._session_events = 0  # Connected / ServerMoved / Disconnected events seen
        self._toggle_at: float | None = None
        self.last_activation_s: float | None = None
        self.check_durations: dict[str, float] = {}

        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self.elapsedChanged)
        self._recheck_failure = QTimer(self)
        self._recheck_failure.setInterval(int(FAILURE_RECHECK_S * 1000))
        self._recheck_failure.timeout.connect(self._on_failure_recheck)
        self._recheck_subscription = QTimer(self)
        self._recheck_subscription.setInterval(int(connection_settings.subscription_recheck_interval_s * 1000))
        self._recheck_subscription.timeout.connect(lambda: self._spawn_recheck(SUBSCRIPTION_RECHECKS))
        self._recheck_servers = QTimer(self)
        self._recheck_servers.setInterval(int(connection_settings.server_recheck_interval_s * 1000))
        self._recheck_servers.timeout.connect(lambda: self._spawn_recheck(SERVER_RECHECKS))
        self._moved_notice_timer = QTimer(self)
        self._moved_notice_timer.setSingleShot(True)
        self._moved_notice_timer.setInterval(int(MOVED_NOTICE_S * 1000))
        self._moved_notice_timer.timeout.connect(lambda: self._set_moved_notice(""))

        client.linkStateChanged.connect(self._on_link_state)
        client.eventReceived.connect(self._on_daemon_event)

    # ---------------------------------------------------------- QML API

    def _get_state(self) -> int:
        return int(self._machine.snapshot.client_state)

    def _get_connection_state(self) -> int:
        return int(self._machine.snapshot.connection_state)

    def _get_link_state(self) -> int:
        return int(LinkKind.of(self._link))

    def _get_title(self) -> str:
        return status_text(self._machine.snapshot, self.location_name)[0]

    def _get_subtitle(self) -> str:
        snapshot = self._machine.snapshot
        if snapshot.client_state in (VPNClientState.Connecting, VPNClientState.Switching):
            running = check_subtitle(snapshot.connection_state, self.location_name)
            if running:
                return running
        return status_text(snapshot, self.location_name)[1]

    def _get_elapsed_text(self) -> str:
        since = self._machine.snapshot.connected_since
        return format_elapsed(time.time() - since) if since is not None else ""

    def _get_connected_since(self) -> float:
        since = self._machine.snapshot.connected_since
        return since if since is not None else 0.0

    def _get_unstable(self) -> bool:
        return self._machine.snapshot.connection_state == ConnectionState.Unstable

    def _get_stability_text(self) -> str:
        return self._stability.reason if self._get_unstable() else ""

    def _get_failure(self) -> int:
        return int(FailureKind.of(self._machine.snapshot.failure))

    def _get_failure_title(self) -> str:
        failure = self._machine.snapshot.failure
        return failure_title(failure) if failure is not None else ""

    def _get_failure_detail(self) -> str:
        return self._failure_detail

    def _get_portal_url(self) -> str:
        return self._portal_url

    def _get_account_url(self) -> str:
        return self._app_endpoints.account_url or ""

    def _get_location_name(self) -> str:
        return self.location_name

    def _get_server_name(self) -> str:
        return self._connected_server

    def _get_locations(self) -> LocationListModel:
        return self._locations

    def _get_round_trip(self) -> str:
        if self._health is None:
            return ""
        return round_trip_text(self._health.rtt_ms, self._health.missed_in_a_row)

    def _get_moved_notice(self) -> str:
        return self._moved_notice

    def _get_traffic(self) -> str:
        if self._health is None:
            return ""
        return f"↓ {format_bytes(self._health.rx_bytes)}   ↑ {format_bytes(self._health.tx_bytes)}"

    state = typed_property(int, _get_state, notify=stateChanged)
    connectionState = typed_property(int, _get_connection_state, notify=connectionStateChanged)
    # A DaemonLink value (DaemonLink.Ready...).
    linkState = typed_property(int, _get_link_state, notify=linkStateChanged)
    title = typed_property(str, _get_title, notify=textChanged)
    subtitle = typed_property(str, _get_subtitle, notify=textChanged)
    elapsedText = typed_property(str, _get_elapsed_text, notify=elapsedChanged)
    connectedSince = typed_property(float, _get_connected_since, notify=elapsedChanged)
    unstable = typed_property(bool, _get_unstable, notify=stabilityChanged)
    stabilityText = typed_property(str, _get_stability_text, notify=stabilityChanged)
    # A Failure value (Failure.NoFailure, Failure.NoInternet...).
    failure = typed_property(int, _get_failure, notify=failureChanged)
    # The failure's modal: its title (also the status card's subtitle) and its explanation.
    failureTitle = typed_property(str, _get_failure_title, notify=failureChanged)
    failureDetail = typed_property(str, _get_failure_detail, notify=failureChanged)
    portalUrl = typed_property(str, _get_portal_url, notify=failureChanged)
    accountUrl = typed_property(str, _get_account_url, notify=failureChanged)
    locationName = typed_property(str, _get_location_name, notify=locationChanged)
    serverName = typed_property(str, _get_server_name, notify=locationChanged)
    locations = typed_property(LocationListModel, _get_locations, constant=True)
    roundTrip = typed_property(str, _get_round_trip, notify=healthChanged)
    traffic = typed_property(str, _get_traffic, notify=healthChanged)
    movedNotice = typed_property(str, _get_moved_notice, notify=movedNoticeChanged)

    @Slot()
    def toggle(self) -> None:
        """The switch: on when off, off otherwise."""
        if self._machine.snapshot.client_state == VPNClientState.Off:
            self.activate()
        else:
            self.deactivate()

    @Slot()
    def activate(self) -> None:
        self._toggle_at = time.monotonic()
        self.userActed.emit("activate")
        self._dispatch(ev.ToggleOn())

    @Slot()
    def deactivate(self) -> None:
        self._toggle_at = None
        self.userActed.emit("deactivate")
        self._dispatch(ev.ToggleOff())

    @Slot()
    def retry(self) -> None:
        self._toggle_at = time.monotonic()
        self._dispatch(ev.Retry())

    @Slot()
    def dismissFailure(self) -> None:
        """The user closed the modal; the condition may persist but is no longer shown."""
        failure = self._machine.snapshot.failure
        if failure is not None:
            self.userActed.emit("dismiss")
            self._dispatch(ev.FailureCleared(failure))

    @Slot(str, str)
    def chooseLocation(self, country_code: str, city_code: str) -> None:
        """Select a location; while on, this switches servers."""
        if self._server_list is None or self._server_list.city(country_code, city_code) is None:
            log.error("unknown location %s/%s", country_code, city_code)
            return
        previous = self.selected_location
        self._settings.country_code, self._settings.city_code = country_code, city_code
        save_settings(self._settings)
        self.locationChanged.emit()
        self._refresh_locations()
        self.textChanged.emit()
        if previous != (country_code, city_code):
            self.userActed.emit("location")
            servers = tuple(self._server_list.endpoints(country_code, city_code))
            self._dispatch(ev.LocationChosen(servers))

    # ------------------------------------------------------------- set-up

    def set_endpoints(self, endpoints: AppEndpoints) -> None:
        """Point the checks at ``endpoints`` and load the server list."""
        self._app_endpoints = endpoints
        assert endpoints.complete()
        self._endpoints = Endpoints(
            connectivity_url=endpoints.connectivity_url or "",
            captive_portal_url=endpoints.captive_portal_url or "",
            subscription_url=endpoints.subscription_url or "",
            servers_url=endpoints.servers_url or "",
            device_token=self._settings.device_token,
        )
        self._start_server_list_loader()

    @property
    def selected_location(self) -> tuple[str, str]:
        return self._settings.country_code, self._settings.city_code

    @property
    def location_name(self) -> str:
        if self._server_list is None:
            return ""
        country = self._server_list.country(self._settings.country_code)
        city = self._server_list.city(self._settings.country_code, self._settings.city_code)
        if country is None or city is None:
            return ""
        return f"{city.name}, {country.name}"

    @property
    def server_list(self) -> ServerList | None:
        return self._server_list

    @property
    def location_model(self) -> LocationListModel:
        """``locations``, typed."""
        return self._locations

    @property
    def failure_cause(self) -> FailureCause | None:
        """The failure shown, if any (``failure`` is its ``FailureKind`` for QML)."""
        return self._machine.snapshot.failure

    @property
    def failure_key(self) -> str:
        """The failure shown, by its ``FAILURE_KEYS`` name (logs, telemetry, automation); "" for none."""
        failure = self._machine.snapshot.failure
        return FAILURE_KEYS[failure] if failure is not None else ""

    @property
    def link_state(self) -> LinkState:
        """The daemon link (``linkState`` is its ``LinkKind`` for QML)."""
        return self._link

    def network_changed(self) -> None:
        """The network changed (OS notice or a lab condition): re-check it.

        A server list that could not be fetched on the old network is asked
        for again at once: the user should not have to click for it.
        """
        if self._server_list_loader is not None:
            self._server_list_loader.network_back()
        self._dispatch(ev.NetworkChanged())

    async def shutdown(self) -> None:
        for timer in (
            self._tick,
            self._recheck_failure,
            self._recheck_subscription,
            self._recheck_servers,
            self._moved_notice_timer,
        ):
            timer.stop()
        await self._tasks.cancel_all()
        if self._http is not None:
            await self._http.close()
            self._http = None

    # -------------------------------------------------------- dispatching

    def _dispatch(self, event: ev.Event) -> None:
        before = self._machine.snapshot
        effects = self._machine.step(event)
        after = self._machine.snapshot
        log.debug("%s: %s -> %s %s", type(event).__name__, before, after, effects)
        for effect in effects:
            self._perform(effect)
        if after.client_state != before.client_state:
            self._on_client_state(before.client_state, after.client_state)
            self.stateChanged.emit()
        if after.connection_state != before.connection_state:
            self.connectionStateChanged.emit()
        if after.connection_state != before.connection_state or after.unstable != before.unstable:
            self.stabilityChanged.emit()
        if after.failure != before.failure:
            self.failureChanged.emit()
            self._recheck_failure.start() if after.failure is not None else self._recheck_failure.stop()
        if after != before:
            self.textChanged.emit()

    def _on_client_state(self, before: states.VPNClientState, after: states.VPNClientState) -> None:
        if after == VPNClientState.On:
            self._remember_location()
            if self._toggle_at is not None and before == VPNClientState.Connecting:
                self.last_activation_s = time.monotonic() - self._toggle_at
                self.activationMeasured.emit(self.last_activation_s)
            self._toggle_at = None
            self._stability.reset(time.monotonic())
            self._recheck_subscription.start()
            self._recheck_servers.start()
            self._tick.start()
        if after in (VPNClientState.Off, VPNClientState.Disconnecting, VPNClientState.Switching):
            self._set_moved_notice("")  # about a connection that is over, or being left
        if after in (VPNClientState.Off, VPNClientState.Disconnecting):
            self._recheck_subscription.stop()
            self._recheck_servers.stop()
            self._tick.stop()
            self._connected_server = ""
            self._health = None
            self.healthChanged.emit()
            self.locationChanged.emit()
        if after == VPNClientState.Off:
            self._toggle_at = None

    def _remember_location(self) -> None:
        """The location now connected to heads the recent ones (the picker and the tray menu)."""
        country, city = self.selected_location
        if country and city:
            self._settings.desktop.remember_location(country, city)
            save_settings(self._settings)
            self._refresh_locations()

    def _perform(self, effect: ev.Effect) -> None:
        match effect:
            case ev.RunActivationChecks():
                self._run_checks(ACTIVATION_CHECKS, None, self._activation_result)
            case ev.RunTunnelLostChecks():
                self._run_checks(ACTIVATION_CHECKS, None, self._plain_result)
            case ev.RunNetworkChecks():
                self._run_checks(NETWORK_CHECKS, (), self._plain_result)
            case ev.RunSwitchChecks(servers=servers):
                self._run_checks(SWITCH_CHECKS, servers, self._switch_result)
            case ev.CancelChecks():
                if self._check_task is not None:
                    self._check_task.cancel()
                    self._check_task = None
            case ev.ActivateDaemon(servers=servers):
                self._spawn(self._activate_daemon(servers))
            case ev.DeactivateDaemon():
                self._spawn(self._deactivate_daemon())
            case ev.EmitFailure(cause=cause):
                self._emit_failure(cause)
            case ev.ClearFailure(cause=cause):
                self.failureCleared.emit(FAILURE_KEYS[cause])
            case ev.AnnounceMove(from_server=old, to_server=new):
                self._set_moved_notice(moved_notice(old, new))
                self._moved_notice_timer.start()
                self.serverMoved.emit(old, new)
            case ev.StartTimer():
                self._tick.start()
                self.elapsedChanged.emit()
            case ev.StopTimer():
                self._tick.stop()
                self.elapsedChanged.emit()

    def _set_moved_notice(self, text: str) -> None:
        if text != self._moved_notice:
            self._moved_notice = text
            self.movedNoticeChanged.emit()

    def _emit_failure(self, cause: FailureCause) -> None:
        self._failure_detail = failure_detail(cause, self._subscription_status)
        self.failureRaised.emit(FAILURE_KEYS[cause])
        match cause:
            case FailureCause.NoInternet:
                self.internetProbeFailed.emit()
            case FailureCause.CaptivePortal:
                self.captivePortalDetected.emit(self._portal_url)
            case FailureCause.AccountServiceUnreachable:
                self.accountServiceUnreachable.emit()
            case FailureCause.NoSubscription:
                self.subscriptionNotFound.emit(self._subscription_status)
            case FailureCause.FirewallBlocking:
                self.firewallBlocked.emit()
            case FailureCause.ServerUnavailable:
                self.serverUnavailable.emit()
            case FailureCause.DaemonLost:
                self.daemonLost.emit()

    # ------------------------------------------------------------- checks

    def _spawn(self, coro: Awaitable[Any]) -> asyncio.Task[Any]:
        return self._tasks.spawn(coro)

    def _session(self) -> aiohttp.ClientSession:
        # The HTTP client and the checks load on first use, after the window
        # is on screen (they are a large part of the start-up time).
        import aiohttp  # noqa: PLC0415

        if self._http is None:
            self._http = aiohttp.ClientSession()
        return self._http

    def _location_servers(self) -> tuple[ServerEndpoint, ...]:
        if self._server_list is None:
            return ()
        return tuple(self._server_list.endpoints(*self.selected_location))

    def _run_checks(
        self,
        checks: Collection[Check],
        servers: tuple[ServerEndpoint, ...] | None,
        then: Callable[[CheckReport], None],
    ) -> None:
        if self._check_task is not None:
            self._check_task.cancel()
        self._check_task = self._spawn(self._checks(checks, servers, then))

    async def _checks(
        self,
        checks: Collection[Check],
        servers: tuple[ServerEndpoint, ...] | None,
        then: Callable[[CheckReport], None],
    ) -> None:
        if self._endpoints is None:
            return
        if servers is None:
            if self._server_list_loader is not None:
                await self._server_list_loader.load_now()
            servers = self._location_servers()
        from vpnui.connection.check_runs import run_checks  # noqa: PLC0415  (see _session)

        report = await run_checks(
            checks,
            self._endpoints,
            servers,
            self._conn,
            self._session(),
            on_check_started=lambda check: self._dispatch(ev.CheckStarted(check)),
            on_check_finished=self._check_finished,
        )
        import asyncio  # noqa: PLC0415  (loaded after the full UI: see vpnui.background_tasks)

        if asyncio.current_task() is self._check_task:
            self._check_task = None
        self._absorb(report)
        then(report)

    def _check_finished(self, check: Check, result: CheckResult) -> None:
        self.check_durations[check.value] = result.duration_s
        self.checkMeasured.emit(check.value, result.duration_s)

    def _absorb(self, report: CheckReport) -> None:
        """Keep what a report teaches beyond pass/fail (portal page, scores)."""
        if report.captive_portal is not None and report.captive_portal.portal_url:
            self._portal_url = report.captive_portal.portal_url
        elif self._app_endpoints.portal_url and not self._portal_url:
            self._portal_url = self._app_endpoints.portal_url
        if report.subscription is not None and report.subscription.status:
            self._subscription_status = report.subscription.status
        if report.server is not None:
            self._score(report.server.answers)

    def _activation_result(self, report: CheckReport) -> None:
        if report.failure is None:
            self._dispatch(ev.ChecksPassed(report.ranked, report.passed()))
        else:
            self._dispatch(ev.ChecksFailed(report.failure))

    def _plain_result(self, report: CheckReport) -> None:
        if report.failure is None:
            self._dispatch(ev.ChecksPassed((), report.passed()))
        else:
            self._dispatch(ev.ChecksFailed(report.failure))

    def _switch_result(self, report: CheckReport) -> None:
        if report.failure is None:
            self._dispatch(ev.SwitchChecksPassed(report.ranked, report.passed()))
        else:
            self._dispatch(ev.SwitchChecksFailed(report.failure))

    def _spawn_recheck(self, checks: Collection[Check]) -> None:
        if self._check_task is None and self._machine.snapshot.client_state == VPNClientState.On:
            self._run_checks(checks, None, self._plain_result)

    def _on_failure_recheck(self) -> None:
        failure = self._machine.snapshot.failure
        if failure is None or self._check_task is not None:
            return
        checks = CHECKS_RULING_OUT[failure]
        if checks:
            self._run_checks(checks, None, self._plain_result)

    # -------------------------------------------------------- server list

    def _start_server_list_loader(self) -> None:
        """Fetch the server list now, and again until it has come (see server_list_loader)."""
        if self._server_list_loader is not None or self._endpoints is None:
            return
        from vpnui.connection.server_list import fetch_server_list  # noqa: PLC0415  (see _session)
        from vpnui.connection.server_list_loader import ServerListLoader  # noqa: PLC0415

        servers_url = self._endpoints.servers_url
        self._server_list_loader = ServerListLoader(
            lambda: fetch_server_list(servers_url, self._conn, self._session()),
            self._server_list_loaded,
            first_retry_s=self._conn.server_list_retry_first_s,
            max_retry_s=self._conn.server_list_retry_max_s,
        )
        self._spawn(self._server_list_loader.run())

    def _server_list_loaded(self, server_list: ServerList) -> None:
        self._server_list = server_list
        if server_list.city(*self.selected_location) is None:
            first_country = server_list.countries[0]
            self._settings.country_code = first_country.code
            self._settings.city_code = first_country.cities[0].code
            save_settings(self._settings)
        self.locationChanged.emit()
        self._refresh_locations()
        self.textChanged.emit()
        self._spawn(self._score_all_cities())

    async def _score_all_cities(self) -> None:
        """Probe each location once so the location picker can show latencies."""
        if self._server_list is None:
            return
        from vpnui.connection.server_probes import probe_servers  # noqa: PLC0415

        # City by city: a probe stops once a few servers of its location answered.
        for country in self._server_list.countries:
            for city in country.cities:
                result = await probe_servers(self._server_list.endpoints(country.code, city.code), self._conn)
                self._score(result.answers)

    def _score(self, answers: Collection[Any]) -> None:
        best: dict[tuple[str, str], float | None] = {}
        for answer in answers:
            key = (answer.server.country, answer.server.city)
            rtt = answer.rtt_ms
            current = best.get(key)
            if rtt is not None and (current is None or rtt < current):
                best[key] = rtt
            else:
                best.setdefault(key, current)
        if best:
            self._city_scores.update(best)
            self._refresh_locations()

    def _refresh_locations(self) -> None:
        recent = [(country, city) for country, city in self._settings.desktop.recent_locations]
        self._locations.update(location_rows(self._server_list, self._city_scores, self.selected_location, recent))
        self.locationsChanged.emit()

    # ------------------------------------------------------------- daemon

    async def _activate_daemon(self, servers: tuple[ServerEndpoint, ...]) -> None:
        # The rest of the location too: where the daemon may move the tunnel
        # later, though they did not answer (or were not asked) just now.
        standby = tuple(server for server in self._location_servers() if server not in servers)
        try:
            await self._controller.activate(servers, self.location_name, standby)
        except DaemonError as exc:
            log.warning("activation failed: %s", exc)
            self._dispatch(ev.DaemonDisconnected(reason=ev.REASON_ACTIVATION_FAILED))
        except (DaemonLinkError, TimeoutError) as exc:
            log.warning("activation lost with the daemon link: %s", exc)

    async def _deactivate_daemon(self) -> None:
        try:
            await self._controller.deactivate()
        except (DaemonError, DaemonLinkError, TimeoutError) as exc:
            log.warning("deactivation failed: %s", exc)
            self._dispatch(ev.DaemonDisconnected(reason="user"))

    def _on_link_state(self, state: str) -> None:
        self._link = LinkState(state)
        self.linkStateChanged.emit()
        if self._link is LinkState.READY:
            self._spawn(self._adopt_daemon_status())
        elif self._link is LinkState.LOST:
            self._dispatch(ev.DaemonLinkLost())

    async def _adopt_daemon_status(self) -> None:
        # A session event read in the same socket read as the status reply is
        # handled (a signal, at once) before this coroutine resumes with the
        # reply (a future, next loop turn): an older "off" would then undo a
        # newer "connected".  So ask again until no such event came between
        # asking and reading; events alone keep the state right meanwhile.
        for _ in range(STATUS_ADOPTION_ATTEMPTS):
            events_before = self._session_events
            try:
                status = await self._client.status()
            except (DaemonError, DaemonLinkError, TimeoutError) as exc:
                log.warning("status after (re)connection failed: %s", exc)
                return
            if self._session_events == events_before:
                break
        else:
            log.info("the daemon's session kept changing while its status was read; following its events")
            since = self._machine.snapshot.connected_since
            self._dispatch(ev.DaemonLinkRestored(connected=since is not None, connected_since=since))
            return
        connected = status.state == "on" and status.connected_since is not None
        if connected and status.server is not None:
            self._connected_server = status.server.name
            self.locationChanged.emit()
        self._dispatch(ev.DaemonLinkRestored(connected=connected, connected_since=status.connected_since))

    def _on_daemon_event(self, event: object) -> None:
        if isinstance(event, protocol.Connected | protocol.ServerMoved | protocol.Disconnected):
            self._session_events += 1
        match event:
            case protocol.Connected(server=server, connected_since=since):
                self._connected_server = server.name
                self._stability.reset(time.monotonic())
                self.locationChanged.emit()
                self._dispatch(ev.DaemonConnected(since))
            case protocol.ServerMoved(from_server=old, server=new):
                self._connected_server = new.name
                self._stability.reset(time.monotonic())
                self.locationChanged.emit()
                self._dispatch(ev.ServerMoved(old.name, new.name))
            case protocol.Disconnected(reason=reason):
                self._dispatch(ev.DaemonDisconnected(reason=reason))
            case protocol.Health():
                self._on_health(event)

    def _on_health(self, health: protocol.Health) -> None:
        self._health = health
        self.healthChanged.emit()
        update = self._stability.feed_health(health, time.monotonic())
        if update.unstable_changed:
            self._dispatch(ev.StabilityChanged(update.unstable))
            self.stabilityChanged.emit()
        if update.tunnel_lost_changed:
            self._dispatch(ev.TunnelLost() if update.tunnel_lost else ev.TunnelRecovered())
        elif update.recheck_due and self._check_task is None and self._machine.snapshot.failure is None:
            # Still silent, and the last checks found no cause: look again (a
            # shown failure has its own re-check).
            self._dispatch(ev.TunnelLost())
