import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import theme

// A failure modal: what is wrong, why, and what to do.  It is open exactly
// while its failure is the manager's current failure, so it closes by
// itself when the condition clears.
Popup {
    id: root
    property string heading
    property string body
    default property alias actions: actionColumn.data

    parent: Overlay.overlay
    anchors.centerIn: parent
    width: parent ? parent.width - 2 * Theme.spacing : 300
    modal: true
    focus: true
    closePolicy: Popup.NoAutoClose
    padding: Theme.spacing
    Overlay.modal: Rectangle { color: Theme.scrim }

    background: Rectangle {
        radius: Theme.radius
        color: Theme.surface
        Accessible.role: Accessible.Dialog
        Accessible.name: root.heading
    }

    contentItem: ColumnLayout {
        spacing: Theme.spacing
        Text {
            objectName: root.objectName + "Title"
            Layout.fillWidth: true
            text: root.heading
            color: Theme.text
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontTitle - 2
            font.bold: true
            wrapMode: Text.WordWrap
            horizontalAlignment: Text.AlignHCenter
            Accessible.role: Accessible.Heading
            Accessible.name: text
        }
        Text {
            objectName: root.objectName + "Body"
            Layout.fillWidth: true
            text: root.body
            color: Theme.textMuted
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontBody
            wrapMode: Text.WordWrap
            horizontalAlignment: Text.AlignHCenter
            Accessible.name: text
        }
        ColumnLayout {
            id: actionColumn
            Layout.fillWidth: true
            spacing: Theme.smallSpacing
        }
    }
}
