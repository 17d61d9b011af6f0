import QtQuick
import theme

// The keyboard focus, drawn around its control: shown when the control got
// the focus from the keyboard (Tab, Backtab, a shortcut), never from a click.
Rectangle {
    // Bound to the control's visualFocus.
    property bool shown: false
    property bool onDark: false
    property real gap: 2

    anchors.fill: parent
    anchors.margins: -(gap + Theme.focusRingWidth)
    radius: ((parent as Rectangle)?.radius ?? Theme.radius) + gap + Theme.focusRingWidth
    color: "transparent"
    border.width: Theme.focusRingWidth
    border.color: onDark ? Theme.focusRingOnDark : Theme.focusRing
    visible: shown
}
