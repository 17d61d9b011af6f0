import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Mimic
import theme
import "components"
import "screens"

ApplicationWindow {
    id: window
    required property ConnectionManager manager

    objectName: "mainWindow"
    width: Theme.windowWidth
    height: Theme.windowHeight
    visible: true
    title: qsTr("Mimic VPN")
    color: Theme.bgPage

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.spacing
        spacing: Theme.spacing

        Rectangle {
            objectName: "daemonLinkBanner"
            Layout.fillWidth: true
            visible: window.manager.linkState !== "ready"
            implicitHeight: bannerText.implicitHeight + Theme.spacing
            radius: Theme.radius
            color: window.manager.linkState === "lost" ? Theme.danger : Theme.warning
            Text {
                id: bannerText
                anchors.centerIn: parent
                width: parent.width - Theme.spacing
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.WordWrap
                color: Theme.textOnDark
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontSmall
                text: window.manager.linkState === "lost"
                      ? qsTr("Lost contact with the VPN service. Reconnecting…")
                      : qsTr("Starting the VPN service…")
                Accessible.name: text
            }
        }

        StatusHeader {
            objectName: "statusHeader"
            Layout.fillWidth: true
            manager: window.manager
        }

        Item { Layout.fillHeight: true }
    }
}
