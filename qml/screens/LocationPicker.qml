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
            delegate: Rectangle {
                id: row
                required property var modelData
                objectName: "location_" + modelData.countryCode + "_" + modelData.cityCode
                width: ListView.view.width
                height: 48
                color: modelData.selected ? Theme.divider : (mouse.pressed ? Theme.divider : Theme.surface)
                Accessible.role: Accessible.Button
                Accessible.name: modelData.city + ", " + modelData.country
                Accessible.onPressAction: row.choose()
                function choose() {
                    // Choosing rebuilds the model (and this delegate), so
                    // everything that needs the delegate happens first.
                    const manager = root.manager
                    const country = modelData.countryCode
                    const city = modelData.cityCode
                    root.close()
                    manager.chooseLocation(country, city)
                }
                RowLayout {
                    anchors.fill: parent
                    anchors.leftMargin: Theme.spacing * 1.5
                    anchors.rightMargin: Theme.spacing
                    Text {
                        Layout.fillWidth: true
                        text: row.modelData.city
                        color: Theme.text
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontBody
                        font.bold: row.modelData.selected
                    }
                    Rectangle {
                        width: 8; height: 8; radius: 4
                        color: !row.modelData.probed ? Theme.divider
                               : row.modelData.latencyMs < 0 ? Theme.danger
                               : row.modelData.latencyMs < 100 ? Theme.success : Theme.warning
                    }
                    Text {
                        objectName: row.objectName + "_score"
                        text: !row.modelData.probed ? "…"
                              : row.modelData.latencyMs < 0 ? qsTr("unavailable")
                              : row.modelData.latencyMs < 1 ? qsTr("<1 ms")
                              : Math.round(row.modelData.latencyMs) + " ms"
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
