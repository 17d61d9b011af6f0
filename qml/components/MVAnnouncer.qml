import QtQuick

// Says changes to screen-reader users, once each: the status after every
// change of state, and a message when one appears.  The words go out as an
// accessibility announcement (Qt 6.8's Accessible.announce) and stay as
// this item's accessible name, a live status line for readers that poll.
Item {
    id: root
    // The last thing said.
    property string message
    // How many times something was said (for tests: a message said once counts once).
    property int count: 0

    width: 0
    height: 0
    Accessible.role: Accessible.StatusBar
    Accessible.name: message

    // `urgent`: interrupts what the reader is saying (failures).
    function say(text: string, urgent: bool) {
        if (text === "" || text === message)
            return
        message = text
        count += 1
        Accessible.announce(text, urgent ? Accessible.Assertive : Accessible.Polite)
    }
}
