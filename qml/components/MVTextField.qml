import QtQuick
import QtQuick.Templates as T
import theme

// A one-line text field (the location search).  Its accessible name is its
// label; the placeholder only hints.
T.TextField {
    id: control
    required property string label

    implicitWidth: 200
    implicitHeight: Theme.controlHeight
    leftPadding: Theme.smallSpacing + 4
    rightPadding: Theme.smallSpacing + 4
    color: Theme.text
    placeholderTextColor: Theme.textMuted
    selectionColor: Theme.accent
    selectedTextColor: Theme.textOnAccent
    font.family: Theme.fontFamily
    font.pixelSize: Theme.fontBody
    verticalAlignment: TextInput.AlignVCenter

    Accessible.role: Accessible.EditableText
    Accessible.name: label
    Accessible.description: placeholderText

    // The placeholder as a separate text: the template draws none itself.
    Text {
        x: control.leftPadding
        width: control.width - control.leftPadding - control.rightPadding
        height: control.height
        verticalAlignment: Text.AlignVCenter
        visible: control.text === "" && control.placeholderText !== ""
        text: control.placeholderText
        color: control.placeholderTextColor
        font: control.font
        elide: Text.ElideRight
    }
    background: Rectangle {
        radius: Theme.radius
        color: Theme.surface
        border.width: control.activeFocus ? 2 : 1
        border.color: control.activeFocus ? Theme.focusRing : Theme.controlBorder
    }
}
