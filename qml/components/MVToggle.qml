import QtQuick
import QtQuick.Templates as T
import theme

// The big VPN switch on the status card.  It shows the client state and
// never flips itself: a click (Space, Return, Enter) asks the manager,
// which decides what actually happens.
T.AbstractButton {
    id: control
    property bool busy: false

    checkable: false
    focusPolicy: Qt.StrongFocus
    implicitWidth: 64
    implicitHeight: 36

    Accessible.role: Accessible.CheckBox
    Accessible.checkable: true
    Accessible.checked: checked
    Accessible.onPressAction: control.click()
    Accessible.onToggleAction: control.click()
    Keys.onReturnPressed: control.click()
    Keys.onEnterPressed: control.click()

    background: Rectangle {
        radius: height / 2
        color: control.checked ? Theme.toggleOn : Theme.toggleOff
        opacity: !control.enabled ? 0.4 : control.busy ? 0.7 : 1.0
        Behavior on color { ColorAnimation { duration: 150 } }
        MVFocusRing { shown: control.visualFocus; onDark: true }
    }
    contentItem: Item {
        Rectangle {
            width: control.height - 8
            height: width
            radius: width / 2
            y: 4
            x: control.checked ? control.width - width - 4 : 4
            color: Theme.toggleKnob
            opacity: control.enabled ? 1.0 : 0.6
            Behavior on x { NumberAnimation { duration: 150 } }
        }
    }
}
