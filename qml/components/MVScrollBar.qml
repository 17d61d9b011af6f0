import QtQuick
import QtQuick.Templates as T
import theme

// A thin scroll bar, shown whenever the list does not fit: it says there is more.
T.ScrollBar {
    policy: size < 1.0 ? T.ScrollBar.AlwaysOn : T.ScrollBar.AlwaysOff
    padding: 1
    contentItem: Rectangle {
        implicitWidth: 4
        radius: 2
        color: Theme.controlBorder
    }
}
