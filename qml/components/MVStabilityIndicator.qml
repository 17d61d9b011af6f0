import QtQuick
import QtQuick.Layouts
import theme

// Shown while the connection is unstable, with the reason in plain words.
Rectangle {
    id: root
    property string reason
    implicitHeight: row.implicitHeight + Theme.smallSpacing * 2
    radius: Theme.radius
    color: Theme.warning
    Accessible.role: Accessible.AlertMessage
    Accessible.name: qsTr("Unstable connection: %1").arg(reason)

    RowLayout {
        id: row
        anchors.fill: parent
        anchors.margins: Theme.smallSpacing
        spacing: Theme.smallSpacing
        Rectangle {
            implicitWidth: 10; implicitHeight: 10; radius: 5
            color: Theme.text
            SequentialAnimation on opacity {
                // Only while shown: a running animation redraws the window
                // every frame, even when its item is hidden.
                running: root.visible
                loops: Animation.Infinite
                NumberAnimation { from: 1; to: 0.3; duration: 700 }
                NumberAnimation { from: 0.3; to: 1; duration: 700 }
            }
        }
        Text {
            Layout.fillWidth: true
            text: qsTr("Unstable connection — %1. Pages may load slowly; the VPN stays on.").arg(root.reason)
            wrapMode: Text.WordWrap
            color: Theme.text
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontSmall
        }
    }
}
