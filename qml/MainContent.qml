pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts
import QtQuick.Templates as T
import Mimic
import theme
import "components"
import "screens"

// Everything the main window shows once the app's objects exist.  Main.qml
// loads it into the window after the window's first frame (see Main.qml).
//
// Only the main screen is built at start-up.  The panels, the modals and
// the banners are created when first needed (a Loader each): the window's
// full UI comes sooner, and what is never shown costs nothing.  The panels
// are not even compiled until then (loaded by URL, see PanelSlot).
//
// Messages come in tiers.  What clears by itself is a banner, in the free
// space above the bottom buttons, blocking nothing (no internet, the
// account service, an unstable link, the service starting); a lost daemon
// is said by the status card itself ("Status unknown"), with the switch
// disabled.  A modal only asks for a decision the user must make (a portal
// to sign in to, a subscription, a firewall, a location), and always closes
// by its close button and Escape.
Item {
    id: root
    required property ConnectionManager manager
    required property LabConditions lab
    required property Preferences preferences

    readonly property bool vpnOn: root.manager.state === ConnectionManager.On
                                  || root.manager.state === ConnectionManager.Switching
    // The failure shown (a Failure value) and the daemon link (a DaemonLink value).
    readonly property int failure: root.manager.failure
    readonly property bool linkReady: root.manager.linkState === DaemonLink.Ready
    readonly property bool linkStarting: root.manager.linkState === DaemonLink.Starting

    function dismiss(failure: int) {
        // A modal being destroyed (its failure replaced by another) closes too: not a dismissal.
        if (root.failure === failure)
            root.manager.dismissFailure()
    }
    function turnOff() {
        root.manager.dismissFailure()
        root.manager.deactivate()
    }

    // State changes, said to screen readers once each (see MVAnnouncer).
    MVAnnouncer {
        id: announcer
        objectName: "announcer"
    }
    // The title last said: the steps of one change ("Checking…", "Finding…",
    // "Setting up…" under "Connecting…") are shown, not each said, so a
    // reader hears "Connecting…" once and then where it ended.
    property string saidTitle
    function announceStatus() {
        const title = root.manager.title
        const state = root.manager.state
        const changing = state === ConnectionManager.Connecting || state === ConnectionManager.Disconnecting
                         || state === ConnectionManager.Switching
        if (changing && title === root.saidTitle)
            return
        root.saidTitle = title
        // A title with its own closing punctuation ("Connecting…") takes no period after it.
        const text = /[.…!?]$/.test(title) ? title + " " + root.manager.subtitle
                                            : qsTr("%1. %2").arg(title).arg(root.manager.subtitle)
        announcer.say(text, root.failure !== Failure.NoFailure)
    }
    Connections {
        target: root.manager
        function onTextChanged() { Qt.callLater(root.announceStatus) }
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.spacing
        spacing: Theme.spacing

        StatusHeader {
            objectName: "statusHeader"
            Layout.fillWidth: true
            manager: root.manager
            linkReady: root.linkReady
        }

        MVListRow {
            objectName: "locationButton"
            Layout.fillWidth: true
            overline: qsTr("Location")
            text: root.manager.locationName !== "" ? root.manager.locationName : qsTr("Loading server list…")
            chevron: true
            Accessible.description: qsTr("Opens the list of locations")
            onClicked: pickerSlot.open()
        }

        // The live tunnel, while on (created then: nothing to show when off).
        Loader {
            Layout.fillWidth: true
            active: root.vpnOn && root.manager.roundTrip !== ""
            visible: active
            sourceComponent: Rectangle {
                objectName: "connectionDetails"
                implicitHeight: details.implicitHeight + 2 * Theme.spacing
                radius: Theme.radius
                color: Theme.surface
                border.color: Theme.divider
                GridLayout {
                    id: details
                    anchors.fill: parent
                    anchors.margins: Theme.spacing
                    columns: 2
                    columnSpacing: Theme.spacing
                    rowSpacing: Theme.smallSpacing
                    MVText { text: qsTr("Server"); textStyle: MVText.Small; color: Theme.textMuted }
                    MVText {
                        objectName: "detailsServer"
                        Layout.fillWidth: true
                        text: root.manager.serverName
                        textStyle: MVText.Small
                    }
                    MVText { text: qsTr("Round trip"); textStyle: MVText.Small; color: Theme.textMuted }
                    MVText {
                        objectName: "detailsRoundTrip"
                        Layout.fillWidth: true
                        text: root.manager.roundTrip
                        textStyle: MVText.Small
                    }
                    MVText { text: qsTr("Traffic"); textStyle: MVText.Small; color: Theme.textMuted }
                    MVText {
                        objectName: "detailsTraffic"
                        Layout.fillWidth: true
                        text: root.manager.traffic
                        textStyle: MVText.Small
                    }
                }
            }
        }

        // The free space.  The banners stand at its bottom, over nothing:
        // one coming or going moves nothing the user may be reaching for,
        // not the card and the switch above, nor the buttons below.
        Item {
            Layout.fillWidth: true
            Layout.fillHeight: true
            ColumnLayout {
                anchors.left: parent.left
                anchors.right: parent.right
                anchors.bottom: parent.bottom
                spacing: Theme.smallSpacing

                Loader {
                    Layout.fillWidth: true
                    active: root.vpnOn && root.manager.movedNotice !== ""
                    sourceComponent: MVBanner {
                        objectName: "serverMovedNotice"
                        severity: "info"
                        body: root.manager.movedNotice
                        Component.onCompleted: announcer.say(text, false)
                    }
                }
                // Not beside a failure: then the failure is the one thing to say.
                Loader {
                    Layout.fillWidth: true
                    active: root.manager.unstable && root.failure === Failure.NoFailure
                    sourceComponent: MVBanner {
                        objectName: "stabilityIndicator"
                        severity: "warning"
                        // The status card says "Unstable connection"; this says why and what it means.
                        body: qsTr("%1. Pages may load slowly; the VPN stays on.").arg(root.manager.stabilityText)
                        Component.onCompleted: announcer.say(text, false)
                    }
                }
                Loader {
                    Layout.fillWidth: true
                    active: root.failure === Failure.NoInternet
                    sourceComponent: MVBanner {
                        objectName: "bannerNoInternet"
                        severity: "error"
                        heading: root.manager.failureTitle
                        body: root.manager.failureDetail
                        Component.onCompleted: announcer.say(text, true)
                    }
                }
                Loader {
                    Layout.fillWidth: true
                    active: root.failure === Failure.AccountServiceUnreachable
                    sourceComponent: MVBanner {
                        objectName: "bannerAccountServiceUnreachable"
                        severity: "warning"
                        heading: root.manager.failureTitle
                        body: root.manager.failureDetail
                        Component.onCompleted: announcer.say(text, true)
                    }
                }
                // The daemon link while it starts.  Once lost, the status card says it.
                Loader {
                    Layout.fillWidth: true
                    active: root.linkStarting
                    sourceComponent: MVBanner {
                        objectName: "daemonLinkBanner"
                        severity: "info"
                        body: qsTr("Starting the VPN service…")
                    }
                }
            }
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.smallSpacing
            MVButton {
                objectName: "labPanelButton"
                Layout.fillWidth: true
                Layout.preferredWidth: 1
                visible: root.lab.expected
                enabled: root.lab.available
                kind: "secondary"
                text: qsTr("Network lab")
                Accessible.description: qsTr("Change the simulated world the app runs against")
                onClicked: labSlot.open()
            }
            MVButton {
                objectName: "settingsButton"
                Layout.fillWidth: true
                Layout.preferredWidth: 1
                kind: "secondary"
                text: qsTr("Settings")
                onClicked: settingsSlot.open()
            }
        }
    }

    // The panels: created on first use, then kept.  By URL, not as inline
    // components: an inline one is compiled with this file, so every panel's
    // QML (and its components) would be loaded before the window's full UI.
    component PanelSlot: Loader {
        required property url panel
        // The panel's required properties, and its objectName.
        required property var initialProperties
        function open() {
            if (status === Loader.Null)
                setSource(panel, initialProperties)
            const popup = item as T.Popup
            popup.open()
        }
    }
    PanelSlot {
        id: pickerSlot
        panel: Qt.resolvedUrl("screens/LocationPicker.qml")
        initialProperties: ({ objectName: "locationPicker", manager: root.manager })
    }
    PanelSlot {
        id: labSlot
        panel: Qt.resolvedUrl("screens/LabPanel.qml")
        initialProperties: ({ objectName: "labPanel", lab: root.lab })
    }
    PanelSlot {
        id: settingsSlot
        panel: Qt.resolvedUrl("screens/SettingsPanel.qml")
        initialProperties: ({ objectName: "settingsPanel", preferences: root.preferences })
    }

    // One modal per failure that asks for a decision.  It exists exactly
    // while its failure is the current one, so it closes by itself when the
    // condition clears; closing it (✕, Escape, Keep VPN on) dismisses the failure.
    component ModalSlot: Loader {
        required property int failure
        active: root.failure === failure
        onLoaded: (item as T.Popup).open()
    }
    component TurnOffButton: MVButton {
        Layout.fillWidth: true
        visible: root.vpnOn
        kind: "secondary"
        text: qsTr("Turn off VPN")
        onClicked: root.turnOff()
    }
    component KeepOnButton: MVButton {
        Layout.fillWidth: true
        visible: root.vpnOn
        kind: "quiet"
        text: qsTr("Keep VPN on")
        onClicked: root.manager.dismissFailure()
    }

    ModalSlot {
        failure: Failure.CaptivePortal
        sourceComponent: MVModal {
            objectName: "modalCaptivePortal"
            heading: root.manager.failureTitle
            body: root.manager.failureDetail
            severity: "warning"
            initialFocus: root.vpnOn ? turnOffAndOpen : openPage
            onClosed: root.dismiss(Failure.CaptivePortal)
            // While on, the tunnel hides the sign-in page: turning the VPN off comes first.
            MVButton {
                id: turnOffAndOpen
                objectName: "modalCaptivePortalTurnOffAndOpen"
                Layout.fillWidth: true
                visible: root.vpnOn
                text: qsTr("Turn off VPN and open the sign-in page")
                onClicked: {
                    const page = root.manager.portalUrl
                    root.turnOff()
                    Qt.openUrlExternally(page)
                }
            }
            MVButton {
                id: openPage
                objectName: "modalCaptivePortalOpen"
                Layout.fillWidth: true
                visible: !root.vpnOn
                text: qsTr("Open sign-in page")
                onClicked: Qt.openUrlExternally(root.manager.portalUrl)
            }
            MVButton {
                objectName: "modalCaptivePortalRetry"
                Layout.fillWidth: true
                kind: "secondary"
                text: qsTr("Try again")
                onClicked: root.manager.retry()
            }
            KeepOnButton { objectName: "modalCaptivePortalKeepOn" }
        }
    }
    ModalSlot {
        failure: Failure.NoSubscription
        sourceComponent: MVModal {
            objectName: "modalNoSubscription"
            heading: root.manager.failureTitle
            body: root.manager.failureDetail
            initialFocus: manage
            onClosed: root.dismiss(Failure.NoSubscription)
            MVButton {
                id: manage
                objectName: "modalNoSubscriptionManage"
                Layout.fillWidth: true
                text: qsTr("Manage subscription")
                onClicked: Qt.openUrlExternally(root.manager.accountUrl)
            }
            TurnOffButton { objectName: "modalNoSubscriptionTurnOff" }
            KeepOnButton { objectName: "modalNoSubscriptionKeepOn" }
        }
    }
    ModalSlot {
        failure: Failure.FirewallBlocking
        sourceComponent: MVModal {
            objectName: "modalFirewallBlocking"
            heading: root.manager.failureTitle
            body: root.manager.failureDetail
            initialFocus: firewallRetry
            onClosed: root.dismiss(Failure.FirewallBlocking)
            MVButton {
                id: firewallRetry
                objectName: "modalFirewallBlockingRetry"
                Layout.fillWidth: true
                text: qsTr("Try again")
                onClicked: root.manager.retry()
            }
            TurnOffButton { objectName: "modalFirewallBlockingTurnOff" }
            KeepOnButton { objectName: "modalFirewallBlockingKeepOn" }
        }
    }
    ModalSlot {
        failure: Failure.ServerUnavailable
        sourceComponent: MVModal {
            objectName: "modalServerUnavailable"
            heading: root.manager.failureTitle
            body: root.manager.failureDetail
            initialFocus: choose
            onClosed: root.dismiss(Failure.ServerUnavailable)
            MVButton {
                id: choose
                objectName: "modalServerUnavailableChoose"
                Layout.fillWidth: true
                text: qsTr("Choose another location")
                onClicked: {
                    root.manager.dismissFailure()
                    pickerSlot.open()
                }
            }
            MVButton {
                objectName: "modalServerUnavailableRetry"
                Layout.fillWidth: true
                kind: "secondary"
                text: qsTr("Try again")
                onClicked: root.manager.retry()
            }
            TurnOffButton { objectName: "modalServerUnavailableTurnOff" }
            KeepOnButton { objectName: "modalServerUnavailableKeepOn" }
        }
    }
}
