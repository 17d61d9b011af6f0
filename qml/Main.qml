import QtQuick
import theme

// The main window, in two steps.  This file needs nothing but Qt Quick and
// the theme, so the window is on screen before the app's Python modules are
// even imported (they take longer to import than Qt itself).  attach() then
// loads the real screens (MainContent.qml) into the same window, bound to
// the app's objects.  Until then the window shows the app's name and that
// it is starting, never controls that cannot work yet.
Window {
    id: window

    // Set by the app before attach(); typed in MainContent.qml, which can
    // import the app's QML types because they exist by then.
    property QtObject manager: null
    property QtObject lab: null
    property QtObject preferences: null

    objectName: "mainWindow"
    width: Theme.windowWidth
    height: Theme.windowHeight
    visible: true
    title: qsTr("Mimic VPN")
    color: Theme.bgPage

    // Loads the screens synchronously: when it returns they exist (or the
    // loader's status says why not).
    function attach() {
        content.setSource("MainContent.qml", {
            manager: window.manager,
            lab: window.lab,
            preferences: window.preferences
        })
        return content.status === Loader.Ready
    }

    // Where the status card will be, in its "off" colours, so the screens
    // arrive without the window jumping.
    Rectangle {
        objectName: "startupPlaceholder"
        visible: content.status !== Loader.Ready
        anchors.top: parent.top
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.margins: Theme.spacing
        height: placeholderColumn.implicitHeight + 2 * Theme.spacing
        radius: Theme.radius
        gradient: Gradient {
            GradientStop { position: 0.0; color: Theme.bgOffLight }
            GradientStop { position: 1.0; color: Theme.bgOff }
        }
        Column {
            id: placeholderColumn
            anchors.fill: parent
            anchors.margins: Theme.spacing
            spacing: Theme.smallSpacing
            Text {
                width: parent.width
                horizontalAlignment: Text.AlignHCenter
                text: qsTr("Mimic VPN")
                color: Theme.textOnDark
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontTitle
                font.bold: true
            }
            Text {
                width: parent.width
                horizontalAlignment: Text.AlignHCenter
                text: qsTr("Starting…")
                color: Theme.textOnDarkMuted
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontBody
            }
            // The room of the timer line and the switch.
            Item { width: 1; height: Theme.fontBody * 1.3 + 2 * Theme.smallSpacing + 36 }
        }
    }

    Loader {
        id: content
        objectName: "mainContent"
        anchors.fill: parent
    }
}
