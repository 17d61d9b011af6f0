pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts
import QtQuick.Templates as T
import Mimic
import theme
import "../components"

// The user's settings: telemetry, notifications (and each kind of them),
// login start and the tray (vpnui/desktop/preferences.py).
MVPanel {
    id: root
    required property Preferences preferences

    title: qsTr("Settings")
    closeName: "settingsClose"
    fill: Theme.surface
    fullHeight: false

    component Setting: MVSwitch {
        Layout.fillWidth: true
        Layout.leftMargin: Theme.smallSpacing
        Layout.rightMargin: Theme.smallSpacing
    }

    Flickable {
        id: flick
        Layout.fillWidth: true
        Layout.preferredHeight: Math.min(switches.implicitHeight + topMargin + bottomMargin,
                                         root.parent ? root.parent.height - 2 * Theme.spacing - 72 : 500)
        // Room for the focus ring of the first and the last setting.
        topMargin: Theme.focusRingWidth + 2
        bottomMargin: Theme.focusRingWidth + 2
        Layout.topMargin: Theme.smallSpacing / 2
        Layout.bottomMargin: Theme.smallSpacing
        contentWidth: width
        contentHeight: switches.implicitHeight
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        T.ScrollBar.vertical: MVScrollBar {}
        // The desktop switches are rebuilt on every change (a new list from
        // Python): the one the keyboard just flipped gets the focus back.
        property string refocusKey
        // Keyboard focus on a setting below the fold scrolls it into view.
        function reveal(item: Item) {
            const top = item.mapToItem(switches, 0, 0).y - topMargin
            const bottom = top + topMargin + item.height + bottomMargin
            if (top < contentY)
                contentY = top
            else if (bottom > contentY + height)
                contentY = bottom - height
        }

        ColumnLayout {
            id: switches
            width: flick.width
            spacing: 0
            Setting {
                objectName: "telemetrySwitch"
                text: qsTr("Send usage data")
                description: qsTr("From the app and the VPN service")
                checked: root.preferences.telemetryEnabled
                onChangeRequested: (on) => root.preferences.telemetryEnabled = on
                onActiveFocusChanged: if (activeFocus) flick.reveal(this)
            }
            Setting {
                objectName: "notificationsSwitch"
                text: qsTr("Notifications")
                checked: root.preferences.notificationsEnabled
                onChangeRequested: (on) => root.preferences.notificationsEnabled = on
                onActiveFocusChanged: if (activeFocus) flick.reveal(this)
            }
            Repeater {
                model: root.preferences.desktop.switches
                onItemAdded: (index, item) => {
                    if (flick.refocusKey !== "" && item.objectName === "desktopSwitch_" + flick.refocusKey)
                        item.forceActiveFocus(Qt.TabFocusReason)
                }
                Setting {
                    required property var modelData
                    readonly property string key: modelData.key
                    objectName: "desktopSwitch_" + modelData.key
                    Layout.leftMargin: modelData.group === "notify" ? Theme.spacing + Theme.smallSpacing : Theme.smallSpacing
                    // Translated by the app (vpnui/desktop/preferences.py).
                    text: modelData.label
                    checked: modelData.checked
                    enabled: modelData.group !== "notify" || root.preferences.notificationsEnabled
                    onChangeRequested: (on) => {
                        flick.refocusKey = visualFocus ? key : ""
                        root.preferences.desktop.setSwitch(key, on)
                    }
                    onActiveFocusChanged: if (activeFocus) flick.reveal(this)
                }
            }
        }
    }
}
