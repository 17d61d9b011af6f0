import QtQuick
import QtQuick.Layouts
import QtQuick.Templates as T
import theme

// A full-width row that opens or chooses something: an optional small line
// above (`overline`), the row's text, items of its own on the right
// (`accessories`), and a chevron when it opens something.  A selected row
// is marked by a check mark and a bar at its edge, not by colour alone.
T.ItemDelegate {
    id: control
    property string overline
    property bool selected: false
    property bool chevron: false
    default property alias accessories: accessoryRow.data

    focusPolicy: Qt.StrongFocus
    implicitWidth: layout.implicitWidth + leftPadding + rightPadding
    implicitHeight: Math.max(Theme.controlHeight + 4, layout.implicitHeight + topPadding + bottomPadding)
    leftPadding: Theme.spacing
    rightPadding: Theme.spacing
    topPadding: Theme.smallSpacing
    bottomPadding: Theme.smallSpacing

    Accessible.role: Accessible.Button
    Accessible.name: overline !== "" ? overline + ": " + text : text
    Accessible.selected: selected
    Accessible.onPressAction: control.click()
    Keys.onReturnPressed: control.click()
    Keys.onEnterPressed: control.click()

    contentItem: RowLayout {
        id: layout
        spacing: Theme.smallSpacing
        ColumnLayout {
            Layout.fillWidth: true
            spacing: 2
            MVText {
                Layout.fillWidth: true
                visible: control.overline !== ""
                text: control.overline
                textStyle: MVText.Small
                color: Theme.textMuted
            }
            MVText {
                Layout.fillWidth: true
                text: control.text
                font.bold: control.selected
                elide: Text.ElideRight
                wrapMode: Text.NoWrap
            }
        }
        RowLayout {
            id: accessoryRow
            spacing: Theme.smallSpacing
        }
        MVText {
            visible: control.selected
            text: "✓"
            color: Theme.accentText
            font.bold: true
            Accessible.ignored: true
        }
        MVText {
            visible: control.chevron
            text: "›"
            color: Theme.textMuted
            textStyle: MVText.Title
            font.bold: false
            Accessible.ignored: true
        }
    }
    background: Rectangle {
        radius: Theme.radius
        color: control.down ? Theme.surfaceSunken : Theme.surface
        border.color: Theme.divider
        Rectangle {
            visible: control.selected
            width: 4
            height: parent.height - 2 * Theme.smallSpacing
            x: 0
            anchors.verticalCenter: parent.verticalCenter
            radius: 2
            color: Theme.accent
        }
        MVFocusRing { shown: control.visualFocus; gap: 0 }
    }
}
