import QtQuick
import theme

// The big VPN switch.  It shows the client state; clicking asks the
// manager to change it (the manager decides what actually happens).
Item {
    id: root
    property bool checked: false
    property bool busy: false
    signal toggled()

    implicitWidth: 64
    implicitHeight: 36
    Accessible.role: Accessible.CheckBox
    Accessible.checkable: true
    Accessible.checked: checked
    Accessible.onPressAction: root.toggled()
    activeFocusOnTab: true
    Keys.onSpacePressed: root.toggled()

    Rectangle {
        anchors.fill: parent
        radius: height / 2
        color: root.checked ? Theme.toggleOn : Theme.toggleOff
        opacity: root.busy ? 0.7 : 1.0
        border.width: root.activeFocus ? 2 : 0
        border.color: Theme.accent
        Behavior on color { ColorAnimation { duration: 150 } }

        Rectangle {
            width: parent.height - 8
            height: width
            radius: width / 2
            y: 4
            x: root.checked ? parent.width - width - 4 : 4
            color: Theme.surface
            Behavior on x { NumberAnimation { duration: 150 } }
        }
    }
    MouseArea {
        anchors.fill: parent
        cursorShape: Qt.PointingHandCursor
        onClicked: root.toggled()
    }
}
