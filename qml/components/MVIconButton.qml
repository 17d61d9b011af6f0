import QtQuick
import QtQuick.Templates as T
import theme

// A square button showing a glyph ("✕" closes).  It has no visible words,
// so its accessible name (required) says what it does.
T.Button {
    id: control
    required property string label
    property string glyph: "✕"
    property bool onDark: false

    implicitWidth: Theme.controlHeight
    implicitHeight: Theme.controlHeight
    focusPolicy: Qt.StrongFocus

    Accessible.role: Accessible.Button
    Accessible.name: label
    Accessible.onPressAction: control.click()
    Keys.onReturnPressed: control.click()
    Keys.onEnterPressed: control.click()

    contentItem: Text {
        text: control.glyph
        color: control.onDark ? Theme.textOnDark : Theme.text
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontHeading
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
    }
    background: Rectangle {
        radius: width / 2
        color: control.down ? Theme.surfaceSunken : "transparent"
        MVFocusRing { shown: control.visualFocus; onDark: control.onDark; gap: 0 }
    }
}
