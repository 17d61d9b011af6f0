import QtQuick
import QtQuick.Templates as T
import theme

// A push button: "primary" (filled: the one thing to do), "secondary"
// (outlined) or "quiet" (text only).  Space, Return and Enter press it.
T.Button {
    id: control
    property string kind: "primary"
    readonly property bool filled: kind === "primary"

    implicitWidth: Math.max(implicitBackgroundWidth + leftInset + rightInset,
                            implicitContentWidth + leftPadding + rightPadding)
    implicitHeight: Math.max(Theme.controlHeight, implicitContentHeight + topPadding + bottomPadding)
    padding: Theme.smallSpacing
    horizontalPadding: Theme.spacing
    focusPolicy: Qt.StrongFocus
    font.family: Theme.fontFamily
    font.pixelSize: Theme.fontBody
    // Disabled only until what it opens is ready (the lab panel at start-up).
    opacity: enabled ? 1.0 : 0.5

    Accessible.role: Accessible.Button
    Accessible.name: text
    Accessible.onPressAction: control.click()
    Keys.onReturnPressed: control.click()
    Keys.onEnterPressed: control.click()

    contentItem: Text {
        text: control.text
        font: control.font
        color: control.filled ? Theme.textOnAccent : Theme.accentText
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        wrapMode: Text.WordWrap
        maximumLineCount: 2
        elide: Text.ElideRight
    }
    background: Rectangle {
        implicitHeight: Theme.controlHeight
        radius: Theme.radius
        color: control.filled ? (control.down ? Theme.accentPressed : Theme.accent)
                              : (control.down ? Theme.surfaceSunken : "transparent")
        border.width: control.kind === "secondary" ? 1 : 0
        border.color: Theme.accent
        MVFocusRing { shown: control.visualFocus }
    }
}
