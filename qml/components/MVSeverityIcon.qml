import QtQuick
import theme

// The small icon of a message's severity: "info", "warning" or "error".
// Never alone: the message says it in words too.
Image {
    property string severity: "info"
    source: Theme.icon("severity-" + severity)
    sourceSize.width: 20
    sourceSize.height: 20
    width: 20
    height: 20
    // Decoded off the GUI thread: a banner shown at start-up does not wait for it.
    asynchronous: true
    Accessible.ignored: true
}
