import QtQuick
import QtQuick.Layouts
import QtQuick.Templates as T
import theme

// A sheet over the window: a title, a close button, and its content.
// Modal, with the keyboard focus kept inside while it is open; Escape, the
// close button and a click on the dimmed window around it close it.
MVPopup {
    id: root
    required property string title
    required property string closeName
    // What gets the keyboard focus when the panel opens (the panel itself if null).
    property Item initialFocus: null
    property color fill: Theme.bgPage
    // Full height (a list) or as tall as its content (a few settings).
    property bool fullHeight: true
    default property alias content: body.data

    parent: T.Overlay.overlay
    x: Theme.smallSpacing
    y: fullHeight ? Theme.smallSpacing : Math.round((parent ? parent.height - height : 0) / 2)
    width: parent ? parent.width - 2 * Theme.smallSpacing : 300
    height: fullHeight && parent ? parent.height - 2 * Theme.smallSpacing
                                 : Math.min(implicitHeight, parent ? parent.height - 2 * Theme.smallSpacing : 600)
    implicitHeight: column.implicitHeight + topPadding + bottomPadding
    modal: true
    focus: true
    closePolicy: T.Popup.CloseOnEscape | T.Popup.CloseOnPressOutside
    padding: 0
    T.Overlay.modal: Rectangle { color: Theme.scrim }
    onOpened: if (initialFocus) initialFocus.forceActiveFocus(Qt.TabFocusReason)

    background: Rectangle {
        radius: Theme.radius
        color: root.fill
    }
    contentItem: ColumnLayout {
        id: column
        spacing: 0
        Accessible.role: Accessible.Dialog
        Accessible.name: root.title
        RowLayout {
            Layout.fillWidth: true
            Layout.leftMargin: Theme.spacing
            Layout.rightMargin: Theme.smallSpacing
            Layout.topMargin: Theme.smallSpacing
            spacing: Theme.smallSpacing
            MVText {
                Layout.fillWidth: true
                text: root.title
                textStyle: MVText.Title
            }
            MVIconButton {
                objectName: root.closeName
                label: qsTr("Close %1").arg(root.title)
                onClicked: root.close()
            }
        }
        ColumnLayout {
            id: body
            Layout.fillWidth: true
            Layout.fillHeight: root.fullHeight
            spacing: Theme.smallSpacing
        }
    }
}
