import QtQuick
import QtQuick.Layouts
import theme
import "../components"

// One location of the picker: the city, the best round trip its servers
// answered the last probe with, and that round trip in a word (good,
// moderate, poor) beside the number, so the colour is never the only clue.
MVListRow {
    id: row
    required property string city
    required property string country
    required property real latencyMs
    required property bool probed
    // Drawn as the keyboard's position in the list (the list holds the focus).
    property bool keyboardCurrent: false

    // Thresholds of the words, in ms: a video call is fine under 80, web
    // pages under 200; above that every click waits.
    readonly property string quality: !probed || latencyMs < 0 ? ""
                                      : latencyMs < 80 ? "good" : latencyMs < 200 ? "moderate" : "poor"
    readonly property string qualityText: quality === "good" ? qsTr("good")
                                          : quality === "moderate" ? qsTr("moderate")
                                          : quality === "poor" ? qsTr("poor") : ""
    readonly property string latencyText: !probed ? qsTr("not measured yet")
                                          : latencyMs < 0 ? qsTr("unavailable")
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
        visible: row.quality !== "" || (row.probed && row.latencyMs < 0)
        color: row.quality === "good" ? Theme.latencyGood
             : row.quality === "moderate" ? Theme.latencyModerate : Theme.latencyPoor
    }
    MVText {
        objectName: row.objectName + "_score"
        text: row.qualityText !== "" ? qsTr("%1 · %2").arg(row.latencyText).arg(row.qualityText)
                                     : (row.probed ? row.latencyText : "…")
        textStyle: MVText.Small
        color: Theme.textMuted
        wrapMode: Text.NoWrap
        Accessible.ignored: true
    }
}
