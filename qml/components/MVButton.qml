import QtQuick
import QtQuick.Controls
import theme

// A filled or outlined push button with an accessible name.
Button {
    id: control
    property bool primary: true
    Accessible.name: text
    font.family: Theme.fontFamily
    font.pixelSize: Theme.fontBody
    implicitHeight: 44
    // Disabled only until what it opens is ready (the lab panel at start-up).
    opacity: enabled ? 1.0 : 0.5
    contentItem: Text {
        text: control.text
        font: control.font
        color: control.primary ? Theme.textOnDark : Theme.accent
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        elide: Text.ElideRight
    }
    background: Rectangle {
        radius: Theme.radius
        color: control.primary ? (control.down ? Theme.accentPressed : Theme.accent) : "transparent"
        border.width: control.primary ? 0 : 1
        border.color: Theme.accent
    }
}
