import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Mimic
import theme
import "components"
import "screens"

ApplicationWindow {
    id: window
    required property ConnectionManager manager
    required property LabConditions lab
    required property Preferences preferences

    readonly property bool vpnOn: manager.state === ConnectionManager.On
                                  || manager.state === ConnectionManager.Switching

    objectName: "mainWindow"
    width: Theme.windowWidth
    height: Theme.windowHeight
    visible: true
    title: qsTr("Mimic VPN")
    color: Theme.bgPage

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.spacing
        spacing: Theme.spacing

        Rectangle {
            objectName: "daemonLinkBanner"
            Layout.fillWidth: true
            visible: window.manager.linkState !== "ready"
            implicitHeight: bannerText.implicitHeight + Theme.spacing
            radius: Theme.radius
            color: window.manager.linkState === "lost" ? Theme.danger : Theme.warning
            Text {
                id: bannerText
                anchors.centerIn: parent
                width: parent.width - Theme.spacing
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.WordWrap
                color: Theme.textOnDark
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontSmall
                text: window.manager.linkState === "lost"
                      ? qsTr("Lost contact with the VPN service. Reconnecting…")
                      : qsTr("Starting the VPN service…")
                Accessible.name: text
            }
        }

        StatusHeader {
            objectName: "statusHeader"
            Layout.fillWidth: true
            manager: window.manager
        }

        MVStabilityIndicator {
            objectName: "stabilityIndicator"
            Layout.fillWidth: true
            visible: window.manager.unstable
            reason: window.manager.stabilityText
        }

        MVListButton {
            objectName: "locationButton"
            Layout.fillWidth: true
            label: qsTr("Location")
            value: window.manager.locationName !== "" ? window.manager.locationName : qsTr("Loading server list…")
            onClicked: locationPicker.open()
        }

        Rectangle {
            objectName: "connectionDetails"
            Layout.fillWidth: true
            visible: window.vpnOn && window.manager.roundTrip !== ""
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
                    text: window.manager.serverName
                    color: Theme.text
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontSmall
                }
                Text { text: qsTr("Round trip"); color: Theme.textMuted; font.family: Theme.fontFamily; font.pixelSize: Theme.fontSmall }
                Text {
                    objectName: "detailsRoundTrip"
                    Layout.fillWidth: true
                    text: window.manager.roundTrip
                    color: Theme.text
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontSmall
                }
                Text { text: qsTr("Traffic"); color: Theme.textMuted; font.family: Theme.fontFamily; font.pixelSize: Theme.fontSmall }
                Text {
                    objectName: "detailsTraffic"
                    Layout.fillWidth: true
                    text: window.manager.traffic
                    color: Theme.text
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontSmall
                }
            }
        }

        Item { Layout.fillHeight: true }

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.smallSpacing
            MVButton {
                objectName: "labPanelButton"
                Layout.fillWidth: true
                visible: window.lab.available
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
        manager: window.manager
    }
    LabPanel {
        id: labPanel
        objectName: "labPanel"
        lab: window.lab
    }
    SettingsPanel {
        id: settingsPanel
        objectName: "settingsPanel"
        preferences: window.preferences
    }

    // One modal per failure.  Each is open exactly while its failure is the
    // current one, so it closes by itself when the condition clears.
    component FailureModal: MVModal {
        required property string failureKey
        visible: window.manager.failure === failureKey
        body: window.manager.failureDetail
        onClosed: if (window.manager.failure === failureKey) window.manager.dismissFailure()
    }
    component TurnOffButton: MVButton {
        visible: window.vpnOn
        primary: false
        text: qsTr("Turn off VPN")
        onClicked: { window.manager.dismissFailure(); window.manager.deactivate() }
    }
    component DismissButton: MVButton {
        primary: false
        text: window.vpnOn ? qsTr("Keep VPN on") : qsTr("Close")
        onClicked: window.manager.dismissFailure()
    }

    FailureModal {
        objectName: "modalNoInternet"
        failureKey: "noInternet"
        heading: qsTr("No internet connection")
        MVButton { objectName: "modalNoInternetRetry"; Layout.fillWidth: true; text: qsTr("Try again"); onClicked: window.manager.retry() }
        TurnOffButton { objectName: "modalNoInternetTurnOff"; Layout.fillWidth: true }
        DismissButton { objectName: "modalNoInternetClose"; Layout.fillWidth: true }
    }
    FailureModal {
        objectName: "modalCaptivePortal"
        failureKey: "captivePortal"
        heading: qsTr("Sign in to this network")
        MVButton {
            objectName: "modalCaptivePortalOpen"
            Layout.fillWidth: true
            text: qsTr("Open sign-in page")
            onClicked: Qt.openUrlExternally(window.manager.portalUrl)
        }
        MVButton { objectName: "modalCaptivePortalRetry"; Layout.fillWidth: true; primary: false; text: qsTr("Try again"); onClicked: window.manager.retry() }
        TurnOffButton { objectName: "modalCaptivePortalTurnOff"; Layout.fillWidth: true }
        DismissButton { objectName: "modalCaptivePortalClose"; Layout.fillWidth: true }
    }
    FailureModal {
        objectName: "modalAccountServiceUnreachable"
        failureKey: "accountServiceUnreachable"
        heading: qsTr("Can't reach your account")
        MVButton { objectName: "modalAccountServiceUnreachableRetry"; Layout.fillWidth: true; text: qsTr("Try again"); onClicked: window.manager.retry() }
        DismissButton { objectName: "modalAccountServiceUnreachableClose"; Layout.fillWidth: true }
    }
    FailureModal {
        objectName: "modalNoSubscription"
        failureKey: "noSubscription"
        heading: qsTr("No active subscription")
        MVButton {
            objectName: "modalNoSubscriptionManage"
            Layout.fillWidth: true
            text: qsTr("Manage subscription")
            onClicked: Qt.openUrlExternally(window.manager.accountUrl)
        }
        TurnOffButton { objectName: "modalNoSubscriptionTurnOff"; Layout.fillWidth: true }
        DismissButton { objectName: "modalNoSubscriptionClose"; Layout.fillWidth: true }
    }
    FailureModal {
        objectName: "modalFirewallBlocking"
        failureKey: "firewallBlocking"
        heading: qsTr("VPN traffic is blocked")
        MVButton { objectName: "modalFirewallBlockingRetry"; Layout.fillWidth: true; text: qsTr("Try again"); onClicked: window.manager.retry() }
        TurnOffButton { objectName: "modalFirewallBlockingTurnOff"; Layout.fillWidth: true }
        DismissButton { objectName: "modalFirewallBlockingClose"; Layout.fillWidth: true }
    }
    FailureModal {
        objectName: "modalServerUnavailable"
        failureKey: "serverUnavailable"
        heading: qsTr("Location unavailable")
        MVButton {
            objectName: "modalServerUnavailableChoose"
            Layout.fillWidth: true
            text: qsTr("Choose another location")
            onClicked: { window.manager.dismissFailure(); locationPicker.open() }
        }
        MVButton { objectName: "modalServerUnavailableRetry"; Layout.fillWidth: true; primary: false; text: qsTr("Try again"); onClicked: window.manager.retry() }
        TurnOffButton { objectName: "modalServerUnavailableTurnOff"; Layout.fillWidth: true }
    }
    FailureModal {
        objectName: "modalDaemonLost"
        failureKey: "daemonLost"
        heading: qsTr("VPN service not responding")
        DismissButton { objectName: "modalDaemonLostClose"; Layout.fillWidth: true }
    }
}
