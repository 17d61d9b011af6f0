import QtQuick
import QtQuick.Layouts
import Mimic
import theme
import "../components"

// The top card: what the VPN is doing, in words, and the switch.
Rectangle {
    id: root
    required property ConnectionManager manager

    readonly property bool on: manager.state === ConnectionManager.On
                               || manager.state === ConnectionManager.Switching
    implicitHeight: column.implicitHeight + 2 * Theme.spacing
    radius: Theme.radius
    gradient: Gradient {
        GradientStop { position: 0.0; color: root.on ? Theme.bgOnAccent : Theme.bgOffLight }
        GradientStop { position: 1.0; color: root.on ? Theme.bgOn : Theme.bgOff }
    }

    ColumnLayout {
        id: column
        anchors.fill: parent
        anchors.margins: Theme.spacing
        spacing: Theme.smallSpacing

        Text {
            objectName: "statusTitle"
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignHCenter
            text: root.manager.title
            color: Theme.textOnDark
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontTitle
            font.bold: true
            wrapMode: Text.WordWrap
            Accessible.role: Accessible.Heading
            Accessible.name: text
        }
        Text {
            objectName: "statusSubtitle"
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignHCenter
            text: root.manager.subtitle
            color: Theme.textOnDarkMuted
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontBody
            wrapMode: Text.WordWrap
            Accessible.name: text
        }
        Text {
            objectName: "connectionTimer"
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignHCenter
            // Kept in the layout when off, so the switch never jumps under the pointer.
            opacity: root.on ? 1 : 0
            text: root.on ? root.manager.elapsedText : "00:00:00"
            color: Theme.textOnDark
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontBody
            Accessible.name: qsTr("Connected for %1").arg(text)
        }
        MVToggle {
            objectName: "vpnToggle"
            Layout.alignment: Qt.AlignHCenter
            Layout.topMargin: Theme.smallSpacing
            checked: root.manager.state !== ConnectionManager.Off
                     && root.manager.state !== ConnectionManager.Disconnecting
            busy: root.manager.state === ConnectionManager.Connecting
                  || root.manager.state === ConnectionManager.Disconnecting
                  || root.manager.state === ConnectionManager.Switching
            Accessible.name: checked ? qsTr("Turn VPN off") : qsTr("Turn VPN on")
            onToggled: root.manager.toggle()
        }
    }
}
