import QtQuick
import QtQuick.Layouts
import theme

// A message about something that clears by itself (no internet, the
// account service down, an unstable link, the service starting): it sits
// in the window without blocking it, and goes when its cause does.  An
// icon and a coloured edge give its severity; the words say it too.
Rectangle {
    id: root
    property string severity: "warning"
    property string heading
    property string body
    // Everything it says, in one string (what tests read, what is announced).
    readonly property string text: heading !== "" && body !== "" ? qsTr("%1. %2").arg(heading).arg(body) : heading + body

    implicitHeight: row.implicitHeight + 2 * Theme.smallSpacing + 2
    radius: Theme.radius
    color: severity === "error" ? Theme.dangerSurface
         : severity === "warning" ? Theme.warningSurface
         : Theme.infoSurface
    border.width: 1
    border.color: severity === "error" ? Theme.danger : severity === "warning" ? Theme.warning : Theme.info
    Accessible.role: Accessible.AlertMessage
    Accessible.name: heading !== "" ? heading : body
    Accessible.description: heading !== "" ? body : ""

    RowLayout {
        id: row
        anchors.fill: parent
        anchors.margins: Theme.smallSpacing
        anchors.leftMargin: Theme.smallSpacing + 2
        spacing: Theme.smallSpacing
        MVSeverityIcon {
            Layout.alignment: Qt.AlignTop
            severity: root.severity
        }
        ColumnLayout {
            Layout.fillWidth: true
            spacing: 2
            MVText {
                objectName: root.objectName + "Title"
                Layout.fillWidth: true
                visible: root.heading !== ""
                text: root.heading
                textStyle: MVText.Small
                font.bold: true
            }
            MVText {
                objectName: root.objectName + "Text"
                Layout.fillWidth: true
                visible: root.body !== ""
                text: root.body
                textStyle: MVText.Small
            }
        }
    }
}
