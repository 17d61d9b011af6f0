pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Mimic
import theme

Popup {
    id: root
    required property Preferences preferences

    parent: Overlay.overlay
    anchors.centerIn: parent
    width: parent ? parent.width - 2 * Theme.spacing : 300
    modal: true
    padding: Theme.spacing
    Overlay.modal: Rectangle { color: Theme.scrim }
    background: Rectangle {
        radius: Theme.radius
        color: Theme.surface
        Accessible.role: Accessible.Dialog
        Accessible.name: qsTr("Settings")
    }

    contentItem: ColumnLayout {
        spacing: Theme.smallSpacing
        RowLayout {
            Layout.fillWidth: true
            Text {
                Layout.fillWidth: true
                text: qsTr("Settings")
                color: Theme.text
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontTitle
                font.bold: true
            }
            ToolButton {
                objectName: "settingsClose"
                text: "✕"
                Accessible.name: qsTr("Close")
                onClicked: root.close()
            }
        }
        Switch {
            objectName: "telemetrySwitch"
            Layout.fillWidth: true
            text: qsTr("Send usage data (app and VPN service)")
            checked: root.preferences.telemetryEnabled
            Accessible.name: text
            onToggled: root.preferences.telemetryEnabled = checked
        }
        Switch {
            objectName: "notificationsSwitch"
            Layout.fillWidth: true
            text: qsTr("Notifications")
            checked: root.preferences.notificationsEnabled
            Accessible.name: text
            onToggled: root.preferences.notificationsEnabled = checked
        }
        // Notifications per kind, login start and tray: vpnui/desktop/preferences.py.
        ScrollView {
            Layout.fillWidth: true
            Layout.preferredHeight: Math.min(desktopSwitches.implicitHeight, root.parent ? root.parent.height * 0.55 : 300)
            contentWidth: availableWidth
            clip: true
            ColumnLayout {
                id: desktopSwitches
                width: parent.width
                spacing: 0
                Repeater {
                    model: root.preferences.desktop.switches
                    Switch {
                        required property var modelData
                        objectName: "desktopSwitch_" + modelData.key
                        Layout.fillWidth: true
                        Layout.leftMargin: modelData.group === "notify" ? Theme.spacing : 0
                        // Translated by the app (vpnui/desktop/preferences.py).
                        text: modelData.label
                        checked: modelData.checked
                        enabled: modelData.group !== "notify" || root.preferences.notificationsEnabled
                        Accessible.name: text
                        onToggled: root.preferences.desktop.setSwitch(modelData.key, checked)
                    }
                }
            }
        }
    }
}
