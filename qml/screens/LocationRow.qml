import QtQuick
import QtQuick.Layouts
import Mimic
import theme
import "../components"

// One location of the picker: the city, the best round trip its servers
// answered the last probe with, and that round trip in a word (good,
// moderate, poor) beside the number, so the colour is never the only clue.
MVListRow {
    id: row
    // Roles of the picker's model (vpnui/location_search.py over vpnui/location_model.py).
    required property string city
    required property string country
    required property string countryCode
    required property string cityCode
    required property real latencyMs
    required property int latencyTier
    required property bool recentEntry
    required selected
    // Drawn as the keyboard's position in the list (the list holds the focus).
    property bool keyboardCurrent: false

    // The tiers' thresholds are the app's (vpnui/connection/locations.py); these are their words.
    readonly property string qualityText: latencyTier === Latency.Good ? qsTr("good")
                                          : latencyTier === Latency.Moderate ? qsTr("moderate")
                                          : latencyTier === Latency.Poor ? qsTr("poor") : ""
    readonly property string latencyText: latencyTier === Latency.Unknown ? qsTr("not measured yet")
                                          : latencyTier === Latency.Unavailable ? qsTr("unavailable")
                                          : latencyMs < 1 ? qsTr("<1 ms")
                                          : qsTr("%1 ms").arg(Math.round(latencyMs))

    text: city
    focusPolicy: Qt.NoFocus
    implicitHeight: 48
    background: Rectangle {
        color: row.down ? Theme.surfaceSunken : Theme.surface
        Rectangle {
            visible: row.selected
            width: 4
            height: parent.height - Theme.smallSpacing
            anchors.verticalCenter: parent.verticalCenter
            x: 2
            radius: 2
            color: Theme.accent
        }
        MVFocusRing { shown: row.keyboardCurrent; gap: -Theme.focusRingWidth - 1 }
    }
    Accessible.role: Accessible.ListItem
    Accessible.name: qsTr("%1, %2").arg(city).arg(country)
    Accessible.description: (qualityText !== "" ? qsTr("%1, %2").arg(latencyText).arg(qualityText) : latencyText)
                            + (selected ? qsTr(", selected") : "")

    Rectangle {
        Layout.alignment: Qt.AlignVCenter
        implicitWidth: 8
        implicitHeight: 8
        radius: 4
        visible: row.latencyTier !== Latency.Unknown
        color: row.latencyTier === Latency.Good ? Theme.latencyGood
             : row.latencyTier === Latency.Moderate ? Theme.latencyModerate : Theme.latencyPoor
    }
    MVText {
        objectName: row.objectName + "_score"
        text: row.qualityText !== "" ? qsTr("%1 · %2").arg(row.latencyText).arg(row.qualityText)
                                     : (row.latencyTier !== Latency.Unknown ? row.latencyText : "…")
        textStyle: MVText.Small
        color: Theme.textMuted
        wrapMode: Text.NoWrap
        Accessible.ignored: true
    }
}
