pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts
import Mimic
import theme
import "components"
import "screens"

// Everything the main window shows once the app's objects exist.  Main.qml
// loads it into the window after the window's first frame (see Main.qml).
Item {
    id: root
    required property ConnectionManager manager
    required property LabConditions lab
    required property Preferences preferences

    readonly property bool vpnOn: manager.state === ConnectionManager.On
                                  || manager.state === ConnectionManager.Switching

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.spacing
        spacing: Theme.spacing

        StatusHeader {
            objectName: "statusHeader"
            Layout.fillWidth: true
            manager: root.manager
        }

        MVStabilityIndicator {
            objectName: "stabilityIndicator"
            Layout.fillWidth: true
            visible: root.manager.unstable
            reason: root.manager.stabilityText
        }

        MVListButton {
            objectName: "locationButton"
            Layout.fillWidth: true
            label: qsTr("Location")
            value: root.manager.locationName !== "" ? root.manager.locationName : qsTr("Loading server list…")
            onClicked: locationPicker.open()
        }

        Rectangle {
            objectName: "connectionDetails"
            Layout.fillWidth: true
            visible: root.vpnOn && root.manager.roundTrip !== ""
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
                Text { text: qsTr("Server"); color: Theme.textMuted; font.family: Theme.fontFamily; font.pixelSize: Theme.fontSmall }
                Text {
                    objectName: "detailsServer"
                    Layout.fillWidth: true
                    text: root.manager.serverName
                    color: Theme.text
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontSmall
                }
                Text { text: qsTr("Round trip"); color: Theme.textMuted; font.family: Theme.fontFamily; font.pixelSize: Theme.fontSmall }
                Text {
                    objectName: "detailsRoundTrip"
                    Layout.fillWidth: true
                    text: root.manager.roundTrip
                    color: Theme.text
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontSmall
                }
                Text { text: qsTr("Traffic"); color: Theme.textMuted; font.family: Theme.fontFamily; font.pixelSize: Theme.fontSmall }
                Text {
                    objectName: "detailsTraffic"
                    Layout.fillWidth: true
                    text: root.manager.traffic
                    color: Theme.text
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontSmall
                }
            }
        }

        Item {
            Layout.fillWidth: true
            Layout.fillHeight: true
            // In the free space, over nothing: the notice appearing moves nothing.
            MVNotice {
                objectName: "serverMovedNotice"
                anchors.left: parent.left
                anchors.right: parent.right
                anchors.top: parent.top
                visible: root.vpnOn && text !== ""
                text: root.manager.movedNotice
            }
        }

        // The daemon link's state, when it is not ready.  It takes its room
        // from the free space above the bottom buttons (the filler shrinks),
        // so coming and going it moves nothing: not the card and the switch
        // above, which the user may be reaching for while the app starts, nor
        // the buttons below, which stay at the bottom edge.
        Rectangle {
            objectName: "daemonLinkBanner"
            Layout.fillWidth: true
            visible: root.manager.linkState !== DaemonLink.Ready
            implicitHeight: bannerText.implicitHeight + Theme.spacing
            radius: Theme.radius
            color: root.manager.linkState === DaemonLink.Lost ? Theme.danger : Theme.warning
            Text {
                id: bannerText
                objectName: "daemonLinkBannerText"
                anchors.centerIn: parent
                width: parent.width - Theme.spacing
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.WordWrap
                color: root.manager.linkState === DaemonLink.Lost ? Theme.textOnDanger : Theme.textOnWarning
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontSmall
                text: root.manager.linkState === DaemonLink.Lost
                      ? qsTr("Lost contact with the VPN service. Reconnecting…")
                      : qsTr("Starting the VPN service…")
                Accessible.name: text
            }
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.smallSpacing
            MVButton {
                objectName: "labPanelButton"
                Layout.fillWidth: true
                visible: root.lab.expected
                enabled: root.lab.available
                primary: false
                text: qsTr("Network lab")
                onClicked: labPanel.open()
            }
            MVButton {
                objectName: "settingsButton"
                Layout.fillWidth: true
                primary: false
                text: qsTr("Settings")
                onClicked: settingsPanel.open()
            }
        }
    }

    LocationPicker {
        id: locationPicker
        objectName: "locationPicker"
        manager: root.manager
    }
    LabPanel {
        id: labPanel
        objectName: "labPanel"
        lab: root.lab
    }
    SettingsPanel {
        id: settingsPanel
        objectName: "settingsPanel"
        preferences: root.preferences
    }

    // One modal per failure.  Each is open exactly while its failure is the
    // current one, so it closes by itself when the condition clears.
    component FailureModal: MVModal {
        required property int failure
        visible: root.manager.failure === failure
        // The words are the manager's (vpnui/connection/presentation.py), as in the status card.
        heading: root.manager.failureTitle
        body: root.manager.failureDetail
        onClosed: if (root.manager.failure === failure) root.manager.dismissFailure()
    }
    component TurnOffButton: MVButton {
        visible: root.vpnOn
        primary: false
        text: qsTr("Turn off VPN")
        onClicked: { root.manager.dismissFailure(); root.manager.deactivate() }
    }
    component DismissButton: MVButton {
        primary: false
        text: root.vpnOn ? qsTr("Keep VPN on") : qsTr("Close")
        onClicked: root.manager.dismissFailure()
    }

    FailureModal {
        objectName: "modalNoInternet"
        failure: Failure.NoInternet
        MVButton { objectName: "modalNoInternetRetry"; Layout.fillWidth: true; text: qsTr("Try again"); onClicked: root.manager.retry() }
        TurnOffButton { objectName: "modalNoInternetTurnOff"; Layout.fillWidth: true }
        DismissButton { objectName: "modalNoInternetClose"; Layout.fillWidth: true }
    }
    FailureModal {
        objectName: "modalCaptivePortal"
        failure: Failure.CaptivePortal
        MVButton {
            objectName: "modalCaptivePortalOpen"
            Layout.fillWidth: true
            text: qsTr("Open sign-in page")
            onClicked: Qt.openUrlExternally(root.manager.portalUrl)
        }
        MVButton { objectName: "modalCaptivePortalRetry"; Layout.fillWidth: true; primary: false; text: qsTr("Try again"); onClicked: root.manager.retry() }
        TurnOffButton { objectName: "modalCaptivePortalTurnOff"; Layout.fillWidth: true }
        DismissButton { objectName: "modalCaptivePortalClose"; Layout.fillWidth: true }
    }
    FailureModal {
        objectName: "modalAccountServiceUnreachable"
        failure: Failure.AccountServiceUnreachable
        MVButton { objectName: "modalAccountServiceUnreachableRetry"; Layout.fillWidth: true; text: qsTr("Try again"); onClicked: root.manager.retry() }
        DismissButton { objectName: "modalAccountServiceUnreachableClose"; Layout.fillWidth: true }
    }
    FailureModal {
        objectName: "modalNoSubscription"
        failure: Failure.NoSubscription
        MVButton {
            objectName: "modalNoSubscriptionManage"
            Layout.fillWidth: true
            text: qsTr("Manage subscription")
            onClicked: Qt.openUrlExternally(root.manager.accountUrl)
        }
        TurnOffButton { objectName: "modalNoSubscriptionTurnOff"; Layout.fillWidth: true }
        DismissButton { objectName: "modalNoSubscriptionClose"; Layout.fillWidth: true }
    }
    FailureModal {
        objectName: "modalFirewallBlocking"
        failure: Failure.FirewallBlocking
        MVButton { objectName: "modalFirewallBlockingRetry"; Layout.fillWidth: true; text: qsTr("Try again"); onClicked: root.manager.retry() }
        TurnOffButton { objectName: "modalFirewallBlockingTurnOff"; Layout.fillWidth: true }
        DismissButton { objectName: "modalFirewallBlockingClose"; Layout.fillWidth: true }
    }
    FailureModal {
        objectName: "modalServerUnavailable"
        failure: Failure.ServerUnavailable
        MVButton {
            objectName: "modalServerUnavailableChoose"
            Layout.fillWidth: true
            text: qsTr("Choose another location")
            onClicked: { root.manager.dismissFailure(); locationPicker.open() }
        }
        MVButton { objectName: "modalServerUnavailableRetry"; Layout.fillWidth: true; primary: false; text: qsTr("Try again"); onClicked: root.manager.retry() }
        TurnOffButton { objectName: "modalServerUnavailableTurnOff"; Layout.fillWidth: true }
    }
    FailureModal {
        objectName: "modalDaemonLost"
        failure: Failure.DaemonLost
        DismissButton { objectName: "modalDaemonLostClose"; Layout.fillWidth: true }
    }
}
