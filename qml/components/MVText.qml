import QtQuick
import theme

// A text in one of the app's styles.  Every text of the window is one, so a
// size or a colour changes in the theme and nowhere else.
Text {
    enum Style { Title, Heading, Body, Small, Label }
    // Title: a screen's name; Heading: a dialog's; Body: sentences;
    // Small: details and secondary lines; Label: a section's name (bold, small).
    property int textStyle: MVText.Body

    color: Theme.text
    font.family: Theme.fontFamily
    font.pixelSize: textStyle === MVText.Title ? Theme.fontTitle
                  : textStyle === MVText.Heading ? Theme.fontHeading
                  : textStyle === MVText.Body ? Theme.fontBody
                  : Theme.fontSmall
    font.bold: textStyle === MVText.Title || textStyle === MVText.Heading || textStyle === MVText.Label
    wrapMode: Text.WordWrap
    Accessible.role: textStyle === MVText.Title || textStyle === MVText.Heading ? Accessible.Heading : Accessible.StaticText
    Accessible.name: text
}
