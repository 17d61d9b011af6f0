import QtQuick

// The cold-start reference: a Qt Quick window with nothing in it, the same
// size as the app's main window.
Window {
    width: 380
    height: 700
    visible: true
    color: "#1d1f24"
}
