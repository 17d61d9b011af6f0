import QtQuick
import QtQuick.Layouts
import QtQuick.Templates as T
import theme

// A setting that is on or off: its words on the left, the switch on the
// right, the whole row clickable.  It shows `checked` and never changes it
// itself: a click asks for the change (changeRequested) and the switch
// follows the value once it has really changed (a saved preference, a lab
// condition), so it never shows a state that is not true.
T.AbstractButton {
    id: control
    property string description
    signal changeRequested(bool on)

    checkable: false
    focusPolicy: Qt.StrongFocus
    implicitWidth: row.implicitWidth + leftPadding + rightPadding
    implicitHeight: Math.max(Theme.controlHeight, row.implicitHeight + topPadding + bottomPadding)
    padding: Theme.smallSpacing / 2
    font.family: Theme.fontFamily
    font.pixelSize: Theme.fontBody
    opacity: enabled ? 1.0 : 0.5

    Accessible.role: Accessible.CheckBox
    Accessible.name: text
    Accessible.description: description
    Accessible.checkable: true
    Accessible.checked: checked
    Accessible.onPressAction: control.click()
    Accessible.onToggleAction: control.click()
    Keys.onReturnPressed: control.click()
    Keys.onEnterPressed: control.click()
    onClicked: control.changeRequested(!control.checked)

    contentItem: RowLayout {
        id: row
        spacing: Theme.spacing
        ColumnLayout {
            Layout.fillWidth: true
            spacing: 2
            MVText {
                Layout.fillWidth: true
                text: control.text
                font.pixelSize: control.font.pixelSize
            }
            MVText {
                Layout.fillWidth: true
                visible: control.description !== ""
                text: control.description
                textStyle: MVText.Small
                color: Theme.textMuted
            }
        }
        Rectangle {
            id: track
            Layout.alignment: Qt.AlignVCenter
            implicitWidth: 44
            implicitHeight: 24
            radius: height / 2
            color: control.checked ? Theme.accent : "transparent"
            border.width: control.checked ? 0 : 2
            border.color: Theme.controlBorder
            Rectangle {
                width: 16
                height: 16
                radius: 8
                anchors.verticalCenter: parent.verticalCenter
                x: control.checked ? parent.width - width - 4 : 4
                color: control.checked ? Theme.textOnAccent : Theme.controlBorder
            }
        }
    }
    background: Rectangle {
        radius: Theme.radius
        color: control.down ? Theme.surfaceSunken : "transparent"
        MVFocusRing { shown: control.visualFocus; gap: 0 }
    }
}
