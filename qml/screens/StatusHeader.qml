import QtQuick
import QtQuick.Layouts
import Mimic
import theme
import "../components"

// The top card: what the VPN is doing, in words, and the switch.
Rectangle {
    id: root
    required property ConnectionManager manager
    // The daemon link: the switch works only while the app can reach the service.
    property bool linkReady: true

    readonly property bool on: root.manager.state === ConnectionManager.On
                               || root.manager.state === ConnectionManager.Switching
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

        MVText {
            objectName: "statusTitle"
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignHCenter
            text: root.manager.title
            textStyle: MVText.Title
            color: Theme.textOnDark
        }
        MVText {
            objectName: "statusSubtitle"
            Layout.fillWidth: true
            // Two lines, always: a longer subtitle (a check naming the
            // location) does not push the switch down under the pointer.
            Layout.preferredHeight: 2 * Math.ceil(Theme.fontBody * 1.17)
            verticalAlignment: Text.AlignTop
            maximumLineCount: 2
            elide: Text.ElideRight
            horizontalAlignment: Text.AlignHCenter
            text: root.manager.subtitle
            color: Theme.textOnDarkMuted
        }
        MVText {
            objectName: "connectionTimer"
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignHCenter
            // Kept in the layout when off, so the switch never jumps under the pointer.
            opacity: root.on ? 1 : 0
            text: root.on ? root.manager.elapsedText : "00:00:00"
            color: Theme.textOnDark
            wrapMode: Text.NoWrap
            Accessible.name: qsTr("Connected for %1").arg(text)
            Accessible.ignored: !root.on
        }
        MVToggle {
            objectName: "vpnToggle"
            Layout.alignment: Qt.AlignHCenter
            Layout.topMargin: Theme.smallSpacing
            enabled: root.linkReady
            checked: root.manager.state !== ConnectionManager.Off
                     && root.manager.state !== ConnectionManager.Disconnecting
            busy: root.manager.state === ConnectionManager.Connecting
                  || root.manager.state === ConnectionManager.Disconnecting
                  || root.manager.state === ConnectionManager.Switching
            Accessible.name: qsTr("VPN")
            Accessible.description: !root.linkReady ? qsTr("Unavailable until the VPN service answers")
                                    : checked ? qsTr("On: press to turn the VPN off")
                                              : qsTr("Off: press to turn the VPN on")
            onClicked: root.manager.toggle()
        }
    }
}
