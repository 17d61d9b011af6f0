pragma Singleton
import QtQuick

// One place for colours, sizes and type, so screens never carry literals.
//
// Two palettes, light and dark, side by side on each line (light first).
// The dark one follows the desktop's colour scheme; `scheme` forces one
// ("light" or "dark"): `vpnui --color-scheme`, the screenshots and the tests
// set it through vpnui.main_window.set_color_scheme.
//
// Every colour a text is drawn on is listed with that text in `textPairs`
// (WCAG 2.1 AA, at least 4.5:1) and every control part in `graphicPairs`
// (at least 3:1, WCAG 1.4.11); tests/ui/test_theme_contrast.py reads both
// lists from here and checks them in both palettes.
QtObject {
    id: theme

    // "" follows the system; "light" or "dark" forces that palette.
    property string scheme: ""
    readonly property bool dark: scheme === "dark"
                                 || (scheme === "" && Application.styleHints.colorScheme === Qt.ColorScheme.Dark)

    // Pages and surfaces.
    readonly property color bgPage: dark ? "#1c1b22" : "#f9f9fa"
    readonly property color surface: dark ? "#2b2a33" : "#ffffff"
    // A pressed or highlighted row, on a surface.
    readonly property color surfaceSunken: dark ? "#3a3944" : "#ececf1"
    readonly property color divider: dark ? "#4a4957" : "#e0e0e6"
    // Outlines of fields, combo boxes and unchecked switches.
    readonly property color controlBorder: dark ? "#9a9aa8" : "#7a7a88"

    // Text.
    readonly property color text: dark ? "#fbfbfe" : "#20123a"
    readonly property color textMuted: dark ? "#c7c7d1" : "#5b5b66"
    readonly property color dangerText: dark ? "#ff8fa3" : "#c50042"

    // The accent: primary buttons, links, checked switches, the selected marker.
    readonly property color accent: dark ? "#80b3ff" : "#0060df"
    readonly property color accentPressed: dark ? "#a6c9ff" : "#003eaa"
    readonly property color textOnAccent: dark ? "#0b0b0f" : "#ffffff"
    // The accent as text on a page or surface (secondary buttons, links).
    readonly property color accentText: accent
    readonly property color focusRing: dark ? "#80b3ff" : "#0060df"

    // The status card: the brand's purple in both palettes.
    readonly property color bgOff: "#2b1b4d"
    readonly property color bgOffLight: "#3d2a66"
    readonly property color bgOn: "#321c64"
    readonly property color bgOnAccent: "#5b2cc9"
    readonly property color textOnDark: "#ffffff"
    readonly property color textOnDarkMuted: "#cdc6e0"
    readonly property color focusRingOnDark: "#ffffff"
    readonly property color toggleOff: "#9e9e9e"
    readonly property color toggleOn: "#3fe1b0"
    readonly property color toggleKnob: "#ffffff"

    // Severities: the banner's fill, its edge, and the icon file's name.
    readonly property color infoSurface: dark ? "#1f2f4a" : "#e5efff"
    readonly property color warningSurface: dark ? "#3a2f0a" : "#fff4de"
    readonly property color dangerSurface: dark ? "#4a1f2b" : "#ffe3e8"
    readonly property color info: dark ? "#80b3ff" : "#0060df"
    readonly property color warning: dark ? "#ffb84d" : "#b36b00"
    readonly property color danger: dark ? "#ff8fa3" : "#c50042"
    readonly property color success: dark ? "#3fe1b0" : "#16a37a"

    // Round-trip quality in the location picker (always beside its word).
    readonly property color latencyGood: success
    readonly property color latencyModerate: warning
    readonly property color latencyPoor: danger

    // The network lab is the simulated world: its panel has a colour of its own.
    readonly property color labSurface: dark ? "#26231a" : "#fff7dd"
    readonly property color labBand: dark ? "#ffd567" : "#ffd567"
    readonly property color textOnLabBand: "#1c1b22"

    readonly property color scrim: "#99000000"

    // [text, background]: at least 4.5:1 in both palettes.
    readonly property var textPairs: [
        ["text", "bgPage"], ["text", "surface"], ["text", "surfaceSunken"],
        ["textMuted", "bgPage"], ["textMuted", "surface"], ["textMuted", "surfaceSunken"],
        ["dangerText", "bgPage"], ["dangerText", "surface"],
        ["accentText", "bgPage"], ["accentText", "surface"],
        ["textOnAccent", "accent"], ["textOnAccent", "accentPressed"],
        ["textOnDark", "bgOff"], ["textOnDark", "bgOffLight"], ["textOnDark", "bgOn"], ["textOnDark", "bgOnAccent"],
        ["textOnDarkMuted", "bgOff"], ["textOnDarkMuted", "bgOffLight"],
        ["textOnDarkMuted", "bgOn"], ["textOnDarkMuted", "bgOnAccent"],
        ["text", "infoSurface"], ["text", "warningSurface"], ["text", "dangerSurface"],
        ["text", "labSurface"], ["textMuted", "labSurface"], ["dangerText", "labSurface"],
        ["accentText", "labSurface"], ["textOnLabBand", "labBand"]
    ]
    // [control part, background]: at least 3:1 (focus rings, outlines, switch tracks, markers).
    readonly property var graphicPairs: [
        ["focusRing", "bgPage"], ["focusRing", "surface"], ["focusRing", "labSurface"],
        ["focusRingOnDark", "bgOff"], ["focusRingOnDark", "bgOnAccent"],
        ["controlBorder", "surface"], ["controlBorder", "bgPage"], ["controlBorder", "labSurface"],
        ["accent", "surface"], ["accent", "labSurface"],
        ["latencyGood", "surface"], ["latencyModerate", "surface"], ["latencyPoor", "surface"],
        ["info", "infoSurface"], ["warning", "warningSurface"], ["danger", "dangerSurface"]
    ]

    // Sizes.
    readonly property int radius: 8
    readonly property int spacing: 16
    readonly property int smallSpacing: 8
    readonly property int windowWidth: 380
    readonly property int windowHeight: 700
    // The smallest target a pointer or finger is given (WCAG 2.5.8 asks 24).
    readonly property int controlHeight: 44
    readonly property int focusRingWidth: 2

    // Type: the text styles of MVText.
    readonly property int fontTitle: 22
    readonly property int fontHeading: 17
    readonly property int fontBody: 15
    readonly property int fontSmall: 13
    readonly property string fontFamily: "DejaVu Sans"

    // Icons live in resources/icons, next to qml/ in a checkout and in the wheel.
    function icon(name: string): url {
        return Qt.resolvedUrl("../../resources/icons/" + name + ".svg")
    }
}
