pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts
import QtQuick.Templates as T
import Mimic
import theme
import "../components"

// The network lab: the simulated world the app runs against, flippable.
// Every switch here is a fault: on means the fault is happening.  Nothing
// here touches the real network; the panel says so in a band of its own
// colour, so it is never taken for the app's settings.
MVPanel {
    id: root
    required property LabConditions lab
    readonly property var c: lab.conditions

    title: qsTr("Network lab")
    closeName: "labPanelClose"
    fill: Theme.labSurface

    component Fault: MVSwitch {
        Layout.fillWidth: true
        Layout.leftMargin: Theme.smallSpacing
        Layout.rightMargin: Theme.smallSpacing
    }
    component Choice: RowLayout {
        id: choice
        property alias label: choiceLabel.text
        property alias box: combo
        property alias options: combo.model
        property alias current: combo.current
        signal picked(var value)
        Layout.fillWidth: true
        Layout.leftMargin: Theme.smallSpacing + Theme.smallSpacing / 2
        Layout.rightMargin: Theme.smallSpacing + Theme.smallSpacing / 2
        spacing: Theme.smallSpacing
        MVText {
            id: choiceLabel
            Layout.fillWidth: true
        }
        MVComboBox {
            id: combo
            objectName: choice.objectName + "Box"
            label: choiceLabel.text
            onPicked: (value) => choice.picked(value)
        }
    }

    Rectangle {
        objectName: "labSimulatedBand"
        Layout.fillWidth: true
        implicitHeight: bandText.implicitHeight + Theme.smallSpacing * 2
        color: Theme.labBand
        MVText {
            id: bandText
            anchors.fill: parent
            anchors.margins: Theme.smallSpacing
            anchors.leftMargin: Theme.spacing
            anchors.rightMargin: Theme.spacing
            textStyle: MVText.Small
            color: Theme.textOnLabBand
            text: qsTr("<b>Simulated world.</b> Nothing here touches your real network: switch a fault on and watch Mimic VPN react.")
            textFormat: Text.StyledText
            Accessible.name: qsTr("Simulated world. Nothing here touches your real network: switch a fault on and watch Mimic VPN react.")
        }
    }
    MVText {
        objectName: "labError"
        Layout.fillWidth: true
        Layout.leftMargin: Theme.spacing
        Layout.rightMargin: Theme.spacing
        visible: root.lab.error !== ""
        text: root.lab.error
        color: Theme.dangerText
        textStyle: MVText.Small
    }
    // A ListView creates only the rows on screen (and a margin around them):
    // the lab may simulate a thousand servers.  The world's faults sit in its header.
    ListView {
        id: serverList
        objectName: "labServerList"
        Layout.fillWidth: true
        Layout.fillHeight: true
        clip: true
        // Every row of the shipped list exists, so Tab reaches each of them.
        cacheBuffer: 1200
        // Room for the focus ring of the last row.
        bottomMargin: Theme.focusRingWidth + 2
        boundsBehavior: Flickable.StopAtBounds
        // It scrolls, and says so.
        T.ScrollBar.vertical: MVScrollBar {}
        model: root.lab.servers
        // The server list is rebuilt on every change the lab reports: the
        // control the keyboard just used gets the focus back in the new row.
        property string refocusName
        property bool refocusVisibly
        function keepFocus(control: T.Control) {
            refocusName = control.activeFocus ? control.objectName : ""
            refocusVisibly = control.visualFocus
        }
        header: ColumnLayout {
            width: ListView.view ? ListView.view.width : 0
            spacing: 0
            MVText {
                Layout.fillWidth: true
                Layout.leftMargin: Theme.spacing
                Layout.topMargin: Theme.smallSpacing
                text: qsTr("Faults")
                textStyle: MVText.Label
                color: Theme.textMuted
            }
            Fault {
                objectName: "labInternetDownSwitch"
                text: qsTr("Internet is down")
                checked: root.c.internet === false
                onChangeRequested: (on) => root.lab.setCondition("internet", !on)
            }
            Fault {
                objectName: "labCaptivePortalSwitch"
                text: qsTr("Captive portal on this network")
                checked: root.c.captive_portal === true
                onChangeRequested: (on) => root.lab.setCondition("captive_portal", on)
            }
            Fault {
                objectName: "labFirewallSwitch"
                text: qsTr("Firewall blocks VPN traffic (UDP)")
                checked: root.c.firewall_blocks_udp === true
                onChangeRequested: (on) => root.lab.setCondition("firewall_blocks_udp", on)
            }
            Fault {
                objectName: "labAccountDownSwitch"
                text: qsTr("Account service is down")
                checked: root.c.account_service === "down"
                onChangeRequested: (on) => root.lab.setCondition("account_service", on ? "down" : "up")
            }
            Choice {
                objectName: "labSubscription"
                label: qsTr("Subscription")
                options: [
                    { value: "active", text: qsTr("Active") },
                    { value: "expired", text: qsTr("Expired") },
                    { value: "none", text: qsTr("None") }
                ]
                current: root.c.subscription || "active"
                onPicked: (value) => root.lab.setCondition("subscription", value)
            }
            Choice {
                objectName: "labIngestion"
                Layout.topMargin: Theme.smallSpacing
                label: qsTr("Telemetry ingestion")
                options: [
                    { value: "up", text: qsTr("Up") },
                    { value: "down", text: qsTr("Down") },
                    { value: "error", text: qsTr("Error (HTTP 500)") }
                ]
                current: root.c.ingestion || "up"
                onPicked: (value) => root.lab.setCondition("ingestion", value)
            }
            MVText {
                Layout.fillWidth: true
                Layout.leftMargin: Theme.spacing
                Layout.topMargin: Theme.spacing
                text: qsTr("Servers: down, added latency, packet loss")
                textStyle: MVText.Label
                color: Theme.textMuted
            }
        }
        delegate: RowLayout {
            id: serverRow
            required property var modelData
            required property int index
            width: ListView.view ? ListView.view.width : 0
            spacing: Theme.smallSpacing / 2
            // Keyboard focus on a row scrolls it into view.
            function reveal() { serverList.positionViewAtIndex(index, ListView.Contain) }
            Component.onCompleted: {
                for (const control of [downSwitch, latencyBox, lossBox]) {
                    if (control.objectName === serverList.refocusName)
                        control.forceActiveFocus(serverList.refocusVisibly ? Qt.TabFocusReason : Qt.OtherFocusReason)
                }
            }
            MVSwitch {
                id: downSwitch
                objectName: "labServerDown_" + serverRow.modelData.name
                Layout.fillWidth: true
                Layout.leftMargin: Theme.smallSpacing
                text: serverRow.modelData.name
                font.pixelSize: Theme.fontSmall
                checked: serverRow.modelData.down === true
                Accessible.name: qsTr("%1 is down").arg(serverRow.modelData.name)
                onActiveFocusChanged: if (activeFocus) serverRow.reveal()
                onChangeRequested: (on) => {
                    serverList.keepFocus(this)
                    root.lab.setServer(serverRow.modelData.name, "down", on)
                }
            }
            MVComboBox {
                id: latencyBox
                objectName: "labServerLatency_" + serverRow.modelData.name
                implicitWidth: 84
                label: qsTr("%1 added latency").arg(serverRow.modelData.name)
                model: [0, 50, 200, 600].map((ms) => ({ value: ms, text: qsTr("%1 ms").arg(ms) }))
                current: serverRow.modelData.latencyMs
                otherText: qsTr("%1 ms").arg(serverRow.modelData.latencyMs)
                onActiveFocusChanged: if (activeFocus) serverRow.reveal()
                onPicked: (value) => {
                    serverList.keepFocus(this)
                    root.lab.setServer(serverRow.modelData.name, "latency_ms", value)
                }
            }
            MVComboBox {
                id: lossBox
                objectName: "labServerLoss_" + serverRow.modelData.name
                implicitWidth: 72
                Layout.rightMargin: Theme.smallSpacing
                label: qsTr("%1 packet loss").arg(serverRow.modelData.name)
                model: [0, 0.1, 0.3, 1.0].map((loss) => ({ value: loss, text: qsTr("%1 %").arg(Math.round(loss * 100)) }))
                current: serverRow.modelData.loss
                otherText: qsTr("%1 %").arg(Math.round(serverRow.modelData.loss * 100))
                onActiveFocusChanged: if (activeFocus) serverRow.reveal()
                onPicked: (value) => {
                    serverList.keepFocus(this)
                    root.lab.setServer(serverRow.modelData.name, "loss", value)
                }
            }
        }
    }
    MVButton {
        objectName: "labResetButton"
        Layout.fillWidth: true
        Layout.margins: Theme.spacing
        Layout.topMargin: Theme.smallSpacing
        kind: "secondary"
        text: qsTr("Reset every condition")
        Accessible.description: qsTr("Turns every fault off and every server back to health")
        onClicked: root.lab.reset()
    }
}
