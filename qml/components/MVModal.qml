import QtQuick
import QtQuick.Layouts
import QtQuick.Templates as T
import theme

// A decision the user must make about a failure: what is wrong, why, and
// the actions.  Only for what does not clear by itself (those are banners).
// Always closable: its close button and Escape; closing it dismisses the
// failure (the owner's `onClosed`).
MVPopup {
    id: root
    required property string heading
    property string body
    property string severity: "error"
    // The action that gets the keyboard focus when it opens (Return presses it).
    property Item initialFocus: null
    default property alias actions: actionColumn.data

    parent: T.Overlay.overlay
    anchors.centerIn: parent
    width: parent ? parent.width - 2 * Theme.spacing : 300
    modal: true
    focus: true
    closePolicy: T.Popup.CloseOnEscape
    padding: Theme.spacing
    topPadding: Theme.smallSpacing
    implicitHeight: layout.implicitHeight + topPadding + bottomPadding
    T.Overlay.modal: Rectangle { color: Theme.scrim }
    onOpened: if (initialFocus) initialFocus.forceActiveFocus(Qt.TabFocusReason)

    background: Rectangle {
        radius: Theme.radius
        color: Theme.surface
    }

    contentItem: ColumnLayout {
        id: layout
        spacing: Theme.spacing
        Accessible.role: Accessible.AlertMessage
        Accessible.name: root.heading
        Accessible.description: root.body
        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.smallSpacing
            MVSeverityIcon {
                Layout.alignment: Qt.AlignVCenter
                severity: root.severity
            }
            MVText {
                objectName: root.objectName + "Title"
                Layout.fillWidth: true
                text: root.heading
                textStyle: MVText.Heading
            }
            MVIconButton {
                objectName: root.objectName + "Close"
                Layout.rightMargin: -Theme.smallSpacing
                label: qsTr("Close")
                onClicked: root.close()
            }
        }
        MVText {
            objectName: root.objectName + "Body"
            Layout.fillWidth: true
            text: root.body
            color: Theme.textMuted
        }
        ColumnLayout {
            id: actionColumn
            Layout.fillWidth: true
            spacing: Theme.smallSpacing
        }
    }
}
