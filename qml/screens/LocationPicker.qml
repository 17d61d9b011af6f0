pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Mimic
import theme

// Countries and cities from the server list, each with the best round trip
// its servers answered the last probe with.
Popup {
    id: root
    required property ConnectionManager manager

    parent: Overlay.overlay
    x: Theme.smallSpacing
    y: Theme.smallSpacing
    width: parent ? parent.width - 2 * Theme.smallSpacing : 300
    height: parent ? parent.height - 2 * Theme.smallSpacing : 500
    modal: true
    padding: 0
    Overlay.modal: Rectangle { color: Theme.scrim }
    background: Rectangle {
        radius: Theme.radius
        color: Theme.bgPage
        Accessible.role: Accessible.Dialog
        Accessible.name: qsTr("Select location")
    }

    contentItem: ColumnLayout {
        spacing: 0
        RowLayout {
            Layout.fillWidth: true
            Layout.margins: Theme.spacing
            Text {
                Layout.fillWidth: true
                text: qsTr("Select location")
                color: Theme.text
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontTitle
                font.bold: true
            }
            ToolButton {
                objectName: "locationPickerClose"
                text: "✕"
                Accessible.name: qsTr("Close")
                onClicked: root.close()
            }
        }
        ListView {
            id: list
            objectName: "locationList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: root.manager.locations
            section.property: "country"
            section.delegate: Text {
                required property string section
                width: ListView.view.width
                leftPadding: Theme.spacing
                topPadding: Theme.smallSpacing
                bottomPadding: 4
                text: section
                color: Theme.textMuted
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontSmall
                font.bold: true
            }
            // A row of the manager's LocationListModel (vpnui/location_model.py).
            delegate: Rectangle {
                id: row
                required property string name
                required property string countryCode
                required property string cityCode
                required property string city
                required property real latencyMs
                required property int latencyTier
                required property bool selected
                objectName: "location_" + countryCode + "_" + cityCode
                width: ListView.view.width
                height: 48
                color: selected ? Theme.divider : (mouse.pressed ? Theme.divider : Theme.surface)
                Accessible.role: Accessible.Button
                Accessible.name: name
                Accessible.onPressAction: row.choose()
                function choose() {
                    root.close()
                    root.manager.chooseLocation(countryCode, cityCode)
                }
                RowLayout {
                    anchors.fill: parent
                    anchors.leftMargin: Theme.spacing * 1.5
                    anchors.rightMargin: Theme.spacing
                    Text {
                        Layout.fillWidth: true
                        text: row.city
                        color: Theme.text
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontBody
                        font.bold: row.selected
                    }
                    Rectangle {
                        implicitWidth: 8; implicitHeight: 8; radius: 4
                        color: row.latencyTier === Latency.Unknown ? Theme.divider
                               : row.latencyTier === Latency.Unavailable ? Theme.danger
                               : row.latencyTier === Latency.Good ? Theme.success : Theme.warning
                    }
                    Text {
                        objectName: row.objectName + "_score"
                        text: row.latencyTier === Latency.Unknown ? "…"
                              : row.latencyTier === Latency.Unavailable ? qsTr("unavailable")
                              : row.latencyMs < 1 ? qsTr("<1 ms")
                              : qsTr("%1 ms").arg(Math.round(row.latencyMs))
                        color: Theme.textMuted
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontSmall
                    }
                }
                MouseArea {
                    id: mouse
                    anchors.fill: parent
                    onClicked: row.choose()
                }
            }
        }
    }
}
