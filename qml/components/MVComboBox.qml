pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Templates as T
import theme

// A choice among a few values.  The model is a list of {value, text}: the
// text is what the user reads, the value what the app gets (`picked`).
// Like MVSwitch it shows `current` and asks for changes, never holding a
// value of its own.
T.ComboBox {
    id: control
    required property string label
    property var current
    // What it shows when `current` is none of the choices (set elsewhere, e.g. from the command line).
    property string otherText: current === undefined ? "" : String(current)
    signal picked(var value)

    textRole: "text"
    valueRole: "value"
    // Reads `count` so that it is worked out again once the model is there.
    currentIndex: count > 0 ? indexOfValue(current) : -1
    displayText: currentIndex >= 0 ? currentText : otherText
    focusPolicy: Qt.StrongFocus
    implicitWidth: 132
    implicitHeight: 36
    leftPadding: Theme.smallSpacing
    rightPadding: Theme.smallSpacing + 16
    font.family: Theme.fontFamily
    font.pixelSize: Theme.fontSmall
    opacity: enabled ? 1.0 : 0.5

    Accessible.role: Accessible.ComboBox
    Accessible.name: label
    Accessible.description: displayText
    onActivated: (index) => control.picked(control.valueAt(index))

    contentItem: Text {
        text: control.displayText
        font: control.font
        color: Theme.text
        verticalAlignment: Text.AlignVCenter
        elide: Text.ElideRight
    }
    indicator: Text {
        x: control.width - width - Theme.smallSpacing
        anchors.verticalCenter: parent.verticalCenter
        text: "▾"
        color: Theme.textMuted
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontBody
    }
    background: Rectangle {
        radius: Theme.radius / 2
        color: Theme.surface
        border.width: 1
        border.color: Theme.controlBorder
        MVFocusRing { shown: control.visualFocus; gap: 1 }
    }
    delegate: T.ItemDelegate {
        id: option
        required property var model
        required property int index
        width: ListView.view ? ListView.view.width : implicitWidth
        implicitHeight: 36
        leftPadding: Theme.smallSpacing
        highlighted: control.highlightedIndex === index
        Accessible.role: Accessible.ListItem
        Accessible.name: text
        Accessible.selected: control.currentIndex === index
        text: model[control.textRole]
        contentItem: Text {
            text: option.text
            color: Theme.text
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontSmall
            font.bold: control.currentIndex === option.index
            verticalAlignment: Text.AlignVCenter
        }
        background: Rectangle {
            color: option.highlighted || option.down ? Theme.surfaceSunken : Theme.surface
        }
    }
    popup: T.Popup {
        y: control.height + 2
        width: Math.max(control.width, 120)
        implicitHeight: Math.min(contentItem.implicitHeight + 2, 300)
        padding: 1
        contentItem: ListView {
            clip: true
            implicitHeight: contentHeight
            model: control.popup.visible ? control.delegateModel : null
            currentIndex: control.highlightedIndex
        }
        background: Rectangle {
            radius: Theme.radius / 2
            color: Theme.surface
            border.color: Theme.controlBorder
        }
    }
}
