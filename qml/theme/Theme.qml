pragma Singleton
import QtQuick

// One place for colours, sizes and type, so screens never carry literals.
QtObject {
    readonly property color bgOff: "#2b1b4d"
    readonly property color bgOffLight: "#3d2a66"
    readonly property color bgOn: "#321c64"
    readonly property color bgOnAccent: "#5b2cc9"
    readonly property color bgPage: "#f9f9fa"
    readonly property color surface: "#ffffff"
    readonly property color divider: "#e7e7e7"
    readonly property color textOnDark: "#ffffff"
    readonly property color textOnDarkMuted: "#cdc6e0"
    readonly property color text: "#20123a"
    readonly property color textMuted: "#6d6d6e"
    readonly property color accent: "#0060df"
    readonly property color accentPressed: "#003eaa"
    readonly property color success: "#3fe1b0"
    readonly property color warning: "#ffa436"
    readonly property color danger: "#e22850"
    // Text on the warning and danger fills, each at least 4.5:1 against its
    // fill (WCAG 2.1 AA for small text; tests/ui/test_theme_contrast.py):
    // white on this orange is only 1.98:1, the dark text 8.78:1; white on
    // the red is 4.51:1.
    readonly property color textOnWarning: text
    readonly property color textOnDanger: textOnDark
    readonly property color toggleOff: "#9e9e9e"
    readonly property color toggleOn: "#3fe1b0"
    readonly property color scrim: "#99000000"

    readonly property int radius: 8
    readonly property int spacing: 16
    readonly property int smallSpacing: 8
    readonly property int windowWidth: 380
    readonly property int windowHeight: 700

    readonly property int fontTitle: 22
    readonly property int fontBody: 15
    readonly property int fontSmall: 13
    readonly property string fontFamily: "DejaVu Sans"
}
