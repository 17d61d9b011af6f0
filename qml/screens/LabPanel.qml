pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Mimic
import theme

// The embedded lab's world, flippable: every condition the client can meet.
Popup {
    id: root
    required property LabConditions lab
    readonly property var c: lab.conditions

    parent: Overlay.overlay
    x: Theme.smallSpacing
    y: Theme.smallSpacing
    width: parent ? parent.width - 2 * Theme.smallSpacing : 300
    height: parent ? parent.height - 2 * Theme.smallSpacing : 500
    modal: true
    padding: Theme.spacing
    Overlay.modal: Rectangle { color: Theme.scrim }
    background: Rectangle {
        radius: Theme.radius
        color: Theme.bgPage
        Accessible.role: Accessible.Dialog
        Accessible.name: qsTr("Network lab")
    }

    component LabSwitch: Switch {
        Layout.fillWidth: true
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontBody
        Accessible.name: text
    }
    component LabChoice: RowLayout {
        id: choiceRow
        property alias label: choiceLabel.text
        property alias box: combo
        property var options: []
        property string current
        signal picked(string value)
        Layout.fillWidth: true
        Text {
            id: choiceLabel
            Layout.fillWidth: true
            color: Theme.text
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontBody
        }
        ComboBox {
            id: combo
            objectName: choiceRow.objectName + "Box"
            model: choiceRow.options
            currentIndex: choiceRow.options.indexOf(choiceRow.current)
            Accessible.name: choiceLabel.text
            onActivated: (index) => choiceRow.picked(choiceRow.options[index])
        }
    }

    contentItem: ColumnLayout {
        spacing: Theme.smallSpacing
        RowLayout {
            Layout.fillWidth: true
            Text {
                Layout.fillWidth: true
                text: qsTr("Network lab")
                color: Theme.text
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontTitle
                font.bold: true
            }
            ToolButton {
                objectName: "labPanelClose"
                text: "✕"
                Accessible.name: qsTr("Close")
                onClicked: root.close()
            }
        }
        Text {
            Layout.fillWidth: true
            text: qsTr("Change the simulated world and watch the client react.")
            color: Theme.textMuted
            wrapMode: Text.WordWrap
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontSmall
        }
        Text {
            objectName: "labError"
            Layout.fillWidth: true
            visible: root.lab.error !== ""
            text: root.lab.error
            color: Theme.danger
            wrapMode: Text.WordWrap
            font.pixelSize: Theme.fontSmall
        }
        // A ListView creates only the rows on screen: the lab may simulate a
        // thousand servers.  The conditions sit in its header.
        ListView {
            objectName: "labServerList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: root.lab.servers
            header: ColumnLayout {
                width: ListView.view ? ListView.view.width : 0
                spacing: 0
                LabSwitch {
                    objectName: "labInternetSwitch"
                    text: qsTr("Internet connection")
                    checked: root.c.internet === true
                    onToggled: root.lab.setCondition("internet", checked)
                }
                LabSwitch {
                    objectName: "labCaptivePortalSwitch"
                    text: qsTr("Captive portal")
                    checked: root.c.captive_portal === true
                    onToggled: root.lab.setCondition("captive_portal", checked)
                }
                LabSwitch {
                    objectName: "labFirewallSwitch"
                    text: qsTr("Firewall blocks VPN (UDP)")
                    checked: root.c.firewall_blocks_udp === true
                    onToggled: root.lab.setCondition("firewall_blocks_udp", checked)
                }
                LabSwitch {
                    objectName: "labAccountSwitch"
                    text: qsTr("Account service up")
                    checked: root.c.account_service === "up"
                    onToggled: root.lab.setCondition("account_service", checked ? "up" : "down")
                }
                LabChoice {
                    objectName: "labSubscription"
                    label: qsTr("Subscription")
                    options: ["active", "expired", "none"]
                    current: root.c.subscription || "active"
                    onPicked: (value) => root.lab.setCondition("subscription", value)
                }
                LabChoice {
                    objectName: "labIngestion"
                    label: qsTr("Telemetry ingestion")
                    options: ["up", "down", "error"]
                    current: root.c.ingestion || "up"
                    onPicked: (value) => root.lab.setCondition("ingestion", value)
                }
                Text {
                    Layout.topMargin: Theme.spacing
                    text: qsTr("Servers")
                    color: Theme.textMuted
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontSmall
                    font.bold: true
                }
            }
            delegate: RowLayout {
                id: serverRow
                required property var modelData
                width: ListView.view ? ListView.view.width : 0
                Switch {
                    objectName: "labServerUp_" + serverRow.modelData.name
                    checked: !serverRow.modelData.down
                    Accessible.name: qsTr("%1 up").arg(serverRow.modelData.name)
                    onToggled: root.lab.setServer(serverRow.modelData.name, "down", !checked)
                }
                Text {
                    Layout.fillWidth: true
                    text: serverRow.modelData.name
                    elide: Text.ElideRight
                    color: Theme.text
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontSmall
                }
                ComboBox {
                    objectName: "labServerLatency_" + serverRow.modelData.name
                    implicitWidth: 78
                    model: [0, 50, 200, 600]
                    displayText: currentValue + " ms"
                    currentIndex: Math.max(0, model.indexOf(serverRow.modelData.latencyMs))
                    Accessible.name: qsTr("%1 added latency").arg(serverRow.modelData.name)
                    onActivated: (index) => root.lab.setServer(serverRow.modelData.name, "latency_ms", model[index])
                }
                ComboBox {
                    objectName: "labServerLoss_" + serverRow.modelData.name
                    implicitWidth: 66
                    model: [0, 0.1, 0.3, 1.0]
                    displayText: Math.round(currentValue * 100) + "%"
                    currentIndex: Math.max(0, model.indexOf(serverRow.modelData.loss))
                    Accessible.name: qsTr("%1 packet loss").arg(serverRow.modelData.name)
                    onActivated: (index) => root.lab.setServer(serverRow.modelData.name, "loss", model[index])
                }
            }
        }
        Button {
            objectName: "labResetButton"
            Layout.fillWidth: true
            text: qsTr("Reset every condition")
            Accessible.name: text
            onClicked: root.lab.reset()
        }
    }
}
