import QtQuick
import theme

// A one-sentence notice about something the app did by itself (the
// connection moved to another server).  It is placed where it covers
// nothing and pushes nothing: nothing under the pointer moves when it shows.
Rectangle {
    id: root
    property string text
    implicitHeight: label.implicitHeight + 2 * Theme.smallSpacing
    radius: Theme.radius
    color: Theme.surface
    border.color: Theme.accent
    Accessible.role: Accessible.AlertMessage
    Accessible.name: text

    Text {
        id: label
        anchors.fill: parent
        anchors.margins: Theme.smallSpacing
        text: root.text
        wrapMode: Text.WordWrap
        color: Theme.text
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontSmall
    }
}
