import QtQuick
import QtQuick.Layouts
import theme

// A full-width row that opens something: a label, a value and a chevron.
Rectangle {
    id: root
    property string label
    property string value
    signal clicked()

    implicitHeight: 56
    radius: Theme.radius
    color: mouse.pressed ? Theme.divider : Theme.surface
    border.color: Theme.divider
    Accessible.role: Accessible.Button
    Accessible.name: value ? label + ": " + value : label
    Accessible.onPressAction: root.clicked()

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: Theme.spacing
        anchors.rightMargin: Theme.spacing
        ColumnLayout {
            Layout.fillWidth: true
            spacing: 2
            Text {
                text: root.label
                color: Theme.textMuted
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontSmall
            }
            Text {
                Layout.fillWidth: true
                text: root.value
                visible: text !== ""
                color: Theme.text
                elide: Text.ElideRight
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontBody
            }
        }
        Text {
            text: "›"
            color: Theme.textMuted
            font.pixelSize: Theme.fontTitle
        }
    }
    MouseArea {
        id: mouse
        anchors.fill: parent
        cursorShape: Qt.PointingHandCursor
        onClicked: root.clicked()
    }
}
