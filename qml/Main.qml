pragma ComponentBehavior: Bound
import QtQuick
import theme

// The main window, in two steps.  This file needs nothing but Qt Quick and
// the theme, so the window is on screen before the app's Python modules are
// even imported (they take longer to import than Qt itself).  attach() then
// loads the real screens (MainContent.qml) into the same window, bound to
// the app's objects.  Until then the window shows a skeleton of the status
// card, never controls that cannot work yet.
Window {
    id: window

    // Set by the app before attach(); typed in MainContent.qml, which can
    // import the app's QML types because they exist by then.
    property QtObject manager: null
    property QtObject lab: null
    property QtObject preferences: null
    // Why the app cannot start (a broken config file), shown instead of the
    // screens until the user closes the window.
    property string startupError: ""

    objectName: "mainWindow"
    width: Theme.windowWidth
    height: Theme.windowHeight
    // Created hidden: vpnui.main_window.load_main_window shows it, unless the
    // app starts minimised, whose window must never be mapped at all.
    visible: false
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

    // A skeleton of the status card, in its "off" colours and at its "off"
    // height, so the screens arrive without the window jumping.  No text: the
    // first Text in a process initialises the font database (about 10 ms),
    // and the title bar already names the app.
    Rectangle {
        objectName: "startupPlaceholder"
        visible: content.status !== Loader.Ready && window.startupError === ""
        anchors.top: parent.top
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.margins: Theme.spacing
        // Title, subtitle (two lines) and timer lines, the switch (36) and the
        // spacing between them, as StatusHeader.qml lays them out (a test compares).
        height: 2 * Theme.spacing + Math.ceil(Theme.fontTitle * 1.17) + 3 * Math.ceil(Theme.fontBody * 1.17)
                + 4 * Theme.smallSpacing + 36
        radius: Theme.radius
        gradient: Gradient {
            GradientStop { position: 0.0; color: Theme.bgOffLight }
            GradientStop { position: 1.0; color: Theme.bgOff }
        }
        Accessible.role: Accessible.StaticText
        Accessible.name: qsTr("Mimic VPN is starting")
    }

    // Created only on error: an unused Text would still cost the first frame
    // the font database.
    Loader {
        objectName: "startupErrorLoader"
        active: window.startupError !== ""
        anchors.top: parent.top
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.margins: Theme.spacing
        sourceComponent: Rectangle {
            implicitHeight: errorColumn.implicitHeight + 2 * Theme.spacing
            radius: Theme.radius
            color: Theme.surface
            border.color: Theme.danger
            Column {
                id: errorColumn
                anchors.left: parent.left
                anchors.right: parent.right
                anchors.top: parent.top
                anchors.margins: Theme.spacing
                spacing: Theme.smallSpacing
                Text {
                    width: parent.width
                    text: qsTr("Mimic VPN cannot start")
                    color: Theme.dangerText
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontTitle
                    font.bold: true
                    wrapMode: Text.WordWrap
                    Accessible.role: Accessible.Heading
                    Accessible.name: text
                }
                Text {
                    objectName: "startupErrorText"
                    width: parent.width
                    text: window.startupError
                    color: Theme.text
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontBody
                    wrapMode: Text.Wrap
                    Accessible.name: text
                }
                Text {
                    width: parent.width
                    text: qsTr("Fix or remove the file, then start Mimic VPN again.")
                    color: Theme.textMuted
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontSmall
                    wrapMode: Text.WordWrap
                }
            }
        }
    }

    Loader {
        id: content
        objectName: "mainContent"
        anchors.fill: parent
    }
}
